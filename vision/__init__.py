"""vision: faces in a photo and how each one looks."""
import torchvision_cpu

torchvision_cpu.install()

from vision.analyzer import Face, FaceAnalyzer  # noqa: E402  (needs the CPU nms above)
from vision.classifier import DEFAULT_MODEL_DIR  # noqa: E402
from vision.image import ImageError  # noqa: E402

__all__ = ["DEFAULT_MODEL_DIR", "Face", "FaceAnalyzer", "ImageError"]
