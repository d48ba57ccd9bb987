"""Chat text -> what the model reads. Used identically in training and at inference."""
from __future__ import annotations

import re

import emoji

URL = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
MENTION = re.compile(r"(?<!\w)@\w{2,}")
SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """Strip URLs and @mentions, spell emoji out as words, collapse whitespace."""
    text = URL.sub(" ", text)
    text = MENTION.sub(" ", text)
    # "😂" -> " face with tears of joy ": words the tokenizer knows instead of [UNK].
    text = emoji.demojize(text, delimiters=(" ", " "))
    text = re.sub(r"(?<=\w)_(?=\w)", " ", text)
    return SPACES.sub(" ", text).strip()
