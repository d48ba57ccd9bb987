"""Re-derive vision.align.FER_LANDMARKS: where MTCNN puts the five landmarks on FER2013 faces."""
from __future__ import annotations

import cv2
import numpy as np

from training.face import data
from vision.align import FER_SIZE
from vision.detect import FaceDetector


def derive_template(n: int = 800, upscale: int = 4, pad: int = 24) -> np.ndarray:
    """Median MTCNN landmarks on FER2013 Training faces, symmetrised (how FER_LANDMARKS was made)."""
    pixels = data.split(data.load_arrays(), data.TRAINING).pixels
    detector = FaceDetector(max_side=10_000)
    found = []
    for i in np.random.default_rng(0).choice(len(pixels), n, replace=False):
        # FER2013 crops are too tight for MTCNN: upscale and extend the border first.
        big = np.pad(cv2.resize(pixels[i], None, fx=upscale, fy=upscale, interpolation=cv2.INTER_CUBIC), pad, mode="edge")
        faces = detector.detect(np.repeat(big[..., None], 3, axis=2))
        if faces and faces[0].score > 0.95:
            found.append((faces[0].landmarks - pad) / upscale)
    median = np.median(found, axis=0)
    mirrored = median[[1, 0, 2, 4, 3]] * [-1, 1] + [FER_SIZE, 0]
    print(f"landmarks found on {len(found)} of {n} faces")
    return (median + mirrored) / 2


if __name__ == "__main__":
    print(np.round(derive_template(), 2).tolist())
