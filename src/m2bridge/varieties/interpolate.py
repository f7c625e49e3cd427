"""J^A degree by degree by linear algebra over GF(p), without a Gröbner basis.

J^A is homogeneous for the grading deg m_(b,i,j) = (e_i, f_j) (docs/mathematics.md), so it is the direct sum
of its pieces (J^A)_(α,β). A polynomial of multidegree (α,β) lies in J^A iff it vanishes on the
image of φ^A, so (J^A)_(α,β) is the kernel of the matrix E whose columns are the monomials of
multidegree (α,β) evaluated at random points φ^A(θ) over GF(p) — the method of the
MultigradedImplicitization package (Cummings–Hollering, arXiv 2311.07678), rebuilt with numpy
(evaluation) and python-flint's `nmod_mat` (kernels).

Minimal generators of degree d in (α,β) are a complement of m·(J^A)_(d-1) inside (J^A)_(α,β):
kernel vectors are kept in reduced form (coefficient 1 at one "free" monomial, 0 at the others), so
the products m_v·g of lower-degree kernel vectors are compared through their free coordinates.

>>> result = interpolate_ideal("2,2,2", "10|11", max_degree=3)
>>> result.graded_dims, result.mingens_by_degree
({1: 0, 2: 2, 3: 16}, {1: 0, 2: 2, 3: 0})
>>> x = result.generators[0].context().gens()[4]
>>> result.contains(x * result.generators[1]), result.contains(x ** 2)
(True, False)
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import flint
import numpy as np

from ..errors import InputError
from .field import Field
from .jacobian import DEFAULT_PRIME, jacobian_at_random_point
from .model import PatternVariety
from .parametrization import sample_image
from .polynomials import polynomial_context, residue

EXTRA_POINTS = 6
"""Points beyond the number of monomials: each extra point divides the error bound by about p."""


class Stopped(Exception):
    """Raised inside `interpolate_ideal` when its `should_stop` callback says another method won."""


class InterpolationError(InputError):
    """Input that multigraded interpolation cannot handle (data, a bad degree bound or prime)."""


@dataclass
class Piece:
    """(J^A)_(α,β): `basis` rows span it, in reduced form (`basis[:, free]` is the identity)."""

    monomials: np.ndarray  # (n, d) variable indices, non-decreasing along each row
    keys: np.ndarray  # (n,) uint64 additive hash of each monomial (see `_monomial_hashes`)
    basis: np.ndarray  # (dim, n) int64 residues mod p
    free: np.ndarray  # (dim,) column of the identity entry of each basis row
    generators: np.ndarray  # indices of the basis rows that are minimal generators

    @property
    def dim(self) -> int:
        return int(self.basis.shape[0])


@dataclass
class InterpolationResult:
    """Graded pieces of J^A over GF(prime) through `max_degree`, with minimal generators.

    `error_bound` bounds the probability that some computed piece is larger than (J^A)_(α,β) ⊗ GF(p)
    (too few independent points; the error can only go that way). `graded_dims[d]` = dim (J^A)_d.
    """

    variety: PatternVariety
    prime: int
    max_degree: int
    graded_dims: dict[int, int]
    mingens_by_degree: dict[int, int]
    generators: list  # nmod_mpoly, by degree
    error_bound: float
    seed: int
    seconds: float
    multidegrees: int  # pieces solved by linear algebra
    skipped: int  # pieces decided without linear algebra (one monomial, or independent variables)
    pieces: dict = field(default_factory=dict, repr=False)  # (α, β) -> Piece

    @property
    def field(self) -> Field:
        return Field(self.prime)

    @property
    def mingens_degrees(self) -> list[int]:
        return [int(g.total_degree()) for g in self.generators]

    def contains(self, poly) -> bool:
        """Is `poly` (a polynomial over the m-variables, degree <= max_degree) in J^A over GF(p)?

        Every multihomogeneous component must lie in its piece. Over QQ the coefficients are
        reduced mod p first.
        """
        v = self.variety
        ctx = polynomial_context(v.variable_names, self.field)
        rows, cols = _variable_grading(v)
        n_vars = len(rows)
        components: dict[tuple, dict] = {}
        for exps, coeff in poly.to_dict().items():
            if sum(exps) > self.max_degree:
                raise InterpolationError(f"degree {sum(exps)} is above the interpolation bound {self.max_degree}")
            variables = [i for i, e in enumerate(exps) for _ in range(e)]
            md = _multidegree(variables, rows, cols, v.arch.n_out, v.columns)
            components.setdefault(md, {})[tuple(exps)] = residue(coeff, self.prime)
        for md, terms in components.items():
            component = ctx.from_dict(terms)
            if component.is_zero():
                continue
            piece = self.pieces.get(md)
            if piece is None or piece.dim == 0:
                return False
            # Reduced form: the component is in the piece iff it equals Σ (its free coefficients)·basis.
            coeffs = component.to_dict()
            combo = np.zeros(piece.basis.shape[1], dtype=np.int64)
            for f, row in zip(piece.free, piece.basis):
                c = int(coeffs.get(_exponents(piece.monomials[f], n_vars), 0))
                combo = (combo + c * row) % self.prime
            if _poly_from_row(ctx, piece.monomials, combo, n_vars) != component:
                return False
        return True


def _exponents(monomial_row, n_vars: int) -> tuple:
    exps = [0] * n_vars
    for v in monomial_row:
        exps[int(v)] += 1
    return tuple(exps)


# --- grading and monomials ---------------------------------------------------------------------

def _variable_grading(variety: PatternVariety) -> tuple[np.ndarray, np.ndarray]:
    """Row i and column j (0-based) of each coordinate m_(b,i,j), in ring order."""
    coords = variety.coordinates
    return (np.array([i - 1 for (_, i, _) in coords], dtype=np.int64),
            np.array([j - 1 for (_, _, j) in coords], dtype=np.int64))


def _multidegree(variables, rows, cols, n_rows: int, n_cols: int) -> tuple:
    alpha, beta = [0] * n_rows, [0] * n_cols
    for v in variables:
        alpha[rows[v]] += 1
        beta[cols[v]] += 1
    return tuple(alpha), tuple(beta)


def monomials_by_multidegree(variety: PatternVariety, degree: int) -> dict[tuple, np.ndarray]:
    """The monomials of total degree `degree`, grouped by multidegree (α, β).

    Each monomial is a row of variable indices (ring order, non-decreasing).

    >>> groups = monomials_by_multidegree(PatternVariety("2,2,2", "10|11"), 2)
    >>> len(groups), groups[((1, 1), (1, 1))].shape
    (9, (8, 2))
    """
    rows, cols = _variable_grading(variety)
    n_vars = len(rows)
    count = math.comb(n_vars + degree - 1, degree)
    flat = itertools.chain.from_iterable(itertools.combinations_with_replacement(range(n_vars), degree))
    monomials = np.fromiter(flat, dtype=np.int16, count=count * degree).reshape(count, degree)
    # One integer per multidegree: base-(degree+1) digits of α and then of β.
    n_rows, n_cols = int(rows.max()) + 1, int(cols.max()) + 1
    base = degree + 1
    key = (base ** rows)[monomials].sum(axis=1) * base**n_cols + (base ** cols)[monomials].sum(axis=1)
    order = np.argsort(key, kind="stable")
    monomials, key = monomials[order], key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    groups = {}
    for start, stop in zip(starts, [*starts[1:], len(key)]):
        block = monomials[start:stop]
        groups[_multidegree(block[0].tolist(), rows, cols, n_rows, n_cols)] = block
    return groups


def _monomial_hashes(n_vars: int) -> np.ndarray:
    """Random 64-bit weights: a monomial's key is the sum of its variables' weights (mod 2^64), so
    the key of m_v·u is key(u) + weight(v). Keys are checked to be distinct inside each piece."""
    return np.random.default_rng(2**32 + n_vars).integers(0, 2**63, size=n_vars, dtype=np.uint64)


# --- one piece ---------------------------------------------------------------------------------

def _to_nmod_mat(array: np.ndarray, p: int) -> flint.nmod_mat:
    # Through fmpz_mat: about twice as fast as nmod_mat(list, p) for large matrices (python-flint 0.9).
    if array.size == 0:
        return flint.nmod_mat(array.shape[0], array.shape[1], p)
    return flint.nmod_mat(flint.fmpz_mat(array.tolist()), p)


def _rref(array: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Reduced row echelon form mod p: (the nonzero rows, their pivot columns)."""
    R, rank = _to_nmod_mat(array, p).rref()
    if rank == 0:
        return np.zeros((0, array.shape[1]), dtype=np.int64), np.zeros(0, dtype=np.int64)
    entries = R.entries()[: rank * array.shape[1]]
    rows = np.array([int(x) for x in entries], dtype=np.int64).reshape(rank, array.shape[1])
    pivots = (rows != 0).argmax(axis=1)
    return rows, pivots


