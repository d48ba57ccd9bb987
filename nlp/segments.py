"""Token ids of what the model reads: the message, and optionally an earlier message as a second segment.

Shared by training and inference so both build exactly the same inputs:
``[CLS] message [SEP]`` or, with context, ``[CLS] message [SEP] context [SEP]`` with token types 0 for
the message part and 1 for the context part (BERT's sentence-pair layout). A message longer than one
window is split into windows; each window carries the same context.
"""
from __future__ import annotations

CONTEXT_TOKENS = 32  # the end of the earlier message, the part nearest to the reply


def windows(message: list[int], context: list[int], chunk_tokens: int, cls: int, sep: int
            ) -> list[tuple[list[int], list[int]]]:
    """(token ids, token types) of each window of `message` (ids without special tokens)."""
    context = context[-CONTEXT_TOKENS:]
    tail = [*context, sep] if context else []
    room = chunk_tokens - 2 - len(tail)
    pieces = [message[start:start + room] for start in range(0, len(message), room)] or [[]]
    return [([cls, *piece, sep, *tail], [0] * (len(piece) + 2) + [1] * len(tail)) for piece in pieces]
