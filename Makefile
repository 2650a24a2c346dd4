# pglab: the course kit's entry points.  Everything runs from the local .venv.
# Debian's /usr/bin/python3 where it exists: an environment built from it is readable by
# every user (sandboxed kernels, hub students), unlike one from a Python under /root.
PYTHON ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || echo python3)
VENV   := .venv
BIN    := $(abspath $(VENV))/bin
# nbgrader runs `alembic` from PATH when it creates a gradebook: the venv must come first.
export PATH := $(BIN):$(PATH)

.PHONY: install bubblewrap demo test test-fast lab hub hub-stop release check-release lint format benchmark clean

install: $(VENV)/.installed bubblewrap

## autograde runs student kernels in bubblewrap (docs/sandbox.md); install it on Debian as root.
bubblewrap:
	@command -v bwrap >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap; } \
	  || echo "pglab: autograde needs bubblewrap: run 'apt-get install bubblewrap' as root" >&2

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/jupyter server extension enable --sys-prefix nbgrader.server_extensions.formgrader >/dev/null 2>&1 || true
	touch $@

## Regenerate release/ and solutions/, then grade the bundled demo classes with pglab grade.
demo: install
	$(BIN)/pglab release
	$(BIN)/python demo/run_demo.py

## The whole test suite (includes the nbgrader pipeline and the release sync check).
test: install
	$(BIN)/python -m pytest -ra

## Only the fast unit tests (no notebook execution, no browser).
test-fast: install
	$(BIN)/python -m pytest -ra -m "not pipeline and not browser"

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
