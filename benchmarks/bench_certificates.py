"""Per certificate kind of the ladder (docs/certificates.md): how many orbits it proves and its median
time, over the orbits that docs/results/conjecture-6.1.json reports `holds through degree 5` at widths
<= 4, plus the named cases; every rung is run on every orbit (not only until the first proof), each
within `--budget` seconds. Reading: literal ranks, item 3 with |R1 ∪ R2| (the union reading).

    python benchmarks/bench_certificates.py [--budget 60] [--max-width 4] [--only 4,4,4:1100|0110]

Prints one line per orbit (the kind of each rung's answer: proved, refused, out of time) and the table.
Times are wall-clock seconds on a shared machine: compare kinds within one run only.
"""

import argparse
import json
import statistics
import time
from pathlib import Path

from m2bridge.conjectures.base import CaseCheck
from m2bridge.conjectures.certificates import RUNGS, GenerationTask
from m2bridge.conjectures.statements import STATEMENTS
from m2bridge.ideals.options import IdealOptions
from m2bridge.varieties.field import Field
from m2bridge.varieties.jacobian import jacobian_dim
from m2bridge.varieties.model import PatternVariety
from m2bridge.varieties.polynomials import polynomial_context

RESULTS = Path(__file__).resolve().parents[1] / "docs" / "results" / "conjecture-6.1.json"
NAMED = [("3,3,4", "011|101"), ("2,4,4", "0111|1011"), ("4,3,4", "011|101"), ("3,3,3", "110|011"),
         ("4,4,4", "1100|0110")]


def bounded_orbits(max_width: int) -> list[tuple[str, str]]:
    verdicts = json.loads(RESULTS.read_text())["verdicts"]
    found = {(v["arch"], v["pattern"]) for v in verdicts if v["outcome"] == "holds through degree 5"
             and max(int(w) for w in v["arch"].split(",")) <= max_width}
    return sorted(found | set(NAMED))


def task(arch: str, pattern: str, budget: float) -> GenerationTask:
    variety = PatternVariety(arch, pattern)
    ctx = polynomial_context(variety.variable_names, Field(0))
    fams, _ = STATEMENTS["shallow-two-block"].families(variety, ctx, "literal", "union",
                                                        CaseCheck(variety, IdealOptions()))
    candidates = [p for _, _, ps in fams for p in ps]
    return GenerationTask(variety, candidates, fams, jacobian_dim(variety).dim, budget=budget)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per Macaulay2 rung")
    parser.add_argument("--max-width", type=int, default=4)
    parser.add_argument("--only", help="one orbit ARCH:PATTERN")
    args = parser.parse_args()
    orbits = [tuple(args.only.split(":"))] if args.only else bounded_orbits(args.max_width)
    proved = {r.kind: [] for r in RUNGS}
    first = {}
    for arch, pattern in orbits:
        t = task(arch, pattern, args.budget)
        cells = []
        for rung in RUNGS:
            if rung.applies(t) is not None:
                cells.append(f"{rung.kind}: n/a")
                continue
            started = time.perf_counter()
            attempt = rung.run(t)
            seconds = time.perf_counter() - started
            if attempt.proved:
                proved[rung.kind].append(seconds)
                first.setdefault((arch, pattern), rung.kind)
                cells.append(f"{rung.kind}: PROVED {seconds:.1f} s")
            else:
                cells.append(f"{rung.kind}: {'; '.join(attempt.notes)[len(rung.kind) + 2:][:90]} ({seconds:.1f} s)")
        print(f"{arch} `{pattern}` rank {t.jacobian_rank}, {len(t.candidates)} polynomials", flush=True)
        for cell in cells:
            print("    " + cell, flush=True)
    print(f"\n{len(orbits)} orbits (union reading, literal ranks), budget {args.budget:g} s per Macaulay2 rung")
    print("| certificate | orbits proved | median seconds |\n|---|---|---|")
    for kind, times in proved.items():
        median = f"{statistics.median(times):.1f}" if times else "-"
        print(f"| {kind} | {len(times)} | {median} |")
    print(f"| ladder (first proof) | {len(first)} of {len(orbits)} | |")
    print("still bounded:", ", ".join(f"{a} `{p}`" for a, p in orbits if (a, p) not in first) or "none")


if __name__ == "__main__":
    main()
