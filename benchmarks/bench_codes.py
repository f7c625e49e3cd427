"""Throughput of `codes` and of pairwise code distances on MNIST-sized data (ReLU code space).

A random 784-512-256-10 network (the 10 outputs are the linear layer; 768 hidden neurons = 768-bit
codes) and 10^5 random inputs in [0, 1)^784. Prints points per second for the chunked, batched
code computation and for all-pairs truncated Hamming distances (popcount on packed words), each next
to a naive per-point loop measured on a subsample, and the peak memory of the process.

    .venv/bin/python benchmarks/bench_codes.py            # about a minute on 2 cores
    .venv/bin/python benchmarks/bench_codes.py --points 20000
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from m2bridge.networks.codes import Codes, codes, iter_distance_rows
from m2bridge.networks.network import Network


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def random_network(widths, rng) -> Network:
    layers = range(len(widths) - 1)
    weights = [rng.normal(scale=np.sqrt(2 / widths[l]), size=(widths[l + 1], widths[l])) for l in layers]
    biases = [rng.normal(scale=0.1, size=widths[l + 1]) for l in layers]
    return Network(weights, biases)


def naive_code(net: Network, x: np.ndarray) -> np.ndarray:
    """One point at a time: the loop a first script would write."""
    bits, h = [], x.astype(np.float64)
    for W, b in zip(net.weights[:-1], net.biases[:-1]):
        h = np.maximum(W @ h + b, 0.0)
        bits.append(h > 0)
    return np.concatenate(bits)


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--naive-points", type=int, default=1000, help="subsample for the per-point loop")
    parser.add_argument("--distance-rows", type=int, default=5000,
                        help="rows whose distances to all points are timed (all pairs would take minutes)")
    parser.add_argument("--naive-pairs", type=int, default=40_000)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    net = random_network((784, 512, 256, 10), rng)
    X = rng.random((args.points, 784), dtype=np.float32)
    print(f"network 784-512-256-10 ({sum(net.hidden_widths)} hidden neurons), "
          f"{args.points} points x 784 (float32, {X.nbytes / 2**20:.0f} MiB)")
    print(f"peak memory after making the data: {peak_rss_mb():.0f} MiB")

    point_codes, seconds = timed(lambda: codes(net, X))
    fast = args.points / seconds
    sample = X[: args.naive_points]
    naive_bits, naive_seconds = timed(lambda: np.array([naive_code(net, x) for x in sample]))
    assert np.array_equal(naive_bits, point_codes[: args.naive_points].bits()), "naive loop differs"
    naive = args.naive_points / naive_seconds
    print(f"codes:     {fast:12,.0f} points/s ({seconds:.2f} s for {args.points})   "
          f"naive per-point loop: {naive:10,.0f} points/s   ratio {fast / naive:.1f}x")
    print(f"  distinct codes: {len(point_codes.distinct())}; peak memory {peak_rss_mb():.0f} MiB")

    rows = point_codes[: args.distance_rows]
    total, seconds = timed(lambda: distance_sum(rows, point_codes))
    pairs = len(rows) * len(point_codes)
    fast_pairs = pairs / seconds
    side = int(np.sqrt(args.naive_pairs))
    left, right = point_codes[:side].bits(), point_codes[side : 2 * side].bits()
    naive_total, naive_seconds = timed(
        lambda: sum(int(np.count_nonzero(a != b)) for a in left for b in right)
    )
    assert naive_total == distance_sum(point_codes[:side], point_codes[side : 2 * side]), "naive loop differs"
    naive_pairs = side * side / naive_seconds
    all_pairs = len(point_codes) * (len(point_codes) - 1) / 2
    print(f"distances: {fast_pairs:12,.0f} pairs/s = {fast_pairs / len(point_codes):,.0f} points/s "
          f"against all {len(point_codes)} codes   naive per-pair loop: {naive_pairs:10,.0f} pairs/s   "
          f"ratio {fast_pairs / naive_pairs:.0f}x")
    print(f"  all {all_pairs:.3g} pairs of {len(point_codes)} codes would take "
          f"{all_pairs / fast_pairs:.0f} s; mean distance {total / pairs:.1f} bits; "
          f"peak memory {peak_rss_mb():.0f} MiB")


def distance_sum(a: Codes, b: Codes) -> int:
    """Sum of all d_H(a_i, b_j): forces every distance to be computed, keeps nothing."""
    return sum(int(d.sum(dtype=np.int64)) for _, d in iter_distance_rows(a, b))


if __name__ == "__main__":
    main()
