# moodtune: the Telegram bot with its models baked in. CPU only, non-root.
#   docker build -t moodtune .
#   docker run --env-file .env -v moodtune-data:/data moodtune
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false \
    MPLCONFIGDIR=/tmp/matplotlib
WORKDIR /app

# Dependencies first (a layer that survives code changes): the Makefile's install, with CPU torch
# from PyTorch's CPU index. The project itself isn't installed: it runs from /app, beside models/.
ARG TORCH_INDEX="--extra-index-url https://download.pytorch.org/whl/cpu"
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
 && pip install $TORCH_INDEX -c constraints.txt -r /tmp/requirements.txt \
 # facenet-pytorch pins torch<2.3 and numpy<2; its code runs fine on ours (see the Makefile).
 && pip install --no-deps -c constraints.txt facenet-pytorch==2.6.0 \
 && rm /tmp/requirements.txt

COPY emotions.py bot.py ./
COPY vision vision
COPY nlp nlp
COPY fusion fusion
COPY music music
COPY storage storage
COPY bot bot
COPY models models

RUN useradd --system --uid 10001 --home-dir /data --create-home moodtune
USER moodtune
ENV DATABASE_URL=sqlite:////data/moodtune.db \
    HEALTH_FILE=/tmp/moodtune.alive
VOLUME /data
# Only used in webhook mode (WEBHOOK_URL set); long polling needs no open port.
EXPOSE 8443

# The heartbeat job touches HEALTH_FILE every 30 s after a database round trip; stale -> unhealthy.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["python", "-m", "bot.health"]
CMD ["python", "bot.py"]
