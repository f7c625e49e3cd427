"""`m2bridge regions`: count or bound the linear regions of a network file on an input box.

>>> parse_xor_sizes("2,3,5,3")
[2, 3, 5]
>>> box_argument("-1,1")
(-1.0, 1.0)
>>> box_argument("-1,1,-2,2") == box_argument("-1:1,-2:2") == ((-1.0, -2.0), (1.0, 2.0))
True
"""

from __future__ import annotations

import argparse
import math
import re
import time

import numpy as np

from ..networks.network import NetworkError, load_network, load_points
from ..networks.regions import (
    DEFAULT_BOX,
    DEFAULT_PROBABILITY,
    DEFAULT_REPETITIONS,
    configuration_upper_bound,
    count_regions,
    empirical_upper_bound,
    input_box,
    interval_bounds,
    mip_bound,
    montufar_bound,
    unit_bounds,
)
from ..networks.regions.traversal import DEFINITIONS, traverse_regions
from ..networks.pictures import SLICE_BOX, region_figure, slice_network
from .args import nonnegative_int, positive_float, positive_int, print_json
from .progress import Progress

METHODS = ("exact", "mipbound", "bounds", "all")
EXACT_METHODS = ("traversal", "milp")
INTERRUPTED_EXIT = 130


def parse_xor_sizes(text: str) -> list[int]:
    """argparse type of `--xor-k`: one size or a comma-separated list of positive integers
    (repeated sizes once)."""
    parts = [part.strip() for part in text.split(",")]
    if not all(re.fullmatch(r"[0-9]+", part) and int(part) >= 1 for part in parts):
        raise argparse.ArgumentTypeError(f"expected positive integers like 3 or 2,3,4, got {text!r}")
    return list(dict.fromkeys(int(part) for part in parts))


BOX_FORMS = "LO,HI (every input), or one range per input: LO1,HI1,LO2,HI2,… or LO1:HI1,LO2:HI2,…"


def box_argument(text: str) -> tuple:
    """argparse type of `--box`: `LO,HI` for the cube [LO,HI]^n0, or one range per input,
    `LO1,HI1,LO2,HI2,…` or `LO1:HI1,LO2:HI2,…`; (lo, hi) numbers for a cube, else (lowers, uppers).
    Finite numbers, each lower below its upper; their count is checked with the network (`input_box`)."""
    if ":" in text:
        pairs = [item.split(":") for item in text.split(",")]
        if any(len(pair) != 2 for pair in pairs):
            raise argparse.ArgumentTypeError(f"expected ranges LO:HI separated by commas, got {text!r}")
        parts = [part for pair in pairs for part in pair]
    else:
        parts = text.split(",")
        if len(parts) % 2:
            raise argparse.ArgumentTypeError(f"expected {BOX_FORMS}; got {len(parts)} number(s) in {text!r}")
    numbers = []
    for part in parts:
        try:
            value = float(part)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{part.strip()!r} is not a finite number (in {text!r}; expected "
                                             f"{BOX_FORMS})")
        numbers.append(value)
    lowers, uppers = tuple(numbers[::2]), tuple(numbers[1::2])
    for j, (lo, hi) in enumerate(zip(lowers, uppers), start=1):
        if lo >= hi:
            where = "" if len(lowers) == 1 else f" of input {j}"
            raise argparse.ArgumentTypeError(f"lower bound {lo:g} is not below upper bound {hi:g}{where} in {text!r}")
    return (lowers[0], uppers[0]) if len(lowers) == 1 else (lowers, uppers)


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
                   help=f"input box: LO,HI for [LO,HI]^n0 (default {DEFAULT_BOX[0]:g},{DEFAULT_BOX[1]:g}: the "
                        "pixel range of the paper's MNIST networks), or one range per input, "
                        "LO1,HI1,LO2,HI2,… or LO1:HI1,LO2:HI2,… (n0 ranges)")
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
    p.add_argument("--workers", type=positive_int, default=1, metavar="N",
                   help="walk the regions in N forked processes, each on slabs of the box (traversal only)")
    p.add_argument("--exact-method", choices=EXACT_METHODS, default="traversal",
                   help="traversal (default): walk across facets of adjacent activation regions "
                        "(full-dimensional regions; also counts linear regions); milp: SCIP "
                        "enumeration of the patterns realised on a non-empty set")
    p.add_argument("--plot", metavar="FILE.png", default=None,
                   help="draw the partition of the input plane coloured by region (2 inputs; "
                        "with more, the plane through the 3 points of --slice)")
    p.add_argument("--points", metavar="X.npy", default=None,
                   help="data points drawn on the --plot picture (2 inputs only)")
    p.add_argument("--slice", metavar="P.npy", default=None,
                   help="3 input points (a 3 x n0 .npy) spanning the plane drawn by --plot")
    p.add_argument("--seed", type=nonnegative_int, default=0,
                   help="seed of MIPBound's parity constraints")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    # argparse takes "-1,1" for an option (only "-1" or "-.5" look like numbers to it); widen its
    # notion of a negative number so that `--box -1,1` (or `-1:1,-2:2`) works as typed
    # (`--box=-1,1` always does).
    p._negative_number_matcher = re.compile(r"^-\.?[0-9]")  # no flag of regions starts so
    p.set_defaults(handler=run_regions)


