"""Video notes: a few frames decoded in memory, the same face's readings pooled, bad videos refused."""
from __future__ import annotations

import numpy as np
import pytest

import emotions
from playground.samples import sample_videos
from vision import VideoError
from vision.image import from_rgb
from vision.video import FRAMES, frames


@pytest.fixture(scope="module")
def videos() -> dict[str, bytes]:
    return sample_videos()


def test_frames_are_spread_over_the_video_in_time_order(videos):
    picked = frames(videos["one"])
    assert len(picked) == FRAMES
    assert all(f.shape == (384, 384, 3) and f.dtype == np.uint8 for f in picked)
    # The clip drifts sideways one pixel every three frames: later frames are shifted further.
    shifts = [int(np.argmin([np.abs(f.astype(int) - np.roll(picked[0], s, axis=1)).mean() for s in range(12)]))
              for f in picked]
    assert shifts == sorted(shifts) and shifts[-1] > shifts[0]


def test_a_video_note_with_a_face_pools_its_frames(analyzer, videos):
    [face] = analyzer.analyze_video(videos["one"])
    assert face.frames == FRAMES
    per_frame = [analyzer.faces(from_rgb(f, 1280))[0].probs for f in frames(videos["one"])]
    expected = np.mean([[p[e] for e in emotions.EMOTIONS] for p in per_frame], axis=0)
    assert [face.probs[e] for e in emotions.EMOTIONS] == pytest.approx(expected.tolist(), abs=1e-6)
    x1, y1, x2, y2 = face.box
    assert 0 <= x1 < x2 <= 384 and 0 <= y1 < y2 <= 384


def test_a_video_without_a_face_has_no_reading(analyzer, videos):
    assert analyzer.analyze_video(videos["none"]) == []


@pytest.mark.parametrize("bad", ["corrupt", "empty", "truncated", "a photo"])
def test_unreadable_videos_raise_a_short_reason(analyzer, videos, bad):
    data = {"corrupt": videos["corrupt"], "empty": b"", "truncated": videos["one"][: len(videos["one"]) // 2],
            "a photo": b"\xff\xd8\xff\xe0" + bytes(100)}[bad]
    with pytest.raises(VideoError) as error:
        analyzer.analyze_video(data)
    assert 0 < len(str(error.value)) < 60
