"""What every statement shares: the case under check, the reading, and the comparison of a
statement's polynomials C with J^A (containment exactly, by composition; generation by linear algebra
on the graded pieces of J^A, see decide.py, in degrees <= D when J^A is known through degree D only)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
import time
from dataclasses import dataclass, field
from functools import cached_property

from ..errors import InputError
from ..ideals.api import pattern_ideal
from ..ideals.options import IdealOptions
from ..ideals.result import IdealResult
from ..ideals.solvers import piece_workers, solver_for
from ..ideals.runner import make_runner
from ..varieties.interpolate import interpolate_ideal
from ..varieties.jacobian import DEFAULT_PRIME, jacobian_dim
from ..varieties.model import PatternVariety
from ..varieties.polynomials import polynomial_context
from .compare import not_vanishing
from .decide import Decision, decide_generation, generation_attempt
from .ranks import SECOND_PRIME
from .verdict import Family, Verdict


@dataclass
class CheckedVerdict(Verdict):
    """A verdict that also says whether it is proved (`complete`), how ideal(C) was compared with
    J^A (`comparison`) and what a secondary step could not do (`notes`)."""

    complete: bool = False
    comparison: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class CaseCheck:
    """One case under check: J^A is computed on first use (with `options`) unless `ideal` is given;
    its graded pieces (interpolation) are kept for the comparisons of every reading."""

    variety: PatternVariety
    options: IdealOptions
    m2: object = None
    given_ideal: IdealResult | None = None
    started: float = field(default_factory=time.perf_counter)
    certificates: dict = field(default_factory=dict)  # ideal(C) → (proved, note), shared by readings
    interpolations: dict = field(default_factory=dict)  # degree bound → InterpolationResult

    @property
    def seed(self) -> int:
        return self.options.seed

    @property
    def field(self):
        return self.options.field

    @cached_property
    def runner(self):
        """The Macaulay2 that eliminations run on."""
        return make_runner(self.options, self.m2)

    @cached_property
    def ideal(self) -> IdealResult:
        if self.given_ideal is not None:
            return self.given_ideal
        if not self.options.uses_interpolation:
            return pattern_ideal(self.variety, options=self.options, m2=self.m2)
        # Generators over GF(p) are enough: generation is decided on the pieces, over QQ exactly.
        options = IdealOptions.merge(self.options, lift=False, certify=False)
        result = solver_for(options, self.m2).solve(self.variety, options)
        found = result.pieces
        if found is not None:
            self.interpolations[found.max_degree] = found
        return result

    def pieces(self, degree: int):
        """J^A's graded pieces through `degree` (interpolated once, reused by every reading)."""
        for bound, found in self.interpolations.items():
            if bound >= degree:
                return found
        prime = self.field.prime or self.options.interpolation_prime
        found = interpolate_ideal(self.variety, max_degree=degree, prime=prime, seed=self.seed,
                                  workers=piece_workers(self.options))
        self.interpolations[degree] = found
        return found


class Statement:
    """A named statement. `claims`: what it asserts; the last one is its principal claim."""

    name = ""
    claims: tuple[str, ...] = ()
    published = True
    conventions: tuple = (None,)
    variants: tuple = (None,)
    # How reports name each variant (a reading is a convention and a variant); default: the variant.
    variant_names: dict = {}
    # Rank keys that belong to one block (index = block, 0-based): a swap of the blocks swaps them.
    block_keys: tuple[str, ...] = ()
    # Keys that trade places when the network is transposed (its layers reversed).
    transposed_keys: tuple[str, ...] = ()

    def not_applicable(self, variety: PatternVariety) -> str | None:
        raise NotImplementedError

    def readings(self):
        return itertools.product(self.conventions, self.variants)

    def reading(self, convention, variant) -> tuple:
        """(convention, variant) checked against this statement's: an unknown one raises InputError."""
        convention = self.conventions[0] if convention is None else convention
        if convention not in self.conventions:
            known = [c for c in self.conventions if c] or "none"
            raise InputError(f"rank_convention {convention!r}: statement {self.name!r} has {known}", "rank_convention")
        if variant not in self.variants:
            known = [v for v in self.variants if v] or "none"
            raise InputError(f"variant {variant!r}: statement {self.name!r} has {known}", "variant")
        return convention, variant

    def verdict(self, case: CaseCheck, claim: str, convention, variant, **facts) -> Verdict:
        return CheckedVerdict(self.name, claim, convention, variant, published=self.published, field=case.field.text,
                       seeds={"m2": case.seed, "ranks": case.seed}, primes=[DEFAULT_PRIME, SECOND_PRIME], **facts)

    def check(self, case: CaseCheck, convention=None, variant=None) -> list[Verdict]:
        raise NotImplementedError


