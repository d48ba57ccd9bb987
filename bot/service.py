"""What the handlers call: update -> reading -> mood -> recommendation. No Telegram types here.

One `Service` lives in `application.bot_data.service` (bot/context.py). It owns the bounded thread pool that
runs every model call and chart, so one slow photo never stalls the event loop or other chats.
"""
from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from bot import charts
from bot.batching import MicroBatcher
from bot.history_points import Shown, grid
from bot.models import Models
from bot.picks import RecentPicks
from bot.recent_charts import RecentCharts
from emotions import as_probs
from fusion import FusionSettings, Mood, Reading, estimate, journey
from music import STRATEGIES, Preferences, Recommendation, Recommender, Taste, co_liked, parse_preferences
from nlp import TextReading
from storage import ReadingSpan, Store, User
from vision import Face

T = TypeVar("T")
MOOD_WINDOW = timedelta(days=2)  # older readings have decayed to nothing in fusion anyway
HORIZON = FusionSettings().horizon  # what fusion reads at all
# What one request may read, however long the user's history: the newest readings of each source
# (a burst of messages is one voice in fusion, so the newest few speak for it). /history fuses at
# every step, so it reads the newest few per source in each step's stretch.
MOOD_PER_SOURCE = 64
HISTORY_PER_STEP = 4
# A /history point this far in the past is settled: readings still to come are stored later than it,
# even by a copy of the bot whose clock is a little behind.
SETTLED = timedelta(minutes=5)
POINTS_KEPT = timedelta(days=1)  # settled points never change; a day bounds how long a copy holds a user who left
RECENT_PICKS = timedelta(days=1)  # don't repeat a track recommended within this window
TEXT_BATCH = 32  # messages read in one transformer pass under load
CLEAR_CHANGE = 0.5  # a text moves the mood "clearly" when the new label is at least this sure
STRATEGY_WORD = re.compile(r"\b(" + "|".join(STRATEGIES) + r")\b")


@dataclass(frozen=True)
class SelfieResult:
    faces: list[Face]
    mood: Mood | None  # None when no face was found (nothing stored)


@dataclass(frozen=True)
class TextResult:
    reading: TextReading | None
    before: Mood
    after: Mood

    @property
    def changed_clearly(self) -> bool:
        if self.reading is None or not self.after.enough_evidence or self.after.confidence < CLEAR_CHANGE:
            return False
        return not self.before.enough_evidence or self.before.label != self.after.label


def now() -> datetime:
    return datetime.now(UTC)


