"""Comparing ideal(C) with J^A piece by piece, by linear algebra over GF(p) (no Macaulay2).

J^A is known through degree D by interpolation (`varieties/interpolate.py`): a piece (J^A)_(α,β) per
multidegree, in reduced form, with its minimal generators (a complement of m·(J^A)_(d-1)). The span
of the products m^γ·c (c ∈ C) in multidegree (α,β), reduced into the piece's free coordinates, is
ideal(C)_(α,β). Only pieces that hold minimal generators need a look: elsewhere the piece is spanned
by products of the degree below. In such a piece, the minimal generators of J^A outside ideal(C) are
a complement of ideal(C)_(α,β) + m·(J^A)_(d-1); none anywhere means ideal(C) = J^A through degree D
(see docs/certificates.md for why this is exact when C ⊆ J^A). When C is mapped onto itself by the
symmetries that carry pieces onto pieces, one piece per orbit is compared and the rest renamed.

>>> from m2bridge.varieties.interpolate import interpolate_ideal
>>> from m2bridge.varieties.polynomials import coordinate_matrices, minors, polynomial_context
>>> r = interpolate_ideal("3,3,3", "110|011", max_degree=4)
>>> ctx = polynomial_context(r.variety.variable_names, r.field)
>>> M1, M2 = coordinate_matrices(r.variety, ctx)
>>> c = compare_pieces(r, minors(M1, 3) + minors(M2, 3))
>>> c.holds, [(e.degree, e.multidegree) for e in c.extras]
(False, [(3, ((1, 1, 1), (1, 1, 1)))])
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ..varieties.orbits import is_invariant, rename_polynomial
from ..varieties.pieces import monomial_keys, monomials_of, reduce_rows, rref
from ..varieties.interpolate import poly_from_row
from ..varieties.polynomials import polynomial_context, residue


class NotGraded(InputError):
    """A polynomial of C is not multihomogeneous: ideal(C) is not compared piece by piece."""


@dataclass
class Extra:
    """A minimal generator of J^A outside ideal(C) (over GF(p)); `certified` once proved over QQ."""

    multidegree: tuple
    poly: object  # nmod_mpoly over GF(p)
    certified: bool = False
    exact: object = None  # the proved polynomial (over QQ, or over GF(p) for a finite field)
    reason: str = ""

    @property
    def degree(self) -> int:
        return sum(self.multidegree[0])


@dataclass
class GradedComparison:
    """ideal(C) against J^A through degree `through` over GF(prime)."""

    prime: int
    through: int
    extras: list[Extra]
    compared: int  # pieces compared by linear algebra
    by_symmetry: bool  # one piece per orbit (C is invariant)
    notes: list[str] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return not self.extras


@dataclass
class _Candidate:
    multidegree: tuple
    keys: np.ndarray
    coeffs: np.ndarray
    dead: np.ndarray  # per term: it contains a variable of a zero block (such products lie in J^A)


def _candidates(result, polys) -> list[_Candidate]:
    """C reduced mod p, as multihomogeneous polynomials with their monomial keys."""
    v, p = result.variety, result.prime
    cols = v.columns
    zero = np.zeros(len(v.variable_names), dtype=bool)
    zero[list(result.zero_variables)] = True
    out = []
    for poly in polys:
        terms = poly.to_dict()
        if not terms:
            continue
        mds, monos, coeffs = set(), [], []
        for exps, coeff in terms.items():
            c = residue(coeff, p)
            variables = [i for i, e in enumerate(exps) for _ in range(e)]
            alpha, beta = [0] * v.arch.n_out, [0] * cols
            for x in variables:
                alpha[(x // cols) % v.arch.n_out] += 1
                beta[x % cols] += 1
            mds.add((tuple(alpha), tuple(beta)))
            monos.append(variables)
            coeffs.append(c)
        if len(mds) > 1:
            raise NotGraded(f"{poly} is not homogeneous for the (e_i, f_j) grading", "candidates")
        keep = [t for t, c in enumerate(coeffs) if c]
        if keep:
            monomials = np.array([monos[t] for t in keep], dtype=np.int64).reshape(len(keep), -1)
            out.append(_Candidate(mds.pop(), monomial_keys(monomials, result.hashes),
                                  np.array([coeffs[t] for t in keep], dtype=np.int64),
                                  np.asarray(zero[monomials].any(axis=1))))
    return out


def candidate_rows(result, md, piece, candidates, cache: dict):
    """Blocks of rows: the products m^γ·c of multidegree `md` in the free coordinates of `piece`.

    The lookup of a product in the piece is exact: in degree >= 2 the piece holds every monomial of
    `md` free of zero-block variables (their keys checked distinct), and a product lies among them
    exactly when neither factor has such a variable, which is decided from the exponents, not from
    a missing key. A product with one lies in J^A and is left out (the piece is read modulo them)."""
    v, p = result.variety, result.prime
    shape = (v.arch.n_out, v.columns, v.k)
    alpha, beta = md
    free_position = piece.free_positions()
    zero = np.zeros(len(v.variable_names), dtype=bool)
    zero[list(result.zero_variables)] = True
    read_modulo_zero = sum(alpha) >= 2  # degree-1 pieces keep the zero-block variables themselves
    for c in candidates:
        ca, cb = c.multidegree
        rest = (tuple(a - x for a, x in zip(alpha, ca)), tuple(b - x for b, x in zip(beta, cb)))
        if min(rest[0] + rest[1]) < 0:
            continue
        if rest not in cache:
            monomials = monomials_of(*shape, *rest)
            cache[rest] = (monomial_keys(monomials, result.hashes), zero[monomials].any(axis=1))
        multipliers, dead_multipliers = cache[rest]
        if not len(multipliers):
            continue
        position = piece.positions((c.keys[None, :] + multipliers[:, None]).ravel()).reshape(len(multipliers), -1)
        live = np.ones(position.shape, dtype=bool)
        if read_modulo_zero:
            live = ~(dead_multipliers[:, None] | c.dead[None, :])
        if (position[live] < 0).any():
            raise InputError(f"a product of a polynomial of C is not a monomial of multidegree {md}", "candidates")
        free = np.where(live, free_position[position], -1)
        block = np.zeros((len(multipliers), len(piece.free)), dtype=np.int64)
        rows = np.arange(len(multipliers))
        for t in range(free.shape[1]):
            hit = free[:, t] >= 0
            block[rows[hit], free[hit, t]] += c.coeffs[t]
        yield block % p


def compare_pieces(result, polys, *, through: int | None = None, deadline: float | None = None) -> GradedComparison:
    """Minimal generators of J^A outside ideal(`polys`) through degree `through` (default: the
    interpolation's bound), from the interpolated pieces `result` (an InterpolationResult).

    `polys` should lie in J^A (checked exactly elsewhere). Raises NotGraded when a polynomial is not
    multihomogeneous. Past `deadline` (time.monotonic()), the comparison stops at the last whole
    degree and says so in `notes`."""
    through = result.max_degree if through is None else min(through, result.max_degree)
    polys = [q for q in polys if not q.is_zero() and q.total_degree() <= through]
    candidates = _candidates(result, polys)
    pieces, symmetry = result.pieces, result.symmetry
    by_symmetry = symmetry.enabled and is_invariant(symmetry, polys)
    n_vars = len(result.variety.variable_names)
    targets: list[tuple] = []  # multidegrees
    for rep, piece in pieces.reps.items():
        if len(piece.generators) and sum(rep[0]) <= through:
            targets.extend([rep] if by_symmetry else symmetry.orbit(rep))
    targets.sort(key=lambda md: (sum(md[0]), md))
    extras: list[Extra] = []
    notes: list[str] = []
    cache: dict[tuple, np.ndarray] = {}  # multidegree of multipliers → their monomial keys
    compared = 0
    ctx = polynomial_context(result.variety.variable_names, result.field)
    for md in targets:
        degree = sum(md[0])
        if deadline is not None and time.monotonic() > deadline:
            through = degree - 1
            extras = [e for e in extras if e.degree <= through]
            notes.append(f"the comparison by linear algebra ran out of time in degree {degree}: checked through "
                         f"degree {through}")
            break
        piece = pieces[md]
        missing = _outside(piece, candidate_rows(result, md, piece, candidates, cache), result.prime)
        compared += 1
        for t in missing:
            poly = poly_from_row(ctx, piece.monomials, piece.basis[t], n_vars)
            extras.append(Extra(md, poly))
            if by_symmetry:
                for member in symmetry.orbit(md):
                    if member != md:
                        extras.append(Extra(member, rename_polynomial(poly, symmetry.mapping(member)[1])))
    extras.sort(key=lambda e: (e.degree, e.multidegree))
    return GradedComparison(result.prime, through, extras, compared, by_symmetry, notes)


def _outside(piece, blocks, p: int) -> np.ndarray:
    """Indices of the piece's basis rows that complement ideal(C) + m·(J^A)_(d-1): the candidate rows
    are reduced modulo m·(J^A)_(d-1) (the piece's `reducer`), leaving coordinates along its minimal
    generators, whose rank is all that is left to find."""
    g = len(piece.generators)
    stack, count = [], 0
    for block in blocks:
        stack.append(reduce_rows(piece, block, p))
        count += len(block)
        if count >= g + 6:
            reduced, pivots = rref(np.concatenate(stack), p)
            if len(pivots) == g:
                return np.zeros(0, dtype=np.int64)
            stack, count = [reduced], len(reduced)
    pivots = rref(np.concatenate(stack), p)[1] if stack else np.zeros(0, dtype=np.int64)
    return piece.generators[np.setdiff1d(np.arange(g), pivots)]

