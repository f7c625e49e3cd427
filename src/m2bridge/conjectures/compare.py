"""Comparing a statement's polynomials C with J^A.

- Containment, exactly over QQ and without Macaulay2: a polynomial lies in J^A iff it vanishes on
  the parametrization, i.e. composing it with the entries of M_b(θ) over QQ[θ] gives 0.
- Equality of ideals: from the complete minimal generators of J^A, Macaulay2 lists the minimal
  generators of J^A outside ideal(C) (`missing`) and those of C outside J^A (`outside`)
  (m2scripts/check_generation.m2.j2).

>>> from m2bridge.varieties.model import PatternVariety
>>> from m2bridge.varieties.field import Field
>>> from m2bridge.varieties.polynomials import polynomial_context
>>> v = PatternVariety("2,2,2", "10")
>>> m = polynomial_context(v.variable_names, Field()).gens()
>>> contained_in_variety(v, [m[0] * m[3] - m[1] * m[2], m[0]])
[m_(1,1,1)]
"""

from __future__ import annotations

from fractions import Fraction

import flint

from ..macaulay2.program import run_template
from ..macaulay2.protocol import encode_terms, parse_polynomial
from ..varieties.field import Field
from ..varieties.model import PatternVariety
from ..varieties.parametrization import block_matrices
from ..varieties.polynomials import polynomial_context, residue, to_rationals


def symbolic_block_matrices(variety: PatternVariety, field_: Field = Field(0)):
    """M_b(θ) (times X_b with data) with entries in QQ[w_(l,i,j)] (GF(p)[w] for a finite field), for
    exact composition."""
    names = tuple(f"w_({l},{i},{j})" for (l, i, j) in variety.parameters)
    ctx: flint.nmod_mpoly_ctx | flint.fmpq_mpoly_ctx
    if field_.prime:
        ctx = flint.nmod_mpoly_ctx.get(names, ordering="degrevlex", modulus=field_.prime)
    else:
        ctx = flint.fmpq_mpoly_ctx.get(names, ordering="degrevlex")
    w = dict(zip(variety.parameters, ctx.gens()))
    weights = [[[w[(l, i, j)] for j in range(1, c + 1)] for i in range(1, r + 1)]
               for l, (r, c) in enumerate(variety.layer_shapes, start=1)]

    def constant(q):
        q = Fraction(q)
        if field_.prime:
            return ctx.from_dict({(0,) * len(names): residue(q, field_.prime)})
        return ctx.from_dict({(0,) * len(names): flint.fmpq(q.numerator, q.denominator)})

    return ctx, block_matrices(variety, weights, convert=constant)


def contained_in_variety(variety: PatternVariety, polys) -> list:
    """The polynomials of `polys` that do NOT vanish on the parametrization (exact, over QQ; a
    polynomial over ZZ/p is read with its integer coefficients)."""
    if not polys:
        return []
    ctx, mats = symbolic_block_matrices(variety)
    entries = [x for M in mats for row in M for x in row]
    return [p for p in polys
            if (p if isinstance(p, flint.fmpq_mpoly) else to_rationals(p)).compose(*entries, ctx=ctx) != 0]


def not_vanishing(variety: PatternVariety, polys, field_: Field) -> list:
    """The polynomials of `polys` that do not vanish on the parametrization, decided exactly over the
    field of the question: QQ, or GF(p) (where a polynomial of the m's may vanish on the image mod p
    without its integer lift vanishing over QQ)."""
    if not field_.prime:
        return contained_in_variety(variety, polys)
    if not polys:
        return []
    ctx, mats = symbolic_block_matrices(variety, field_)
    entries = [x for M in mats for row in M for x in row]
    return [p for p in polys if p.compose(*entries, ctx=ctx) != 0]


def compare_ideals(variety: PatternVariety, field_: Field, target, candidates, seed: int, m2) -> tuple[list, list]:
    """(minimal generators of ideal(target) outside ideal(candidates), those of candidates outside
    ideal(target)), computed by Macaulay2; both empty iff the ideals are equal."""
    done = run_template(m2, "check_generation.m2.j2", variables=variety.variable_names,
                        promises=("nmissing", "noutside"), seed=seed, field=field_,
                        coordinates=variety.coordinates, target=[encode_terms(p) for p in target],
                        candidates=[encode_terms(p) for p in candidates])
    ctx = polynomial_context(variety.variable_names, field_)
    missing = [parse_polynomial(p, ctx) for p in done.reply.all("missing")]
    outside = [parse_polynomial(p, ctx) for p in done.reply.all("outside")]
    return missing, outside


def by_degree(polys) -> list[dict]:
    """[{degree, count, polynomials}] in increasing degree."""
    out: dict[int, list[str]] = {}
    for p in polys:
        out.setdefault(int(p.total_degree()), []).append(str(p))
    return [{"degree": d, "count": len(ps), "polynomials": ps} for d, ps in sorted(out.items())]
