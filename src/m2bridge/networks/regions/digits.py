"""Linear regions of small networks trained here on scikit-learn's bundled digits (8×8 images, no
download), in the spirit of Table 1 of Serra & Ramalingam, "Empirical Bounds on Linear Regions of
Deep Rectifier Networks" (AAAI 2020): two hidden layers with n1 + n2 = 22 units and 10 outputs.

Their networks read MNIST's 784 pixels; exact counts at that size are out of reach, so here the
64 pixels (scaled to [0, 1]) are projected onto their first few principal axes (a fixed linear map
computed once from the whole data set, signs fixed) and each coordinate rescaled to [0, 1]; the
input box is [0, 1]^d. Training is numpy only: full-batch Adam on softmax cross-entropy, seeded.

For each network: the exact count of activation regions by traversal (`traversal`), the linear
regions, MIPBound's XOR-k lower bounds, the Configuration, Empirical and Montúfar upper bounds, and
the paper's "gap closed": the share of the gap between the Configuration UB and the exact count
that the Empirical UB closes, 100 (Configuration − Empirical) / (Configuration − exact).

>>> round(gap_closed(exact=100, configuration=300, empirical=250), 1)
25.0
"""

from __future__ import annotations

import time

import numpy as np

from ...extras import require
from ..network import Network
from .bounds import configuration_upper_bound, empirical_upper_bound, montufar_bound
from .mipbound import mip_bound
from .stability import unit_bounds
from .traversal import traverse_regions

SPLITS = (4, 8, 11, 14, 18)
# Below this training accuracy (chance is 0.1) a narrow layer died at initialisation: retrain.
DEAD_ACCURACY = 0.3
HIDDEN_UNITS = 22


