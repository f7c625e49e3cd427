"""Deciding whether a statement's polynomials C (all in J^A) generate J^A, and how sure that is.

The primary step is linear algebra on the graded pieces of J^A over GF(p) (`graded.py`): through the
degree bound D when J^A was interpolated, through the degree of its generators when `ker` gave it
complete. Secondary steps have a time limit (`IdealOptions.certify_budget`, each rung of the ladder its
own) and can only degrade the verdict, with a note: certifying candidate counterexamples over QQ
(`certify.py`), proving generation without `ker` by the ladder of certificates (`certificates.py`:
ambient, classical, prime, serre, degree), and Macaulay2's comparison where the pieces are out of
reach (data, polynomials that are not multihomogeneous, a complete J^A whose generators are of too
high a degree). `Decision.proof` names the argument (verdict.PROOFS).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..errors import M2Error, M2OutputError, M2TimeoutError
from ..ideals.runner import make_runner
from ..macaulay2.scripts import drop_kept_script
from ..varieties.interpolate import InterpolationError
from ..varieties.jacobian import jacobian_dim
from ..varieties.monomials import monomial_count
from ..varieties.polynomials import exact_key
from .certificates import GenerationTask, prove_generation
from .certify import certify_extras
from .compare import by_degree, compare_ideals
from .graded import Extra, NotGraded, compare_pieces

# Degree bounds whose monomials would make the pieces too large to interpolate for a comparison.
MAX_COMPARISON_MONOMIALS = 4_000_000


@dataclass(kw_only=True)
class Decision:
    """The generation facts of a verdict (built by keyword: eight facts, several of them None)."""

    generates: bool | None
    through: int | None = None  # checked_through_degree: None when the answer is final
    extras: list[dict] = field(default_factory=list)
    comparison: str
    certificate: str | None = None
    complete: bool
    notes: list[str] = field(default_factory=list)
    proof: str = "none"  # a key of verdict.PROOFS


def extra_entries(extras: list[Extra]) -> list[dict]:
    """Extra generators by degree, certified ones and candidates in separate entries."""
    out = []
    for certified in (True, False):
        for entry in by_degree([e.poly if e.exact is None else e.exact for e in extras if e.certified == certified]):
            out.append(dict(entry, certified=certified))
    return sorted(out, key=lambda e: (e["degree"], not e["certified"]))


def _feasible(variety, degree: int) -> bool:
    n = len(variety.variable_names)
    return variety.data is None and monomial_count(n, degree) <= MAX_COMPARISON_MONOMIALS


def decide_generation(case, candidates, families=()) -> Decision:
    """Compare ideal(`candidates`) (each in J^A) with J^A = `case.ideal`; `families` (name, size,
    minors) are the statement's, for the certificates that reason about its matrices."""
    ideal = case.ideal
    if ideal.complete:
        degree = max(ideal.mingens_degrees, default=1)
        if _feasible(case.variety, degree):
            try:
                return _by_pieces(case, candidates, degree, True, families)
            except (NotGraded, InterpolationError):
                pass  # not multihomogeneous, or a prime too small to interpolate over
        return _by_macaulay2(case, candidates)
    try:
        return _by_pieces(case, candidates, ideal.checked_through_degree, False, families)
    except NotGraded as exc:
        decision = Decision(generates=None, comparison="none", complete=False, notes=[f"not compared: {exc}"])
        _certify_generation(case, candidates, families, decision)
        return decision


