# pglab: the course kit's entry points.  Everything runs from the local .venv.
# Debian's /usr/bin/python3 where it exists: an environment built from it is readable by
# every user (sandboxed kernels, hub students), unlike one from a Python under /root.
PYTHON ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || echo python3)
VENV   := .venv
BIN    := $(abspath $(VENV))/bin
# nbgrader runs `alembic` from PATH when it creates a gradebook: the venv must come first.
export PATH := $(BIN):$(PATH)

.PHONY: install system-packages demo test test-fast lab hub hub-stop release check-release lint format benchmark clean

# pglab is installed editable, so pip compiles none of its modules; every nbgrader and pglab
# process imports most of them (nbgrader_config.py loads the preprocessors). `install`
# compiles them each time (compileall skips what is up to date): where PYTHONDONTWRITEBYTECODE
# is set, Python would otherwise compile them again in every process.

install: $(VENV)/.installed
	@$(MAKE) -s system-packages NEEDED="$(DEMO_PACKAGES)"
	@$(BIN)/python -m compileall -q -j0 autograder >/dev/null

# What the machine needs besides Python packages, as "command:Debian package" pairs.
# Grading runs every student kernel in bubblewrap (docs/sandbox.md); the browser journeys
# (tests/browser, tests/hub) drive Debian's Chromium (Playwright cannot download its own
# offline); `make hub` and its journeys need Node and npm (configurable-http-proxy) and curl.
DEMO_PACKAGES := bwrap:bubblewrap
TEST_PACKAGES := $(DEMO_PACKAGES) chromium:chromium node:nodejs npm:npm curl:curl
NEEDED ?= $(TEST_PACKAGES)

## Install the system packages in NEEDED that are missing (root with apt-get), or say the one
## apt-get line to run.
system-packages:
	@missing=""; for pair in $(NEEDED); do \
	  command -v "$${pair%%:*}" >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "pglab: installing$$missing (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "pglab: missing system packages; as root run: apt-get install -y$$missing" >&2; \
	  fi; \
	fi

# PyTorch (the actor_critic assignment), pinned in pyproject.toml. Where pip finds no CPU-only
# build of it locally, PyPI's default Linux torch brings several GB of CUDA libraries; there,
# TORCH_INDEX=https://download.pytorch.org/whl/cpu installs the CPU build (about 750 MB) first.
TORCH_VERSION := 2.13.0
TORCH_INDEX ?=

# The venv needs Python's venv module (Debian ships it as python3-venv).
$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; \
	  else echo "pglab: as root run: apt-get install -y python3-venv" >&2; exit 1; fi; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(if $(TORCH_INDEX),$(BIN)/python -m pip install --quiet --no-compile torch==$(TORCH_VERSION) --index-url $(TORCH_INDEX))
	$(BIN)/python -m pip install --quiet --no-compile -e '.[test]'
	@# pip compiles what it installs on one core; compileall uses them all (12 s of about a
	@# minute on 2 cores). Like pip, it skips what does not compile (torch ships files of
	@# newer Python syntax), hence the ignored status.
	@$(BIN)/python -m compileall -q -j0 $(VENV)/lib >/dev/null 2>&1 || true
	$(BIN)/jupyter server extension enable --sys-prefix nbgrader.server_extensions.formgrader >/dev/null 2>&1 || true
	touch $@

## Regenerate release/ and solutions/, then grade the bundled demo classes with pglab grade.
demo: install
	$(BIN)/pglab release
	$(BIN)/python demo/run_demo.py

# pytest-xdist. `make test` hands out whole test files (a file's module fixtures are built
# once; the graded corpora and scratch courses are shared between workers, tests/conftest.py),
# the longest first (tests/scheduling.py, measured), to one worker more than there are cores:
# each worker spends part of its time waiting (kernels starting, the hub spawning servers,
# the browser): on 2 cores two workers kept them about 91 % busy (14 min 33 s: the CPU time
# of a run over twice its length), three 96 % (13 min 40 s, from /proc/stat). Not `--dist
# loadgroup`: with pytest 9, pytest-xdist 3.8 no longer tags the tests of a group, so
# loadgroup hands out single tests (two workers started two hubs at once). `make test-fast`,
# whose fixtures are cheap, hands out single tests, one per core.
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))

## The whole test suite (includes the nbgrader pipeline, the browser and hub journeys and the
## release sync check).
# On a fresh machine the system packages (apt-get, about 20 s) install while the .venv is
# built (about a minute, much of it pip waiting on downloads); one after the other where
# Python's venv module is missing too (both would need apt-get's lock).
test:
	@if $(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1; then \
	  $(MAKE) -s system-packages NEEDED="$(TEST_PACKAGES)" & packages=$$!; \
	  $(MAKE) --no-print-directory install DEMO_PACKAGES=; built=$$?; \
	  wait $$packages; installed=$$?; [ $$built = 0 ] || exit $$built; exit $$installed; \
	else $(MAKE) --no-print-directory install && \
	  $(MAKE) -s system-packages NEEDED="$(TEST_PACKAGES)"; fi
	@$(BIN)/python -m pytest -ra -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder || { status=$$?; [ $$status != 5 ] || \
	  echo "pglab: pytest collected no tests; that is a failure of the suite, not a pass." >&2; \
	  exit $$status; }

## Only the fast unit tests (no notebook execution, no browser).
test-fast: install
	$(BIN)/python -m pytest -ra -n auto --dist load -m "not pipeline and not browser"

## JupyterLab with nbgrader's extensions, in this course directory, with a local exchange
## (.exchange/) and student folder (student/): lab/nbgrader_config.py, docs/lab.md.
lab: install
	mkdir -p .exchange student && chmod 777 .exchange
	JUPYTER_CONFIG_PATH=$(CURDIR)/lab $(BIN)/jupyter lab --notebook-dir=. \
	  $(if $(filter 0,$(shell id -u)),--allow-root)

## JupyterHub for a whole class on this machine (root): real users with PAM login, an
## instructor, a TA, two demo students, nbgrader's shared exchange. hub/, docs/deploy.md.
hub:
	bash hub/hub.sh start

## Stop the hub, every user's server and the proxy that `make hub` started.
hub-stop:
	bash hub/hub.sh stop

release: install
	$(BIN)/pglab release

check-release: install
	$(BIN)/pglab release --check

lint: install
	$(BIN)/ruff check autograder tests benchmarks demo nbgrader_config.py
	$(BIN)/ruff format --check autograder tests benchmarks demo nbgrader_config.py

format: install
	$(BIN)/ruff format autograder tests benchmarks demo nbgrader_config.py

benchmark: install
	$(BIN)/python benchmarks/bench_grading.py

clean:
	rm -rf $(VENV) demo/course .pytest_cache
