"""The facets of one activation region, without an LP per facet: in the plane by clipping the box
with half-planes, in any dimension by two HiGHS runs (its largest inscribed ball, then one LP whose
independent blocks test every candidate hyperplane at once).

An activation region with pattern p is {x in the box : s_i g_i(x) ≥ 0 for every hidden unit i},
s_i = +1 for active units and −1 for inactive ones. Every g_i is affine on the region (it is a
row of `Network.preactivation_maps(p)`), so the region is a convex polyhedron; hyperplanes of later
layers are the rows of their layer's map on this region, bent elsewhere.

Tolerances (floating point, relative to the box's diameter D): a point is on a line when within
ON_LINE·D of it; a region counts when it is thicker than THICKNESS·D (in the plane 2·area/perimeter,
which is at most twice the radius of the largest disc inside; elsewhere that radius); thinner
pieces are taken for numerical slivers, as in `geometric.enumerate_cells`.

>>> import numpy as np
>>> square = polygon_region(np.array([[1.0, 1.0]]), np.array([0.0]), np.array([-1.0, -1.0]),
...                         np.array([1.0, 1.0]))        # x + y ≥ 0 inside [−1, 1]²
>>> len(square.vertices), square.facet_rows, round(square.area, 9)
(3, [0], 2.0)
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from dataclasses import dataclass

import numpy as np

from ...errors import M2BridgeError
from ...extras import require

ON_LINE = 1e-10
THICKNESS = 1e-7
# HiGHS options for every LP of the traversal (tests set an iteration limit to provoke a failure).
HIGHS_OPTIONS = {"output_flag": False, "presolve": "off", "threads": 1, "solver": "simplex"}


def _sparse():
    return require("scipy.sparse", "regions")


class RegionLPError(M2BridgeError):
    """HiGHS gave no answer for an LP of one region (named by its activation pattern)."""


@dataclass
class PolygonRegion:
    """A region of a 2-D input: its vertices counter-clockwise, the rows (units) whose lines carry
    an edge of positive length (one entry per edge), those edges' end points, and the area."""

    vertices: np.ndarray
    facet_rows: list[int]
    facet_edges: list[tuple[np.ndarray, np.ndarray]]
    area: float


def _clip(V: list, labels: list[int], values: list, row: int, eps: float):
    """Sutherland–Hodgman step: the part of the convex polygon V (a list of (x, y)) where
    `values` (the row at each vertex) ≥ −eps; the new edge gets label `row`."""
    out_v, out_l = [], []
    k = len(V)
    for t in range(k):
        u = (t + 1) % k
        vp, vq = values[t], values[u]
        if vp >= -eps:
            out_v.append(V[t])
            out_l.append(labels[t])
            if vq < -eps:
                s = min(max(vp / (vp - vq), 0.0), 1.0)
                out_v.append((V[t][0] + s * (V[u][0] - V[t][0]), V[t][1] + s * (V[u][1] - V[t][1])))
                out_l.append(row)
        elif vq >= -eps:
            s = min(max(vp / (vp - vq), 0.0), 1.0)
            out_v.append((V[t][0] + s * (V[u][0] - V[t][0]), V[t][1] + s * (V[u][1] - V[t][1])))
            out_l.append(labels[t])
    return out_v, out_l


def polygon_region(A: np.ndarray, c: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                   normalised: bool = False) -> PolygonRegion | None:
    """{x in the box : A x + c ≥ 0} in the plane by clipping the box with the most violated
    half-plane until none is violated; None when it is empty or thinner than THICKNESS·D.

    Rows with a zero normal must hold as constants (callers check the strict ones separately).
    `normalised`: the rows have unit normals (or are zero) already.
    """
    diameter = float(np.hypot(*(upper - lower)))
    eps = ON_LINE * diameter
    if not normalised:
        norms = np.hypot(A[:, 0], A[:, 1])
        if np.any(c[norms == 0] < 0):
            return None
        norms[norms == 0] = 1.0
        A, c = A / norms[:, None], c / norms
    V = [(lower[0], lower[1]), (upper[0], lower[1]), (upper[0], upper[1]), (lower[0], upper[1])]
    labels = [-1, -1, -1, -1]
    column = c[:, None]
    for _ in range(len(c) + 1):
        values = A @ np.array(V).T + column
        worst = values.min(axis=1)
        i = int(worst.argmin())
        if worst[i] >= -eps:
            break
        V, labels = _clip(V, labels, values[i].tolist(), i, eps)
        if len(V) < 3:
            return None
    # drop edges shorter than eps (a vertex clipped twice), then measure
    k = len(V)
    kept = [t for t in range(k) if math.dist(V[t], V[(t + 1) % k]) > eps]
    V, labels = [V[t] for t in kept], [labels[t] for t in kept]
    k = len(V)
    if k < 3:
        return None
    area = 0.5 * float(sum(V[t][0] * V[(t + 1) % k][1] - V[(t + 1) % k][0] * V[t][1] for t in range(k)))
    perimeter = sum(math.dist(V[t], V[(t + 1) % k]) for t in range(k))
    if not 2 * area / perimeter > THICKNESS * diameter:
        return None
    vertices = np.array(V)
    facets = [(lab, (vertices[t], vertices[(t + 1) % k])) for t, lab in enumerate(labels) if lab >= 0]
    return PolygonRegion(vertices, [f[0] for f in facets], [f[1] for f in facets], area)


