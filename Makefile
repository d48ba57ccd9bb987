# moodtune - every command installs what it needs first (into .venv), then does its job.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# CPU wheels of torch. Here pip finds torch 2.13.0+cpu in its find-links; elsewhere set e.g.
# TORCH_INDEX="--extra-index-url https://download.pytorch.org/whl/cpu" (the Dockerfile does).
TORCH_INDEX ?=
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install run test lint demo bench bench-scale train-face train-text eval clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(TORCH_INDEX) -c constraints.txt -e ".[test]"
	# facenet-pytorch pins torch<2.3 and numpy<2; its code runs fine on ours.
	$(PY) -m pip install -q --no-deps -c constraints.txt facenet-pytorch==2.6.0
	# nrclex: only its NRC lexicon file is read (training/text/evaluate.py), not its TextBlob front end.
	$(PY) -m pip install -q --no-deps -c constraints.txt nrclex==4.1.0
	touch $@

run: install
	$(PY) bot.py

test: install lint
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

demo: install
	$(PY) -m playground.demo

bench: install
	$(PY) -m bench.vision
	$(PY) -m bench.nlp
	$(PY) -m bench.music
	$(PY) -m bench.bot
	$(PY) -m bench.hostile_images

# The scaled-out form (issue #27's targets): needs PostgreSQL and Redis, by TEST_POSTGRES_URL and TEST_REDIS_URL.
bench-scale: install
	$(PY) -m bench.scale

train-face: install
	$(PY) -m training.face.train

train-text: install
	$(PY) -m training.text.train

eval: install
	$(PY) -m training.face.evaluate
	$(PY) -m training.text.evaluate
	$(PY) -m training.fusion.evaluate
	$(PY) -m training.music.evaluate
	$(PY) -m training.readme

clean:
	rm -rf $(VENV) .pytest_cache
