# lensbook: `make serve` to read the site locally, `make test` to check everything.
#
# Each target creates or updates the virtual environment in $(VENV) first.
# TORCH_SPEC pins the torch build that is installed before the package; point
# TORCH_INDEX_URL at another wheel index for a CUDA or ROCm build, e.g.
#   make test TORCH_INDEX_URL=https://download.pytorch.org/whl/cu126

PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
TORCH_INDEX_URL ?=
HOST ?= 127.0.0.1:8000

BIN := $(VENV)/bin
STAMP := $(VENV)/.lensbook-installed
export NO_MKDOCS_2_WARNING := 1
export DISABLE_MKDOCS_2_WARNING := true

.PHONY: serve test test-fast build bench lighthouse screenshots figure-text venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml Makefile
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(if $(TORCH_INDEX_URL),--index-url $(TORCH_INDEX_URL)) "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -e ".[site,test]"
	@touch $@

serve: $(STAMP)
	$(BIN)/mkdocs serve --dev-addr $(HOST)

build: $(STAMP)
	$(BIN)/mkdocs build --strict

test: $(STAMP)
	$(BIN)/python -m pytest

# The inner loop: everything but the site build and the browser (markers in pyproject.toml)
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not build and not browser and not slow"

bench: $(STAMP)
	$(BIN)/python -m lensbook.site.bench $(BENCH_ARGS)

# Lighthouse on every page against the site served as a static host serves it (gzip);
# needs Node.js 20 and npm (Debian: apt-get install nodejs npm) and chromium.
lighthouse: $(STAMP)
	$(BIN)/python -m lensbook.site.lighthouse $(LIGHTHOUSE_ARGS)

# Every chapter page at 390 and 1280 px, light and dark, into screenshots/ (look at them)
screenshots: $(STAMP)
	$(BIN)/python -m lensbook.site.screenshots $(SCREENSHOTS_ARGS)

# Each figure's smallest text in CSS px as Chromium shows it at 390 and 1280 px (needs `make build`)
figure-text: $(STAMP)
	$(BIN)/python -m lensbook.site.figure_text --site site

clean:
	rm -rf site .cache tools/lighthouse/node_modules screenshots
