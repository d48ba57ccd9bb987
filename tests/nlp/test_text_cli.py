"""python -m nlp: one JSON line per text, from arguments or stdin."""
from __future__ import annotations

import io
import json

from emotions import EMOTIONS
from nlp.__main__ import main

FIELDS = {"text", "emotion", "probs", "sentiment", "valence"}


def test_json_line_per_argument(capsys):
    main(["--json", "I love this!", "/start"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["text"] for line in lines] == ["I love this!", "/start"]
    assert set(lines[0]) >= FIELDS
    assert tuple(lines[0]["probs"]) == EMOTIONS and lines[0]["emotion"] == "happy"
    assert lines[1]["emotion"] is None  # commands are never analysed


def test_one_text_per_stdin_line(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("so happy for you\n\nthis is terrible\n"))
    main(["--json"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["sentiment"] for line in lines] == ["positive", None, "negative"]
