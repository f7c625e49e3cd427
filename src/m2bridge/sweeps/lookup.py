"""One case answered from the case database, up to symmetry: `m2bridge ideal --db`,
`m2bridge conjecture --db` and `m2bridge.pattern_ideal(..., db=)` / `m2bridge.check(..., db=)`.

A sweep stores one canonical case per orbit (varieties/symmetry.py); the case asked for is mapped to
its canonical form, the record of the same computation (same field, method key, templates and seed:
the task key a sweep would use) is fetched, and its result renamed into the requested coordinates.
Nothing is computed here: a case not in the database is `None`, and the caller computes it. This
module imports no solver (and no Jinja2): `m2bridge ideal --db` answers in well under a second.

>>> from m2bridge.sweeps.store import open_store
>>> from m2bridge.varieties.model import make_variety
>>> from m2bridge.workbench.api import sweep
>>> store = open_store(":memory:")
>>> _ = sweep({"name": "doc", "compute": ["ideal"], "family": [{"architectures": ["2,3,2"],
...            "patterns": ["100|111"]}]}, db=store, progress=False)
>>> found = stored_ideal(store, make_variety("2,3,2", "111|100"))      # the other block order
>>> found.mingens_degrees, [str(g) for g in found.generators][:1]
([2], ['m_(2,1,2)*m_(2,2,1) - m_(2,1,1)*m_(2,2,2)'])
>>> stored_ideal(store, make_variety("2,2,2", "10")) is None
True
"""

from __future__ import annotations

import logging

from ..conjectures.verdict import Verdict
from ..ideals.options import IdealOptions
from ..ideals.result import IdealResult
from ..varieties.model import PatternVariety
from .store import CaseStore
from .tasks import CONJECTURE_PREFIX, ideal_from_record
from ..varieties.symmetry import Case
from .renaming import form_of
from .requested import as_requested, cached_result

logger = logging.getLogger(__name__)

__all__ = ["stored_bound", "stored_ideal", "stored_verdicts"]


def stored_ideal(store: CaseStore, variety: PatternVariety, options: IdealOptions | None = None) -> IdealResult | None:
    """J^A of `variety` from `store` (any case of its orbit), or None when it is not stored ok.

    The record of the same request (method, degree bound, seed) is taken first; else any stored
    answer over the same field that is at least as strong: a complete J^A serves every request,
    J^A through degree D' serves a request through D <= D'. The database holds J^A only: a variety
    with data (I_X^A) is never found."""
    if variety.data is not None:
        return None
    options = options or IdealOptions()
    record = cached_result(store, variety.arch.text, variety.pattern.text, "ideal", bias=variety.bias,
                           options=options)
    if record is None or record.status != "ok":
        record = _stronger(store, variety, options)
    _log(variety, "ideal", record)
    if record is None or record.status != "ok":
        return None
    result = ideal_from_record(record.case, record.result, record.field)
    result.m2_version, result.seed, result.seconds = record.m2_version or "", record.seed, record.seconds
    return result


def stored_bound(store: CaseStore, variety: PatternVariety, options: IdealOptions) -> int | None:
    """The highest degree through which the database knows J^A of the orbit over the requested
    field (None when it holds nothing there): what a caller asking for a complete J^A can be told."""
    form = form_of(Case(variety.arch.text, variety.pattern.text, variety.bias))
    found = [r.result.get("checked_through_degree") for r in store.case_records(form.case, "ideal")
             if r.status == "ok" and r.field == options.field.text]
    bounds = [b for b in found if isinstance(b, int)]
    return max(bounds) if bounds else None


def _stronger(store: CaseStore, variety: PatternVariety, options: IdealOptions):
    """The strongest stored J^A of the orbit over the requested field that answers the request,
    renamed into its coordinates; None when there is none."""
    requested = Case(variety.arch.text, variety.pattern.text, variety.bias)
    form = form_of(requested)
    wanted = options.max_degree if options.uses_interpolation else None  # None: only a complete J^A
    best, rank = None, None
    for record in store.case_records(form.case, "ideal"):
        if record.status != "ok" or record.field != options.field.text:
            continue
        result = record.result
        complete = bool(result.get("complete"))
        through = result.get("checked_through_degree")
        if not complete and (wanted is None or not isinstance(through, int) or through < wanted):
            continue
        strength = (complete, through if isinstance(through, int) else 0)
        if rank is None or strength > rank:
            best, rank = record, strength
    return None if best is None else as_requested(best, requested, form)


def stored_verdicts(store: CaseStore, variety: PatternVariety, name: str = "all", options: IdealOptions | None = None,
                    *, claim: str | None = None, rank_convention: str | None = None,
                    variant: str | None = None) -> list[Verdict] | None:
    """The stored verdicts of statement `name` (or every statement: "all", each reading and claim)
    on `variety`, renamed into its coordinates; None when any statement asked for is not stored.
    For one statement, the one verdict `check` would give: `claim` (default the principal claim)
    in the reading `rank_convention`/`variant` (default the statement's first)."""
    from ..conjectures.check import NAMES, statement

    if variety.data is not None:
        return None
    options = options or IdealOptions()
    verdicts = []
    for one in (NAMES if name == "all" else (name,)):
        record = cached_result(store, variety.arch.text, variety.pattern.text, CONJECTURE_PREFIX + one,
                               bias=variety.bias, options=options)
        _log(variety, CONJECTURE_PREFIX + one, record)
        if record is None or record.status != "ok":
            return None
        verdicts += [Verdict.from_json(v) for v in record.result.get("verdicts", [])]
    if name == "all":
        return verdicts
    stmt = statement(name)
    claim = claim or stmt.claims[-1]
    convention, variant = stmt.reading(rank_convention, variant)
    chosen = [v for v in verdicts if (v.claim, v.rank_convention, v.variant) == (claim, convention, variant)]
    return chosen[:1] or None


def _log(variety: PatternVariety, computation: str, record) -> None:
    state = "not stored" if record is None else f"stored ({record.status})"
    logger.info("case database: %s %s: %s", variety.describe(), computation, state)
