# make demo: train the examples.  make test: Go tests, then the Python tests.
# Both set up .venv (python3 -m venv) and install theanogo into it first.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test install go-test py-test clean

$(PY):
	$(PYTHON) -m venv $(VENV)

install: $(PY)
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip install -q --no-build-isolation .

demo: install
	$(PY) examples/logistic_regression.py
	$(PY) examples/mlp.py

go-test:
	go test ./...

py-test: install
	$(PY) -m pytest tests_py -q

test: go-test py-test

clean:
	rm -rf $(VENV) build python/theanogo.egg-info python/theanogo/libtheanogo.so