def run_regions(args) -> int:
    started = time.monotonic()
    network = load_network(args.network)
    lower, upper = input_box(network, args.box)
    n0, widths = network.widths[0], network.hidden_widths
    picture = _picture_inputs(network, args) if args.plot else None
    report = {
        "network": str(args.network),
        "widths": list(network.widths),
        "box": _box_json(lower, upper),
        "method": args.method,
        "exact": None,
        "exact_complete": False,
        "exact_stop_reason": None,
        "exact_method": args.exact_method,
        "activation_regions": None,
        "linear_regions": None,
        "region_definitions": {k: DEFINITIONS[k] for k in ("activation_regions", "linear_regions")}
        if args.exact_method == "traversal" else {"activation_regions": DEFINITIONS["milp"]},
        "lower_bounds": {},
        "configuration_ub": configuration_upper_bound(n0, widths) if widths else 1,
        "montufar_ub": montufar_bound(n0, widths) if widths else 1,
        "empirical_ub": None,
        "stable_units": None,
        "interrupted": False,
        "phase_seconds": {},
        "seconds": None,
    }
    with Progress(enabled=False if args.quiet else None) as progress:  # -q: only errors
        try:
            _compute(network, (lower, upper), args, report, progress.update)
        except KeyboardInterrupt:      # between SCIP calls; inside them SCIP stops and we return
            report["interrupted"] = True
    if picture is not None and not report["interrupted"]:
        report["plot"] = _draw(network, (lower, upper), picture, args.plot)
    report["seconds"] = round(time.monotonic() - started, 3)
    if args.json:
        print_json(report, args)
    else:
        print(_text_report(report, n0))
    return INTERRUPTED_EXIT if report["interrupted"] else 0


def _compute(network, box, args, report: dict, on_progress) -> None:
    """Fill `report` phase by phase; an interrupted phase ends the run."""
    if args.method == "exact" and args.exact_method == "traversal":
        # the walk needs no big-M constants: interval arithmetic (sound, looser) classifies the
        # units for the Empirical UB in no time instead of two MILPs per unit
        bounds = interval_bounds(network, box)
    else:
        bounds = unit_bounds(network, box, on_progress=on_progress)
    report["stable_units"] = bounds.as_json()
    report["phase_seconds"]["unit_bounds"] = round(bounds.seconds, 3)
    report["interrupted"] = bounds.interrupted
    widths = network.hidden_widths
    report["empirical_ub"] = (empirical_upper_bound(network.weights[:-1], bounds.classes, network.widths[0])
                              if widths else 1)
    if args.method in ("exact", "all") and not report["interrupted"]:
        if args.exact_method == "traversal":
            walked = traverse_regions(network, box, on_progress=on_progress, time_limit=args.time_limit,
                                      count_limit=args.count_limit, workers=args.workers)
            counted_count, complete, reason, seconds = (walked.activation_regions, walked.complete,
                                                        walked.stop_reason, walked.seconds)
            report["linear_regions"] = walked.linear_regions
            report["traversal"] = {"method": walked.method, "lp_runs": walked.lp_runs,
                                   "probes": walked.probes, "regions_per_second": round(walked.rate, 1)}
        else:
            counted = count_regions(network, box, bounds=bounds, on_progress=on_progress,
                                    time_limit=args.time_limit, count_limit=args.count_limit)
            counted_count, complete, reason, seconds = (counted.count, counted.complete,
                                                        counted.stop_reason, counted.seconds)
        report["exact"] = report["activation_regions"] = counted_count
        report["exact_complete"] = complete
        report["exact_stop_reason"] = reason
        report["phase_seconds"]["exact"] = round(seconds, 3)
        report["interrupted"] = reason == "interrupted"
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


