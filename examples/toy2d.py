"""Train a 2-4-1 ReLU network on a 2-D toy dataset and write the example of cases/toy2d/.

Writes net.npz, X.npy, y.npy, toy2d.toml (the case file of the data's activation pattern) and,
if matplotlib is installed (`pip install 'm2bridge[plot]'`), cells.png: the input plane coloured
by cell, the data points, and the LP-verified adjacency graph of the cells hit by the data.
Numpy only for the training (full-batch Adam on the logistic loss, a second or two), seeded.

    .venv/bin/python examples/toy2d.py [--out cases/toy2d]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from m2bridge.networks.cells import adjacency_graph, cell_polyhedron
from m2bridge.networks.datapattern import case_file_text, data_pattern
from m2bridge.networks.network import Network


def xor_blobs(n_per_blob: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Four Gaussian blobs at (±1, ±1); label 1 where the signs differ (XOR)."""
    centres = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=float)
    X = np.vstack([c + 0.35 * rng.normal(size=(n_per_blob, 2)) for c in centres])
    y = np.repeat([0, 0, 1, 1], n_per_blob)
    order = rng.permutation(len(y))
    return X[order], y[order]


def train(X, y, hidden: int, rng, steps: int = 3000, rate: float = 0.02) -> Network:
    """Full-batch Adam on the logistic loss of a one-hidden-layer ReLU network."""
    params = [rng.normal(scale=0.8, size=(hidden, 2)), 0.1 * rng.normal(size=hidden),
              rng.normal(scale=0.8, size=(1, hidden)), np.zeros(1)]
    moments = [np.zeros_like(p) for p in params]
    squares = [np.zeros_like(p) for p in params]
    for step in range(1, steps + 1):
        W1, b1, W2, b2 = params
        pre = X @ W1.T + b1
        h = np.maximum(pre, 0)
        logit = (h @ W2.T + b2)[:, 0]
        # d(mean logistic loss)/d logit = sigmoid(logit) - y
        g_logit = (1 / (1 + np.exp(-logit)) - y)[:, None] / len(y)
        g_pre = (g_logit @ W2) * (pre > 0)
        grads = [g_pre.T @ X, g_pre.sum(0), g_logit.T @ h, g_logit.sum(0)]
        for p, g, m, v in zip(params, grads, moments, squares):
            m *= 0.9
            m += 0.1 * g
            v *= 0.999
            v += 0.001 * g * g
            p -= rate * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return Network([params[0], params[2]], [params[1], params[3]])


def plot(net: Network, X, y, distinct, graph, path: Path) -> bool:
    from m2bridge.extras import ExtraMissing
    from m2bridge.networks.pictures import cells_figure

    try:
        figure = cells_figure(net, X, y, distinct, graph)
    except ExtraMissing:
        print("matplotlib is not installed: no plot (pip install 'm2bridge[plot]')")
        return False
    figure.savefig(path, dpi=110)
    print(f"plot written to {path}")
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "cases" / "toy2d"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    rng = np.random.default_rng(2025)
    X, y = xor_blobs(50, rng)
    net = train(X, y, hidden=4, rng=rng)
    accuracy = np.mean((net.forward(X)[:, 0] > 0) == y)
    net.save(out / "net.npz")
    np.save(out / "X.npy", X)
    np.save(out / "y.npy", y)

    found = data_pattern(net, X, y)
    distinct = found.distinct
    graph = adjacency_graph(net, distinct.codes)
    (out / "toy2d.toml").write_text(case_file_text(
        found, name="toy2d", source="examples/toy2d.py\n(net.npz and X.npy in this folder)"))
    lines = [
        "# cases/toy2d: written by examples/toy2d.py",
        "",
        f"Network 2-4-1 (net.npz), training accuracy {accuracy:.3f}; {len(X)} points (X.npy, labels y.npy)",
        f"in {len(distinct)} cells. Pattern (toy2d.toml): `{found.pattern.text}`",
        "",
        "| block | code (hex) | pattern | points | labels | cell |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    hexes = distinct.codes.hex()
    for i, (text, size, labels) in enumerate(zip(distinct.codes.text(), found.block_sizes, found.label_counts)):
        cell = cell_polyhedron(net, distinct.codes.bits()[i])
        lines.append(f"| {i + 1} | {hexes[i]} | {text} | {size} | {labels} | "
                     f"{'bounded' if cell.is_bounded() else 'unbounded'} |")
    lines += ["", f"Adjacency graph (LP-verified shared facets, blocks numbered from 1): "
              f"{[(i + 1, j + 1) for i, j in graph.edges]}; disagreements with d_H = 1: {graph.disagreements}",
              "", *pattern_variety_lines(found)]
    (out / "summary.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    plot(net, X, y, distinct, graph, out / "cells.png")


def pattern_variety_lines(found) -> list[str]:
    """Dimension, degree and generators of J^A by Macaulay2, or why they are missing."""
    from m2bridge.errors import M2BridgeError
    from m2bridge.ideals.api import pattern_ideal

    try:
        result = pattern_ideal(found.architecture, found.pattern, bias=found.bias, timeout=120)
    except M2BridgeError as exc:
        return [f"Pattern variety not computed: {exc}"]
    return [f"Pattern variety (Macaulay2, bias = {str(found.bias).lower()}): dim {result.dim}, "
            f"degree {result.degree}, {len(result.generators)} minimal generators of degrees "
            f"{result.mingens_degrees}:", "", *[f"    {g}" for g in result.generator_strings()]]


if __name__ == "__main__":
    main()
