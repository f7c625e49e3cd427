"""Whole-process time of `m2bridge --help` side by side with a bare `python -c pass`, one run.

The command line keeps a lazy table of sub-commands, so `--help` imports no command module and none
of numpy, python-flint, Jinja2, SciPy or PySCIPOpt. Target: within 2× the bare interpreter.

    python benchmarks/bench_cli_startup.py [--runs 30]
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def median_seconds(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    script = shutil.which("m2bridge") or str(Path(sys.executable).with_name("m2bridge"))
    bare = median_seconds([sys.executable, "-c", "pass"], args.runs)
    helped = median_seconds([script, "--help"], args.runs)
    module = median_seconds([sys.executable, "-m", "m2bridge", "--help"], args.runs)
    print(f"python -c pass          {bare * 1000:7.1f} ms (median of {args.runs})")
    print(f"m2bridge --help         {helped * 1000:7.1f} ms   ratio {helped / bare:.2f} (target <= 2)")
    print(f"python -m m2bridge -h   {module * 1000:7.1f} ms   ratio {module / bare:.2f}")


if __name__ == "__main__":
    main()
