"""vision: faces in a photo and how each one looks."""
import torchvision_cpu

torchvision_cpu.install()