class Families(list):
    """A statement's families (name, size, minors) in one reading, and `restate`: the same reading's
    families on another variety (for the inheritance certificate), or None."""

    restate: Callable | None = None


class MinorStatement(Statement):
    """A statement that names polynomials C (families of minors) and claims containment and/or
    generation. Containment is decided exactly over QQ; generation by comparing ideal(C) with J^A
    (in degrees <= D when J^A is known through degree D only)."""

    # Whether the families on a narrowed network may stand in for these (certificates.Inheritance).
    inherits = False

    def families(self, variety, ctx, convention, variant, case: CaseCheck) -> tuple[list[tuple[str, int, list]], dict]:
        raise NotImplementedError

    def check(self, case: CaseCheck, convention=None, variant=None) -> list[Verdict]:
        convention, variant = self.reading(convention, variant)
        reason = self.not_applicable(case.variety)
        if reason is not None:
            return [self.verdict(case, c, convention, variant, applies=False, reason=reason) for c in self.claims]
        variety, field_ = case.variety, case.field
        ctx = polynomial_context(variety.variable_names, field_)
        fams, ranks = self.families(variety, ctx, convention, variant, case)
        fams = Families(fams)
        if self.inherits:
            fams.restate = lambda other: self.families(other, polynomial_context(other.variable_names, field_),
                                                       convention, variant, case)[0]
        candidates = [p for _, _, ps in fams for p in ps]
        facts = {"applies": True, "ranks": ranks, "families": [Family(n, s, len(ps)) for n, s, ps in fams]}
        outside = not_vanishing(variety, candidates, field_)
        facts["not_contained"] = [str(p) for p in outside]
        facts["contained"] = not outside
        excluded = {id(p) for p in outside}
        inside = [p for p in candidates if id(p) not in excluded]
        decision = None
        if "generation" in self.claims and not outside and _ladder_first(case):
            decision = _proved_without_ideal(case, inside, fams)  # prove, don't compute J^A
        elif outside and case.options.certificates_first and _ladder_first(case):
            # a polynomial of C off the variety decides generation whatever J^A is: not computed
            decision = Decision(generates=False, comparison="none", complete=True, proof="composition")
        if decision is None:
            ideal = case.ideal
            if not ideal.complete and ideal.checked_through_degree is None:
                raise InputError("J^A is incomplete and does not say through which degree it was checked", "ideal")
            decision = decide_generation(case, inside, fams)
            bound = None if ideal.complete else ideal.checked_through_degree
            facts.update(dim=ideal.dim, method=ideal.method if bound is None else f"{ideal.method}<={bound}")
        else:
            facts.update(dim=jacobian_dim(variety, seed=case.seed).dim, method="composition" if outside else "certificate")
        facts.update(generates=False if outside else decision.generates, extra_generators=decision.extras,
                     checked_through_degree=None if outside else decision.through, comparison=decision.comparison,
                     certificate=decision.certificate, notes=decision.notes)
        if outside:
            facts["certificate"] = "a polynomial of C does not vanish on the parametrization (exact composition)"
        facts["seconds"] = time.perf_counter() - case.started
        out = []
        for claim in self.claims:
            proved = True if claim == "containment" else bool(outside) or decision.complete
            proof = "composition" if claim == "containment" or outside else decision.proof
            out.append(self.verdict(case, claim, convention, variant, complete=proved, proof=proof, **facts))
        return out


def _ladder_first(case: CaseCheck) -> bool:
    """Whether the ladder of certificates is tried before J^A's pieces: a proof needs neither J^A nor
    its pieces. Under `auto` without a degree bound (ker alone would answer), before J^A is computed
    (ker may not finish); and when the J^A given (a sweep's stored one) is incomplete, before its
    pieces are interpolated again. Not when ker or interpolation was asked for by name, nor over a
    finite field (the ladder proves over QQ)."""
    options = case.options
    if options.certificates_first and not case.field.prime and case.given_ideal is None:
        return "ideal" not in vars(case)  # asked for: unless J^A is already at hand
    if case.given_ideal is not None:
        return not case.given_ideal.complete and not case.field.prime
    return options.method == "auto" and not options.uses_interpolation and "ideal" not in vars(case)


def _proved_without_ideal(case: CaseCheck, candidates, fams):
    """A complete decision from the ladder of certificates, before (instead of) computing J^A; None
    when no rung proves generation (then J^A is computed and compared as usual)."""
    attempt = generation_attempt(case, candidates, fams)
    if attempt is None or not attempt.proved:
        return None
    return Decision(generates=True, comparison="certificate", certificate=attempt.certificate, complete=True,
                    proof=attempt.kind)
