"""Polynomials over the coordinates m_(b,i,j): python-flint contexts, exact residues, polynomial
text, and matrices of polynomials (the minors the published statements are made of).

>>> ctx = polynomial_context(["x", "y"], Field.parse("QQ"))
>>> M = [[ctx.gens()[0], ctx.gens()[1]], [ctx.gens()[1], ctx.gens()[0]]]
>>> minors(M, 2)
[x^2 - y^2]
>>> residue(flint.fmpq(1, 3), 7)
5
"""

from __future__ import annotations

import itertools
import re
from fractions import Fraction
from functools import lru_cache

import flint

from ..errors import InputError
from .field import Field
from .model import PatternVariety


class PolynomialSyntaxError(InputError):
    """Polynomial text that does not read as a polynomial in the ring's variables."""


def polynomial_context(names: list[str], field_: Field):
    """One python-flint context whose generators are the m-variables, over QQ or ZZ/p."""
    if field_.prime:
        return flint.nmod_mpoly_ctx.get(tuple(names), ordering="degrevlex", modulus=field_.prime)
    return flint.fmpq_mpoly_ctx.get(tuple(names), ordering="degrevlex")


def residue(x, p: int) -> int:
    """An exact rational (Fraction, fmpq, int, nmod) as a residue mod p; refuses a denominator p divides."""
    if isinstance(x, flint.fmpq):
        num, den = int(x.p), int(x.q)
    elif isinstance(x, Fraction):
        num, den = x.numerator, x.denominator
    else:
        return int(x) % p
    if den % p == 0:
        raise InputError(f"{x} has a denominator divisible by the prime {p}")
    return num * pow(den, -1, p) % p


def to_fraction(c) -> Fraction:
    """An fmpq (or integer residue) coefficient as a Fraction."""
    if isinstance(c, flint.fmpq):
        return Fraction(int(c.p), int(c.q))
    return Fraction(int(c))


def to_rationals(poly):
    """A polynomial over ZZ/p read with integer coefficients in 0..p-1 as one over QQ (same names)."""
    ctx = flint.fmpq_mpoly_ctx.get(tuple(poly.context().names()), ordering="degrevlex")
    return ctx.from_dict({e: int(c) for e, c in poly.to_dict().items()})


_COEFF = re.compile(r"-?[0-9]+(/[0-9]+)?\Z")


_TERM = re.compile(r"([+-]?)([^+-]+)")
_TEXT_FACTOR = re.compile(r"(.+?)(?:\^([0-9]+))?\Z")


def parse_polynomial_text(text: str, ctx):
    """A polynomial in Macaulay2 / flint syntax (`m_(1,1,1)^2 - 1/3*m_(1,2,1)`) → flint, in `ctx`.

    >>> ctx = polynomial_context(["m_(1,1,1)", "m_(1,2,1)"], Field.parse("QQ"))
    >>> parse_polynomial_text("m_(1,1,1)^2 - 1/3*m_(1,2,1) + 2", ctx)
    m_(1,1,1)^2 - 1/3*m_(1,2,1) + 2
    """
    index = {name: i for i, name in enumerate(ctx.names())}
    modulus = ctx.modulus() if isinstance(ctx, flint.nmod_mpoly_ctx) else 0
    compact = text.replace(" ", "")
    if compact in ("", "0"):
        return ctx.from_dict({})
    terms: dict[tuple[int, ...], flint.fmpq] = {}
    pos = 0
    for m in _TERM.finditer(compact):
        if m.start() != pos:
            raise PolynomialSyntaxError(f"cannot read polynomial {text!r}")
        pos = m.end()
        sign, body = m.group(1), m.group(2)
        coeff = flint.fmpq(-1 if sign == "-" else 1)
        exps = [0] * len(index)
        for factor in body.split("*"):
            if _COEFF.match(factor):
                coeff *= flint.fmpq(*map(int, factor.split("/")))
                continue
            f = _TEXT_FACTOR.match(factor)
            if f is None or f.group(1) not in index:
                raise PolynomialSyntaxError(f"polynomial {text!r}: {factor!r} is not a number or a variable of the ring")
            exps[index[f.group(1)]] += int(f.group(2) or 1)
        key = tuple(exps)
        terms[key] = terms.get(key, 0) + coeff
    if pos != len(compact):
        raise PolynomialSyntaxError(f"cannot read polynomial {text!r}")
    if modulus:
        return ctx.from_dict({k: residue(c, modulus) for k, c in terms.items()})
    return ctx.from_dict(terms)


