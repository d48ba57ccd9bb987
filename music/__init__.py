"""music: a mood (distribution over emotions.EMOTIONS) -> Spotify tracks and playlists worth sending.

Works offline from a bundled catalog; adds live Spotify search when credentials are set.
"""
from music.catalog import Catalog, PlaylistLink, Track
from music.mood import STRATEGIES, mood_point
from music.prefs import Preferences, parse_preferences
from music.recommend import Pick, Recommendation, Recommender
from music.spotify import LiveResults, SpotifyClient
from music.taste import Taste, co_liked

__all__ = [
    "STRATEGIES", "Catalog", "LiveResults", "Pick", "PlaylistLink", "Preferences", "Recommendation",
    "Recommender", "SpotifyClient", "Taste", "Track", "co_liked", "mood_point", "parse_preferences",
]
