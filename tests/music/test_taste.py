from music import Taste, Track, co_liked

SONG = Track("a" * 22, "Song", ("Artist A", "Artist B"), ("pop", "dance"), valence=0.6, energy=0.5)


def test_votes_move_artist_and_genre_affinities():
    liked = Taste().update(SONG, liked=True)
    assert liked.artists["Artist A"] > 0 and liked.genres["pop"] > 0 and liked.votes == 1
    disliked = liked.update(SONG, liked=False).update(SONG, liked=False)
    assert disliked.artists["Artist A"] < 0 and disliked.genres["pop"] < liked.genres["pop"]


def test_offset_learns_only_with_a_target_and_stays_bounded():
    assert Taste().update(SONG, liked=True).offset == (0.0, 0.0)
    taste = Taste()
    for _ in range(50):
        taste = taste.update(SONG, liked=False, target=(0.2, 0.5))  # dislikes brighter than the target
    assert -0.2 <= taste.offset[0] < -0.1 and taste.offset[1] == 0.0


def test_serialises_to_and_from_a_dict():
    taste = Taste().update(SONG, liked=True, target=(0.5, 0.5))
    assert Taste.from_dict(taste.to_dict()) == taste
    assert Taste.from_dict({}) == Taste()


def test_co_liked_weights_tracks_of_users_with_overlapping_likes():
    scores = co_liked({"x", "y"}, [{"x", "y", "z"}, {"x", "w"}, {"q", "r"}])
    assert set(scores) == {"z", "w"}
    assert scores["z"] == 1.0 and 0 < scores["w"] < 1
    assert co_liked(set(), [{"x"}]) == {}
