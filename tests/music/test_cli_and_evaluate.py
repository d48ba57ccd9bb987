import json

import pytest

from music.__main__ import main
from music.mood import POINTS
from training.music.evaluate import match_table


def test_cli_prints_picks_with_links_and_reasons_as_json(capsys):
    main(["--json", "--mood", "sad", "--strategy", "lift", "--lang", "hindi", "-n", "4"])
    out = json.loads(capsys.readouterr().out)
    assert out["strategy"] == "lift" and out["mood"] == "sad" and len(out["picks"]) == 4
    assert all(p["url"].startswith("https://open.spotify.com/track/") and p["reason"] for p in out["picks"])
    assert out["search_url"] == "https://open.spotify.com/search/feel%20good%20hindi"


def test_cli_rejects_unknown_preferences():
    with pytest.raises(SystemExit):
        main(["--mood", "sad", "--lang", "klingon"])


def test_match_score_counts_tracks_in_the_right_region(tmp_path):
    rows = ["mood,valence,energy",
            *(f"Happy,{POINTS['happy'][0]},{POINTS['happy'][1]}" for _ in range(3)),
            f"Sad,{POINTS['happy'][0]},{POINTS['happy'][1]}",  # a "sad" track where happy ones sit
            f"Sad,{POINTS['sad'][0]},{POINTS['sad'][1]}"]
    for name in ("moods_playlist_labeled.csv", "moods_data_moods.csv"):
        (tmp_path / name).write_text("\n".join(rows))
    line = match_table(tmp_path)[2]
    assert "| 80.0% |" in line and "Happy 100%, Sad 50%" in line
