"""`m2bridge regions`: count or bound the linear regions of a network file on an input box.

>>> parse_xor_sizes("2,3,5")
[2, 3, 5]
"""

from __future__ import annotations

import json
import re
import time

from ..networks.network import load_network
from ..networks.region_bounds import (
    configuration_upper_bound,
    empirical_upper_bound,
    montufar_bound,
)
from ..networks.regions import (
    DEFAULT_BOX,
    DEFAULT_PROBABILITY,
    DEFAULT_REPETITIONS,
    Progress,
    RegionInputError,
    count_regions,
    input_box,
    mip_bound,
    parse_box,
    unit_bounds,
)

METHODS = ("exact", "mipbound", "bounds", "all")
INTERRUPTED_EXIT = 130


def parse_xor_sizes(text: str) -> list[int]:
    """`--xor-k`: one size or a comma-separated list, each a positive integer."""
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        sizes = []
    if not sizes or any(k < 1 for k in sizes):
        raise RegionInputError(f"--xor-k: expected positive integers like 3 or 2,3,4, got {text!r}")
    return sizes


def configure(name: str, p: argparse.ArgumentParser) -> None:
    p.description = ((
            "Linear regions (activation patterns realised on the box) of a network file, after seed "
            "002: exact count by MILP enumeration (SCIP), MIPBound probabilistic lower bounds with "
            "parity constraints of size k, and the Configuration and Empirical upper bounds."
    ))
    p.add_argument("--network", required=True, metavar="NET.npz",
                   help="network file with arrays W1,b1,…,WL,bL (last layer linear)")
    p.add_argument("--box", metavar="LO,HI", default=None,
                   help=f"input box [LO,HI]^n0 (default {DEFAULT_BOX[0]:g},{DEFAULT_BOX[1]:g}: the "
                        "pixel range of 002's MNIST networks)")
    p.add_argument("--method", choices=METHODS, default="all",
                   help="exact: enumerate; mipbound: XOR-k lower bounds; bounds: upper bounds "
                        "only; all (default): everything. Upper bounds are always reported")
    p.add_argument("--xor-k", default="3", metavar="K[,K…]",
                   help="parity constraint sizes for MIPBound (default 3)")
    p.add_argument("--repetitions", type=int, default=DEFAULT_REPETITIONS,
                   help=f"MIPBound repetitions per XOR size (default {DEFAULT_REPETITIONS}: "
                        "probability 99.5 %% when every repetition stays feasible)")
    p.add_argument("--probability", type=float, default=DEFAULT_PROBABILITY,
                   help="report the largest 2^j lower bound with at least this probability "
                        f"(default {DEFAULT_PROBABILITY})")
    p.add_argument("--time-limit", type=float, default=None, metavar="S",
                   help="seconds for the exact count, and again for each XOR size; when hit the "
                        "count is a lower bound (exact_complete false)")
    p.add_argument("--count-limit", type=int, default=None, metavar="N",
                   help="stop the exact count after N regions (then a lower bound)")
    p.add_argument("--seed", type=int, default=0, help="seed of MIPBound's parity constraints")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    # argparse takes "-1,1" for an option (only "-1" or "-.5" look like numbers to it); widen its
    # notion of a negative number so that `--box -1,1` works as typed (`--box=-1,1` always does).
    p._negative_number_matcher = re.compile(r"^-[0-9.][0-9.eE+-]*(,[0-9.eE+-]+)?$")
    p.set_defaults(handler=run_regions)


