"""`m2bridge regions`: count or bound the linear regions of a network file on an input box.

>>> parse_xor_sizes("2,3,5,3")
[2, 3, 5]
>>> box_argument("-1,1")
(-1.0, 1.0)
"""

from __future__ import annotations

import argparse
import math
import re
import time

from ..networks.network import load_network
from ..networks.regions import (
    DEFAULT_BOX,
    DEFAULT_PROBABILITY,
    DEFAULT_REPETITIONS,
    configuration_upper_bound,
    count_regions,
    empirical_upper_bound,
    input_box,
    mip_bound,
    montufar_bound,
    unit_bounds,
)
from .args import nonnegative_int, positive_float, positive_int, print_json
from .progress import Progress

METHODS = ("exact", "mipbound", "bounds", "all")
INTERRUPTED_EXIT = 130


def parse_xor_sizes(text: str) -> list[int]:
    """argparse type of `--xor-k`: one size or a comma-separated list of positive integers
    (repeated sizes once)."""
    parts = [part.strip() for part in text.split(",")]
    if not all(re.fullmatch(r"[0-9]+", part) and int(part) >= 1 for part in parts):
        raise argparse.ArgumentTypeError(f"expected positive integers like 3 or 2,3,4, got {text!r}")
    return list(dict.fromkeys(int(part) for part in parts))


def box_argument(text: str) -> tuple[float, float]:
    """argparse type of `--box LO,HI`: two finite numbers (their order and size are checked with
    the network, by `input_box`)."""
    parts = text.split(",")
    try:
        lo, hi = (float(part) for part in parts) if len(parts) == 2 else (math.nan, math.nan)
    except ValueError:
        lo = hi = math.nan
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise argparse.ArgumentTypeError(f"expected LO,HI with two finite numbers LO < HI, got {text!r}")
    return lo, hi


def probability_argument(text: str) -> float:
    """argparse type of `--probability`: a number strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a probability strictly between 0 and 1")
    return value


def configure(name: str, p: argparse.ArgumentParser) -> None:
    p.description = (
        "Linear regions (activation patterns realised on the box) of a network file, after Serra & "
        "Ramalingam, AAAI 2020: exact count by MILP enumeration (SCIP), MIPBound probabilistic lower "
        "bounds with parity constraints of size k, and the Configuration and Empirical upper bounds."
    )
    p.add_argument("--network", required=True, metavar="NET.npz",
                   help="network file with arrays W1,b1,…,WL,bL (last layer linear)")
    p.add_argument("--box", metavar="LO,HI", type=box_argument, default=DEFAULT_BOX,
                   help=f"input box [LO,HI]^n0 (default {DEFAULT_BOX[0]:g},{DEFAULT_BOX[1]:g}: the "
                        "pixel range of the paper's MNIST networks)")
    p.add_argument("--method", choices=METHODS, default="all",
                   help="exact: enumerate; mipbound: XOR-k lower bounds; bounds: upper bounds "
                        "only; all (default): everything. Upper bounds are always reported")
    p.add_argument("--xor-k", type=parse_xor_sizes, default=[3], metavar="K[,K…]",
                   help="parity constraint sizes for MIPBound (default 3)")
    p.add_argument("--repetitions", type=positive_int, default=DEFAULT_REPETITIONS,
                   help=f"MIPBound repetitions per XOR size (default {DEFAULT_REPETITIONS}: "
                        "probability 99.5 %% when every repetition stays feasible)")
    p.add_argument("--probability", type=probability_argument, default=DEFAULT_PROBABILITY,
                   help="report the largest 2^j lower bound with at least this probability "
                        f"(default {DEFAULT_PROBABILITY})")
    p.add_argument("--time-limit", type=positive_float, default=None, metavar="S",
                   help="seconds for the exact count, and again for each XOR size; when hit the "
                        "count is a lower bound (exact_complete false)")
    p.add_argument("--count-limit", type=positive_int, default=None, metavar="N",
                   help="stop the exact count after N regions (then a lower bound)")
    p.add_argument("--seed", type=nonnegative_int, default=0,
                   help="seed of MIPBound's parity constraints")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    # argparse takes "-1,1" for an option (only "-1" or "-.5" look like numbers to it); widen its
    # notion of a negative number so that `--box -1,1` works as typed (`--box=-1,1` always does).
    p._negative_number_matcher = re.compile(r"^-[0-9.][0-9.eE+-]*(,[0-9.eE+-]+)?$")
    p.set_defaults(handler=run_regions)


def run_regions(args) -> int:
    started = time.monotonic()
    network = load_network(args.network)
    lower, upper = input_box(network, args.box)
    n0, widths = network.widths[0], network.hidden_widths
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
    with Progress() as progress:
        try:
            _compute(network, (lower, upper), args, report, progress.update)
        except KeyboardInterrupt:      # between SCIP calls; inside them SCIP stops and we return
            report["interrupted"] = True
    report["seconds"] = round(time.monotonic() - started, 3)
    if args.json:
        print_json(report, args)
    else:
        print(_text_report(report, n0))
    return INTERRUPTED_EXIT if report["interrupted"] else 0


def _compute(network, box, args, report: dict, on_progress) -> None:
    """Fill `report` phase by phase; an interrupted phase ends the run."""
    bounds = unit_bounds(network, box, on_progress=on_progress)
    report["stable_units"] = bounds.as_json()
    report["phase_seconds"]["unit_bounds"] = round(bounds.seconds, 3)
    report["interrupted"] = bounds.interrupted
    widths = network.hidden_widths
    report["empirical_ub"] = (empirical_upper_bound(network.weights[:-1], bounds.classes, network.widths[0])
                              if widths else 1)
    if args.method in ("exact", "all") and not report["interrupted"]:
        counted = count_regions(network, box, bounds=bounds, on_progress=on_progress,
                                time_limit=args.time_limit, count_limit=args.count_limit)
        report["exact"] = counted.count
        report["exact_complete"] = counted.complete
        report["exact_stop_reason"] = counted.stop_reason
        report["phase_seconds"]["exact"] = round(counted.seconds, 3)
        report["interrupted"] = counted.stop_reason == "interrupted"
    if args.method in ("mipbound", "all"):
        for k in args.xor_k:
            if report["interrupted"]:
                break
            result = mip_bound(network, box, xor_size=k, bounds=bounds, repetitions=args.repetitions,
                               seed=args.seed, time_limit=args.time_limit, on_progress=on_progress)
            bound, probability = result.lower_bound(args.probability)
            report["lower_bounds"][str(k)] = {
                "bound": bound,
                "probability": round(probability, 6),
                "repetitions": result.repetitions,
                "seconds": round(result.seconds, 3),
            }
            report["interrupted"] = result.interrupted


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
