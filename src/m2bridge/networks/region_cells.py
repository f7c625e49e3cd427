"""Geometric enumeration of the linear regions of a ReLU network by incremental cell splitting.

An independent check of the MILP count in `regions`: no SCIP, only LPs (scipy's HiGHS). Within one
activation pattern every pre-activation g_i is an affine function of the input, so the set of
inputs with a given pattern is a convex polyhedron. Starting from the input box, layer by layer,
every cell is split by the hyperplane g_i(x) = 0 of each unit; a side is kept when it contains a
ball of radius > `radius_tol` (its Chebyshev LP). The cells left at the end are the full-dimensional
linear regions, one per activation pattern.

>>> import numpy as np
>>> from m2bridge.networks.network import Network
>>> toy = Network([np.array([[1.0], [-1.0]]), np.array([[4.0, 2.0]]), np.array([[1.0]])],
...               [np.array([0.0, 1.0]), np.array([-3.0]), np.array([0.0])])
>>> sorted(enumerate_cells(toy, ([-2.0], [2.0])))
[(0, 1, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0), (1, 1, 1)]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from .network import Network


@dataclass
class _Cell:
    pattern: tuple[int, ...]
    A: np.ndarray          # the cell is {x : A x ≤ c}
    c: np.ndarray
    M: np.ndarray          # output of the last layer handled, as the affine map x ↦ M x + m
    m: np.ndarray
    center: np.ndarray     # centre of a ball inside the cell
    radius: float


def chebyshev_ball(A: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, float] | None:
    """Centre and radius of the largest ball in {x : A x ≤ c} (radius capped at 1e6), or None
    when the polyhedron is empty.

    >>> center, radius = chebyshev_ball(np.array([[1.0], [-1.0]]), np.array([1.0, 1.0]))
    >>> round(float(center[0]), 6) + 0.0, round(radius, 6)
    (0.0, 1.0)
    """
    norms = np.linalg.norm(A, axis=1)
    n = A.shape[1]
    # variables (x, r): maximise r subject to A x + r‖A_row‖ ≤ c, 0 ≤ r ≤ 1e6
    res = linprog(
        np.r_[np.zeros(n), -1.0],
        A_ub=np.c_[A, norms],
        b_ub=c,
        bounds=[(None, None)] * n + [(0.0, 1e6)],
        method="highs",
    )
    if res.status != 0:
        return None
    return res.x[:n], float(res.x[n])


def box_constraints(lower: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The box lower ≤ x ≤ upper as A x ≤ c."""
    n = len(lower)
    return np.r_[np.eye(n), -np.eye(n)], np.r_[upper, -lower]


def pattern_preactivations(network: Network, pattern) -> list[tuple[np.ndarray, np.ndarray]]:
    """For a full activation pattern (0/1 per hidden unit, layer by layer), the pre-activations
    g^l(x) = G_l x + g_l of every hidden layer as affine maps of the input, valid on that pattern.

    >>> from m2bridge.networks.network import Network
    >>> net = Network([np.array([[1.0], [-1.0]]), np.array([[4.0, 2.0]]), np.array([[1.0]])],
    ...               [np.array([0.0, 1.0]), np.array([-3.0]), np.array([0.0])])
    >>> [(G.ravel().tolist(), g.tolist()) for G, g in pattern_preactivations(net, (1, 1, 0))]
    [([1.0, -1.0], [0.0, 1.0]), ([2.0], [-1.0])]
    """
    M, m = np.eye(network.widths[0]), np.zeros(network.widths[0])
    out, start = [], 0
    for W, b in zip(network.weights[:-1], network.biases[:-1]):
        G, g = W @ M, W @ m + b
        out.append((G, g))
        active = np.asarray(pattern[start:start + len(b)], dtype=float)
        M, m = active[:, None] * G, active * g
        start += len(b)
    return out


def enumerate_cells(network: Network, box, radius_tol: float = 1e-7) -> set[tuple[int, ...]]:
    """Activation patterns (1 = output > 0, hidden units layer by layer) of the full-dimensional
    linear regions of `network` on `box` = (lower, upper), by incremental cell splitting with LPs.

    A side of a hyperplane counts as a cell when it holds a ball of radius > radius_tol times the
    box's diameter; thinner slivers are taken for numerical noise.
    """
    lower = np.asarray(box[0], dtype=float)
    upper = np.asarray(box[1], dtype=float)
    tol = radius_tol * float(np.linalg.norm(upper - lower))
    A, c = box_constraints(lower, upper)
    ball = chebyshev_ball(A, c)
    n0 = network.widths[0]
    cells = [_Cell((), A, c, np.eye(n0), np.zeros(n0), ball[0], ball[1])]
    for W, b in zip(network.weights[:-1], network.biases[:-1]):
        split = []
        for cell in cells:
            G, g = W @ cell.M, W @ cell.m + b
            pieces = [(cell, [])]
            for i in range(len(b)):
                pieces = [
                    side for piece, bits in pieces
                    for side in _split(piece, bits, G[i], g[i], tol)
                ]
            for piece, bits in pieces:
                active = np.asarray(bits, dtype=float)
                split.append(_Cell(cell.pattern + tuple(bits), piece.A, piece.c,
                                   active[:, None] * G, active * g, piece.center, piece.radius))
        cells = split
    return {cell.pattern for cell in cells}


def _split(cell: _Cell, bits: list[int], a: np.ndarray, beta: float, tol: float):
    """The sides of `cell` cut by a·x + β = 0 that hold a ball of radius > tol, with their bit."""
    norm = float(np.linalg.norm(a))
    value = float(a @ cell.center + beta)
    if norm == 0.0:
        return [(cell, bits + [1 if beta > 0 else 0])]
    # When the plane misses the ball already known inside the cell, that ball shows its side is a
    # cell: only the other side needs an LP.
    known = (1 if value > 0 else 0) if abs(value) >= cell.radius * norm else None
    sides = []
    for bit in (1, 0):
        sign = -1.0 if bit else 1.0     # active: −(a·x + β) ≤ 0; inactive: a·x + β ≤ 0
        A, c = np.r_[cell.A, [sign * a]], np.r_[cell.c, -sign * beta]
        found = (cell.center, cell.radius) if bit == known else chebyshev_ball(A, c)
        if found is not None and found[1] > tol:
            sides.append((_Cell(cell.pattern, A, c, cell.M, cell.m, found[0], found[1]), bits + [bit]))
    if len(sides) == 1:
        # the plane does not cut the cell: its constraint is redundant, keep the LPs small
        return [(cell, sides[0][1])]
    return sides
