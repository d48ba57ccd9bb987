"""Face detection with MTCNN (facenet-pytorch; its weights ship inside the wheel)."""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import torch

from vision.facenet import MTCNN, detect_face

MTCNN_FLOOR = 20  # pixels; P-Net's 12 px window misses faces below about this size


@dataclass(frozen=True)
class Detection:
    box: np.ndarray        # float [4]: x1, y1, x2, y2
    score: float           # face probability from O-Net
    landmarks: np.ndarray  # float [5, 2]: left eye, right eye, nose, mouth left, mouth right (x, y)


class FaceDetector:
    """Finds faces of at least `min_face_size` pixels; detection runs on a copy at most `max_side` px."""

    def __init__(self, min_face_size: int = 40, max_side: int = 640,
                 thresholds: tuple[float, float, float] = (0.6, 0.7, 0.7), factor: float = 0.709):
        self.nets = MTCNN().eval()
        self.min_face_size = min_face_size
        self.max_side = max_side
        self.thresholds = list(thresholds)
        self.factor = factor

    @torch.inference_mode()
    def detect(self, rgb: np.ndarray) -> list[Detection]:
        """rgb: uint8 [H, W, 3]. Faces in `rgb`'s pixel coordinates, largest first."""
        height, width = rgb.shape[:2]
        k = min(1.0, self.max_side / max(height, width))
        min_size = max(self.min_face_size * k, MTCNN_FLOOR)
        if min(height, width) * k < min_size:
            return []
        small = rgb if k == 1 else cv2.resize(rgb, (round(width * k), round(height * k)), interpolation=cv2.INTER_AREA)
        # detect_face, not MTCNN.detect: it takes min size as an argument, so concurrent calls share nothing mutable.
        boxes, points = detect_face(small, min_size, self.nets.pnet, self.nets.rnet, self.nets.onet,
                                    self.thresholds, self.factor, "cpu")
        boxes, points = np.asarray(boxes[0], dtype=np.float64), np.asarray(points[0], dtype=np.float64)
        if len(boxes) == 0:
            return []
        area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
        return [Detection(boxes[i, :4] / k, float(boxes[i, 4]), points[i] / k) for i in np.argsort(-area)]
