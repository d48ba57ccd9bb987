"""Which language a chat message is in, and how much of it is English (the model reads English only).

Short texts mis-detect easily ("ok" scores as Serbian), so a text is only assigned a language
when it has enough letters and py3langid's calibrated probability is high enough; otherwise it
counts as English, the language the model was trained on. Emoji, URLs and @mentions are removed
first: they carry no language. Mixed-language text: the text is split at punctuation and each
long-enough piece is detected on its own (a piece too short to tell takes the whole text's
language); ``english_share`` is the fraction of letters in English pieces, so
"I love this song. Je suis très content aujourd'hui." is about a quarter English.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

import emoji
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from nlp.text import MENTION, URL

MIN_LETTERS = 6        # fewer letters than this: too short to tell, treated as English
MIN_PROBABILITY = 0.6  # of py3langid's calibrated probabilities; how it was chosen: MODEL_CARD.md
# English-lexified languages the detector confuses with English on casual text.
ENGLISH = frozenset({"en", "pcm", "sco"})
PIECE = re.compile(r"[.!?;:,\n]+")
LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


@dataclass(frozen=True)
class Language:
    code: str             # ISO 639-1 code of the language with the most letters, "en" when undetermined
    english_share: float  # fraction of the detected letters that are English, in [0, 1]


@cache
def identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _detect_one(text: str) -> str | None:
    """The language of a piece of text, or None when it is too short or the detector is unsure."""
    if len(LETTER.findall(text)) < MIN_LETTERS:
        return None
    code, probability = identifier().classify(text)
    if probability < MIN_PROBABILITY:
        return None
    return "en" if code in ENGLISH else code


def detect(text: str) -> Language:
    text = emoji.replace_emoji(MENTION.sub(" ", URL.sub(" ", text)), " ")
    whole = _detect_one(text) or "en"
    letters: Counter[str] = Counter()
    for piece in PIECE.split(text):
        letters[_detect_one(piece) or whole] += len(LETTER.findall(piece))
    total = sum(letters.values())
    if not total:  # emoji, digits, punctuation: nothing to detect
        return Language("en", 1.0)
    return Language(letters.most_common(1)[0][0], letters["en"] / total)
