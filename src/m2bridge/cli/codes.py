"""Sub-commands `m2bridge codes` and `m2bridge patterns`: a trained network and its data.

`codes` reports the ReLU code space of the data (codes, distances, LP-verified adjacency);
`patterns` turns the blocks of points sharing a code into an activation pattern and a case file.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from .._files import write_output
from ..errors import InputError
from ..networks.network import load_labels, load_network, load_points
from .args import positive_int, print_json

# codes/cells/datapattern are imported by the handlers, and cells needs SciPy (the `regions`
# extra) only for the LP adjacency: `--no-adjacency` and `patterns` run without it.

# More distinct codes than this make checking all pairs by LP (about 3 ms per pair for small
# networks) too slow to do unasked: 200 codes are 19,900 pairs, about a minute.
MAX_CELLS_ALL_PAIRS = 200


def _theta(text: str):
    if text.strip().lower() in ("inf", "infinity", "∞"):
        return None
    if not re.fullmatch(r"[0-9]+", text.strip()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer or 'inf'")
    return int(text)


def _add_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--network", required=True, metavar="NET.npz",
                        help="network file: arrays W1, b1, …, WL, bL (last layer linear)")
    parser.add_argument("--data", required=True, metavar="X.npy", help="data points, one per row")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a summary")


def configure(name: str, p: argparse.ArgumentParser) -> None:
    """`codes` or `patterns`: their arguments and handler."""
    _add_inputs(p)
    if name == "codes":
        p.description = ("Codes (one bit per hidden neuron, 1 = output > 0) of every data point, the "
                         "truncated Hamming distances between the distinct codes, and which of their cells share a "
                         "facet (checked by LP) next to d_H = 1.")
        p.add_argument("--theta", type=_theta, default=None, metavar="T",
                       help="truncate Hamming distances at T (positive integer; default inf)")
        p.add_argument("--lp-max-distance", type=positive_int, default=None, metavar="D",
                       help="check adjacency by LP only for pairs with d_H <= D (default: all pairs)")
        p.add_argument("--no-adjacency", action="store_true", help="skip the LP adjacency check")
        p.set_defaults(handler=run_codes)
        return
    p.description = ("Group the data points by code; each distinct code is one block of the "
                     "activation pattern (blocks in order of first occurrence). Optionally write a case file.")
    p.add_argument("--labels", metavar="y.npy", help="class label per point: counts per block")
    p.add_argument("--case-out", metavar="FILE.toml", help="write a case file for `m2bridge sweep`")
    p.add_argument("--name", help="case name in the case file (default: the network file's name)")
    p.add_argument("--field", default="QQ", help="coefficient field in the case file (default QQ)")
    p.add_argument("--timeout", type=positive_int, default=60, help="seconds per case (default 60)")
    p.set_defaults(handler=run_patterns)


def run_codes(args) -> int:
    from ..networks.cells import adjacency_graph
    from ..networks.codes import codes, distance_histogram

    network = load_network(args.network)
    X = load_points(args.data, network)
    point_codes = codes(network, X)
    distinct = point_codes.distinct()
    if not args.no_adjacency and args.lp_max_distance is None and len(distinct) > MAX_CELLS_ALL_PAIRS:
        raise InputError(
            f"{len(distinct)} distinct codes: checking all {len(distinct) * (len(distinct) - 1) // 2} "
            "pairs of cells by LP takes too long; pass --lp-max-distance 1 (pairs with d_H = 1 only) "
            "or --no-adjacency"
        )
    hexes = distinct.codes.hex()
    report = {
        "network": {"widths": list(network.widths), "hidden_neurons": point_codes.n_bits},
        "points": len(point_codes),
        "theta": args.theta,
        "codes": point_codes.hex(),
        "distinct": len(distinct),
        "distinct_codes": hexes,
        "counts": distinct.counts.tolist(),
        "distance_histogram": {
            str(d): n for d, n in distance_histogram(distinct.codes, args.theta).items()
        },
        "adjacent": None,
        "adjacency": None,
    }
    if not args.no_adjacency:
        graph = adjacency_graph(network, distinct.codes, args.lp_max_distance)
        report["adjacent"] = [[hexes[i], hexes[j]] for i, j in graph.edges]
        report["adjacency"] = {
            "checked_pairs": len(graph.checked),
            "lp_max_distance": args.lp_max_distance,
            "hamming_1_pairs": sum(1 for _, _, d in graph.checked if d == 1),
            "disagreements": [
                {"codes": [hexes[i], hexes[j]], "hamming": d, "adjacent": adjacent}
                for i, j, d, adjacent in graph.disagreements
            ],
            "components": len(graph.components()),
        }
    if args.json:
        print_json(report, args)
        return 0
    print(f"network {','.join(map(str, network.widths))}: {report['points']} points, "
          f"{len(distinct)} distinct codes of {point_codes.n_bits} bits")
    theta = "inf" if args.theta is None else args.theta
    print(f"truncated Hamming distances (theta = {theta}) over pairs of distinct codes:")
    for d, n in report["distance_histogram"].items():
        print(f"  d = {d}: {n} pairs")
    if report["adjacency"] is not None:
        adj = report["adjacency"]
        print(f"adjacent cells (LP): {len(report['adjacent'])} of {adj['checked_pairs']} checked pairs; "
              f"d_H = 1 pairs: {adj['hamming_1_pairs']}; graph components: {adj['components']}")
        for a, b in report["adjacent"]:
            print(f"  {a} -- {b}")
        for item in adj["disagreements"]:
            a, b = item["codes"]
            verdict = "adjacent" if item["adjacent"] else "not adjacent"
            print(f"  disagreement: {a}, {b}: d_H = {item['hamming']} but {verdict}")
    return 0


def run_patterns(args) -> int:
    from ..networks.datapattern import case_file_text, data_pattern

    network = load_network(args.network)
    X = load_points(args.data, network)
    labels = None if args.labels is None else load_labels(args.labels, X.shape[0])
    found = data_pattern(network, X, labels)
    block_texts = found.distinct.codes.text()
    hexes = found.distinct.codes.hex()
    blocks: list[dict[str, Any]] = []  # JSON objects of the report
    for b, (text, hex_code, size) in enumerate(zip(block_texts, hexes, found.block_sizes)):
        block: dict[str, Any] = {"block": b + 1, "code": hex_code, "pattern": text, "size": size,
                 "first_point": int(found.distinct.first_point[b])}
        if found.label_counts is not None:
            block["labels"] = {str(k): v for k, v in found.label_counts[b].items()}
        blocks.append(block)
    case_path = None
    if args.case_out:
        name = args.name or re.sub(r"[^A-Za-z0-9_.-]", "_", Path(args.network).stem)
        text = case_file_text(found, name, args.field, args.timeout, source=_describe_source(args))
        case_path = Path(args.case_out)
        if not case_path.parent.is_dir():
            raise InputError(f"--case-out {args.case_out!r}: folder {str(case_path.parent)!r} does not exist")
        write_output(case_path, text, "case_out")
    report = {
        "architecture": found.architecture.text,
        "bias": found.bias,
        "points": found.n_points,
        "pattern": found.pattern.text,
        "block_sizes": found.block_sizes,
        "blocks": blocks,
        "block_of_point": (found.distinct.inverse + 1).tolist(),
        "case_file": None if case_path is None else str(case_path),
    }
    if args.json:
        print_json(report, args)
        return 0
    print(f"architecture {report['architecture']} ({'affine' if found.bias else 'linear'} layers), "
          f"{found.n_points} points in {len(blocks)} blocks")
    print(f"pattern: {found.pattern.text}")
    width = max(len(t) for t in block_texts)
    for block in blocks:
        labels_text = ""
        if "labels" in block:
            labels_text = "  labels " + ", ".join(f"{k}: {v}" for k, v in block["labels"].items())
        print(f"  block {block['block']:>{len(str(len(blocks)))}}: {block['pattern']:<{width}}  "
              f"{block['size']} point{'s' if block['size'] != 1 else ''}{labels_text}")
    if case_path is not None:
        print(f"case file written to {case_path}")
    return 0


def _describe_source(args) -> str:
    return f"m2bridge patterns --network {args.network}\n--data {args.data}"
