"""Build the bundled catalog (music/data/) from ../shared/data/music/.

    python -m training.music.build_catalog [--source DIR]

Output: `catalog.npz` (audio features, genre/language bitmasks, artist lists as CSR) and
`catalog.json.gz` (ids, names, artist names, genre/language vocabularies, curated playlists).
A track listed under several genres becomes one track with all its genres.
"""
from __future__ import annotations

import argparse
import ast
import csv
import gzip
import json
from collections import Counter, defaultdict
from pathlib import Path
from statistics import NormalDist

import numpy as np

from music.catalog import AUDIO, DATA_DIR, FEATURES, Strings, name_key
from music.languages import EVIDENCE, strongest
from training import SHARED_DATA
from training.music.indian import IndianTrack, read_indian
from training.music.language_evidence import artist_votes, evidence

SOURCE = SHARED_DATA / "music"
# Yearly chart hits carry features but no genre: Bollywood hits count as pop-film, Western as pop.
REGION_GENRE = {"indian": "pop-film", "western": "pop"}
PLAYLIST_LANGUAGE = {"hindi/india": "hindi", "filipino/english": "filipino"}
LABELLED_SETS = ("moods_playlist_labeled.csv", "moods_data_moods.csv")
LABEL_NAMES = {"Energy": "Energetic"}
R_VALENCE, R_ENERGY = 0.43, 0.18  # the source's audio estimates vs Spotify's, on shared ids (indian/README)
MIN_ARTIST_SONGS = 2
ARTIST_PLACED = "artist's other songs"
RULES = (*EVIDENCE, "none")



