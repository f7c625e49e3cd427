"""Exports: self-contained records of a sweep or a case, and their verification.

An export holds every record with its inputs (case, computation, field, method, seed, template
hash), its result in the coordinates of each case that was asked for, and the versions of
m2bridge, Macaulay2 and python-flint. `verify_export` recomputes every `ok` record from its inputs:
it re-renders the script from the record's case, field, seed and the installed template — it never
runs a script read from the file — and reports a stored script that differs from the re-rendered
one as a difference.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from pathlib import Path

import flint

from ..errors import InputError
from ..ideals.options import IdealOptions
from ..macaulay2.process import Macaulay2
from ..varieties.symmetry import Case, canonical_form
from .store import STATUSES, CaseRecord, CaseStore
from .sweep import rename_polynomials, rename_result
from .tasks import CONJECTURE_PREFIX, compute_task, make_task

EXPORT_FORMAT = "m2bridge-export-2"


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    try:
        own = version("m2bridge")
    except PackageNotFoundError:
        own = "unknown"
    m2 = Macaulay2()
    return {"m2bridge": own, "macaulay2": m2.version() if m2.is_installed() else None,
            "python_flint": flint.__version__}


def _in_requested_coordinates(record: CaseRecord, requested: Case) -> dict:
    """The record's result renamed to the coordinates of the requested case."""
    form = canonical_form(requested.arch, requested.pattern, requested.bias)
    result = record.result
    if record.computation == "ideal" and record.status == "ok":
        return rename_result(result, form)
    if record.computation.startswith(CONJECTURE_PREFIX) and record.status == "ok":
        verdicts = []
        for v in result["verdicts"]:
            v = dict(v, not_contained=rename_polynomials(v["not_contained"], form))
            v["extra_generators"] = [dict(e, polynomials=rename_polynomials(e["polynomials"], form))
                                     for e in v["extra_generators"]]
            verdicts.append(v)
        return {"verdicts": verdicts}
    return result


def export_records(store: CaseStore, what: str) -> dict:
    """Records of a sweep name, or of a case `ARCH:PATTERN[:bias]`, one entry per requested case."""
    if what in store.sweeps():
        members = store.sweep_members(what)
    else:
        m = re.fullmatch(r"([0-9,]+):([01/|]*)(:bias)?", what)
        if not m:
            known = ", ".join(store.sweeps()) or "none"
            raise InputError(f"{what!r} is neither a sweep name (known: {known}) nor a case ARCH:PATTERN[:bias]", "what")
        requested = Case(m.group(1), m.group(2), bool(m.group(3)))
        form = canonical_form(requested.arch, requested.pattern, requested.bias)
        members = [(requested, r.key) for r in store.records() if r.case == form.case]
        if not members:
            raise InputError(f"case {what!r} (canonical {form.case.label}) is not in the case database", "what")
    records = store.fetch_many({k for _, k in members})
    entries = []
    for requested, key in sorted(members, key=lambda m: (m[0], m[1])):
        record = records.get(key)
        if record is None:
            continue
        entry = record.to_json()
        entry["requested"] = requested.label
        # `result` in the coordinates of the requested case (what a reader quotes); `stored_result` as
        # computed for the canonical case (what verification recomputes).
        entry["stored_result"] = entry["result"]
        entry["result"] = _in_requested_coordinates(record, requested)
        entries.append(entry)
    return {"format": EXPORT_FORMAT, "exported": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "versions": _versions(), "records": entries}


def _options_of(record: CaseRecord, timeout: float) -> IdealOptions:
    """The options a record was computed with, read back from its method (`ker`, `interpolate<=D`…)."""
    method = record.method.removeprefix("check/")
    m = re.fullmatch(r"(interpolate|auto)<=([0-9]+)", method)
    if m:
        return IdealOptions(field=record.field, method=m.group(1), max_degree=int(m.group(2)), seed=record.seed,
                            timeout=timeout)
    return IdealOptions(field=record.field, method="ker", seed=record.seed, timeout=timeout)


def _stored(data: dict) -> CaseRecord:
    """An export entry as the record the database held (canonical coordinates)."""
    fields = {k: v for k, v in data.items() if k not in ("requested", "stored_result")}
    fields["result"] = data.get("stored_result", data["result"])
    return CaseRecord.from_json(fields)


