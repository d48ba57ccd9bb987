"""Language detection: catches short non-English chat, almost never flags English."""
from __future__ import annotations

import pytest

from nlp.language import Language, detect, romanised_hindi
from training.text import data

# Short chat messages in 14 languages and 6 scripts; MODEL_CARD.md quotes the catch rate.
NON_ENGLISH = [
    "estoy muy feliz", "Je suis très triste aujourd'hui", "Ich bin so traurig", "Sono molto triste oggi",
    "Mi piace molto questa canzone", "Я очень рад", "Я так устал от всего этого", "今日はとても嬉しい",
    "我今天很开心", "오늘 너무 행복해요", "Estou muito feliz hoje", "Ik ben heel blij vandaag",
    "Jestem bardzo szczęśliwy", "Bugün çok mutluyum", "Jag är så glad idag", "هذا رائع جدا", "Das ist ja toll",
    "mi dispiace tanto", "que triste", "c'est génial", "je t'aime", "qué miedo", "ich hasse das",
    "ça me fait peur", "Tengo miedo de perderte", "Ya no puedo más con esto", "Wie geht es dir heute",
    "Non ne posso più", "Hoje estou com raiva", "Mam tego dość",
]


def test_most_short_non_english_messages_are_caught():
    caught = [text for text in NON_ENGLISH if detect(text).english_share < 0.5]
    assert len(caught) >= 26, sorted(set(NON_ENGLISH) - set(caught))


def test_english_reddit_comments_are_almost_never_flagged():
    if not (data.DEFAULT_DATA / "dev.tsv").exists():
        pytest.skip(f"{data.DEFAULT_DATA} is absent: no GoEmotions comments to check")
    texts = data.load("dev").texts
    flagged = [text for text in texts if detect(text).english_share < 0.5]
    assert len(flagged) <= len(texts) // 1000, flagged


@pytest.mark.parametrize("text", ["😂😂😂", "🎉", "1234", "!!!", ""])
def test_text_without_letters_counts_as_english(text):
    assert detect(text).code == "en" and detect(text).english_share == 1.0


def test_mixed_text_reports_its_english_share():
    mixed = detect("I love this song. Je suis très content aujourd'hui, c'est vraiment magnifique.")
    assert 0.1 < mixed.english_share < 0.5
    assert mixed.code == "fr"


@pytest.mark.parametrize("text", [
    "yaar mujhe bahut gussa aa raha hai", "aaj main bahut khush hoon", "kya hua, sab theek hai na?",
    "mera dil toot gaya yaar", "tum kahan ho abhi", "bhai kal ka plan kya hai",
])
def test_hindi_in_latin_letters_is_read_as_hindi(text):
    language = detect(text)
    assert language.code == "hi" and language.english_share == 0.0


@pytest.mark.parametrize("text", [
    "The main reason I left is the money.", "hai everyone, how are you doing today?",
    "Mai Tai at the main bar is the best drink", "yaar I am so tired of this job", "I love Kal Ho Naa Ho so much",
    "Where is the main station? Is it far from here?",
])
def test_english_with_an_incidental_hindi_looking_word_stays_english(text):
    assert romanised_hindi(text) is False
    assert detect(text).english_share == 1.0


def test_mixed_hinglish_and_english_is_split_between_them():
    mixed = detect("I had the worst day at work today, mujhe kuch samajh nahi aa raha yaar")
    assert mixed.code == "hi" and 0.2 < mixed.english_share < 0.8


@pytest.mark.parametrize("name", ["dev", "meld_validation", "dailydialog_holdout"])
def test_english_validation_lines_are_never_read_as_hinglish(name):
    if not data.SHARED_DATA.exists():
        pytest.skip(f"{data.SHARED_DATA} is absent: no English lines to check")
    loaded = data.load(name) if name == "dev" else data.load_dialogue(name)
    assert not [text for text in loaded.texts if romanised_hindi(text)]


@pytest.mark.parametrize(("text", "code"), [
    ("आगे चलो", "hi"), ("बिल्कुल न डरना", "hi"), ("हाँ", "hi"), ("సరే", "te"), ("சரி", "ta"), ("ಸರಿ", "kn"),
])
def test_text_in_another_script_is_never_english_even_when_the_detector_is_unsure(text, code):
    assert detect(text) == Language(code, 0.0)


def test_a_short_piece_in_another_script_takes_the_whole_texts_language():
    assert detect("honestly today was fine ¯_(ツ)_/¯ whatever").english_share == 1.0
