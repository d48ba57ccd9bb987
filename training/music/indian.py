"""Indian-language tracks from ../shared/data/music/indian (see its README): ids, language labels,
mood labels and popularity, but no Spotify audio features.

What is dropped as a wrong match (README, "Caveats"): rows whose first known artist has only
non-Indian Spotify genres (Taylor Swift's *Lover* filed under the Kannada film *Lover*), and, in the
keyword-search files, rows whose language word is not a whole word of the title, album or artist
(the Tamil poet "Kannadasan" under Kannada) or whose title is Tagalog "hindi" ("not").
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

FILMS = "film_soundtracks_tmdb_spotify.csv"
KEYWORD = "keyword_search_spotify_ids.csv"
VEDHASRI = "telugu_keyword_search_vedhasri.csv"
MOODS = ("happy", "sad", "calm", "energetic")
# Indian film songs pass film certification; Spotify flags 1 of the catalog's 1,000 `pop-film` tracks
# explicit. So film-soundtrack tracks count as not explicit; keyword-search hits stay "unknown: explicit".
FILM_GENRE = {"hindi": "pop-film", "telugu": "telugu film", "tamil": "tamil film", "kannada": "kannada film"}
TAGALOG = re.compile(r"\bhindi (ka|ko|na|mo|ba|pa|kita|ako|siya|man|lang|ikaw|tayo|sila)\b", re.I)


@dataclass
class IndianTrack:
    id: str
    name: str
    artists: list[str]
    languages: set[str]
    labelled_by: str           # "film" (the TMDb film's original language) or "search" (keyword search)
    popularity: int = 0        # Spotify's, 2025 snapshot; film file only
    mood: str = ""             # the source's mood label; film file only
    estimated_valence: float | None = None  # librosa on YouTube audio: only a rank within the file
    estimated_energy: float | None = None
    genres: list[str] = field(default_factory=list)
    searched_as: set[str] = field(default_factory=set)  # keyword-search languages of a film track


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def _languages(text: str) -> set[str]:
    return {lang.strip().lower() for lang in text.split(";") if lang.strip()}


def _keyword_ok(row: dict[str, str], languages: set[str]) -> bool:
    text = " ".join(row.get(k, "") for k in ("title", "album", "artist")).lower()
    if row.get("artist_genre_hint") == "non_indian" or TAGALOG.search(row.get("title", "")):
        return False
    return any(re.search(rf"\b{lang}\b", text) for lang in languages)


def read_indian(directory: Path) -> dict[str, IndianTrack]:
    """Film-soundtrack tracks first (the best labels), then keyword-search hits not seen yet."""
    tracks: dict[str, IndianTrack] = {}
    for row in _rows(directory / FILMS):
        if row["artist_genre_hint"] == "non_indian":
            continue
        languages = _languages(row["languages_all"])
        tracks[row["track_id"]] = IndianTrack(
            id=row["track_id"], name=row["name"], artists=[a.strip() for a in row["artist"].split(",") if a.strip()],
            languages=languages, labelled_by="film", popularity=int(float(row["popularity"] or 0)),
            mood=row["mood"].strip().lower(), estimated_valence=float(row["valence"]),
            estimated_energy=float(row["energy"]),
            genres=sorted({FILM_GENRE[lang] for lang in languages if lang in FILM_GENRE}))
    for name, language_column in ((KEYWORD, "languages_all"), (VEDHASRI, "language")):
        for row in _rows(directory / name):
            languages = _languages(row[language_column])
            if (film := tracks.get(row["track_id"])) is not None:
                film.searched_as |= languages
            if row["track_id"] in tracks or not _keyword_ok(row, languages):
                continue
            tracks[row["track_id"]] = IndianTrack(
                id=row["track_id"], name=row["title"],
                artists=[a.strip() for a in row["artist"].split(",") if a.strip()],
                languages=languages, labelled_by="search", genres=["indian"])
    return tracks
