"""One shipped text model per test session: loading it is the slow part."""
from __future__ import annotations

import pytest

import nlp.analyzer
from nlp import TextAnalyzer


@pytest.fixture(scope="session")
def analyzer() -> TextAnalyzer:
    return TextAnalyzer(nlp.analyzer.DEFAULT_MODEL_DIR)


@pytest.fixture(scope="session")
def english_only() -> TextAnalyzer:
    """The English model alone, as where the multilingual head is not installed."""
    return TextAnalyzer(nlp.analyzer.DEFAULT_MODEL_DIR, multilingual_dir=None)
