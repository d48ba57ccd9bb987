"""One shipped text model per test session: loading it is the slow part."""
from __future__ import annotations

import pytest

import nlp.analyzer
from nlp import TextAnalyzer


@pytest.fixture(scope="session")
def analyzer() -> TextAnalyzer:
    return TextAnalyzer(nlp.analyzer.DEFAULT_MODEL_DIR)
