"""Polyhedra {x : A x + c ≥ 0} and the one linear program asked about them (SciPy's HiGHS).

`max_slack(A, c, w)` finds the largest t (up to a cap) such that some x has A x + c ≥ t·w, w ≥ 0
per row. With w the row norms, t is the radius of the largest ball inside (the Chebyshev centre);
with w = 0 on some rows, t > 0 means a point lies strictly inside the other rows' half-spaces
(an activation pattern that some input realises). Cells of the code space, the realised-pattern
check of the region count and the geometric enumeration of regions all use it.

SciPy is an optional dependency (the `regions` extra), imported when the first LP runs.

>>> square = Polyhedron(np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]]),
...                     np.array([-1.0, 3.0, -1.0, 3.0]))          # [1, 3]²
>>> centre = max_slack(square.A, square.c, row_norms(square.A))
>>> centre.x.round(6).tolist(), round(centre.t, 6)
([2.0, 2.0], 1.0)
>>> square.dimension(), square.is_bounded()
(2, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import M2BridgeError
from ..extras import require

# Rows whose normal has norm below this (relative to the largest row) are constants on the cell.
ZERO_ROW = 1e-12


class LPError(M2BridgeError):
    """HiGHS stopped without an answer (iteration limit, numerical trouble)."""


def _highs(objective, **constraints):
    linprog = require("scipy.optimize", "regions").linprog
    return linprog(objective, method="highs", **constraints)


def row_norms(A: np.ndarray) -> np.ndarray:
    """Euclidean norm of each row, without overflow for huge entries."""
    A = np.asarray(A, dtype=float)
    size = np.abs(A).max(axis=1, initial=0.0)
    safe = np.where(size > 0, size, 1.0)
    return size * np.linalg.norm(A / safe[:, None], axis=1)


@dataclass(frozen=True)
class Slack:
    """Optimum of `max_slack`: the point x, the slack t and the dual value of each row."""

    x: np.ndarray
    t: float
    marginals: np.ndarray


def max_slack(A, c, weights, *, cap: float | None = None, bounds=None) -> Slack | None:
    """max t subject to A x + c ≥ t·weights, t ≤ cap (None: no cap), x within `bounds` (a list of
    (low, high) per coordinate; free by default). None when no x satisfies the rows of weight 0.

    Each row is divided by its largest coefficient first (the same inequality, better scaled for
    HiGHS); `marginals` are the dual values of these scaled rows.
    """
    A, c, w = (np.asarray(v, dtype=float) for v in (A, c, weights))
    n = A.shape[1]
    scale = np.max(np.abs(np.c_[A, c, w]), axis=1, initial=0.0)
    scale = np.where(scale > 0, scale, 1.0)
    rows = {}
    if A.shape[0]:
        rows = dict(A_ub=np.c_[-A / scale[:, None], w / scale], b_ub=c / scale)
    res = _highs(np.r_[np.zeros(n), -1.0], bounds=list(bounds or [(None, None)] * n) + [(None, cap)],
                 **rows)
    if res.status == 2:
        return None
    if res.status != 0:
        raise LPError(f"HiGHS failed on a polyhedron LP ({A.shape[0]} rows, {n} variables): {res.message}")
    marginals = res.ineqlin.marginals if A.shape[0] else np.zeros(0)
    return Slack(res.x[:n], float(-res.fun), np.asarray(marginals))


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
        scale = row_norms(self.A) * size[:, None] + np.abs(self.c)
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
        res = _highs(np.zeros(self.A.shape[0]), A_eq=self.A.T, b_eq=np.zeros(self.n),
                     bounds=[(1, None)] * self.A.shape[0])
        return res.status == 0


def _affine_hull(A_eq: np.ndarray, c_eq: np.ndarray, n: int, tol: float):
    """(x0, B) with {x : A_eq x + c_eq = 0} = x0 + range(B), B orthonormal; None if inconsistent."""
    if A_eq.shape[0] == 0:
        return np.zeros(n), np.eye(n)
    _, s, Vt = np.linalg.svd(A_eq)
    rank = int(np.sum(s > tol * max(1.0, s[0])))
    x0 = np.linalg.lstsq(A_eq, -c_eq, rcond=None)[0]
    residual = np.abs(A_eq @ x0 + c_eq)
    if np.any(residual > tol * (1 + np.abs(c_eq) + row_norms(A_eq) * (1 + np.abs(x0).max()))):
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
        norms = row_norms(G)
        constant = norms <= ZERO_ROW * scale
        if np.any(g[constant] < -tol * (1 + np.abs(g[constant]))):
            return -1, None, 0.0
        G, g, norms = G[~constant], g[~constant], norms[~constant]
        rest = np.flatnonzero(~equal)[~constant]
        if B.shape[1] == 0 or len(g) == 0:
            return B.shape[1], x0, (0.0 if B.shape[1] == 0 else radius_cap)
        best = max_slack(G, g, norms, cap=radius_cap)
        if best is None:  # every row has a positive weight: t may go to −∞, so the LP is never infeasible
            raise LPError(f"HiGHS found no point for the slack LP of a polyhedron ({len(g)} rows)")
        if best.t > tol:
            return B.shape[1], x0 + B @ best.x, best.t
        if best.t < -tol:
            return -1, None, 0.0
        multipliers = np.abs(best.marginals)
        tight = multipliers > tol * max(1.0, multipliers.max())
        if not np.any(tight):  # numerically silent dual: fall back to the rows that are tight here
            slack = G @ best.x + g
            tight = slack <= tol * (1 + np.abs(g))
        equal[rest[tight]] = True
