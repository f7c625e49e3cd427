"""Tasks: one computation of one canonical case, as plain data (it pickles to Dask workers), and the
function that computes it on a worker.

A task's key hashes what determines its result: the canonical case, the computation (`ideal`,
`dim`, `conjectures:NAME`), the field, how J^A is computed (`ker`, `interpolate<=D`, `auto<=D`), the
hashes of the templates involved and the seed. Computations: `ideal` (J^A by the case file's
method), `dim` (the Jacobian rank) and `conjectures:NAME` (every claim and reading of one statement,
checked against the stored J^A).
"""

from __future__ import annotations

import atexit
import dataclasses
import threading
import time
from dataclasses import dataclass

import flint

from ..errors import ConsistencyError, InputError, M2BridgeError, M2Error, M2OutputError, M2TimeoutError
from ..ideals.options import IdealOptions
from ..ideals.request import CONJECTURE_PREFIX, Request
from ..ideals.result import IdealResult
from ..ideals.runner import make_session
from ..macaulay2.process import M2Session
from ..macaulay2.render import template_hash
from ..varieties.symmetry import Case
from .store import CaseIdentity, CaseRecord

COMPUTATIONS = ("ideal", "dim", "conjectures")
# Templates whose text determines each computation's result (pattern_ideal: KerSolver.template, a
# test checks it). The solvers are imported by the workers only, so that computing a key, as
# `ideal --db` does, stays light.
TEMPLATES = {"ideal": ("pattern_ideal.m2.j2",),
             "conjectures": ("pattern_ideal.m2.j2", "check_generation.m2.j2", "rank_sum.m2.j2")}


@dataclass
class Task(CaseIdentity):
    """One computation of one canonical case, with the options it runs under."""

    options: IdealOptions = dataclasses.field(default_factory=IdealOptions)
    ideal: dict | None = None  # conjecture tasks: the stored J^A they are checked against


def templates_hash(computation: str) -> str:
    """The hash of the templates a computation runs ("-" for none)."""
    kind = "conjectures" if computation.startswith(CONJECTURE_PREFIX) else computation
    names = TEMPLATES.get(kind, ())
    return "+".join(template_hash(n) for n in names) or "-"


def make_task(case: Case, computation: str, options: IdealOptions, hashes: dict | None = None) -> Task:
    """The task and its store key. `hashes` caches templates_hash per computation kind (many tasks)."""
    kind = "conjectures" if computation.startswith(CONJECTURE_PREFIX) else computation
    if hashes is not None and kind in hashes:
        thash = hashes[kind]
    else:
        thash = templates_hash(computation)
        if hashes is not None:
            hashes[kind] = thash
    request = Request.of(computation, options)  # the method policies, applied once
    method = request.key_method
    record = CaseRecord.new(case, computation, options.field.text, method, thash, options.seed)
    return Task(record.key, case, computation, options.field.text, method, thash, options.seed,
                options=request.options)


# --- workers ----------------------------------------------------------------------------------

_local = threading.local()
_sessions: list[M2Session] = []
_sessions_lock = threading.Lock()


def _session(options: IdealOptions) -> M2Session:
    """This thread's Macaulay2 session (started on first use, reused for every later task)."""
    session = getattr(_local, "session", None)
    if session is None or session.m2.memory_limit != options.memory_limit:
        if session is not None:
            session.close()
        session = make_session(options)
        _local.session = session
        with _sessions_lock:
            _sessions.append(session)
    session.timeout = options.timeout
    return session


@atexit.register
def close_sessions() -> None:
    with _sessions_lock:
        while _sessions:
            _sessions.pop().close()


def ideal_result_json(result: IdealResult) -> dict:
    """What a sweep stores of J^A (the case is the record's)."""
    data = result.to_json()
    stored = {k: data[k] for k in ("variables", "generators", "dim", "degree", "mingens_degrees", "hilbert_numerator",
                                   "jacobian_dim", "complete", "checked_through_degree", "graded_dims",
                                   "mingens_by_degree", "interpolation_error_bound")}
    stored["method_used"] = result.method  # under auto: ker or interpolate, whichever answered
    if result.method == "ker":
        stored["engine"] = result.engine  # macaulay2 or singular: who computed the kernel
    stored["field"] = result.field.text
    return stored


def ideal_from_record(case: Case, result: dict, field_text: str) -> IdealResult:
    """A stored `ideal` result back as an IdealResult with flint generators."""
    data = dict(result, arch=case.arch, pattern=case.pattern, bias=case.bias,
                field=result.get("field", field_text), method=result.get("method_used", "ker"))
    return IdealResult.from_json(data)


_running: dict[int, str] = {}  # thread → the task it computes (for the progress display)


def running_labels() -> list[str]:
    """The tasks this process's worker threads are computing now (`2,2,2 10|11 [ideal]`)."""
    return sorted(_running.values())


def compute_task(task: Task) -> CaseRecord:
    """Run one task; failures become records with status `timeout` or `error`, never exceptions."""
    _running[threading.get_ident()] = f"{task.case.label} [{task.computation}]"
    try:
        return _compute_task(task)
    finally:
        _running.pop(threading.get_ident(), None)


def new_record(task: Task) -> CaseRecord:
    """The record a task's answer (or failure) goes into."""
    identity = {f.name: getattr(task, f.name) for f in dataclasses.fields(CaseIdentity)}
    return CaseRecord(**identity, timeout=task.options.timeout, flint_version=flint.__version__, created=time.time())


def _compute_task(task: Task) -> CaseRecord:
    from ..conjectures.check import all_verdicts
    from ..ideals.api import pattern_ideal
    from ..varieties.jacobian import jacobian_dim

    options = task.options
    record = new_record(task)
    variety = task.case.variety
    start = time.perf_counter()
    try:
        if task.computation == "dim":
            jac = jacobian_dim(variety, seed=task.seed)
            record.result = {"dim": jac.dim, "prime": jac.prime, "points": jac.points, "error_bound": jac.error_bound}
        elif task.computation.startswith(CONJECTURE_PREFIX):
            if task.ideal is None and not options.certificates_first:  # a bug of the sweep
                raise M2BridgeError(f"{task.case.arch} {task.case.pattern}: a conjecture task without the ideal "
                                    "it is checked against")
            # certificates_first: the check computes J^A itself, only where no certificate proves generation
            ideal = None if task.ideal is None else ideal_from_record(task.case, task.ideal, task.field)
            verdicts = all_verdicts(variety, [task.computation[len(CONJECTURE_PREFIX):]], ideal=ideal,
                                    options=options, m2=_session(options))
            record.result = {"verdicts": [v.to_json() for v in verdicts]}
        else:
            result = pattern_ideal(variety, options=options, m2=_session(options))  # resolved by make_task
            record.result = ideal_result_json(result)
            record.script = result.script
            record.m2_version = result.m2_version
    except M2TimeoutError as exc:
        record.status, record.error = "timeout", str(exc)
    except (M2Error, M2OutputError, ConsistencyError, InputError) as exc:
        record.status, record.error = "error", str(exc)
        if getattr(exc, "transient", False):  # Macaulay2 killed by a signal or the memory cap: retry later
            record.result = {"transient": True}
    except MemoryError:
        record.status, record.error = "error", "out of memory in Python (MemoryError)"
        record.result = {"transient": True}
    record.seconds = time.perf_counter() - start
    return record
