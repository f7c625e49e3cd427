"""Sweep speed-up: `cases/two-block-shallow.toml` computed (a) with one fresh `M2 --script` process per
requested case, as hand-written scripts would, and (b) with `m2bridge sweep` (long-lived Macaulay2
sessions + symmetry reduction), side by side with the same number of workers. Checks that both give
the same dim, degree and generator degrees for every requested case. Target: ratio >= 5.

    .venv/bin/python benchmarks/bench_sweep.py [--workers N] [--limit N]
"""

import argparse
import itertools
import resource
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from m2bridge import Macaulay2, pattern_ideal  # noqa: E402
from m2bridge.sweeps.casefile import SweepSpec  # noqa: E402
from m2bridge.sweeps.store import SQLiteCaseStore  # noqa: E402
from m2bridge.sweeps.requested import cached_result  # noqa: E402
from m2bridge.sweeps.sweep import run_sweep  # noqa: E402
from m2bridge.varieties.symmetry import all_block_patterns, is_trivial  # noqa: E402


def requested_cases(spec, limit=None):
    """Every ordered tuple of distinct blocks, as a researcher without symmetry would run them."""
    cases = []
    for fam in spec.families:
        for arch in fam.architectures:
            blocks = ["/".join("".join(map(str, l)) for l in b) for b in all_block_patterns(arch)]
            for combo in itertools.permutations(blocks, fam.blocks):
                pattern = "|".join(combo)
                if not is_trivial(arch, pattern):
                    cases.append((arch.text, pattern))
    return cases[:limit] if limit else cases


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, help="only the first N requested cases in (a)")
    args = parser.parse_args()
    spec = SweepSpec.load(ROOT / "cases" / "two-block-shallow.toml")
    spec.compute = ["ideal", "dim"]  # what (a) computes too (the conjecture checks are extra work)
    cases = requested_cases(spec, args.limit)
    print(f"two-block-shallow: {len(cases)} requested cases, {args.workers} workers")

    start = time.perf_counter()
    with ThreadPoolExecutor(args.workers) as pool:
        fresh = dict(zip(cases, pool.map(lambda c: pattern_ideal(*c, m2=Macaulay2(timeout=spec.options.timeout)), cases)))
    fresh_seconds = time.perf_counter() - start
    print(f"(a) one fresh M2 --script per case: {fresh_seconds:8.1f} s")

    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteCaseStore(Path(tmp) / "cases.sqlite")
        start = time.perf_counter()
        summary = run_sweep(spec, store, workers=args.workers)
        sweep_seconds = time.perf_counter() - start
        print(f"(b) m2bridge sweep:                 {sweep_seconds:8.1f} s "
              f"({summary.unique_after_symmetry} unique cases, {summary.computed} tasks)")
        mismatches = 0
        for (arch, pattern), result in fresh.items():
            stored = cached_result(store, arch, pattern).result
            if (stored["dim"], stored["degree"], stored["mingens_degrees"]) != (result.dim, result.degree, result.mingens_degrees):
                mismatches += 1
                print(f"MISMATCH {arch} {pattern}: {stored['dim'], stored['degree'], stored['mingens_degrees']} "
                      f"vs {result.dim, result.degree, result.mingens_degrees}")
        store.close()
    print(f"same dim, degree, generator degrees on {len(fresh) - mismatches}/{len(fresh)} cases")
    print(f"ratio (a)/(b): {fresh_seconds / sweep_seconds:.1f}x  (target >= 5x)")
    print(f"peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
