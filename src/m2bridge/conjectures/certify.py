"""Certificates (docs/certificates.md): what turns an answer found over GF(p) into a proved one.

- A counterexample to generation: a minimal generator g of J^A outside ideal(C) found over GF(p) is
  lifted to QQ (rational reconstruction), shown to vanish on the image of φ^A by composition (exact:
  g ∈ J^A), and shown not to lie in ideal(C) in its multidegree (α,β) by exact linear algebra: the
  products m^γ·c of multidegree (α,β) span ideal(C)_(α,β), and adding g raises their rank over QQ.
  Over a finite field the same is done over GF(p) itself, with no lift.
- Generation: C ⊆ J^A exactly, ideal(C) prime and of the dimension of V_A (the Jacobian rank, a lower
  bound): then V(C) ⊇ V_A are irreducible of one dimension, so ideal(C) = J^A (Macaulay2's isPrime
  and dim, m2scripts/certify.m2.j2).
"""

from __future__ import annotations

import math
import time
from fractions import Fraction

import flint
import numpy as np

from ..errors import InputError, M2Error, M2OutputError, M2TimeoutError
from ..macaulay2.program import run_template
from ..macaulay2.protocol import encode_terms
from ..macaulay2.scripts import drop_kept_script
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


def integer_terms(poly) -> dict:
    """Coefficients of a polynomial over QQ scaled to coprime integers (over GF(p): residues)."""
    terms = poly.to_dict()
    if isinstance(poly, flint.nmod_mpoly):
        return {e: int(c) for e, c in terms.items()}
    fractions = {e: Fraction(int(c.p), int(c.q)) for e, c in terms.items()}
    scale = math.lcm(*(f.denominator for f in fractions.values()))
    return {e: int(f * scale) for e, f in fractions.items()}


class _Exact:
    """A polynomial as integer coefficients (scaled) at monomial keys, with its multidegree."""

    def __init__(self, poly, hashes: np.ndarray, n_rows: int, n_cols: int):
        terms = integer_terms(poly)
        exps = list(terms)
        self.multidegree = _multidegree(exps[0], n_rows, n_cols) if exps else None
        # Multihomogeneous, so every product m^γ·u lies among the columns of `span_rows` (all monomials
        # of one multidegree, keys checked distinct): its key then names exactly that column.
        if any(_multidegree(e, n_rows, n_cols) != self.multidegree for e in exps[1:]):
            raise InputError(f"{poly} is not homogeneous for the (e_i, f_j) grading", "candidates")
        self.keys = np.array(exps, dtype=np.uint64).reshape(len(exps), -1) @ hashes if exps else np.zeros(0, np.uint64)
        self.coeffs = np.array(list(terms.values()), dtype=object)


def span_rows(variety, candidates: list[_Exact], md) -> tuple[np.ndarray, np.ndarray]:
    """The products m^γ·c of multidegree `md` as an integer matrix over the monomials of `md` (given
    by their sorted keys, also returned)."""
    n_rows, n_cols, k = variety.arch.n_out, variety.columns, variety.k
    hashes = monomial_hashes(len(variety.variable_names))
    columns = np.sort(monomial_keys(monomials_of(n_rows, n_cols, k, *md), hashes))
    blocks = []
    for c in candidates:
        if c.multidegree is None:
            continue
        rest = tuple(tuple(a - b for a, b in zip(x, y)) for x, y in zip(md, c.multidegree))
        if min(rest[0] + rest[1]) < 0:
            continue
        multipliers = monomial_keys(monomials_of(n_rows, n_cols, k, *rest), hashes)
        at = np.searchsorted(columns, (multipliers[:, None] + c.keys[None, :]))
        block = np.zeros((len(multipliers), len(columns)), dtype=object)
        for t, coeff in enumerate(c.coeffs):  # distinct terms of c land in distinct columns of a row
            block[np.arange(len(multipliers)), at[:, t]] = coeff
        blocks.append(block)
    rows = np.concatenate(blocks) if blocks else np.zeros((0, len(columns)), dtype=object)
    return rows, columns


def _rank(rows: np.ndarray, prime: int) -> int:
    if not len(rows):
        return 0
    if prime:
        return flint.nmod_mat(len(rows), rows.shape[1], [int(x) % prime for x in rows.ravel()], prime).rank()
    return flint.fmpz_mat(rows.tolist()).rank()


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
    hashes = monomial_hashes(len(variety.variable_names))
    shape = (variety.arch.n_out, variety.columns)
    exact_candidates = [_Exact(c, hashes, *shape) for c in candidates]
    for md, group in sorted(by_md.items()):
        if deadline is not None and time.monotonic() > deadline:
            skipped += len(group)
            for extra in group:
                extra.reason = "not certified in time"
            continue
        rows, columns = span_rows(variety, exact_candidates, md)
        base = _rank(rows, p)
        extra_rows = np.zeros((len(group), len(columns)), dtype=object)
        for r, extra in enumerate(group):
            g = _Exact(extra.exact, hashes, *shape)
            extra_rows[r, np.searchsorted(columns, g.keys)] = g.coeffs
        # All independent of ideal(C)_(α,β) at once; else one by one.
        if _rank(np.concatenate([rows, extra_rows]), p) == base + len(group):
            for extra in group:
                extra.certified = True
            continue
        for r, extra in enumerate(group):
            extra.certified = _rank(np.concatenate([rows, extra_rows[r:r + 1]]), p) == base + 1
            if not extra.certified:
                extra.reason = "it lies in ideal(C) (the prime was unlucky)"
    if skipped:
        notes.append(f"{skipped} candidate generator(s) not certified within the certificate time limit")
    return notes


def certify_generation(variety, candidates, jacobian_rank: int, *, seed: int, runner) -> tuple[bool, str]:
    """Macaulay2 (`runner`, with its time limit): do the polynomials (over QQ, all in J^A) generate a
    prime ideal of dimension `jacobian_rank`? Returns (proved, note); a time-out or a Macaulay2
    failure is a note, not an error."""
    try:
        done = run_template(runner, "certify.m2.j2", variables=variety.variable_names,
                            promises=("vanish", "dim", "prime"), seed=seed, field=Field(0),
                            widths=list(variety.arch.widths),
                            blocks=[[list(layer) for layer in block] for block in variety.pattern.blocks],
                            bias=bool(variety.bias), parameters=variety.parameters, coordinates=variety.coordinates,
                            generators=[encode_terms(g) for g in candidates])
    except M2TimeoutError as exc:
        drop_kept_script(exc)  # the note is all that is told: a kept script would be litter
        return False, f"the certificate of generation (Macaulay2: isPrime, dim of ideal(C)) did not finish in {runner.timeout:g} s"
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
