"""How well the recommender hits its targets, and how well the mood mapping fits labelled music.

    python -m training.music.evaluate [--source ../shared/data/music]

1. For every emotion x strategy: mean distance of the picks to the point each was aimed at,
   diversity (distinct artists and genres), and catalog coverage over a 10-request session that
   excludes what was already sent (as the bot does); plus coverage over 300 mixed moods.
2. Emotion-to-music match: each mood-labelled track in shared/data/music is assigned to the
   nearest of our anchors (happy, sad, angry points; CALM; surprise's point for Energetic) and
   compared with its label. A nearest-centroid fitted on the labelled tracks themselves shows
   how far (valence, energy) alone can go.
3. Fitted mappings: fitted on one labelled set, scored on the other (both ways), against the anchors.
4. Languages: each language rule scored against the sources' labels on held-out tracks; and, for
   Telugu, Tamil, Hindi and Kannada, how many picks each request gets and how many are in the language.
"""
from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from statistics import mean

import numpy as np

from emotions import EMOTIONS
from music.mood import STRATEGIES, path
from music.recommend import Recommender
from training.music.build_catalog import SOURCE
from training.music.evaluate_languages import language_picks_table, language_table
from training.music.mood_mapping import SETS, anchors_for, load, nearest, transfer_table

SESSION = 10


def picks_table(recommender: Recommender) -> tuple[list[str], set[str]]:
    lines = ["| mood | strategy | picks | dist. to aim | distinct artists | distinct genres | session coverage |",
             "|---|---|---|---|---|---|---|"]
    seen: set[str] = set()
    for label in EMOTIONS:
        for strategy in STRATEGIES:
            rec = recommender.recommend({label: 1.0}, strategy)
            aims = path(rec.start, rec.target, len(rec.picks))
            dist = mean(np.hypot(p.track.valence - a[0], p.track.energy - a[1]) for p, a in zip(rec.picks, aims))
            artists = {a for p in rec.picks for a in p.track.artists}
            sent: set[str] = set()
            for _ in range(SESSION):
                sent |= {p.track.id for p in recommender.recommend({label: 1.0}, strategy, exclude=frozenset(sent)).picks}
            seen |= sent
            lines.append(f"| {label} | {strategy} | {len(rec.picks)} | {dist:.3f} | {len(artists)} | "
                         f"{len({p.track.genre for p in rec.picks})} | {len(sent)} tracks |")
    return lines, seen


def mixed_coverage(recommender: Recommender, moods: int = 300) -> tuple[int, int]:
    rng = np.random.default_rng(0)
    ids, genres = set(), set()
    for probs in rng.dirichlet(np.full(len(EMOTIONS), 0.5), size=moods):
        for strategy in STRATEGIES:
            for p in recommender.recommend(dict(zip(EMOTIONS, probs)), strategy).picks:
                ids.add(p.track.id)
                genres.add(p.track.genre)
    return len(ids), len(genres)


def match_table(source: Path) -> list[str]:
    lines = ["| labelled set | tracks | labels | our anchors: accuracy | per label (recall) | "
             "centroids fitted on the set | chance (majority) |", "|---|---|---|---|---|---|---|"]
    for name, rename in SETS.items():
        points, labels = load(source / name, rename, ("valence", "energy"))
        present = sorted(set(labels))
        ours = nearest(points, anchors_for(present))
        fitted = nearest(points, {k: points[labels == k].mean(0) for k in present})
        recall = {k: np.mean(ours[labels == k] == k) for k in present}
        lines.append(
            f"| `{name}` | {len(labels)} | {len(present)} | {np.mean(ours == labels):.1%} | "
            + ", ".join(f"{k} {v:.0%}" for k, v in recall.items())
            + f" | {np.mean(fitted == labels):.1%} | "
            f"{Counter(labels).most_common(1)[0][1] / len(labels):.1%} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE, help="shared/data/music (for the labelled tracks)")
    args = parser.parse_args()
    recommender = Recommender()
    table, seen = picks_table(recommender)
    tracks, genres = mixed_coverage(recommender)
    print("## Picks per mood and strategy (n = 8)\n", *table, sep="\n")
    print(f"\nSession coverage: {len(seen)} distinct tracks over {len(EMOTIONS)} moods x {len(STRATEGIES)} strategies x "
          f"{SESSION} requests ({len(seen) / len(recommender.catalog):.2%} of {len(recommender.catalog)}).")
    print(f"Mixed moods (300 Dirichlet(0.5) samples x 3 strategies): {tracks} distinct tracks, "
          f"{genres} of {len(recommender.catalog.genres)} genres.")
    print("\n## Emotion-to-music match against mood-labelled tracks\n", *match_table(args.source), sep="\n")
    table, transfers = transfer_table(args.source)
    print("\n## Fitted mood mappings, scored on the labelled set not used for fitting\n", *table, sep="\n")
    print("\nA fitted mapping beats the anchors on the unseen set both ways, by more than chance: "
          + ("yes." if transfers else "no; the recommender keeps the anchors."))
    print("\n## Language rules against the sources' labels (held-out tracks)\n", *language_table(args.source), sep="\n")
    print("\n## Picks in the user's language (n = 8)\n", *language_picks_table(recommender, args.source), sep="\n")


if __name__ == "__main__":
    main()
