"""Stored records in the coordinates of the case that was asked for.

A sweep stores one record per canonical case; a reader asks for any member of its orbit and gets
the record renamed to that member's coordinates (a copy: the stored record is never changed).
"""

from __future__ import annotations

import copy

from ..ideals.options import IdealOptions
from .store import CaseRecord, CaseStore
from .tasks import CONJECTURE_PREFIX, make_task
from ..varieties.symmetry import Case
from .renaming import form_of, rename_result, rename_verdict


def cached_result(store: CaseStore, arch, pattern, computation: str = "ideal", *, bias: bool = False,
                  options: IdealOptions | None = None, **settings) -> CaseRecord | None:
    """The stored record for any representative of a case, renamed to its coordinates (a copy: the
    stored record is never changed). `options`/`settings` say how the case was computed."""
    options = IdealOptions.merge(options, **settings)
    requested = Case(arch, pattern, bias)
    form = form_of(requested)
    record = store.fetch(make_task(form.case, computation, options).key)
    return None if record is None else as_requested(record, requested, form)


def as_requested(record: CaseRecord, requested: Case, form) -> CaseRecord:
    """A copy of a stored record of `form`'s canonical case, renamed for the `requested` case."""
    record = copy.deepcopy(record)
    record.result = in_requested_coordinates(record, form)
    record.case = requested
    return record


def in_requested_coordinates(record: CaseRecord, form) -> dict:
    """A stored record's result renamed for the requested case whose canonical form is `form`."""
    if record.status != "ok":
        return record.result
    if record.computation == "ideal":
        return rename_result(record.result, form)
    if record.computation.startswith(CONJECTURE_PREFIX):
        return dict(record.result, verdicts=[rename_verdict(v, form) for v in record.result.get("verdicts", [])])
    return record.result
