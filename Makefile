# make demo: train the examples.  make test: Go tests, then the Python tests.
# Both set up .venv (python3 -m venv) and install theanogo into it first.
# make lint: go vet, gofmt and staticcheck (installed into .tools/bin on first use).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
GOBIN_DIR := $(CURDIR)/.tools/bin
STATICCHECK_VERSION := v0.8.2
STATICCHECK := $(GOBIN_DIR)/staticcheck

.PHONY: demo test install go-test py-test lint clean fuzz

$(PY):
	$(PYTHON) -m venv $(VENV)

install: $(PY)
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip install -q --no-build-isolation .

demo: install
	$(PY) examples/logistic_regression.py
	$(PY) examples/mlp.py

go-test: install
	go test -timeout 30m ./...

py-test: install
	$(PY) -m pytest tests_py -q

test: go-test py-test

# make fuzz: the differential fuzzer (tests_py/fuzzgen.py) on many seeds, then its threaded
# mode; FUZZ_SEEDS=N (seeds 0..N-1), A:B or a comma list; FUZZ_ARGS=--sanitize for
# ASan/UBSan kernels; FUZZ_SHRINK_S bounds the reproducer shrinking per failing seed.
FUZZ_SEEDS ?= 200
FUZZ_ARGS ?=
fuzz: install
	cd tests_py && ../$(PY) fuzzgen.py --seeds $(FUZZ_SEEDS) --threads $(FUZZ_ARGS)

$(STATICCHECK):
	GOBIN=$(GOBIN_DIR) go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

# lint fails on any go vet or staticcheck finding and on any file gofmt would change.
lint: $(STATICCHECK)
	go vet ./...
	@unformatted="$$(gofmt -l .)"; if [ -n "$$unformatted" ]; then \
		echo "gofmt -l: these files need gofmt -w:"; echo "$$unformatted"; exit 1; fi
	$(STATICCHECK) ./...

clean:
	rm -rf $(VENV) .tools build python/theanogo.egg-info python/theanogo/libtheanogo.so

# make bench: theanogo against its peers (bench/requirements.txt) in bench/.venv, apart from the
# test venv; BENCH_ARGS passes options to bench/run.py, e.g. make bench BENCH_ARGS=--quick.
BENCH_VENV := bench/.venv
BENCH_PY := $(BENCH_VENV)/bin/python
BENCH_ARGS ?=

.PHONY: bench

$(BENCH_PY):
	$(PYTHON) -m venv $(BENCH_VENV)

bench: $(BENCH_PY)
	$(BENCH_PY) -m pip install -q -r bench/requirements.txt
	$(BENCH_PY) -m pip install -q --no-build-isolation .
	$(BENCH_PY) bench/run.py $(BENCH_ARGS)
