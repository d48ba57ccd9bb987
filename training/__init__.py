"""What trains and measures the models: never imported by the running bot."""
from pathlib import Path

# Training data lives beside the repository (../shared/data), never inside it.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
