# Two entry points: `make report` (main job on the bundled corpus) and `make test` (whole suite).
# Both create or reuse the local virtual environment .venv by themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.mediamon-installed

.PHONY: report test bench venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/mediamon report notebooks/actor_report.ipynb

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/run.py --corpus ../shared/corpora/tehrantimes

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