def _rows(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def _split_artists(text: str) -> list[str]:
    return [a.strip() for a in text.split(";") if a.strip()]


def read_tracks(source: Path) -> dict[str, dict]:
    tracks: dict[str, dict] = {}
    for row in _rows(source / "spotify_tracks.csv.gz"):
        if not row["track_name"]:
            continue  # one k-pop row has no name or artists
        seen = tracks.get(row["track_id"])
        if seen:
            if row["track_genre"] not in seen["genres"]:
                seen["genres"].append(row["track_genre"])
            seen["popularity"] = max(seen["popularity"], int(row["popularity"]))
            continue
        tracks[row["track_id"]] = {
            "name": row["track_name"], "artists": _split_artists(row["artists"]),
            "genres": [row["track_genre"]], "popularity": int(row["popularity"]),
            "explicit": row["explicit"] == "True", "languages": set(),
            **{f: float(row[f]) for f in FEATURES},
        }
    for row in _rows(source / "yearly_top_tracks_indian_western.csv"):
        if row["track_id"] in tracks:
            continue
        tracks[row["track_id"]] = {
            "name": row["track_name"], "artists": _split_artists(row["artists"]),
            "genres": [REGION_GENRE[row["region"]]], "popularity": int(row["popularity"]),
            "explicit": True,  # unknown for these: assume explicit so "no explicit" stays safe
            "languages": {"hindi"} if row["region"] == "indian" else set(),
            **{f: float(row[f]) for f in FEATURES},
        }
    return tracks


def playlist_languages(source: Path) -> dict[str, set[str]]:
    """Track id -> languages of the language-tagged curated playlists it was in."""
    by_playlist = {}
    for row in _rows(source / "playlists.csv"):
        if row["hint"].startswith("language:"):
            lang = row["hint"].removeprefix("language:")
            by_playlist[row["id"]] = PLAYLIST_LANGUAGE.get(lang, lang)
    found: dict[str, set[str]] = defaultdict(set)
    for row in _rows(source / "playlist_tracks.csv"):
        if row["playlist_id"] in by_playlist:
            found[row["track_id"]].add(by_playlist[row["playlist_id"]])
    return found


def artist_genre_table(source: Path) -> dict[str, list[str]]:
    """Artist key -> Spotify genres (artists with none are left out)."""
    return {name_key(row["artists"]): genres for row in _rows(source / "artist_genres.csv.gz")
            if (genres := ast.literal_eval(row["genres"]))}


def mood_centroids(source: Path) -> dict[str, tuple[float, float, float, float]]:
    """Mood label -> mean and spread of Spotify valence/energy over both mood-labelled sets."""
    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for name in LABELLED_SETS:
        for row in _rows(source / name):
            points[LABEL_NAMES.get(row["mood"], row["mood"]).lower()].append((float(row["valence"]), float(row["energy"])))
    return {label: (*np.mean(p, 0), *np.std(p, 0)) for label, p in points.items()}


def place_by_mood(indian: dict[str, IndianTrack], centroids: dict[str, tuple[float, float, float, float]]
                  ) -> dict[str, tuple[float, float]]:
    """(valence, energy) for tracks with a source mood label: the label's centroid, nudged by the
    source's audio estimates. Those are on another scale, so only their rank within the file is used
    (as a normal score), shrunk by how well they track Spotify's (r = 0.43 valence, 0.18 energy on
    the ids both have): the least-squares guess of Spotify's value from theirs."""
    labelled = [t for t in indian.values() if t.mood in centroids and t.estimated_valence is not None]
    normal = NormalDist()

    def normal_scores(values: list[float]) -> np.ndarray:
        ranks = np.argsort(np.argsort(values))
        return np.array([normal.inv_cdf((r + 0.5) / len(values)) for r in ranks])

    zv = normal_scores([t.estimated_valence or 0.0 for t in labelled])
    ze = normal_scores([t.estimated_energy or 0.0 for t in labelled])
    placed = {}
    for t, v, e in zip(labelled, zv, ze):
        mv, me, sv, se = centroids[t.mood]
        placed[t.id] = (float(np.clip(mv + R_VALENCE * sv * v, 0, 1)), float(np.clip(me + R_ENERGY * se * e, 0, 1)))
    return placed


def place_by_artist(tracks: dict[str, dict], unplaced: list[str]) -> dict[str, tuple[float, float]]:
    """(valence, energy) for tracks with no features and no mood label: the mean of their artists'
    placed tracks, if there are at least MIN_ARTIST_SONGS of them."""
    by_artist: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for t in tracks.values():
        if np.isnan(t["valence"]):
            continue
        for a in t["artists"]:
            by_artist[name_key(a)].append((t["valence"], t["energy"]))
    placed = {}
    for tid in unplaced:
        points = [p for a in tracks[tid]["artists"] for p in by_artist.get(name_key(a), ())]
        if len(points) >= MIN_ARTIST_SONGS:
            placed[tid] = tuple(float(x) for x in np.mean(points, 0))
    return placed


def add_indian(tracks: dict[str, dict], source: Path) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Add the Indian-language tracks (in place) and return their film and search language labels."""
    indian = read_indian(source / "indian")
    by_mood = place_by_mood(indian, mood_centroids(source))
    unplaced = []
    for t in indian.values():
        if t.id in tracks:
            continue  # already here with Spotify's own features
        point = by_mood.get(t.id)
        tracks[t.id] = {
            "name": t.name, "artists": t.artists, "genres": t.genres, "popularity": t.popularity,
            "explicit": t.labelled_by != "film", "languages": set(),
            "placement": f"mood label: {t.mood}" if point else ARTIST_PLACED,
            "valence": point[0] if point else np.nan, "energy": point[1] if point else np.nan,
            **{f: np.nan for f in FEATURES[2:]},
        }
        if point is None:
            unplaced.append(t.id)
    placed = place_by_artist(tracks, unplaced)
    for tid in unplaced:  # no audio, no mood, no placed artist: nothing honest to say about its mood
        if tid in placed:
            tracks[tid]["valence"], tracks[tid]["energy"] = placed[tid]
        else:
            del tracks[tid]
    film = {t.id: t.languages for t in indian.values() if t.labelled_by == "film" and t.id in tracks}
    search = {t.id: t.languages for t in indian.values() if t.labelled_by == "search" and t.id in tracks}
    return film, search


def build(source: Path = SOURCE, out: Path = DATA_DIR) -> dict:
    tracks = read_tracks(source)
    film, search = add_indian(tracks, source) if (source / "indian").is_dir() else ({}, {})
    genres_of_artist = artist_genre_table(source)
    from_playlists = playlist_languages(source)
    votes = artist_votes({**search, **film}, {tid: tracks[tid]["artists"] for tid in {*film, *search}})

    ids = list(tracks)
    genres = sorted({g for t in tracks.values() for g in t["genres"]})
    genre_index = {g: i for i, g in enumerate(genres)}
    artist_names: list[str] = []
    artist_index: dict[str, int] = {}
    artist_offsets, artist_ids, track_langs, rules, confidence = [0], [], [], [], []
    for tid in ids:
        t = tracks[tid]
        for name in t["artists"]:
            if name not in artist_index:
                artist_index[name] = len(artist_names)
                artist_names.append(name)
            artist_ids.append(artist_index[name])
        artist_offsets.append(len(artist_ids))
        langs, rule, sure = strongest(evidence(
            t["name"], t["artists"], t["genres"], film=film.get(tid, set()), search=search.get(tid, set()),
            votes=votes, artist_genres=genres_of_artist, tagged=t["languages"] | from_playlists.get(tid, set())))
        track_langs.append(langs)
        rules.append(RULES.index(rule))
        confidence.append(round(100 * sure))
    languages = sorted(set().union(*track_langs))
    language_index = {lang: i for i, lang in enumerate(languages)}

    genre_bits = np.zeros((len(ids), 2), np.uint64)
    language_bits = np.zeros(len(ids), np.uint32)
    for i, tid in enumerate(ids):
        for g in tracks[tid]["genres"]:
            genre_bits[i, genre_index[g] // 64] |= np.uint64(1 << (genre_index[g] % 64))
        for lang in track_langs[i]:
            language_bits[i] |= np.uint32(1 << language_index[lang])
    placements = sorted({t.get("placement", AUDIO) for t in tracks.values()}, key=lambda p: (p != AUDIO, p))
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out / "catalog.npz",
        **{f: np.array([tracks[t][f] for t in ids], np.float32) for f in FEATURES},
        popularity=np.array([tracks[t]["popularity"] for t in ids], np.uint8),
        explicit=np.array([tracks[t]["explicit"] for t in ids], bool),
        primary_genre=np.array([genre_index[tracks[t]["genres"][0]] for t in ids], np.uint8),
        genre_bits=genre_bits, language_bits=language_bits,
        language_confidence=np.array(confidence, np.uint8), language_rule=np.array(rules, np.uint8),
        placement=np.array([placements.index(tracks[t].get("placement", AUDIO)) for t in ids], np.uint8),
        artist_offsets=np.array(artist_offsets, np.int32), artist_ids=np.array(artist_ids, np.int32),
        **Strings.of(ids).arrays("ids"), **Strings.of(tracks[t]["name"] for t in ids).arrays("names"),
        **Strings.of(artist_names).arrays("artists"),
    )
    playlists = [{"id": r["id"], "name": r["name"], "hint": r["hint"]} for r in _rows(source / "playlists.csv")]
    meta = {"genres": genres, "languages": languages, "playlists": playlists,
            "language_rules": list(RULES), "placements": placements}
    with gzip.open(out / "catalog.json.gz", "wt", encoding="utf-8", compresslevel=9) as f:
        json.dump(meta, f, ensure_ascii=False, separators=(",", ":"))
    lang_counts = {lang: int((language_bits & np.uint32(1 << i) > 0).sum()) for lang, i in language_index.items()}
    return {"tracks": len(ids), "artists": len(artist_names), "genres": len(genres), "languages": lang_counts,
            "placements": dict(Counter(t.get("placement", AUDIO) for t in tracks.values())),
            "language rules": dict(Counter(RULES[r] for r in rules))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    args = parser.parse_args()
    print(json.dumps(build(args.source), indent=1))


if __name__ == "__main__":
    main()
