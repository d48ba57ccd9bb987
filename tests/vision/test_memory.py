"""Memory is bounded, not only pixels: a small file that decodes huge is refused or shrunk in strips,
and concurrent decodes share one budget."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.vision.conftest import encode
from vision import ImageError
from vision.image import DECODE_BUDGET, decode, shrunk_rgb, to_rgb

ROOT = Path(__file__).resolve().parents[2]


def gradient_16_bit(width: int, height: int) -> Image.Image:
    x = np.linspace(0, 65535, width, dtype=np.float64)[None, :]
    y = np.linspace(0, 1, height, dtype=np.float64)[:, None]
    return Image.fromarray((x * (0.5 + y / 2)).astype(np.uint16))


def test_shrinking_in_strips_equals_shrinking_the_whole():
    image = gradient_16_bit(3001, 2003)  # not multiples of the factor: the last strip and column are partial
    assert image.mode == "I;16"
    whole = np.asarray(to_rgb(image).reduce(3))
    assert np.array_equal(np.asarray(shrunk_rgb(image, 1000)), whole)


def test_a_16_bit_png_is_read_at_full_contrast():
    photo = decode(encode(gradient_16_bit(4000, 300)), max_side=1000)
    assert photo.rgb.shape == (75, 1000, 3) and photo.size == (4000, 300)
    assert photo.rgb[..., 0].max() >= 250 and photo.rgb[..., 0].min() <= 2


def test_a_small_file_too_big_to_decode_is_refused_before_decoding():
    data = encode(Image.new("I;16", (8900, 8900)))  # ~150 KB, 160 MB of pixels
    assert len(data) < 200_000
    with pytest.raises(ImageError, match="too large"):
        decode(data, max_side=1280)


MEASURE = """
import resource, sys, threading
from vision.image import decode
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
threads = [threading.Thread(target=decode, args=(data, 1280)) for _ in range(3)]
[t.start() for t in threads]
[t.join() for t in threads]
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


def test_three_concurrent_worst_case_decodes_stay_within_the_budget(tmp_path):
    """About the largest image the budget admits (a 5600x5600 palette PNG with transparency: 30 MB of pixels,
    each converting to RGBA), decoded by three threads at once, in a fresh process."""
    path = tmp_path / "worst.png"
    Image.new("P", (5600, 5600)).save(path, transparency=0)
    grown_mb = int(subprocess.run([sys.executable, "-c", MEASURE, str(path)], cwd=ROOT, check=True,
                                  capture_output=True, text=True).stdout)
    assert grown_mb < DECODE_BUDGET / 2**20 + 50, grown_mb  # measured 44; before: 3 x (full-size RGBA, RGB and copies) > 2 GB
