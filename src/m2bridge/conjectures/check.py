"""Checking statements on cases: `check` (one claim of one statement) and `all_verdicts` (every claim
and reading of the named statements: what a sweep stores).

>>> v = check("2,2,2", "10|11", "shallow-two-block")
>>> v.claim, v.outcome, v.contained, v.generates, v.extra_generators
('generation', 'holds', True, True, [])
>>> check("2,2,2,2", "11/10|01/11", "deep-two-block").outcome   # a containment theorem
'holds'
"""

from __future__ import annotations

from ..errors import InputError
from ..ideals.options import IdealOptions
from ..ideals.request import checking
from ..ideals.result import IdealResult
from ..varieties.model import make_variety
from .base import CaseCheck
from .statements import NAMES, STATEMENTS
from .verdict import CLAIMS, Verdict

# Keywords of `check` / `all_verdicts` that describe the case rather than how J^A is computed.
_CASE_KEYWORDS = ("data", "blocks", "bias")


def _case(arch, pattern, ideal, settings) -> CaseCheck:
    if ideal is not None and not isinstance(ideal, IdealResult):
        raise InputError(f"ideal {ideal!r}: expected an IdealResult (from pattern_ideal) or None", "ideal")
    case_args = {k: settings.pop(k) for k in _CASE_KEYWORDS if k in settings}
    m2 = settings.pop("m2", None)
    options = IdealOptions.merge(settings.pop("options", None), **settings)
    variety = make_variety(arch, pattern, **case_args)
    return CaseCheck(variety, checking(options), m2=m2, given_ideal=ideal)  # the request's method policy


def statement(name: str):
    if name not in STATEMENTS:
        raise InputError(f"statement {name!r}: choose from {list(NAMES)}", "statement")
    return STATEMENTS[name]


def check(arch, pattern=None, name: str = "shallow-two-block", *, rank_convention: str | None = None,
          variant: str | None = None, claim: str | None = None, ideal: IdealResult | None = None,
          **settings) -> Verdict:
    """The verdict of one claim of one statement, in one reading, on one case.

    `claim` defaults to the statement's principal claim (generation for shallow-two-block, containment
    for deep-two-block). `ideal` may pass an already computed J^A (a sweep does); otherwise J^A is
    computed with IdealOptions built from `settings` (`field`, `method`, `max_degree`, `timeout`,
    `seed`, …; with `max_degree`, `ker` races interpolation through that degree and the verdict holds
    through it if `ker` does not finish). `settings` may also hold `data`, `blocks`, `bias` (the
    case), `options` (an IdealOptions) and `m2` (a Macaulay2 runner).
    """
    stmt = statement(name)
    claim = claim or stmt.claims[-1]
    if claim not in stmt.claims:
        raise InputError(f"claim {claim!r}: statement {name!r} claims {list(stmt.claims)} (claims are {list(CLAIMS)})",
                         "claim")
    case = _case(arch, pattern, ideal, dict(settings))
    return next(v for v in stmt.check(case, rank_convention, variant) if v.claim == claim)


def all_verdicts(arch, names=NAMES, *, ideal: IdealResult | None = None, **settings) -> list[Verdict]:
    """Every claim of every reading (rank convention × variant) of every named statement."""
    case = _case(arch, None, ideal, dict(settings))
    out = []
    for name in names:
        stmt = statement(name)
        for convention, variant in stmt.readings():
            out.extend(stmt.check(case, convention, variant))
    return out
