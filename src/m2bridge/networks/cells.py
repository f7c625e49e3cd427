"""Cells of the ReLU code space as polyhedra and their adjacency by LP (Shepeleva et al., "ReLU Code
Space: A Basis for Rating Network Quality Besides Accuracy", eqs. (16)–(17)).

The closure of the cell of a code is P = {x : A x + c ≥ 0}: one row per hidden neuron, the
neuron's pre-activation on the cell (affine in x, because the code fixes which earlier neurons
pass their input on: Q_β) times +1 if the code says active, −1 if inactive (Q_π).
Dimension, interior point and boundedness come from linear programs (`polyhedra`, SciPy's HiGHS).
Two cells are adjacent iff they share a facet: dim(P_a ∩ P_b) = n0 − 1.

>>> import numpy as np
>>> from m2bridge.networks.network import Network
>>> from m2bridge.networks.codes import codes
>>> net = Network([np.array([[1.0, 0.0], [0.0, 1.0]]), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
>>> c = codes(net, [[1.0, 1.0], [-1.0, 2.0], [-3.0, -1.0]])
>>> cell = cell_polyhedron(net, c.bits()[0])
>>> cell.A.tolist(), cell.c.tolist()
([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0])
>>> cell.dimension(), cell.is_bounded()
(2, False)
>>> graph = adjacency_graph(net, c.distinct().codes)
>>> graph.edges, graph.disagreements
([(0, 1), (1, 2)], [])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .codes import CodeError, Codes, iter_distance_rows
from .components import component_labels
from .network import Network
from .polyhedra import ZERO_ROW, Polyhedron, max_slack, row_norms

__all__ = ["AdjacencyGraph", "Cell", "Polyhedron", "adjacency_graph", "candidate_pairs",
           "cell_polyhedron", "cells_adjacent"]


@dataclass(frozen=True)
class Cell(Polyhedron):
    """Closure of the cell of one code; row i of (A, c) belongs to hidden neuron i (layer by layer)."""

    code: np.ndarray

    def is_realized(self, tol: float = 1e-9) -> bool:
        """True iff some point has exactly this code (active rows > 0 strictly, inactive ≤ 0).

        The polyhedron is the closure of the cell only when the cell is non-empty: for neurons
        x and −x, code 11 has the empty cell but the polyhedron {x = 0}.
        """
        active = np.asarray(self.code, dtype=bool)
        norms = row_norms(self.A)
        # Active rows must reach t·|A_i| (t for constant rows), inactive ones 0; t ≤ 1.
        weight = np.where(active, np.where(norms > ZERO_ROW, norms, 1.0), 0.0)
        best = max_slack(self.A, self.c, weight, cap=1.0)
        return best is not None and best.t > tol


def cell_polyhedron(network: Network, code) -> Cell:
    """The polyhedron of eqs. (16)–(17) of Shepeleva et al. for a code (0/1 per hidden neuron).

    Row block l is Q_π^(l) applied to layer l's pre-activation G_l x + g_l on the cell
    (`Network.preactivation_maps`): +1 for active neurons, −1 for inactive ones.
    """
    code = np.asarray(code).astype(bool).ravel()
    if code.shape[0] != sum(network.hidden_widths):
        raise CodeError(
            f"code of {code.shape[0]} bits; the network has {sum(network.hidden_widths)} hidden neurons"
        )
    maps = network.preactivation_maps(code)
    if not maps:
        return Cell(np.zeros((0, network.widths[0])), np.zeros(0), code)
    sign = np.where(code, 1.0, -1.0)
    A = sign[:, None] * np.vstack([G for G, _ in maps])
    c = sign * np.concatenate([g for _, g in maps])
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(c))):
        raise CodeError("the cell's inequalities exceed the float64 range (products of huge "
                        "weights); rescale the network")
    return Cell(A, c, code)


@dataclass(frozen=True)
class AdjacencyGraph:
    """Cells of distinct codes (nodes 0..K-1) and LP-verified shared facets (edges i < j).

    `checked` lists (i, j, d_H) for every pair tested by LP; `disagreements` those (i, j, d_H,
    adjacent) where "d_H = 1" and "adjacent" differ. With one hidden layer in general position
    there are none; deeper networks can have d_H = 1 cells that do not touch (see tests).
    `dimensions[i]` is the dimension of cell i, or None if no checked pair needed it.
    """

    codes: Codes
    edges: list[tuple[int, int]]
    checked: list[tuple[int, int, int]]
    disagreements: list[tuple[int, int, int, bool]]
    dimensions: list[int | None]

    def components(self) -> list[list[int]]:
        """Connected components of the graph (lists of node indices, by smallest node)."""
        groups: dict[int, list[int]] = {}
        for i, label in enumerate(component_labels(len(self.codes), self.edges)):
            groups.setdefault(label, []).append(i)
        return list(groups.values())  # labels follow the smallest nodes: already in order


def cells_adjacent(first: Cell, second: Cell, tol: float = 1e-9) -> bool:
    """True iff the two (full-dimensional) cells share a facet: dim(P_a ∩ P_b) = n0 − 1."""
    both = Polyhedron(np.vstack([first.A, second.A]), np.concatenate([first.c, second.c]))
    return both.dimension(tol) == first.n - 1


def candidate_pairs(distinct: Codes, max_distance: int | None = None) -> list[tuple[int, int, int]]:
    """(i, j, d_H) for i < j with d_H ≤ max_distance (all pairs if None), found chunk by chunk."""
    pairs: list[tuple[int, int, int]] = []
    for start, dist in iter_distance_rows(distinct, distinct):
        limit = np.iinfo(dist.dtype).max if max_distance is None else max_distance
        rows, cols = np.nonzero(dist <= limit)
        keep = cols > rows + start
        rows, cols = rows[keep], cols[keep]
        pairs.extend(zip((rows + start).tolist(), cols.tolist(), dist[rows, cols].tolist()))
    return pairs


def adjacency_graph(network: Network, distinct: Codes, max_distance: int | None = None,
                    tol: float = 1e-9) -> AdjacencyGraph:
    """LP-verified adjacency of the cells of distinct codes, reported next to d_H = 1.

    Every pair is checked by LP, or only pairs with d_H ≤ max_distance when given (then
    disagreements with d_H > max_distance cannot be seen). Only full-dimensional cells can share
    a facet; lower-dimensional ones (codes hit only on a boundary) get no edges.
    """
    if max_distance is not None and (isinstance(max_distance, bool) or max_distance < 1):
        raise CodeError(f"max distance {max_distance!r}: expected an integer >= 1")
    n0 = network.widths[0]
    cells: dict[int, Cell] = {}
    dims: list[int | None] = [None] * len(distinct)

    def full_cell(i: int) -> Cell | None:
        if i not in cells:
            cells[i] = cell_polyhedron(network, distinct[i].bits()[0])
            dims[i] = cells[i].dimension(tol)
        return cells[i] if dims[i] == n0 else None

    edges, checked, disagreements = [], [], []
    for i, j, d in candidate_pairs(distinct, max_distance):
        checked.append((i, j, d))
        first, second = full_cell(i), full_cell(j)
        adjacent = first is not None and second is not None and cells_adjacent(first, second, tol)
        if adjacent:
            edges.append((i, j))
        if adjacent != (d == 1):
            disagreements.append((i, j, d, adjacent))
    return AdjacencyGraph(distinct, edges, checked, disagreements, dims)
