# `make test` and `make run` each build .venv from requirements.txt on their own (once:
# a second run installs nothing), then test or run the course.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PROFILE ?= quick

.PHONY: venv test run lab lint format clean

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade --quiet pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check course_lib tests lessons
	$(BIN)/ruff format --check course_lib tests lessons

format: $(STAMP)
	$(BIN)/ruff format course_lib tests lessons
	$(BIN)/nbstripout lessons/*.ipynb tests/fixtures/*.ipynb

# Unit tests of course_lib, then every lesson under nbval in the smoke profile.
test: lint
	MPLBACKEND=Agg COURSE_PROFILE=smoke $(BIN)/python -m pytest -ra --durations=10

# Every lesson headless in $(PROFILE): a table of seconds and self-checks, HTML and report.json.
run: $(STAMP)
	$(BIN)/course run --profile $(PROFILE)

lab: $(STAMP)
	$(BIN)/course lab

clean:
	rm -rf build
