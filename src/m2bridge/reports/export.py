"""Exports: self-contained records of a sweep or a case, and their verification.

An export holds every record with its inputs (case, computation, field, method, seed, template
hash), its result in the coordinates of each case that was asked for, and the versions of
m2bridge, Macaulay2 and python-flint. `verify_export` recomputes every `ok` record from its inputs:
it re-renders the script from the record's case, field, seed and the installed template — it never
runs a script read from the file — and reports a stored script that differs from the re-rendered
one as a difference. A conjecture check is recomputed against a J^A recomputed here too, never the
one the file holds. Differences are `differences.Difference`, one per differing field.
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
from ..ideals.request import CHECK_PREFIX, Request, parse_key_method
from ..ideals.solvers import kernel_solver
from ..macaulay2.process import Macaulay2
from ..varieties.symmetry import Case
from ..sweeps.renaming import form_of
from ..sweeps.store import STATUSES, CaseRecord, CaseStore
from ..sweeps.requested import in_requested_coordinates
from ..sweeps.tasks import CONJECTURE_PREFIX, Task, compute_task, make_task
from .differences import Difference, field_differences

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
    return (record.case, record.field, record.seed, method or record.method.removeprefix(CHECK_PREFIX))


def _task_of(record: CaseRecord, timeout: float) -> tuple[Task | None, str | None]:
    """The task that recomputes `record` from its inputs, or why its inputs name none."""
    try:
        request = Request.from_key_method(record.computation, record.method, field=record.field,
                                          seed=record.seed, timeout=timeout)
        task = make_task(record.case, record.computation, request.options)
    except InputError as exc:
        return None, f"its inputs describe no computation ({exc})"
    if task.key != record.key:  # a key names its inputs: one that does not is no record of them
        return None, f"its key {record.key!r} is not the key of its inputs ({task.key!r})"
    if task.template_hash != record.template_hash:
        return None, "the template has changed since the export (template hash differs)"
    return task, None


def _reproducing(task: Task, result: dict) -> Task:
    """`task` the way the stored `result` answered (the engine, and the method under auto)."""
    return dataclasses.replace(task, options=Request(task.computation, task.options).reproducing(result).options)


class _Verification:
    """One verification of an export: every recomputation is done once and shared (several
    requested cases share one canonical record; a conjecture check shares its J^A with the
    export's ideal record)."""

    def __init__(self, document: dict, timeout: float) -> None:
        self.timeout = timeout
        self.ideals = [r for r in map(_stored, document["records"]) if r.computation == "ideal" and r.status == "ok"]
        self.done: dict[tuple, CaseRecord] = {}
        self.differences: list[Difference] = []

    def recompute(self, task: Task) -> CaseRecord:
        key = (task.key, task.options.method, task.options.engine)
        if key not in self.done:
            self.done[key] = compute_task(task)
        return self.done[key]

    def ideal_task(self, check: CaseRecord) -> Task:
        """How the J^A a conjecture check is checked against is recomputed: as the export's ideal
        record of its inputs is (the one of the same method, else the only one of its case, field
        and seed, as a sweep pairs them), else from the check's own inputs. Only the inputs of
        the ideal record are read; its result decides nothing but which method answers again."""
        same = [r for r in self.ideals if _key_of(r)[:3] == _key_of(check)[:3]]
        exact = [r for r in same if _key_of(r) == _key_of(check)]
        for record in exact[:1] or (same if len(same) == 1 else []):
            task, _ = _task_of(record, self.timeout)
            if task is not None:
                return _reproducing(task, record.result)
        request = Request.from_key_method("ideal", check.method.removeprefix(CHECK_PREFIX), field=check.field,
                                          seed=check.seed, timeout=self.timeout)
        return make_task(check.case, "ideal", request.options)

    def check(self, data: dict) -> None:
        record = _stored(data)
        label = f"{data.get('requested') or record.case.label} [{record.computation}]"
        task, problem = _task_of(record, self.timeout)
        if task is None:
            self.differences.append(Difference(label, str(problem)))
            return
        problem = _script_difference(record, task.options)
        if problem is not None:
            self.differences.append(Difference(label, problem))
        if data.get("requested"):
            form = form_of(Case.from_label(data["requested"]))
            if form.case != record.case:
                self.differences.append(Difference(
                    label, f"the requested case is not equivalent to the stored {record.case.label}"))
            else:
                self.differences += field_differences(
                    label, "result", _comparable(data["result"]), _comparable(in_requested_coordinates(record, form)),
                    "the result quoted for it is not the stored result renamed to it")
        if record.computation.startswith(CONJECTURE_PREFIX) and _decided_without_ideal(record.result):
            # certificates first (docs/guide.md): recomputed the same way, J^A is not needed
            task = dataclasses.replace(task, options=dataclasses.replace(task.options, certificates_first=True))
        elif record.computation.startswith(CONJECTURE_PREFIX):
            ideal = self.recompute(self.ideal_task(record))  # never the J^A the file holds
            if ideal.status != "ok":
                self.differences.append(Difference(label, "the J^A it is checked against could not be recomputed: "
                                                          f"{ideal.error}"))
                return
            task = dataclasses.replace(task, ideal=ideal.result)
        again = self.recompute(_reproducing(task, record.result))
        if again.status != "ok":
            self.differences.append(Difference(label, f"recomputation failed: {again.error}"))
            return
        stored, now = _comparable(record.result), _comparable(again.result)
        if "engine" not in stored:  # written before ker had a second engine (reproduced on Macaulay2)
            now.pop("engine", None)
        self.differences += field_differences(label, "stored_result", stored, now)


def _decided_without_ideal(result: dict) -> bool:
    """Whether every applicable verdict of a stored check was decided without J^A (by a certificate,
    or by a polynomial of C off the variety): then it is recomputed with certificates first."""
    applicable = [v for v in result.get("verdicts", ()) if isinstance(v, dict) and v.get("applies")]
    return bool(applicable) and all(v.get("method") in ("certificate", "composition") for v in applicable)


def verify_export(document: dict, timeout: float = 600.0) -> tuple[list[Difference], int]:
    """Recompute every `ok` record of an export from its inputs; return (differences, records checked),
    one Difference per field whose value is not the recomputed one (`str()` is its line).

    Every script that runs is rendered here from the record's case, field, method and seed with the
    installed templates; a stored script is compared with it and reported when it differs. A
    conjecture check is recomputed against a J^A recomputed from its inputs, never the file's."""
    verification = _Verification(document, timeout)
    checked = 0
    for data in document["records"]:
        if data["status"] == "ok":
            checked += 1
            verification.check(data)
    return verification.differences, checked


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
