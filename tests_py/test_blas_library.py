"""theanogo._blas.blas_library: the CBLAS the C++ backend loads."""

import os

from theanogo import _blas


def test_override_none(monkeypatch):
    monkeypatch.setenv("THEANOGO_BLAS", "none")
    assert _blas.blas_library() == ""


def test_override_path(monkeypatch):
    monkeypatch.setenv("THEANOGO_BLAS", "/opt/lib/libopenblas.so")
    assert _blas.blas_library() == "/opt/lib/libopenblas.so"


def test_wheel_found(monkeypatch):
    # scipy-openblas32 is a dependency: its library is the default.
    monkeypatch.delenv("THEANOGO_BLAS", raising=False)
    path = _blas.blas_library()
    assert "scipy_openblas" in path and os.path.exists(path)