def _by_pieces(case, candidates, degree: int, complete_ideal: bool, families=()) -> Decision:
    pieces = case.pieces(degree)
    notes = []
    if complete_ideal and case.ideal.graded_dims:
        expected = {d: n for d, n in case.ideal.graded_dims.items() if d <= degree}
        if {d: pieces.graded_dims[d] for d in expected} != expected:
            notes.append(f"interpolation over GF({pieces.prime}) gives graded dimensions {pieces.graded_dims}, ker "
                         f"{expected}: compared with Macaulay2 instead")
            decision = _by_macaulay2(case, candidates)
            decision.notes[:0] = notes
            return decision
    comparison = compare_pieces(pieces, candidates, through=degree)
    how = f"linear algebra over GF({pieces.prime}) through degree {comparison.through}"
    if comparison.holds:
        if complete_ideal:
            return Decision(generates=True, comparison=how, complete=True, notes=notes, proof="ker",
                            certificate=f"ker (J^A generated in degree <= {degree}) + ideal(C) = J^A in every "
                                        f"degree <= {degree} (exact rank argument)")
        decision = Decision(generates=None, through=comparison.through, comparison=how, complete=False, notes=notes,
                            certificate=f"ideal(C) = J^A in every degree <= {comparison.through} (exact rank argument)",
                            proof="rank-through-degree")
        _certify_generation(case, candidates, families, decision)
        return decision
    deadline = time.monotonic() + case.options.certify_budget
    notes += certify_extras(case.variety, comparison.extras, candidates, case.field, deadline)
    extras = comparison.extras
    if any(e.certified for e in extras):
        return Decision(generates=False, through=None if complete_ideal else comparison.through,
                        extras=extra_entries(extras), comparison=how, complete=True, notes=notes,
                        certificate="counterexample: a generator of J^A outside ideal(C), shown exactly to vanish on "
                                    "the parametrization and not to lie in ideal(C) in its multidegree",
                        proof="certified-counterexample")
    low = min(e.degree for e in extras) - 1
    reasons = sorted({e.reason for e in extras if e.reason})
    notes.append(f"{len(extras)} candidate generator(s) outside ideal(C) in degree {low + 1}, none certified "
                 f"({'; '.join(reasons)}): checked through degree {low}")
    decision = Decision(generates=None, through=low if low >= 1 else None, extras=extra_entries(extras), comparison=how,
                        certificate=f"ideal(C) = J^A in every degree <= {low} (exact rank argument)" if low >= 1 else None,
                        complete=False, notes=notes, proof="rank-through-degree" if low >= 1 else "none")
    if not complete_ideal:  # the candidates may be an unlucky prime's: a proof of generation overrules them
        _certify_generation(case, candidates, families, decision)
    return decision


def generation_attempt(case, candidates, families=()):
    """The ladder of certificates (certificates.py) on ideal(`candidates`), once per set C and case
    (readings with the same C share it); None where it does not apply (a finite field, data)."""
    if case.field.prime or case.variety.data is not None:
        return None
    key = frozenset(map(exact_key, candidates))
    if key not in case.certificates:
        rank = jacobian_dim(case.variety, seed=case.seed).dim
        task = GenerationTask(case.variety, list(candidates), list(families), rank, seed=case.seed,
                              budget=case.options.certify_budget, options=case.options, m2=case.m2,
                              restate=getattr(families, "restate", None))
        case.certificates[key] = prove_generation(task)
    return case.certificates[key]


def _certify_generation(case, candidates, families, decision: Decision) -> None:
    """Try to make an incomplete generation decision final without ker (QQ only): every rung of
    the ladder, whatever budget ker had."""
    attempt = generation_attempt(case, candidates, families)
    if attempt is None:
        return
    if attempt.proved:
        decision.generates, decision.through, decision.complete = True, None, True
        decision.certificate, decision.proof = attempt.certificate, attempt.kind
        decision.extras = []  # uncertified candidates of an unlucky prime: generation is proved
    decision.notes += attempt.notes


def _by_macaulay2(case, candidates) -> Decision:
    """Macaulay2's comparison of ideal(C) with the complete J^A, within the certificate budget."""
    runner = make_runner(case.options, case.m2, timeout=case.options.certify_budget)
    try:
        missing, _ = compare_ideals(case.variety, case.field, case.ideal.generators, candidates, case.seed, runner)
    except (M2TimeoutError, M2Error, M2OutputError) as exc:
        reason = "did not finish" if isinstance(exc, M2TimeoutError) else "failed"
        drop_kept_script(exc)  # the note names no script: a kept one would be litter
        return Decision(generates=None, comparison="Macaulay2", complete=False,
                        notes=[f"Macaulay2's comparison {reason} within {case.options.certify_budget:g} s: undecided"])
    extras = [dict(e, certified=True) for e in by_degree(missing)]
    certificate = "ker + Macaulay2 (normal forms modulo a Gröbner basis of ideal(C))"
    return Decision(generates=not missing, extras=extras, comparison="Macaulay2", certificate=certificate, complete=True,
                    proof="certified-counterexample" if missing else "ker")
