"""Read how a chat message feels with the shipped fine-tuned MiniLM (``models/text_emotion/``).

Text is cleaned exactly as in training (``nlp.text.clean``), split into windows of
``config.chunk_tokens`` tokens, and the windows are pooled: the token-count-weighted mean of each
window's log-probabilities, divided by the calibration temperature and renormalised. A geometric
mean of the windows' distributions, so a 4096-character message is read in full rather than cut at
128 tokens, and a one-window message gets exactly the calibrated softmax the temperature was fitted on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tokenizers import Tokenizer

import emotions
from emotions import EMOTIONS
from nlp import language as lang
from nlp import model as text_model
from nlp.text import clean

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "text_emotion"
# Telegram bot commands: "/start", "/mood@moodtune_bot now" (but not "/r/music is great").
COMMAND = re.compile(r"^\s*/\w+(@\w+)?(\s|$)")
READABLE = re.compile(r"[^\W_]", re.UNICODE)
BATCH_SIZE = 64  # a power of two: batches are padded to 1, 2, 4, ... rows
PAD_TO = 16  # windows are padded to a multiple of this many tokens
LOW_CONFIDENCE_BELOW = 0.3  # a top probability this low is barely above chance over 7 labels


def fast_dtype() -> torch.dtype:
    """bf16 where the CPU multiplies it natively (AVX512-BF16 or AMX; training ran under bf16 autocast
    too): measured here, 2.8x the batched throughput of fp32 (fp16 ran no faster than fp32), and the
    same label as fp32 on 5,410 of the 5,425 readable GoEmotions dev comments. Elsewhere fp32: without
    native support, reduced precision has no speed to offer (not measured: these cores all have it)."""
    native = [getattr(torch.cpu, name, lambda: False)() for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")]
    return torch.bfloat16 if any(native) else torch.float32


DTYPES = {"auto": None, "float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


@dataclass(frozen=True)
class TextReading:
    text: str                # the original text
    probs: dict[str, float]  # calibrated, over emotions.EMOTIONS
    emotion: str             # emotions.top(probs)
    sentiment: str           # "negative" | "neutral" | "positive"
    valence: float           # emotions.valence(probs), in [-1, 1]
    confidence: float        # top probability times the English share of the text
    language: str            # ISO 639-1 code detected ("en" when too short to tell)
    low_confidence: bool     # mostly not English, or no label clearly ahead


def readable(text: str, cleaned: str) -> bool:
    """False for commands and for text with nothing left to read once cleaned (empty, URL-only, "...")."""
    return not COMMAND.match(text) and bool(READABLE.search(cleaned))


class TextAnalyzer:
    """Calibrated emotion readings of chat messages. Thread-safe: share one instance."""

    def __init__(self, model_dir: Path | str = DEFAULT_MODEL_DIR, dtype: torch.dtype | None = None):
        """`dtype` of the weights and the math; by default `fast_dtype()`."""
        model_dir = Path(model_dir)
        self.dtype = dtype or fast_dtype()
        self.model, config = text_model.load(model_dir, self.dtype)
        labels = [config["id2label"][str(i)] for i in range(len(EMOTIONS))]
        if tuple(labels) != EMOTIONS:
            raise ValueError(f"{model_dir}: labels {labels} are not {EMOTIONS}")
        self.temperature = float(config["calibration_temperature"])
        self.chunk_tokens = int(config["chunk_tokens"])
        # Windows: truncation set once, so the tokenizer is read-only from here on; each window gets
        # its own [CLS] ... [SEP], as transformers' return_overflowing_tokens gives.
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=self.chunk_tokens)
        self.tokenizer.no_padding()
        self.pad_token_id = self.tokenizer.token_to_id("[PAD]")
        lang.identifier()  # load the language model now, not on the first message

    def analyze(self, text: str) -> TextReading | None:
        """None for empty text, commands, and text with nothing readable."""
        return self.analyze_many([text])[0]

    def analyze_many(self, texts: list[str]) -> list[TextReading | None]:
        cleaned = [clean(text) for text in texts]
        keep = [i for i, text in enumerate(texts) if readable(text, cleaned[i])]
        readings: list[TextReading | None] = [None] * len(texts)
        if not keep:
            return readings
        probs = F.softmax(self.log_probs([cleaned[i] for i in keep]) / self.temperature, dim=1)
        for i, row in zip(keep, probs.tolist()):
            readings[i] = self._reading(texts[i], dict(zip(EMOTIONS, row)))
        return readings

    @torch.inference_mode()
    def log_probs(self, cleaned: list[str]) -> torch.Tensor:
        """Uncalibrated log-probabilities [N, 7] of cleaned texts, windows pooled (see module doc)."""
        windows, owners = [], []
        for i, encoding in enumerate(self.tokenizer.encode_batch(cleaned)):
            for window in (encoding, *encoding.overflowing):
                windows.append(torch.tensor(window.ids))
                owners.append(i)
        owner = torch.tensor(owners)
        window_log_probs = torch.empty(len(windows), len(EMOTIONS))
        order = np.argsort([len(w) for w in windows], kind="stable")  # similar lengths: little padding
        for start in range(0, len(order), BATCH_SIZE):
            index = order[start:start + BATCH_SIZE]
            input_ids, mask = self._padded([windows[i] for i in index])
            logits = self.model(input_ids, mask)[:len(index)]
            window_log_probs[torch.from_numpy(index)] = F.log_softmax(logits.float(), dim=1)
        weights = torch.tensor([max(len(w) - 2, 1) for w in windows], dtype=torch.float32)  # minus [CLS], [SEP]
        pooled = torch.zeros(len(cleaned), len(EMOTIONS)).index_add_(0, owner, window_log_probs * weights[:, None])
        pooled /= torch.zeros(len(cleaned)).index_add_(0, owner, weights)[:, None]
        return F.log_softmax(pooled, dim=1)

    def _padded(self, windows: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        """Token ids and attention mask, padded to a few bucketed shapes. CPU kernels keep state per
        input shape (oneDNN primitives and their buffers), so every new (rows, length) pair costs
        memory for good: unbucketed, RSS grew by 680 MB over 300 batches of random shapes."""
        rows = 1 << (len(windows) - 1).bit_length()  # 1, 2, 4, ... BATCH_SIZE
        length = -(-max(len(w) for w in windows) // PAD_TO) * PAD_TO
        input_ids = torch.full((rows, length), self.pad_token_id, dtype=torch.long)
        mask = torch.zeros((rows, length), dtype=torch.long)
        for row in range(rows):
            window = windows[min(row, len(windows) - 1)]  # filler rows repeat the last window; dropped after
            input_ids[row, :len(window)], mask[row, :len(window)] = window, 1
        return input_ids, mask

    @staticmethod
    def _reading(text: str, probs: dict[str, float]) -> TextReading:
        language = lang.detect(text)
        top = emotions.top(probs)
        sentiments = emotions.sentiment_probs(probs)
        confidence = probs[top] * language.english_share
        return TextReading(
            text=text, probs=probs, emotion=top, sentiment=max(sentiments, key=sentiments.get),
            valence=emotions.valence(probs), confidence=confidence, language=language.code,
            low_confidence=language.english_share < 0.5 or probs[top] < LOW_CONFIDENCE_BELOW)
