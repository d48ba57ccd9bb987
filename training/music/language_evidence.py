"""A track's language from every kind of evidence we hold; `music.languages.strongest` picks one.

Shared by the catalog build (all labels known) and the evaluation (labels of held-out tracks hidden
from the artist votes, and the source rules switched off, so the other rules can be scored).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from music.catalog import name_key
from music.languages import (
    ENGLISH,
    GENRE_LANGUAGE,
    INDIAN,
    WORDLESS_GENRES,
    artist_genre_languages,
    script_languages,
    specific_artist_languages,
)

MIN_ARTIST_TRACKS = 2   # labelled tracks an artist needs before their languages count
MIN_SHARE = 0.6         # share of the track's artists' labelled tracks the top language needs
# The votes were measured on Indian film tracks; on a catalog track filed under a Western genre
# ("show-tunes", "malay") an Indian album credit says little about this song, so they stay out.
INDIAN_GENRES = frozenset({"indian", "pop-film", "telugu film", "tamil film", "kannada film"})

Evidence = list[tuple[str, set[str]]]


def artist_votes(labels: Mapping[str, set[str]], artists: Mapping[str, Iterable[str]]) -> dict[str, Counter[str]]:
    """Artist key -> languages of their source-labelled tracks (artists with too few are left out)."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for track_id, langs in labels.items():
        for artist in artists.get(track_id, ()):
            votes[name_key(artist)].update(langs)
    return {a: c for a, c in votes.items() if c.total() >= MIN_ARTIST_TRACKS}


def voted_language(artists: Iterable[str], votes: Mapping[str, Counter[str]],
                   artist_genres: Mapping[str, list[str]]) -> set[str]:
    """The language most of the artists' labelled tracks are in, if it is a clear majority.
    Each artist counts once (shares, not raw counts): a prolific composer doesn't outvote the singer.
    Artists whose Spotify genres are not Indian don't vote: the songwriter of *Frozen* shows up on its
    Telugu dub, which doesn't make their own songs Telugu."""
    total: Counter[str] = Counter()
    for artist in artists:
        key = name_key(artist)
        if key in artist_genres and not INDIAN & artist_genre_languages(artist_genres[key]):
            continue
        if (count := votes.get(key)) is not None:
            n = count.total()
            total.update({lang: k / n for lang, k in count.items()})
    if not total:
        return set()
    lang, share = total.most_common(1)[0]
    return {lang} if share >= MIN_SHARE * total.total() else set()


def evidence(name: str, artists: Iterable[str], genres: Iterable[str], *, film: set[str], search: set[str],
             votes: Mapping[str, Counter[str]], artist_genres: Mapping[str, list[str]],
             tagged: Iterable[str] = ()) -> Evidence:
    """Every rule's answer for one track (empty set: the rule says nothing). `tagged`: weak hints
    such as a chart's region or a curated playlist's language."""
    artists, genres = list(artists), list(genres)
    by_genres: set[str] = set()
    for artist in artists:  # the first artist Spotify has genres for speaks for the track
        if (known := artist_genres.get(name_key(artist))) is not None:
            by_genres = specific_artist_languages(known)
            break
    by_catalog = {GENRE_LANGUAGE[g] for g in genres if g in GENRE_LANGUAGE} | set(tagged)
    sung = not WORDLESS_GENRES.intersection(genres)
    voted = voted_language(artists, votes, artist_genres) if INDIAN_GENRES.intersection(genres) else set()
    return [("source label", film), ("title script", script_languages(name)), ("search keyword", search),
            ("artist's labelled tracks", voted), ("artist genres", by_genres),
            ("catalog genre", by_catalog), ("default", {ENGLISH} if sung else set())]
