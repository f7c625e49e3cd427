"""The classical certificate of generation (docs/certificates.md, "classical"), in pure Python.

ideal(C) is a sum of determinantal ideals I_s(A) (the s-minors of a matrix A of linear forms). When,
after a linear change of coordinates, these are ideals of generic matrices in disjoint sets of
variables, ideal(C) is prime and its dimension is known by formula:

- families of 1-minors span a space V of linear forms (a coordinate ideal after the change);
- every other matrix is read modulo V, without its zero rows and columns;
- a family whose reduced matrix is a scalar multiple of a submatrix of another family's reduced
  matrix (or of its transpose), with minors of at least that family's size, adds nothing: its
  minors are (up to a scalar) minors of the other matrix, and s-minors lie in the ideal of the
  s'-minors for s >= s' (Laplace expansion);
- the entries of the remaining matrices (after reduction) must be linearly independent linear
  forms, all together: then each matrix is generic in its own variables, disjoint from the others'.

I_s of a generic p × q matrix (s <= min(p, q)) is prime over every field (Eagon–Hochster) of
codimension (p − s + 1)(q − s + 1); a sum of such ideals in disjoint variables is prime (over an
algebraically closed field a tensor product of domains is a domain). So ideal(C) is prime of
dimension N − dim V − Σ (p − s + 1)(q − s + 1), N the number of coordinates. Anything else — a family
that is not of minors, an entry that is not a linear form, dependent entries — refuses.

>>> from m2bridge.varieties.polynomials import minors
>>> import flint
>>> ctx = flint.fmpq_mpoly_ctx.get(("a", "b", "c", "d"), "lex")
>>> a, b, c, d = ctx.gens()
>>> classical_dimension([("det", 2, minors([[a, b], [c, d]], 2))], ctx.nvars())
(3, '')
"""

from __future__ import annotations

import flint

from ..varieties.polynomials import exact_key, minors


def _linear_vector(poly, n: int):
    """The coefficients of a linear form (a list of n fmpq), or None when `poly` is not one."""
    vector = [flint.fmpq(0)] * n
    if poly == 0:
        return vector
    for exps, coeff in poly.to_dict().items():
        if sum(exps) != 1:
            return None
        vector[list(exps).index(1)] = flint.fmpq(coeff)
    return vector


class _Reducer:
    """Linear forms modulo a subspace V, in a canonical form (V in reduced row echelon form)."""

    def __init__(self, basis: list[list], n: int):
        self.n, self.rows = n, []
        if basis:
            echelon = flint.fmpq_mat(basis).rref()[0]
            for r in range(echelon.nrows()):
                row = [echelon[r, c] for c in range(n)]
                pivot = next((c for c, x in enumerate(row) if x != 0), None)
                if pivot is not None:
                    self.rows.append((pivot, row))

    def reduce(self, vector: list) -> tuple:
        v = list(vector)
        for pivot, row in self.rows:
            if v[pivot] != 0:
                scale = v[pivot]
                v = [x - scale * y for x, y in zip(v, row)]
        return tuple(v)


def _trimmed(matrix: list[list[tuple]]) -> list[list[tuple]]:
    """The matrix without its zero rows and columns."""
    zero = lambda v: all(x == 0 for x in v)  # noqa: E731
    rows = [r for r in matrix if not all(zero(v) for v in r)]
    if not rows:
        return []
    keep = [j for j in range(len(rows[0])) if not all(zero(r[j]) for r in rows)]
    return [[r[j] for j in keep] for r in rows]


def _normalized(v: tuple) -> tuple[tuple, flint.fmpq]:
    """(v / first nonzero coordinate, that coordinate)."""
    lead = next(x for x in v if x != 0)
    return tuple(x / lead for x in v), lead


def _positions(big: list[list[tuple]]) -> dict[tuple, tuple[int, int, flint.fmpq]]:
    """Each entry of `big`, normalized, → (row, column, its leading coordinate)."""
    where: dict[tuple, tuple[int, int, flint.fmpq]] = {}
    for a, row in enumerate(big):
        for b, v in enumerate(row):
            key, lead = _normalized(v)
            where[key] = (a, b, lead)
    return where


