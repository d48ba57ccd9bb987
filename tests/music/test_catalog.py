import gzip
import json

import numpy as np
import pytest

from music.build_catalog import SOURCE, build
from music.catalog import DATA_DIR, Catalog


def test_bundled_catalog_is_small_unique_and_in_range(catalog):
    assert sum(f.stat().st_size for f in DATA_DIR.iterdir()) <= 10 * 2**20
    assert len(set(catalog.ids)) == len(catalog) > 90_000
    assert all(len(i) == 22 for i in catalog.ids[:1000])
    for values in (catalog.valence, catalog.energy, catalog.acousticness, catalog.danceability):
        assert values.min() >= 0 and values.max() <= 1
    assert "ODbL" in (DATA_DIR / "ATTRIBUTION.md").read_text()


def test_a_track_keeps_all_its_genres_and_language_hints(catalog):
    row = int(np.flatnonzero(catalog.in_genres(["pop-film"]) & catalog.in_genres(["indian"]))[0])
    track = catalog.track(row)
    assert {"pop-film", "indian"} <= set(track.genres) and "hindi" in track.languages
    assert catalog.get(track.id) == track and catalog.get("nope") is None


@pytest.mark.skipif(not SOURCE.exists(), reason="needs ../shared/data/music")
def test_bundled_catalog_is_what_the_build_script_makes(tmp_path):
    build(SOURCE, tmp_path)
    for name in ("catalog.json.gz",):
        with gzip.open(tmp_path / name) as new, gzip.open(DATA_DIR / name) as old:
            assert json.load(new) == json.load(old)
    with np.load(tmp_path / "catalog.npz") as new, np.load(DATA_DIR / "catalog.npz") as old:
        assert sorted(new.files) == sorted(old.files)
        assert all(np.array_equal(new[k], old[k]) for k in new.files)
    assert len(Catalog.load(tmp_path)) == len(Catalog.default())
