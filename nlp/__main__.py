"""Read how texts feel, one JSON line per text.

    python -m nlp --json "I love this song" "ugh, mondays"
    printf 'so happy\nso sad\n' | python -m nlp --json

A text with nothing to read (empty, a command, a bare URL) prints its line with null fields.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from itertools import islice

from nlp import DEFAULT_MODEL_DIR, TextAnalyzer, TextReading

BATCH = 256  # stdin lines analysed together


def as_json(text: str, reading: TextReading | None) -> str:
    fields = ("emotion", "probs", "sentiment", "valence", "confidence", "language", "low_confidence")
    out = {"text": text} | {name: getattr(reading, name) if reading else None for name in fields}
    if reading:
        out["probs"] = {label: round(p, 4) for label, p in reading.probs.items()}
        out["valence"], out["confidence"] = round(reading.valence, 4), round(reading.confidence, 4)
    return json.dumps(out, ensure_ascii=False)


def as_line(text: str, reading: TextReading | None) -> str:
    if reading is None:
        return f"-\t{text}"
    flag = f" low-confidence ({reading.language})" if reading.low_confidence else ""
    return (f"{reading.emotion} {reading.probs[reading.emotion]:.0%}, {reading.sentiment}, "
            f"valence {reading.valence:+.2f}{flag}\t{text}")


def batches(lines: Iterator[str]) -> Iterator[list[str]]:
    while batch := list(islice(lines, BATCH)):
        yield batch


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m nlp", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("texts", nargs="*", help="texts to read; none: one text per stdin line")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--model", default=str(DEFAULT_MODEL_DIR), help="model directory")
    args = parser.parse_args(argv)
    analyzer = TextAnalyzer(args.model)
    render = as_json if args.json else as_line
    lines = iter(args.texts) if args.texts else (line.rstrip("\r\n") for line in sys.stdin)
    for batch in batches(lines):
        for text, reading in zip(batch, analyzer.analyze_many(batch)):
            print(render(text, reading), flush=True)


if __name__ == "__main__":
    main()
