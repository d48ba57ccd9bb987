"""Hindi in Devanagari -> Hindi in Latin letters as chat writes it ("Hinglish"), by rule, for a Hinglish check.

    python -m training.text.hinglish            # prints a few BHAAV lines beside their romanisation

There is no labelled Hinglish set here, so the check is BHAAV validation (real sentences, real gold
labels) romanised the way Hindi is typed on a Latin keyboard rather than in a scholarly scheme
(ITRANS, IAST): no capitals or diacritics; long and short vowels written alike ("ā" -> "a", "ī" -> "i":
"gussa", "nahi"), except that a closed one-syllable word keeps "aa" ("aaj", "baat"); retroflex and
dental consonants alike ("ट", "त" -> "t"); both sibilants "sh"; the inherent vowel dropped where Hindi
speech drops it (word-final: "बहुत" -> "bahut", "दोस्त" -> "dost"; medial, in a V C _ C V context
scanned right to left, Narasimhan et al. 2004's rule: "करना" -> "karna", "समझना" -> "samajhna");
nasal vowels with "n" ("में" -> "mein", "हैं" -> "hain"). So
"मुझे बहुत गुस्सा आ रहा है" -> "mujhe bahut gussa aa raha hai". One spelling per word: real chat
varies its spellings (nahi / nahin / nai), mixes in English words and has typos, which this does not.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

VOWELS = {"अ": "a", "आ": "aa", "इ": "i", "ई": "i", "उ": "u", "ऊ": "u", "ऋ": "ri", "ए": "e", "ऐ": "ai",
          "ओ": "o", "औ": "au", "ऍ": "e", "ऑ": "o", "ॲ": "e"}
SIGNS = {"ा": "aa", "ि": "i", "ी": "i", "ु": "u", "ू": "u", "ृ": "ri", "ॄ": "ri", "े": "e", "ै": "ai", "ो": "o",
         "ौ": "au", "ॅ": "e", "ॉ": "o"}
CONSONANTS = {"क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "n", "च": "ch", "छ": "chh", "ज": "j", "झ": "jh",
              "ञ": "n", "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n", "त": "t", "थ": "th", "द": "d",
              "ध": "dh", "न": "n", "ऩ": "n", "प": "p", "फ": "ph", "ब": "b", "भ": "bh", "म": "m", "य": "y",
              "र": "r", "ऱ": "r", "ल": "l", "ळ": "l", "व": "v", "श": "sh", "ष": "sh", "स": "s", "ह": "h"}
NUKTA_FORMS = {"क": "k", "ख": "kh", "ग": "g", "ज": "z", "ड": "d", "ढ": "dh", "फ": "f", "य": "y"}
SONORANTS = {"r", "y", "v"}
NUKTA, VIRAMA, NASALS, VISARGA = "\u093c", "\u094d", {"\u0901", "\u0902"}, "\u0903"
# Danda, digits, the abbreviation sign and zero-width joiners (which only steer glyph shaping).
OTHER = str.maketrans({"।": ".", "॥": ".", "॰": ".", "\u200c": "", "\u200d": "",
                       **{chr(0x966 + d): str(d) for d in range(10)}})
WORD = re.compile(r"[\u0900-\u0963\u0971-\u097f]+")  # letters and signs, not danda or digits
# Casual spellings of clusters the letter-by-letter reading writes oddly.
CASUAL = (("chchh", "cch"), ("ee", "i"))


@dataclass
class Akshara:
    consonant: str         # Latin spelling; "" for a vowel letter
    vowel: str | None      # Latin vowel; None after a virama (part of a cluster)
    inherent: bool = False  # the vowel is the unwritten schwa, which speech may drop
    nasal: bool = False
    coda: str = ""         # a visarga's "h"


def aksharas(word: str) -> list[Akshara]:
    """Syllable units of a (decomposed) Devanagari word."""
    out: list[Akshara] = []
    for prev, ch in zip(" " + word, word):
        if ch in CONSONANTS:
            out.append(Akshara(CONSONANTS[ch], "a", inherent=True))
        elif ch == NUKTA and prev in NUKTA_FORMS:
            out[-1].consonant = NUKTA_FORMS[prev]
        elif ch in SIGNS and out:
            out[-1].vowel, out[-1].inherent = SIGNS[ch], False
        elif ch == VIRAMA and out:
            out[-1].vowel, out[-1].inherent = None, False
        elif ch in NASALS and out:
            out[-1].nasal, out[-1].inherent = True, False
        elif ch == VISARGA and out:
            out[-1].coda, out[-1].inherent = "h", False
        elif ch in VOWELS:
            out.append(Akshara("", VOWELS[ch]))
    return out


def drop_schwas(units: list[Akshara]) -> None:
    """Delete the inherent vowels Hindi speech drops: word-final (in a word of two or more syllables), then medial ones in a V C _ C V context, scanned right to left."""
    last = len(units) - 1
    # Kept after a cluster ending in r, y or v, which needs a vowel to be said: "मित्र" -> "mitra" ("dost").
    if last > 0 and units[last].inherent and (units[last - 1].vowel is not None
                                              or units[last].consonant not in SONORANTS):
        units[last].vowel, units[last].inherent = None, False
    for i in range(last - 1, 0, -1):
        before, here, after = units[i - 1], units[i], units[i + 1]
        if (here.inherent and here.consonant and before.vowel is not None and after.consonant
                and after.vowel is not None):
            here.vowel, here.inherent = None, False


def romanise_word(word: str) -> str:
    units = aksharas(word)
    drop_schwas(units)
    spelled = []
    for i, unit in enumerate(units):
        vowel = unit.vowel or ""
        if unit.nasal:
            final = i == len(units) - 1
            vowel = ("ei" if vowel == "e" and final else vowel or "a") + "n"
        spelled.append(unit.consonant + vowel + unit.coda)
    # Long "aa" is kept in a closed syllable of its own ("aaj", "baat", "haan") and the vowel "आ" alone,
    # written "a" elsewhere ("gussa", "tha", "kya").
    closed = units[-1].vowel is None or units[-1].nasal
    alone = sum(unit.vowel is not None for unit in units) == 1 and (closed or not units[0].consonant)
    text = "".join(spelled) if alone else "".join(spelled).replace("aa", "a")
    for old, new in CASUAL:
        text = text.replace(old, new)
    return text


def romanise(text: str) -> str:
    """Devanagari Hindi -> lowercase casual Latin spelling; anything else is kept (lowercased)."""
    text = unicodedata.normalize("NFD", text).translate(OTHER)  # NFD: precomposed nukta letters -> letter + nukta
    return WORD.sub(lambda m: romanise_word(m.group()), text).lower()


if __name__ == "__main__":
    from training.text import data
    hindi = data.load_hindi()
    for text in hindi.texts[:15]:
        print(text, "\n   ", romanise(text))
