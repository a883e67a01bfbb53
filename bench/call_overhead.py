"""Call overhead of a compiled function against numpy and the other peers,
in one run (now a shortcut to ``bench/run.py call_overhead``).

    .venv/bin/python bench/call_overhead.py [calls]

``x + 1.0`` on 1,000 float64 and on a 0-d float64, every installed peer,
``calls`` calls per repeat (default 100,000), best of 7, microseconds per
call. The table goes to bench/results/call_overhead.txt with the machine
and the versions; peers missing from this interpreter read "n/a".
"""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import run  # noqa: E402
from tgbench import common, overhead  # noqa: E402


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    settings = common.Settings.make(quick=False)
    start = time.perf_counter()
    body = overhead.run(settings, calls=calls)
    text = f"{run.header(run.TITLES['call_overhead'], settings)}\n{body}\n_call_overhead: {time.perf_counter() - start:.0f} s_\n"
    print(text, end="")
    os.makedirs(run.RESULTS, exist_ok=True)
    with open(os.path.join(run.RESULTS, "call_overhead.txt"), "w") as fh:
        fh.write(text)


if __name__ == "__main__":
    main()
