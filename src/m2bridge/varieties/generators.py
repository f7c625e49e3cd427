"""Minimal generators of interpolated pieces as polynomials, made only when they are read.

A piece's generators are rows of its basis; across an orbit they are the same rows with the variables
renamed, done here on exponent arrays (one array per representative piece) rather than one polynomial
at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


class LazyGenerators(Sequence):
    """The minimal generators as polynomials, made all at once when first read: most callers (counts,
    graded dimensions, comparisons of pieces) never need them, and they were most of the time of wide
    cases."""

    def __init__(self, make: Callable[[], list], count: int):
        # The maker until the first read, then the list it made (the maker is dropped with its data).
        self._source: Callable[[], list] | list = make
        self._count = count

    def _all(self) -> list:
        if not isinstance(self._source, list):
            self._source = self._source()
        return self._source

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self._all()[index]

    def __setitem__(self, index, value) -> None:
        self._all()[index] = value

    def __iter__(self):
        return iter(self._all())

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    def __repr__(self) -> str:
        return repr(self._all())


def exponent_matrix(monomials: np.ndarray, n_vars: int) -> np.ndarray:
    """Row t: the exponent vector of monomial t (a row of variable indices)."""
    exps = np.zeros((len(monomials), n_vars), dtype=np.int64)
    for column in monomials.T:
        np.add.at(exps, (np.arange(len(monomials)), column.astype(np.int64)), 1)
    return exps


def generator_polynomials(ctx, pieces, reps_by_degree: dict, n_vars: int) -> list:
    """The minimal generators of every piece of the orbits of `reps_by_degree` (degree → representative
    multidegrees), renamed across each orbit on exponent arrays; by degree, then multidegree, then row."""
    out: list = []
    for d in sorted(reps_by_degree):
        found = []
        for rep in reps_by_degree[d]:
            piece = pieces.reps[rep]
            exps = exponent_matrix(piece.monomials, n_vars)
            rows = [(t, np.flatnonzero(piece.basis[t])) for t in piece.generators]
            for member in pieces.symmetry.orbit(rep):
                _, perm = pieces.symmetry.mapping(member)
                renamed = exps if perm is None else np.zeros_like(exps)
                if perm is not None:
                    renamed[:, perm] = exps
                for t, support in rows:
                    terms = zip(map(tuple, renamed[support].tolist()), piece.basis[t, support].tolist())
                    found.append((member, int(t), ctx.from_dict(dict(terms))))
        out.extend(poly for _, _, poly in sorted(found, key=lambda x: x[:2]))
    return out
