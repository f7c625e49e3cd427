"""Graded pieces of J^A over GF(p): monomials of one multidegree, kernels in reduced form, and the
minimal generators of a piece (the part not spanned by products of the degree below).

A piece (J^A)_(α,β) is stored as `basis` rows in reduced form: `basis[:, free]` is the identity, so
a vector of the piece is determined by its coordinates at the `free` monomials, and the products
m_v·g of lower-degree vectors are compared through those coordinates alone (Cummings–Hollering,
arXiv 2311.07678, compare pieces the same way).

>>> monomials_of(2, 2, 2, (1, 1), (1, 1)).tolist()
[[0, 3], [0, 7], [3, 4], [4, 7], [1, 2], [1, 6], [2, 5], [5, 6]]
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import flint
import numpy as np

from . import elimination
from .forked import call_forked

# FLINT calls on matrices with this many entries or more run in a forked child (`forked.py`): they
# take long enough that a signal must not wait for them.
FORKED_ENTRIES = 1_000_000


@dataclass
class Piece:
    """(J^A)_(α,β): `basis` rows span it, in reduced form (`basis[:, free]` is the identity)."""

    monomials: np.ndarray  # (n, d) variable indices, non-decreasing along each row
    keys: np.ndarray  # (n,) uint64 additive hash of each monomial (see `monomial_hashes`)
    basis: np.ndarray  # (dim, n) int64 residues mod p
    free: np.ndarray  # (dim,) column of the identity entry of each basis row
    generators: np.ndarray  # indices of the basis rows that are minimal generators
    # rref of m·(lower pieces) in free coordinates, columns `generators` only (its pivots are the
    # other free indices): set by `complement` when the piece has minimal generators
    reducer: np.ndarray | None = None

    @property
    def dim(self) -> int:
        return int(self.basis.shape[0])

    def positions(self, keys: np.ndarray) -> np.ndarray:
        """Column of each monomial key in this piece (-1 for a key that is not one of its monomials)."""
        order = getattr(self, "_order", None)
        if order is None:
            order = np.argsort(self.keys)
            self._order = order
        sorted_keys = self.keys[order]
        at = np.searchsorted(sorted_keys, keys)
        at = np.minimum(at, len(sorted_keys) - 1)
        found = sorted_keys[at] == keys
        return np.where(found, order[at], -1)

    def free_positions(self) -> np.ndarray:
        """For each column, its index among the free columns (-1 for a pivot column)."""
        position = np.full(len(self.keys), -1)
        position[self.free] = np.arange(len(self.free))
        return position


def monomial_hashes(n_vars: int) -> np.ndarray:
    """Random 64-bit weights: a monomial's key is the sum of its variables' weights (mod 2^64), so
    the key of m_v·u is key(u) + weight(v)."""
    return np.random.default_rng(2**32 + n_vars).integers(0, 2**63, size=n_vars, dtype=np.uint64)


class SharedKey(ArithmeticError):
    """Two distinct monomials have the same 64-bit key (probability about n²·2^-65 for n monomials)."""


def monomial_keys(monomials: np.ndarray, hashes: np.ndarray) -> np.ndarray:
    """The key of each monomial (rows: distinct monomials), checked pairwise distinct: a key then
    names exactly one of them, and a lookup among them is exact (a shared key is refused, never used)."""
    if monomials.shape[1] == 0:
        return np.zeros(len(monomials), dtype=np.uint64)
    keys = hashes[monomials].sum(axis=1, dtype=np.uint64)
    if len(keys) > 1 and len(np.unique(keys)) < len(keys):
        raise SharedKey("two monomials share a 64-bit key (probability about 2^-64): "
                        "not computed rather than computed wrong")
    return keys


# --- monomials of one multidegree -------------------------------------------------------------

def _tables(alpha: tuple, beta: list):
    """Nonnegative integer matrices with row sums `alpha` and column sums `beta`."""
    if not alpha:
        if not any(beta):
            yield []
        return
    first, rest = alpha[0], alpha[1:]
    for row in _compositions(first, beta):
        remaining = [b - r for b, r in zip(beta, row)]
        for tail in _tables(rest, remaining):
            yield [row] + tail


def _compositions(total: int, bounds: list):
    """Vectors of len(bounds) nonnegative integers <= bounds that add up to `total`."""
    if not bounds:
        if total == 0:
            yield ()
        return
    if total > sum(bounds):
        return
    for x in range(min(total, bounds[0]), -1, -1):
        for tail in _compositions(total - x, bounds[1:]):
            yield (x,) + tail


def monomials_of(n_rows: int, n_cols: int, k: int, alpha, beta, blocks=None) -> np.ndarray:
    """The monomials of multidegree (α, β) in the coordinates m_(b,i,j) (variable index
    b·n_rows·n_cols + i·n_cols + j, 0-based), one row of sorted variable indices each; only in the
    variables of `blocks` when given."""
    degree = sum(alpha)
    blocks = list(range(k)) if blocks is None else list(blocks)
    rows = []
    for table in _tables(tuple(alpha), list(beta)):
        cells = [(i * n_cols + j, t) for i, row in enumerate(table) for j, t in enumerate(row) if t]
        choices = [list(itertools.combinations_with_replacement(blocks, t)) for _, t in cells]
        for pick in itertools.product(*choices):
            rows.append(sorted(b * n_rows * n_cols + cell for (cell, _), blocks in zip(cells, pick) for b in blocks))
    if not rows:
        return np.zeros((0, degree), dtype=np.int16)
    return np.array(rows, dtype=np.int16).reshape(len(rows), degree)


# --- linear algebra over GF(p) ----------------------------------------------------------------

def to_nmod_mat(array: np.ndarray, p: int) -> flint.nmod_mat:
    # Through fmpz_mat: about twice as fast as nmod_mat(list, p) for large matrices (python-flint 0.9).
    if array.size == 0:
        return flint.nmod_mat(array.shape[0], array.shape[1], p)
    return flint.nmod_mat(flint.fmpz_mat(array.tolist()), p)


def rref(array: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Reduced row echelon form mod p: (the nonzero rows, their pivot columns)."""
    if elimination.fits(p):
        R, pivots = elimination.rref_rows(elimination.to_centred(array, p), p)
        return np.mod(R, p).astype(np.int64), np.array(pivots, dtype=np.int64)
    if array.size >= FORKED_ENTRIES:
        return call_forked(_flint_rref, array, p, what=f"the row reduction of a {array.shape[0]} x {array.shape[1]} matrix")
    return _flint_rref(array, p)