@contextlib.contextmanager
def _stdout_to_devnull():
    """The banner HiGHS prints when an instance is created says nothing about the count."""
    sys.stdout.flush()
    with open(os.devnull, "w") as devnull:
        try:
            saved = os.dup(1)
        except OSError:
            yield
            return
        try:
            os.dup2(devnull.fileno(), 1)
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


class RegionLPs:
    """The LPs of the traversal in one HiGHS instance (created once, a new model per LP)."""

    def __init__(self, lower: np.ndarray, upper: np.ndarray):
        self.hs = require("highspy", "regions")
        with _stdout_to_devnull():
            self.highs = self.hs.Highs()
        for name, value in HIGHS_OPTIONS.items():
            self.highs.setOptionValue(name, value)
        self.lower, self.upper = lower, upper
        self.diameter = float(np.linalg.norm(upper - lower))
        self.runs = 0

    def _solve(self, cost, col_lower, col_upper, matrix, row_lower, row_upper, pattern, what,
               rowwise: bool = False):
        hs = self.hs
        if isinstance(matrix, tuple):          # (starts, indices, values, rows): CSC or CSR arrays
            start, index, value, rows = matrix
        else:
            csc = _sparse().csc_matrix(matrix)
            start, index, value, rows = csc.indptr, csc.indices, csc.data, matrix.shape[0]
        # output_flag is off: HiGHS prints nothing while solving (only its banner, at creation)
        self.highs.passModel(len(cost), rows, len(value), 2 if rowwise else 1, 1, 0.0, cost, col_lower,
                             col_upper, row_lower, row_upper, np.asarray(start, dtype=np.int32),
                             np.asarray(index, dtype=np.int32), value, np.zeros(len(cost), dtype=np.int32))
        self.highs.run()
        self.runs += 1
        status = self.highs.getModelStatus()
        if status == hs.HighsModelStatus.kInfeasible:
            return None
        if status != hs.HighsModelStatus.kOptimal:
            raise RegionLPError(
                f"HiGHS failed ({self.highs.modelStatusToString(status)}) on the {what} LP of the "
                f"region with activation pattern {''.join(map(str, pattern))}")
        return np.asarray(self.highs.getSolution().col_value)

    def inscribed_ball(self, A, c, pattern, equal_row: int | None = None):
        """(centre, radius) of the largest ball in {x in the box : A x + c ≥ 0} (with
        `equal_row`: inside that row's hyperplane), radius capped at D; None when empty."""
        n = A.shape[1]
        norms = np.linalg.norm(A, axis=1)
        live = norms > 0
        An, cn = A[live] / norms[live, None], c[live] / norms[live]
        eye = np.eye(n)
        matrix = np.block([[An, -np.ones((len(cn), 1))],
                           [eye, -np.ones((n, 1))], [-eye, -np.ones((n, 1))]])
        row_lower = np.r_[-cn, self.lower, -self.upper]
        row_upper = np.full(len(row_lower), np.inf)
        if equal_row is not None:
            k = int(np.sum(live[:equal_row]))
            matrix[k, -1] = 0.0
            row_upper[k] = -cn[k]
        cost = np.r_[np.zeros(n), -1.0]
        x = self._solve(cost, np.r_[self.lower, -np.inf], np.r_[self.upper, self.diameter], matrix,
                        row_lower, row_upper, pattern, "inscribed-ball")
        if x is None:
            return None
        return x[:n], float(x[n])

    def facet_rows(self, A, c, candidates, keep, pattern):
        """Those of `candidates` whose hyperplane carries a facet: the minimum of row i over the
        region without the rows on its hyperplane (`keep[b]`: the rows kept for candidate b) is
        < 0. One LP with a block of variables per candidate; the blocks are independent. None when
        the region is empty."""
        k = len(candidates)
        if not k:
            return []
        n = A.shape[1]
        norms = np.linalg.norm(A, axis=1)
        norms[norms == 0] = 1.0
        An, cn = A / norms[:, None], c / norms
        block, unit = np.nonzero(keep)                       # constraint r: row unit[r] in block[r]
        rows = len(unit)
        # row-wise: constraint r has the n entries An[unit[r]] in the columns of block[r]
        start = np.arange(0, rows * n, n, dtype=np.int32)
        index = (block[:, None] * n + np.arange(n)).ravel().astype(np.int32)
        value = An[unit].ravel()
        costs = An[candidates]
        x = self._solve(costs.ravel(), np.tile(self.lower, k), np.tile(self.upper, k),
                        (start, index, value, rows), -cn[unit], np.full(rows, np.inf), pattern, "facet",
                        rowwise=True)
        if x is None:      # the region itself is empty
            return None
        depth = np.einsum("kj,kj->k", x.reshape(k, n), costs) + cn[candidates]
        return [int(i) for i in np.asarray(candidates)[depth < -ON_LINE * self.diameter]]
