"""Where the C++ backend's BLAS comes from.

Generated kernels multiply matrices through the runtime library's tg_gemm
(codegen/runtime/tg_blas.c), which calls a CBLAS library that the runtime
loads once (tg_rt_init). blas_library() names that library; the compile
mode passes it to Go as the `blas` option.

The default is the OpenBLAS of the scipy-openblas32 wheel (a dependency of
theanogo: the build NumPy and SciPy ship, with every symbol prefixed
``scipy_``, which the runtime knows). Without it, a system OpenBLAS, BLIS or
CBLAS found by ctypes.util.find_library. Without any, "": the runtime's
portable loops (correct, several times slower).

The environment variable THEANOGO_BLAS overrides the search: a path, or
"none" for the portable loops.
"""

import glob
import importlib.util
import os

__all__ = ["blas_library"]

# System libraries that export CBLAS, best first (find_library names).
_SYSTEM_NAMES = ("openblas", "blis", "cblas")


def _wheel_library():
    # find_spec locates the wheel without importing it: its __init__ reads
    # package metadata, which costs about 50 ms of every cold function().
    try:
        spec = importlib.util.find_spec("scipy_openblas32")
    except (ImportError, ValueError):
        return ""
    for folder in (spec.submodule_search_locations or []) if spec else []:
        libs = sorted(glob.glob(os.path.join(folder, "lib", "libscipy_openblas*.so*")))
        if libs:
            return libs[0]
    return ""


def _system_library():
    import ctypes.util  # only here: it imports subprocess and friends (ms)

    for name in _SYSTEM_NAMES:
        found = ctypes.util.find_library(name)
        if found:
            return found
    return ""


def blas_library() -> str:
    """The path (or soname) of the CBLAS library for the C++ backend, or ""."""
    override = os.environ.get("THEANOGO_BLAS")
    if override is not None:
        return "" if override == "none" else override
    return _wheel_library() or _system_library()
