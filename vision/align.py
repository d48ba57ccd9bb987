"""Face alignment: warp a detected face so it is framed exactly like a FER2013 training image.

The target is where MTCNN puts the five landmarks on FER2013 faces themselves (median over 690
Training faces, mirrored and averaged so the eyes are level and the nose centred); re-derive it
with ``python -m training.face.template``. A similarity transform (rotation, scale, shift) fitted by least
squares maps the detected landmarks onto it, which levels the eyes and reproduces FER2013's tight
framing (mid-forehead to chin, ears at the edges).
"""
from __future__ import annotations

import math

import cv2
import numpy as np

FER_SIZE = 48
# x, y in a 48x48 FER2013 image: left eye, right eye, nose, mouth left, mouth right (image left/right).
FER_LANDMARKS = np.array([[15.0, 18.74], [33.0, 18.74], [24.0, 29.06], [16.54, 37.72], [31.46, 37.72]])


def similarity(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares similarity transform [2, 3] taking points src [N, 2] onto dst [N, 2]."""
    z, w = src[:, 0] + 1j * src[:, 1], dst[:, 0] + 1j * dst[:, 1]
    zc, wc = z - z.mean(), w - w.mean()
    a = (wc * zc.conj()).sum() / (abs(zc) ** 2).sum()  # rotation and scale as one complex number
    b = w.mean() - a * z.mean()
    return np.array([[a.real, -a.imag, b.real], [a.imag, a.real, b.imag]])


def align(gray: np.ndarray, landmarks: np.ndarray, size: int = FER_SIZE) -> np.ndarray:
    """gray: uint8 [H, W]; landmarks: [5, 2] in its pixels -> uint8 [size, size] FER2013-framed crop."""
    template = FER_LANDMARKS * (size / FER_SIZE)
    matrix = similarity(np.asarray(landmarks, dtype=np.float64), template)
    # Warp at up to 4x the output size, then area-average down: a plain warp from a big face aliases.
    oversample = min(4, max(1, math.ceil(1 / math.hypot(matrix[0, 0], matrix[1, 0]))))
    big = cv2.warpAffine(gray, matrix * oversample, (size * oversample, size * oversample),
                         flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return big if oversample == 1 else cv2.resize(big, (size, size), interpolation=cv2.INTER_AREA)
