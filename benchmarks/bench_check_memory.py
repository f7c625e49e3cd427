"""Memory of repeated conjecture checks in one process (a sweep's worker), side by side in one run:
the resident size after each of `--repeat` checks of one width-6 case, and the growth per check of
keying C by `str()` of its polynomials (what the ladder did: python-flint 0.9.0 leaks the text of
every str()) against `exact_key` (their terms). Target: no growth per check beyond noise.

    .venv/bin/python benchmarks/bench_check_memory.py [--case 6,2,6:10|01] [--repeat 3]

A sweep of cases/conjecture-6.1-width-6.toml on the local executor grew to 24 GB and was killed by
the kernel before the fix.
"""

from __future__ import annotations

import argparse
import gc
import time

from m2bridge.conjectures.check import all_verdicts
from m2bridge.ideals.options import IdealOptions
from m2bridge.varieties.model import PatternVariety
from m2bridge.varieties.polynomials import exact_key, minors, polynomial_context, coordinate_matrices, hstack


def resident_gb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 1e9


def growth_per_round(key, polys, rounds: int = 3) -> float:
    """GB the process grows per round of keying every polynomial of `polys` with `key`."""
    gc.collect()
    before = resident_gb()
    for _ in range(rounds):
        frozenset(map(key, polys))
    gc.collect()
    return (resident_gb() - before) / rounds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="6,2,6:10|01")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    arch, pattern = args.case.split(":")
    variety = PatternVariety(arch, pattern)
    options = IdealOptions(method="auto", max_degree=4, certificates_first=True)
    sizes = []
    for i in range(args.repeat):
        started = time.perf_counter()
        all_verdicts(variety, ["shallow-two-block"], options=options)
        gc.collect()
        sizes.append(resident_gb())
        print(f"check {i + 1} of {args.case}: {time.perf_counter() - started:.1f} s, resident {sizes[-1]:.3f} GB")
    per_check = (sizes[-1] - sizes[0]) / max(1, len(sizes) - 1)
    print(f"growth per check after the first: {per_check * 1000:.1f} MB")
    ctx = polynomial_context(variety.variable_names, options.field)
    M1, M2 = coordinate_matrices(variety, ctx)
    polys = minors(hstack(M1, M2), 5)
    growth_per_round(exact_key, polys, rounds=1)  # the allocator's first use, counted for neither
    by_terms, by_text = growth_per_round(exact_key, polys), growth_per_round(str, polys)
    print(f"keying {len(polys)} 5-minors of [M1|M2]: str() grows {by_text * 1000:.1f} MB per round, "
          f"exact_key {by_terms * 1000:.1f} MB (ratio {by_text / max(by_terms, 1e-6):.0f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
