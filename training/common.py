"""What every training and evaluation script shares: settings from the command line, model-card blocks."""
from __future__ import annotations

import argparse
import dataclasses
import re
from pathlib import Path
from typing import Any, TypeVar

Settings = TypeVar("Settings")


def parse_settings(cls: type[Settings], description: str | None) -> Settings:
    """A `--name value` option for each field of the settings dataclass `cls`, defaulting to the field's."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        kind: Any = field.type if isinstance(field.type, type) else {"int": int, "float": float, "str": str,
                                                                     "bool": bool}[str(field.type)]
        if kind is bool:
            parser.add_argument(f"--{field.name}", type=lambda s: s.lower() in ("1", "true", "yes"),
                                default=field.default)
        else:
            parser.add_argument(f"--{field.name}", type=kind, default=field.default)
    return cls(**vars(parser.parse_args()))


def replace_block(text: str, name: str, body: str) -> str:
    """Replace a card's ``<!-- name:start -->...<!-- name:end -->`` block; the rest is hand-written."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"the model card has no {start} ... {end} block")
    return pattern.sub(lambda _: f"{start}\n{body}\n{end}", text)


def update_card(card: Path, blocks: dict[str, str]) -> None:
    """Write each named block into the model card."""
    text = card.read_text()
    for name, body in blocks.items():
        text = replace_block(text, name, body)
    card.write_text(text)
