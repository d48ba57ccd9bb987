"""The shipped text model (MiniLM-L6, a 6-layer BERT, with a 7-label head) in plain torch, for inference.

training/text/train.py fine-tunes with transformers and saves with ``save_pretrained``; this file reads those
weights and does the same arithmetic as transformers' ``BertForSequenceClassification`` in eval mode
(tests/nlp/test_model.py checks the logits against it). Why not transformers at run time: importing
its modeling code pulls in sympy, torch._dynamo and torch.distributed, about 120 MB of resident
memory in the bot (measured), more than the model's own 45 MB. The weights stay in the file's fp16 and are
widened to fp32 where they are used (``Widen``): the same numbers as widening them once, in half the memory
(~45 MB less; ~2 ms a forward pass). Tokenizing uses ``tokenizers``, the
library behind transformers' fast tokenizer, with the saved ``tokenizer.json``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from torch import nn
from torch.nn.utils import parametrize

# transformers' parameter names -> ours (applied in order, as plain substring replacements).
RENAMES = [("bert.", ""), ("embeddings.word_embeddings", "word"), ("embeddings.position_embeddings", "position"),
           ("embeddings.token_type_embeddings", "token_type"), ("embeddings.LayerNorm", "embedding_norm"),
           ("encoder.layer.", "layers."), ("attention.self.", ""), ("attention.output.dense", "attention_out"),
           ("attention.output.LayerNorm", "attention_norm"), ("intermediate.dense", "ffn_in"),
           ("output.dense", "ffn_out"), ("output.LayerNorm", "ffn_norm"), ("pooler.dense", "pooler")]


@dataclass(frozen=True)
class Config:
    vocab_size: int
    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    intermediate_size: int
    max_position_embeddings: int
    type_vocab_size: int
    layer_norm_eps: float
    num_labels: int

    @classmethod
    def from_pretrained(cls, model_dir: Path) -> tuple[Config, dict[str, Any]]:
        """Our fields from transformers' config.json, and the whole json (labels, calibration, ...)."""
        raw = json.loads((model_dir / "config.json").read_text())
        if raw.get("model_type") != "bert" or raw.get("hidden_act") != "gelu" \
                or raw.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError(f"{model_dir}: not a BERT with gelu and absolute positions, which is all this reads")
        fields = {name: raw[name] for name in cls.__dataclass_fields__ if name != "num_labels"}
        return cls(**fields, num_labels=len(raw["id2label"])), raw


class Layer(nn.Module):
    """Post-norm transformer layer: self-attention, then a GELU feed-forward, each with a residual."""

    def __init__(self, cfg: Config):
        super().__init__()
        h = cfg.hidden_size
        self.heads = cfg.num_attention_heads
        self.query, self.key, self.value, self.attention_out = (nn.Linear(h, h) for _ in range(4))
        self.attention_norm = nn.LayerNorm(h, eps=cfg.layer_norm_eps)
        self.ffn_in, self.ffn_out = nn.Linear(h, cfg.intermediate_size), nn.Linear(cfg.intermediate_size, h)
        self.ffn_norm = nn.LayerNorm(h, eps=cfg.layer_norm_eps)

    def forward(self, x: torch.Tensor, attend: torch.Tensor) -> torch.Tensor:
        batch, length, hidden = x.shape
        q, k, v = (proj(x).view(batch, length, self.heads, -1).transpose(1, 2)
                   for proj in (self.query, self.key, self.value))
        attended = F.scaled_dot_product_attention(q, k, v, attn_mask=attend)
        x = self.attention_norm(x + self.attention_out(attended.transpose(1, 2).reshape(batch, length, hidden)))
        out: torch.Tensor = self.ffn_norm(x + self.ffn_out(F.gelu(self.ffn_in(x))))
        return out


class TextClassifier(nn.Module):
    """Token ids [B, L], attention mask [B, L] (1 = token, 0 = padding) and optional token types [B, L]
    -> logits [B, num_labels]."""

    def __init__(self, cfg: Config):
        super().__init__()
        self.word = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.position = nn.Embedding(cfg.max_position_embeddings, cfg.hidden_size)
        self.token_type = nn.Embedding(cfg.type_vocab_size, cfg.hidden_size)
        self.embedding_norm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.layers = nn.ModuleList(Layer(cfg) for _ in range(cfg.num_hidden_layers))
        self.pooler = nn.Linear(cfg.hidden_size, cfg.hidden_size)
        self.classifier = nn.Linear(cfg.hidden_size, cfg.num_labels)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        length = input_ids.shape[1]
        # Token type 0: the message; 1: an earlier message given as context (nlp.segments).
        types = self.token_type.weight[0] if token_type_ids is None else self.token_type(token_type_ids)
        x = self.word(input_ids).to(types.dtype) + self.position.weight[:length] + types
        x = self.embedding_norm(x)
        attend = attention_mask.bool()[:, None, None, :]  # every query may look at every real token
        for layer in self.layers:
            x = layer(x, attend)
        logits: torch.Tensor = self.classifier(torch.tanh(self.pooler(x[:, 0])))  # BERT's pooled [CLS]
        return logits


def _renamed(name: str) -> str:
    for old, new in RENAMES:
        name = name.replace(old, new)
    return name


class Widen(nn.Module):
    """A parametrization: the weight is stored narrow (the file's fp16) and read as `dtype`."""

    def __init__(self, dtype: torch.dtype):
        super().__init__()
        self.dtype = dtype

    def forward(self, stored: torch.Tensor) -> torch.Tensor:
        return stored.to(self.dtype)


def load(model_dir: Path | str, dtype: torch.dtype = torch.float32) -> tuple[TextClassifier, dict[str, Any]]:
    """The model in eval mode computing in `dtype`, and the saved config.json as a dict. Weights stored in a
    narrower dtype than `dtype` stay so: linear weights are widened as they are used, the word embeddings
    row by row as they are looked up."""
    model_dir = Path(model_dir)
    cfg, raw = Config.from_pretrained(model_dir)
    index = model_dir / "model.safetensors.index.json"
    files = sorted(set(json.loads(index.read_text())["weight_map"].values())) if index.exists() else ["model.safetensors"]
    weights = {_renamed(name): tensor for file in files for name, tensor in load_file(model_dir / file).items()}
    # Built on the CPU, not the meta device: initialising meta tensors imports torch._dynamo (+36 MB).
    model = TextClassifier(cfg)
    linears = {name: module for name, module in model.named_modules() if isinstance(module, nn.Linear)}
    narrow = {name for name in [*(f"{name}.weight" for name in linears), "word.weight"]
              if weights[name].dtype.itemsize < dtype.itemsize}
    weights = {name: tensor if name in narrow else tensor.to(dtype) for name, tensor in weights.items()}
    model.load_state_dict(weights, strict=True, assign=True)  # assign: the random initial weights go
    for name, module in linears.items():
        if f"{name}.weight" in narrow:
            parametrize.register_parametrization(module, "weight", Widen(dtype), unsafe=True)
    return model.eval(), raw
