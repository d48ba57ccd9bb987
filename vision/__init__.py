"""vision: faces in a photo or a short video, and how each one looks."""
from vision.analyzer import Face, FaceAnalyzer
from vision.classifier import DEFAULT_MODEL_DIR
from vision.image import ImageError
from vision.video import VideoError

__all__ = ["DEFAULT_MODEL_DIR", "Face", "FaceAnalyzer", "ImageError", "VideoError"]
