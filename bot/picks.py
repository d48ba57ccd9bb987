"""Recently recommended tracks per user, kept in memory for 👍/👎."""
from __future__ import annotations

from collections import OrderedDict

from music import Track

Target = tuple[float, float] | None  # (valence, energy) the track was picked for (Pick.aim); None: unknown


class RecentPicks:
    """The tracks last recommended to each user, with the target they were picked for (for 👍/👎).

    In memory and bounded: it only sharpens taste learning; after a restart the catalog still knows the track.
    """

    def __init__(self, users: int = 10_000):
        self._users = users
        self._picks: OrderedDict[int, dict[str, tuple[Track, Target]]] = OrderedDict()

    def remember(self, user_id: int, picks: dict[str, tuple[Track, Target]]) -> None:
        recent = self._picks.pop(user_id, {})
        self._picks[user_id] = {**recent, **picks} if len(recent) < 64 else picks
        while len(self._picks) > self._users:
            self._picks.popitem(last=False)

    def get(self, user_id: int, track_id: str) -> tuple[Track, Target] | None:
        return self._picks.get(user_id, {}).get(track_id)

    def forget(self, user_id: int) -> None:
        self._picks.pop(user_id, None)
