"""Certificates (docs/certificates.md): what turns an answer found over GF(p) into a proved one.

- A counterexample to generation: a minimal generator g of J^A outside ideal(C) found over GF(p) is
  lifted to QQ (rational reconstruction), shown to vanish on the image of φ^A by composition (exact:
  g ∈ J^A), and shown not to lie in ideal(C) in its multidegree (α,β) by exact linear algebra: the
  products m^γ·c of multidegree (α,β) span ideal(C)_(α,β), and adding g raises their rank over QQ.
  Over a finite field the same is done over GF(p) itself, with no lift.
- Generation: C ⊆ J^A exactly, ideal(C) prime and of the dimension of V_A (the Jacobian rank, a lower
  bound): then V(C) ⊇ V_A are irreducible of one dimension, so ideal(C) = J^A (Macaulay2's isPrime
  and dim, templates/certify.m2.j2).
"""

from __future__ import annotations

import math
import time
from fractions import Fraction

import flint
import numpy as np

from ..errors import M2Error, M2OutputError, M2TimeoutError
from ..macaulay2.process import Macaulay2
from ..macaulay2.program import run_template
from ..macaulay2.protocol import encode_terms
from ..varieties.field import Field
from ..varieties.lift import rational_reconstruction
from ..varieties.pieces import monomial_hashes, monomial_keys, monomials_of
from ..varieties.polynomials import polynomial_context
from .compare import not_vanishing


def lift_to_rationals(poly, p: int):
    """The polynomial over QQ whose coefficients reduce to those of `poly` (mod p), or None."""
    ctx = polynomial_context(poly.context().names(), Field(0))
    terms = {}
    for exps, coeff in poly.to_dict().items():
        q = rational_reconstruction(int(coeff), p)
        if q is None:
            return None
        terms[exps] = q
    return ctx.from_dict(terms)


