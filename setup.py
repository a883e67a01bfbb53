"""Builds theanogo: the Go core as libtheanogo.so, the calling extension
theanogo._rt (C, against numpy's headers) and the Python package.

``pip install .`` runs build_py below, which calls
``go build -buildmode=c-shared`` and puts the library inside the package,
and build_ext, which compiles python/theanogo/_rt/_rt.c.
Set GO to choose the go binary.
"""

import os
import shutil
import subprocess

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))


def find_go() -> str:
    go = os.environ.get("GO") or shutil.which("go")
    for candidate in (go, "/usr/local/go/bin/go", os.path.expanduser("~/go/bin/go")):
        if candidate and os.path.exists(candidate):
            return candidate
    raise RuntimeError("theanogo needs Go (1.26+) to build its core library: install it or set GO=/path/to/go")


class BuildPyWithGo(build_py):
    """build_py, plus the Go shared library built into the package folder."""

    def run(self):
        super().run()
        target_dir = os.path.join(self.build_lib, "theanogo")
        os.makedirs(target_dir, exist_ok=True)
        target = os.path.join(target_dir, "libtheanogo.so")
        env = dict(os.environ, CGO_ENABLED="1")
        subprocess.check_call(
            [find_go(), "build", "-trimpath", "-buildmode=c-shared", "-o", target, "./pyapi"], cwd=HERE, env=env)
        header = os.path.join(target_dir, "libtheanogo.h")  # cgo's header: not needed by ctypes
        if os.path.exists(header):
            os.remove(header)
        # The C++ backend's runtime library and precompiled header, built now
        # for this machine (a seed of the compile cache), so that the first
        # function compiled does not build them. Without a C++ compiler the
        # package still works (on the Go evaluator): no seed then.
        seed = os.path.join(target_dir, "rtseed")
        shutil.rmtree(seed, ignore_errors=True)
        if subprocess.call([find_go(), "run", "./codegen/driver/cmd/tgseed", seed], cwd=HERE, env=env) != 0:
            shutil.rmtree(seed, ignore_errors=True)
            print("theanogo: no C++ runtime seed built (no C++ compiler?); the first compile builds it")


class BuildExtWithNumpy(build_ext):
    """build_ext, with numpy's C headers (imported only when building)."""

    def finalize_options(self):
        super().finalize_options()
        import numpy

        self.include_dirs.append(numpy.get_include())


RT = Extension(
    "theanogo._rt",
    sources=["python/theanogo/_rt/_rt.c"],
    include_dirs=["codegen/runtime"],
    depends=["codegen/runtime/tg_kernel.h"],
    extra_compile_args=["-std=c11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
)

# The wheel is CPython-specific (theanogo._rt is a CPython extension), so
# bdist_wheel's default cpXY-cpXY-<platform> tag is the right one.
setup(
    ext_modules=[RT],
    cmdclass={"build_py": BuildPyWithGo, "build_ext": BuildExtWithNumpy},
)
