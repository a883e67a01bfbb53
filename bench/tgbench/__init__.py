"""theanogo's benchmark harness: the workloads of shared/BENCHMARKS.md, each
run against every installed peer in one process, and the helpers they share
(timing, machine description, markdown tables). ``bench/run.py`` drives it."""
