"""Optimizer speed (BENCHMARKS.md section 4): FAST_RUN's passes on a
10,000-node graph and on the MLP training step, and the whole compile.

Runs the Go benchmark BenchmarkOptimizer (core/compile/bench_optimizer_test.go)
and prints, for each graph, the node count and the fastest of several runs in
ms. The same figures without Python:

    go test ./core/compile -run '^$' -bench BenchmarkOptimizer -benchtime 10x -count 5

Usage, from the repository root: python3 bench/optimizer_speed.py [--count N]
Targets: the 10,000-node graph optimized in under 200 ms, the MLP step
compiled in under 20 ms.
"""

import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINE = re.compile(r"^BenchmarkOptimizer/(\S+?)-\d+\s+\d+\s+([\d.]+) ns/op(.*)$")


def measure(count: int = 5) -> list[tuple[str, str, str, float]]:
    """Run BenchmarkOptimizer ``count`` times; for each graph/what, the rows
    (name, nodes, nodes after, best ms). Raises RuntimeError when go test
    fails (or go is missing)."""
    cmd = ["go", "test", "./core/compile", "-run", "^$", "-bench", "BenchmarkOptimizer",
           "-benchtime", "10x", "-count", str(count)]
    try:
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    except OSError as exc:
        raise RuntimeError(f"go test could not run: {exc}") from exc
    if out.returncode != 0:
        raise RuntimeError(out.stdout + out.stderr)
    best, metrics = {}, {}
    for line in out.stdout.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        name, ns = m.group(1), float(m.group(2))
        best[name] = min(best.get(name, ns), ns)
        for value, unit in re.findall(r"([\d.]+) (nodes(?:-after)?)", m.group(3)):
            metrics.setdefault(name, {})[unit] = int(float(value))
    return [(name, str(metrics.get(name, {}).get("nodes", "")), str(metrics.get(name, {}).get("nodes-after", "")),
             ns / 1e6) for name, ns in best.items()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=5, help="runs of each benchmark; the fastest is printed")
    args = parser.parse_args()
    try:
        rows = measure(args.count)
    except RuntimeError as exc:
        sys.exit(str(exc))
    print("%-42s %8s %12s %10s" % ("graph/what", "nodes", "nodes after", "ms (best)"))
    for name, nodes, after, ms in rows:
        print("%-42s %8s %12s %10.2f" % (name, nodes, after, ms))


if __name__ == "__main__":
    main()
