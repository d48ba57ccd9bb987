"""The bundled offline catalog: ~90k Spotify tracks with audio features and language hints.

Features live in numpy arrays (fast vectorised scoring, small RSS); a `Track` object is made
only for the few tracks a recommendation returns. Ids, titles and artist names are `Strings` (one UTF-8
blob each in catalog.npz), not lists of str objects.
"""
from __future__ import annotations

import functools
import gzip
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import numpy as np

DATA_DIR = Path(__file__).parent / "data"
FEATURES = ("valence", "energy", "tempo", "acousticness", "danceability")
AUDIO = "audio features"  # placed in mood space by Spotify's own features (else: a mood label, an artist)


@dataclass(frozen=True)
class Track:
    id: str
    name: str
    artists: tuple[str, ...]
    genres: tuple[str, ...] = ()
    # Audio features are None for tracks found by live Spotify search (Spotify no longer serves them).
    valence: float | None = None
    energy: float | None = None
    tempo: float | None = None
    acousticness: float | None = None
    danceability: float | None = None
    popularity: int = 0
    explicit: bool = False
    languages: frozenset[str] = frozenset()
    language_confidence: float = 0.0  # 0..1, from the strongest evidence (music.languages.EVIDENCE)
    language_evidence: str = ""       # which evidence: "source label", "artist genres", ...
    placement: str = AUDIO            # how valence/energy were found: AUDIO, "mood label: sad", ...

    @property
    def has_audio_features(self) -> bool:
        return self.placement == AUDIO

    @property
    def genre(self) -> str:
        return self.genres[0] if self.genres else ""

    @property
    def url(self) -> str:
        return f"https://open.spotify.com/track/{self.id}"


@dataclass(frozen=True)
class PlaylistLink:
    id: str
    name: str
    hint: str = ""  # mood or language the playlist was tagged with ("sad", "language:korean")
    source: str = "curated"  # "curated" (bundled list) or "spotify" (live search)

    @property
    def url(self) -> str:
        return f"https://open.spotify.com/playlist/{self.id}"


def name_key(name: str) -> str:
    """How names compare: case, spaces and punctuation ignored ("A.R. Rahman" == "ar rahman")."""
    return re.sub(r"[\W_]+", "", name.casefold())


def _feature(value: np.float32) -> float | None:
    """float32 storage noise off (the source has 3-4 decimals); NaN (no Spotify feature) -> None."""
    return None if np.isnan(value) else round(float(value), 4)


def _bitmask(names: Iterable[str], vocabulary: dict[str, int], words: int) -> np.ndarray:
    mask = np.zeros(words, np.uint64)
    for name in names:
        if name in vocabulary:
            i = vocabulary[name]
            mask[i // 64] |= np.uint64(1 << (i % 64))
    return mask


class Strings(Sequence[str]):
    """An immutable list of strings kept as one UTF-8 blob and offsets (how the catalog stores them, so
    loading makes no str object per track); `index_of` finds one by a sorted table of hashes (of bytes:
    stable within a process, and they do not collide by width as str hashes can)."""

    def __init__(self, blob: bytes, offsets: np.ndarray):
        self._blob, self._offsets = blob, offsets.astype(np.int64)

    @functools.cached_property
    def _index(self) -> tuple[np.ndarray, np.ndarray]:
        """Sorted hashes and the position of each: built on the first `index_of` (titles and artist names
        are never looked up)."""
        ends = self._offsets.tolist()
        hashes = np.fromiter((hash(self._blob[start:end]) for start, end in zip(ends[:-1], ends[1:])),
                             np.int64, len(self))
        order = np.argsort(hashes, kind="stable").astype(np.int32)
        return hashes[order], order

    @classmethod
    def of(cls, strings: Iterable[str]) -> Strings:
        encoded = [string.encode() for string in strings]
        return cls(b"".join(encoded), np.cumsum([0, *map(len, encoded)], dtype=np.int64))

    @classmethod
    def stored(cls, arrays: dict[str, np.ndarray], name: str) -> Strings:
        return cls(arrays[f"{name}_utf8"].tobytes(), arrays[f"{name}_offsets"])

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        """What `stored` reads back, for np.savez."""
        return {f"{name}_utf8": np.frombuffer(self._blob, np.uint8), f"{name}_offsets": self._offsets}

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        index %= len(self)
        return self._blob[self._offsets[index]:self._offsets[index + 1]].decode()

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self)))

    def index_of(self, string: str) -> int | None:
        """The first position of `string`, or None."""
        encoded = string.encode()
        wanted = hash(encoded)
        hashes, order = self._index
        at = int(np.searchsorted(hashes, wanted))
        while at < len(hashes) and hashes[at] == wanted:
            index = int(order[at])
            if self._blob[self._offsets[index]:self._offsets[index + 1]] == encoded:
                return index
            at += 1
        return None


