"""Hindi typed in Latin letters ("mujhe bahut gussa aa raha hai") -> approximate Devanagari, for e5.

multilingual-e5 reads Devanagari Hindi far better than Hindi in Latin letters (MODEL_CARD.md, "Other
languages"), so a line the language check calls Latin-script Hindi is spelled back in Devanagari, by
rule, before the multilingual head reads it. Chat spelling loses what Devanagari writes (long and short
vowels, dental and retroflex consonants), so the result is approximate: "gussa" -> "गुस्सा", "karna"
-> "करना", "nahi" -> "नही". Rules: the longest Latin consonant or vowel spelling first; a consonant
followed by another consonant is joined to it (virama) only when doubled ("ss"), followed by y or v
("kya"), by r at the start of a word ("pra"), or at the end of the word ("dost"), since chat writes Hindi's dropped inherent
vowels by leaving them out ("karna" is करना, not कर्ना); a word-final "a" is long ("raha" -> "रहा"), as
are word-final "i" and "u" ("bhi" -> "भी"); "n" after a vowel is nasal at a word's end ("main" -> "मैं")
and before a consonant ("zindagi" -> "ज़िंदगी").
"""
from __future__ import annotations

import re

from nlp import language

CONSONANTS = {
    "chh": "छ", "cch": "च्छ", "kh": "ख", "gh": "घ", "ch": "च", "jh": "झ", "th": "थ", "dh": "ध", "ph": "फ",
    "bh": "भ", "sh": "श", "k": "क", "q": "क", "g": "ग", "c": "क", "j": "ज", "t": "त", "d": "द", "n": "न",
    "p": "प", "f": "फ़", "b": "ब", "m": "म", "y": "य", "r": "र", "l": "ल", "v": "व", "w": "व", "s": "स",
    "h": "ह", "z": "ज़", "x": "क्स",
}
# Latin vowel -> (independent letter, sign after a consonant); "a" after a consonant is the inherent vowel.
VOWELS = {
    "aa": ("आ", "ा"), "ai": ("ऐ", "ै"), "au": ("औ", "ौ"), "ee": ("ई", "ी"), "oo": ("ऊ", "ू"), "ei": ("ए", "े"),
    "a": ("अ", ""), "i": ("इ", "ि"), "u": ("उ", "ु"), "e": ("ए", "े"), "o": ("ओ", "ो"),
}
LONG_FINAL = {"a": "ा", "i": "ी", "u": "ू"}
VIRAMA, ANUSVARA = "्", "ं"
JOINING = {"y", "v", "w"}
SPELLINGS = sorted([*CONSONANTS, *VOWELS], key=len, reverse=True)
LATIN_WORD = re.compile(r"[a-z]+")


def _pieces(word: str) -> list[str]:
    """The word cut into Latin consonant and vowel spellings, longest first."""
    out, i = [], 0
    while i < len(word):
        piece = next(s for s in SPELLINGS if word.startswith(s, i))
        out.append(piece)
        i += len(piece)
    return out


def word_to_devanagari(word: str) -> str:
    pieces = _pieces(word)
    out = []
    for i, piece in enumerate(pieces):
        after = pieces[i + 1] if i + 1 < len(pieces) else None
        final = after is None
        if piece in CONSONANTS:
            if piece == "n" and i > 0 and pieces[i - 1] in VOWELS and (
                    final and len(pieces) > 2 or after in CONSONANTS and after not in ("h", "n")):
                out.append(ANUSVARA)  # "main", "hain": a nasal vowel; "zindagi", "andar": n before a consonant
                continue
            out.append(CONSONANTS[piece])
            if after in CONSONANTS and (after == piece or after in JOINING or after == "r" and i == 0
                                        or i + 2 == len(pieces)):
                out.append(VIRAMA)  # "gussa", "kya", "pyaar", "pra...", "dost"
        else:
            letter, sign = VOWELS[piece]
            if i == 0 or pieces[i - 1] in VOWELS:
                out.append("आ" if final and piece == "a" and i > 0 else letter)  # "hua" -> "हुआ"
            else:
                out.append(LONG_FINAL.get(piece, sign) if final and len(pieces) > 1 else sign)
    return "".join(out)


def to_devanagari(text: str) -> str:
    """Every Latin word of `text` (lowercased) spelled in Devanagari; anything else is kept."""
    return LATIN_WORD.sub(lambda m: word_to_devanagari(m.group()), text.lower())


def in_devanagari(text: str) -> str:
    """`text` with its Latin-script Hindi pieces spelled in Devanagari: the pieces (as ``nlp.language``
    cuts them, at punctuation) that ``language.romanised_hindi`` calls Hindi, and, when the whole text is
    Hindi, the pieces too short to tell. English pieces are left for e5 to read as English."""
    whole = language.romanised_hindi(text)
    parts = re.split(f"({language.PIECE.pattern})", text)
    return "".join(to_devanagari(part) if language.romanised_hindi(part)
                   or whole and len(language.LETTER.findall(part)) < language.MIN_LETTERS else part
                   for part in parts)
