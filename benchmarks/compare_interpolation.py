"""Multigraded interpolation against Macaulay2's `ker`, case by case, over a case file.

For every canonical case of the file: Macaulay2's `ker` over QQ within a per-case timeout, in one
long-lived Macaulay2 session (start-up paid once; the session restarts itself after a timeout).
Where `ker` finishes, interpolation over GF(2^31 - 1) through the largest degree of ker's minimal
generators; graded dimensions and minimal generator counts per degree are compared.

    .venv/bin/python benchmarks/compare_interpolation.py                  # cases/deep-two-block.toml
    .venv/bin/python benchmarks/compare_interpolation.py --shallow        # cases/two-block-shallow.toml
    .venv/bin/python benchmarks/compare_interpolation.py --timeout 20 --limit 50 [--verbose]
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import m2bridge  # noqa: E402
from m2bridge.sweeps.casefile import SweepSpec  # noqa: E402
from m2bridge.varieties.interpolate import interpolate_ideal  # noqa: E402
from m2bridge.varieties.model import PatternVariety  # noqa: E402
from m2bridge.macaulay2.process import M2Session  # noqa: E402


def canonical_cases(path: Path) -> list[tuple[str, str, bool]]:
    plan = SweepSpec.load(path).plan()
    return sorted({(form.case.arch, form.case.pattern, bool(getattr(form.case, "bias", False)))
                   for form in plan.cases.values()})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=None, help="case file (default cases/deep-two-block.toml)")
    parser.add_argument("--shallow", action="store_true", help="use cases/two-block-shallow.toml")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds for Macaulay2's ker per case")
    parser.add_argument("--limit", type=int, default=None, help="only the first N canonical cases")
    parser.add_argument("--max-interpolation-degree", type=int, default=None,
                        help="skip interpolation when ker's generators go above this degree")
    parser.add_argument("--verbose", action="store_true", help="one line per case")
    args = parser.parse_args(argv)
    path = args.cases or ROOT / "cases" / ("two-block-shallow.toml" if args.shallow else "deep-two-block.toml")
    cases = canonical_cases(path)
    total_cases = len(cases)
    if args.limit is not None:
        cases = cases[: args.limit]
    session = M2Session(m2bridge.Macaulay2(timeout=args.timeout))
    finished = agree = 0
    timed_out, errors, disagreements, skipped = [], [], [], []
    ker_seconds = interp_seconds = 0.0
    ker_wall_all = 0.0
    start = time.perf_counter()
    try:
        for arch, pattern, bias in cases:
            label = f"({arch}) {pattern}" + (" bias" if bias else "")
            t0 = time.perf_counter()
            try:
                ker = m2bridge.pattern_ideal(arch, pattern, bias=bias, timeout=args.timeout, m2=session)
            except m2bridge.M2TimeoutError:
                ker_wall_all += time.perf_counter() - t0
                timed_out.append(label)
                if args.verbose:
                    print(f"{label}: ker timed out after {args.timeout:g} s", flush=True)
                continue
            except m2bridge.M2BridgeError as exc:
                ker_wall_all += time.perf_counter() - t0
                errors.append(f"{label}: {type(exc).__name__}: {str(exc)[:200]}")
                print(f"{label}: ker error {type(exc).__name__}: {str(exc)[:200]}", flush=True)
                continue
            t1 = time.perf_counter()
            ker_seconds += t1 - t0
            ker_wall_all += t1 - t0
            finished += 1
            through = max(ker.mingens_degrees, default=1)
            if args.max_interpolation_degree is not None and through > args.max_interpolation_degree:
                skipped.append(f"{label}: generators up to degree {through}")
                continue
            found = interpolate_ideal(PatternVariety(arch, pattern, bias), max_degree=through)
            t2 = time.perf_counter()
            interp_seconds += t2 - t1
            same = (found.graded_dims == ker.graded_dims and found.mingens_by_degree == ker.mingens_by_degree)
            if same:
                agree += 1
            else:
                disagreements.append(
                    f"{label} through degree {through}: ker graded dims {ker.graded_dims}, generators "
                    f"{ker.mingens_by_degree}; interpolation {found.graded_dims}, {found.mingens_by_degree}")
            if args.verbose or not same:
                print(f"{label}: ker {t1 - t0:.2f} s, interpolation through degree {through} {t2 - t1:.3f} s, "
                      f"{'agree' if same else 'DISAGREE'}; generators {ker.mingens_by_degree}", flush=True)
    finally:
        session.close()
    wall = time.perf_counter() - start
    print(f"case file {path.name}: {total_cases} canonical cases, {len(cases)} run, ker timeout {args.timeout:g} s")
    print(f"ker finished {finished}, timed out {len(timed_out)}, errors {len(errors)}; "
          f"compared {finished - len(skipped)}: agree {agree}, disagree {len(disagreements)}, skipped {len(skipped)}")
    print(f"time: ker on finished cases {ker_seconds:.1f} s (all ker calls incl. timeouts {ker_wall_all:.1f} s), "
          f"interpolation {interp_seconds:.1f} s, wall {wall:.1f} s; Macaulay2 processes started {session.started}")
    for line in disagreements:
        print("DISAGREE", line)
    for line in errors:
        print("ERROR", line)
    for line in skipped:
        print("SKIPPED", line)
    if timed_out:
        print("timed out:", ", ".join(timed_out))
    return 1 if disagreements or errors else 0


if __name__ == "__main__":
    sys.exit(main())
