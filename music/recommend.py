"""Mood + strategy + preferences + taste -> a handful of tracks, each with a one-line reason."""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from emotions import top
from music.catalog import AUDIO, Catalog, PlaylistLink, Track, name_key
from music.languages import ENGLISH
from music.links import SERVICES, search_link, track_link
from music.mood import STRATEGIES, Point, clamp, goal, mood_point, path
from music.prefs import Preferences
from music.spotify import SpotifyClient
from music.taste import Taste

# Score = distance to the step's target in (valence, energy) minus these bonuses.
POPULARITY_WEIGHT = 0.06   # a 100-popularity track may sit 0.06 farther than an unknown one
ARTIST_WEIGHT = 0.25       # per unit of learned artist affinity (-1..1)
GENRE_WEIGHT = 0.08        # per unit of learned genre affinity
CO_LIKED_WEIGHT = 0.08     # for the most co-liked track
REQUESTED_WEIGHT = 0.15    # artists named in /prefs
GENRE_REPEAT_PENALTY = 0.03  # per earlier pick of the same genre: spreads picks across genres
GUESSED_PLACE_PENALTY = 0.05  # a track placed by a mood label or its artists (no audio features) is a guess
SHORTLIST = 64             # nearest candidates considered per step
PREFILTER = 4096           # candidates nearest the whole path, scored per step
# A language filter tries the surest tier first (the sources' own labels), then adds tracks whose
# language the artist votes give (92 % precise on held-out tracks); never artist genres alone (56 %).
# For languages with neither (Marathi, Punjabi, ...), artist genres alone, and the reply says so.
LANGUAGE_TIERS = (0.95, 0.6, 0.5)
GUESSED_LANGUAGE = 0.6  # picks below this language confidence make the note say it is a guess
MOOD_RADIUS = 0.2          # a pick farther than this from its aim does not really fit the mood

FEELINGS = {"angry": "angry", "disgust": "disgusted", "fear": "anxious", "happy": "happy", "sad": "sad",
            "surprise": "surprised", "neutral": "neutral"}  # how reasons name the mood
MOOD_WORDS = {"angry": "angry", "disgust": "angry", "fear": "dark", "happy": "happy", "sad": "sad",
              "surprise": "upbeat", "neutral": "chill"}
STRATEGY_WORDS = {"lift": "feel good", "calm": "calm"}
PLAYLIST_HINTS = {"angry": "energetic", "disgust": "energetic", "fear": "calm", "happy": "happy",
                  "sad": "sad", "surprise": "happy", "neutral": "chill", "lift": "happy", "calm": "calm"}


@dataclass(frozen=True)
class Pick:
    track: Track
    reason: str  # "slow acoustic folk, to ease you from sad toward calm"
    aim: Point | None = None  # the (valence, energy) it was picked for; pass it to Taste.update


@dataclass(frozen=True)
class Recommendation:
    picks: tuple[Pick, ...]
    playlist: PlaylistLink | None
    search_url: str        # open.spotify.com search: always works
    strategy: str
    target: Point          # where the picks lead (valence, energy); equals `start` for match
    source: str            # "offline" or "offline+spotify"
    start: Point = (0.5, 0.5)  # where the mood sits, after the user's taste offset
    mood: str = "neutral"  # the most probable emotion
    query: str = ""        # the words behind search_url and the live Spotify search
    service: str = "spotify"  # where links lead (music.links.SERVICES)
    note: str = ""         # what the picks could not do, and what was done instead ("" when all fit)
    fallback: int = 0      # the last this many picks are in other languages than the user asked for
    shortage: str = ""     # "I have no Malayalam songs offline for a sad mood" (the note's first clause)

    def link(self, track: Track) -> str:
        """Where to listen to a pick: its Spotify page, or a search on the user's service."""
        return track_link(track, self.service)

    @property
    def service_name(self) -> str:
        return SERVICES[self.service]


