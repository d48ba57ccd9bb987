"""How fast the vision path is on this machine:  python -m bench.vision [--runs 50]

Times photo bytes -> faces + emotions for a 640x480 and a 1280x960 JPEG with one face
(scikit-image's astronaut), a 10-second 384x384 video note of the same face (5 frames read and
pooled), the classifier alone on one face, and reports the process RSS with both models loaded.
Targets: classifier <= 10 ms per face, 1280x960 photo p50 <= 80 ms on 2 cores, a video note
answered within 2 s (this is the reading; the bot adds the download and the reply).
"""
from __future__ import annotations

import argparse
import io
import resource
import time
from collections.abc import Callable

import numpy as np
import torch
from PIL import Image
from skimage import data as images  # the [test] extra, which `make bench` installs

from playground.samples import video_note
from vision import FaceAnalyzer


def percentiles(fn: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """(p50, p95, mean) of fn's wall time in milliseconds, after two warm-up calls."""
    fn(), fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 95)), float(np.mean(times))


def portrait_jpeg(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(images.astronaut()).crop((0, 0, 512, 384)).resize(size).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    analyzer = FaceAnalyzer()
    print(f"torch threads: {torch.get_num_threads()}")
    for size in ((640, 480), (1280, 960)):
        data = portrait_jpeg(size)
        faces = len(analyzer.analyze(data))
        p50, p95, mean = percentiles(lambda data=data: analyzer.analyze(data), args.runs)
        print(f"photo {size[0]}x{size[1]} JPEG ({len(data) // 1024} KB, {faces} face): "
              f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, {1000 / mean:.1f} images/s")
    note = video_note(images.astronaut(), seconds=10)
    p50, p95, _ = percentiles(lambda: analyzer.analyze_video(note), max(5, args.runs // 5))
    print(f"video note 384x384, 10 s ({len(note) // 1024} KB): p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    crop = np.random.default_rng(0).integers(0, 256, (1, 48, 48), dtype=np.uint8)
    p50, p95, _ = percentiles(lambda: analyzer.classifier.predict_proba(crop), args.runs * 4)
    print(f"classifier alone, one 48x48 face (flip-averaged): p50 {p50:.2f} ms, p95 {p95:.2f} ms")
    print(f"process RSS with MTCNN + emotion CNN loaded: {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
