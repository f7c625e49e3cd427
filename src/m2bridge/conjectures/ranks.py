"""Generic ranks of matrices made from M_b(θ), at random θ over two large primes.

A rank at one random point can only fall below the generic rank (on a proper subvariety of the
parameters); computing it over two independent primes and requiring agreement makes a wrong rank a
coincidence of two unlikely events. Path networks (deep networks): the sum over the paths active in
both blocks, B, and A = M_1 − B, C = M_2 − B (after Alexandr–Montúfar, arXiv 2508.03867).

>>> from m2bridge.varieties.model import PatternVariety
>>> path_ranks(PatternVariety("2,2,2,2", "11/10|01/11"))
{'A': 1, 'B': 1, 'C': 1}
"""

from __future__ import annotations

import random

import flint

from ..errors import InputError
from ..varieties.jacobian import DEFAULT_PRIME
from ..varieties.model import PatternVariety
from ..varieties.parametrization import block_matrices

SECOND_PRIME = 2**31 - 19  # independent prime for generic ranks; both must agree


def active_sets(variety: PatternVariety) -> tuple[set[int], ...]:
    """R_b for each block b: the neurons of the first hidden layer active in block b (a shallow
    network's R1, R2 of the two-block theorem)."""
    return tuple({i for i, on in enumerate(block[0]) if on} for block in variety.pattern.blocks)


def _random_block_values(variety: PatternVariety, masks, prime: int, rng: random.Random) -> list[list[list[int]]]:
    """M(θ) mod p at one random θ for each 0/1 mask (one tuple per hidden layer). Ranks are about
    M_b itself, so data points are left out."""
    variety = PatternVariety(variety.arch, variety.pattern, variety.bias)
    weights = [[[rng.randrange(prime) for _ in range(c)] for _ in range(r)] for (r, c) in variety.layer_shapes]
    return [[[x % prime for x in row] for row in M] for M in block_matrices(variety, weights, masks, convert=int)]


def generic_ranks(variety: PatternVariety, build, seed: int = 0, masks=None) -> dict[str, int]:
    """Ranks of the matrices `build(values)` makes from M(θ) mod p for each mask (default: the
    blocks' patterns), at one random θ over each of two independent primes; raises if the primes
    disagree (a random point hit a rank drop)."""
    results = []
    for prime in (DEFAULT_PRIME, SECOND_PRIME):
        rng = random.Random(f"{seed}/{prime}")
        values = _random_block_values(variety, variety.pattern.blocks if masks is None else masks, prime, rng)
        ranks = {}
        for name, mat in build(values).items():
            rows, cols = len(mat), len(mat[0]) if mat else 0
            entries = [x % prime for row in mat for x in row]
            ranks[name] = flint.nmod_mat(rows, cols, entries, prime).rank() if rows and cols else 0
        results.append(ranks)
    if results[0] != results[1]:
        raise InputError(f"generic ranks differ between GF({DEFAULT_PRIME}) and GF({SECOND_PRIME}): "
                         f"{results[0]} vs {results[1]}; rerun with another seed", "seed")
    return results[0]


def shared_paths_mask(blocks) -> tuple:
    """The mask of B: a neuron is kept where it is active in both blocks."""
    return tuple(tuple(a & b for a, b in zip(la, lb)) for la, lb in zip(blocks[0], blocks[1]))


def path_ranks(variety: PatternVariety, seed: int = 0) -> dict[str, int]:
    """Generic ranks of A = M_1 − B, B, C = M_2 − B (B: the paths active in both blocks)."""
    def minus(X, Y):
        return [[x - y for x, y in zip(rx, ry)] for rx, ry in zip(X, Y)]

    blocks = variety.pattern.blocks
    return generic_ranks(variety, lambda v: {"A": minus(v[0], v[2]), "B": v[2], "C": minus(v[1], v[2])},
                         seed, masks=[blocks[0], blocks[1], shared_paths_mask(blocks)])
