"""nlp: how a chat message feels - calibrated probabilities over emotions.EMOTIONS, sentiment, valence."""
import torchvision_cpu

torchvision_cpu.install()
