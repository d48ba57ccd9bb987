"""bot.models: what loading the analyzers costs the bot process."""
from __future__ import annotations

import subprocess
import sys


def test_the_loaded_bot_never_imports_torchvision_or_transformers_modeling():
    """Each would cost resident memory for code the bot never runs (vision/facenet.py, nlp/model.py)."""
    heavy = ["torchvision", "transformers", "sympy", "torch._dynamo"]
    code = ("import sys; from bot.app import build_application; from bot.models import load_models; "
            "from bot.settings import Settings; load_models(Settings(_env_file=None)); "
            f"print([m for m in {heavy!r} if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=240, check=True)
    assert result.stdout.strip() == "[]"
