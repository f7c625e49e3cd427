"""Symmetries of J^A that move its graded pieces, and pieces obtained by renaming coordinates.

For permutation matrices P (n_L × n_L) and Q (n_0 × n_0), M_b ↦ P·M_b·Q maps the image of φ^A onto
itself (P is absorbed into W_L, Q into W_1), so renaming m_(b,i,j) ↦ m_(b,σ(i),τ(j)) maps J^A onto
itself and its piece of multidegree (α, β) onto the piece of (σα, τβ). When n_0 = n_L and the pattern
read backwards (hidden layers in reverse order) is the pattern again up to neuron permutations and a
block permutation π, transposing every block is a symmetry too: m_(b,i,j) ↦ m_(π(b),j,i) maps the
piece of (α, β) onto that of (β, α). With a bias column, Q fixes the constant column and there is no
transposition. So one piece per orbit is computed; the others are renamed copies (`PieceMap`).

>>> from m2bridge.varieties.model import PatternVariety
>>> s = Symmetry(PatternVariety("3,3,3", "110|011"))
>>> s.transpose, s.canonical(((0, 2, 1), (1, 1, 1)))
((0, 1), ((1, 1, 1), (2, 1, 0)))
>>> len(s.orbit(((1, 1, 1), (2, 1, 0))))   # 3! placements of (2, 1, 0), and transposed
12
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np

from .model import PatternVariety
from .pieces import Piece, monomial_hashes, monomial_keys


def _partitions(total: int, parts: int, largest: int | None = None):
    """Non-increasing tuples of `parts` nonnegative integers adding up to `total`."""
    largest = total if largest is None else largest
    if parts == 0:
        if total == 0:
            yield ()
        return
    for first in range(min(total, largest), -1, -1):
        if first * parts < total:
            break
        for tail in _partitions(total - first, parts - 1, first):
            yield (first,) + tail


def _compositions(total: int, parts: int):
    if parts == 0:
        if total == 0:
            yield ()
        return
    for first in range(total, -1, -1):
        for tail in _compositions(total - first, parts - 1):
            yield (first,) + tail


def transpose_symmetry(variety: PatternVariety) -> tuple[int, ...] | None:
    """The block permutation π for which m_(b,i,j) ↦ m_(π(b),j,i) preserves V_A, or None.

    Block b of the transposed network has the hidden layers of block b in reverse order; it must be
    block π(b) up to neuron permutations that are the same in every block (compared layer by layer
    as multisets of the neurons' columns of bits)."""
    if variety.bias or variety.data is not None or variety.arch.n_in != variety.arch.n_out:
        return None
    if variety.arch.widths != variety.arch.widths[::-1]:
        return None
    blocks = variety.pattern.blocks
    k, layers = len(blocks), len(variety.arch.hidden)

    def columns(bits_per_block, layer):
        return sorted(zip(*(bits[layer] for bits in bits_per_block)))

    reversed_blocks = [tuple(block[::-1]) for block in blocks]
    for pi in itertools.permutations(range(k)):
        permuted = [blocks[pi[b]] for b in range(k)]
        if all(columns(reversed_blocks, l) == columns(permuted, l) for l in range(layers)):
            return pi
    return None


class Symmetry:
    """Row and column permutations (and the transposition, when there is one) acting on multidegrees.

    `canonical(md)` is the orbit's representative; `mapping(md)` also gives the renaming `perm` of
    variables (rep variable v ↦ variable perm[v]) that carries the representative's piece onto md's.
    With `enabled` false every multidegree is its own orbit."""

    def __init__(self, variety: PatternVariety, enabled: bool = True):
        self.rows, self.cols, self.k = variety.arch.n_out, variety.columns, variety.k
        self.movable = variety.arch.n_in  # the bias column (last) stays in place
        self.enabled = enabled
        self.transpose = transpose_symmetry(variety) if enabled else None
        self.n_vars = self.k * self.rows * self.cols
        b, i, j = np.meshgrid(np.arange(self.k), np.arange(self.rows), np.arange(self.cols), indexing="ij")
        self._b, self._i, self._j = b.ravel(), i.ravel(), j.ravel()

    def _sorted(self, md) -> tuple:
        alpha, beta = md
        tail = beta[self.movable:]
        return tuple(sorted(alpha, reverse=True)), tuple(sorted(beta[: self.movable], reverse=True)) + tuple(tail)

    def canonical(self, md) -> tuple:
        if not self.enabled:
            return md
        a, b = self._sorted(md)
        if self.transpose is not None and (b, a) < (a, b):
            return b, a
        return a, b

    def mapping(self, md) -> tuple[tuple, np.ndarray | None]:
        """(representative, perm) with perm None for the identity."""
        rep = self.canonical(md)
        if rep == md:
            return rep, None
        alpha, beta = md
        sigma = np.argsort(-np.array(alpha), kind="stable")
        tau = np.concatenate([np.argsort(-np.array(beta[: self.movable]), kind="stable"),
                              np.arange(self.movable, self.cols)])
        b, i, j = self._b, self._i, self._j
        if rep != self._sorted(md):  # the representative is the transposed multidegree
            b, i, j = np.array(self.transpose)[b], j, i
        perm = b * self.rows * self.cols + sigma[i] * self.cols + tau[j]
        return rep, perm

    def orbit(self, rep) -> list[tuple]:
        if not self.enabled:
            return [rep]
        alpha, beta = rep
        members = set()
        pairs = [(alpha, beta)] + ([(beta, alpha)] if self.transpose is not None else [])
        for a, b in pairs:
            head, tail = b[: self.movable], b[self.movable:]
            for pa in set(itertools.permutations(a)):
                for pb in set(itertools.permutations(head)):
                    members.add((pa, pb + tuple(tail)))
        return sorted(members)

    def representatives(self, degree: int) -> list[tuple]:
        """One multidegree of total degree `degree` per orbit."""
        if not self.enabled:
            return sorted((a, b) for a in _compositions(degree, self.rows) for b in _compositions(degree, self.cols))
        reps = set()
        tails = [t for s in range(degree + 1) for t in _compositions(s, self.cols - self.movable)]
        for a in _partitions(degree, self.rows):
            for tail in tails:
                for head in _partitions(degree - sum(tail), self.movable):
                    reps.add(self.canonical((a, head + tail)))
        return sorted(reps)

    def generators(self) -> list[np.ndarray]:
        """Variable permutations that generate the group: adjacent row swaps, adjacent swaps of the
        movable columns, and the transposition."""
        out = []
        b, i, j = self._b, self._i, self._j
        for r in range(self.rows - 1 if self.enabled else 0):
            swap = np.arange(self.rows)
            swap[[r, r + 1]] = swap[[r + 1, r]]
            out.append(b * self.rows * self.cols + swap[i] * self.cols + j)
        for c in range(self.movable - 1 if self.enabled else 0):
            swap = np.arange(self.cols)
            swap[[c, c + 1]] = swap[[c + 1, c]]
            out.append(b * self.rows * self.cols + i * self.cols + swap[j])
        if self.transpose is not None:
            out.append(np.array(self.transpose)[b] * self.rows * self.cols + j * self.cols + i)
        return out


def rename_piece(piece: Piece, perm: np.ndarray, hashes: np.ndarray) -> Piece:
    """The piece carried by the renaming: same basis rows, renamed monomials (columns keep their order)."""
    monomials = np.sort(perm[piece.monomials], axis=1).astype(piece.monomials.dtype)
    return Piece(monomials, monomial_keys(monomials, hashes), piece.basis, piece.free, piece.generators, piece.reducer)


def rename_polynomial(poly, perm: np.ndarray):
    """m_v ↦ m_perm[v] in a python-flint polynomial."""
    out = {}
    for exps, coeff in poly.to_dict().items():
        new = [0] * len(exps)
        for v, e in enumerate(exps):
            if e:
                new[perm[v]] = e
        out[tuple(new)] = coeff
    return poly.context().from_dict(out)


def _signatures(polys, weights: np.ndarray) -> set:
    """Each polynomial up to a nonzero scalar: its monomial keys (sum of the variables' weights) in
    increasing order, with its coefficients divided by the first one."""
    out = set()
    for exps, coeffs in polys:
        keys = exps @ weights
        order = np.argsort(keys)
        lead = coeffs[order[0]]
        out.add((keys[order].tobytes(), tuple(coeffs[t] / lead for t in order)))
    return out


def is_invariant(symmetry: Symmetry, polys) -> bool:
    """Is the set of polynomials (up to nonzero scalars) mapped onto itself by every symmetry?
    (Monomials are compared through random 64-bit keys: a collision has probability about 2^-64.)"""
    terms = []
    for poly in polys:
        d = poly.to_dict()
        if d:
            terms.append((np.array(list(d.keys()), dtype=np.uint64).reshape(len(d), -1), list(d.values())))
    weights = monomial_hashes(symmetry.n_vars)
    forms = _signatures(terms, weights)
    return all(_signatures(terms, weights[g]) <= forms for g in symmetry.generators())


class PieceMap(Mapping):
    """Every piece of nonzero dimension, from the representatives' pieces: a piece is renamed when it is
    first asked for (the most recent ones are kept)."""

    def __init__(self, symmetry: Symmetry, hashes: np.ndarray, cache_size: int = 4096):
        self.symmetry, self.hashes = symmetry, hashes
        self.reps: dict[tuple, Piece] = {}
        self._cache: dict[tuple, Piece] = {}
        self._cache_size = cache_size

    def __getitem__(self, md) -> Piece:
        piece = self._cache.get(md)
        if piece is not None:
            return piece
        rep, perm = self.symmetry.mapping(md)
        piece = self.reps[rep]  # KeyError: a piece of dimension 0
        if perm is not None:
            if len(self._cache) >= self._cache_size:
                self._cache.pop(next(iter(self._cache)))
            piece = self._cache[md] = rename_piece(piece, perm, self.hashes)
        return piece

    def __iter__(self):
        for rep in sorted(self.reps):
            yield from self.symmetry.orbit(rep)

    def __len__(self) -> int:
        return sum(len(self.symmetry.orbit(rep)) for rep in self.reps)

    def __contains__(self, md) -> bool:
        return self.symmetry.canonical(md) in self.reps
