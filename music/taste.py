"""Learning from 👍/👎: per-user affinities, and a collaborative signal across users."""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from music.catalog import Track
from music.mood import Point

ARTIST_RATE, GENRE_RATE, OFFSET_RATE = 0.5, 0.2, 0.3
MAX_OFFSET = 0.2   # taste shifts the mood's target by at most this much per axis
MAX_ARTISTS = 300  # keep the strongest affinities so the stored dict stays small


def _nudge(affinities: Mapping[str, float], keys: Iterable[str], toward: float, rate: float) -> dict[str, float]:
    out = dict(affinities)
    for key in keys:
        out[key] = out.get(key, 0.0) + rate * (toward - out.get(key, 0.0))
    return out


@dataclass(frozen=True)
class Taste:
    """Affinities in [-1, 1] for artists and genres, and a (valence, energy) offset for the target."""
    artists: Mapping[str, float] = field(default_factory=dict)
    genres: Mapping[str, float] = field(default_factory=dict)
    offset: Point = (0.0, 0.0)
    votes: int = 0

    def update(self, track: Track, liked: bool, target: Point | None = None) -> Taste:
        """The taste after one vote. With the point the track was picked for (`Pick.aim`), the
        offset also learns whether this user likes music brighter/darker or calmer/livelier."""
        sign = 1.0 if liked else -1.0
        artists = _nudge(self.artists, track.artists, sign, ARTIST_RATE)
        if len(artists) > MAX_ARTISTS:
            artists = dict(sorted(artists.items(), key=lambda kv: -abs(kv[1]))[:MAX_ARTISTS])
        offset = self.offset
        # Only Spotify's own features teach the offset: a place guessed from a mood label would mislead it.
        if target is not None and track.has_audio_features and track.valence is not None and track.energy is not None:
            v, e = (max(-MAX_OFFSET, min(MAX_OFFSET, o + OFFSET_RATE * sign * (x - t)))
                    for o, x, t in zip(self.offset, (track.valence, track.energy), target))
            offset = (v, e)
        return Taste(artists, _nudge(self.genres, track.genres[:1], sign, GENRE_RATE), offset, self.votes + 1)

    def to_dict(self) -> dict[str, Any]:
        return {"artists": dict(self.artists), "genres": dict(self.genres),
                "offset": list(self.offset), "votes": self.votes}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Taste:
        return cls(dict(data.get("artists", {})), dict(data.get("genres", {})),
                   _point(data.get("offset", (0.0, 0.0))), int(data.get("votes", 0)))


def _point(values: Any) -> Point:
    v, e = values
    return (float(v), float(e))


def co_liked(mine: Iterable[str], others: Iterable[Iterable[str]], limit: int = 200) -> dict[str, float]:
    """Items liked together: tracks other users liked, weighted by how much their likes overlap
    with mine (cosine of the two like-sets). Feed the result to `recommend(co_liked=...)`."""
    mine = set(mine)
    scores: dict[str, float] = defaultdict(float)
    for theirs in others:
        theirs = set(theirs)
        overlap = len(mine & theirs)
        if overlap and theirs - mine:
            weight = overlap / math.sqrt(len(mine) * len(theirs))
            for track_id in theirs - mine:
                scores[track_id] += weight
    top = sorted(scores.items(), key=lambda kv: -kv[1])[:limit]
    peak = top[0][1] if top else 1.0
    return {track_id: score / peak for track_id, score in top}
