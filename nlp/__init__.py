"""nlp: how a chat message feels - calibrated probabilities over emotions.EMOTIONS, sentiment, valence."""
from nlp.analyzer import DEFAULT_MODEL_DIR, TextAnalyzer, TextReading

__all__ = ["DEFAULT_MODEL_DIR", "TextAnalyzer", "TextReading"]
