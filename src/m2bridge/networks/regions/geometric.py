"""Geometric enumeration of the linear regions of a ReLU network by incremental cell splitting.

An independent check of the MILP count: no SCIP, only LPs (SciPy's HiGHS). Within one activation
pattern every pre-activation g_i is an affine function of the input
(`Network.preactivation_maps`), so the set of inputs with a given pattern is a convex polyhedron.
Starting from the input box, layer by layer, every cell is split by the hyperplane g_i(x) = 0 of
each unit; a side is kept when it contains a ball of radius > `radius_tol` (its Chebyshev LP,
`polyhedra.max_slack`). The cells left at the end are the full-dimensional linear regions, one
per activation pattern.

>>> import numpy as np
>>> from m2bridge.networks.network import Network
>>> toy = Network([np.array([[1.0], [-1.0]]), np.array([[4.0, 2.0]]), np.array([[1.0]])],
...               [np.array([0.0, 1.0]), np.array([-3.0]), np.array([0.0])])
>>> sorted(enumerate_cells(toy, (-2.0, 2.0)))
[(0, 1, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0), (1, 1, 1)]
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..network import Network
from ..polyhedra import max_slack, row_norms
from .inputs import input_box


@dataclass(frozen=True)
class _Cell:
    pattern: tuple[int, ...]   # bits of the layers split so far
    A: np.ndarray              # the cell is {x : A x + c ≥ 0}
    c: np.ndarray
    center: np.ndarray         # centre of a ball inside the cell
    radius: float


def enumerate_cells(network: Network, box=None, radius_tol: float = 1e-7) -> set[tuple[int, ...]]:
    """Activation patterns (1 = output > 0, hidden units layer by layer) of the full-dimensional
    linear regions of `network` on `box` = (lower, upper), by incremental cell splitting with LPs.

    A side of a hyperplane counts as a cell when it holds a ball of radius > radius_tol times the
    box's diameter; thinner slivers are taken for numerical noise.
    """
    lower, upper = input_box(network, box)
    tol = radius_tol * float(np.linalg.norm(upper - lower))
    n0 = network.widths[0]
    A, c = np.r_[np.eye(n0), -np.eye(n0)], np.r_[-lower, upper]     # lower ≤ x ≤ upper
    cells = [_Cell((), A, c, (lower + upper) / 2, float(np.min(upper - lower)) / 2)]
    for layer in range(1, network.depth):
        split: list[_Cell] = []
        for cell in cells:
            G, g = network.preactivation_maps(cell.pattern, layers=layer)[-1]
            pieces = [(cell, ())]
            for i in range(len(g)):
                pieces = [side for piece, bits in pieces for side in _split(piece, bits, G[i], g[i], tol)]
            split.extend(replace(piece, pattern=cell.pattern + bits) for piece, bits in pieces)
        cells = split
    return {cell.pattern for cell in cells}


def _split(cell: _Cell, bits: tuple, a: np.ndarray, beta: float, tol: float):
    """The sides of `cell` cut by a·x + β = 0 that hold a ball of radius > tol, with their bit."""
    norm = float(np.linalg.norm(a))
    if norm == 0.0:
        return [(cell, bits + (int(beta > 0),))]
    value = float(a @ cell.center + beta)
    # When the plane misses the ball already known inside the cell, that ball shows its side is a
    # cell: only the other side needs an LP.
    known = int(value > 0) if abs(value) >= cell.radius * norm else None
    sides = []
    for bit in (1, 0):
        sign = 1.0 if bit else -1.0     # active: a·x + β ≥ 0; inactive: −(a·x + β) ≥ 0
        A, c = np.r_[cell.A, [sign * a]], np.r_[cell.c, sign * beta]
        if bit == known:
            center, radius = cell.center, cell.radius
        else:
            ball = max_slack(A, c, row_norms(A))
            if ball is None:  # this side is empty
                continue
            center, radius = ball.x, ball.t
        if radius > tol:
            sides.append((_Cell(cell.pattern, A, c, center, radius), bits + (bit,)))
    if len(sides) == 1:
        # the plane does not cut the cell: its constraint is redundant, keep the LPs small
        return [(cell, sides[0][1])]
    return sides
