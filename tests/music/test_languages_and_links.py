"""Music in the user's language, honest notes when there is too little, and where to listen."""
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from music import STRATEGIES, Preferences, Track, parse_preferences
from music.links import SERVICES, search_link, track_link
from music.recommend import MOOD_RADIUS

SOURCE_LABELLED = {"source label", "search keyword"}


@pytest.mark.parametrize("language", ["telugu", "tamil", "hindi", "kannada"])
@pytest.mark.parametrize("mood, strategy", [("happy", "match"), ("sad", "match"), ("neutral", "match"),
                                            ("sad", "calm")])
def test_a_language_gets_eight_picks_in_that_language_by_the_sources_labels(recommender, language, mood, strategy):
    rec = recommender.recommend({mood: 1.0}, strategy, Preferences(languages=frozenset({language})))
    assert len(rec.picks) == 8 and rec.note == ""
    assert all(p.track.languages == {language} for p in rec.picks)
    labelled = [p for p in rec.picks if p.track.language_evidence in SOURCE_LABELLED]
    assert len(labelled) >= 0.9 * len(rec.picks)
    assert language in rec.search_url


def test_a_track_without_audio_features_says_how_it_was_placed(recommender):
    rec = recommender.recommend({"sad": 1.0}, prefs=Preferences(languages=frozenset({"telugu"})))
    placed = [p for p in rec.picks if not p.track.has_audio_features]
    assert placed, "Telugu sad picks come from the film soundtracks' mood labels"
    for pick in placed:
        label = pick.track.placement.removeprefix("mood label: ")
        assert f"filed as {label} by its source (no audio features)" in pick.reason
        assert pick.track.tempo is None and pick.track.acousticness is None


def test_a_language_with_no_music_offline_is_answered_honestly(recommender, catalog):
    prefs, unknown = parse_preferences("malayalam", catalog)
    assert prefs.languages == {"malayalam"} and unknown == ()
    for strategy in STRATEGIES:
        rec = recommender.recommend({"sad": 1.0}, strategy, prefs)
        assert len(rec.picks) == 8, "the rest from other languages rather than an empty reply"
        assert "Malayalam" in rec.note and "in other languages" in rec.note
        assert "malayalam" in rec.search_url, "the search link looks for the language"


def test_few_songs_that_fit_the_mood_are_said_to_be_the_closest(recommender):
    rec = recommender.recommend({"surprise": 1.0}, "calm", Preferences(languages=frozenset({"kannada"})))
    far = [p for p in rec.picks if ((p.track.valence - p.aim[0]) ** 2 + (p.track.energy - p.aim[1]) ** 2) ** 0.5
           > MOOD_RADIUS]
    assert far and all(p.track.languages == {"kannada"} for p in rec.picks)
    closest = "is the closest Kannada song" if len(far) == 1 else "are the closest Kannada songs"
    assert rec.note == (f"Only {8 - len(far)} of these Kannada songs fit well to calm a surprised mood; "
                        f"the other {len(far)} {closest} I have.")


@pytest.mark.parametrize("text, languages", [("punjabi", {"punjabi"}), ("marathi and bengali", {"marathi", "bengali"}),
                                             ("tollywood, kollywood, sandalwood", {"telugu", "tamil", "kannada"})])
def test_indian_languages_are_understood_in_prefs(catalog, text, languages):
    prefs, unknown = parse_preferences(text, catalog)
    assert prefs.languages == languages and unknown == ()


@pytest.mark.parametrize("text, service", [("youtube music", "youtube"), ("jiosaavn", "jiosaavn"),
                                           ("telugu, saavn", "jiosaavn"), ("spotify", "spotify"), ("telugu", "")])
def test_the_listening_service_is_understood_in_prefs(catalog, text, service):
    prefs, unknown = parse_preferences(text, catalog)
    assert prefs.service == service and unknown == ()
    assert Preferences.from_dict(prefs.to_dict()) == prefs


SONG = Track("0JBzugQtwAOEngxD6TSZDC", "Gelupuleni Samaram (From \"Jersey\")", ("Mickey J. Meyer", "Ramya Behara"))


@pytest.mark.parametrize("service, host", [("youtube", "music.youtube.com"), ("jiosaavn", "www.jiosaavn.com"),
                                           ("spotify", "open.spotify.com")])
def test_links_are_well_formed_for_each_service(service, host):
    link = urlparse(track_link(SONG, service))
    assert link.scheme == "https" and link.netloc == host
    if service == "spotify":
        assert link.path == f"/track/{SONG.id}"
        return
    query = parse_qs(link.query)["q"][0] if service == "youtube" else unquote(link.path.removeprefix("/search/"))
    assert query == 'Gelupuleni Samaram (From "Jersey") Mickey J. Meyer', "title and first artist, intact"
    assert " " not in track_link(SONG, service) and '"' not in track_link(SONG, service)
    assert urlparse(search_link("sad telugu", service)).netloc == host
    with pytest.raises(ValueError):
        search_link("sad", "napster")


def test_a_recommendation_links_to_the_chosen_service(recommender):
    for service in SERVICES:
        rec = recommender.recommend({"happy": 1.0}, prefs=Preferences(languages=frozenset({"tamil"}), service=service))
        assert rec.service == service and rec.search_url == search_link(rec.query, service)
        assert all(rec.link(p.track) == track_link(p.track, service) for p in rec.picks)
        assert all(p.track.url.startswith("https://open.spotify.com/track/") for p in rec.picks), "Spotify stays"
