"""What a notebook pays for Macaulay2's start-up: 20 small ideals J^A computed (a) each with its own
`M2 --script` (`m2bridge.pattern_ideal(...)`), and (b) in one session (`with m2bridge.session() as
s: s.pattern_ideal(...)`), which starts Macaulay2 once. Whole wall-clock time of each, side by
side, and how many Macaulay2 processes the session started.

    .venv/bin/python benchmarks/bench_session.py [--cases N] [--repeat R]
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import m2bridge  # noqa: E402

# Small two-block and single-block cases (each ker takes milliseconds inside Macaulay2).
CASES = [(arch, pattern) for arch in ("2,2,2", "2,2,3", "3,2,2", "3,2,3")
         for pattern in ("10", "11", "10|11", "01|11", "10|01")][:20]


def one_shot(cases):
    return [m2bridge.pattern_ideal(arch, pattern, method="ker") for arch, pattern in cases]


def in_session(cases):
    with m2bridge.session(method="ker") as s:
        results = [s.pattern_ideal(arch, pattern) for arch, pattern in cases]
        return results, s.started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=len(CASES), help=f"how many ideals (at most {len(CASES)})")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is shown")
    args = parser.parse_args()
    cases = CASES[: args.cases]
    m2bridge.Macaulay2().version()  # `M2 --version` once, outside the timings
    separate, shared, started = [], [], 0
    for _ in range(args.repeat):
        start = time.perf_counter()
        a = one_shot(cases)
        separate.append(time.perf_counter() - start)
        start = time.perf_counter()
        b, started = in_session(cases)
        shared.append(time.perf_counter() - start)
        assert [r.mingens_degrees for r in a] == [r.mingens_degrees for r in b]
    print(f"{len(cases)} ideals J^A, best of {args.repeat}:")
    print(f"  (a) one Macaulay2 per ideal:  {min(separate):6.2f} s  ({len(cases)} starts)")
    print(f"  (b) one session:              {min(shared):6.2f} s  ({started} start)")
    print(f"  ratio (a)/(b):                {min(separate) / min(shared):6.1f}x")


if __name__ == "__main__":
    main()
