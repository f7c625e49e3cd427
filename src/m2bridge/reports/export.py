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

import flint

from .._files import EXPORT_LIMIT, read_text
from ..errors import InputError
from ..ideals.options import IdealOptions
from ..ideals.request import Request, parse_key_method
from ..ideals.solvers import kernel_solver
from ..macaulay2.process import Macaulay2
from ..varieties.symmetry import Case
from ..sweeps.renaming import form_of
from ..sweeps.store import STATUSES, CaseRecord, CaseStore
from ..sweeps.requested import in_requested_coordinates
from ..sweeps.tasks import CONJECTURE_PREFIX, compute_task, make_task

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
        form = form_of(requested)
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
        try:  # how it was computed, as structured JSON (the key's method text is kept beside it)
            entry["options"] = Request.from_key_method(record.computation, record.method, field=record.field,
                                                       seed=record.seed).stored_options()
        except InputError:
            entry["options"] = None
        # `result` in the coordinates of the requested case (what a reader quotes); `stored_result` as
        # computed for the canonical case (what verification recomputes).
        entry["stored_result"] = entry["result"]
        entry["result"] = in_requested_coordinates(record, form_of(requested))
        entries.append(entry)
    return {"format": EXPORT_FORMAT, "exported": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "versions": _versions(), "records": entries}


def _stored(data: dict) -> CaseRecord:
    """An export entry as the record the database held (canonical coordinates)."""
    fields = {k: v for k, v in data.items() if k not in ("requested", "stored_result", "options")}
    fields["result"] = data.get("stored_result", data["result"])
    return CaseRecord.from_json(fields)


_TRACE_LINE = re.compile(r"^gbTrace = [0-9]+;\n", re.M)


def _script_difference(record: CaseRecord, options: IdealOptions) -> str | None:
    """Why a stored script is not the one the record's inputs render (None when it is). The stored
    script is only compared, never run; a `gbTrace` line (--m2-trace) is the one allowed extra."""
    if not record.script:
        return None
    if record.computation != "ideal" or record.result.get("method_used", "ker") != "ker":
        return "the record stores a script, but its computation renders none"
    engine = record.result.get("engine", "macaulay2")
    ker = dataclasses.replace(options, method="ker", engine=engine)
    script, _ = kernel_solver(ker).apply(record.case.variety, ker)
    if _TRACE_LINE.sub("", record.script) != _TRACE_LINE.sub("", script.text):
        return "the stored script differs from the script rendered from the record's inputs (it was not run)"
    return None


def _key_of(record: CaseRecord, method: str | None = None) -> tuple:
    return (record.case, record.field, record.seed, method or record.method.removeprefix("check/"))


def verify_export(document: dict, timeout: float = 600.0) -> tuple[list[str], int]:
    """Recompute every `ok` record of an export from its inputs; return (differences, records checked).

    Every script that runs is rendered here from the record's case, field, method and seed with the
    installed templates; a stored script is compared with it and reported when it differs."""
    differences, checked = [], 0
    ideals = {_key_of(r): r.result for r in map(_stored, document["records"])
              if r.computation == "ideal" and r.status == "ok"}
    done: dict[tuple, CaseRecord] = {}
    for data in document["records"]:
        record = _stored(data)
        if record.status != "ok":
            continue
        checked += 1
        label = f"{data.get('requested') or record.case.label} [{record.computation}]"
        try:
            request = Request.from_key_method(record.computation, record.method, field=record.field,
                                              seed=record.seed, timeout=timeout)
            task = make_task(record.case, record.computation, request.options)
        except InputError as exc:
            differences.append(f"{label}: its inputs describe no computation ({exc})")
            continue
        if task.key != record.key:  # a key names its inputs: one that does not is no record of them
            differences.append(f"{label}: its key {record.key!r} is not the key of its inputs ({task.key!r})")
            continue
        if task.template_hash != record.template_hash:
            differences.append(f"{label}: the template has changed since the export (template hash differs)")
            continue
        problem = _script_difference(record, task.options)
        if problem is not None:
            differences.append(f"{label}: {problem}")
        if data.get("requested"):
            form = form_of(Case.from_label(data["requested"]))
            quoted = in_requested_coordinates(record, form)
            if form.case != record.case:
                differences.append(f"{label}: the requested case is not equivalent to the stored {record.case.label}")
            elif _comparable(quoted) != _comparable(data["result"]):
                differences.append(f"{label}: the result quoted for it is not the stored result renamed to it")
        if record.computation.startswith(CONJECTURE_PREFIX):
            ideal = ideals.get(_key_of(record))
            if ideal is None:
                differences.append(f"{label}: the export lacks the J^A this verdict was checked against")
                continue
            task = dataclasses.replace(task, ideal=ideal)
        task = dataclasses.replace(task, options=Request(record.computation, task.options).reproducing(
            record.result).options)
        key = (task.key, task.options.method)
        if key not in done:  # several requested cases share one canonical record
            done[key] = compute_task(task)
        again = done[key]
        if again.status != "ok":
            differences.append(f"{label}: recomputation failed: {again.error}")
            continue
        stored, now = _comparable(record.result), _comparable(again.result)
        if "engine" not in stored:  # written before ker had a second engine (reproduced on Macaulay2)
            now.pop("engine", None)
        for name in sorted(set(stored) | set(now)):
            if stored.get(name) != now.get(name):
                differences.append(f"{label}: {name} was {stored.get(name)!r}, now {now.get(name)!r}")
    return differences, checked


