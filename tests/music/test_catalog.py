import gzip

import numpy as np

from music.catalog import DATA_DIR, Catalog
from training.music.build_catalog import build


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


def _write(path, header, rows):
    text = "\n".join([header, *rows]) + "\n"
    if path.suffix == ".gz":
        with gzip.open(path, "wt", encoding="utf-8") as f:
            f.write(text)
    else:
        path.write_text(text, encoding="utf-8")


def test_build_merges_duplicate_rows_and_derives_languages(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    features = "0.5,0.6,1,-5.0,1,0.05,0.3,0.0,0.1,0.4,120.0,4"
    _write(src / "spotify_tracks.csv.gz", TRACK_HEADER, [
        f"{'A' * 22},Arijit Singh,Album,Tum Hi Ho,70,200000,False,{features},k-pop",   # noisy genre label
        f"{'A' * 22},Arijit Singh,Album,Tum Hi Ho,75,200000,False,{features},pop-film",
        f"{'B' * 22},Someone;Other,Album,Song B,10,200000,True,{features},rock",
        f"{'C' * 22},,,,0,0,False,{features},k-pop",                                  # no name: dropped
    ])
    _write(src / "yearly_top_tracks_indian_western.csv", YEARLY_HEADER,
           [f"{'D' * 22},Hit,Singer,2019-01-01,60,indian,2019,pl,0.5,0.6,1,-5,1,0.05,0.3,0,0.1,0.4,120,200000,4"])
    _write(src / "artist_genres.csv.gz", "artists,genres", ['Arijit Singh,"[\'filmi\', \'modern bollywood\']"'])
    _write(src / "playlists.csv", "id,name,source,hint,verified,description",
           [f"{'P' * 22},Top Hits Hindi,x,language:hindi/india,archive,d"])
    _write(src / "playlist_tracks.csv", "playlist_id,playlist_name,position,track_id,track_name,artists", [])
    build(src, out)
    catalog = Catalog.load(out)
    assert catalog.ids == ["A" * 22, "B" * 22, "D" * 22]
    tum_hi_ho, song_b, hit = (catalog.track(i) for i in range(3))
    assert set(tum_hi_ho.genres) == {"k-pop", "pop-film"} and tum_hi_ho.popularity == 75
    assert tum_hi_ho.languages == {"hindi"}, "artist genres beat the noisy k-pop label"
    assert song_b.artists == ("Someone", "Other") and song_b.explicit and song_b.languages == {"english"}
    assert hit.genres == ("pop-film",) and hit.languages == {"hindi"} and hit.explicit, "unknown explicit: assumed"
    assert [p.name for p in catalog.playlists] == ["Top Hits Hindi"]


TRACK_HEADER = ("track_id,artists,album_name,track_name,popularity,duration_ms,explicit,danceability,energy,key,"
                "loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature,"
                "track_genre")
YEARLY_HEADER = ("track_id,track_name,artists,release_date,popularity,region,chart_year,source_playlist_id,"
                 "danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,"
                 "tempo,duration_ms,time_signature")
