"""Photo bytes -> every face in it, each with calibrated emotion probabilities."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

import emotions
from vision.align import align
from vision.classifier import DEFAULT_MODEL_DIR, FaceEmotionClassifier
from vision.detect import FaceDetector
from vision.image import Photo, decode, from_rgb
from vision.video import frames

WORK_SIDE = 1280    # photos are analysed at most this big (Telegram's own photo size)
DETECT_SIDE = 640   # and faces are searched for on a copy at most this big (speed)
SAME_FACE_IOU = 0.3  # boxes in two frames of a video that overlap this much are the same face


@dataclass(frozen=True)
class Face:
    box: tuple[int, int, int, int]              # x1, y1, x2, y2 in the EXIF-rotated original image's pixels
    score: float                                # MTCNN detection probability
    landmarks: tuple[tuple[float, float], ...]  # left eye, right eye, nose, mouth left, mouth right
    probs: dict[str, float]                     # calibrated, over emotions.EMOTIONS
    frames: int = 1                             # video frames whose readings of this face were pooled

    @property
    def emotion(self) -> str:
        return emotions.top(self.probs)

    @property
    def confidence(self) -> float:
        return max(self.probs.values())


class FaceAnalyzer:
    """Loads MTCNN and the emotion CNN once; `analyze` is safe to call from several threads.

    min_face_size is in pixels of the photo as analysed (longer side at most 1280). Faces are also
    searched on a 640 px copy where MTCNN needs 20 px, so on large photos the floor is 1/32 of the
    longer side.
    """

    def __init__(self, model_dir: Path | str = DEFAULT_MODEL_DIR, head: str = "product", min_face_size: int = 40,
                 work_side: int = WORK_SIDE, detect_side: int = DETECT_SIDE):
        self.classifier = FaceEmotionClassifier(model_dir, head)
        self.detector = FaceDetector(min_face_size=min_face_size, max_side=detect_side)
        self.work_side = work_side

    def analyze(self, data: bytes) -> list[Face]:
        """Faces in the photo, largest first; [] when there is none. Raises ImageError on bad input."""
        return self.faces(decode(data, max_side=self.work_side))

    def analyze_video(self, data: bytes) -> list[Face]:
        """Faces in a short video (e.g. a Telegram video note), largest first, each read in several frames.

        A face is followed from frame to frame by overlap, and its readings are averaged: one frame
        catches a blink or half a word, a few of them catch the expression. Raises VideoError on bad input.
        """
        tracks: list[list[Face]] = []
        for rgb in frames(data):
            extended: set[int] = set()  # a track takes at most one face per frame
            for face in self.faces(from_rgb(rgb, self.work_side)):
                free = [i for i in range(len(tracks)) if i not in extended]
                best = max(free, key=lambda i: iou(tracks[i][-1].box, face.box), default=None)
                if best is None or iou(tracks[best][-1].box, face.box) < SAME_FACE_IOU:
                    best = len(tracks)
                    tracks.append([])
                tracks[best].append(face)
                extended.add(best)
        # The face seen in the most frames first (a stray detection in one frame never wins), then the largest.
        return sorted((pooled(t) for t in tracks), key=lambda f: (-f.frames, -area(f.box)))

    def faces(self, photo: Photo) -> list[Face]:
        """Faces in decoded pixels, largest first."""
        detections = self.detector.detect(photo.rgb)
        if not detections:
            return []
        gray = cv2.cvtColor(photo.rgb, cv2.COLOR_RGB2GRAY)
        size = self.classifier.input_size
        probs = self.classifier.predict_proba(np.stack([align(gray, d.landmarks, size) for d in detections]))
        width, height = photo.size
        faces = []
        for d, p in zip(detections, probs):
            x1, y1, x2, y2 = (d.box * photo.scale).round().astype(int).tolist()
            box = (max(0, x1), max(0, y1), min(width, x2), min(height, y2))
            points = tuple((float(x), float(y)) for x, y in d.landmarks * photo.scale)
            faces.append(Face(box, d.score, points, emotions.as_probs(p.tolist())))
        return faces

    def analyze_crop(self, data: bytes) -> dict[str, float]:
        """The whole image is one already-cropped face (e.g. a FER2013 image), squashed to the model's input."""
        size = self.classifier.input_size
        gray = cv2.cvtColor(decode(data, max_side=size * 8).rgb, cv2.COLOR_RGB2GRAY)
        shrink = min(gray.shape) >= size
        crop = cv2.resize(gray, (size, size), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_CUBIC)
        return emotions.as_probs(self.classifier.predict_proba(crop[None])[0].tolist())


def area(box: tuple[int, int, int, int]) -> int:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])


def iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    inner = area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))
    return inner / max(1, area(a) + area(b) - inner)


def pooled(track: list[Face]) -> Face:
    """One face read in several frames: the mean of its probabilities, placed where it looked largest."""
    largest = max(track, key=lambda f: area(f.box))
    probs = np.mean([[f.probs[e] for e in emotions.EMOTIONS] for f in track], axis=0)
    return Face(largest.box, float(np.mean([f.score for f in track])), largest.landmarks,
                emotions.as_probs(probs.tolist()), frames=len(track))
