"""Every button's callback data, defined once: how it is written, matched and read back.

Telegram hands back at most 64 bytes of callback data, as plain text. Each family is a frozen
dataclass; `encode` writes it behind a version prefix (``v1:fb:1:<track>``), `pattern` is the regex its handler
registers, `decode` reads it. A button from an older version no longer matches any handler, so it
lands in the stale-button handler instead of being misread.
"""
from __future__ import annotations

import re
from dataclasses import astuple, dataclass, fields
from typing import ClassVar, Self

from emotions import EMOTIONS
from music import STRATEGIES

VERSION = "v1"


@dataclass(frozen=True)
class Callback:
    PREFIX: ClassVar[str]
    FIELDS: ClassVar[dict[str, str]] = {}  # field name -> regex of its text form

    def encode(self) -> str:
        return ":".join([VERSION, self.PREFIX, *(str(value) for value in astuple(self))])

    @classmethod
    def pattern(cls) -> re.Pattern[str]:
        parts = [VERSION, re.escape(cls.PREFIX), *(f"({cls.FIELDS[f.name]})" for f in fields(cls))]
        return re.compile("^" + ":".join(parts) + "$")

    @classmethod
    def decode(cls, data: str | object) -> Self:
        match = cls.pattern().match(data if isinstance(data, str) else "")
        if match is None:
            raise ValueError(f"not a {cls.__name__} button")
        values = [(int(text) if f.type in (int, "int") else text) for f, text in zip(fields(cls), match.groups())]
        return cls(*values)


def one_of(names: tuple[str, ...] | list[str]) -> str:
    return "|".join(map(re.escape, names))


@dataclass(frozen=True)
class YesNo(Callback):
    FIELDS = {"answer": "yes|no"}
    answer: str

    @property
    def yes(self) -> bool:
        return self.answer == "yes"


@dataclass(frozen=True)
class Consent(YesNo):
    """The consent question at /start."""

    PREFIX = "consent"


@dataclass(frozen=True)
class Playlist(Callback):
    """Music for the current mood; an empty strategy means the user's default."""

    PREFIX = "playlist"
    FIELDS = {"strategy": f"(?:{one_of(STRATEGIES)})?"}
    strategy: str = ""


@dataclass(frozen=True)
class Vote(Callback):
    """👍 (1) or 👎 (0) on one recommended track."""

    PREFIX = "fb"
    FIELDS = {"liked": "0|1", "track_id": r"[\w-]{1,56}"}
    liked: int
    track_id: str


@dataclass(frozen=True)
class NotMyMood(Callback):
    """"Not my mood": asks which feeling it is."""

    PREFIX = "fix"


@dataclass(frozen=True)
class Feeling(Callback):
    """The user says how they feel: a correction reading."""

    PREFIX = "feel"
    FIELDS = {"emotion": one_of(EMOTIONS)}
    emotion: str


@dataclass(frozen=True)
class Forget(YesNo):
    """/forget's confirmation."""

    PREFIX = "forget"


@dataclass(frozen=True)
class PrefsAction(Callback):
    """A /prefs button: ask for free text, toggle explicit, clear, or set the default strategy."""

    PREFIX = "prefs"
    FIELDS = {"action": "ask|explicit|clear|" + "|".join(f"strategy={s}" for s in STRATEGIES)}
    action: str
