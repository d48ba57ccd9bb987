"""Video bytes (a Telegram video note or a short clip) -> a few frames, decoded in memory.

OpenCV (5.x, FFmpeg backend) reads a video straight from a file-like object, so the bytes are never
written to disk: a selfie video must not outlive the reply any more than a photo does.
"""
from __future__ import annotations

import io

import cv2
import numpy as np

FRAMES = 5          # frames read per video: enough to pool over a blink or a word, cheap enough for 2 s
SCAN_LIMIT = 150    # when a container does not say how many frames it has, look at most this far in


class VideoError(ValueError):
    """The bytes are not a video OpenCV can read; str(error) is a short reason fit to show a user."""


def frames(data: bytes, count: int = FRAMES) -> list[np.ndarray]:
    """Up to `count` RGB frames (uint8 [H, W, 3]) spread evenly over the video, in time order."""
    if not data:
        raise VideoError("the file is empty")
    stream = io.BytesIO(data)  # OpenCV reads from it without holding a reference: keep one until release
    # The stubs know only cv2.IStreamReader here; at run time any io.BufferedIOBase is read.
    capture = cv2.VideoCapture(stream, cv2.CAP_FFMPEG, [])  # type: ignore[call-overload]
    try:
        if not capture.isOpened():
            raise VideoError("not a video I can read")
        total = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        picked = _by_seeking(capture, total, count) if total > 0 else _by_scanning(capture, count)
    finally:
        capture.release()
        stream.close()
    if not picked:
        raise VideoError("the video has no frames I can read")
    return [cv2.cvtColor(frame, cv2.COLOR_BGR2RGB) for frame in picked]


def _by_seeking(capture: cv2.VideoCapture, total: int, count: int) -> list[np.ndarray]:
    # The middle of each of `count` equal stretches: skips the first frame, which is often dark or blurred.
    positions = sorted({int((i + 0.5) * total / count) for i in range(count)})
    picked = []
    for position in positions:
        capture.set(cv2.CAP_PROP_POS_FRAMES, position)
        ok, frame = capture.read()
        if ok:
            picked.append(frame)
    return picked


def _by_scanning(capture: cv2.VideoCapture, count: int) -> list[np.ndarray]:
    seen: list[np.ndarray] = []
    while len(seen) < SCAN_LIMIT:
        ok, frame = capture.read()
        if not ok:
            break
        seen.append(frame)
    if len(seen) <= count:
        return seen
    return [seen[int((i + 0.5) * len(seen) / count)] for i in range(count)]
