"""Figure 2 of Serra & Ramalingam, "Empirical Bounds on Linear Regions of Deep Rectifier Networks"
(AAAI 2020), in small: exact region counts vs XOR-k lower bounds vs Empirical and Configuration
upper bounds, with times, for networks trained here.

Networks: two hidden layers with 22 units in total (n1 + n2 = 22) and 10 outputs, trained in numpy
(full-batch Adam, cross-entropy) on scikit-learn's digits. The paper uses MNIST's 784 pixels; to
keep the exact count feasible here the 8×8 digits are downscaled by averaging 4×2 pixel blocks to
2×4 = 8 inputs, scaled to [0, 1]; the input box is [0, 1]^8, the pixel range, as in the paper.

Run:  .venv/bin/python benchmarks/bench_regions_fig2.py [--splits 4,8,11,14,18] [--networks 1]
Needs the `bench` extra (scikit-learn; matplotlib for the plot, skipped with a message without it).
Prints a table, writes benchmarks/out/regions_fig2.png and prints the peak memory.
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import time
from pathlib import Path

import numpy as np

from m2bridge.networks.regions import (
    configuration_upper_bound,
    count_regions,
    empirical_upper_bound,
    mip_bound,
    unit_bounds,
)
from m2bridge.networks.regions.digits import train_network

OUT = Path(__file__).resolve().parent / "out"
N_HIDDEN = 22


def digits_8_inputs() -> tuple[np.ndarray, np.ndarray]:
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        sys.exit("bench_regions_fig2: scikit-learn is missing: pip install -e '.[bench]'")
    digits = load_digits()
    images = digits.images / 16.0                              # pixels in [0, 1]
    pooled = images.reshape(-1, 2, 4, 4, 2).mean(axis=(2, 4))   # 4×2 blocks → 2×4 inputs
    return pooled.reshape(len(images), -1), digits.target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", default="4,8,11,14,18",
                        help="n1 values; n2 = 22 − n1 (default 4,8,11,14,18)")
    parser.add_argument("--networks", type=int, default=1, help="networks per split (default 1)")
    parser.add_argument("--xor", default="2,3,4,5", help="XOR sizes (default 2,3,4,5)")
    parser.add_argument("--time-limit", type=float, default=120.0,
                        help="seconds for each exact count (default 120)")
    args = parser.parse_args()
    splits = [int(s) for s in args.splits.split(",")]
    xors = [int(k) for k in args.xor.split(",")]
    X, y = digits_8_inputs()
    box = (0.0, 1.0)
    rows = []
    started = time.monotonic()
    for n1 in splits:
        for rep in range(args.networks):
            widths = (X.shape[1], n1, N_HIDDEN - n1, 10)
            net, accuracy = train_network(widths, X, y, seed=100 * n1 + rep, epochs=600)
            bounds = unit_bounds(net, box)
            t0 = time.monotonic()
            empirical = empirical_upper_bound(net.weights[:-1], bounds.classes, widths[0])
            ub_seconds = time.monotonic() - t0
            exact = count_regions(net, box, bounds=bounds, time_limit=args.time_limit)
            lbs = {k: mip_bound(net, box, xor_size=k, bounds=bounds, seed=rep) for k in xors}
            rows.append(dict(widths=widths, accuracy=accuracy, bounds_s=bounds.seconds,
                             ub_s=ub_seconds, exact=exact, lbs=lbs, empirical=empirical,
                             config=configuration_upper_bound(widths[0], widths[1:-1]),
                             classes=bounds.class_counts()))
            print_row(rows[-1], xors, header=len(rows) == 1)
    print(f"\ntotal {time.monotonic() - started:.1f} s; H/H̄ constants and stability from per-unit "
          "MILPs (column H s); XOR-k: largest 2^j with probability ≥ 95 % over 28 repetitions")
    plot(rows, xors)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak memory (max RSS): {peak_kib / 1024:.0f} MiB")
    return 0


def print_row(row: dict, xors: list[int], header: bool) -> None:
    if header:
        cols = ["widths", "acc", "H s", "exact", "exact s"] + \
               [f"XOR-{k} (s)" for k in xors] + ["Emp UB", "Conf UB", "stable +/−"]
        print(" | ".join(f"{c:>13}" for c in cols))
    ex = row["exact"]
    exact = f"{ex.count}" + ("" if ex.complete else "+")
    cells = ["-".join(map(str, row["widths"][1:3])), f"{row['accuracy']:.3f}",
             f"{row['bounds_s']:.2f}", exact, f"{ex.seconds:.1f}"]
    cells += [f"{row['lbs'][k].bound} ({row['lbs'][k].seconds:.1f})" for k in xors]
    cells += [str(row["empirical"]), str(row["config"]),
              f"{row['classes']['stably_active']}/{row['classes']['stably_inactive']}"]
    print(" | ".join(f"{c:>13}" for c in cells), flush=True)


def plot(rows: list[dict], xors: list[int]) -> None:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("plot skipped: matplotlib is missing (pip install -e '.[bench]')")
        return
    OUT.mkdir(parents=True, exist_ok=True)
    labels = sorted({r["widths"][1] for r in rows})

    def mean_by_split(value):
        return [np.mean([value(r) for r in rows if r["widths"][1] == n1]) for n1 in labels]

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 8), sharex=True)
    top.plot(labels, mean_by_split(lambda r: math.log2(r["config"])), "k--", label="Configuration UB")
    top.plot(labels, mean_by_split(lambda r: math.log2(r["empirical"])), "b-", label="Empirical UB")
    top.plot(labels, mean_by_split(lambda r: math.log2(r["exact"].count)), "ko-",
             label="exact (hollow: time limit hit, a lower bound)")
    cut = [n1 for n1 in labels if any(not r["exact"].complete for r in rows if r["widths"][1] == n1)]
    top.plot(cut, [math.log2(np.mean([r["exact"].count for r in rows if r["widths"][1] == n1]))
                   for n1 in cut], "wo", markersize=4)
    for k in xors:
        top.plot(labels, mean_by_split(lambda r: math.log2(max(r["lbs"][k].bound, 1))), ".-",
                 label=f"XOR-{k} LB")
    top.set_ylabel("log2 regions")
    top.legend(fontsize=8)
    top.set_title("digits, 8 inputs, hidden widths n1 + n2 = 22, 10 outputs")
    bottom.plot(labels, mean_by_split(lambda r: r["exact"].seconds), "ko-", label="exact count")
    for k in xors:
        bottom.plot(labels, mean_by_split(lambda r: r["lbs"][k].seconds + r["bounds_s"]), ".-",
                    label=f"XOR-{k} (incl. H constants)")
    bottom.set_yscale("log")
    bottom.set_xlabel("n1 (first hidden layer width)")
    bottom.set_ylabel("seconds")
    bottom.legend(fontsize=8)
    fig.tight_layout()
    path = OUT / "regions_fig2.png"
    fig.savefig(path, dpi=110)
    print(f"plot written to {path}")


if __name__ == "__main__":
    sys.exit(main())
