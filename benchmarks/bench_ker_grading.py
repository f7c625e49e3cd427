"""Macaulay2's `ker` for J^A on the regraded source ring (the m of degree L, so the map is homogeneous:
templates/pattern_ideal.m2.j2) side by side with the standard grading, one run each, alternating.

    python benchmarks/bench_ker_grading.py [--arch 3,3,3] [--pattern "110|011"] [--runs 2]

Prints the seconds of each and their ratio, over QQ and GF(32003). The machine may be loaded:
read the ratio, not the absolute times.
"""

import argparse
import statistics

from m2bridge.ideals.options import IdealOptions
from m2bridge.ideals.solvers import KerSolver
from m2bridge.macaulay2.process import Macaulay2
from m2bridge.varieties.model import PatternVariety

REGRADED = "J = sub(ker phi2, vars R);"
PLAIN = "J = ker map(S, R, flatten apply(images, N -> flatten entries N));"


def seconds(text: str) -> float:
    return Macaulay2(timeout=1200).run_script(text).seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="3,3,3")
    parser.add_argument("--pattern", default="110|011")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    variety = PatternVariety(args.arch, args.pattern)
    for field in ("QQ", "ZZ/32003"):
        script, _ = KerSolver().apply(variety, IdealOptions(field=field))
        if REGRADED not in script.text:
            raise SystemExit("the ker template does not regrade this case (bias?)")
        plain_text = script.text.replace(REGRADED, PLAIN)
        regraded, plain = [], []
        for _ in range(args.runs):
            regraded.append(seconds(script.text))
            plain.append(seconds(plain_text))
        r, p = statistics.median(regraded), statistics.median(plain)
        print(f"{args.arch} `{args.pattern}` over {field}: standard grading {p:.1f} s, regraded {r:.1f} s, "
              f"ratio {p / r:.2f} (median of {args.runs})")


if __name__ == "__main__":
    main()
