"""Where a pick can be heard: Spotify's track page, or a one-tap search on YouTube Music or JioSaavn
(no credentials, no track ids needed: a search for the title and first artist)."""
from __future__ import annotations

from urllib.parse import quote, quote_plus

from music.catalog import Track

SERVICES: dict[str, str] = {"spotify": "Spotify", "youtube": "YouTube Music", "jiosaavn": "JioSaavn"}
# What people type for a service in /prefs.
SERVICE_ALIASES: dict[str, str] = {
    "spotify": "spotify", "youtube": "youtube", "youtube music": "youtube", "yt music": "youtube",
    "ytmusic": "youtube", "jiosaavn": "jiosaavn", "jio saavn": "jiosaavn", "saavn": "jiosaavn",
}


def search_link(query: str, service: str = "spotify") -> str:
    """A search page for `query` on the service."""
    if service == "youtube":
        return "https://music.youtube.com/search?q=" + quote_plus(query)
    if service == "jiosaavn":
        return "https://www.jiosaavn.com/search/" + quote(query, safe="")
    if service == "spotify":
        return "https://open.spotify.com/search/" + quote(query, safe="")
    raise ValueError(f"unknown service {service!r}; expected one of {tuple(SERVICES)}")


def track_link(track: Track, service: str = "spotify") -> str:
    """The track itself on Spotify; elsewhere a search for "title first-artist"."""
    if service == "spotify":
        return track.url
    return search_link(" ".join([track.name, *track.artists[:1]]), service)
