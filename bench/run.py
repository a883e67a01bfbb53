"""Run theanogo's benchmarks (shared/BENCHMARKS.md) against every installed
peer in one run, print one markdown table per workload and write it to
bench/results/<workload>.txt with the machine, the versions and the timing
method in a header.

    make bench                                    # creates bench/.venv, then runs everything
    bench/.venv/bin/python bench/run.py           # everything (about 10 minutes)
    bench/.venv/bin/python bench/run.py --quick   # smaller sizes, fewer repeats (under 2 minutes)
    bench/.venv/bin/python bench/run.py elementwise call_overhead

Workloads: elementwise, mlp, mlp_penalty, reduction, variance, call_overhead, compile, memory, scan_rnn. A peer that is
not installed reads "n/a (not installed)"; one that fails reads "failed"
with the reason under the table.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Callable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from tgbench import common, peers  # noqa: E402

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
TITLES = {
    "elementwise": "Element-wise expressions",
    "mlp": "MLP 784-500-10 training step",
    "mlp_penalty": "MLP training step with mlp.py's L1/L2 penalties",
    "reduction": "Sums of a 1000x1000 matrix",
    "variance": "Variance of a 1000x1000 matrix along each axis",
    "call_overhead": "Call overhead",
    "compile": "Compile time",
    "memory": "Memory of the MLP training loop",
    "scan_rnn": "1,000-step scan of a small RNN",
}


def runners(settings: common.Settings) -> dict[str, Callable[[], str]]:
    """Each workload's body (markdown), by name, imported lazily."""
    def elementwise() -> str:
        from tgbench import elementwise as wl, floors
        return wl.run(settings, floors.copy_bandwidth())

    def mlp() -> str:
        from tgbench import mlp as wl
        return wl.run(settings)

    def mlp_penalty() -> str:
        from tgbench import mlp_penalty as wl
        return wl.run(settings)

    def reduction() -> str:
        from tgbench import reduction as wl
        return wl.run(settings)

    def variance() -> str:
        from tgbench import variance as wl
        return wl.run(settings)

    def call_overhead() -> str:
        from tgbench import overhead
        return overhead.run(settings)

    def compile_() -> str:
        from tgbench import compile_time
        return compile_time.run(settings)

    def memory() -> str:
        from tgbench import memory as wl
        return wl.run(settings)

    def scan_rnn() -> str:
        from tgbench import scan_rnn as wl
        return wl.run(settings)

    return {"elementwise": elementwise, "mlp": mlp, "mlp_penalty": mlp_penalty, "reduction": reduction,
            "variance": variance, "call_overhead": call_overhead, "compile": compile_, "memory": memory, "scan_rnn": scan_rnn}


def header(title: str, settings: common.Settings) -> str:
    """The lines every result file starts with."""
    return "\n".join([f"# {title}{' (--quick)' if settings.quick else ''}", ""] + common.machine_lines()
                     + peers.version_lines()
                     + [f"- timing: {common.TIMING_METHOD}; budget {settings.budget} s and k={settings.repeats} "
                        "per measurement unless the section says otherwise", ""])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workloads", nargs="*", metavar="WORKLOAD",
                        help=f"which workloads, of {', '.join(TITLES)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats (under 2 minutes)")
    parser.add_argument("--out", default=RESULTS, help="folder for the <workload>.txt files (default bench/results)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    settings = common.Settings.make(args.quick)
    chosen = args.workloads or list(TITLES)
    unknown = [w for w in chosen if w not in TITLES]
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(TITLES)}")
    table = runners(settings)
    for name in chosen:
        start = time.perf_counter()
        head = header(TITLES[name], settings)  # before the body: its time and load average are the start's
        body = table[name]()
        text = f"{head}\n{body}\n_{name}: {time.perf_counter() - start:.0f} s_\n"
        print(text, flush=True)
        if not args.no_write:
            os.makedirs(args.out, exist_ok=True)
            with open(os.path.join(args.out, f"{name}.txt"), "w") as fh:
                fh.write(text)


if __name__ == "__main__":
    main()