def run_regions(args) -> int:
    started = time.monotonic()
    xor_sizes = parse_xor_sizes(args.xor_k)
    box = parse_box(args.box) if args.box is not None else DEFAULT_BOX
    if args.repetitions < 1:
        raise RegionInputError(f"--repetitions: must be at least 1, got {args.repetitions}")
    if not 0 < args.probability < 1:
        raise RegionInputError(f"--probability: must lie strictly between 0 and 1, got {args.probability}")
    if args.time_limit is not None and not args.time_limit > 0:
        raise RegionInputError(f"--time-limit: must be positive, got {args.time_limit}")
    if args.count_limit is not None and args.count_limit < 1:
        raise RegionInputError(f"--count-limit: must be at least 1, got {args.count_limit}")
    network = load_network(args.network)
    lower, upper = input_box(network, box)
    n0, widths = network.widths[0], network.hidden_widths
    progress = Progress()
    report = {
        "network": str(args.network),
        "widths": list(network.widths),
        "box": [float(lower[0]), float(upper[0])],
        "method": args.method,
        "exact": None,
        "exact_complete": False,
        "exact_stop_reason": None,
        "lower_bounds": {},
        "configuration_ub": configuration_upper_bound(n0, widths) if widths else 1,
        "montufar_ub": montufar_bound(n0, widths) if widths else 1,
        "empirical_ub": None,
        "stable_units": None,
        "interrupted": False,
        "phase_seconds": {},
        "seconds": None,
    }
    try:
        bounds = unit_bounds(network, (lower, upper), progress=progress)
        progress.close()
        report["stable_units"] = bounds.as_json()
        report["phase_seconds"]["unit_bounds"] = round(bounds.seconds, 3)
        report["interrupted"] = bounds.interrupted
        if widths:
            report["empirical_ub"] = empirical_upper_bound(network.weights[:-1], bounds.classes, n0)
        else:
            report["empirical_ub"] = 1
        if args.method in ("exact", "all") and not report["interrupted"]:
            counted = count_regions(network, (lower, upper), bounds=bounds, progress=progress,
                                    time_limit=args.time_limit, count_limit=args.count_limit)
            report["exact"] = counted.count
            report["exact_complete"] = counted.complete
            report["exact_stop_reason"] = counted.stop_reason
            report["phase_seconds"]["exact"] = round(counted.seconds, 3)
            report["interrupted"] = counted.stop_reason == "interrupted"
        if args.method in ("mipbound", "all"):
            for k in xor_sizes:
                if report["interrupted"]:
                    break
                result = mip_bound(network, (lower, upper), xor_size=k, bounds=bounds,
                                   repetitions=args.repetitions, probability=args.probability,
                                   seed=args.seed, time_limit=args.time_limit, progress=progress)
                report["lower_bounds"][str(k)] = {
                    "bound": result.bound,
                    "probability": round(result.probability, 6),
                    "repetitions": result.repetitions,
                    "seconds": round(result.seconds, 3),
                }
                report["interrupted"] = result.interrupted
    except KeyboardInterrupt:      # between SCIP calls; inside them SCIP stops and we return
        report["interrupted"] = True
    progress.close()
    report["seconds"] = round(time.monotonic() - started, 3)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(_text_report(report, n0))
    return INTERRUPTED_EXIT if report["interrupted"] else 0


def _text_report(report: dict, n0: int) -> str:
    lo, hi = report["box"]
    lines = [f"network {report['network']}: widths {'-'.join(map(str, report['widths']))}, "
             f"box [{lo:g}, {hi:g}]^{n0}"]
    stable = report["stable_units"]
    if stable is not None:
        lines.append(f"units: {stable['stably_active']} stably active, {stable['stably_inactive']} "
                     f"stably inactive, {stable['active_leaning']} active leaning, "
                     f"{stable['inactive_leaning']} inactive leaning")
    if report["exact"] is not None:
        state = "exact" if report["exact_complete"] else f"lower bound, {report['exact_stop_reason']}"
        lines.append(f"regions: {report['exact']} ({state}, {report['phase_seconds']['exact']:.2f} s)")
    for k, lb in report["lower_bounds"].items():
        lines.append(f"XOR-{k} lower bound: {lb['bound']} with probability {lb['probability']:.3f} "
                     f"({lb['repetitions']} repetitions, {lb['seconds']:.2f} s)")
    if report["empirical_ub"] is not None:
        lines.append(f"Empirical UB: {report['empirical_ub']}")
    lines.append(f"Configuration UB: {report['configuration_ub']}")
    lines.append(f"Montúfar UB: {report['montufar_ub']}")
    if report["interrupted"]:
        lines.append("interrupted: the numbers above are what was found so far")
    lines.append(f"time: {report['seconds']:.2f} s")
    return "\n".join(lines)
