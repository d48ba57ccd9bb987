"""python -m vision: one JSON line per input, errors reported in place."""
from __future__ import annotations

import json

from emotions import EMOTIONS
from tests.vision.conftest import astronaut, encode
from vision.__main__ import main


def run(capsys, model_dir: str, *args: str) -> tuple[int, list[dict]]:
    status = main(["--json", "--model-dir", model_dir, *args])
    return status, [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_json_lines_with_an_unreadable_input_in_the_middle(tmp_path, capsys, model_dir):
    photo, broken = tmp_path / "photo.jpg", tmp_path / "broken.jpg"
    photo.write_bytes(encode(astronaut(), "JPEG"))
    broken.write_bytes(b"\xff\xd8 not really a jpeg")
    missing = tmp_path / "missing.png"
    status, lines = run(capsys, model_dir, str(photo), str(broken), str(missing), str(photo))
    assert status == 1
    assert [line["path"] for line in lines] == [str(photo), str(broken), str(missing), str(photo)]
    (face,) = lines[0]["faces"]
    assert set(face) == {"box", "score", "emotion", "probs"} and len(face["box"]) == 4
    assert list(face["probs"]) == list(EMOTIONS) and face["emotion"] in EMOTIONS
    assert set(lines[1]) == {"path", "error"} and set(lines[2]) == {"path", "error"}
    assert lines[3] == lines[0]


def test_no_detect_and_benchmark_head(tmp_path, capsys, model_dir):
    crop = tmp_path / "crop.png"
    crop.write_bytes(encode(astronaut().crop((170, 50, 280, 180)).convert("L")))
    status, (product,) = run(capsys, model_dir, "--no-detect", str(crop))
    assert status == 0 and set(product) == {"path", "emotion", "probs"}
    _, (benchmark,) = run(capsys, model_dir, "--no-detect", "--benchmark-head", str(crop))
    assert benchmark["probs"] != product["probs"]
