"""bot: the Telegram layer (python-telegram-bot 22) over vision, nlp, fusion, music and storage."""
import os

# oneDNN, behind torch's CPU kernels, keeps a compiled kernel and its buffers per input shape (1024 by
# default). Photos come in every size, so a long-running bot grew by about 1.5 MB per new size. 96
# keeps memory flat yet holds every shape of one photo's face search (MTCNN's image pyramid), so a
# photo of a size seen before reuses its kernels. Set before torch runs its first kernel.
os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "96")
