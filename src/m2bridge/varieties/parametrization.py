"""The parametrization φ^A: θ = (W_1, …, W_L) ↦ [M_1(θ) | … | M_k(θ)], written once.

M_b = W_L · D(a^b_(L-1)) · W_(L-1) · … · D(a^b_1) · W_1 (times X_b with data). Under `bias` every W_l
carries its bias as a last column and the hidden state carries a constant coordinate 1 that stays
active (the homogenisation of affine layers).

The recurrence is written here once, over an `Arithmetic`: exact entries in nested lists (Fractions,
integers, python-flint polynomials: `block_matrices`, `image_point`), batches of residues mod p in
numpy arrays (`sample_image`, thousands of points at once for interpolation), and python-flint's
`nmod_mat` (the Jacobian's partial products, `jacobian.py`). The Macaulay2 side has its own copy in
`m2scripts/lib/network.m2.j2`, checked against this one by the tests.

>>> from m2bridge.varieties.model import PatternVariety
>>> v = PatternVariety("2,2,2", "10|11")
>>> [int(x) for x in image_point(v, [[[1, 2], [3, 4]], [[1, 0], [0, 1]]])]
[1, 2, 0, 0, 1, 2, 3, 4]
"""

from __future__ import annotations

from fractions import Fraction

import flint
import numpy as np

from ..errors import InputError
from .model import PatternVariety


class Arithmetic:
    """Matrices of one kind: how to multiply, mask rows (D(a)·H) and append the constant row."""

    def matmul(self, A, B):
        raise NotImplementedError

    def mask_rows(self, H, bits):
        raise NotImplementedError

    def append_row(self, H, row):
        raise NotImplementedError

    def last_row(self, H):
        raise NotImplementedError


class ListArithmetic(Arithmetic):
    """Nested lists of entries of any ring (Fractions, ints, python-flint polynomials)."""

    def matmul(self, A, B):
        return [[sum(a * b for a, b in zip(row, col)) for col in zip(*B)] for row in A]

    def mask_rows(self, H, bits):
        return [row if bit else [x - x for x in row] for row, bit in zip(H, bits)]

    def append_row(self, H, row):
        return H + [row]

    def last_row(self, H):
        return H[-1]


class BatchedResidues(Arithmetic):
    """Arrays (count, rows, columns) of residues mod p < 2^31: `count` parameter points at once."""

    def __init__(self, prime: int):
        self.prime = prime

    def matmul(self, A, B):
        # Each product of two residues fits int64; reduce before summing.
        p = self.prime
        out = np.zeros((A.shape[0], A.shape[1], B.shape[2]), dtype=np.int64)
        for t in range(A.shape[2]):
            out = (out + A[:, :, t, None] * B[:, None, t, :] % p) % p
        return out

    def mask_rows(self, H, bits):
        return H * np.array(bits, dtype=np.int64)[None, :, None]

    def append_row(self, H, row):
        return np.concatenate([H, row[:, None, :]], axis=1)

    def last_row(self, H):
        return H[:, -1, :]


class NmodMatrices(Arithmetic):
    """python-flint `nmod_mat` over GF(p): exact ranks of Jacobians."""

    def __init__(self, prime: int):
        self.prime = prime

    def matmul(self, A, B):
        return A * B

    def mask_rows(self, H, bits):
        p, cols = self.prime, H.ncols()
        return flint.nmod_mat(H.nrows(), cols, [int(H[i, j]) if bits[i] else 0
                                                for i in range(H.nrows()) for j in range(cols)], p)

    def append_row(self, H, row):
        rows, cols = H.nrows(), H.ncols()
        entries = [int(H[i, j]) for i in range(rows) for j in range(cols)] + [int(x) for x in row]
        return flint.nmod_mat(rows + 1, cols, entries, self.prime)

    def last_row(self, H):
        return [int(H[H.nrows() - 1, j]) for j in range(H.ncols())]


def hidden_states(variety: PatternVariety, bits, weights, start, arithmetic: Arithmetic) -> list:
    """[H_0, …, H_(L-1)]: H_0 = `start` (the identity, or X_b), H_l = D(a_l)·W_l·H_(l-1) with the
    constant row appended under bias. `bits` holds one 0/1 tuple per hidden layer. M_b = W_L·H_(L-1)."""
    constant_row = arithmetic.last_row(start) if variety.bias else None
    states = [start]
    for l, W in enumerate(weights[:-1]):
        H = arithmetic.mask_rows(arithmetic.matmul(W, states[-1]), bits[l])
        if variety.bias:
            H = arithmetic.append_row(H, constant_row)
        states.append(H)
    return states


def block_output(variety: PatternVariety, bits, weights, start, arithmetic: Arithmetic):
    """M_b(θ)·H_0 for one block (or a path network given by `bits`)."""
    return arithmetic.matmul(weights[-1], hidden_states(variety, bits, weights, start, arithmetic)[-1])


def check_weights(variety: PatternVariety, weights) -> None:
    for l, (W, (rows, cols)) in enumerate(zip(weights, variety.layer_shapes), start=1):
        if len(W) != rows or any(len(r) != cols for r in W):
            raise InputError(f"weights: W{l} must be {rows} x {cols}", "weights")
    if len(weights) != len(variety.layer_shapes):
        raise InputError(f"weights: expected {len(variety.layer_shapes)} matrices, got {len(weights)}", "weights")


def block_matrices(variety: PatternVariety, weights, masks=None, convert=Fraction) -> list[list[list]]:
    """M_b(θ) (times X_b with data) for every block, in whatever ring the entries of the weights
    θ = (W_1, …, W_L) live in (Fractions, ints, flint polynomials): each W_l is a list of rows, bias
    column last under `bias`. `masks` replaces the blocks' patterns (e.g. by path networks);
    `convert` brings the rational identity / data entries into the weights' ring.
    """
    check_weights(variety, weights)
    arithmetic = ListArithmetic()
    out = []
    for b, bits in enumerate(variety.pattern.blocks if masks is None else masks):
        if variety.data is None:
            start = [[convert(int(i == j)) for j in range(variety.columns)] for i in range(variety.columns)]
        else:
            start = [[convert(x) for x in col] for col in zip(*variety.homogenised_block_points(b))]
        out.append(block_output(variety, bits, weights, start, arithmetic))
    return out


def image_point(variety: PatternVariety, weights) -> list[Fraction]:
    """φ^A(θ) exactly: the coordinates m_(b,i,j) (in `variety.coordinates` order) at the weights θ."""
    return [x for M in block_matrices(variety, weights) for row in M for x in row]


def sample_image(variety: PatternVariety, count: int, prime: int, rng: np.random.Generator) -> np.ndarray:
    """φ^A(θ) mod `prime` at `count` uniformly random θ: an array (count, coordinates), ring order.

    >>> v = PatternVariety("2,2,2", "10")
    >>> values = sample_image(v, 5, 101, np.random.default_rng(0))
    >>> values.shape, bool(np.all((values[:, 0] * values[:, 3] - values[:, 1] * values[:, 2]) % 101 == 0))
    ((5, 4), True)
    """
    if variety.data is not None:
        raise InputError("sampling the image is for J^A (no data)", "data")
    weights = [rng.integers(0, prime, size=(count, r, c), dtype=np.int64) for (r, c) in variety.layer_shapes]
    arithmetic = BatchedResidues(prime)
    start = np.broadcast_to(np.eye(variety.columns, dtype=np.int64), (count, variety.columns, variety.columns))
    blocks = [block_output(variety, bits, weights, start, arithmetic).reshape(count, -1)
              for bits in variety.pattern.blocks]
    return np.concatenate(blocks, axis=1)
