"""What runs in a fresh process, for the compile-time and memory workloads:

    python -m tgbench.child compile PEER DTYPE BATCH
    python -m tgbench.child memory PEER DTYPE BATCH STEPS

prints one JSON object on its last line. ``compile``: the import time of the
peer and ``compile_s``, the time of the call that compiles the MLP training
step (models.build). ``memory``: the resident set after the imports and the
data (``baseline``); the peak (VmHWM, reset through /proc/self/clear_refs)
over building the step and its first call, then the peak over the next
STEPS steps (reset again before them); and the live bytes (parameters +
minibatch).

JAX's persistent compilation cache is switched on when BENCH_JAX_CACHE names
a folder (so a second process can be "warm"); theanogo's and pytensor's
caches are chosen by the parent through THEANOGO_CACHE_DIR and
PYTENSOR_FLAGS.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings

_LIB = {"jax.jit": "jax", "torch": "torch", "numpy": "numpy", "theanogo": "theanogo"}


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def _reset_peak() -> None:
    """Reset VmHWM (the peak RSS) to the current RSS (Linux 4.0+)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def main(argv: list[str]) -> None:
    task, peer, dtype, batch = argv[0], argv[1], argv[2], int(argv[3])
    start = time.perf_counter()
    from . import models, peers

    lib = _LIB.get(peer, "pytensor")
    module = peers.load(lib)
    if module is None:
        print(json.dumps({"error": peers.NOT_INSTALLED}))
        return
    if lib == "jax" and os.environ.get("BENCH_JAX_CACHE"):
        module.config.update("jax_compilation_cache_dir", os.environ["BENCH_JAX_CACHE"])
        module.config.update("jax_persistent_cache_min_compile_time_secs", 0)
        module.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
    import_s = time.perf_counter() - start
    warnings.simplefilter("ignore")
    if task == "compile":
        model = models.build(peer, dtype, batch)
        start = time.perf_counter()
        model.step()
        first = time.perf_counter() - start
        print(json.dumps({"import_s": import_s, "compile_s": model.compile_s, "first_call_s": first,
                          "backend": model.backend}))
        return
    steps = int(argv[4])
    models.initial(dtype, batch)  # the data alone, to count in the baseline
    baseline = _status_kib("VmRSS")
    _reset_peak()
    model = models.build(peer, dtype, batch)
    model.step()
    peak_build = _status_kib("VmHWM")
    _reset_peak()
    for _ in range(steps):
        model.step()
    print(json.dumps({"baseline_kib": baseline, "peak_build_kib": peak_build, "peak_loop_kib": _status_kib("VmHWM"),
                      "live_bytes": model.live_bytes, "backend": model.backend}))


if __name__ == "__main__":
    main(sys.argv[1:])
