# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
# Both need Python >= 3.10 with its venv module (Debian/Ubuntu: apt-get install python3-venv);
# nothing else from the system. `make test` also installs Chromium (for the browser test) with
# apt-get when run as root on Debian/Ubuntu.
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast lint check-wheel sysdeps bench bench-batch clean

# The virtual environment, re-installed when pyproject.toml changes. A venv left without pip
# (python3 -m venv fails half-way on Debian without python3-venv) is made again.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null || \
	  { echo "error: Python >= 3.10 is needed ($(PYTHON) is $$($(PYTHON) --version 2>&1)); run make PYTHON=python3.x"; exit 1; }
	@test -x $(VENV)/bin/pip || { rm -rf $(VENV); $(PYTHON) -m venv $(VENV) || \
	  { rm -rf $(VENV); echo "error: $(PYTHON) -m venv failed; on Debian/Ubuntu: apt-get install python3-venv"; exit 1; }; }
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,dask]'
	touch $(STAMP)

# What the suite needs from the system (Chromium, for the browser and PDF tests): installed with
# apt-get as root on Debian/Ubuntu, waiting while another apt/dpkg holds the lock; otherwise it says
# what to install. See tools/sysdeps.sh.
sysdeps:
	@sh tools/sysdeps.sh

demo: $(STAMP)
	$(VENV)/bin/kit check params/022006.yaml
	$(VENV)/bin/kit render params/022006.yaml --out reports

# The whole suite, on TEST_JOBS processes (pytest-xdist; a test file stays in one process, so the
# renders and PDFs a file shares are made once). TEST_JOBS=0 runs it in this process alone.
TEST_JOBS ?= 2
PYTEST_JOBS = $(if $(filter 0,$(TEST_JOBS)),,-n $(TEST_JOBS) --dist loadfile)

test: $(STAMP) sysdeps
	$(PY) -m pytest -q $(PYTEST_JOBS)

# Everything that starts no Jupyter kernel (tests marked `kernel` are left out).
test-fast: $(STAMP)
	$(PY) -m pytest -q $(PYTEST_JOBS) -m "not kernel"

# The linter alone (the suite runs it too: tests/test_packaging.py).
lint: $(STAMP)
	$(VENV)/bin/ruff check kit tests benchmarks tools

# Build the wheel, install it in a clean venv, run kit synth/check/render from it (CI).
check-wheel: $(STAMP)
	$(PY) tools/check_wheel.py

bench: $(STAMP)
	$(PY) benchmarks/check.py

# Batch rendering three ways (hand papermill+nbconvert loop, kit render, in-process floor): ~15 min.
bench-batch: $(STAMP)
	$(PY) benchmarks/batch.py

clean:
	rm -rf $(VENV) reports build *.egg-info