def verify_export(document: dict, timeout: float = 600.0) -> tuple[list[str], int]:
    """Recompute every `ok` record of an export from its inputs; return (differences, records checked)."""
    differences, checked = [], 0
    ideals = {}
    for data in document["records"]:
        if data["computation"] == "ideal" and data["status"] == "ok":
            record = _stored(data)
            ideals[(record.case, record.method.removeprefix("check/"))] = record.result
    done: dict[str, CaseRecord] = {}
    for data in document["records"]:
        record = _stored(data)
        if record.status != "ok":
            continue
        checked += 1
        label = f"{data.get('requested') or record.case.label} [{record.computation}]"
        task = make_task(record.case, record.computation, _options_of(record, timeout))
        if task.template_hash != record.template_hash:
            differences.append(f"{label}: the template has changed since the export (template hash differs)")
            continue
        if record.computation.startswith(CONJECTURE_PREFIX):
            ideal = ideals.get((record.case, record.method.removeprefix("check/")))
            if ideal is None:
                differences.append(f"{label}: the export lacks the J^A this verdict was checked against")
                continue
            task = dataclasses.replace(task, ideal=ideal)
        if task.key not in done:  # several requested cases share one canonical record
            done[task.key] = compute_task(task)
        again = done[task.key]
        if again.status != "ok":
            differences.append(f"{label}: recomputation failed: {again.error}")
            continue
        if record.computation == "ideal" and record.script is not None and record.script != again.script:
            differences.append(f"{label}: the stored script differs from the script rendered from the record's inputs")
        stored, now = _comparable(record.result), _comparable(again.result)
        for name in sorted(set(stored) | set(now)):
            if stored.get(name) != now.get(name):
                differences.append(f"{label}: {name} was {stored.get(name)!r}, now {now.get(name)!r}")
    return differences, checked


_VOLATILE = {"seconds"}


def _comparable(result: dict) -> dict:
    """A result without what legitimately changes between runs (timings)."""
    if "verdicts" in result:
        return {"verdicts": [{k: v for k, v in verdict.items() if k not in _VOLATILE} for verdict in result["verdicts"]]}
    return {k: v for k, v in result.items() if k not in _VOLATILE}


_RECORD_FIELDS = {"key": str, "case": dict, "computation": str, "field": str, "method": str, "template_hash": str,
                  "seed": int, "status": str, "result": dict}


def load_export(path: str) -> dict:
    """Read and validate an export file; every problem is one InputError naming the record."""
    try:
        document = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise InputError(f"export file {path!r} does not exist", "file") from None
    except (OSError, json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise InputError(f"export file {path!r} is not readable JSON: {exc}", "file") from None
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT or not isinstance(document.get("records"), list):
        raise InputError(f"export file {path!r} is not an m2bridge export ({EXPORT_FORMAT})", "file")
    for index, data in enumerate(document["records"], start=1):
        where = f"export file {path!r}: record {index}"
        if not isinstance(data, dict):
            raise InputError(f"{where} is not an object", "file")
        for name, kind in _RECORD_FIELDS.items():
            if not isinstance(data.get(name), kind) or isinstance(data.get(name), bool) != (kind is bool):
                raise InputError(f"{where}: {name!r} is missing or not {kind.__name__}", "file")
        if data.get("script") is not None and not isinstance(data["script"], str):
            raise InputError(f"{where}: 'script' is not text", "file")
        if data["status"] not in STATUSES:
            raise InputError(f"{where}: unknown status {data['status']!r} (known: {list(STATUSES)})", "file")
        if data["computation"] not in ("ideal", "dim") and not data["computation"].startswith(CONJECTURE_PREFIX):
            raise InputError(f"{where}: unknown computation {data['computation']!r}", "file")
        try:
            case = data["case"]
            Case(case["arch"], case["pattern"], case["bias"])
            if data.get("requested") is not None:
                Case.from_label(data["requested"])
            CaseRecord.from_json({k: v for k, v in data.items() if k != "requested"})
        except (TypeError, KeyError, AttributeError, InputError) as exc:
            raise InputError(f"{where} is malformed ({exc})", "file") from None
    return document
