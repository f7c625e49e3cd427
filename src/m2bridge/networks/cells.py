"""Cells of the ReLU code space as polyhedra (seed 003, eq. 16–17) and their adjacency by LP.

The closure of the cell of a code is P = {x : A x + c ≥ 0}: one row per hidden neuron, the
neuron's pre-activation on the cell (affine in x, because the code fixes which earlier neurons
pass their input on: Q_β) times +1 if the code says active, −1 if inactive (Q_π).
Dimension, interior point and boundedness come from linear programs (scipy's HiGHS `linprog`).
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

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog

from .codes import CodeError, Codes, iter_distance_rows
from .network import Network

# Rows whose normal has norm below this (relative to the largest row) are constants on the cell.
ZERO_ROW = 1e-12


@dataclass(frozen=True)
class Polyhedron:
    """{x ∈ R^n : A x + c ≥ 0}."""

    A: np.ndarray
    c: np.ndarray

    @property
    def n(self) -> int:
        return self.A.shape[1]

    def contains(self, X, tol: float = 1e-9) -> np.ndarray:
        """One bool per row of X: all inequalities hold up to tol (scaled by each row's size)."""
        X = np.atleast_2d(np.asarray(X, dtype=np.float64))
        size = 1 + np.abs(X).max(axis=1, initial=0)
        scale = np.linalg.norm(self.A, axis=1) * size[:, None] + np.abs(self.c)
        return np.all(X @ self.A.T + self.c >= -tol * (1 + scale), axis=1)

    def relative_interior(self, tol: float = 1e-9, radius_cap: float = 1.0):
        """(dimension, point in the relative interior, radius); (-1, None, 0.0) if empty.

        The radius is that of the largest ball around the point inside P within its affine hull
        (Chebyshev centre), capped at radius_cap so unbounded cells still give a finite LP.
        """
        return _relative_interior(self.A, self.c, tol, radius_cap)

    def dimension(self, tol: float = 1e-9) -> int:
        """Affine dimension of P (−1 if empty)."""
        return self.relative_interior(tol)[0]

    def is_bounded(self) -> bool:
        """True iff P is bounded (an empty P counts as bounded).

        A non-empty P is bounded iff its recession cone {d : A d ≥ 0} is {0}, i.e. (Stiemke) A has
        rank n and some y > 0 has yᵀA = 0: one feasibility LP with y ≥ 1.
        """
        if self.dimension() < 0:
            return True
        if np.linalg.matrix_rank(self.A) < self.n:
            return False
        res = linprog(
            np.zeros(self.A.shape[0]), A_eq=self.A.T, b_eq=np.zeros(self.n),
            bounds=[(1, None)] * self.A.shape[0], method="highs",
        )
        return res.status == 0


@dataclass(frozen=True)
class Cell(Polyhedron):
    """Closure of the cell of one code; row i of (A, c) belongs to hidden neuron i (layer by layer)."""

    code: np.ndarray = field(default=None)

    def is_realized(self, tol: float = 1e-9) -> bool:
        """True iff some point has exactly this code (active rows > 0 strictly, inactive ≤ 0).

        The polyhedron is the closure of the cell only when the cell is non-empty: for neurons
        x and −x, code 11 has the empty cell but the polyhedron {x = 0}.
        """
        active = np.asarray(self.code, dtype=bool)
        norms = np.linalg.norm(self.A, axis=1)
        # Variables (x, t): maximise t with active rows ≥ t·|A_i| (+ t for constant rows), others ≥ 0.
        weight = np.where(active, np.where(norms > ZERO_ROW, norms, 1.0), 0.0)
        res = linprog(
            np.r_[np.zeros(self.n), -1.0], A_ub=np.c_[-self.A, weight], b_ub=self.c,
            bounds=[(None, None)] * self.n + [(None, 1.0)], method="highs",
        )
        return res.status == 0 and -res.fun > tol


def cell_polyhedron(network: Network, code) -> Cell:
    """The polyhedron of eq. (16)–(17) of seed 003 for a code (0/1 vector of all N hidden neurons).

    Layer k's pre-activation on the cell is M_k x + v_k with M_1 = W_1, v_1 = b_1 and
    M_(k+1) = W_(k+1) Q_β^(k) M_k, v_(k+1) = W_(k+1) Q_β^(k) v_k + b_(k+1); the rows are Q_π^(k)(M_k, v_k).
    """
    code = np.asarray(code).astype(bool).ravel()
    if code.shape[0] != sum(network.hidden_widths):
        raise CodeError(
            f"code of {code.shape[0]} bits; the network has {sum(network.hidden_widths)} hidden neurons"
        )
    M, v = np.eye(network.widths[0]), np.zeros(network.widths[0])
    rows, offsets, start = [], [], 0
    for W, b, width in zip(network.weights[:-1], network.biases[:-1], network.hidden_widths):
        M, v = W @ M, W @ v + b
        beta = code[start : start + width]
        sign = np.where(beta, 1.0, -1.0)
        rows.append((sign[:, None] * M, sign * v))
        M, v = M * beta[:, None], v * beta  # Q_β: inactive neurons pass 0 to the next layer
        start += width
    if not rows:
        return Cell(np.zeros((0, network.widths[0])), np.zeros(0), code)
    return Cell(np.vstack([r[0] for r in rows]), np.concatenate([r[1] for r in rows]), code)


def _affine_hull(A_eq: np.ndarray, c_eq: np.ndarray, n: int, tol: float):
    """(x0, B) with {x : A_eq x + c_eq = 0} = x0 + range(B), B orthonormal; None if inconsistent."""
    if A_eq.shape[0] == 0:
        return np.zeros(n), np.eye(n)
    _, s, Vt = np.linalg.svd(A_eq)
    rank = int(np.sum(s > tol * max(1.0, s[0])))
    x0 = np.linalg.lstsq(A_eq, -c_eq, rcond=None)[0]
    residual = np.abs(A_eq @ x0 + c_eq)
    if np.any(residual > tol * (1 + np.abs(c_eq) + np.linalg.norm(A_eq, axis=1) * (1 + np.abs(x0).max()))):
        return None
    return x0, Vt[rank:].T


def _relative_interior(A: np.ndarray, c: np.ndarray, tol: float, radius_cap: float):
    """Dimension, relative-interior point and radius of {A x + c ≥ 0}.

    Repeat: in the affine hull of the rows known to be tight everywhere (E), maximise the
    distance t of a point to the remaining facets. t > 0: found the relative interior. t < 0: empty.
    t = 0: the rows with a non-zero dual multiplier are tight on all of P (their multiplier-weighted
    sum is identically 0 on P), so they join E and the LP is solved again in a smaller space.
    """
    n = A.shape[1]
    scale = max(1.0, float(np.abs(A).max(initial=0.0)))
    equal = np.zeros(A.shape[0], dtype=bool)
    while True:
        hull = _affine_hull(A[equal], c[equal], n, tol)
        if hull is None:
            return -1, None, 0.0
        x0, B = hull
        G, g = A[~equal] @ B, A[~equal] @ x0 + c[~equal]
        norms = np.linalg.norm(G, axis=1)
        constant = norms <= ZERO_ROW * scale
        if np.any(g[constant] < -tol * (1 + np.abs(g[constant]))):
            return -1, None, 0.0
        G, g, norms = G[~constant], g[~constant], norms[~constant]
        rest = np.flatnonzero(~equal)[~constant]
        if B.shape[1] == 0 or len(g) == 0:
            return B.shape[1], x0, (0.0 if B.shape[1] == 0 else radius_cap)
        # Variables (u, t): maximise t subject to G u + g ≥ t·|G_i|, t ≤ radius_cap.
        res = linprog(
            np.r_[np.zeros(B.shape[1]), -1.0],
            A_ub=np.c_[-G, norms], b_ub=g,
            bounds=[(None, None)] * B.shape[1] + [(None, radius_cap)], method="highs",
        )
        if res.status != 0:
            raise RuntimeError(f"HiGHS failed on a cell LP: {res.message}")
        t = -res.fun
        if t > tol:
            return B.shape[1], x0 + B @ res.x[:-1], float(t)
        if t < -tol:
            return -1, None, 0.0
        multipliers = np.abs(res.ineqlin.marginals)
        tight = multipliers > tol * max(1.0, multipliers.max())
        if not np.any(tight):  # numerically silent dual: fall back to the rows that are tight here
            slack = G @ res.x[:-1] + g
            tight = slack <= tol * (1 + np.abs(g))
        equal[rest[tight]] = True


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
        parent = list(range(len(self.codes)))

        def root(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i, j in self.edges:
            parent[root(i)] = root(j)
        groups: dict[int, list[int]] = {}
        for i in range(len(parent)):
            groups.setdefault(root(i), []).append(i)
        return sorted(groups.values())


def cells_adjacent(first: Cell, second: Cell, tol: float = 1e-9) -> bool:
    """True iff the two (full-dimensional) cells share a facet: dim(P_a ∩ P_b) = n0 − 1."""
    both = Polyhedron(np.vstack([first.A, second.A]), np.concatenate([first.c, second.c]))
    return both.dimension(tol) == first.n - 1


def candidate_pairs(distinct: Codes, max_distance: int | None = None) -> list[tuple[int, int, int]]:
    """(i, j, d_H) for i < j with d_H ≤ max_distance (all pairs if None), found chunk by chunk."""
    pairs = []
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
