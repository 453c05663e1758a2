# `make test` and `make run` each build .venv from requirements.txt on their own (once:
# a second run installs nothing), then test or run the course. Both honour KERAS_BACKEND
# (tensorflow by default; `make backends` adds JAX and PyTorch to the venv) and PROFILE.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# PROFILE: smoke | quick | full. `make test` defaults to smoke, `make run` to quick.
PROFILE ?=
# JOBS: pytest-xdist workers for `make test`, `unit`, `lessons` and `autograde`. Two workers on
# two cores finish the smoke run sooner, because a lesson spends much of its time on one core
# (kernel start, imports, tracing); each notebook stays on one worker (--dist loadscope). Each
# worker's kernels get cores / JOBS math threads: PyTorch's OpenMP threads spin when two
# processes oversubscribe the cores (autograding ran 1.5x slower than one worker without this).
# JOBS=0 runs in one process with every core, as a debugger wants.
JOBS ?= 2
ifeq ($(JOBS),0)
XDIST = -n 0
else
THREADS := $(shell n=$$(nproc 2>/dev/null || echo 1); t=$$((n / $(JOBS))); echo $$((t > 0 ? t : 1)))
XDIST = -n $(JOBS) --dist $(1)
test unit lessons autograde: export OMP_NUM_THREADS = $(THREADS)
test unit lessons autograde: export TF_NUM_INTRAOP_THREADS = $(THREADS)
endif

.PHONY: venv backends test unit lessons autograde metadata run results site lab lint format clean

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
	$(BIN)/nbstripout --keep-id lessons/*.ipynb tests/fixtures/*.ipynb

# Unit tests of course_lib, then every lesson under nbval in $(PROFILE) (default smoke), on
# $KERAS_BACKEND; prints the seconds each lesson took.
test: lint
	MPLBACKEND=Agg COURSE_PROFILE=$(or $(PROFILE),smoke) $(BIN)/python -m pytest -ra --durations=10 $(call XDIST,loadscope)

unit: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python -m pytest -ra $(call XDIST,loadscope) tests

lessons: $(STAMP)
	MPLBACKEND=Agg COURSE_PROFILE=$(or $(PROFILE),smoke) $(BIN)/python -m pytest -ra $(call XDIST,loadscope) lessons

# nbgrader end to end for every lesson ($(PROFILE), default smoke): generate_assignment, then
# autograde a submission with the solutions (full points) and the unanswered release (zero).
autograde: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" MPLBACKEND=Agg COURSE_PROFILE=$(or $(PROFILE),smoke) \
		$(BIN)/python -m pytest -ra $(call XDIST,load) -m autograde tests/test_autograde.py

# Write the nbgrader cell metadata of every lesson from its exercise markers.
metadata: $(STAMP)
	$(BIN)/course metadata

# Every lesson headless in $(PROFILE) (default quick): a table of seconds and self-checks,
# HTML pages and build/report.json.
run: $(STAMP)
	$(BIN)/course run --profile $(or $(PROFILE),quick)

# docs/results.md from build/report.json (after a whole-course `make run`): the versions, machine
# and date of the run, then seconds, self-checks and headline metrics per lesson.
results: $(STAMP)
	$(BIN)/course report --markdown

# build/site/: the executed lessons as a website that renders its formulas offline; lessons
# without a current executed copy run first (in $(PROFILE), default quick).
site: $(STAMP)
	$(BIN)/course site $(if $(PROFILE),--profile $(PROFILE))

lab: $(STAMP)
	$(BIN)/course lab

clean:
	rm -rf build
