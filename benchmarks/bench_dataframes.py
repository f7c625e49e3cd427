"""DataFrames from the shipped results database, side by side in one run: `SweepResult.load` of
results/conjecture-6.1.sqlite.gz (read as it is), then `to_dataframe()` without and with J^A's
generators renamed into every requested case, and `verdicts_dataframe()` without and with the
polynomials. Prints seconds and the ratio (target: the default forms in seconds).

    .venv/bin/python benchmarks/bench_dataframes.py [--db results/conjecture-6.1.sqlite.gz] [--quick]

`--quick` skips the slow forms (several minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import m2bridge

ROOT = Path(__file__).resolve().parents[1]


def timed(call):
    started = time.perf_counter()
    value = call()
    return value, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(ROOT / "results" / "conjecture-6.1.sqlite.gz"))
    parser.add_argument("--sweep", default="conjecture-6.1")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    result, seconds = timed(lambda: m2bridge.SweepResult.load(args.db, args.sweep))
    print(f"load {args.db}: {seconds:.1f} s")
    for name, fast, slow in (("to_dataframe", lambda: result.to_dataframe(),
                              lambda: result.to_dataframe(generators=True)),
                             ("verdicts_dataframe", lambda: result.verdicts_dataframe(),
                              lambda: result.verdicts_dataframe(polynomials=True))):
        frame, quick = timed(fast)
        line = f"{name}: {frame.shape[0]} rows in {quick:.1f} s"
        if not args.quick:
            _, full = timed(slow)
            line += f"; with the polynomials {full:.1f} s (ratio {full / quick:.0f}x)"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
