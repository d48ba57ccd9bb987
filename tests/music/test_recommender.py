from statistics import mean

import pytest

from music import STRATEGIES, Preferences, Taste, mood_point, parse_preferences

SAD, HAPPY, ANGRY = {"sad": 1.0}, {"happy": 1.0}, {"angry": 1.0}


def valences(rec):
    return [p.track.valence for p in rec.picks]


def energies(rec):
    return [p.track.energy for p in rec.picks]


def test_sad_match_is_darker_than_happy_match(recommender):
    sad, happy = recommender.recommend(SAD), recommender.recommend(HAPPY)
    assert len(sad.picks) == len(happy.picks) == 8
    assert max(valences(sad)) < min(valences(happy))


def test_mixed_mood_aims_between_its_labels():
    v, e = mood_point({"sad": 0.5, "happy": 0.5})
    assert mood_point(SAD)[0] < v < mood_point(HAPPY)[0]


def test_lift_starts_near_the_mood_and_moves_up(recommender):
    match, lift = recommender.recommend(SAD, "match"), recommender.recommend(SAD, "lift")
    v = valences(lift)
    assert abs(v[0] - match.start[0]) < 0.1          # iso principle: begin where the listener is
    assert v[-1] > v[0] + 0.3                        # ... and end brighter
    assert mean(v) > mean(valences(match))
    assert lift.target[0] > lift.start[0]
    assert lift.picks[0].aim == lift.start and lift.picks[-1].aim == lift.target, "each pick knows its aim"


def test_calm_lowers_energy(recommender):
    match, calm = recommender.recommend(ANGRY, "match"), recommender.recommend(ANGRY, "calm")
    assert mean(energies(calm)) < mean(energies(match)) - 0.2
    assert energies(calm)[-1] < 0.35


def test_unknown_strategy_is_an_error(recommender):
    with pytest.raises(ValueError):
        recommender.recommend(SAD, "party")
    assert STRATEGIES == ("match", "lift", "calm")


def test_picks_are_diverse_and_explained(recommender):
    for strategy in STRATEGIES:
        rec = recommender.recommend(SAD, strategy)
        artists = [a for p in rec.picks for a in p.track.artists]
        assert len(artists) == len(set(artists)), "no artist twice"
        assert len({p.track.genre for p in rec.picks}) >= 4, "spread across genres"
        assert all(p.reason and "sad" in p.reason for p in rec.picks)
        assert all(p.track.url == f"https://open.spotify.com/track/{p.track.id}" for p in rec.picks)
        assert rec.search_url.startswith("https://open.spotify.com/search/")
        assert rec.playlist is not None and rec.playlist.url.startswith("https://open.spotify.com/playlist/")
        assert rec.source == "offline"


def test_calm_reason_names_where_it_leads(recommender):
    reasons = [p.reason for p in recommender.recommend(SAD, "calm").picks]
    assert any("from sad toward calm" in r for r in reasons)


def test_language_and_explicit_preferences_are_respected(recommender, catalog):
    prefs, _ = parse_preferences("hindi, no explicit", catalog)
    for strategy in STRATEGIES:
        rec = recommender.recommend(SAD, strategy, prefs)
        assert len(rec.picks) == 8
        assert all("hindi" in p.track.languages and not p.track.explicit for p in rec.picks)
    assert "hindi" in rec.search_url
    assert rec.playlist.hint.startswith("language:hindi"), "a curated playlist in the user's language"


def test_genre_preference_filters(recommender):
    rec = recommender.recommend(HAPPY, prefs=Preferences(genres=frozenset({"jazz", "blues"})))
    assert rec.picks and all({"jazz", "blues"} & set(p.track.genres) for p in rec.picks)


def test_named_artist_leads_even_outside_their_genre_label(recommender, catalog):
    prefs, unknown = parse_preferences("sid sriram", catalog)
    rec = recommender.recommend(SAD, prefs=prefs)
    by_artist = [p for p in rec.picks if "Sid Sriram" in p.track.artists]
    assert not unknown and 2 <= len(by_artist) <= 4
    assert all("you asked for Sid Sriram" in p.reason for p in by_artist)


def test_no_repeats_of_recent_or_disliked_tracks(recommender):
    first = recommender.recommend(SAD)
    sent = frozenset(p.track.id for p in first.picks)
    second = recommender.recommend(SAD, exclude=sent)
    assert sent.isdisjoint(p.track.id for p in second.picks)
    assert len(second.picks) == 8


def test_a_dislike_and_a_like_change_the_next_picks(recommender, catalog):
    before = recommender.recommend(SAD)
    disliked = before.picks[0].track
    taste = Taste().update(disliked, liked=False, target=before.picks[0].aim)
    after = recommender.recommend(SAD, taste=taste)
    assert all(set(p.track.artists).isdisjoint(disliked.artists) for p in after.picks)

    # Liking one song brings the artist's other songs for this mood forward, saying why.
    assert all("Arijit Singh" not in p.track.artists for p in before.picks)
    song = recommender.recommend(HAPPY, prefs=Preferences(artists=frozenset({"Arijit Singh"}))).picks[0].track
    after = recommender.recommend(SAD, taste=Taste().update(song, liked=True), exclude=frozenset({song.id}))
    liked = [p for p in after.picks if "Arijit Singh" in p.track.artists]
    assert len(liked) == 1 and "you liked Arijit Singh before" in liked[0].reason


def test_liked_tracks_of_similar_users_come_forward(recommender, catalog):
    base = recommender.recommend(SAD)
    near_but_unpicked = recommender.recommend(SAD, exclude=frozenset(p.track.id for p in base.picks)).picks[-1].track
    rec = recommender.recommend(SAD, co_liked={near_but_unpicked.id: 1.0})
    assert near_but_unpicked.id in [p.track.id for p in rec.picks]
    assert any("listeners who like what you like" in p.reason for p in rec.picks)


def test_taste_offset_shifts_the_target(recommender, catalog):
    track = recommender.recommend(HAPPY).picks[0].track
    taste = Taste()
    for _ in range(5):  # likes tracks brighter than the target
        taste = taste.update(track, liked=True, target=(track.valence - 0.3, track.energy))
    assert taste.offset[0] > 0.1
    assert recommender.recommend(SAD, taste=taste).start[0] > recommender.recommend(SAD).start[0]
    assert Taste.from_dict(taste.to_dict()) == taste
