"""Pictures of the input plane: the partition into activation (or linear) regions, and the cells
of the code space hit by data with their adjacency graph. Each function returns a matplotlib
Figure (the `plot` extra, imported when first called); saving it is the caller's business.

Inputs of more than two dimensions are shown on a plane through three given points
(`slice_network`): the network restricted to that plane is a network with two inputs.

>>> import numpy as np
>>> from m2bridge.networks.network import Network
>>> net = Network([np.eye(3), np.ones((1, 3))], [np.zeros(3), np.zeros(1)])
>>> plane = slice_network(net, [[0, 0, 0], [1, 0, 0], [0, 1, 0]])
>>> plane.widths, plane.weights[0].tolist(), plane.biases[0].tolist()
((2, 3, 1), [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]], [0.0, 0.0, 0.0])
"""

from __future__ import annotations

import numpy as np

from ..extras import require
from .network import Network, NetworkError

# Slice coordinates (s, t) shown by default: the three points sit at (0, 0), (1, 0), (0, 1).
SLICE_BOX = (-0.5, 1.5)


def _figure(size):
    """(figure, axes, colour map) without pyplot: no backend is chosen or changed, nothing is
    shown; notebooks display the returned figure."""
    matplotlib = require("matplotlib", "plot")
    figure = require("matplotlib.figure", "plot").Figure(figsize=size)
    return figure, figure.subplots(), matplotlib.colormaps["tab20"]


def slice_network(network: Network, through) -> Network:
    """The network on the plane x(s, t) = p0 + s (p1 − p0) + t (p2 − p0) through the three rows of
    `through`, as a network of the two inputs (s, t)."""
    P = np.asarray(through, dtype=float)
    n0 = network.widths[0]
    if P.shape != (3, n0) or not np.all(np.isfinite(P)):
        raise NetworkError(f"slice: expected 3 finite points with {n0} entries each, got shape {P.shape}")
    D = np.c_[P[1] - P[0], P[2] - P[0]]
    if np.linalg.matrix_rank(D) < 2:
        raise NetworkError("slice: the three points lie on one line; they must span a plane")
    W1, b1 = network.weights[0], network.biases[0]
    return Network([W1 @ D] + network.weights[1:], [W1 @ P[0] + b1] + network.biases[1:])


def region_figure(network: Network, box=None, *, traversal=None, colour: str = "activation",
                  points=None, labels=None, title: str | None = None):
    """The box of a 2-input network, each region filled in its own colour (`colour`:
    "activation" or "linear": one colour per linear region), region boundaries in thin lines,
    `points` (n × 2, optional `labels` per point) on top. `traversal`: a result of
    `traverse_regions` with method "polygon" for this network and box (computed if None)."""
    from .regions.inputs import RegionInputError, input_box
    from .regions.traversal import traverse_regions

    if network.widths[0] != 2:
        raise RegionInputError(f"a region picture needs 2 inputs, the network has {network.widths[0]}; "
                               "show a slice (slice_network)", parameter="network")
    if colour not in ("activation", "linear"):
        raise RegionInputError(f"colour must be 'activation' or 'linear', got {colour!r}", parameter="colour")
    lower, upper = input_box(network, box)
    if traversal is None:
        traversal = traverse_regions(network, (lower, upper), method="polygon")
    if traversal.polygons is None:
        raise RegionInputError("the traversal has no polygons: use method 'polygon'", parameter="traversal")
    fig, ax, cmap = _figure((6.4, 6.0))
    rng = np.random.default_rng(0)
    if colour == "linear" and traversal.linear_labels is not None:
        keys = traversal.linear_labels
    else:
        keys = list(range(len(traversal.polygons)))
    shade = rng.permutation(max(keys) + 1 if keys else 1)
    for key, polygon in zip(keys, traversal.polygons):
        ax.fill(polygon[:, 0], polygon[:, 1], color=cmap(shade[key] % 20), alpha=0.5 if points is not None else 0.75,
                edgecolor="k", linewidth=0.3)
    if points is not None:
        X = np.asarray(points, dtype=float)
        if labels is None:
            ax.scatter(X[:, 0], X[:, 1], s=8, c="k")
        else:
            for value in np.unique(labels):
                chosen = np.asarray(labels) == value
                ax.scatter(X[chosen, 0], X[chosen, 1], s=8, edgecolors="k", linewidths=0.4, label=str(value))
            ax.legend(loc="upper right", fontsize=7)
    ax.set_xlim(lower[0], upper[0])
    ax.set_ylim(lower[1], upper[1])
    ax.set_aspect("equal")
    widths = "-".join(map(str, network.widths))
    count = (f"{traversal.activation_regions} activation regions"
             + (f", {traversal.linear_regions} linear regions" if traversal.linear_regions else ""))
    ax.set_title(title or f"{widths} ReLU network: {count}", fontsize=10)
    fig.tight_layout()
    return fig


def cells_figure(network: Network, X, y, distinct, graph, title: str | None = None):
    """The plane of a 2-input network coloured by the code-space cells the data `X` (labels `y`)
    hits (grey: cells without data), the decision boundary (output 0, dashed) and the LP-verified
    adjacency graph (`cells.adjacency_graph` of `distinct.codes`, drawn between the mean data
    point of each cell)."""
    from .codes import codes

    X, y = np.asarray(X, dtype=float), np.asarray(y)
    lo, hi = X.min(0) - 0.5, X.max(0) + 0.5
    xs, ys = np.linspace(lo[0], hi[0], 500), np.linspace(lo[1], hi[1], 500)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    index = {code: i for i, code in enumerate(distinct.codes.hex())}
    cell = np.array([index.get(h, -1) for h in codes(network, grid).hex()], dtype=float).reshape(500, 500)
    fig, ax, cmap = _figure((7, 6.3))
    shown = np.where(cell < 0, np.nan, cell % 20)
    ax.set_facecolor("#d9d9d9")
    ax.imshow(shown, origin="lower", extent=(lo[0], hi[0], lo[1], hi[1]), cmap=cmap,
              vmin=0, vmax=20, alpha=0.45, interpolation="nearest", aspect="auto")
    for label, marker in zip(np.unique(y), "o^sv*"):
        pts = X[y == label]
        ax.scatter(pts[:, 0], pts[:, 1], s=14, marker=marker, edgecolors="k", linewidths=0.5,
                   label=f"class {label}")
    output = network.forward(grid)[:, 0].reshape(500, 500)
    ax.contour(xs, ys, output, levels=[0.0], colors="k", linestyles="dashed", linewidths=1)
    centres = np.array([X[distinct.inverse == i].mean(0) for i in range(len(distinct))])
    for i, j in graph.edges:
        ax.plot(*centres[[i, j]].T, color="tab:red", lw=1.2, alpha=0.8)
    for text, (cx, cy) in zip(distinct.codes.text(), centres):
        ax.annotate(text, (cx, cy), fontsize=8, ha="center", va="bottom", color="tab:red",
                    xytext=(0, 4), textcoords="offset points")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    widths = "-".join(map(str, network.widths))
    ax.set_title(title or f"{widths} ReLU network: {len(distinct)} cells hit by the data (colours), "
                 "their\nadjacency graph (red, LP-verified), decision boundary (dashed)", fontsize=10)
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return fig
