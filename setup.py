"""Builds theanogo: the Go core as libtheanogo.so plus the Python package.

``pip install .`` runs build_py below, which calls
``go build -buildmode=c-shared`` and puts the library inside the package.
Set GO to choose the go binary.
"""

import os
import shutil
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

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


try:  # setuptools >= 70 ships bdist_wheel; older ones use the wheel package's
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # pragma: no cover
    from wheel.bdist_wheel import bdist_wheel


class BdistWheelAnyPython(bdist_wheel):
    """Tag the wheel py3-none-<platform>: the library is loaded with ctypes and
    does not link libpython, so one wheel serves every Python 3."""

    def get_tag(self):
        _, _, plat = super().get_tag()
        return "py3", "none", plat


class BinaryDistribution(Distribution):
    """The wheel holds a native library: mark it platform-specific."""

    def has_ext_modules(self):
        return True


setup(
    cmdclass={"build_py": BuildPyWithGo, "bdist_wheel": BdistWheelAnyPython},
    distclass=BinaryDistribution,
)
