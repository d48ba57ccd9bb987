import gzip

import numpy as np

from music.catalog import DATA_DIR, Catalog
from music.languages import EVIDENCE
from training.music.build_catalog import build


def test_bundled_catalog_is_small_unique_and_in_range(catalog):
    assert sum(f.stat().st_size for f in DATA_DIR.iterdir()) <= 10 * 2**20
    assert len(set(catalog.ids)) == len(catalog) > 90_000
    assert all(len(i) == 22 for i in catalog.ids[:1000])
    for values in (catalog.valence, catalog.energy):  # every track has a place in mood space
        assert values.min() >= 0 and values.max() <= 1
    audio = catalog.has_audio_features
    for values in (catalog.acousticness, catalog.danceability):  # Spotify's features, or none at all
        assert np.isnan(values).tolist() == (~audio).tolist()
        assert values[audio].min() >= 0 and values[audio].max() <= 1
    attribution = (DATA_DIR / "ATTRIBUTION.md").read_text()
    assert "ODbL" in attribution and "sumannaidur/Emotion-Based-Music-Recommender" in attribution
    assert "VedhaSri-2005/Music-Recommendation" in attribution


def test_indian_languages_have_source_labelled_tracks_for_every_mood_label(catalog):
    placed = {name: i for i, name in enumerate(catalog.placements)}
    for language in ("telugu", "tamil", "hindi", "kannada"):
        labelled = catalog.in_languages([language], min_confidence=0.95)
        for mood in ("happy", "sad", "calm", "energetic"):
            assert (labelled & (catalog.placement == placed[f"mood label: {mood}"])).sum() >= 40, (language, mood)
    track = catalog.track(int(np.flatnonzero(catalog.in_languages(["telugu"], 0.95) & ~catalog.has_audio_features)[0]))
    assert track.languages == {"telugu"} and track.language_evidence == "source label"
    assert track.tempo is None and not track.has_audio_features


def test_a_track_keeps_all_its_genres_and_language_hints(catalog):
    row = int(np.flatnonzero(catalog.in_genres(["pop-film"]) & catalog.in_genres(["indian"]))[0])
    track = catalog.track(row)
    assert {"pop-film", "indian"} <= set(track.genres) and track.languages
    assert track.language_evidence in EVIDENCE and 0 < track.language_confidence <= 1
    assert catalog.get(track.id) == track and catalog.get("nope") is None


def _write(path, header, rows):
    text = "\n".join([header, *rows]) + "\n"
    if path.suffix == ".gz":
        with gzip.open(path, "wt", encoding="utf-8") as f:
            f.write(text)
    else:
        path.write_text(text, encoding="utf-8")


def _source(src):
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


def test_build_merges_duplicate_rows_and_derives_languages(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    _source(src)
    build(src, out)
    catalog = Catalog.load(out)
    assert list(catalog.ids) == ["A" * 22, "B" * 22, "D" * 22]
    tum_hi_ho, song_b, hit = (catalog.track(i) for i in range(3))
    assert set(tum_hi_ho.genres) == {"k-pop", "pop-film"} and tum_hi_ho.popularity == 75
    assert tum_hi_ho.languages == {"hindi"}, "artist genres beat the noisy k-pop label"
    assert song_b.artists == ("Someone", "Other") and song_b.explicit and song_b.languages == {"english"}
    assert hit.genres == ("pop-film",) and hit.languages == {"hindi"} and hit.explicit, "unknown explicit: assumed"
    assert [p.name for p in catalog.playlists] == ["Top Hits Hindi"]


def test_build_adds_indian_tracks_placed_honestly_and_drops_wrong_matches(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    _source(src)
    (src / "indian").mkdir()
    for name in ("moods_playlist_labeled.csv", "moods_data_moods.csv"):
        _write(src / name, "mood,valence,energy", ["Sad,0.2,0.3", "Sad,0.3,0.4", "Happy,0.7,0.7", "Happy,0.8,0.8"])
    _write(src / "indian" / "film_soundtracks_tmdb_spotify.csv",
           "track_id,name,artist,languages_all,popularity,mood,valence,energy,artist_genre_hint", [
               f"{'E' * 22},Sad One,Sid Sriram,Telugu,40,Sad,0.1,0.5,indian",
               f"{'F' * 22},Lover,Taylor Swift,Kannada,90,happy,0.9,0.5,non_indian",   # wrong album match
               f"{'G' * 22},Happy One,\"Sid Sriram, Anirudh\",Telugu,50,happy,0.9,0.5,unknown",
           ])
    _write(src / "indian" / "keyword_search_spotify_ids.csv",
           "track_id,title,artist,album,languages_all,artist_genre_hint", [
               f"{'H' * 22},Another,Sid Sriram,Hits (Telugu),Telugu,indian",       # placed by Sid Sriram's songs
               f"{'I' * 22},Ode,Someone,Kannadasan Hits,Kannada,unknown",          # "Kannadasan" is no language
               f"{'J' * 22},Hindi Ka Iiwan,Sid Sriram,Tagalog Album hindi,Hindi,unknown",  # Tagalog "hindi" = "not"
               f"{'K' * 22},Lonely,Nobody Known,Telugu Songs,Telugu,unknown",      # nothing to place it by
           ])
    _write(src / "indian" / "telugu_keyword_search_vedhasri.csv", "track_id,title,artist,album,language,artist_genre_hint",
           [])
    build(src, out)
    catalog = Catalog.load(out)
    assert set(catalog.ids) == {"A" * 22, "B" * 22, "D" * 22, "E" * 22, "G" * 22, "H" * 22}
    sad, happy, another = (catalog.get(c * 22) for c in "EGH")
    assert sad.placement == "mood label: sad" and happy.placement == "mood label: happy"
    assert sad.valence < 0.3 < happy.valence, "placed at its label's mean (0.25 / 0.75), nudged by rank"
    assert sad.tempo is None and sad.popularity == 40 and not sad.explicit, "film songs: not explicit"
    assert sad.languages == {"telugu"} and sad.language_evidence == "source label"
    assert another.placement == "artist's other songs" and another.explicit, "keyword hits: explicit unknown"
    assert another.valence == round((sad.valence + happy.valence) / 2, 4)
    assert another.language_evidence == "search keyword" and another.language_confidence == EVIDENCE["search keyword"]


TRACK_HEADER = ("track_id,artists,album_name,track_name,popularity,duration_ms,explicit,danceability,energy,key,"
                "loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_signature,"
                "track_genre")
YEARLY_HEADER = ("track_id,track_name,artists,release_date,popularity,region,chart_year,source_playlist_id,"
                 "danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,"
                 "tempo,duration_ms,time_signature")
