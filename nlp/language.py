"""Which language a chat message is in, and how much of it is English (the model reads English only).

Short texts mis-detect easily ("ok" scores as Serbian), so a text is only assigned a language
when it has enough letters and py3langid's calibrated probability is high enough; otherwise it
counts as English, the language the model was trained on, if it is written in Latin letters, and
as the language of its script if it is not (an unsure Devanagari line is still not English: the
English model cannot read it). Emoji, URLs and @mentions are removed
first: they carry no language. Mixed-language text: the text is split at punctuation and each
long-enough piece is detected on its own (a piece too short to tell takes the whole text's
language); ``english_share`` is the fraction of letters in English pieces, so
"I love this song. Je suis très content aujourd'hui." is about a quarter English.

Hindi typed in Latin letters ("Hinglish": "mujhe bahut gussa aa raha hai") is mostly called English
by py3langid, so a piece of text is called Hindi first when enough of its words are common Hindi words
as they are spelled in Latin letters (``HINDI_WORDS``: function words, pronouns, auxiliaries and
everyday chat words, none of them also an English word). How the thresholds were chosen, and how
rarely English lines trip them: MODEL_CARD.md, "Other languages".
"""
from __future__ import annotations

import re
import unicodedata
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
# Latin-script Hindi words that are not English words: "main", "to", "is", "the", "me", "par", "do" are
# common Hindi words too, but common English ones, so they are left out; so are "se" and "ne", which
# French, Spanish and Italian lines are full of.
_HINDI_WORDS = """
    hai hain hoon hun hu tha thi hoga hogi honge hua hui hue hota hoti hote hona hone
    nahi nahin nai mat kya kyu kyun kyon kyunki kaise kaisa kaisi kaun kahan kab kitna kitni kitne
    mujhe mujhko mujhse mera meri mainne maine tum tumhe tumhein tumko tumse tumhara tumhari tumhare
    tera teri tujhe tujhse aap aapko apko aapka aapki apna apni apne hamein humein hamara hamari humara
    uska uski uske usne usko unka unki unke unhein unhe unhonne iska iski iske isko inka vah woh wo vo yeh
    ki ke ka ko mein aur bhi toh kuch kuchh koi kisi sabhi sab kabhi abhi phir lekin magar agar
    bahut bohot bohut bahot zyada jyada thoda thodi bilkul sach accha acha achha achchha theek thik
    raha rahi rahe gaya gayi gaye gai gae kiya kiye karo karna karne karta karti karte karke kar rahna
    laga lagi lage lagta lagti lagra chal chalo dekho dekha bolo bola boli bata batao samajh pata chahiye
    chahie sakta sakti sakte diya liya aya aaya jata jati jana aaj kal yaar yar bhai arre arey
    khush dukh gussa pagal bakwas bekar bura buri pyaar pyar dil dost zindagi ghar
"""
HINDI_WORDS = frozenset(_HINDI_WORDS.split())
MIN_HINDI_WORDS = 2      # at least this many of them ...
MIN_HINDI_SHARE = 0.2    # ... making up at least this share of the words; both chosen in MODEL_CARD.md
LATIN_WORD = re.compile(r"[a-z]+")
PIECE = re.compile(r"[.!?;:,\n]+")
LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
# What an unsure text that is not in Latin letters counts as: the language its script is mostly
# written in where that is one of our users' languages, "und" (undetermined, not English) otherwise.
SCRIPT_LANGUAGE = {"DEVANAGARI": "hi", "TELUGU": "te", "TAMIL": "ta", "KANNADA": "kn", "MALAYALAM": "ml",
                   "BENGALI": "bn", "GURMUKHI": "pa", "GUJARATI": "gu"}


@dataclass(frozen=True)
class Language:
    code: str             # ISO 639-1 code of the language with the most letters, "en" when undetermined
    english_share: float  # fraction of the detected letters that are English, in [0, 1]


@cache
def identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def romanised_hindi(text: str) -> bool:
    """Whether `text` reads as Hindi in Latin letters: enough of its words are in ``HINDI_WORDS``."""
    words = LATIN_WORD.findall(text.lower())
    hits = sum(word in HINDI_WORDS for word in words)
    return hits >= MIN_HINDI_WORDS and hits >= MIN_HINDI_SHARE * len(words)


def by_script(text: str) -> str | None:
    """None when most letters are Latin (undetermined text may be English); else the script's language."""
    scripts = Counter(unicodedata.name(letter, "?").split()[0] for letter in LETTER.findall(text))
    if not scripts or scripts["LATIN"] * 2 >= sum(scripts.values()):
        return None
    return SCRIPT_LANGUAGE.get(scripts.most_common(1)[0][0], "und")


def _detect_one(text: str) -> str | None:
    """The language of a piece of text; None when it is too short, or the detector is unsure of Latin letters."""
    if len(LETTER.findall(text)) < MIN_LETTERS:
        return None
    if romanised_hindi(text):
        return "hi"
    code, probability = identifier().classify(text)
    if probability < MIN_PROBABILITY:
        return by_script(text)
    return "en" if code in ENGLISH else code


def detect(text: str) -> Language:
    text = emoji.replace_emoji(MENTION.sub(" ", URL.sub(" ", text)), " ")
    whole = _detect_one(text) or by_script(text) or "en"
    letters: Counter[str] = Counter()
    for piece in PIECE.split(text):
        letters[_detect_one(piece) or whole] += len(LETTER.findall(piece))
    total = sum(letters.values())
    if not total:  # emoji, digits, punctuation: nothing to detect
        return Language("en", 1.0)
    return Language(letters.most_common(1)[0][0], letters["en"] / total)