def _kernel(E: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Basis of {c : E c = 0} in reduced form: row t has 1 at free[t], 0 at the other free columns.

    FLINT's nullspace has exactly this form (free = the non-pivot columns of the rref of E, in
    increasing order); only its `nullity` columns are converted back to numpy, not the whole matrix.
    """
    n = E.shape[1]
    X, nullity = _to_nmod_mat(E, p).nullspace()
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


_shared: dict = {}  # per degree: what every piece reads (inherited by forked workers)
_shared_lock = threading.Lock()


def _solve_piece(md: tuple) -> tuple[tuple, Piece]:
    """Kernel of the evaluation matrix of piece `md`, then its minimal generators."""
    s = _shared
    p, monomials = s["prime"], s["groups"][md]
    n = len(monomials)
    values = s["values"][: n + EXTRA_POINTS]
    E = values[:, monomials[:, 0]]
    for t in range(1, monomials.shape[1]):
        E = E * values[:, monomials[:, t]] % p
    basis, free = _kernel(E, p)
    keys = s["hashes"][monomials].sum(axis=1, dtype=np.uint64)
    piece = Piece(monomials, keys, basis, free, np.arange(len(free)))
    if len(free) and s["lower"]:
        piece.generators = _new_generators(md, piece, s["lower"], s["hashes"], s["rows"], s["cols"], p)
    return md, piece


def _new_generators(md, piece: Piece, lower: dict, hashes, rows, cols, p: int) -> np.ndarray:
    """Basis rows of `piece` that complement m·(lower pieces): compare in the free coordinates."""
    alpha, beta = md
    order = np.argsort(piece.keys)
    sorted_keys = piece.keys[order]
    free_position = np.full(len(piece.keys), -1)
    free_position[piece.free] = np.arange(len(piece.free))
    blocks = []
    for v in range(len(rows)):
        i, j = rows[v], cols[v]
        if alpha[i] == 0 or beta[j] == 0:
            continue
        below = lower.get((alpha[:i] + (alpha[i] - 1,) + alpha[i + 1:], beta[:j] + (beta[j] - 1,) + beta[j + 1:]))
        if below is None or below.dim == 0:
            continue
        target = order[np.searchsorted(sorted_keys, below.keys + hashes[v])]
        position = free_position[target]
        keep = position >= 0
        block = np.zeros((below.dim, len(piece.free)), dtype=np.int64)
        block[:, position[keep]] = below.basis[:, keep]
        blocks.append(block)
        if sum(len(b) for b in blocks) >= len(piece.free) + EXTRA_POINTS and len(blocks) > 1:
            # Usually a few variables' products already fill the piece: no new generator, stop early.
            rows_so_far, pivots = _rref(np.concatenate(blocks), p)
            if len(pivots) == len(piece.free):
                return np.zeros(0, dtype=np.int64)
            blocks = [rows_so_far]
    if not blocks:
        return np.arange(len(piece.free))
    _, pivots = _rref(np.concatenate(blocks), p)
    return np.setdiff1d(np.arange(len(piece.free)), pivots)


# --- the whole ideal ---------------------------------------------------------------------------

def _independent_supports(variety: PatternVariety, prime: int, seed: int):
    """A test: are the Jacobian columns of the coordinates with row in I and column in J independent
    at a random point? Then those coordinates satisfy no polynomial relation at all (exact: the rank at
    one point never exceeds the generic rank)."""
    jac = jacobian_at_random_point(variety, prime, seed)
    rows, cols = _variable_grading(variety)
    cache: dict[tuple, bool] = {}

    def independent(md) -> bool:
        alpha, beta = md
        key = (tuple(a > 0 for a in alpha), tuple(b > 0 for b in beta))
        if key not in cache:
            support = [v for v in range(len(rows)) if alpha[rows[v]] and beta[cols[v]]]
            sub = flint.nmod_mat(jac.nrows(), len(support),
                                 [int(jac[r, v]) for r in range(jac.nrows()) for v in support], prime)
            cache[key] = sub.rank() == len(support)
        return cache[key]

    return independent


def _check_inputs(variety: PatternVariety, max_degree, prime: int) -> None:
    if variety.data is not None:
        raise InterpolationError("interpolation needs the (e_i, f_j) grading of J^A; with data use method ker", "data")
    if isinstance(max_degree, bool) or not isinstance(max_degree, int) or max_degree < 1:
        raise InterpolationError(f"max_degree {max_degree!r}: expected an integer >= 1", "max_degree")
    Field.parse(f"ZZ/{prime}")  # a prime below 2^31: products of two residues fit in int64


def interpolate_ideal(arch, pattern=None, *, max_degree: int, prime: int = DEFAULT_PRIME, seed: int = 0,
                      workers: int = 1, keep_pieces: bool = True, should_stop=None) -> InterpolationResult:
    """J^A over GF(prime) through `max_degree` by multigraded interpolation (no Macaulay2).

    `arch` may be a PatternVariety (for a network with biases, pass one). `workers` > 1 solves the pieces of each degree in a process pool.
    `should_stop()` is asked between pieces; when it returns true, `Stopped` is raised.

    >>> r = interpolate_ideal("3,3,3", "110|011", max_degree=3)
    >>> r.mingens_by_degree, r.error_bound < 1e-30
    ({1: 0, 2: 0, 3: 3}, True)
    """
    variety = arch if isinstance(arch, PatternVariety) else PatternVariety(arch, pattern)
    _check_inputs(variety, max_degree, prime)
    start = time.perf_counter()
    rows, cols = _variable_grading(variety)
    n_vars = len(rows)
    hashes = _monomial_hashes(n_vars)
    independent = _independent_supports(variety, prime, seed)
    all_groups = {d: monomials_by_multidegree(variety, d) for d in range(1, max_degree + 1)}
    largest = max(len(m) for groups in all_groups.values() for m in groups.values())
    values = sample_image(variety, largest + EXTRA_POINTS, prime, np.random.default_rng(seed))
    ctx = polynomial_context(variety.variable_names, Field(prime))
    # Variables that vanish on V_A (a block with M_b = 0): a monomial containing one lies in J^A.
    zero_variables = set(np.flatnonzero(~values.any(axis=0)).tolist())
    pieces: dict[tuple, Piece] = {}
    lower: dict[tuple, Piece] = {}
    graded_dims, mingens, generators = {}, {}, []
    error = 0.0
    solved = skipped = 0
    for d in range(1, max_degree + 1):
        groups = all_groups[d]
        todo, current = [], {}
        dim_d = 0
        for md, monomials in groups.items():
            if d >= 2 and len(monomials) == 1:
                # J^A is prime: a monomial lies in it iff one of its variables does, so it is never a
                # new generator in degree >= 2.
                in_ideal = bool(zero_variables.intersection(monomials[0].tolist()))
                dim_d += int(in_ideal)
                skipped += 1
                if in_ideal:
                    current[md] = _monomial_piece(monomials, hashes)
            elif d >= 2 and independent(md):
                skipped += 1
            else:
                todo.append(md)
        # `_shared` is one per process (forked workers inherit it): interpolations running in
        # several threads of one process (a sweep's workers) take turns here.
        with _shared_lock:
            _shared.update(prime=prime, groups=groups, values=values, hashes=hashes, rows=rows, cols=cols,
                           lower=lower)
            for md, piece in _map(_solve_piece, todo, workers):
                if should_stop is not None and should_stop():
                    _shared.clear()
                    raise Stopped
                current[md] = piece
                dim_d += piece.dim
                n = len(piece.monomials)
                # Points are taken one at a time: while the kernel is too large some g ∉ J^A survives, and
                # g∘φ (degree <= d·L in θ) vanishes at the next point with probability <= d·L/p; a wrong
                # kernel needs > EXTRA_POINTS such events among n + EXTRA_POINTS points.
                q = d * variety.arch.depth / prime
                error += math.comb(n + EXTRA_POINTS, EXTRA_POINTS + 1) * q ** (EXTRA_POINTS + 1)
            _shared.clear()
        solved += len(todo)
        for md in sorted(current):
            piece = current[md]
            for t in piece.generators:
                generators.append(_poly_from_row(ctx, piece.monomials, piece.basis[t], n_vars))
        graded_dims[d] = dim_d
        mingens[d] = sum(len(p.generators) for p in current.values())
        if keep_pieces:
            pieces.update(current)
        lower = current
    return InterpolationResult(
        variety=variety, prime=prime, max_degree=max_degree, graded_dims=graded_dims, mingens_by_degree=mingens,
        generators=generators, error_bound=min(1.0, error), seed=seed, seconds=time.perf_counter() - start,
        multidegrees=solved, skipped=skipped, pieces=pieces,
    )


def _monomial_piece(monomials: np.ndarray, hashes: np.ndarray) -> Piece:
    """A one-monomial piece that lies in J^A (not a generator: one of its variables is)."""
    return Piece(monomials, hashes[monomials].sum(axis=1, dtype=np.uint64), np.ones((1, 1), dtype=np.int64),
                 np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64))


def _map(function, items: list, workers: int):
    """`function` over `items`, in forked worker processes when workers > 1 (they inherit `_shared`)."""
    if workers <= 1 or len(items) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(function, items)
        return
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    try:
        yield from pool.map(function, items, chunksize=max(1, len(items) // (8 * workers)))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _poly_from_row(ctx, monomials: np.ndarray, row: np.ndarray, n_vars: int):
    return ctx.from_dict({_exponents(monomials[t], n_vars): int(row[t]) for t in np.flatnonzero(row)})
