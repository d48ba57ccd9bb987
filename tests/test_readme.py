"""The README's facts that code can check: every setting is documented."""
from pathlib import Path

from bot.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_every_setting_is_in_the_settings_table():
    documented = {line.split("|")[1] for line in README.splitlines() if line.startswith("| `")}
    names = " ".join(documented)
    missing = [field.upper() for field in Settings.model_fields if f"`{field.upper()}`" not in names]
    assert missing == []
