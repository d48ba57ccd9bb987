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

import numpy as np

from music.catalog import DATA_DIR, FEATURES
from music.languages import GENRE_LANGUAGE, artist_genre_languages, track_languages
from training import SHARED_DATA

SOURCE = SHARED_DATA / "music"
# Yearly chart hits carry features but no genre: Bollywood hits count as pop-film, Western as pop.
REGION_GENRE = {"indian": "pop-film", "western": "pop"}
PLAYLIST_LANGUAGE = {"hindi/india": "hindi", "filipino/english": "filipino"}


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


def artist_languages(source: Path, tracks: dict[str, dict]) -> dict[str, set[str]]:
    """Artist (casefolded) -> languages. From Spotify's genres for the artist where it has any; else
    a vote over the catalog genres of the artist's tracks (the top language, if ≥ 3 tracks and
    ≥ 10 % of them carry it). Artists in neither have no entry."""
    langs = {row["artists"].casefold(): artist_genre_languages(genres)
             for row in _rows(source / "artist_genres.csv.gz") if (genres := ast.literal_eval(row["genres"]))}
    votes: dict[str, Counter] = defaultdict(Counter)
    for t in tracks.values():
        for artist in t["artists"]:
            votes[artist.casefold()].update({GENRE_LANGUAGE.get(g) for g in t["genres"]} | {"total"})
    for artist, count in votes.items():
        if artist in langs:
            continue
        total = count.pop("total")
        count.pop(None, None)
        if count:
            lang, votes_for = max(count.items(), key=lambda kv: (kv[1], kv[0]))  # ties: by name, reproducibly
            if votes_for >= max(3, 0.1 * total):
                langs[artist] = {lang}
    return langs


def build(source: Path = SOURCE, out: Path = DATA_DIR) -> dict:
    tracks = read_tracks(source)
    artist_langs = artist_languages(source, tracks)
    from_playlists = playlist_languages(source)

    ids = list(tracks)
    genres = sorted({g for t in tracks.values() for g in t["genres"]})
    genre_index = {g: i for i, g in enumerate(genres)}
    artist_names: list[str] = []
    artist_index: dict[str, int] = {}
    artist_offsets, artist_ids, track_langs = [0], [], []
    for tid in ids:
        t = tracks[tid]
        for name in t["artists"]:
            if name not in artist_index:
                artist_index[name] = len(artist_names)
                artist_names.append(name)
            artist_ids.append(artist_index[name])
        artist_offsets.append(len(artist_ids))
        known = [artist_langs[a.casefold()] for a in t["artists"] if a.casefold() in artist_langs]
        # Chart/playlist language tags mix in global hits: trust them only for artists Spotify has no genres for.
        extra = set() if known else t["languages"] | from_playlists.get(tid, set())
        track_langs.append(track_languages(t["genres"], set().union(*known), extra))
    languages = sorted(set().union(*track_langs))
    language_index = {lang: i for i, lang in enumerate(languages)}

    genre_bits = np.zeros((len(ids), 2), np.uint64)
    language_bits = np.zeros(len(ids), np.uint32)
    for i, tid in enumerate(ids):
        for g in tracks[tid]["genres"]:
            genre_bits[i, genre_index[g] // 64] |= np.uint64(1 << (genre_index[g] % 64))
        for lang in track_langs[i]:
            language_bits[i] |= np.uint32(1 << language_index[lang])
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out / "catalog.npz",
        **{f: np.array([tracks[t][f] for t in ids], np.float32) for f in FEATURES},
        popularity=np.array([tracks[t]["popularity"] for t in ids], np.uint8),
        explicit=np.array([tracks[t]["explicit"] for t in ids], bool),
        primary_genre=np.array([genre_index[tracks[t]["genres"][0]] for t in ids], np.uint8),
        genre_bits=genre_bits, language_bits=language_bits,
        artist_offsets=np.array(artist_offsets, np.int32), artist_ids=np.array(artist_ids, np.int32),
    )
    playlists = [{"id": r["id"], "name": r["name"], "hint": r["hint"]} for r in _rows(source / "playlists.csv")]
    meta = {"ids": ids, "names": [tracks[t]["name"] for t in ids], "artists": artist_names,
            "genres": genres, "languages": languages, "playlists": playlists}
    with gzip.open(out / "catalog.json.gz", "wt", encoding="utf-8", compresslevel=9) as f:
        json.dump(meta, f, ensure_ascii=False, separators=(",", ":"))
    return {"tracks": len(ids), "artists": len(artist_names), "genres": len(genres),
            "languages": {lang: int((language_bits & np.uint32(1 << i) > 0).sum()) for lang, i in language_index.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    args = parser.parse_args()
    print(json.dumps(build(args.source), indent=1))


if __name__ == "__main__":
    main()
