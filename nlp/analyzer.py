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
from nlp import hinglish, multilingual, segments
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
    confidence: float        # top probability, times the English share when only English was read
    language: str            # ISO 639-1 code detected ("en" when too short to tell)
    low_confidence: bool     # mostly unread (non-English, no multilingual head), or no label clearly ahead


def readable(text: str, cleaned: str) -> bool:
    """False for commands and for text with nothing left to read once cleaned (empty, URL-only, "...")."""
    return not COMMAND.match(text) and bool(READABLE.search(cleaned))


class TextAnalyzer:
    """Calibrated emotion readings of chat messages. Thread-safe: share one instance."""

    def __init__(self, model_dir: Path | str = DEFAULT_MODEL_DIR, dtype: torch.dtype | None = None,
                 multilingual_dir: Path | str | None = multilingual.DEFAULT_DIR):
        """`dtype` of the weights and the math; by default `fast_dtype()`. `multilingual_dir`: the head that
        reads non-English text (nlp.multilingual); None, absent, or its wheels not installed: English only,
        and non-English text gets the English model's guess with a lowered confidence."""
        model_dir = Path(model_dir)
        self.dtype = dtype or fast_dtype()
        self.model, config = text_model.load(model_dir, self.dtype)
        labels = [config["id2label"][str(i)] for i in range(len(EMOTIONS))]
        if tuple(labels) != EMOTIONS:
            raise ValueError(f"{model_dir}: labels {labels} are not {EMOTIONS}")
        self.temperature = float(config["calibration_temperature"])
        self.chunk_tokens = int(config["chunk_tokens"])
        # Settings fixed once, so the tokenizer is read-only from here on; nlp.segments cuts the windows
        # and adds [CLS] ... [SEP] (the same windows as transformers' return_overflowing_tokens).
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        pad = self.tokenizer.token_to_id("[PAD]")
        if pad is None:
            raise ValueError(f"{model_dir}: the tokenizer has no [PAD] token")
        self.pad_token_id: int = pad
        self.cls_id, self.sep_id = (self._special(token) for token in ("[CLS]", "[SEP]"))
        lang.identifier()  # load the language model now, not on the first message
        self.multilingual = (multilingual.MultilingualReader(multilingual_dir, self.dtype)
                             if multilingual_dir and Path(multilingual_dir).exists() and multilingual.installed() else None)

    def analyze(self, text: str, context: str | None = None) -> TextReading | None:
        """None for empty text, commands, and text with nothing readable. `context`: the user's previous
        message, read as a second segment (see MODEL_CARD.md, "Context"); None or unreadable: no context."""
        return self.analyze_many([text], [context])[0]

    def analyze_many(self, texts: list[str], contexts: list[str | None] | None = None) -> list[TextReading | None]:
        """`contexts[i]` (optional) is the previous message of the user who wrote `texts[i]`."""
        if contexts is not None and len(contexts) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(contexts)} contexts")
        cleaned = [clean(text) for text in texts]
        keep = [i for i, text in enumerate(texts) if readable(text, cleaned[i])]
        readings: list[TextReading | None] = [None] * len(texts)
        if not keep:
            return readings
        previous = [self._context((contexts or [None] * len(texts))[i]) for i in keep]
        languages = [lang.detect(texts[i]) for i in keep]
        # Each model reads its share of the letters: an all-Hindi line goes to the multilingual head alone,
        # an English line never reaches it.
        english = [row for row, language in enumerate(languages) if language.english_share > 0 or not self.multilingual]
        foreign = [row for row, language in enumerate(languages) if language.english_share < 1] if self.multilingual else []
        probs = torch.zeros(len(keep), len(EMOTIONS))
        if english:
            log_probs = self.log_probs([cleaned[keep[row]] for row in english], [previous[row] for row in english])
            probs[english] = F.softmax(log_probs / self.temperature, dim=1)
        if self.multilingual and foreign:
            share = torch.tensor([languages[row].english_share for row in foreign])[:, None]
            # Hindi typed in Latin letters is spelled back in Devanagari, which e5 reads far better (MODEL_CARD.md).
            other = self.multilingual.probs([hinglish.in_devanagari(cleaned[keep[row]]) for row in foreign])
            probs[foreign] = share * probs[foreign] + (1 - share) * other
        for i, row, language in zip(keep, probs.tolist(), languages):
            readings[i] = self._reading(texts[i], dict(zip(EMOTIONS, row)), language, bool(self.multilingual))
        return readings

    def _special(self, token: str) -> int:
        token_id = self.tokenizer.token_to_id(token)
        if token_id is None:
            raise ValueError(f"the tokenizer has no {token} token")
        return token_id

    @staticmethod
    def _context(context: str | None) -> str:
        """The cleaned previous message, or '' when there is none worth reading."""
        cleaned = clean(context) if context else ""
        return cleaned if context and readable(context, cleaned) else ""

    @torch.inference_mode()
    def log_probs(self, cleaned: list[str], contexts: list[str] | None = None) -> torch.Tensor:
        """Uncalibrated log-probabilities [N, 7] of cleaned texts (each with an optional cleaned previous
        message, '' for none), windows pooled (see module doc)."""
        contexts = contexts or [""] * len(cleaned)
        messages = self.tokenizer.encode_batch(cleaned, add_special_tokens=False)
        previous = self.tokenizer.encode_batch(contexts, add_special_tokens=False)
        windows, owners = [], []
        for i, (message, context) in enumerate(zip(messages, previous)):
            for ids, kinds in segments.windows(message.ids, context.ids, self.chunk_tokens, self.cls_id, self.sep_id):
                windows.append((torch.tensor(ids), torch.tensor(kinds)))
                owners.append(i)
        owner = torch.tensor(owners)
        window_log_probs = torch.empty(len(windows), len(EMOTIONS))
        order = np.argsort([len(ids) for ids, _ in windows], kind="stable")  # similar lengths: little padding
        for start in range(0, len(order), BATCH_SIZE):
            index = order[start:start + BATCH_SIZE]
            input_ids, mask, types = self._padded([windows[i] for i in index])
            logits = self.model(input_ids, mask, types)[:len(index)]
            window_log_probs[torch.from_numpy(index)] = F.log_softmax(logits.float(), dim=1)
        # Weighted by the message tokens each window holds (not [CLS], [SEP] or the context).
        weights = torch.tensor([max(int((types == 0).sum()) - 2, 1) for _, types in windows], dtype=torch.float32)
        pooled = torch.zeros(len(cleaned), len(EMOTIONS)).index_add_(0, owner, window_log_probs * weights[:, None])
        pooled /= torch.zeros(len(cleaned)).index_add_(0, owner, weights)[:, None]
        return F.log_softmax(pooled, dim=1)

    def _padded(self, windows: list[tuple[torch.Tensor, torch.Tensor]]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Token ids, attention mask and token types, padded to a few bucketed shapes. CPU kernels keep
        state per input shape (oneDNN primitives and their buffers), so every new (rows, length) pair
        costs memory for good: unbucketed, RSS grew by 680 MB over 300 batches of random shapes."""
        rows = 1 << (len(windows) - 1).bit_length()  # 1, 2, 4, ... BATCH_SIZE
        length = -(-max(len(ids) for ids, _ in windows) // PAD_TO) * PAD_TO
        input_ids = torch.full((rows, length), self.pad_token_id, dtype=torch.long)
        mask = torch.zeros((rows, length), dtype=torch.long)
        types = torch.zeros((rows, length), dtype=torch.long)
        for row in range(rows):
            ids, kinds = windows[min(row, len(windows) - 1)]  # filler rows repeat the last window; dropped after
            input_ids[row, :len(ids)], mask[row, :len(ids)], types[row, :len(ids)] = ids, 1, kinds
        return input_ids, mask, types

    @staticmethod
    def _reading(text: str, probs: dict[str, float], language: lang.Language, reads_all: bool) -> TextReading:
        """`reads_all`: the multilingual head read the non-English part; else only English was understood."""
        top = emotions.top(probs)
        sentiments = emotions.sentiment_probs(probs)
        understood = 1.0 if reads_all else language.english_share
        return TextReading(
            text=text, probs=probs, emotion=top, sentiment=max(sentiments, key=lambda name: sentiments[name]),
            valence=emotions.valence(probs), confidence=probs[top] * understood, language=language.code,
            low_confidence=understood < 0.5 or probs[top] < LOW_CONFIDENCE_BELOW)
