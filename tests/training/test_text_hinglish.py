"""The Hinglish check's romanisation: Devanagari Hindi spelled as chat types it in Latin letters."""
from __future__ import annotations

import pytest

from training.text import data
from training.text.hinglish import romanise


@pytest.mark.parametrize(("hindi", "latin"), [
    ("मुझे बहुत गुस्सा आ रहा है", "mujhe bahut gussa aa raha hai"),
    ("करना", "karna"),           # medial schwa dropped: V C _ C V
    ("समझना", "samajhna"),       # only the one before the last syllable
    ("कमरे में", "kamre mein"),  # nasal e at the end of a word
    ("नहीं", "nahin"),
    ("आज की बात", "aaj ki baat"),  # one-syllable words keep their long a
    ("लड़का ज़िंदा है।", "ladka zinda hai."),  # nukta letters, danda
    ("मैं ठीक हूँ", "main thik hun"),
    ("अच्छा, १२ बजे", "accha, 12 baje"),
    ("Hello दोस्त", "hello dost"),  # Latin text is kept, lowercased
])
def test_romanise_spells_hindi_as_chat_does(hindi, latin):
    assert romanise(hindi) == latin


def test_the_romanised_bhaav_check_keeps_every_line_and_label():
    if not (data.HINDI_DATA / "bhaav_validation.tsv").exists():
        pytest.skip(f"{data.HINDI_DATA} is absent: nothing to romanise")
    hindi, hinglish = data.load_hindi(), data.load_hinglish()
    assert len(hinglish) == len(hindi) and hinglish.groups == hindi.groups
    assert not any("\u0900" <= ch <= "\u097f" for text in hinglish.texts for ch in text)


def test_the_hand_written_chat_check_has_the_four_labels_evenly():
    chat = data.load_hinglish_chat()
    assert len(chat) >= 100
    counts = chat.targets.sum(0)
    assert sorted(set(counts[counts > 0].tolist())) == [len(chat) / 4]