def _inside(small: list[list[tuple]], where: dict) -> bool:
    """Is `small` λ · a submatrix of the matrix whose `_positions` are `where` (rows to rows, columns
    to columns) for one scalar λ ≠ 0? That matrix has independent entries, so each entry of `small`
    names at most one position."""
    rows: dict[int, int] = {}  # row of `small` → row of `big`
    cols: dict[int, int] = {}
    scales: set[flint.fmpq] = set()
    for i, row in enumerate(small):
        for j, v in enumerate(row):
            if all(x == 0 for x in v):
                return False  # a generic matrix has no zero entry
            key, lead = _normalized(v)
            if key not in where:
                return False
            a, b, big_lead = where[key]
            if rows.setdefault(i, a) != a or cols.setdefault(j, b) != b:
                return False
            scales.add(lead / big_lead)
    injective = len(set(rows.values())) == len(rows) and len(set(cols.values())) == len(cols)
    return injective and len(scales) == 1


def _transpose(matrix):
    return [list(col) for col in zip(*matrix)] if matrix else []


def _independent(vectors: list[tuple]) -> bool:
    return not vectors or flint.fmpq_mat([list(v) for v in vectors]).rank() == len(vectors)


def family_vectors(family: tuple[str, int, list], n: int) -> tuple[list | None, str]:
    """(the entries of the family's matrix as coefficient vectors of the n coordinates, "") when the
    family (name, size, polynomials) is every nonzero size-minor of a matrix of linear forms; else
    (None, the reason it is not). An empty family gives ([], "")."""
    name, size, polys = family
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        return None, f"the family {name!r} has minor size {size!r}: a family of minors needs a size >= 1"
    if not polys:
        return [], ""  # no nonzero minor: adds nothing to ideal(C)
    matrix = getattr(polys, "matrix", None)
    if matrix is None or getattr(polys, "size", None) != size:
        return None, f"the family {name!r} is not a family of minors of a known matrix"
    # The formula is for the ideal of *all* s-minors: a part of them is another ideal.
    every = minors(matrix, size)  # in minors()' order; exact equality (str() leaks in python-flint 0.9.0)
    if len(polys) != len(every) or sorted(map(exact_key, polys)) != sorted(map(exact_key, every)):
        return None, f"the family {name!r} is not every nonzero {size}-minor of its matrix"
    vectors = [[_linear_vector(x, n) for x in row] for row in matrix]
    if any(v is None for row in vectors for v in row):
        return None, f"the matrix of {name!r} has an entry that is not a linear form"
    return vectors, ""


def classical_dimension(families: list[tuple[str, int, list]], n: int, vectors_of=None) -> tuple[int | None, str]:
    """(dim of ideal(C), "") when ideal(C) — the union of `families` (name, size, minors of a
    matrix, as `varieties.polynomials.minors` returns them) — is a sum of generic determinantal
    ideals in disjoint variables after a linear change of the n coordinates, hence prime; else
    (None, the reason it refuses). `vectors_of(family)` may stand in for `family_vectors(family, n)`
    (a caller trying many parts of one C checks each family once)."""
    linear, blocks = [], []
    for family in families:
        name, size, _ = family
        vectors, reason = vectors_of(family) if vectors_of is not None else family_vectors(family, n)
        if vectors is None:
            return None, reason
        if not vectors:
            continue
        if size == 1:
            linear += [v for row in vectors for v in row]
        else:
            blocks.append((name, size, vectors))
    reducer = _Reducer(linear, n)
    codim = len(reducer.rows)
    reduced = []
    for name, size, vectors in blocks:
        matrix = _trimmed([[reducer.reduce(v) for v in row] for row in vectors])
        if matrix and min(len(matrix), len(matrix[0])) >= size:
            reduced.append((name, size, matrix))
        # else: every s-minor vanishes modulo the linear forms, so the family lies in their ideal
    generic = [_independent([v for row in m for v in row]) for _, _, m in reduced]
    dropped = set()
    # each generic matrix's entries → positions, itself and transposed (indexed once, looked up often)
    positions = {j: (_positions(m), _positions(_transpose(m))) for j, (_, _, m) in enumerate(reduced) if generic[j]}
    for i, (name, size, matrix) in enumerate(reduced):
        for j, (_, other_size, other) in enumerate(reduced):
            if j == i or j in dropped or not generic[j] or other_size > size:
                continue
            if _inside(matrix, positions[j][0]) or _inside(matrix, positions[j][1]):
                dropped.add(i)
                break
    kept = [reduced[i] for i in range(len(reduced)) if i not in dropped]
    entries = [v for _, _, m in kept for row in m for v in row]
    if not _independent(entries):
        names = ", ".join(repr(name) for name, _, _ in kept)
        return None, (f"the entries of {names} (modulo the linear forms of C) are linearly dependent: "
                      "no linear change of coordinates makes them generic matrices in disjoint variables")
    for _, size, matrix in kept:
        p, q = len(matrix), len(matrix[0])
        codim += (p - size + 1) * (q - size + 1)
    return n - codim, ""