def _flint_rref(array: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    R, rank = to_nmod_mat(array, p).rref()
    if rank == 0:
        return np.zeros((0, array.shape[1]), dtype=np.int64), np.zeros(0, dtype=np.int64)
    entries = R.entries()[: rank * array.shape[1]]
    rows = np.array([int(x) for x in entries], dtype=np.int64).reshape(rank, array.shape[1])
    pivots = (rows != 0).argmax(axis=1)
    return rows, pivots


def kernel(E: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Basis of {c : E c = 0} in reduced form: row t has 1 at free[t], 0 at the other free columns.

    FLINT's nullspace has exactly this form (free = the non-pivot columns of the rref of E, in
    increasing order); only its `nullity` columns are converted back to numpy, not the whole matrix.
    """
    if E.size >= FORKED_ENTRIES:
        return call_forked(_flint_kernel, E, p, what=f"the kernel of a {E.shape[0]} x {E.shape[1]} matrix")
    return _flint_kernel(E, p)


def _flint_kernel(E: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    n = E.shape[1]
    X, nullity = to_nmod_mat(E, p).nullspace()
    if nullity == 0:
        return np.zeros((0, n), dtype=np.int64), np.zeros(0, dtype=np.int64)
    if nullity < n:
        select = flint.nmod_mat(n, nullity, p)
        for t in range(nullity):
            select[t, t] = 1
        X = X * select
    basis = np.array([int(x) for x in X.transpose().entries()], dtype=np.int64).reshape(nullity, n)
    # Every nonzero entry of vector t sits at or before its free column, where it is 1.
    free = n - 1 - (basis[:, ::-1] != 0).argmax(axis=1)
    return basis, free


def evaluation_matrix(values: np.ndarray, monomials: np.ndarray, p: int) -> np.ndarray:
    """E[t, c] = monomial c at point t (rows of `values`), mod p; computed in place."""
    E = values[:, monomials[:, 0]].copy()
    for t in range(1, monomials.shape[1]):
        E *= values[:, monomials[:, t]]
        E %= p
    return E


EVALUATION_ROWS = 256  # points evaluated at once when the matrix is built for `elimination`


def centred_evaluation_matrix(values: np.ndarray, monomials: np.ndarray, p: int) -> np.ndarray:
    """`evaluation_matrix` as float64 centred residues for `elimination`, a block of points at a time,
    so that no integer copy of the whole matrix is made."""
    A = np.empty((len(values), len(monomials)))
    # Products of two centred residues (|x| <= p/2 < 2^22) are exact in float64.
    centred = elimination.to_centred(values, p)
    for start in range(0, len(values), EVALUATION_ROWS):
        block, points = A[start:start + EVALUATION_ROWS], centred[start:start + EVALUATION_ROWS]
        np.take(points, monomials[:, 0], axis=1, out=block)
        for t in range(1, monomials.shape[1]):
            block *= np.take(points, monomials[:, t], axis=1)
            elimination.centre(block, p)
    return A


# --- minimal generators ---------------------------------------------------------------------------

def lower_products(md, piece: Piece, lower, hashes, rows, cols):
    """Blocks of rows: the products m_v·g (g a basis row of the piece of multidegree md − deg m_v),
    in the free coordinates of `piece`. `lower(md)` returns a piece or None."""
    alpha, beta = md
    free_position = piece.free_positions()
    for v in range(len(rows)):
        i, j = rows[v], cols[v]
        if alpha[i] == 0 or beta[j] == 0:
            continue
        below = lower((alpha[:i] + (alpha[i] - 1,) + alpha[i + 1:], beta[:j] + (beta[j] - 1,) + beta[j + 1:]))
        if below is None or below.dim == 0:
            continue
        found = piece.positions(below.keys + hashes[v])
        _check_found(piece, below, v, found)
        # A product outside the piece's monomials has a variable of a zero block: it lies in
        # m·(J^A)_(d-1) anyway, and the piece is read modulo those variables (see interpolate.py).
        position = np.where(found >= 0, free_position[found], -1)
        keep = position >= 0
        block = np.zeros((below.dim, len(piece.free)), dtype=np.int64)
        block[:, position[keep]] = below.basis[:, keep]
        yield block


def _check_found(piece: Piece, below: Piece, v: int, found: np.ndarray) -> None:
    """Keys are random 64-bit sums: a product's key is the key of that very monomial, so a monomial
    of the piece is never missed, but a collision could name a wrong one. Every product found is
    compared with the monomial it was matched to, which makes the matching exact."""
    hit = np.flatnonzero(found >= 0)
    if not len(hit):
        return
    products = np.concatenate([below.monomials[hit], np.full((len(hit), 1), v, dtype=below.monomials.dtype)], axis=1)
    products.sort(axis=1)
    if not np.array_equal(products, piece.monomials[found[hit]]):
        raise SharedKey("two monomials share a 64-bit key (probability about 2^-64): "
                        "not computed rather than computed wrong")


def complement(piece: Piece, blocks, p: int, margin: int = 6) -> np.ndarray:
    """Free indices of the basis rows of `piece` that complement the span of `blocks` (rows in free
    coordinates): the minimal generators of the piece relative to those rows. When there are some,
    `piece.reducer` keeps what reduces any row of the piece modulo that span (see `reduce_rows`)."""
    dim = len(piece.free)
    stack, count = [], 0
    for block in blocks:
        stack.append(block)
        count += len(block)
        if count >= dim + margin and len(stack) > 1:
            # Usually a few products already fill the piece: stop early.
            reduced, pivots = rref(np.concatenate(stack), p)
            if len(pivots) == dim:
                return np.zeros(0, dtype=np.int64)
            stack, count = [reduced], len(reduced)
    if not stack:
        piece.reducer = np.zeros((0, dim), dtype=np.int64)
        return np.arange(dim)
    reduced, pivots = rref(np.concatenate(stack), p)
    missing = np.setdiff1d(np.arange(dim), pivots)
    piece.reducer = reduced[:, missing] if len(missing) else None
    return missing


def mulmod(A: np.ndarray, B: np.ndarray, p: int) -> np.ndarray:
    """A·B mod p for residues below 2^31, exact in int64: B is split into 16-bit halves."""
    if A.shape[1] == 0:
        return np.zeros((A.shape[0], B.shape[1]), dtype=np.int64)
    low, high = B & 0xFFFF, B >> 16
    return ((A @ high % p) * 65536 + A @ low % p) % p


def reduce_rows(piece: Piece, rows: np.ndarray, p: int) -> np.ndarray:
    """Rows of the piece (free coordinates) modulo the span recorded by `complement`: their
    coordinates along the piece's minimal generators (columns `piece.generators`)."""
    generators = piece.generators
    others = np.setdiff1d(np.arange(len(piece.free)), generators)
    if piece.reducer is None:  # degree 1: nothing below, every basis row is a generator
        return rows[:, generators] % p
    return (rows[:, generators] - mulmod(rows[:, others], piece.reducer, p)) % p
