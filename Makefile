# The commands people type. `make demo` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# torch==2.13.0 must sit on the same pip line: it is the CPU wheel on this disk;
# anything else pulls a multi-GB CUDA build.
TORCH := torch==2.13.0
DEMO_INPUTS := samples/survey samples/interviews samples/reviews

.PHONY: setup demo test test-fast golden lint format bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' $(TORCH)
	touch $@

demo: setup
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/insight run $(DEMO_INPUTS) --out out/demo --seed 0
	@echo "Open the report: $(CURDIR)/out/demo/report.html"

# the full suite (CI)
test: setup
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python -m pytest -q

# the inner loop (< 2 minutes): everything but tests marked slow or browser
test-fast: setup
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python -m pytest -q -m "not slow and not browser" --durations=10

# after an intended change of the outputs on samples/: rewrite the snapshot that
# tests/test_samples_golden.py compares them with (prints how many values changed)
golden: setup
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python tests/golden.py --update

lint: setup
	$(BIN)/ruff check insight tests benchmarks models samples
	$(BIN)/ruff format --check insight tests benchmarks models samples
	$(BIN)/mypy

format: setup
	$(BIN)/ruff check --fix insight tests benchmarks models samples
	$(BIN)/ruff format insight tests benchmarks models samples

bench: setup
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python benchmarks/run_all.py

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
