# Thin wrappers. Each target sets up .venv first (idempotent: a second call reuses it).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup book test lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (jsna)" >/dev/null
	touch $(STAMP)

book: setup
	$(BIN)/jsna build

test: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -n 2

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports --no-cache

clean:
	rm -rf _build book/generated .jsna-cache
