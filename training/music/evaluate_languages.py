"""How well the language rules find a track's language, scored against the sources' own labels.

A fifth of the film-labelled tracks (by a hash of the id, so the split is fixed) is held out: their
labels are hidden from the artist votes, and each rule other than the source labels themselves
answers for them. Precision = right answers / answers; coverage = answers / held-out tracks.
"""
from __future__ import annotations

import math
import zlib
from collections import Counter
from pathlib import Path

from music.languages import EVIDENCE, strongest
from music.prefs import Preferences
from music.recommend import MOOD_RADIUS, Recommender
from training.music.build_catalog import add_indian, artist_genre_table, read_tracks
from training.music.indian import read_indian
from training.music.language_evidence import artist_votes, evidence

LABEL_RULES = ("source label", "search keyword")  # the labels being predicted: switched off
UNMEASURED = ("catalog genre", "default")  # the build files these tracks as "<lang> film"; English never fits


def held_out(track_id: str) -> bool:
    return zlib.crc32(track_id.encode()) % 5 == 0


def language_table(source: Path) -> list[str]:
    tracks = read_tracks(source)
    film, search = add_indian(tracks, source)
    searched = {t.id: t.searched_as for t in read_indian(source / "indian").values() if t.searched_as}
    genres_of_artist = artist_genre_table(source)
    known = {tid: langs for tid, langs in {**search, **film}.items() if not held_out(tid)}
    votes = artist_votes(known, {tid: tracks[tid]["artists"] for tid in known})
    test = {tid: langs for tid, langs in film.items() if held_out(tid) and len(langs) == 1}
    answered: Counter[str] = Counter()
    right: Counter[str] = Counter()
    strongest_right: Counter[str] = Counter()
    per_language: Counter[str] = Counter()
    for tid, truth in test.items():
        t = tracks[tid]
        found = [(rule, langs) for rule, langs in evidence(
            t["name"], t["artists"], t["genres"], film=set(), search=set(), votes=votes,
            artist_genres=genres_of_artist) if rule not in LABEL_RULES + UNMEASURED]
        for rule, langs in found:
            if langs:
                answered[rule] += 1
                right[rule] += truth <= langs and len(langs) == 1
        best, _, _ = strongest(found)
        (lang,) = truth
        per_language[lang] += 1
        strongest_right[lang] += best == truth
    lines = [f"Held out: {len(test)} film-labelled tracks with one language (a fifth, by id hash); "
             "their labels are hidden from the artist votes.", "",
             "| rule | confidence used | answers | coverage | precision |", "|---|---|---|---|---|"]
    for rule in EVIDENCE:
        if rule in LABEL_RULES + UNMEASURED:
            continue
        n = answered[rule]
        lines.append(f"| {rule} | {EVIDENCE[rule]:.2f} | {n} | {n / len(test):.1%} | "
                     f"{right[rule] / n:.1%} |" if n else f"| {rule} | {EVIDENCE[rule]:.2f} | 0 | 0% | – |")
    lines += ["", "| language | held-out tracks | strongest rule right |", "|---|---|---|"]
    for lang, n in sorted(per_language.items()):
        lines.append(f"| {lang} | {n} | {strongest_right[lang] / n:.1%} |")
    total = sum(per_language.values())
    lines.append(f"| all | {total} | {sum(strongest_right.values()) / total:.1%} |")
    shared = [tid for tid in searched if tid in film]  # ids both kinds of source label
    if shared:
        agree = sum(searched[t] == film[t] for t in shared)
        lines.append(f"\nSearch-keyword labels agree with film labels on {agree}/{len(shared)} shared ids "
                     f"({agree / len(shared):.1%}).")
    return lines


TARGET_LANGUAGES = ("telugu", "tamil", "hindi", "kannada")
REQUESTS = (("happy", "match"), ("sad", "match"), ("neutral", "match"), ("sad", "calm"))


def source_labels(source: Path) -> dict[str, set[str]]:
    """Track id -> languages the sources themselves give it (film or keyword search)."""
    return {t.id: t.languages | t.searched_as for t in read_indian(source / "indian").values()}


def language_picks_table(recommender: Recommender, source: Path) -> list[str]:
    """The issue's target: per language and request, >= 8 picks, >= 90 % in that language by the
    sources' own labels (a pick no source labels counts as not in the language)."""
    labels = source_labels(source)
    lines = ["| language | mood | strategy | picks | in the language (source labels) | "
             "fit the mood (≤ 0.2 from aim) | note |", "|---|---|---|---|---|---|---|"]
    for lang in TARGET_LANGUAGES:
        for mood, strategy in REQUESTS:
            rec = recommender.recommend({mood: 1.0}, strategy, Preferences(languages=frozenset({lang})))
            inside = sum(lang in labels.get(p.track.id, ()) for p in rec.picks)
            fit = sum(p.aim is not None and p.track.valence is not None and p.track.energy is not None
                      and math.hypot(p.track.valence - p.aim[0], p.track.energy - p.aim[1]) <= MOOD_RADIUS
                      for p in rec.picks)
            lines.append(f"| {lang} | {mood} | {strategy} | {len(rec.picks)} | {inside / len(rec.picks):.0%} | "
                         f"{fit}/{len(rec.picks)} | {rec.note or '–'} |")
    return lines
