"""Dimension of a pattern variety from the Jacobian of φ^A, independently of Macaulay2.

dim V_A = generic rank of the Jacobian of θ ↦ [M_1(θ) X_1 | … | M_k(θ) X_k] (X_b = identity for J^A).
The rank is taken at random θ over GF(p) with python-flint's `nmod_mat`, exactly; a rank at a random
point can only be too small, so the largest rank over several points is kept.

Derivative of M_b = Left · W_l · Right with respect to entry (i, j) of W_l is the outer product of
column i of Left and row j of Right, so the whole Jacobian comes from 2L matrix products per block.

>>> jacobian_dim("2,2,2", "10|11").dim
6
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import flint

from ..errors import InputError
from .model import ActivationPattern, Architecture, Dataset, PatternVariety
from .parametrization import NmodMatrices, hidden_states
from .polynomials import residue

DEFAULT_PRIME = 2**31 - 1
# Further primes below 2^31, taken in turn when data have a denominator the first one divides.
OTHER_PRIMES = (2**31 - 19, 2**31 - 61, 2**31 - 69, 2**31 - 85)


def usable_prime(variety: PatternVariety, prime: int) -> int:
    """`prime`, or the first of OTHER_PRIMES that divides no denominator of the data."""
    if variety.data is None:
        return prime
    denominators = {x.denominator for point in variety.data.points for x in point}
    for candidate in (prime, *OTHER_PRIMES):
        if all(d % candidate for d in denominators):
            return candidate
    raise InputError("every prime m2bridge uses for Jacobian ranks divides a denominator of the data", "data")


@dataclass(frozen=True)
class JacobianDim:
    dim: int
    prime: int
    points: int
    seed: int
    error_bound: float
    """Upper bound on the probability that `dim` is below the generic rank (Schwartz–Zippel)."""


def _matrix(rows: int, cols: int, entries, p: int) -> flint.nmod_mat:
    return flint.nmod_mat(rows, cols, [int(e) % p for e in entries], p)


def _activation(bits, p: int, bias: bool) -> flint.nmod_mat:
    """D(a), with a zero row below under bias: the derivative side of x ↦ [D(a) x; constant]."""
    n = len(bits)
    entries = [bits[i] if i == j else 0 for i in range(n) for j in range(n)]
    return _matrix(n + 1, n, entries + [0] * n, p) if bias else _matrix(n, n, entries, p)


def _identity(n: int, p: int) -> flint.nmod_mat:
    return _matrix(n, n, [int(i == j) for i in range(n) for j in range(n)], p)


def _jacobian_at(variety: PatternVariety, weights: list[flint.nmod_mat], p: int) -> flint.nmod_mat:
    L = variety.arch.depth
    n_params = len(variety.parameters)
    columns: list[list[int]] = [[] for _ in range(n_params)]
    arithmetic = NmodMatrices(p)
    for b, block in enumerate(variety.pattern.blocks):
        # Right_l: input to layer l as a function of the block's input (H_0 = X_b or identity).
        if variety.data is None:
            start = _identity(variety.columns, p)
        else:
            pts = variety.homogenised_block_points(b)
            start = _matrix(variety.columns, len(pts),
                            [residue(pts[c][r], p) for r in range(variety.columns) for c in range(len(pts))], p)
        rights = hidden_states(variety, block, weights, start, arithmetic)
        # Left_l: W_L D_(L-1) … W_(l+1) D_l, built from the output side.
        lefts: list[flint.nmod_mat] = []  # Left_(L-1), …, Left_0 here; reversed below
        left = _identity(variety.arch.n_out, p)
        for l in range(L - 1, -1, -1):
            lefts.append(left)
            if l > 0:
                left = left * weights[l] * _activation(block[l - 1], p, variety.bias)
        lefts.reverse()
        # d M_b / d W_l[i, j] = Left_l[:, i] ⊗ Right_l[j, :]; parameters in PatternVariety order.
        offset = 0
        for l in range(L):
            rows_l, cols_l = variety.layer_shapes[l]
            Lm, Rm = lefts[l], rights[l]
            for i in range(rows_l):
                for j in range(cols_l):
                    col = columns[offset + i * cols_l + j]
                    for r in range(Lm.nrows()):
                        a = int(Lm[r, i])
                        for c in range(Rm.ncols()):
                            col.append(a * int(Rm[j, c]) % p if a else 0)
            offset += rows_l * cols_l
    n_coords = len(columns[0]) if columns else 0
    return _matrix(n_params, n_coords, [x for col in columns for x in col], p)


def jacobian_dim(arch, pattern=None, *, bias: bool = False, data: Dataset | None = None,
                 prime: int = DEFAULT_PRIME, seed: int = 0, points: int = 2) -> JacobianDim:
    """Dimension of V_A (or V_X^A) as the Jacobian rank at `points` random parameters over GF(prime).

    `arch` may also be a PatternVariety (then `pattern`, `bias`, `data` are taken from it).
    """
    for name, value, least in (("seed", seed, 0), ("points", points, 1), ("prime", prime, 2)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise InputError(f"{name} {value!r}: expected an integer >= {least}", name)
    if isinstance(arch, PatternVariety):
        variety = arch
    else:
        variety = PatternVariety(Architecture.parse(arch), ActivationPattern.parse(pattern), bias, data)
    prime = usable_prime(variety, prime)
    rng = random.Random(seed)
    rank = 0
    for _ in range(points):
        weights = [
            _matrix(r, c, [rng.randrange(prime) for _ in range(r * c)], prime)
            for (r, c) in variety.layer_shapes
        ]
        rank = max(rank, _jacobian_at(variety, weights, prime).rank())
    # A rank-r minor of the Jacobian is a polynomial of degree <= r(L-1) in θ; Schwartz–Zippel bounds
    # the chance that one random point makes it vanish by r(L-1)/p, independently per point.
    per_point = min(1.0, rank * max(variety.arch.depth - 1, 0) / prime)
    return JacobianDim(rank, prime, points, seed, per_point**points)


def jacobian_at_random_point(variety: PatternVariety, prime: int = DEFAULT_PRIME, seed: int = 0) -> flint.nmod_mat:
    """The Jacobian of φ^A at one random θ over GF(prime): one row per parameter, one column per
    coordinate m_(b,i,j) (ring order).

    >>> jacobian_at_random_point(PatternVariety("2,2,2", "10")).rank()
    3
    """
    rng = random.Random(seed)
    weights = [_matrix(r, c, [rng.randrange(prime) for _ in range(r * c)], prime) for (r, c) in variety.layer_shapes]
    return _jacobian_at(variety, weights, prime)