def digits_inputs(dimensions: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """(X, y): the digits projected onto their first `dimensions` principal axes, each coordinate
    rescaled to [0, 1]; y the digit 0–9."""
    digits = require("sklearn.datasets", "regions").load_digits()
    pixels = digits.data / 16.0
    centred = pixels - pixels.mean(axis=0)
    _, _, axes = np.linalg.svd(centred, full_matrices=False)
    axes = axes[:dimensions]
    axes *= np.sign(axes[np.arange(dimensions), np.abs(axes).argmax(axis=1)])[:, None]
    Z = centred @ axes.T
    X = (Z - Z.min(axis=0)) / (Z.max(axis=0) - Z.min(axis=0))
    return X, digits.target


def train_network(widths: tuple[int, ...], X: np.ndarray, y: np.ndarray, seed: int,
                  epochs: int = 800, rate: float = 0.02) -> tuple[Network, float]:
    """Full-batch Adam on softmax cross-entropy; (network, training accuracy)."""
    rng = np.random.default_rng(seed)
    params = []
    for a, b in zip(widths[:-1], widths[1:]):
        params += [rng.normal(scale=np.sqrt(2.0 / a), size=(b, a)), np.zeros(b)]
    first = [np.zeros_like(p) for p in params]
    second = [np.zeros_like(p) for p in params]
    Y = np.eye(widths[-1])[y]
    for step in range(1, epochs + 1):
        hidden = [X]
        for l in range(0, len(params) - 2, 2):
            hidden.append(np.maximum(hidden[-1] @ params[l].T + params[l + 1], 0.0))
        logits = hidden[-1] @ params[-2].T + params[-1]
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        delta = (p - Y) / len(X)
        grads: dict[int, np.ndarray] = {}  # parameter index → gradient, from the last layer back
        for l in range(len(params) - 2, -1, -2):
            grads[l], grads[l + 1] = delta.T @ hidden[l // 2], delta.sum(axis=0)
            if l:
                delta = (delta @ params[l]) * (hidden[l // 2] > 0)
        for i, g in grads.items():
            first[i] = 0.9 * first[i] + 0.1 * g
            second[i] = 0.999 * second[i] + 0.001 * g * g
            params[i] -= rate * (first[i] / (1 - 0.9 ** step)) / (np.sqrt(second[i] / (1 - 0.999 ** step)) + 1e-8)
    net = Network(params[0::2], params[1::2])
    return net, float((net.forward(X).argmax(axis=1) == y).mean())


def gap_closed(exact: int, configuration: int, empirical: int) -> float | None:
    """Percentage of the gap Configuration UB − exact closed by the Empirical UB (None: no gap)."""
    if configuration <= exact:
        return None
    return 100.0 * (configuration - empirical) / (configuration - exact)


def digits_row(n1: int, dimensions: int = 3, *, seed: int = 0, xor_sizes=(2, 3),
               time_limit: float = 600.0, mip_time_limit: float = 60.0) -> dict:
    """Train the network d-n1-(22−n1)-10 (seed 100·n1 + seed, or the next ones while a layer dies
    at initialisation) and bound/count its regions on [0, 1]^d."""
    X, y = digits_inputs(dimensions)
    widths = (dimensions, n1, HIDDEN_UNITS - n1, 10)
    used = 100 * n1 + seed
    net, accuracy = train_network(widths, X, y, seed=used)
    while accuracy < DEAD_ACCURACY and used < 100 * n1 + seed + 10:
        used += 1                 # a hidden layer died at initialisation: the next seed
        net, accuracy = train_network(widths, X, y, seed=used)
    box = (0.0, 1.0)
    bounds = unit_bounds(net, box)
    walked = traverse_regions(net, box, time_limit=time_limit)
    lower = {}
    for k in xor_sizes:
        started = time.monotonic()
        result = mip_bound(net, box, xor_size=k, bounds=bounds, seed=seed, time_limit=mip_time_limit)
        bound, probability = result.lower_bound(0.95)
        lower[k] = {"bound": bound, "probability": round(probability, 4),
                    "seconds": round(time.monotonic() - started, 1)}
    hidden = widths[1:-1]
    configuration = configuration_upper_bound(dimensions, hidden)
    empirical = empirical_upper_bound(net.weights[:-1], bounds.classes, dimensions)
    return {
        "widths": list(widths), "seed": used, "accuracy": round(accuracy, 4),
        "activation_regions": walked.activation_regions, "complete": walked.complete,
        "linear_regions": walked.linear_regions, "traversal_seconds": round(walked.seconds, 1),
        "xor_lower_bounds": lower, "configuration_ub": configuration, "empirical_ub": empirical,
        "montufar_ub": montufar_bound(dimensions, hidden),
        "gap_closed": (None if not walked.complete
                       else gap_closed(walked.activation_regions, configuration, empirical)),
        "stable_units": bounds.as_json(),
    }


def results_markdown(rows: list[dict], dimensions: int) -> str:
    """The results page: one table row per network, then how the numbers were made."""
    xors = sorted({int(k) for row in rows for k in row["xor_lower_bounds"]})
    head = (["widths", "seed", "accuracy", "activation regions", "linear regions", "s"]
            + [f"XOR-{k} LB" for k in xors] + ["Empirical UB", "Configuration UB", "Montúfar UB",
                                               "gap closed %"])
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for row in rows:
        exact = f"{row['activation_regions']}" + ("" if row["complete"] else " (lower bound)")
        gap = "–" if row["gap_closed"] is None else f"{row['gap_closed']:.1f}"
        cells = ["-".join(map(str, row["widths"])), str(row["seed"]), f"{row['accuracy']:.3f}", exact,
                 "–" if row["linear_regions"] is None else str(row["linear_regions"]),
                 f"{row['traversal_seconds']:.1f}"]
        cells += [str(row["xor_lower_bounds"].get(k, row["xor_lower_bounds"].get(str(k)))["bound"])
                  for k in xors]
        cells += [str(row["empirical_ub"]), str(row["configuration_ub"]), str(row["montufar_ub"]), gap]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def digits_plane_figure(n1: int = 11, points: int = 400):
    """The partition of [0, 1]² by the network 2-n1-(22−n1)-10 trained on the digits projected
    onto their first two principal axes, coloured by linear region, with `points` digits on top
    (labelled by class): a matplotlib Figure (the `plot` extra)."""
    from ..pictures import region_figure

    X, y = digits_inputs(2)
    widths = (2, n1, HIDDEN_UNITS - n1, 10)
    net, accuracy = train_network(widths, X, y, seed=100 * n1)
    walked = traverse_regions(net, (0.0, 1.0))
    chosen = np.random.default_rng(0).choice(len(X), size=min(points, len(X)), replace=False)
    title = (f"{'-'.join(map(str, widths))} network on digits (2 principal axes, accuracy "
             f"{accuracy:.2f}):\n{walked.activation_regions} activation regions, "
             f"{walked.linear_regions} linear regions (colours)")
    return region_figure(net, (0.0, 1.0), traversal=walked, colour="linear", points=X[chosen],
                         labels=y[chosen], title=title)