def _box_json(lower, upper) -> list:
    """[LO, HI] for a cube, else [[LO1, HI1], [LO2, HI2], …] (one range per input)."""
    ranges = [[float(lo), float(hi)] for lo, hi in zip(lower, upper)]
    return ranges[0] if all(r == ranges[0] for r in ranges) else ranges


def _box_text(box: list, n0: int) -> str:
    if not isinstance(box[0], list):
        return f"[{box[0]:g}, {box[1]:g}]^{n0}"
    return " × ".join(f"[{lo:g}, {hi:g}]" for lo, hi in box)


def _text_report(report: dict, n0: int) -> str:
    lines = [f"network {report['network']}: widths {'-'.join(map(str, report['widths']))}, "
             f"box {_box_text(report['box'], n0)}"]
    stable = report["stable_units"]
    if stable is not None:
        lines.append(f"units: {stable['stably_active']} stably active, {stable['stably_inactive']} "
                     f"stably inactive, {stable['active_leaning']} active leaning, "
                     f"{stable['inactive_leaning']} inactive leaning")
    if report["exact"] is not None:
        state = "exact" if report["exact_complete"] else f"lower bound, {report['exact_stop_reason']}"
        lines.append(f"activation regions: {report['exact']} ({state}, {report['exact_method']}, "
                     f"{report['phase_seconds']['exact']:.2f} s)")
        if report["linear_regions"] is not None:
            lines.append(f"linear regions: {report['linear_regions']} (adjacent activation regions "
                         "with one affine map merged)")
    for k, lb in report["lower_bounds"].items():
        lines.append(f"XOR-{k} lower bound: {lb['bound']} with probability {lb['probability']:.3f} "
                     f"({lb['repetitions']} repetitions, {lb['seconds']:.2f} s)")
    if report["empirical_ub"] is not None:
        lines.append(f"Empirical UB: {report['empirical_ub']}")
    lines.append(f"Configuration UB: {report['configuration_ub']}")
    lines.append(f"Montúfar UB: {report['montufar_ub']}")
    if report.get("plot"):
        lines.append(f"picture: {report['plot']}")
    if report["interrupted"]:
        lines.append("interrupted: the numbers above are what was found so far")
    lines.append(f"time: {report['seconds']:.2f} s")
    return "\n".join(lines)


def _picture_inputs(network, args):
    """(plane network, points) for --plot, checked before any counting starts."""
    from ..errors import InputError

    n0 = network.widths[0]
    if n0 == 2:
        if args.slice:
            raise InputError("slice: the network has 2 inputs; the picture is its input plane",
                             parameter="slice")
        points = load_points(args.points, network, "--points file") if args.points else None
        return network, (None if points is None else np.asarray(points, dtype=float)), None
    if not args.slice:
        raise InputError(f"plot: the network has {n0} inputs; give --slice P.npy with 3 points "
                         "spanning the plane to draw", parameter="plot")
    if args.points:
        raise InputError("points: data points are drawn for 2-input networks only", parameter="points")
    through = np.asarray(load_points(args.slice, network, "--slice file"), dtype=float)
    try:
        return slice_network(network, through), None, through
    except NetworkError as exc:
        raise InputError(f"slice: {exc}", parameter="slice") from None


def _draw(network, box, picture, path) -> str:
    plane, points, through = picture
    if through is not None:
        box = SLICE_BOX
        title = (f"{'-'.join(map(str, network.widths))} ReLU network on the plane through 3 points "
                 "(at (0,0), (1,0), (0,1))")
    else:
        title = None
    figure = region_figure(plane, box, points=points, title=title)
    try:
        figure.savefig(path, dpi=120)
    except OSError as exc:
        from ..errors import InputError

        raise InputError(f"plot: cannot write {path!r}: {exc.strerror or exc}", parameter="plot") from None
    return str(path)
