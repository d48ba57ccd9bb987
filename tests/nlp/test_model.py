"""nlp.model (the bot's plain-torch MiniLM) against transformers, the library that trained it."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from transformers import AutoModelForSequenceClassification, AutoTokenizer

import nlp.analyzer
from nlp import TextAnalyzer
from nlp.text import clean

MODEL_DIR = nlp.analyzer.DEFAULT_MODEL_DIR
LONG = "My train got cancelled and I waited two hours in the rain, then my phone died. " * 25  # 3 windows


@pytest.fixture(scope="module")
def reference():
    model = AutoModelForSequenceClassification.from_pretrained(MODEL_DIR, dtype=torch.float32).eval()
    return model, AutoTokenizer.from_pretrained(MODEL_DIR)


@pytest.fixture(scope="module")
def fp32() -> TextAnalyzer:
    return TextAnalyzer(MODEL_DIR, dtype=torch.float32)


def test_logits_match_transformers_on_padded_batches(reference, fp32):
    model, _ = reference
    ids = torch.randint(1000, 30000, (6, 40), generator=torch.Generator().manual_seed(0))
    ids[:, 0] = 101
    mask = torch.ones_like(ids)
    mask[2, 25:], mask[4, 5:] = 0, 0
    ids[mask == 0] = 0
    with torch.inference_mode():
        ours, theirs = fp32.model(ids, mask), model(input_ids=ids, attention_mask=mask).logits
    torch.testing.assert_close(ours, theirs, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("text", ["I got the job!!! 😂", LONG])
def test_windows_and_pooling_match_transformers(reference, fp32, text):
    """Tokenizing (windows of chunk_tokens, each with [CLS] ... [SEP]) and pooling (token-weighted mean of
    the windows' log-probabilities), rebuilt here from transformers' own tokenizer and model."""
    model, tokenizer = reference
    windows = tokenizer([clean(text)], truncation=True, max_length=fp32.chunk_tokens,
                        return_overflowing_tokens=True)["input_ids"]
    assert (len(windows) > 1) == (text == LONG)
    with torch.inference_mode():
        log_probs = [F.log_softmax(model(input_ids=torch.tensor([w])).logits[0], dim=0) for w in windows]
    weights = torch.tensor([len(w) - 2.0 for w in windows])
    expected = F.log_softmax((torch.stack(log_probs) * weights[:, None]).sum(0) / weights.sum(), dim=0)
    torch.testing.assert_close(fp32.log_probs([clean(text)])[0], expected, atol=1e-4, rtol=1e-4)


def test_the_bots_default_precision_reads_like_fp32(analyzer, fp32):
    texts = ["I got the job!!!", "honestly I just feel empty today", "the spider in the bathroom is HUGE", LONG]
    for ours, exact in zip(analyzer.analyze_many(texts), fp32.analyze_many(texts)):
        assert ours.emotion == exact.emotion
        assert max(abs(ours.probs[k] - exact.probs[k]) for k in ours.probs) < 0.03


def test_context_pair_matches_transformers_sentence_pairs(reference, fp32):
    """With a previous message, the input is BERT's sentence pair ([CLS] message [SEP] context [SEP],
    token types 0 then 1), as transformers' tokenizer builds it and its model reads it."""
    model, tokenizer = reference
    message, context = "no.", "did you get the job?"
    pair = tokenizer(clean(message), clean(context), return_tensors="pt")
    with torch.inference_mode():
        expected = F.log_softmax(model(**pair).logits[0], dim=0)
    torch.testing.assert_close(fp32.log_probs([clean(message)], [clean(context)])[0], expected, atol=1e-4, rtol=1e-4)
