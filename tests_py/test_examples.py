"""The tutorial examples train to >= 90% test accuracy on the digits."""

import os
import re
import subprocess
import sys

import pytest

pytest.importorskip("sklearn")

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")


def run_example(script, epochs, **env):
    out = subprocess.run([sys.executable, os.path.join(EXAMPLES, script), "--epochs", str(epochs)],
                         cwd=EXAMPLES, capture_output=True, text=True, env=dict(os.environ, **env), timeout=300)
    assert out.returncode == 0, out.stderr
    match = re.search(r"final test accuracy ([0-9.]+) %", out.stdout)
    assert match, out.stdout
    return float(match.group(1))


@pytest.mark.parametrize("script,epochs", [("logistic_regression.py", 10), ("mlp.py", 15)])
def test_example_accuracy(script, epochs):
    assert run_example(script, epochs) >= 90.0


def test_logistic_regression_in_float32():
    assert run_example("logistic_regression.py", 10, THEANOGO_FLAGS="floatX=float32") >= 90.0
