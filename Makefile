# `make test` and `make run` each build .venv from requirements.txt on their own (once:
# a second run installs nothing), then test or run the course. Both honour KERAS_BACKEND
# (tensorflow by default; `make backends` adds JAX and PyTorch to the venv) and PROFILE.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# PROFILE: smoke | quick | full. `make test` defaults to smoke, `make run` to quick.
PROFILE ?=

.PHONY: venv backends test unit lessons autograde metadata run site lab lint format clean

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade --quiet pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-build-isolation -e ".[classroom]"
	touch $(STAMP)

# The JAX and PyTorch backends (pyproject extras). torch 2.13.0 is the CPU build; a bare
# `torch` may resolve to a CUDA build of several GB.
backends: $(VENV)/.backends

$(VENV)/.backends: $(STAMP)
	$(BIN)/python -m pip install --quiet --no-build-isolation -e ".[jax,torch]" "torch==2.13.0"
	touch $@

lint: $(STAMP)
	$(BIN)/ruff check course_lib tests lessons
	$(BIN)/ruff format --check course_lib tests lessons

format: $(STAMP)
	$(BIN)/ruff format course_lib tests lessons
	$(BIN)/nbstripout lessons/*.ipynb tests/fixtures/*.ipynb

# Unit tests of course_lib, then every lesson under nbval in $(PROFILE) (default smoke), on
# $KERAS_BACKEND; prints the seconds each lesson took.
test: lint
	MPLBACKEND=Agg COURSE_PROFILE=$(or $(PROFILE),smoke) $(BIN)/python -m pytest -ra --durations=10

unit: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python -m pytest -ra tests

lessons: $(STAMP)
	MPLBACKEND=Agg COURSE_PROFILE=$(or $(PROFILE),smoke) $(BIN)/python -m pytest -ra lessons

# nbgrader end to end for every lesson ($(PROFILE), default smoke): generate_assignment, then
# autograde a submission with the solutions (full points) and the unanswered release (zero).
autograde: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" MPLBACKEND=Agg COURSE_PROFILE=$(or $(PROFILE),smoke) \
		$(BIN)/python -m pytest -ra -m autograde tests/test_autograde.py

# Write the nbgrader cell metadata of every lesson from its exercise markers.
metadata: $(STAMP)
	$(BIN)/course metadata

# Every lesson headless in $(PROFILE) (default quick): a table of seconds and self-checks,
# HTML pages and build/report.json.
run: $(STAMP)
	$(BIN)/course run --profile $(or $(PROFILE),quick)

# build/site/: the executed lessons as a website that renders its formulas offline; lessons
# without a current executed copy run first (in $(PROFILE), default quick).
site: $(STAMP)
	$(BIN)/course site $(if $(PROFILE),--profile $(PROFILE))

lab: $(STAMP)
	$(BIN)/course lab

clean:
	rm -rf build
