"""The layout's rules, read from the code: runtime never imports tooling, no sense reaches into another."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOLING = {"training", "bench", "playground", "tests"}
# What each runtime package may import from this project (data flows update -> reading -> mood -> reply).
ALLOWED = {
    "emotions": set(),
    "vision": {"emotions"},
    "nlp": {"emotions"},
    "fusion": {"emotions"},
    "music": {"emotions"},
    "storage": {"emotions"},
    "bot": {"emotions", "vision", "nlp", "fusion", "music", "storage"},
}
PROJECT = set(ALLOWED) | TOOLING


def imported(path: Path) -> set[str]:
    """Top-level project modules a file imports, at any depth (lazy imports inside functions too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & PROJECT


def files(package: str) -> list[Path]:
    return [ROOT / "emotions.py"] if package == "emotions" else sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", ALLOWED)
def test_runtime_packages_import_only_what_they_may(package):
    wrong = {str(path.relative_to(ROOT)): sorted(found - ALLOWED[package] - {package})
             for path in files(package) if (found := imported(path)) - ALLOWED[package] - {package}}
    assert wrong == {}


def test_the_entry_point_reaches_tooling_only_for_the_playground():
    assert imported(ROOT / "bot.py") & TOOLING == {"playground"}  # no token: the local chat page, imported lazily
