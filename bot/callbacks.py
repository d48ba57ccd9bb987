"""Every button's callback data, defined once: how it is written, matched and read back.

Telegram hands back at most 64 bytes of callback data, as plain text. Each family is a frozen
dataclass; `encode` writes it behind a version prefix (``v2:fb:<owner>:1:<track>``), `pattern` is the regex
its handler registers, `decode` reads it. A button from an older version no longer matches any handler,
so it lands in the stale-button handler instead of being misread.

Every button carries its owner, the user it was sent to: only they may press it (`owner_of`, checked
before any handler runs), so nobody's tap acts on another user's data.
"""
from __future__ import annotations

import re
from dataclasses import astuple, dataclass, fields
from typing import ClassVar, Self

from emotions import EMOTIONS
from music import STRATEGIES

VERSION = "v2"
MAX_BYTES = 64
OWNER = r"\d{1,16}"  # Telegram user ids have up to 52 bits
OWNER_OF = re.compile(rf"^{VERSION}:[a-z]+:({OWNER})(?::|$)")


@dataclass(frozen=True)
class Callback:
    PREFIX: ClassVar[str]
    FIELDS: ClassVar[dict[str, str]] = {}  # field name -> regex of its text form (the owner's is OWNER)
    owner: int  # the user the button was sent to

    def encode(self) -> str:
        data = ":".join([VERSION, self.PREFIX, *(str(value) for value in astuple(self))])
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def pattern(cls) -> re.Pattern[str]:
        regexes = {"owner": OWNER, **cls.FIELDS}
        parts = [VERSION, re.escape(cls.PREFIX), *(f"({regexes[f.name]})" for f in fields(cls))]
        return re.compile("^" + ":".join(parts) + "$")

    @classmethod
    def decode(cls, data: str | object) -> Self:
        match = cls.pattern().match(data if isinstance(data, str) else "")
        if match is None:
            raise ValueError(f"not a {cls.__name__} button")
        values = [(int(text) if f.type in (int, "int") else text) for f, text in zip(fields(cls), match.groups())]
        return cls(*values)


def owner_of(data: object) -> int | None:
    """Whose button this is, for any family; None for data of another version or another bot."""
    match = OWNER_OF.match(data if isinstance(data, str) else "")
    return int(match.group(1)) if match else None


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
    FIELDS = {"liked": "0|1", "track_id": r"[\w-]{1,39}"}  # 39: what 64 bytes leave (Spotify's ids have 22)
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
