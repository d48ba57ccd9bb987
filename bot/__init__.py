"""bot: the Telegram layer (python-telegram-bot 22) over vision, nlp, fusion, music and storage."""
import os

# oneDNN, behind torch's CPU kernels, keeps a compiled kernel and its buffers per input shape (1024 by
# default). Photos come in every size, so a long-running bot grew by about 1.5 MB per new size; 64
# keeps the common shapes warm and memory flat. Set before torch runs its first kernel.
os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "64")
