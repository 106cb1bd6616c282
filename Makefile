# One-command set-up: a local virtualenv with CPU torch first, then the package.
# Re-running is fast: the install step is skipped while pyproject.toml is unchanged.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# one test at a time to each worker, the long ones first (tests/conftest.py): the two workers end together
PYTEST_ARGS ?= -n 2 --maxschedchunk 1 --durations=15

.PHONY: demo test env bench validate-engines clean system-deps

env: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[test]"
	@rm -f $(VENV)/.installed-*
	@touch $@

# The main job: the default screening study (re-running skips what is stored); `ssbi run` writes its report
# (`ssbi report configs/studies/default.yaml -o DIR` writes it again from the store).
demo: $(STAMP)
	$(VENV)/bin/ssbi run configs/studies/default.yaml -o out/report

# Real-DFT tests need Debian's cp2k, the report test headless chromium; as root (CI) install them,
# otherwise those tests skip.
SYSTEM_PACKAGES := cp2k cp2k-data openmpi-bin chromium
system-deps:
	@if command -v cp2k.psmp >/dev/null 2>&1 && command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing $(SYSTEM_PACKAGES) (Debian) for the real-DFT and report tests"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(SYSTEM_PACKAGES) >/dev/null || \
		(apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(SYSTEM_PACKAGES) >/dev/null); \
	else echo "cp2k/chromium not installed and not root: real-CP2K tests skip, the report is not rendered"; fi

test: $(STAMP) system-deps
	@$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

bench: $(STAMP)
	$(PY) benchmarks/bench_startup.py
	$(PY) benchmarks/bench_build.py
	$(PY) benchmarks/bench_engines.py
	$(PY) benchmarks/bench_store.py
	$(PY) benchmarks/bench_adhesion.py
	$(PY) benchmarks/bench_windows.py
	$(PY) benchmarks/bench_phase_sets.py
	$(PY) benchmarks/bench_md.py
	$(PY) benchmarks/bench_batched.py
	SSBI_DATA_DIR=$$(mktemp -d) $(PY) benchmarks/bench_elastic.py

# Engine-by-engine validation (issue 16; about 1.5 h on 2 cores; cached per engine and block, so re-runs resume)
validate-engines: $(STAMP)
	$(PY) benchmarks/validate_engines.py

clean:
	rm -rf $(VENV) out .pytest_cache
