"""Exact region counts before (MILP enumeration with SCIP) and after (traversal of adjacent regions),
side by side in one run, each in its own process so that the rates are those of a whole process
(start-up, imports, the count).

Networks: a random 2-32-32-1 net on [-4, 4]² (thousands of regions, polygon clipping), a random
4-10-10-1 net on [-1, 1]⁴ (HiGHS), and the 8-11-11-10 digits net of bench_regions_fig2.py on
[0, 1]⁸. The MILP gets --milp-seconds per net for its enumeration, after its big-M constants
(its count is then a lower bound, marked "+").

Run:  .venv/bin/python benchmarks/bench_regions_traversal.py [--milp-seconds 60] [--skip-digits] [--workers 2]
Prints, per net and method: regions, wall seconds, CPU seconds of the whole process, regions per
wall second and per CPU second (the machine may be shared: the CPU rate is the steadier one), and
the seconds of the enumeration alone.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = textwrap.dedent("""
    import json, sys
    import numpy as np
    sys.path.insert(0, {here!r})
    from m2bridge.networks.network import Network
    from m2bridge.networks.regions import count_regions, traverse_regions, unit_bounds
    name, method, seconds = {name!r}, {method!r}, {seconds!r}
    if name == "digits":
        from bench_regions_fig2 import digits_8_inputs
        from m2bridge.networks.regions.digits import train_network
        X, y = digits_8_inputs()
        net, _ = train_network((8, 11, 11, 10), X, y, seed=1100, epochs=600)
        box = (0.0, 1.0)
    else:
        widths, box = {{"2-32-32-1": ((2, 32, 32, 1), (-4.0, 4.0)),
                        "4-10-10-1": ((4, 10, 10, 1), (-1.0, 1.0))}}[name]
        rng = np.random.default_rng(0)
        net = Network([rng.normal(size=(b, a)) for a, b in zip(widths[:-1], widths[1:])],
                      [rng.normal(size=b) for b in widths[1:]])
    if method == "milp":
        bounds = unit_bounds(net, box)     # the big-M constants the MILP needs, not timed by its limit
        r = count_regions(net, box, bounds=bounds, time_limit=seconds)
        out = dict(regions=r.count, complete=r.complete, enumeration_seconds=r.seconds)
    else:
        r = traverse_regions(net, box, workers={workers!r})
        out = dict(regions=r.activation_regions, complete=r.complete, linear=r.linear_regions,
                   enumeration_seconds=r.seconds)
    print("RESULT " + json.dumps(out))
""")


def run(name: str, method: str, seconds: float, workers: int = 1) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", CHILD.format(here=str(HERE), name=name, method=method,
                                                              seconds=seconds, workers=workers)],
                          capture_output=True, text=True)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode or not lines:
        sys.exit(f"bench_regions_traversal: {name} {method} failed: {proc.stderr.strip()[-500:]}")
    return dict(json.loads(lines[0][7:]), wall=wall, cpu=cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--milp-seconds", type=float, default=60.0)
    parser.add_argument("--skip-digits", action="store_true")
    parser.add_argument("--workers", type=int, default=0,
                        help="also walk with this many processes (row traversal×N; wall time is what it saves)")
    args = parser.parse_args()
    names = ["2-32-32-1", "4-10-10-1"] + ([] if args.skip_digits else ["digits"])
    print(f"{'net':>10} | {'method':>9} | {'regions':>8} | {'linear':>6} | {'wall s':>7} | "
          f"{'cpu s':>7} | {'/wall s':>7} | {'/cpu s':>7} | {'enum s':>7}")
    for name in names:
        rows = {method: run(name, method, args.milp_seconds) for method in ("milp", "traversal")}
        if args.workers > 1:
            rows[f"trav×{args.workers}"] = run(name, "traversal", args.milp_seconds, args.workers)
        for method, r in rows.items():
            count = f"{r['regions']}" + ("" if r["complete"] else "+")
            print(f"{name:>10} | {method:>9} | {count:>8} | {str(r.get('linear', '')):>6} | "
                  f"{r['wall']:7.1f} | {r['cpu']:7.1f} | {r['regions'] / r['wall']:7.0f} | "
                  f"{r['regions'] / r['cpu']:7.0f} | {r['enumeration_seconds']:7.1f}", flush=True)
        before, after = rows["milp"], rows["traversal"]
        if before["regions"]:
            print(f"{name:>10} | speed-up (regions per CPU second, traversal / MILP): "
                  f"{(after['regions'] / after['cpu']) / (before['regions'] / before['cpu']):.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
