"""Which language a track is sung in, from the strongest evidence available, with a confidence.

Spotify has no language field. In order of strength: a source's own language label (the original
language of the film a soundtrack belongs to), the script of the title (Telugu, Tamil, ... script),
the languages of the artist's other source-labelled tracks, the richer genres Spotify gives the
artist (`tollywood`, `tamil pop`, `filmi`, ...), the catalog's own genre (`pop-film`, `k-pop`;
noisy: some Hindi songs sit under `k-pop`), and English by default for sung genres. Each rule's
confidence is its precision measured by `training.music.evaluate` against the sources' labels on
tracks held out from the rules (rounded; unmeasurable rules say so).
"""
from __future__ import annotations

import re

# Catalog genre -> language. "indian" defaults to Hindi; artist genres refine it (Tamil, Punjabi, ...).
GENRE_LANGUAGE: dict[str, str] = {
    "pop-film": "hindi", "indian": "hindi", "k-pop": "korean", "j-pop": "japanese",
    "j-rock": "japanese", "j-idol": "japanese", "j-dance": "japanese", "anime": "japanese",
    "cantopop": "chinese", "mandopop": "chinese", "malay": "malay", "iranian": "persian",
    "turkish": "turkish", "latin": "spanish", "latino": "spanish", "spanish": "spanish",
    "reggaeton": "spanish", "salsa": "spanish", "tango": "spanish", "brazil": "portuguese",
    "mpb": "portuguese", "sertanejo": "portuguese", "pagode": "portuguese", "forro": "portuguese",
    "samba": "portuguese", "french": "french", "german": "german", "swedish": "swedish",
}

# Words inside artist genre names -> language (matched as whole words).
ARTIST_GENRE_WORDS: dict[str, tuple[str, ...]] = {
    "hindi": ("bollywood", "filmi", "desi", "hindi", "sufi", "ghazal", "indian"),
    "punjabi": ("punjabi", "bhangra"),
    "tamil": ("tamil", "kollywood"),
    "telugu": ("telugu", "tollywood"),
    "kannada": ("kannada", "sandalwood"),
    "malayalam": ("malayalam", "mollywood"),
    "bengali": ("bengali", "bangla"),
    "marathi": ("marathi",),
    "korean": ("k-pop", "korean", "k-indie", "k-rap"),
    "japanese": ("j-pop", "j-rock", "japanese", "anime", "j-poprock", "j-idol"),
    "chinese": ("c-pop", "mandopop", "cantopop", "chinese", "taiwan", "hong kong"),
    "spanish": ("latin", "latino", "latina", "spanish", "mexican", "mexicano", "reggaeton",
                "colombian", "argentine", "chilean", "cumbia", "bachata", "flamenco", "espanol"),
    "portuguese": ("brazilian", "mpb", "sertanejo", "pagode", "forro", "samba", "portuguese",
                   "bossa nova", "funk carioca"),
    "french": ("french", "francais", "chanson", "quebecois"),
    "german": ("german", "deutsch", "schlager"),
    "italian": ("italian", "italiano"),
    "swedish": ("swedish",),
    "turkish": ("turkish", "arabesk"),
    "persian": ("persian", "iranian"),
    "arabic": ("arab", "arabic"),
    "russian": ("russian",),
    "thai": ("thai",),
    "indonesian": ("indonesian", "dangdut"),
    "malay": ("malay", "malaysian"),
    "filipino": ("opm", "pinoy", "filipino", "tagalog"),
}
# Artist genres for mostly wordless music say nothing about a sung language ("german baroque").
_WORDLESS = re.compile(r"\b(classical|baroque|romanticism|renaissance|orchestra|piano|violin|"
                       r"techno|house|trance|edm|jazz|instrumental|score|modernism|minimal)\b")
_WORD_PATTERNS = {lang: re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b")
                  for lang, words in ARTIST_GENRE_WORDS.items()}

# Catalog genres whose tracks are often wordless: no English default for them.
WORDLESS_GENRES = frozenset({
    "ambient", "classical", "piano", "sleep", "study", "new-age", "idm", "minimal-techno",
    "detroit-techno", "techno", "trance", "opera", "world-music", "guitar",
})
ENGLISH = "english"

