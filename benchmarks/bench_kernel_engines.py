"""J^A's kernel on two engines side by side: Macaulay2's `ker` (KerSolver, as `m2bridge ideal --method
ker --engine macaulay2` runs it) and Singular's `eliminate` (SingularKerSolver, --engine singular),
one run each per case and field, in one process.

    python benchmarks/bench_kernel_engines.py [--timeout 300] [--case 3,3,3:110|011 ...]

Prints wall and CPU seconds of each engine (CPU: the engine's process and its children) and the
ratio Macaulay2 / Singular, and whether the two ideals are equal: the same Hilbert numerator, and
Macaulay2 finds every minimal generator of each inside the other ideal (check_generation.m2.j2).
The machine may be loaded: read the ratio, not the absolute times.
"""

from __future__ import annotations

import argparse
import resource
import time

from m2bridge.conjectures.compare import compare_ideals
from m2bridge.errors import M2TimeoutError
from m2bridge.ideals.options import IdealOptions
from m2bridge.ideals.solvers import KerSolver, SingularKerSolver
from m2bridge.macaulay2.process import Macaulay2
from m2bridge.varieties.model import PatternVariety

CASES = ("2,3,3:110|101", "3,3,3:110|011", "3,3,4:011|101", "4,3,4:011|101")
FIELDS = ("QQ", "ZZ/32003")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(solver, variety, options):
    """(result or None after the timeout, wall seconds, CPU seconds)."""
    wall, cpu = time.perf_counter(), children_cpu()
    try:
        result = solver.solve(variety, options)
    except M2TimeoutError:
        result = None
    return result, time.perf_counter() - wall, children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per engine and case")
    parser.add_argument("--case", action="append", help="ARCH:PATTERN (default: %s)" % ", ".join(CASES))
    args = parser.parse_args()
    for case in args.case or CASES:
        arch, pattern = case.split(":")
        variety = PatternVariety(arch, pattern)
        for field in FIELDS:
            options = IdealOptions(field=field, method="ker", timeout=args.timeout, check_dim=False)
            m2, m2_wall, m2_cpu = timed(KerSolver(), variety, options)
            sing, s_wall, s_cpu = timed(SingularKerSolver(), variety, options)
            line = (f"({arch}) `{pattern}` over {field}: Macaulay2 ker {m2_wall:.2f} s wall / {m2_cpu:.2f} s CPU, "
                    f"Singular eliminate {s_wall:.2f} s / {s_cpu:.2f} s")
            if m2 is None or sing is None:
                print(f"{line}: {'Macaulay2' if m2 is None else 'Singular'} timed out after {args.timeout:g} s")
                continue
            missing, outside = compare_ideals(variety, options.field, m2.generators, sing.generators, 0,
                                              Macaulay2(timeout=args.timeout))
            equal = not missing and not outside and m2.hilbert_numerator == sing.hilbert_numerator
            print(f"{line}, ratio {m2_wall / s_wall:.1f} wall / {m2_cpu / max(s_cpu, 1e-3):.1f} CPU; "
                  f"{len(sing.generators)} generators, degrees {sorted(set(sing.mingens_degrees))}; "
                  f"ideals {'equal' if equal else 'DIFFERENT'}", flush=True)


if __name__ == "__main__":
    main()
