"""J^A degree by degree by linear algebra over GF(p), without a Gröbner basis.

J^A is homogeneous for the grading deg m_(b,i,j) = (e_i, f_j) (docs/mathematics.md), so it is the
direct sum of its pieces (J^A)_(α,β). A polynomial of multidegree (α,β) lies in J^A iff it vanishes on the
image of φ^A, so (J^A)_(α,β) is the kernel of the matrix E whose columns are the monomials of
multidegree (α,β) evaluated at random points φ^A(θ) over GF(p) — the method of the
MultigradedImplicitization package (Cummings–Hollering, arXiv 2311.07678), rebuilt with numpy
(evaluation) and python-flint's `nmod_mat` (kernels). One sample of points serves every piece.

Row and column permutations (and the transposition, when the pattern allows it) carry pieces onto
pieces (`orbits.py`): one piece per orbit is computed, the others are renamed copies. Minimal
generators of degree d in (α,β) are a complement of m·(J^A)_(d-1) inside (J^A)_(α,β) (`pieces.py`).

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
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import flint
import numpy as np

from .._processes import raise_if_ending
from ..errors import InputError
from . import elimination
from .field import INTERPOLATION_PRIME, Field
from .generators import LazyGenerators, generator_polynomials
from .jacobian import jacobian_at_random_point
from .model import PatternVariety
from .orbits import PieceMap, Symmetry
from .parametrization import sample_image
from .pieces import (Piece, complement, kernel as _kernel, lower_products, monomial_hashes,  # noqa: F401
                     monomial_keys, monomials_of, rref as _rref)
from .monomials import monomial_count
from .polynomials import polynomial_context, residue
from .runners import make_runner

EXTRA_POINTS = 6
"""Points beyond the number of monomials at least: each extra point divides the error bound by about
p/(d·L). Over a small prime more are taken, until the bound is below ERROR_TARGET."""
ERROR_TARGET = 1e-12
# A result whose error bound would reach this is refused, never returned as an answer.
REFUSED_BOUND = 0.01
MAX_POINTS = 100_000
Plan = dict[int, list["PlannedPiece"]]  # degree → the pieces planned for it (`_plan`)


class Stopped(Exception):
    """Raised inside `interpolate_ideal` when its `should_stop` callback says another method won."""


class InterpolationError(InputError):
    """Input that multigraded interpolation cannot handle (data, a bad degree bound or prime)."""


@dataclass
class InterpolationResult:
    """Graded pieces of J^A over GF(prime) through `max_degree`, with minimal generators.

    `error_bound` bounds the probability that some computed piece is larger than (J^A)_(α,β) ⊗ GF(p)
    (too few independent points; the error can only go that way). `graded_dims[d]` = dim (J^A)_d.
    `multidegrees` pieces were solved by linear algebra (one per orbit), `skipped` decided without
    it; `pieces` maps every multidegree of a nonzero piece to it (renamed on demand).
    """

    variety: PatternVariety
    prime: int
    max_degree: int
    graded_dims: dict[int, int]
    mingens_by_degree: dict[int, int]
    generators: Sequence  # nmod_mpoly, by degree (a `LazyGenerators`: made when first read)
    error_bound: float
    seed: int
    seconds: float
    multidegrees: int
    skipped: int
    pieces: PieceMap = field(repr=False)
    hashes: np.ndarray = field(repr=False)  # monomial keys (pieces.monomial_hashes)
    # Coordinates of blocks with M_b = 0: from degree 2 on, pieces leave out monomials containing one
    zero_variables: list = field(default_factory=list, repr=False)

    @property
    def field(self) -> Field:
        return Field(self.prime)

    @property
    def symmetry(self) -> Symmetry:
        return self.pieces.symmetry

    @property
    def mingens_degrees(self) -> list[int]:
        return [d for d, count in sorted(self.mingens_by_degree.items()) for _ in range(count)]

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
        zero = set(self.zero_variables)
        for exps, coeff in poly.to_dict().items():
            if sum(exps) > self.max_degree:
                raise InterpolationError(f"degree {sum(exps)} is above the interpolation bound {self.max_degree}")
            if sum(exps) >= 2 and any(exps[v] for v in zero):
                continue  # a multiple of a coordinate that vanishes on V_A
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
            if poly_from_row(ctx, piece.monomials, combo, n_vars) != component:
                return False
        return True


def _exponents(monomial_row, n_vars: int) -> tuple:
    exps = [0] * n_vars
    for v in monomial_row:
        exps[int(v)] += 1
    return tuple(exps)


def poly_from_row(ctx, monomials: np.ndarray, row: np.ndarray, n_vars: int):
    """The polynomial with coefficient row[t] at monomial t."""
    return ctx.from_dict({_exponents(monomials[t], n_vars): int(row[t]) for t in np.flatnonzero(row)})


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
    count = monomial_count(n_vars, degree)
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


# --- what to compute ---------------------------------------------------------------------------

def zero_blocks(variety: PatternVariety) -> list[int]:
    """Blocks b with M_b = 0: some hidden layer has no active neuron (without bias, whose constant
    neuron keeps every block alive). Their coordinates are generators of J^A, and from degree 2 on
    every monomial containing one lies in m·(J^A)_(d-1): pieces are read modulo them."""
    if variety.bias:
        return []
    return [b for b, block in enumerate(variety.pattern.blocks) if any(not any(layer) for layer in block)]


def _independent_supports(variety: PatternVariety, prime: int, seed: int, active=None):
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
            support = [v for v in range(len(rows)) if alpha[rows[v]] and beta[cols[v]] and (active is None or v in active)]
            sub = flint.nmod_mat(jac.nrows(), len(support),
                                 [int(jac[r, v]) for r in range(jac.nrows()) for v in support], prime)
            cache[key] = sub.rank() == len(support)
        return cache[key]

    return independent


def check_interpolation(variety: PatternVariety, max_degree, prime: int, prime_from: str = "prime") -> None:
    """Raise InterpolationError (naming the parameter) unless interpolation can answer; `prime_from`
    names where the prime came from (`prime`, or `field` for the p of ZZ/p)."""
    if variety.data is not None:
        raise InterpolationError("interpolation needs the (e_i, f_j) grading of J^A; with data use method ker", "data")
    if isinstance(max_degree, bool) or not isinstance(max_degree, int) or max_degree < 1:
        raise InterpolationError(f"max_degree {max_degree!r}: expected an integer >= 1", "max_degree")
    Field.parse(f"ZZ/{prime}")  # a prime below 2^31: products of two residues fit in int64
    miss = max_degree * variety.arch.depth
    if miss >= prime:
        # A degree-d polynomial in the m's is one of degree <= d·L in θ; over GF(p) with d·L >= p a
        # random point may never tell it from 0 (Schwartz–Zippel gives nothing), so no number of
        # points makes the answer trustworthy.
        given = f"field ZZ/{prime}" if prime_from == "field" else f"prime {prime}"
        raise InterpolationError(
            f"{given}: too small to interpolate through degree {max_degree} ({variety.arch.depth} layers): "
            f"a random point over GF({prime}) may miss a polynomial of degree {miss} in the weights; use a "
            f"prime above {miss} (the default is 2^31 - 1) or method ker", prime_from)


def extra_points(n: int, miss: float, budget: float) -> int | None:
    """The fewest points beyond `n` (at least EXTRA_POINTS) for which a piece of `n` monomials is too
    large with probability <= `budget`, each point missing a nonzero polynomial with probability
    <= `miss`; None if more than MAX_POINTS would be needed."""
    if miss <= 0:
        return EXTRA_POINTS
    log_budget, log_miss = math.log(budget), math.log(miss)
    extra = EXTRA_POINTS
    while n + extra <= MAX_POINTS:
        log_bound = math.lgamma(n + extra + 1) - math.lgamma(extra + 2) - math.lgamma(n) + (extra + 1) * log_miss
        if log_bound <= log_budget:
            return extra
        extra = extra + 1 if extra < 64 else int(extra * 1.05)
    return None


def _piece_error(n: int, extra: int, miss: float) -> float:
    # Points are taken one at a time: while the kernel is too large some g ∉ J^A survives, and g∘φ
    # (degree <= d·L in θ) vanishes at the next point with probability <= d·L/p; a wrong kernel
    # needs > `extra` such events among n + extra points.
    log_bound = math.lgamma(n + extra + 1) - math.lgamma(extra + 2) - math.lgamma(n) + (extra + 1) * math.log(miss)
    return math.exp(max(log_bound, -700.0))


class PlannedPiece(NamedTuple):
    """One multidegree of the plan (one per orbit) and what is done for it."""
    md: tuple
    monomials: np.ndarray
    kind: str  # solve, monomial or free (see _plan)
    points: int  # evaluation points of a `solve` piece, else 0


def _plan(variety: PatternVariety, symmetry: Symmetry, max_degree: int, prime: int, seed: int) -> Plan:
    """Per degree: (multidegree, monomials, kind, points) for one multidegree per orbit; kind is
    `solve`, `monomial` (one monomial: in J^A iff one of its variables vanishes) or `free` (the
    variables it involves are algebraically independent: the piece is 0)."""
    shape = (variety.arch.n_out, variety.columns, variety.k)
    zero = zero_blocks(variety)
    live = [b for b in range(variety.k) if b not in zero]
    block_size = variety.arch.n_out * variety.columns
    active = {v for v in range(variety.k * block_size) if v // block_size in live} if zero else None
    independent = _independent_supports(variety, prime, seed, active)
    plan: Plan = {}
    for d in range(1, max_degree + 1):
        blocks = live if zero and d >= 2 else None
        if symmetry.enabled:
            groups = {(a, b): monomials_of(*shape, a, b, blocks=blocks) for a, b in symmetry.representatives(d)}
        else:
            groups = monomials_by_multidegree(variety, d)
            if blocks is not None:
                groups = {md: m[np.isin(m // block_size, live).all(axis=1)] for md, m in groups.items()}
        entries = []
        for md, monomials in sorted(groups.items()):
            if len(monomials) == 0:
                continue
            kind = "monomial" if d >= 2 and len(monomials) == 1 else "free" if d >= 2 and independent(md) else "solve"
            entries.append(PlannedPiece(md, monomials, kind, 0))
        plan[d] = entries
    solved = sum(e.kind == "solve" for entries in plan.values() for e in entries)
    budget = ERROR_TARGET / max(1, solved)
    for d, entries in plan.items():
        miss = d * variety.arch.depth / prime
        for n, entry in enumerate(entries):
            if entry.kind == "solve":
                extra = extra_points(len(entry.monomials), miss, budget)
                if extra is None:
                    raise InterpolationError(f"prime {prime}: pieces of degree {d} would need more than {MAX_POINTS:,} "
                                             "points for a small error bound; use a larger prime", "prime")
                entries[n] = entry._replace(points=len(entry.monomials) + extra)
    return plan


def _check_memory(plan: Plan, prime: int, max_degree: int) -> None:
    """Refuse, before anything is built, a piece whose matrix would not fit in the memory available."""
    free = elimination.available_bytes()
    for entries in plan.values():
        for _, monomials, kind, points in entries:
            need = elimination.piece_bytes(points, len(monomials), prime)
            if kind == "solve" and free is not None and need > free:
                raise InterpolationError(
                    f"max_degree {max_degree}: a piece of {len(monomials):,} monomials needs a {points:,} x "
                    f"{len(monomials):,} matrix, about {need / 2**30:.1f} GiB, more than the {free / 2**30:.1f} GiB "
                    "of memory available; lower max_degree", "max_degree")


# --- the whole ideal ---------------------------------------------------------------------------

def interpolate_ideal(arch, pattern=None, *, max_degree: int, prime: int = INTERPOLATION_PRIME, seed: int = 0,
                      workers=1, should_stop=None, symmetry: bool = True) -> InterpolationResult:
    """J^A over GF(prime) through `max_degree` by multigraded interpolation (no Macaulay2).

    `arch` may be a PatternVariety (for a network with biases, pass one). `workers`: 1 (here), more
    (a pool of forked processes) or a runner from `varieties.runners` (e.g. `DaskRunner`).
    `should_stop()` is asked between pieces; when it returns true, `Stopped` is raised (`Terminated`
    when m2bridge is ending, in any thread). `symmetry` false solves every piece instead of one per
    orbit (same answer, slower). Over a small prime more points are taken; a prime too small for any
    error bound raises InterpolationError.

    >>> r = interpolate_ideal("3,3,3", "110|011", max_degree=3)
    >>> r.mingens_by_degree, r.error_bound < 1e-12
    ({1: 0, 2: 0, 3: 3}, True)
    """
    variety = arch if isinstance(arch, PatternVariety) else PatternVariety(arch, pattern)
    check_interpolation(variety, max_degree, prime)
    start = time.perf_counter()
    rows, cols = _variable_grading(variety)
    n_vars, orbits = len(rows), Symmetry(variety, enabled=symmetry)
    hashes = monomial_hashes(n_vars)
    plan = _plan(variety, orbits, max_degree, prime, seed)
    largest = max((e[3] for entries in plan.values() for e in entries), default=1)
    _check_memory(plan, prime, max_degree)
    values = sample_image(variety, max(largest, 1), prime, np.random.default_rng(seed))
    # Variables that vanish on V_A (a block with M_b = 0): a monomial containing one lies in J^A.
    zero_variables = set(np.flatnonzero(~values.any(axis=0)).tolist())
    pieces = PieceMap(orbits, hashes)
    zero = zero_blocks(variety)
    block_size = variety.arch.n_out * variety.columns
    zero_vars = [v for v in range(n_vars) if v // block_size in zero]
    runner = make_runner(workers)
    ctx = polynomial_context(variety.variable_names, Field(prime))
    graded_dims, mingens = {}, {}  # degree → dim (J^A)_d, its number of minimal generators
    reps_with_generators: dict[int, list[tuple]] = {}
    error = 0.0
    solved = skipped = 0
    for d, entries in plan.items():
        by_md = {e[0]: e for e in entries}
        for md, monomials, kind, _ in entries:
            if kind != "solve":
                skipped += 1
                if kind == "monomial" and zero_variables.intersection(monomials[0].tolist()):
                    pieces.reps[md] = Piece(monomials, monomial_keys(monomials, hashes), np.ones((1, 1), dtype=np.int64),
                                            np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64))
        jobs = [(md, monomials, points) for md, monomials, kind, points in entries if kind == "solve"]
        results = runner.kernels(jobs, values, prime)
        try:
            for md, basis, free in results:
                raise_if_ending()
                if should_stop is not None and should_stop():
                    raise Stopped
                monomials, points = by_md[md][1], by_md[md][3]
                piece = Piece(monomials, monomial_keys(monomials, hashes), basis, free, np.arange(len(free)))
                if len(free) and d > 1:
                    piece.generators = complement(piece, lower_products(md, piece, pieces.get, hashes, rows, cols), prime)
                if piece.dim:
                    pieces.reps[md] = piece
                error += _piece_error(len(monomials), points - len(monomials), d * variety.arch.depth / prime)
                solved += 1
        finally:
            results.close()
        graded_dims[d] = mingens[d] = 0
        for md in by_md:
            found = pieces.reps.get(md)
            if found is None:
                continue
            orbit = orbits.orbit(md)
            graded_dims[d] += found.dim * len(orbit)
            mingens[d] += len(found.generators) * len(orbit)
            if len(found.generators):
                reps_with_generators.setdefault(d, []).append(md)
        if zero and d >= 2:  # the monomials with a variable of a zero block, left out of the pieces
            graded_dims[d] += monomial_count(n_vars, d) - monomial_count(n_vars - len(zero_vars), d)
    if error >= REFUSED_BOUND:
        raise InterpolationError(f"prime {prime}: the error bound {error:.2g} is too large; use a larger prime", "prime")
    return InterpolationResult(
        variety=variety, prime=prime, max_degree=max_degree, graded_dims=graded_dims, mingens_by_degree=mingens,
        generators=LazyGenerators(lambda: generator_polynomials(ctx, pieces, reps_with_generators, n_vars),
                                  sum(mingens.values())),
        error_bound=min(1.0, error), seed=seed, seconds=time.perf_counter() - start,
        multidegrees=solved, skipped=skipped, pieces=pieces, hashes=hashes, zero_variables=zero_vars)