# Evidence, strongest first, with its confidence (precision against the sources' labels on held-out
# tracks; see music/README.md). Source labels are trusted except for the wrong matches the build
# drops; catalog genre and the English default cannot be measured on Indian labels (set by hand).
EVIDENCE: dict[str, float] = {
    "source label": 0.95,              # the film's original language (TMDb); wrong album matches dropped
    "title script": 0.90,              # by hand: titles in the data are romanised, too few to measure
    "search keyword": 0.95,            # measured: agrees with the film label on the ids both have
    "artist's labelled tracks": 0.90,  # measured: 92 % on held-out film tracks
    "artist genres": 0.55,             # measured: 56 % (filmi/tollywood singers sing in several languages)
    "catalog genre": 0.50,             # by hand
    "default": 0.30,                   # by hand: English for sung genres with no other hint
}
# An artist genre naming one regional language is stronger than one that only says "Indian film":
# playback singers tagged `filmi` sing in Telugu, Tamil and Kannada too.
_GENERIC = re.compile(r"\b(bollywood|filmi|desi|indian)\b")
# Unicode blocks of scripts that name one language here (Devanagari also writes Marathi; rare in the data).
SCRIPTS: dict[str, str] = {
    "telugu": "\u0c00-\u0c7f", "tamil": "\u0b80-\u0bff", "kannada": "\u0c80-\u0cff",
    "malayalam": "\u0d00-\u0d7f", "bengali": "\u0980-\u09ff", "punjabi": "\u0a00-\u0a7f",
    "hindi": "\u0900-\u097f", "korean": "\uac00-\ud7af", "japanese": "\u3040-\u30ff", "thai": "\u0e00-\u0e7f",
}
_SCRIPT_PATTERNS = {lang: re.compile(f"[{block}]") for lang, block in SCRIPTS.items()}
INDIAN = frozenset({"hindi", "telugu", "tamil", "kannada", "malayalam", "bengali", "marathi", "punjabi"})
LANGUAGES: tuple[str, ...] = tuple(sorted({*ARTIST_GENRE_WORDS, ENGLISH}))
# What people type for a language.
ALIASES: dict[str, str] = {
    "bollywood": "hindi", "desi": "hindi", "urdu": "hindi", "tollywood": "telugu",
    "kollywood": "tamil", "sandalwood": "kannada", "mollywood": "malayalam", "bangla": "bengali", "kpop": "korean", "k-pop": "korean", "jpop": "japanese",
    "j-pop": "japanese", "mandarin": "chinese", "cantonese": "chinese", "latin": "spanish",
    "brazilian": "portuguese", "farsi": "persian", "tagalog": "filipino", "arab": "arabic",
}


def artist_genre_languages(artist_genres: list[str]) -> set[str]:
    """Languages named by an artist's Spotify genres, ignoring wordless genres."""
    found: set[str] = set()
    for genre in artist_genres:
        genre = genre.lower()
        if _WORDLESS.search(genre):
            continue
        found.update(lang for lang, pattern in _WORD_PATTERNS.items() if pattern.search(genre))
    return found


def track_languages(genres: list[str], artist_langs: set[str], extra: set[str]) -> set[str]:
    """A track's language hints: artist genres first, else catalog genres; English if nothing else."""
    langs = set(artist_langs) or {GENRE_LANGUAGE[g] for g in genres if g in GENRE_LANGUAGE}
    langs |= extra
    if not langs and not WORDLESS_GENRES.intersection(genres):
        langs = {ENGLISH}
    return langs


def script_languages(title: str) -> set[str]:
    """Languages whose script the title is written in ("ప్రేమ" -> telugu); empty for Latin script."""
    return {lang for lang, pattern in _SCRIPT_PATTERNS.items() if pattern.search(title)}


def specific_artist_languages(artist_genres: list[str]) -> set[str]:
    """Like `artist_genre_languages`, but generic Indian-film genres (`filmi`, `modern bollywood`)
    stop counting as Hindi once a regional one (`tollywood`) is there: playback singers tagged
    `filmi` sing Telugu, Tamil and Kannada too."""
    langs = artist_genre_languages(artist_genres)
    specific = artist_genre_languages([g for g in artist_genres if not _GENERIC.search(g.lower())])
    regional = (langs & INDIAN) - {"hindi"}
    if regional and "hindi" not in specific:
        langs.discard("hindi")
    return langs


def strongest(evidence: list[tuple[str, set[str]]]) -> tuple[set[str], str, float]:
    """The first non-empty (rule, languages) in EVIDENCE order -> (languages, rule, confidence).
    Several languages from one rule share its confidence between them."""
    for rule in EVIDENCE:
        for name, langs in evidence:
            if name == rule and langs:
                return langs, rule, EVIDENCE[rule] / len(langs)
    return set(), "none", 0.0