# --- matrices ------------------------------------------------------------------------

def coordinate_matrices(variety: PatternVariety, ctx) -> list[list[list]]:
    """M_1 … M_k as matrices of the m-variables of `ctx`."""
    gens = dict(zip(variety.variable_names, ctx.gens()))
    return [
        [[gens[f"m_({b + 1},{i},{j})"] for j in range(1, variety.block_width(b) + 1)]
         for i in range(1, variety.arch.n_out + 1)]
        for b in range(variety.k)
    ]


def transpose(M):
    return [list(col) for col in zip(*M)]


def hstack(*Ms):
    return [sum((list(M[i]) for M in Ms), []) for i in range(len(Ms[0]))]


def exact_key(poly) -> tuple:
    """A hashable key, equal exactly for equal polynomials of one ring: the terms (exponents,
    coefficient). Not str(): in python-flint 0.9.0 str() of a polynomial leaks its text (a
    conjecture check at width 6 keyed its C by str() and grew by 85-250 MB)."""
    return tuple(poly.terms())


class Minors(list):
    """The nonzero size × size minors of `matrix`, remembering the matrix and the size (certificates
    reason about the matrix: conjectures/classical.py)."""

    def __init__(self, polys, matrix, size: int):
        super().__init__(polys)
        self.matrix, self.size = matrix, size


def minors(M, size: int) -> Minors:
    """All size × size minors of a matrix of polynomials (none when size exceeds a side)."""
    rows, cols = len(M), len(M[0]) if M else 0
    if size < 1 or size > min(rows, cols):
        return Minors([], M, size)

    @lru_cache(maxsize=None)
    def det(rs: tuple, cs: tuple):
        if len(rs) == 1:
            return M[rs[0]][cs[0]]
        # Laplace expansion along the first row; sub-determinants are shared through the cache.
        total = 0
        for pos, c in enumerate(cs):
            entry = M[rs[0]][c]
            if entry != 0:
                term = entry * det(rs[1:], cs[:pos] + cs[pos + 1:])
                total = total + term if pos % 2 == 0 else total - term
        return total

    out = []
    for rs in itertools.combinations(range(rows), size):
        for cs in itertools.combinations(range(cols), size):
            d = det(rs, cs)
            if d != 0:
                out.append(d)
    return Minors(out, M, size)


def rational_kernel(A: flint.fmpq_mat) -> list[list]:
    """A basis of the right kernel of an fmpq_mat over QQ."""
    rref, rank = A.rref()
    cols = A.ncols()
    pivots, r = [], 0
    for c in range(cols):
        if r < rank and rref[r, c] != 0:
            pivots.append(c)
            r += 1
    basis = []
    for free in (c for c in range(cols) if c not in pivots):
        v = [flint.fmpq(0)] * cols
        v[free] = flint.fmpq(1)
        for row, p in enumerate(pivots):
            v[p] = -rref[row, free]
        basis.append(v)
    return basis


def independent_columns(A: flint.fmpq_mat) -> list[int]:
    """The pivot columns of A: a maximal set of linearly independent columns."""
    rref, rank = A.rref()
    cols, out, r = A.ncols(), [], 0
    for c in range(cols):
        if r < rank and rref[r, c] != 0:
            out.append(c)
            r += 1
    return out
