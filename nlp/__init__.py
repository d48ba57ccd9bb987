"""nlp: how a chat message feels - calibrated probabilities over emotions.EMOTIONS, sentiment, valence."""
import torchvision_cpu

torchvision_cpu.install()

from nlp.analyzer import DEFAULT_MODEL_DIR, TextAnalyzer, TextReading  # noqa: E402

__all__ = ["DEFAULT_MODEL_DIR", "TextAnalyzer", "TextReading"]
