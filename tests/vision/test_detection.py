"""Detection on real photos, through the public API."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from PIL import Image
from skimage import data as images

from emotions import EMOTIONS
from tests.vision.conftest import astronaut, encode, lfw_faces


def inside(point: tuple[float, float], box: tuple[int, int, int, int]) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def test_astronaut_portrait_has_one_face_with_calibrated_probs(analyzer):
    (face,) = analyzer.analyze(encode(astronaut()))
    x1, y1, x2, y2 = face.box
    assert 150 < x1 < x2 < 300 and 30 < y1 < y2 < 200  # her face, not the flag or the suit
    assert face.score > 0.95
    assert len(face.landmarks) == 5 and all(inside(p, face.box) for p in face.landmarks)
    left_eye, right_eye = face.landmarks[:2]
    assert left_eye[0] < right_eye[0] and abs(left_eye[1] - right_eye[1]) < 10
    assert list(face.probs) == list(EMOTIONS)
    assert sum(face.probs.values()) == pytest.approx(1.0)
    assert face.emotion in EMOTIONS and face.confidence == max(face.probs.values())


def test_a_smiling_portrait_reads_as_happy(analyzer):
    (face,) = analyzer.analyze(encode(astronaut(), "JPEG"))
    assert face.emotion == "happy"


def test_grayscale_cameraman_portrait(analyzer):
    (face,) = analyzer.analyze(encode(images.camera(), "JPEG"))
    assert face.score > 0.95


def test_every_face_in_a_group_is_returned_largest_first(analyzer):
    # Twelve real LFW faces of four sizes on one 1280x960 photo.
    canvas = Image.new("L", (1280, 960), 128)
    sides = [260, 220, 180, 150]
    for i, side in enumerate(sides):
        for j, face in enumerate(lfw_faces(12, side)[i * 3:i * 3 + 3]):
            canvas.paste(face, (20 + j * 420, 20 + sum(s + 20 for s in sides[:i])))
    faces = analyzer.analyze(encode(canvas, "JPEG", quality=90))
    assert len(faces) == 12
    areas = [(f.box[2] - f.box[0]) * (f.box[3] - f.box[1]) for f in faces]
    assert areas == sorted(areas, reverse=True)


@pytest.mark.parametrize("photo", [images.coffee(), images.chelsea(), images.hubble_deep_field(), images.grass(),
                                   np.random.default_rng(0).integers(0, 256, (480, 640, 3), dtype=np.uint8)],
                         ids=["coffee", "cat", "galaxies", "grass", "noise"])
def test_no_face_is_an_empty_list(analyzer, photo):
    assert analyzer.analyze(encode(photo, "JPEG")) == []


def test_faces_below_the_detection_floor_are_not_reported(analyzer):
    canvas = Image.new("RGB", (640, 480), "gray")
    canvas.paste(astronaut().resize((64, 64)), (300, 200))  # her face is about 12 px here
    assert analyzer.analyze(encode(canvas)) == []


@pytest.mark.parametrize("orientation, stored_as", [(6, Image.Transpose.ROTATE_90), (8, Image.Transpose.ROTATE_270),
                                                     (3, Image.Transpose.ROTATE_180)])
def test_exif_rotation_is_applied_and_boxes_are_in_upright_pixels(analyzer, orientation, stored_as):
    upright = astronaut().crop((0, 0, 512, 384))
    (expected,) = analyzer.analyze(encode(upright, "JPEG", quality=95))
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation: how a viewer must turn the stored pixels
    (face,) = analyzer.analyze(encode(upright.transpose(stored_as), "JPEG", quality=95, exif=exif))
    assert np.abs(np.subtract(face.box, expected.box)).max() <= 6


def test_huge_photo_is_downscaled_and_boxes_map_back(analyzer):
    (small,) = analyzer.analyze(encode(astronaut(), "JPEG", quality=95))
    (big,) = analyzer.analyze(encode(astronaut().resize((4096, 4096), Image.Resampling.BICUBIC), "JPEG", quality=95))
    assert np.abs(np.subtract(big.box, np.multiply(small.box, 8))).max() <= 48  # 8x the pixels, same face


def test_concurrent_calls_give_the_sequential_answers(analyzer):
    photos = [encode(astronaut(), "JPEG"), encode(images.camera()), encode(images.coffee())] * 3
    sequential = [analyzer.analyze(p) for p in photos]
    with ThreadPoolExecutor(4) as pool:
        concurrent = list(pool.map(analyzer.analyze, photos))
    for seq, con in zip(sequential, concurrent):
        assert [f.box for f in seq] == [f.box for f in con]
        for a, b in zip(seq, con):
            assert a.probs == pytest.approx(b.probs, abs=1e-5)


def test_analyze_crop_treats_the_image_as_one_face(analyzer):
    probs = analyzer.analyze_crop(encode(astronaut().crop((170, 50, 280, 180)).convert("L").resize((48, 48))))
    assert list(probs) == list(EMOTIONS) and sum(probs.values()) == pytest.approx(1.0)