class Catalog:
    """Tracks by row index; vectorised masks for filtering and scoring."""

    def __init__(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]):
        self.ids, self.names, self.artist_names = (Strings.stored(arrays, key) for key in ("ids", "names", "artists"))
        self.genres: tuple[str, ...] = tuple(meta["genres"])
        self.languages: tuple[str, ...] = tuple(meta["languages"])
        self.playlists: tuple[PlaylistLink, ...] = tuple(PlaylistLink(**p) for p in meta["playlists"])
        self.valence, self.energy = arrays["valence"], arrays["energy"]
        self.tempo, self.acousticness = arrays["tempo"], arrays["acousticness"]
        self.danceability = arrays["danceability"]
        self.popularity, self.explicit = arrays["popularity"], arrays["explicit"]
        self.primary_genre, self.genre_bits = arrays["primary_genre"], arrays["genre_bits"]
        self.language_bits = arrays["language_bits"]
        self.language_confidence = arrays["language_confidence"]  # percent
        self.language_rule, self.placement = arrays["language_rule"], arrays["placement"]
        self.language_rules: tuple[str, ...] = tuple(meta["language_rules"])
        self.placements: tuple[str, ...] = tuple(meta["placements"])
        self.artist_offsets, self.artist_ids = arrays["artist_offsets"], arrays["artist_ids"]
        # Row of each artist entry, so per-artist masks become per-track masks in one step.
        self._entry_track = np.repeat(np.arange(len(self.ids), dtype=np.int32), np.diff(self.artist_offsets))
        self._genre_index = {g: i for i, g in enumerate(self.genres)}
        self._language_index = {lang: i for i, lang in enumerate(self.languages)}

    @classmethod
    def load(cls, directory: Path = DATA_DIR) -> Catalog:
        with gzip.open(directory / "catalog.json.gz", "rt", encoding="utf-8") as f:
            meta = json.load(f)
        with np.load(directory / "catalog.npz") as npz:
            arrays = {key: npz[key] for key in npz.files}
        return cls(meta, arrays)

    @staticmethod
    @functools.cache
    def default() -> Catalog:
        """The bundled catalog, loaded once per process."""
        return Catalog.load()

    def __len__(self) -> int:
        return len(self.ids)

    def row(self, track_id: str) -> int | None:
        return self.ids.index_of(track_id)

    def rows(self, track_ids: Iterable[str]) -> np.ndarray:
        return np.fromiter((r for t in track_ids if (r := self.ids.index_of(t)) is not None), np.int64)

    def artists_of(self, row: int) -> tuple[str, ...]:
        start, end = self.artist_offsets[row], self.artist_offsets[row + 1]
        return tuple(self.artist_names[a] for a in self.artist_ids[start:end])

    def genres_of(self, row: int) -> tuple[str, ...]:
        bits = self.genre_bits[row]
        inside = [g for g, i in self._genre_index.items() if int(bits[i // 64]) >> (i % 64) & 1]
        primary = self.genres[self.primary_genre[row]]
        return (primary, *(g for g in inside if g != primary))

    def languages_of(self, row: int) -> frozenset[str]:
        bits = int(self.language_bits[row])
        return frozenset(lang for i, lang in enumerate(self.languages) if bits >> i & 1)

    def track(self, row: int) -> Track:
        return Track(
            id=self.ids[row], name=self.names[row], artists=self.artists_of(row),
            genres=self.genres_of(row), valence=_feature(self.valence[row]), energy=_feature(self.energy[row]),
            tempo=_feature(self.tempo[row]), acousticness=_feature(self.acousticness[row]),
            danceability=_feature(self.danceability[row]), popularity=int(self.popularity[row]),
            explicit=bool(self.explicit[row]), languages=self.languages_of(row),
            language_confidence=int(self.language_confidence[row]) / 100,
            language_evidence=self.language_rules[self.language_rule[row]],
            placement=self.placements[self.placement[row]],
        )

    def get(self, track_id: str) -> Track | None:
        row = self.row(track_id)
        return None if row is None else self.track(row)

    # --- masks over all rows -------------------------------------------------------------
    def in_genres(self, genres: Iterable[str]) -> np.ndarray:
        mask = _bitmask(genres, self._genre_index, self.genre_bits.shape[1])
        return np.asarray((self.genre_bits & mask).any(axis=1))

    def in_languages(self, languages: Iterable[str], min_confidence: float = 0.0) -> np.ndarray:
        """Tracks in any of the languages, by evidence at least this confident (0..1)."""
        mask = int(_bitmask(languages, self._language_index, 1)[0])
        inside = np.asarray((self.language_bits & np.uint32(mask)) != 0)
        return inside & (self.language_confidence >= round(100 * min_confidence)) if min_confidence else inside

    @functools.cached_property
    def has_audio_features(self) -> np.ndarray:
        return np.asarray(self.placement == self.placements.index(AUDIO))

    def artist_values(self, values: dict[str, float]) -> np.ndarray:
        """Per-track value from per-artist values (names matched loosely); the strongest wins."""
        by_id = {i: v for name, v in values.items() if (i := self.artist_id(name)) is not None}
        out = np.zeros(len(self.ids), np.float32)
        for entry in np.flatnonzero(np.isin(self.artist_ids, list(by_id))) if by_id else ():
            row, v = self._entry_track[entry], by_id[int(self.artist_ids[entry])]
            if abs(v) > abs(out[row]):
                out[row] = v
        return out

    # --- names ---------------------------------------------------------------------------
    @functools.cached_property
    def _artist_by_key(self) -> dict[str, int]:
        return {name_key(name): i for i, name in reversed(list(enumerate(self.artist_names)))}

    def artist_id(self, name: str) -> int | None:
        return self._artist_by_key.get(name_key(name))

    def artist_name(self, name: str) -> str | None:
        """The catalog's spelling of an artist typed any way ("ar rahman" -> "A.R. Rahman"), or None."""
        i = self.artist_id(name)
        return None if i is None else self.artist_names[i]