class Recommender:
    def __init__(self, catalog: Catalog | None = None, spotify: SpotifyClient | None = None):
        self.catalog = catalog or Catalog.default()
        self.spotify = spotify

    def recommend(self, probs: Mapping[str, float], strategy: str = "match", prefs: Preferences = Preferences(),
                  taste: Taste | None = None, exclude: frozenset[str] = frozenset(),
                  co_liked: Mapping[str, float] | None = None, n: int = 8) -> Recommendation:
        """Offline picks: nearest to the strategy's path, filtered, personalised and diversified."""
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {strategy!r}; expected one of {STRATEGIES}")
        taste = taste or Taste()
        mood = top(probs)
        raw = mood_point(probs)
        start = clamp((raw[0] + taste.offset[0], raw[1] + taste.offset[1]))
        end = goal(start, strategy)
        steps = path(start, end, n)
        chosen: list[tuple[int, Point]] = []
        note, shortage, fallback = "", "", 0
        for tier in LANGUAGE_TIERS if prefs.languages else (0.0,):  # surest language evidence first
            rows, bonus, requested = self._candidates(prefs, taste, exclude, co_liked, tier)
            tried = self._pick(rows, bonus, requested, steps)
            if (self._fitting(tried), len(tried)) > (self._fitting(chosen), len(chosen)):
                chosen = tried
            if self._fitting(chosen) == len(steps):
                break
        if prefs.languages:
            in_language = len(chosen)
            chosen, note, shortage = self._fill_or_explain(chosen, steps, mood, strategy, prefs, taste, exclude,
                                                           co_liked)
            fallback = len(chosen) - in_language
        query = _query(mood, strategy, prefs)
        picks = [Pick(self.catalog.track(row), self._reason(row, i, len(chosen), mood, strategy, prefs, taste, co_liked),
                      aim) for i, (row, aim) in enumerate(chosen)]
        return Recommendation(
            picks=tuple(picks),
            playlist=self._playlist(mood, strategy, prefs, exclude),
            search_url=search_link(query, prefs.listen_on),
            strategy=strategy, target=end, source="offline", start=start, mood=mood, query=query,
            service=prefs.listen_on, note=note, fallback=fallback, shortage=shortage)

    async def recommend_live(self, probs: Mapping[str, float], strategy: str = "match",
                             prefs: Preferences = Preferences(), taste: Taste | None = None,
                             exclude: frozenset[str] = frozenset(), co_liked: Mapping[str, float] | None = None,
                             n: int = 8, deadline: float = 0.8) -> Recommendation:
        """`recommend`, plus Spotify search results when they arrive within `deadline` seconds
        (or are cached). Spotify slow, down, rate-limited or unconfigured: the offline result."""
        rec = self.recommend(probs, strategy, prefs, taste, exclude, co_liked, n)
        if self.spotify is None:
            return rec
        live = await self.spotify.search(rec.query, deadline)
        return rec if live is None else _merge(rec, live.tracks, live.playlists, prefs, exclude, n)

    # --- internals -------------------------------------------------------------------------
    def _fill_or_explain(self, chosen: list[tuple[int, Point]], steps: list[Point], mood: str, strategy: str,
                         prefs: Preferences, taste: Taste, exclude: frozenset[str],
                         co_liked: Mapping[str, float] | None) -> tuple[list[tuple[int, Point]], str, str]:
        """When the asked-for languages hold too little for this mood, say so, and say what was done:
        too few songs at all -> the rest from any language; enough songs but few that fit the mood ->
        the closest ones in the language. Returns the picks, the note, and the shortage clause alone."""
        c = self.catalog
        languages = _names(prefs.languages)
        fitting = self._fitting(chosen)
        for_mood = _for_mood(mood, strategy)
        guessed = sum(int(c.language_confidence[r]) < 100 * GUESSED_LANGUAGE for r, _ in chosen)
        guess = (f" For {guessed} of them the language is a guess from the artist's Spotify genres "
                 "(right about half the time)." if guessed else "")
        if len(chosen) < len(steps):
            used = frozenset(c.ids[r] for r, _ in chosen)
            rows, bonus, requested = self._candidates(replace(prefs, languages=frozenset()), taste, exclude | used,
                                                      co_liked)
            extra = self._pick(rows, bonus, requested, steps[len(chosen):])
            have = (f"I only have {len(chosen)} {languages} song{'s' if len(chosen) != 1 else ''}"
                    if chosen else f"I have no {languages} songs offline")
            return chosen + extra, (f"{have} {for_mood}, so {len(extra)} of these {_are(len(extra))} in other "
                                    f"languages. The search link looks for {languages} songs.{guess}"), \
                f"{have} {for_mood}"
        if fitting < len(steps):
            rest = len(steps) - fitting
            closest = f"is the closest {languages} song" if rest == 1 else f"are the closest {languages} songs"
            return chosen, (f"Only {fitting} of these {languages} songs fit well {for_mood}; "
                            f"the other {rest} {closest} I have.{guess}"), ""
        return chosen, guess.strip(), ""

    def _fitting(self, chosen: list[tuple[int, Point]]) -> int:
        """How many picks sit close enough to their aim to fit the mood."""
        c = self.catalog
        return sum(float(np.hypot(c.valence[r] - a[0], c.energy[r] - a[1])) <= MOOD_RADIUS for r, a in chosen)

    def _candidates(self, prefs: Preferences, taste: Taste, exclude: frozenset[str],
                    co_liked: Mapping[str, float] | None, min_confidence: float = 0.0
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows allowed by the preferences (languages: by evidence at least `min_confidence` sure),
        with each row's bonus and whether it was asked for."""
        c = self.catalog
        allowed = np.ones(len(c), bool)
        if prefs.languages:
            allowed &= c.in_languages(prefs.languages, min_confidence)
        if prefs.genres:
            allowed &= c.in_genres(prefs.genres)
        requested = c.artist_values(dict.fromkeys(prefs.artists, 1.0)) > 0
        allowed |= requested  # a named artist is wanted whatever their genre label says
        if not prefs.explicit:
            allowed &= ~c.explicit
        allowed[c.rows(exclude)] = False
        rows = np.flatnonzero(allowed)
        bonus = POPULARITY_WEIGHT / 100 * c.popularity[rows].astype(np.float32)
        bonus -= GUESSED_PLACE_PENALTY * ~c.has_audio_features[rows]
        bonus += REQUESTED_WEIGHT * requested[rows]
        if taste.artists:
            bonus += ARTIST_WEIGHT * c.artist_values(dict(taste.artists))[rows]
        if taste.genres:
            by_genre = np.array([taste.genres.get(g, 0.0) for g in c.genres], np.float32)
            bonus += GENRE_WEIGHT * by_genre[c.primary_genre[rows]]
        if co_liked:
            co = np.zeros(len(c), np.float32)
            for track_id, weight in co_liked.items():
                if (row := c.row(track_id)) is not None:
                    co[row] = weight
            bonus += CO_LIKED_WEIGHT * co[rows]
        return rows, bonus, requested[rows]

    def _pick(self, rows: np.ndarray, bonus: np.ndarray, requested: np.ndarray,
              steps: list[Point]) -> list[tuple[int, Point]]:
        """Greedy along the path: per step the best-scoring unused row, no song or artist twice
        (named artists up to half the picks), repeated genres penalised."""
        c = self.catalog
        if steps and len(rows) > PREFILTER:  # score the whole pool once, against the path
            near = _shortlist(_to_segment(c.valence[rows], c.energy[rows], steps[0], steps[-1]) - bonus, PREFILTER)
            rows, bonus, requested = rows[near], bonus[near], requested[near]
        valence, energy = c.valence[rows], c.energy[rows]
        chosen: list[tuple[int, Point]] = []
        titles: set[str] = set()
        artists_used: Counter[str] = Counter()
        genres_used: Counter[int] = Counter()
        requested_cap = max(1, len(steps) // 2)
        ranked: dict[Point, tuple[np.ndarray, np.ndarray]] = {}  # match repeats one point
        for point in steps:
            if point not in ranked:
                cost = np.hypot(valence - point[0], energy - point[1]) - bonus
                ranked[point] = _shortlist(cost, SHORTLIST), cost
            shortlist, cost = ranked[point]
            best, best_cost = None, math.inf
            for i in shortlist:  # sorted by cost, and penalties only add: stop once none can win
                if cost[i] >= best_cost:
                    break
                row = int(rows[i])
                adjusted = cost[i] + GENRE_REPEAT_PENALTY * genres_used[int(c.primary_genre[row])]
                if adjusted >= best_cost:
                    continue
                cap = requested_cap if requested[i] else 1
                if _title(c.names[row]) in titles or any(artists_used[a] >= cap for a in c.artists_of(row)):
                    continue
                best, best_cost = row, adjusted
            if best is None:
                continue  # the shortlist ran dry (tiny pool): fewer picks rather than bad ones
            chosen.append((best, point))
            titles.add(_title(c.names[best]))
            artists_used.update(c.artists_of(best))
            genres_used[int(c.primary_genre[best])] += 1
        return chosen

    def _reason(self, row: int, step: int, steps: int, mood: str, strategy: str, prefs: Preferences,
                taste: Taste, co_liked: Mapping[str, float] | None) -> str:
        c = self.catalog
        mood = FEELINGS[mood]
        if strategy == "match":
            why = f"to stay with your {mood} mood"
        elif step == 0 and steps > 1:
            why = f"to meet your {mood} mood where it is"
        else:
            toward = "calm" if strategy == "calm" else "brighter"
            why = f"to {'ease' if strategy == 'calm' else 'lift'} you from {mood} toward {toward}"
        artists = c.artists_of(row)
        asked = [a for a in artists if a in prefs.artists]
        liked = [a for a in artists if taste.artists.get(a, 0.0) > 0.2]
        if asked:
            why += f"; you asked for {asked[0]}"
        elif liked:
            why += f"; you liked {liked[0]} before"
        elif co_liked and co_liked.get(c.ids[row], 0.0) > 0:
            why += "; liked by listeners who like what you like"
        return f"{_sound(c, row)}, {why}"

    def _playlist(self, mood: str, strategy: str, prefs: Preferences, exclude: frozenset[str]) -> PlaylistLink | None:
        """A curated playlist: in the user's language if one is tagged so, else for the mood.
        Rotates with the length of the history, so repeat visits see different ones."""
        languages = prefs.languages - {ENGLISH}
        hint = PLAYLIST_HINTS[mood if strategy == "match" else strategy]
        in_language = [p for p in self.catalog.playlists
                       if p.hint.startswith("language:") and any(lang in p.hint for lang in languages)]
        options = in_language or [p for p in self.catalog.playlists if p.hint == hint]
        options = [p for p in options if p.id not in exclude] or options
        return options[len(exclude) % len(options)] if options else None


def _shortlist(cost: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k lowest costs, best first."""
    k = min(k, len(cost))
    if k == 0:
        return np.array([], np.int64)
    near = np.argpartition(cost, k - 1)[:k]
    return near[np.argsort(cost[near])]


def _to_segment(x: np.ndarray, y: np.ndarray, a: Point, b: Point) -> np.ndarray:
    """Distance of each (x, y) to the segment from a to b."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    t = np.clip(((x - a[0]) * dx + (y - a[1]) * dy) / length2, 0, 1) if length2 else 0.0
    return np.hypot(x - (a[0] + t * dx), y - (a[1] + t * dy))


def _title(name: str) -> str:
    """A song's title without version suffixes: "Unna Nenachu (From ...)" == "Unna Nenachu"."""
    return name_key(re.split(r" [-(\[]", name, maxsplit=1)[0])


def _are(count: int) -> str:
    return "is" if count == 1 else "are"


def _names(languages: frozenset[str]) -> str:
    return " or ".join(sorted(lang.capitalize() for lang in languages))


def _for_mood(mood: str, strategy: str) -> str:
    feeling = FEELINGS[mood]
    return {"lift": f"to lift a {feeling} mood", "calm": f"to calm a {feeling} mood"}.get(
        strategy, f"for a {feeling} mood")


def _sound(c: Catalog, row: int) -> str:
    """A few words for how a track sounds: "slow acoustic folk", "high-energy danceable edm"; for a
    track without Spotify audio features, how it was placed instead (said plainly)."""
    genre = c.genres[c.primary_genre[row]]
    placement = c.placements[c.placement[row]]
    if placement.startswith("mood label: "):
        return f"{genre}, filed as {placement.removeprefix('mood label: ')} by its source (no audio features)"
    if placement != AUDIO:
        return f"{genre}, placed by its artists' other songs (no audio features)"
    words = []
    if c.energy[row] < 0.35 or c.tempo[row] < 85:
        words.append("slow" if c.tempo[row] < 95 else "gentle")
    elif c.energy[row] > 0.8:
        words.append("high-energy")
    if c.acousticness[row] > 0.6:
        words.append("acoustic")
    elif c.danceability[row] > 0.75:
        words.append("danceable")
    if c.valence[row] < 0.3:
        words.append("melancholy")
    elif c.valence[row] > 0.75:
        words.append("bright")
    return " ".join([*words[:2], genre])


def _query(mood: str, strategy: str, prefs: Preferences) -> str:
    """Search words: the mood (or where the strategy leads) plus the user's languages, genres, artists."""
    words = [STRATEGY_WORDS.get(strategy, MOOD_WORDS[mood])]
    words += sorted(prefs.languages - {ENGLISH}) + sorted(prefs.genres) + sorted(prefs.artists)[:2]
    return " ".join(words)


def _merge(rec: Recommendation, tracks: tuple[Track, ...], playlists: tuple[PlaylistLink, ...],
           prefs: Preferences, exclude: frozenset[str], n: int) -> Recommendation:
    """Swap the last quarter of the offline picks (or the picks it lacks, or those in other languages
    than the user asked for) for fresh Spotify search results, and prefer a searched playlist when
    the user has preferences (curated ones rarely fit)."""
    offline_artists = {a for p in rec.picks for a in p.track.artists}
    seen = {p.track.id for p in rec.picks} | exclude
    fresh = []
    for t in tracks:
        if t.id in seen or (t.explicit and not prefs.explicit) or offline_artists.intersection(t.artists):
            continue
        fresh.append(Pick(t, f"found on Spotify for \u201c{rec.query}\u201d"))
        seen.add(t.id)
        offline_artists.update(t.artists)
    fresh = fresh[:max(1, n // 4, rec.fallback) + n - len(rec.picks)]
    if not fresh and not playlists:
        return rec
    keep = min(len(rec.picks), n - len(fresh))
    note, fallback = rec.note, max(0, rec.fallback - (len(rec.picks) - keep))
    if rec.shortage and fresh:  # the searched songs took the place of the other-language ones: say so
        others = f", and {fallback} {_are(fallback)} in other languages" if fallback else ""
        note = (f"{rec.shortage}, so {len(fresh)} of these {_are(len(fresh))} from a live Spotify search for "
                f"\u201c{rec.query}\u201d{others}.")
    playlist = rec.playlist
    has_prefs = prefs.languages or prefs.genres or prefs.artists
    if playlists and (has_prefs or playlist is None):
        playlist = next((p for p in playlists if p.id not in exclude), playlist)
    return replace(rec, picks=rec.picks[:keep] + tuple(fresh), playlist=playlist, source="offline+spotify",
                   note=note, fallback=fallback)