_VOLATILE = {"seconds"}


def _comparable(result: dict) -> dict:
    """A result as JSON reads it back (integer keys become text, tuples lists), without what
    legitimately changes between runs (timings)."""
    result = json.loads(json.dumps(result))
    if "verdicts" in result:
        return {"verdicts": [{k: v for k, v in verdict.items() if k not in _VOLATILE} for verdict in result["verdicts"]]}
    return {k: v for k, v in result.items() if k not in _VOLATILE}


_RECORD_FIELDS = {"key": str, "case": dict, "computation": str, "field": str, "method": str, "template_hash": str,
                  "seed": int, "status": str, "result": dict}


def load_export(path: str) -> dict:
    """Read and validate an export file; every problem is one InputError naming the record."""
    text = read_text(path, EXPORT_LIMIT, None, "export file")
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise InputError(f"export file {path!r} is not readable JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT or not isinstance(document.get("records"), list):
        raise InputError(f"export file {path!r} is not an m2bridge export ({EXPORT_FORMAT})")
    if not document["records"]:
        raise InputError(f"export file {path!r} holds no records: nothing to verify")
    for index, data in enumerate(document["records"], start=1):
        where = f"export file {path!r}: record {index}"
        if not isinstance(data, dict):
            raise InputError(f"{where} is not an object")
        for name, kind in _RECORD_FIELDS.items():
            if not isinstance(data.get(name), kind) or isinstance(data.get(name), bool) != (kind is bool):
                raise InputError(f"{where}: {name!r} is missing or not {kind.__name__}")
        if data.get("script") is not None and not isinstance(data["script"], str):
            raise InputError(f"{where}: 'script' is not text")
        if data["status"] not in STATUSES:
            raise InputError(f"{where}: unknown status {data['status']!r} (known: {list(STATUSES)})")
        if data["computation"] not in ("ideal", "dim") and not data["computation"].startswith(CONJECTURE_PREFIX):
            raise InputError(f"{where}: unknown computation {data['computation']!r}")
        try:
            parse_key_method(data["computation"], data["method"])
        except InputError:
            raise InputError(f"{where}: unknown method {data['method']!r} (methods are jacobian, ker, "
                             "interpolate<=D, auto<=D, and check/ before them for conjectures)") from None
        try:
            case = data["case"]
            Case(case["arch"], case["pattern"], case["bias"])
            if data.get("requested") is not None:
                Case.from_label(data["requested"])
            if data.get("stored_result") is not None and not isinstance(data["stored_result"], dict):
                raise TypeError("'stored_result' is not an object")
            _stored(data)
        except (TypeError, KeyError, AttributeError, InputError) as exc:
            raise InputError(f"{where} is malformed ({exc})") from None
    return document
