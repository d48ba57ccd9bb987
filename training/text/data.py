"""Training and validation data for the text model, in our 7-label vocabulary.

GoEmotions (Reddit comments, 27 fine labels) is grouped with ``CHAT_LABEL``: what each fine label means
in a chat, not GoEmotions' Ekman grouping (which files curiosity and confusion under surprise, so a
model trained on it reads almost every question as surprise). MELD (TV-series dialogue) and DailyDialog
(everyday dialogue) come with 7 labels already and with their conversations, so each line carries the
lines before it (``context``) for the second-segment experiment. DailyDialog's train text is not
available; its validation split is cut in two halves **by dialogue** (``dd_half``), one trained on, the
other held out.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from emotions import EMOTIONS, INDEX
from training import SHARED_DATA
from training.text.hinglish import romanise

DEFAULT_DATA = SHARED_DATA / "goemotions"
DIALOGUE_DATA = SHARED_DATA / "dialogue"
HINDI_DATA = SHARED_DATA / "hindi"
# Our own hand-written chat-style Hinglish lines (protocol: MODEL_CARD.md, "Other languages").
HINGLISH_CHAT = Path(__file__).resolve().parent / "hinglish_chat.tsv"

# GoEmotions fine label -> what a chat user who writes such a line is feeling (the card says why).
CHAT_LABEL = {
    "admiration": "happy", "amusement": "happy", "excitement": "happy", "gratitude": "happy", "joy": "happy",
    "love": "happy", "optimism": "happy", "pride": "happy", "relief": "happy",
    "anger": "angry", "annoyance": "angry",
    "disgust": "disgust",
    "fear": "fear", "nervousness": "fear",
    "sadness": "sad", "disappointment": "sad", "embarrassment": "sad", "grief": "sad", "remorse": "sad",
    "surprise": "surprise",
    # Asking, wondering, agreeing, disagreeing, wanting, caring and "oh I see" are what people write
    # in ordinary conversation: on their own they are not a feeling a reader would name.
    "curiosity": "neutral", "confusion": "neutral", "realization": "neutral", "approval": "neutral",
    "disapproval": "neutral", "desire": "neutral", "caring": "neutral",
    "neutral": "neutral",
}
# GoEmotions' own Ekman grouping, kept to compare against (training.text.evaluate --mapping ekman).
EKMAN_LABEL = {
    **{f: "happy" for f in ("joy", "amusement", "approval", "excitement", "gratitude", "love", "optimism",
                            "relief", "pride", "admiration", "desire", "caring")},
    **{f: "angry" for f in ("anger", "annoyance", "disapproval")}, "disgust": "disgust",
    "fear": "fear", "nervousness": "fear",
    **{f: "sad" for f in ("sadness", "disappointment", "embarrassment", "grief", "remorse")},
    **{f: "surprise" for f in ("surprise", "realization", "confusion", "curiosity")}, "neutral": "neutral",
}
MAPPINGS = {"chat": CHAT_LABEL, "ekman": EKMAN_LABEL}
# The dialogue sets' label names -> ours.
DIALOGUE_LABEL = {"anger": "angry", "disgust": "disgust", "fear": "fear", "joy": "happy", "sadness": "sad",
                  "surprise": "surprise", "neutral": "neutral"}
HINDI_LABEL = {"anger": "angry", "joy": "happy", "sadness": "sad", "neutral": "neutral"}


@dataclass
class Examples:
    texts: list[str]
    targets: np.ndarray   # float32 [N, 7]: uniform over the example's distinct labels
    groups: list[set[int]]  # the gold label ids of each example
    # Earlier lines of the same conversation: previous[i] the line just before, same_speaker[i] the
    # line two before (in two-party dialogue, the same speaker's previous line). '' when there is none.
    previous: list[str] = field(default_factory=list)
    same_speaker: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, index: list[int] | np.ndarray) -> Examples:
        def pick(values: list) -> list:
            return [values[i] for i in index]
        return Examples(pick(self.texts), self.targets[np.asarray(index, dtype=int)], pick(self.groups),
                        pick(self.previous) if self.previous else [], pick(self.same_speaker) if self.same_speaker else [])


def _examples(texts: list[str], groups: list[set[int]], previous: list[str] | None = None,
              same_speaker: list[str] | None = None) -> Examples:
    targets = np.zeros((len(texts), len(EMOTIONS)), dtype=np.float32)
    for row, g in enumerate(groups):
        targets[row, list(g)] = 1.0 / len(g)
    return Examples(texts, targets, groups, previous or [], same_speaker or [])


def fine_to_label(data_dir: Path, mapping: str = "chat") -> list[int]:
    """Index of our label for each GoEmotions fine label id (0..27)."""
    names = (data_dir / "emotions.txt").read_text().split()
    return [INDEX[MAPPINGS[mapping][name]] for name in names]


def chat_groups(labels: set[int]) -> set[int]:
    """A comment tagged with an emotion and with something we read as neutral shows that emotion."""
    emotional = labels - {INDEX["neutral"]}
    return emotional or labels


def load(split: str, data_dir: Path | str = DEFAULT_DATA, mapping: str = "chat") -> Examples:
    """GoEmotions `split` (train, dev, test) in our labels."""
    data_dir = Path(data_dir)
    to_label = fine_to_label(data_dir, mapping)
    texts, groups = [], []
    with open(data_dir / f"{split}.tsv", newline="", encoding="utf-8") as f:
        for text, ids, _ in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            labels = {to_label[int(i)] for i in ids.split(",")}
            texts.append(text)
            groups.append(chat_groups(labels) if mapping == "chat" else labels)
    return _examples(texts, groups)


def dd_half(dialogue: int) -> str:
    """DailyDialog validation, split by conversation: even dialogue ids are trained on, odd ones held out."""
    return "train" if dialogue % 2 == 0 else "holdout"


def load_dialogue(name: str, data_dir: Path | str = DIALOGUE_DATA) -> Examples:
    """One of: meld_train, meld_validation, dailydialog_train (the even half), dailydialog_holdout (odd half)."""
    file, _, half = name.partition("_")
    path = Path(data_dir) / (f"{file}_validation.tsv" if file == "dailydialog" else f"{name}.tsv")
    texts, groups, previous, same_speaker = [], [], [], []
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    history: dict[str, list[str]] = {}
    for row in rows:
        lines = history.setdefault(row["dialogue"], [])
        if file != "dailydialog" or dd_half(int(row["dialogue"])) == half:
            texts.append(row["text"])
            groups.append({INDEX[DIALOGUE_LABEL[row["label"]]]})
            previous.append(lines[-1] if lines else "")
            same_speaker.append(lines[-2] if len(lines) > 1 else "")
        lines.append(row["text"])
    return _examples(texts, groups, previous, same_speaker)


def load_hindi(data_dir: Path | str = HINDI_DATA) -> Examples:
    """BHAAV validation (Hindi story sentences): anger, joy, sadness, neutral in our names."""
    return _load_bhaav_labelled(Path(data_dir) / "bhaav_validation.tsv")


def _load_bhaav_labelled(path: Path) -> Examples:
    """A `text<TAB>label` file in BHAAV's label names (anger, joy, sadness, neutral)."""
    texts, groups = [], []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            texts.append(row["text"])
            groups.append({INDEX[HINDI_LABEL[row["label"]]]})
    return _examples(texts, groups)


def load_hinglish(data_dir: Path | str = HINDI_DATA) -> Examples:
    """BHAAV validation romanised into casual Latin-script Hindi by rule (``training.text.hinglish``)."""
    hindi = load_hindi(data_dir)
    return _examples([romanise(text) for text in hindi.texts], hindi.groups)


def load_hinglish_chat(path: Path | str = HINGLISH_CHAT) -> Examples:
    """Chat-style Hinglish lines written for this check, in BHAAV's four labels (committed; not real chat)."""
    return _load_bhaav_labelled(Path(path))
