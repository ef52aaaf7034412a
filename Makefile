# The two commands of the README: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SGX_HOST ?= 127.0.0.1
SGX_PORT ?= 8000
# The system packages the tests need (installed by `make test` when missing and allowed).
SYSTEM_PACKAGES ?= system-packages.txt
export SGX_HOST SGX_PORT

.PHONY: run test check lint types pytest venv system-packages demo clean screenshots chaos chaos-quick bench bench-quick mutation

# The environment is rebuilt whenever the declared dependencies change.
$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

run: venv
	$(BIN)/sgx db upgrade
	$(BIN)/sgx seed-demo --if-empty
	$(BIN)/sgx serve --host $(SGX_HOST) --port $(SGX_PORT)

# The system packages come first, so a missing browser stops the run in its first seconds.
test: system-packages venv lint types pytest

system-packages:
	@tools/ensure-system-packages $(SYSTEM_PACKAGES)

lint: venv
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

types: venv
	$(BIN)/mypy

pytest: venv
	$(BIN)/pytest

check: lint types

# The browser tests save the main pages at desktop and phone widths in docs/screenshots/.
screenshots: system-packages venv
	SGX_SCREENSHOTS=1 $(BIN)/pytest tests/browser

# Benchmarks (not tests): figures in bench/results/latest.json and docs/benchmarks.md.
bench: venv
	$(BIN)/python -m bench

bench-quick: venv
	$(BIN)/python -m bench --quick

demo: venv
	$(BIN)/sgx demo

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# The chaos suite (docs/reliability.md) on PostgreSQL: faults, expiring tokens, a revoked consent,
# a lost licence and killed workers; exits non-zero when anything was lost or duplicated.
chaos-quick: venv
	$(BIN)/sgx chaos --size quick

chaos: venv
	$(BIN)/sgx chaos --size full

# Mutation testing (docs/testing.md) of the modules that guard money and exactly-once, each against
# its own tests, on a copy under var/mutation/. Not part of `make test` or CI: it takes a while.
# `make mutation TARGETS="ocr pacing"` runs the named targets; `--list` shows them all.
TARGETS ?=
mutation: venv
	nice -n 15 $(BIN)/python -m tests.mutation $(TARGETS)