def _multidegree(exps, n_rows: int, n_cols: int) -> tuple:
    alpha, beta = [0] * n_rows, [0] * n_cols
    for v, e in enumerate(exps):
        alpha[(v // n_cols) % n_rows] += e
        beta[v % n_cols] += e
    return tuple(alpha), tuple(beta)


def _integer_terms(poly) -> dict:
    """Coefficients of a polynomial over QQ scaled to coprime integers (over GF(p): residues)."""
    terms = poly.to_dict()
    if isinstance(poly, flint.nmod_mpoly):
        return {e: int(c) for e, c in terms.items()}
    fractions = {e: Fraction(int(c.p), int(c.q)) for e, c in terms.items()}
    scale = math.lcm(*(f.denominator for f in fractions.values()))
    return {e: int(f * scale) for e, f in fractions.items()}


def span_rows(variety, candidates, md) -> tuple[list[list[int]], dict]:
    """The products m^γ·c of multidegree `md` (c ∈ candidates, exact) as integer rows over the
    monomials of `md`, and the column of each monomial key."""
    n_rows, n_cols, k = variety.arch.n_out, variety.columns, variety.k
    hashes = monomial_hashes(len(variety.variable_names))
    columns = {int(key): t for t, key in enumerate(monomial_keys(monomials_of(n_rows, n_cols, k, *md), hashes))}
    rows = []
    for c in candidates:
        terms = _integer_terms(c)
        if not terms:
            continue
        cmd = _multidegree(next(iter(terms)), n_rows, n_cols)
        rest = tuple(tuple(a - b for a, b in zip(x, y)) for x, y in zip(md, cmd))
        if min(rest[0] + rest[1]) < 0:
            continue
        keys = np.array(list(terms), dtype=np.uint64).reshape(len(terms), -1) @ hashes
        coeffs = list(terms.values())
        for mult in monomial_keys(monomials_of(n_rows, n_cols, k, *rest), hashes):
            row = [0] * len(columns)
            for key, coeff in zip((keys + mult).tolist(), coeffs):
                row[columns[key]] += coeff
            rows.append(row)
    return rows, columns


def _rank(rows: list[list[int]], n_cols: int, prime: int) -> int:
    if not rows:
        return 0
    if prime:
        return flint.nmod_mat(len(rows), n_cols, [x % prime for row in rows for x in row], prime).rank()
    return flint.fmpz_mat(rows).rank()


def certify_extras(variety, extras, candidates, field_: Field, deadline: float | None = None) -> list[str]:
    """Certify each candidate (a graded.Extra) in place; return notes on what could not be done.

    `candidates`: the polynomials of C that lie in J^A (exact, over `field_`)."""
    notes, p = [], field_.prime
    pending = [e for e in extras if not e.certified]
    lifted = []
    for extra in pending:
        exact = extra.poly if p else lift_to_rationals(extra.poly, extra.poly.context().modulus())
        if exact is None:
            extra.reason = "no small rational preimage of its coefficients"
            continue
        extra.exact = exact
        lifted.append(extra)
    if lifted:
        outside = {str(q) for q in not_vanishing(variety, [e.exact for e in lifted], field_)}
        for extra in lifted:
            if str(extra.exact) in outside:
                extra.reason = "its rational lift does not vanish on the parametrization"
    by_md: dict[tuple, list] = {}
    for extra in lifted:
        if not extra.reason:
            by_md.setdefault(extra.multidegree, []).append(extra)
    skipped = 0
    for md, group in sorted(by_md.items()):
        if deadline is not None and time.monotonic() > deadline:
            skipped += len(group)
            for extra in group:
                extra.reason = "not certified in time"
            continue
        rows, columns = span_rows(variety, candidates, md)
        base = _rank(rows, len(columns), p)
        extra_rows = []
        for extra in group:
            terms = _integer_terms(extra.exact)
            row = [0] * len(columns)
            keys = np.array(list(terms), dtype=np.uint64).reshape(len(terms), -1) @ monomial_hashes(len(variety.variable_names))
            for key, coeff in zip(keys.tolist(), terms.values()):
                row[columns[key]] += coeff
            extra_rows.append(row)
        # All independent of ideal(C)_(α,β) at once; else one by one.
        if _rank(rows + extra_rows, len(columns), p) == base + len(group):
            for extra in group:
                extra.certified = True
            continue
        for extra, row in zip(group, extra_rows):
            extra.certified = _rank(rows + [row], len(columns), p) == base + 1
            if not extra.certified:
                extra.reason = "it lies in ideal(C) over QQ (the prime was unlucky)"
    if skipped:
        notes.append(f"{skipped} candidate generator(s) not certified within the certificate time limit")
    return notes


def certify_generation(variety, candidates, jacobian_rank: int, *, seed: int, timeout: float,
                       memory_limit: int) -> tuple[bool, str]:
    """Macaulay2: do the polynomials (over QQ, all in J^A) generate a prime ideal of dimension
    `jacobian_rank`? Returns (proved, note); a time-out or a Macaulay2 failure is a note, not an error."""
    runner = Macaulay2(timeout=timeout, memory_limit=memory_limit)
    try:
        done = run_template(runner, "certify.m2.j2", variables=variety.variable_names,
                            promises=("vanish", "dim", "prime"), seed=seed, field=Field(0),
                            widths=list(variety.arch.widths),
                            blocks=[[list(layer) for layer in block] for block in variety.pattern.blocks],
                            bias=bool(variety.bias), parameters=variety.parameters, coordinates=variety.coordinates,
                            generators=[encode_terms(g) for g in candidates])
    except M2TimeoutError:
        return False, f"the certificate of generation (Macaulay2: isPrime, dim of ideal(C)) did not finish in {timeout:g} s"
    except (M2Error, M2OutputError) as exc:
        return False, f"the certificate of generation failed in Macaulay2: {str(exc).splitlines()[0]}"
    reply = done.reply
    if reply.one("vanish") != "true":
        return False, "a polynomial of C does not vanish on the parametrization (Macaulay2)"
    if reply.one("prime") != "true":
        return False, "ideal(C) is not prime: the certificate of generation does not apply"
    if reply.integer("dim") != jacobian_rank:
        return False, f"dim ideal(C) = {reply.integer('dim')} differs from the Jacobian rank {jacobian_rank}"
    return True, ""