class Service:
    def __init__(self, models: Models, store: Store, recommender: Recommender, threads: int,
                 chart_kept: timedelta = timedelta(0)):
        self.models, self.store, self.recommender = models, store, recommender
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="inference")
        # Fusing runs off the event loop too, but not behind the models: a /history never waits for selfies.
        self._fusion = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fusion")
        self._picks = RecentPicks()
        self._charts: RecentCharts[bytes] = RecentCharts(chart_kept)
        self._past_points: RecentCharts[dict[datetime, Shown]] = RecentCharts(POINTS_KEPT)
        # One text batch at a time: under load the next messages gather into one pass (5x cheaper per
        # message than one at a time), and the other inference thread stays free for selfies and charts.
        self._read_texts: MicroBatcher[str, TextReading | None] = MicroBatcher(lambda texts: self.off_loop(models.text.analyze_many, texts),
                                        max_batch=TEXT_BATCH, max_in_flight=1)

    async def close(self) -> None:
        self.executor.shutdown(wait=True)
        self._fusion.shutdown(wait=True)
        await self.store.close()

    async def off_loop(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def _fuse(self, readings: list[Reading], at: datetime) -> Mood:
        return await asyncio.get_running_loop().run_in_executor(self._fusion, estimate, readings, at)

    async def _fuse_each(self, groups: list[list[Reading]], at: datetime) -> list[Mood]:
        """Several fusions in one hop to the fusion thread (a hop costs the event loop more than a small fusion)."""
        return await asyncio.get_running_loop().run_in_executor(
            self._fusion, lambda: [estimate(readings, at) for readings in groups])

    # -- consent -----------------------------------------------------------------------------
    async def consented(self, user_id: int) -> bool:
        return await self.consenting_user(user_id) is not None

    async def consenting_user(self, user_id: int) -> User | None:
        """The user's row if they consented, else None."""
        user = await self.store.get_user(user_id)
        return user if user is not None and user.consented_at is not None else None

    async def set_consent(self, user_id: int, yes: bool) -> None:
        await self.store.set_consent(user_id, yes)

    # -- readings ----------------------------------------------------------------------------
    async def read_selfie(self, user_id: int, data: bytes, video: bool = False) -> SelfieResult:
        """Faces largest first (in a video: the face seen in most frames first, its frames pooled).
        Raises vision.ImageError for an unreadable image, vision.VideoError for an unreadable video."""
        read = self.models.face.analyze_video if video else self.models.face.analyze
        faces = await self.off_loop(read, data)
        if not faces:
            return SelfieResult(faces, None)
        face = faces[0]
        at = now()
        meta = {"faces": len(faces), "video_frames": face.frames} if video else {"faces": len(faces)}
        _, readings = await self._add_reading(user_id, "face", face.probs, face.confidence, at, meta)
        return SelfieResult(faces, await self._fuse(readings, at))

    async def read_text(self, user_id: int, text: str) -> TextResult:
        """Adds a reading of the text (never the text itself) when there is something to read."""
        at = now()
        reading = await self._read_texts(text)
        if reading is None:
            before = await self._fuse(await self._readings(user_id, at - MOOD_WINDOW, at), at)
            return TextResult(None, before, before)
        meta = {"language": reading.language, "low_confidence": reading.low_confidence}
        new, readings = await self._add_reading(user_id, "text", reading.probs, reading.confidence, at, meta)
        before, after = await self._fuse_each([[r for r in readings if r is not new], readings], at)
        return TextResult(reading, before, after)

    async def correct(self, user_id: int, label: str) -> Mood:
        """The user says how they really feel: a confident reading of that label."""
        at = now()
        _, readings = await self._add_reading(user_id, "correction", as_probs({label: 1.0}), 1.0, at)
        return await self._fuse(readings, at)

    # -- mood --------------------------------------------------------------------------------
    async def _add_reading(self, user_id: int, source: str, probs: dict[str, float], confidence: float,
                           at: datetime, meta: dict[str, Any] | None = None) -> tuple[Reading, list[Reading]]:
        """Store a reading; returns it and the user's readings in the mood window (it included)."""
        new_id, rows = await self.store.add_reading_and_read(user_id, source, probs, confidence, at, meta,
                                                             since=at - MOOD_WINDOW, per_source=MOOD_PER_SOURCE)
        readings = {r.id: Reading(source=r.source, probs=r.probs, confidence=r.confidence, at=r.at) for r in rows}
        return readings[new_id], list(readings.values())

    async def _readings(self, user_id: int, since: datetime, until: datetime, per_source: int = MOOD_PER_SOURCE,
                        bucket: timedelta | None = None) -> list[Reading]:
        rows = await self.store.recent_readings(user_id, since, until, per_source=per_source, bucket=bucket)
        return [Reading(source=r.source, probs=r.probs, confidence=r.confidence, at=r.at) for r in rows]

    async def mood(self, user_id: int) -> Mood:
        at = now()
        return await self._fuse(await self._readings(user_id, at - MOOD_WINDOW, at), at)

    async def history(self, user_id: int, days: int = 7, span: ReadingSpan | None = None) -> list[tuple[datetime, Shown]]:
        """The mood at each point of a grid over the last `days`, and now. `span`: the store's
        `reading_span`, when the caller has it."""
        until = now()
        span = span or await self.store.reading_span(user_id)
        step = timedelta(hours=3) if days > 2 else timedelta(minutes=30)
        points = grid(until - timedelta(days=days), until, step)
        key = (step, span.user_created, span.oldest)
        known = self._past_points.get(user_id, key, until) or {}
        todo = [at for at in points if at not in known]
        # Stretches end at grid points and at `until`, so each point's newest readings are in; they reach
        # back fusion's horizon (what a point can see) before the first point worked out.
        first = todo[0] if todo else points[-1]
        readings = await self._readings(user_id, first - HORIZON, until, HISTORY_PER_STEP, step)

        def work() -> list[tuple[datetime, Mood]]:
            return [*(journey(readings, todo[0], todo[-1], step) if todo else []), (until, estimate(readings, until))]
        worked = {at: Shown.of(mood) for at, mood in await asyncio.get_running_loop().run_in_executor(self._fusion, work)}
        settled = until - SETTLED
        self._past_points.remember(user_id, key, until, {at: shown for at, shown in {**known, **worked}.items()
                                                         if at in points and at <= settled})
        return [(at, known.get(at) or worked[at]) for at in points if at != until] + [(until, worked[until])]

    async def history_chart(self, user_id: int, days: int = 7) -> bytes | None:
        """The /history chart (a PNG), or None when there is too little to draw. Drawn again only when a
        reading came in since or `chart_kept` passed (settings.history_chart_seconds)."""
        at = now()
        span = await self.store.reading_span(user_id)
        key = (days, span)
        chart = self._charts.get(user_id, key, at)
        if chart is None:
            points = await self.history(user_id, days, span)
            if not any(shown.enough_evidence for _, shown in points):
                return None
            chart = await self.off_loop(charts.history_chart, points)
            self._charts.remember(user_id, key, at, chart)
        return chart

    # -- music -------------------------------------------------------------------------------
    async def preferences(self, user_id: int) -> Preferences:
        user = await self.store.get_user(user_id)
        return Preferences.from_dict(user.prefs if user else {})

    async def save_preferences(self, user_id: int, prefs: Preferences) -> None:
        await self.store.set_prefs(user_id, prefs.to_dict())

    async def await_answer(self, user_id: int, what: str) -> None:
        """The bot asked the user something (the next message answers it); kept in the database, since
        the answer may reach another copy of the bot."""
        await self.store.set_awaiting(user_id, what)

    async def awaited(self, user_id: int, seen: User | None = None) -> str | None:
        """What this message answers, if the bot asked something; asked once, answered once.

        `seen`: the user's row as read earlier while handling this update. When it shows nothing
        awaited, that is still so (a user's updates are handled one at a time, by any copy), and
        no transaction is needed: most messages answer nothing.
        """
        if seen is not None and seen.awaiting is None:
            return None
        return await self.store.take_awaiting(user_id)

    async def add_preferences(self, user_id: int, text: str) -> tuple[Preferences, tuple[str, ...]]:
        """Free text ("telugu, sid sriram, no explicit") adds to the user's preferences.

        Returns the preferences (saved only if something was recognised) and the words not understood.
        """
        current = await self.preferences(user_id)
        said, unknown = parse_preferences(text, self.recommender.catalog)
        strategies = STRATEGY_WORD.findall(text.casefold())  # "calm" sets the default playlist; the last one wins
        merged = replace(current, languages=current.languages | said.languages, genres=current.genres | said.genres,
                         artists=current.artists | said.artists, explicit=current.explicit and said.explicit,
                         service=said.service or current.service,
                         strategy=strategies[-1] if strategies else current.strategy)
        if merged != current:
            await self.save_preferences(user_id, merged)
        return merged, unknown

    async def playlist(self, user_id: int, mood: Mood, strategy: str | None = None) -> Recommendation:
        at = now()
        user = await self.store.get_user(user_id)
        prefs = Preferences.from_dict(user.prefs if user else {})
        taste = Taste.from_dict(user.taste) if user and user.taste else None
        recommendation = await self.recommender.recommend_live(
            mood.probs, strategy=strategy or prefs.strategy, prefs=prefs, taste=taste,
            exclude=frozenset(await self.store.recent_track_ids(user_id, since=at - RECENT_PICKS)),
            co_liked=await self._co_liked(user_id))
        track_ids = [pick.track.id for pick in recommendation.picks]
        await self.store.add_recommendation(user_id, track_ids, recommendation.strategy, mood.label, at)
        self._picks.remember(user_id, {pick.track.id: (pick.track, pick.aim)
                                       for pick in recommendation.picks})
        return recommendation

    async def _co_liked(self, user_id: int) -> dict[str, float] | None:
        mine = {f.track_id for f in await self.store.feedback(user_id) if f.liked}
        if not mine:
            return None
        others: dict[int, set[str]] = {}
        for other, track_id in await self.store.liked_by_others(user_id):
            others.setdefault(other, set()).add(track_id)
        return co_liked(mine, others.values())

    async def feedback(self, user_id: int, track_id: str, liked: bool) -> bool:
        """Store the vote; it also teaches the user's taste (with the target the track was picked for).
        False, and nothing stored, when the track was never recommended to the user (a forged button)."""
        if not await self.store.was_recommended(user_id, track_id):
            return False
        await self.store.add_feedback(user_id, track_id, liked, now())
        track, target = self._picks.get(user_id, track_id) or (self.recommender.catalog.get(track_id), None)
        if track is None:  # a live Spotify pick from before a restart: it still counts as a co-like
            return True
        user = await self.store.get_user(user_id)
        taste = Taste.from_dict(user.taste) if user and user.taste else Taste()
        await self.store.set_taste(user_id, taste.update(track, liked, target).to_dict())
        return True

    # -- privacy -----------------------------------------------------------------------------
    async def forget(self, user_id: int) -> int:
        self._picks.forget(user_id)
        self._charts.forget(user_id)
        self._past_points.forget(user_id)
        return await self.store.forget(user_id)

    async def purge(self, retention_days: int) -> int | None:
        """Retention; None when another copy of the bot is purging right now (one at a time)."""
        async with self.store.exclusive("retention") as ours:
            return await self.store.purge_readings_before(now() - timedelta(days=retention_days)) if ours else None
