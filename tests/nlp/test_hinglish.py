"""Latin-script Hindi spelled back in Devanagari for the multilingual head."""
from __future__ import annotations

import pytest

from nlp.hinglish import in_devanagari, to_devanagari


@pytest.mark.parametrize(("latin", "devanagari"), [
    ("mujhe bahut gussa aa raha hai", "मुझे बहुत गुस्सा आ रहा है"),
    ("karna", "करना"),        # a dropped inherent vowel is not a cluster
    ("kya hua", "क्या हुआ"),   # y joins; a final "a" is long, after a vowel too
    ("dost", "दोस्त"),        # a word-final cluster
    ("main hain", "मैं हैं"),  # a nasal vowel at the end of a word
    ("zindagi bhi", "ज़िंदगी भी"),
])
def test_chat_spelling_comes_back_as_devanagari(latin, devanagari):
    assert to_devanagari(latin) == devanagari


def test_only_the_hindi_pieces_of_a_mixed_line_are_respelled():
    assert in_devanagari("worst day ever, mujhe kuch samajh nahi aa raha") == "worst day ever, मुझे कुच समझ नही आ रहा"


@pytest.mark.parametrize("text", ["I love this song", "Je suis très triste", "मुझे बहुत गुस्सा आ रहा है",
                                  "The main reason is money"])
def test_text_that_is_not_latin_script_hindi_is_left_alone(text):
    assert in_devanagari(text) == text
