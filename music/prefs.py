"""What the user wants to hear, and a parser for what they type in /prefs."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from music.catalog import Catalog, name_key
from music.languages import ALIASES, LANGUAGES
from music.links import SERVICE_ALIASES, SERVICES
from music.mood import STRATEGIES

# Words that never name a language, genre or artist on their own.
STOPWORDS = frozenset(
    ["i", "im", "me", "my", "mine", "we", "you", "like", "likes", "love", "loves", "prefer", "want", "wants", "only", "just", "please", "play", "more", "some", "any", "all", "songs", "song", "music", "tracks", "track", "stuff", "and", "or", "but", "with", "without", "also", "the", "a", "an", "to", "of", "in", "on", "by", "for", "from", "no", "not", "yes", "ok", "okay", "allowed", "sad", "happy", "angry", "mood", "feel", "feeling"]
)
NO_EXPLICIT = re.compile(r"\b(no|without|avoid|skip)\s+(explicit|swearing|profanity)\b|\b(clean|family[ -]friendly)\b")
EXPLICIT_OK = re.compile(r"\bexplicit\s+(ok|okay|fine|allowed|is fine)\b")
_PHRASES = re.compile(r"[,;/+\n]|\band\b")
MAX_WORDS = 5  # longest artist/genre name we try to match
SERVICE_KEYS = {name_key(alias): service for alias, service in SERVICE_ALIASES.items()}


@dataclass(frozen=True)
class Preferences:
    languages: frozenset[str] = frozenset()
    genres: frozenset[str] = frozenset()
    artists: frozenset[str] = frozenset()  # catalog spellings
    strategy: str = "match"
    explicit: bool = True  # explicit tracks allowed
    service: str = ""  # where links lead: a key of music.links.SERVICES; "" = not chosen (Spotify)

    @property
    def listen_on(self) -> str:
        return self.service or "spotify"

    def describe(self) -> str:
        parts = [f"{label}: {', '.join(sorted(values))}" for label, values in
                 (("languages", self.languages), ("genres", self.genres), ("artists", self.artists)) if values]
        parts.append(f"strategy: {self.strategy}")
        parts.append("explicit allowed" if self.explicit else "no explicit")
        parts.append(f"listen on: {SERVICES[self.listen_on]}")
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"languages": sorted(self.languages), "genres": sorted(self.genres),
                "artists": sorted(self.artists), "strategy": self.strategy, "explicit": self.explicit,
                "service": self.service}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Preferences:
        service = data.get("service", "")
        return cls(frozenset(data.get("languages", ())), frozenset(data.get("genres", ())),
                   frozenset(data.get("artists", ())), data.get("strategy", "match"), data.get("explicit", True),
                   service if service in SERVICES else "")


def parse_preferences(text: str, catalog: Catalog) -> tuple[Preferences, tuple[str, ...]]:
    """Map free text ("telugu, sid sriram, no explicit") to Preferences; also return unknown words.

    Longest match first, so "hip hop" is a genre rather than two unknown words; a single word
    names an artist only if it is not a common word ("adele" yes, "love" no).
    """
    text = text.casefold()
    prefs = Preferences(explicit=not NO_EXPLICIT.search(text) or bool(EXPLICIT_OK.search(text)))
    text = EXPLICIT_OK.sub(" ", NO_EXPLICIT.sub(" ", text))
    # Every language we have words for, even with no tracks offline: the recommender says so honestly.
    languages = {name_key(lang): lang for lang in {*catalog.languages, *LANGUAGES}}
    languages |= {name_key(alias): lang for alias, lang in ALIASES.items()}
    genres = {name_key(g): g for g in catalog.genres}
    found: dict[str, set[str]] = {"languages": set(), "genres": set(), "artists": set()}
    unknown: list[str] = []
    for phrase in _PHRASES.split(text):
        prefs = _match_phrase(phrase.split(), prefs, languages, genres, catalog, found, unknown)
    return replace(prefs, languages=frozenset(found["languages"]), genres=frozenset(found["genres"]),
                   artists=frozenset(found["artists"])), tuple(unknown)


def _match_phrase(tokens: list[str], prefs: Preferences, languages: dict[str, str], genres: dict[str, str],
                  catalog: Catalog, found: dict[str, set[str]], unknown: list[str]) -> Preferences:
    i = 0
    while i < len(tokens):
        for j in range(min(len(tokens), i + MAX_WORDS), i, -1):
            words = tokens[i:j]
            if len(words) == 1 and words[0] in STOPWORDS:
                continue
            key = name_key(" ".join(words))
            if key in STRATEGIES and len(words) == 1:
                prefs = replace(prefs, strategy=key)
            elif key in SERVICE_KEYS:
                prefs = replace(prefs, service=SERVICE_KEYS[key])
            elif key in languages:
                found["languages"].add(languages[key])
            elif key in genres:
                found["genres"].add(genres[key])
            elif (len(words) > 1 or len(key) >= 3) and (artist := catalog.artist_name(key)):
                found["artists"].add(artist)
            else:
                continue
            i = j
            break
        else:
            if tokens[i] not in STOPWORDS:
                unknown.append(tokens[i])
            i += 1
    return prefs
