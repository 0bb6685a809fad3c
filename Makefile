# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test sysdeps bench bench-batch clean

# The virtual environment, re-installed when pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,dask]'
	touch $(STAMP)

# System packages: a CJK font for the charts and Chromium for the browser test.
# Installed with apt-get when running as root on Debian/Ubuntu; otherwise a hint is printed.
sysdeps:
	@if fc-list :lang=zh 2>/dev/null | grep -q . && command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing fonts-noto-cjk fonts-wqy-microhei chromium (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    fonts-noto-cjk fonts-wqy-microhei chromium >/dev/null; \
	else \
	  echo "note: install a Chinese font (fonts-noto-cjk) and chromium for charts and the browser test"; \
	fi

demo: $(STAMP) sysdeps
	$(VENV)/bin/kit check params/022006.yaml
	$(VENV)/bin/kit render params/022006.yaml --out reports

test: $(STAMP) sysdeps
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) benchmarks/check.py

# Batch rendering three ways (hand papermill+nbconvert loop, kit render, in-process floor): ~15 min.
bench-batch: $(STAMP) sysdeps
	$(PY) benchmarks/batch.py

clean:
	rm -rf $(VENV) reports build *.egg-info
