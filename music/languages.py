"""Language hints: which language a track is probably sung in, from Spotify genre names.

Spotify has no language field, so hints come from genre names: the catalog's own genre
(`pop-film`, `k-pop`, ...) and the richer genres Spotify gives the artist (`filmi`,
`tamil pop`, `trap latino`, ...). Artist genres win when they name a language, because the
catalog's genre labels are noisy (some Hindi songs sit under `k-pop`).
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
LANGUAGES: tuple[str, ...] = tuple(sorted({*ARTIST_GENRE_WORDS, ENGLISH}))
# What people type for a language.
ALIASES: dict[str, str] = {
    "bollywood": "hindi", "desi": "hindi", "urdu": "hindi", "tollywood": "telugu",
    "kollywood": "tamil", "kpop": "korean", "k-pop": "korean", "jpop": "japanese",
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
