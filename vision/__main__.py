"""Faces and emotions in photos from the command line.

    python -m vision --json PHOTO...                one JSON line per photo: {"path", "faces": [...]}
    python -m vision --json --no-detect CROP...     each image is one face: {"path", "emotion", "probs"}

An unreadable input prints {"path", "error"} and the others go on; the exit status is then 1.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import emotions
from vision import DEFAULT_MODEL_DIR, FaceAnalyzer, ImageError


def rounded(probs: dict[str, float]) -> dict[str, float]:
    return {label: round(p, 4) for label, p in probs.items()}


def describe(analyzer: FaceAnalyzer, path: str, no_detect: bool) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            data = f.read()
        if no_detect:
            probs = analyzer.analyze_crop(data)
            return {"path": path, "emotion": emotions.top(probs), "probs": rounded(probs)}
        faces = analyzer.analyze(data)
    except (OSError, ImageError) as e:
        return {"path": path, "error": str(e) if isinstance(e, ImageError) else e.strerror or str(e)}
    return {"path": path, "faces": [{"box": list(f.box), "score": round(f.score, 4), "emotion": f.emotion,
                                     "probs": rounded(f.probs)} for f in faces]}


def as_text(result: dict[str, Any]) -> str:
    if "error" in result:
        return f"{result['path']}: error: {result['error']}"
    if "faces" not in result:
        return f"{result['path']}: {result['emotion']} ({result['probs'][result['emotion']]:.0%})"
    faces = [f"{f['emotion']} ({f['probs'][f['emotion']]:.0%}) at {tuple(f['box'])}" for f in result["faces"]]
    return f"{result['path']}: " + ("; ".join(faces) or "no face found")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vision", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("photos", nargs="+", metavar="PHOTO")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--no-detect", action="store_true", help="treat each image as one already-cropped face")
    parser.add_argument("--benchmark-head", action="store_true",
                        help="report the head trained on the original FER2013 labels instead of the FER+ one")
    parser.add_argument("--model-dir", default=str(DEFAULT_MODEL_DIR))
    args = parser.parse_args(argv)

    analyzer = FaceAnalyzer(args.model_dir, head="benchmark" if args.benchmark_head else "product")
    failed = False
    for path in args.photos:
        result = describe(analyzer, path, args.no_detect)
        failed |= "error" in result
        print(json.dumps(result) if args.json else as_text(result), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
