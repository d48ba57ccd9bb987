"""Picks for a mood from the command line.

    python -m music --mood sad --strategy lift [--lang hindi] [--artist "Arijit Singh"] [--json]
    python -m music --mood "sad=0.6,neutral=0.4" --prefs "telugu, no explicit, jiosaavn" --live
"""
from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import replace
from typing import Any

from emotions import EMOTIONS
from music import STRATEGIES, Catalog, Recommendation, Recommender, SpotifyClient, parse_preferences


def parse_mood(text: str) -> dict[str, float]:
    """"sad" or "sad=0.6,neutral=0.4" -> a distribution over EMOTIONS."""
    if "=" not in text:
        return {text: 1.0}
    return {name.strip(): float(p) for name, p in (part.split("=") for part in text.split(","))}


def as_json(rec: Recommendation) -> dict[str, Any]:
    return {
        "mood": rec.mood, "strategy": rec.strategy, "source": rec.source,
        "start": [round(x, 3) for x in rec.start], "target": [round(x, 3) for x in rec.target],
        "picks": [{"name": p.track.name, "artists": p.track.artists, "genre": p.track.genre, "url": p.track.url,
                   "link": rec.link(p.track), "valence": p.track.valence, "energy": p.track.energy,
                   "placement": p.track.placement, "languages": sorted(p.track.languages),
                   "language_confidence": p.track.language_confidence,
                   "language_evidence": p.track.language_evidence, "reason": p.reason} for p in rec.picks],
        "playlist": rec.playlist and {"name": rec.playlist.name, "url": rec.playlist.url, "source": rec.playlist.source},
        "service": rec.service, "search_url": rec.search_url, "note": rec.note,
    }


def as_text(rec: Recommendation) -> str:
    lines = [f"{rec.mood} -> {rec.strategy}: valence/energy {rec.start[0]:.2f}/{rec.start[1]:.2f}"
             f" -> {rec.target[0]:.2f}/{rec.target[1]:.2f} ({rec.source})"]
    if rec.note:
        lines.append(f"Note: {rec.note}")
    lines += [f"{i}. {p.track.name} - {', '.join(p.track.artists)}  {rec.link(p.track)}\n   {p.reason}"
              for i, p in enumerate(rec.picks, 1)]
    if rec.playlist:
        lines.append(f"Playlist: {rec.playlist.name}  {rec.playlist.url}")
    lines.append(f"Search on {rec.service_name}: {rec.search_url}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Spotify picks for a mood.")
    parser.add_argument("--mood", default="neutral", help=f"one of {', '.join(EMOTIONS)}, or 'sad=0.6,neutral=0.4'")
    parser.add_argument("--strategy", choices=STRATEGIES, default="match")
    parser.add_argument("--lang", action="append", default=[], help="language (repeatable)")
    parser.add_argument("--genre", action="append", default=[], help="catalog genre (repeatable)")
    parser.add_argument("--artist", action="append", default=[], help="artist (repeatable)")
    parser.add_argument("--prefs", default="", help='free text as typed in /prefs: "telugu, sid sriram, no explicit"')
    parser.add_argument("--no-explicit", action="store_true")
    parser.add_argument("-n", type=int, default=8)
    parser.add_argument("--live", action="store_true", help="add Spotify search (needs SPOTIFY_CLIENT_ID/SECRET)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    catalog = Catalog.default()
    prefs, unknown = parse_preferences(" , ".join([args.prefs, *args.lang, *args.genre, *args.artist]), catalog)
    if unknown:
        parser.error(f"not a known language, genre or artist: {', '.join(unknown)}")
    prefs = replace(prefs, explicit=prefs.explicit and not args.no_explicit)
    recommender = Recommender(catalog, SpotifyClient.from_env() if args.live else None)
    probs = parse_mood(args.mood)
    if args.live:
        rec = asyncio.run(recommender.recommend_live(probs, args.strategy, prefs, n=args.n))
    else:
        rec = recommender.recommend(probs, args.strategy, prefs, n=args.n)
    print(json.dumps(as_json(rec), ensure_ascii=False, indent=1) if args.json else as_text(rec))


if __name__ == "__main__":
    main()
