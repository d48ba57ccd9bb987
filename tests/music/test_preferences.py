import pytest

from music import Preferences, parse_preferences


@pytest.mark.parametrize("text, field, expected", [
    ("telugu", "languages", {"telugu"}),
    ("bollywood and k-pop", "languages", {"hindi", "korean"}),
    ("sid sriram", "artists", {"Sid Sriram"}),
    ("ar rahman, the weeknd", "artists", {"A.R. Rahman", "The Weeknd"}),
    ("I like hip hop and jazz", "genres", {"hip-hop", "jazz"}),
])
def test_words_map_to_catalog_languages_genres_artists(catalog, text, field, expected):
    prefs, unknown = parse_preferences(text, catalog)
    assert getattr(prefs, field) == expected
    assert unknown == ()


def test_explicit_and_strategy_words(catalog):
    assert parse_preferences("no explicit please", catalog)[0].explicit is False
    assert parse_preferences("clean songs only", catalog)[0].explicit is False
    assert parse_preferences("explicit ok", catalog)[0].explicit is True
    assert parse_preferences("calm", catalog)[0].strategy == "calm"


def test_common_words_are_not_artists_and_unknown_words_are_reported(catalog):
    prefs, unknown = parse_preferences("i love songs, zzyzx-unknown-band", catalog)
    assert prefs == Preferences()
    assert unknown == ("zzyzx-unknown-band",)


def test_round_trips_through_a_dict(catalog):
    prefs, _ = parse_preferences("hindi, arijit singh, rock, no explicit, lift", catalog)
    assert Preferences.from_dict(prefs.to_dict()) == prefs
    assert "Arijit Singh" in prefs.describe()
