"""The examples in the package's docstrings run and print what they say."""

import doctest
import importlib
import pkgutil

import pytest

import theanogo

MODULES = sorted(m.name for m in pkgutil.walk_packages(theanogo.__path__, "theanogo.") if m.name.rpartition(".")[2] not in ("_rt", "libtheanogo"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
