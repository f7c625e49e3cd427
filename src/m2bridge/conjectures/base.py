"""What every statement shares: the case under check, the reading, and the comparison of a
statement's polynomials C with J^A (containment exactly over QQ; generation by comparing ideal(C)
with J^A, in degrees <= D when J^A is known through degree D only)."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from functools import cached_property

from ..errors import InputError
from ..ideals.api import pattern_ideal
from ..ideals.options import IdealOptions
from ..ideals.result import IdealResult
from ..macaulay2.process import Macaulay2
from ..varieties.jacobian import DEFAULT_PRIME
from ..varieties.model import PatternVariety
from ..varieties.polynomials import polynomial_context
from .compare import by_degree, compare_ideals, contained_in_variety
from .ranks import SECOND_PRIME
from .verdict import Family, Verdict


@dataclass
class CaseCheck:
    """One case under check: J^A is computed on first use (with `options`) unless `ideal` is given."""

    variety: PatternVariety
    options: IdealOptions
    m2: object = None
    given_ideal: IdealResult | None = None
    started: float = field(default_factory=time.perf_counter)

    @property
    def seed(self) -> int:
        return self.options.seed

    @property
    def field(self):
        return self.options.field

    @cached_property
    def runner(self):
        """The Macaulay2 that comparisons and eliminations run on."""
        if self.m2 is not None:
            return self.m2
        return Macaulay2(timeout=self.options.timeout, memory_limit=self.options.memory_limit)

    @cached_property
    def ideal(self) -> IdealResult:
        if self.given_ideal is not None:
            return self.given_ideal
        lift = self.options.uses_interpolation and not self.options.field.prime
        return pattern_ideal(self.variety, options=IdealOptions.merge(self.options, lift=lift), m2=self.m2)


class Statement:
    """A named statement. `claims`: what it asserts; the last one is its principal claim."""

    name = ""
    claims: tuple[str, ...] = ()
    published = True
    conventions: tuple = (None,)
    variants: tuple = (None,)

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
        return Verdict(self.name, claim, convention, variant, published=self.published, field=case.field.text,
                       seeds={"m2": case.seed, "ranks": case.seed}, primes=[DEFAULT_PRIME, SECOND_PRIME], **facts)

    def check(self, case: CaseCheck, convention=None, variant=None) -> list[Verdict]:
        raise NotImplementedError


class MinorStatement(Statement):
    """A statement that names polynomials C (families of minors) and claims containment and/or
    generation. Containment is decided exactly over QQ; generation by comparing ideal(C) with J^A
    (in degrees <= D when J^A is known through degree D only)."""

    def families(self, variety, ctx, convention, variant, case: CaseCheck) -> tuple[list[tuple[str, int, list]], dict]:
        raise NotImplementedError

    def check(self, case: CaseCheck, convention=None, variant=None) -> list[Verdict]:
        convention, variant = self.reading(convention, variant)
        reason = self.not_applicable(case.variety)
        if reason is not None:
            return [self.verdict(case, c, convention, variant, applies=False, reason=reason) for c in self.claims]
        variety, field_ = case.variety, case.field
        ideal = case.ideal
        if not ideal.complete and ideal.checked_through_degree is None:
            raise InputError("J^A is incomplete and does not say through which degree it was checked", "ideal")
        ctx = polynomial_context(variety.variable_names, field_)
        fams, ranks = self.families(variety, ctx, convention, variant, case)
        candidates = [p for _, _, ps in fams for p in ps]
        facts = {"applies": True, "ranks": ranks, "dim": ideal.dim,
                 "families": [Family(n, s, len(ps)) for n, s, ps in fams]}
        if not field_.prime:
            facts["not_contained"] = [str(p) for p in contained_in_variety(variety, candidates)]
            facts["contained"] = not facts["not_contained"]
        bound = None if ideal.complete else ideal.checked_through_degree
        if bound is not None:
            # J^A known through degree D only: compare in degrees <= D, never claim more.
            candidates = [p for p in candidates if p.total_degree() <= bound]
        missing, outside = compare_ideals(variety, field_, ideal.generators, candidates, case.seed, case.runner)
        if field_.prime:
            facts["contained"] = not outside
            facts["not_contained"] = [str(p) for p in outside]
        facts["extra_generators"] = by_degree(missing)
        facts["generates"] = False if (missing or outside) else (True if bound is None else None)
        facts["checked_through_degree"] = bound
        facts["method"] = ideal.method if bound is None else f"{ideal.method}<={bound}"
        facts["certificate"] = _certificate(ideal)
        facts["seconds"] = time.perf_counter() - case.started
        return [self.verdict(case, c, convention, variant, **facts) for c in self.claims]


def _certificate(ideal: IdealResult) -> str | None:
    if not ideal.complete:
        return None
    return "Macaulay2 ker" if ideal.method == "ker" else "Macaulay2 certificate (prime, Jacobian dimension)"
