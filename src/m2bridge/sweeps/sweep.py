"""Step 6 of the pipeline: sweeps over case files, cached in the case database.

A sweep turns a case file into one task per (canonical case, computation), skips the tasks the
store already holds, computes the rest on an executor and saves every finished task at once, in
its own transaction, so an interrupted sweep resumes where it stopped.

Executors: `local` (default) runs one long-lived Macaulay2 session per worker thread — Macaulay2
does the work in its own process, so threads are enough on the Python side; `dask` submits the
same tasks to a Dask cluster (`--scheduler tcp://…`, or a LocalCluster), whose workers compute
while this process alone writes the database.
"""

from __future__ import annotations

import atexit
import dataclasses
import os
import re
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass

import flint

from ..errors import (
    ConsistencyError,
    InputError,
    M2Error,
    M2OutputError,
    M2TimeoutError,
)
from ..ideals.api import IdealResult, Implicitization, pattern_ideal
from ..macaulay2.process import M2Session, Macaulay2
from ..macaulay2.protocol import parse_polynomial_text, polynomial_context
from ..macaulay2.render import template_hash
from ..varieties.jacobian import jacobian_dim
from ..varieties.model import Field, PatternVariety
from ..varieties.symmetry import Case, canonical_form
from .casefile import SweepSpec
from .store import CaseIdentity, CaseRecord, CaseStore

METHODS = {"ideal": Implicitization.name, "dim": "jacobian"}
# How the case file's `method` (and `max_degree`) names the way J^A is computed, in store keys.
IDEAL_METHOD_NAMES = {"m2": Implicitization.name, "interpolate": "interpolate", "auto": "auto"}


@dataclass
class Task(CaseIdentity):
    """One computation of one canonical case; plain data, so it pickles to Dask workers."""

    timeout: float
    memory_limit: int  # bytes
    ideal: dict | None = None  # conjecture tasks: the stored J^A they are checked against
    ideal_method: str = "m2"  # how J^A is computed: m2, interpolate or auto (through max_degree)
    max_degree: int | None = None


CONJECTURE_PREFIX = "conjectures:"


def make_task(case: Case, computation: str, field_: str, seed: int, timeout: float, memory_limit: int,
              ideal_template_hash: str | None = None, ideal_method: str = "m2",
              max_degree: int | None = None) -> Task:
    """The task and its store key; pass the template hash when making many tasks (read once).

    `computation` is `ideal`, `dim` or `conjectures:NAME`; a conjecture verdict depends on J^A and
    on the checking template, so its key carries both templates' hashes."""
    thash = "-"
    if computation == "ideal" or computation.startswith(CONJECTURE_PREFIX):
        thash = ideal_template_hash or template_hash(Implicitization.template)
    if computation.startswith(CONJECTURE_PREFIX):
        method = "check"
        thash = f"{thash}+{template_hash('check_generation.m2.j2')}+{template_hash('rank_sum.m2.j2')}"
    else:
        method = METHODS[computation]
    if computation != "dim" and ideal_method != "m2":
        # J^A by interpolation (or the race): the degree bound is part of what was computed.
        method = f"{method}/{IDEAL_METHOD_NAMES[ideal_method]}<={max_degree}"
    else:
        ideal_method, max_degree = "m2", None
    record = CaseRecord.new(case, computation, field_, method, thash, seed)
    return Task(record.key, case, computation, field_, method, thash, seed, timeout, memory_limit,
                ideal_method=ideal_method, max_degree=max_degree)


# --- workers ----------------------------------------------------------------------------------

_local = threading.local()
_sessions: list[M2Session] = []
_sessions_lock = threading.Lock()


def _session(timeout: float, memory_limit: int) -> M2Session:
    """This thread's Macaulay2 session (started on first use, reused for every later task)."""
    session = getattr(_local, "session", None)
    if session is None or session.m2.memory_limit != memory_limit:
        if session is not None:
            session.close()
        session = M2Session(Macaulay2(timeout=timeout, memory_limit=memory_limit))
        _local.session = session
        with _sessions_lock:
            _sessions.append(session)
    session.timeout = timeout
    return session


@atexit.register
def close_sessions() -> None:
    with _sessions_lock:
        while _sessions:
            _sessions.pop().close()


def ideal_result_json(result) -> dict:
    return {
        "variables": result.variable_names,
        "generators": result.generator_strings(),
        "dim": result.dim,
        "degree": result.degree,
        "mingens_degrees": result.mingens_degrees,
        "hilbert_numerator": result.hilbert_numerator,
        "jacobian_dim": result.jacobian.dim if result.jacobian else None,
        "complete": result.complete,
        "method_used": result.method,  # under `auto`: m2-ker or interpolate, whichever answered
        "checked_through_degree": result.checked_through_degree,
        "graded_dims": result.graded_dims,
        "mingens_by_degree": result.mingens_by_degree,
    }


def ideal_from_json(variety: PatternVariety, field_: Field, result: dict) -> IdealResult:
    """A stored `ideal` result back as an IdealResult with flint generators."""
    ctx = polynomial_context(variety.variable_names, field_)
    return IdealResult(
        variety=variety, field=field_, generators=[parse_polynomial_text(g, ctx) for g in result["generators"]],
        dim=result["dim"], degree=result["degree"], mingens_degrees=result["mingens_degrees"],
        hilbert_numerator=result["hilbert_numerator"], jacobian=None, complete=result.get("complete", True),
        checked_through_degree=result.get("checked_through_degree"),
    )


def compute_task(task: Task) -> CaseRecord:
    """Run one task; failures become records with status `timeout` or `error`, never exceptions."""
    identity = {f.name: getattr(task, f.name) for f in dataclasses.fields(CaseIdentity)}
    record = CaseRecord(**identity, timeout=task.timeout, flint_version=flint.__version__, created=time.time())
    variety = PatternVariety(task.case.arch, task.case.pattern, task.case.bias)
    start = time.perf_counter()
    try:
        if task.computation == "dim":
            jac = jacobian_dim(variety, seed=task.seed)
            record.result = {"dim": jac.dim, "prime": jac.prime, "points": jac.points,
                             "error_bound": jac.error_bound}
        elif task.computation.startswith(CONJECTURE_PREFIX):
            from ..conjectures.check import all_verdicts

            session = _session(task.timeout, task.memory_limit)
            ideal = ideal_from_json(variety, Field.parse(task.field), task.ideal)
            verdicts = all_verdicts(variety, [task.computation[len(CONJECTURE_PREFIX):]], field=task.field,
                                    seed=task.seed, ideal=ideal, m2=session)
            record.result = {"verdicts": [v.to_json() for v in verdicts]}
        else:
            session = _session(task.timeout, task.memory_limit)
            # Over QQ interpolated generators are lifted (and checked) so that they are exact.
            result = pattern_ideal(variety, field=task.field, seed=task.seed, m2=session,
                                   method=task.ideal_method, max_degree=task.max_degree,
                                   lift=task.ideal_method != "m2" and not Field.parse(task.field).prime)
            record.result = ideal_result_json(result)
            record.script = result.script
            record.m2_version = result.m2_version
    except M2TimeoutError as exc:
        record.status, record.error = "timeout", str(exc)
    except (M2Error, M2OutputError, ConsistencyError, InputError) as exc:
        record.status, record.error = "error", str(exc)
    if task.computation == "ideal" and record.script is None and record.status != "ok":
        record.script = Implicitization().apply(variety, Field.parse(task.field), task.seed)
    record.seconds = time.perf_counter() - start
    return record


# --- the sweep ----------------------------------------------------------------------------------

@dataclass
class SweepSummary:
    sweep: str
    cases: int
    unique_after_symmetry: int
    tasks: int
    computed: int = 0
    cached: int = 0
    failed: int = 0
    timed_out: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return asdict(self) | {"notes": list(self.notes)}


class Progress:
    """One self-overwriting status line on a terminal; silent otherwise (CI, pipes).

    The ETA sums, over the tasks left, the mean time of finished tasks of the same computation
    (Jacobian dims take milliseconds, Macaulay2 cases seconds), divided among the workers."""

    def __init__(self, kinds: dict[str, int], workers: int = 1, stream=None, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.left = dict(kinds)
        self.total, self.done, self.workers = sum(kinds.values()), 0, max(1, workers)
        self.seconds: dict[str, list[float]] = {}
        self.counts = {"cached": 0, "failed": 0, "timed out": 0}

    def update(self, record: CaseRecord | None = None, cached: bool = False, kind: str | None = None) -> None:
        self.done += 1
        kind = record.computation if record is not None else kind
        if kind in self.left:
            self.left[kind] -= 1
        if cached:
            self.counts["cached"] += 1
        elif record is not None:
            self.counts["failed"] += record.status == "error"
            self.counts["timed out"] += record.status == "timeout"
            self.seconds.setdefault(kind, []).append(record.seconds)
        if self.enabled:
            counts = ", ".join(f"{k} {v}" for k, v in self.counts.items())
            self.stream.write(f"\r{self.done}/{self.total} done ({counts}), ETA {self.eta()}   ")
            self.stream.flush()

    def eta(self) -> str:
        seconds = 0.0
        for kind, left in self.left.items():
            if left and not self.seconds.get(kind):
                return "?"
            if left:
                seconds += left * sum(self.seconds[kind]) / len(self.seconds[kind])
        return f"{seconds / self.workers:.0f}s"

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\n")


def _is_hit(record: CaseRecord | None, task: Task) -> bool:
    if record is None:
        return False
    if record.status == "timeout":  # worth retrying only with a longer time limit
        return (record.timeout or 0) >= task.timeout
    return True


def plan_tasks(spec: SweepSpec) -> tuple[dict[str, Task], list[tuple[Case, str]], object]:
    plan = spec.plan()
    tasks: dict[str, Task] = {}
    members = []
    memory = int(spec.memory_limit * 2**30)
    thash = template_hash(Implicitization.template)
    computations = [c for c in spec.compute if c in METHODS]
    if "conjectures" in spec.compute:
        if "ideal" not in computations:
            computations.append("ideal")  # verdicts are checked against J^A
        computations += [CONJECTURE_PREFIX + name for name in spec.conjectures]
    for requested, form in plan.cases.items():
        for computation in computations:
            task = make_task(form.case, computation, spec.field.text, spec.seed, spec.timeout, memory, thash,
                             spec.method, spec.max_degree)
            tasks.setdefault(task.key, task)
            members.append((requested, task.key))
    return tasks, members, plan


def run_sweep(spec: SweepSpec, store: CaseStore, *, workers: int | None = None, executor: str = "local",
              scheduler: str | None = None, force: bool = False,
              show_progress: bool | None = False) -> SweepSummary:
    """Compute what `spec` asks for that `store` lacks. `show_progress=None`: only on a terminal."""
    start = time.perf_counter()
    tasks, members, plan = plan_tasks(spec)
    store.add_to_sweep(spec.name, members)
    summary = SweepSummary(spec.name, plan.requested, plan.unique, len(tasks), notes=tuple(plan.notes))
    stored = {} if force else store.fetch_many(tasks)
    hits, todo = [], []
    for key, t in tasks.items():
        (hits if _is_hit(stored.get(key), t) else todo).append(t)
    summary.cached = len(hits)
    workers = workers or os.cpu_count() or 1
    kinds: dict[str, int] = {}
    for t in tasks.values():
        kinds[t.computation] = kinds.get(t.computation, 0) + 1
    progress = Progress(kinds, workers, enabled=show_progress)
    for t in hits:
        progress.update(cached=True, kind=t.computation)

    def finished(record: CaseRecord) -> None:
        store.save(record)
        summary.computed += 1
        summary.failed += record.status == "error"
        summary.timed_out += record.status == "timeout"
        progress.update(record)

    # Cheap Jacobian tasks first, then the Macaulay2 tasks, the largest rings last; conjecture
    # checks in a second phase, each carrying the J^A it is checked against.
    size = lambda t: len(PatternVariety(t.case.arch, t.case.pattern, t.case.bias).coordinates)
    first = sorted((t for t in todo if not t.computation.startswith(CONJECTURE_PREFIX)),
                   key=lambda t: (t.computation != "dim", size(t)))
    later = [t for t in todo if t.computation.startswith(CONJECTURE_PREFIX)]
    run = (lambda batch: _run_dask(batch, finished, workers, scheduler)) if executor == "dask" else \
        (lambda batch: _run_local(batch, finished, workers))
    try:
        run(first)
        if later:
            run(_with_ideals(later, tasks, store, summary, progress))
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        progress.finish()
        summary.seconds = time.perf_counter() - start
    return summary


def _with_ideals(checks: list[Task], tasks: dict[str, Task], store: CaseStore, summary: SweepSummary,
                 progress: Progress) -> list[Task]:
    """Conjecture tasks with their stored J^A attached; those whose J^A failed are left for a
    later run (not stored, counted as failed, noted)."""
    ideal_keys = {}
    for t in tasks.values():
        if t.computation == "ideal":
            ideal_keys[t.case] = t.key
    ideals = store.fetch_many(ideal_keys.values())
    ready, waiting = [], 0
    for t in checks:
        record = ideals.get(ideal_keys.get(t.case))
        if record is None or record.status != "ok":
            waiting += 1
            progress.update(kind=t.computation)
            continue
        ready.append(dataclasses.replace(t, ideal=record.result))
    if waiting:
        summary.failed += waiting
        summary.notes += (f"{waiting} conjecture check(s) skipped: J^A not computed (timeout or error); "
                          "rerun with a longer timeout",)
    return ready


def _run_local(todo: list[Task], finished, workers: int) -> None:
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="m2bridge-worker")
    pending = set()
    queue = iter(todo)
    try:
        # Keep at most 2 tasks per worker in flight so that an interrupt leaves little queued.
        for task in queue:
            pending.add(pool.submit(compute_task, task))
            if len(pending) >= 2 * workers:
                break
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                finished(future.result())
                task = next(queue, None)
                if task is not None:
                    pending.add(pool.submit(compute_task, task))
    finally:
        for future in pending:
            future.cancel()
        close_sessions()  # kills Macaulay2 mid-case on an interrupt; the case stays uncomputed
        pool.shutdown(wait=True, cancel_futures=True)


def _run_dask(todo: list[Task], finished, workers: int, scheduler: str | None) -> None:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InputError("--executor dask needs Dask distributed: pip install 'dask[distributed]'") from None
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout=10)
        except (OSError, TimeoutError) as exc:
            raise InputError(f"--scheduler {scheduler}: cannot connect: {exc}") from None
    try:
        futures = [client.submit(compute_task, task, key=f"m2bridge-{task.key}", pure=False) for task in todo]
        for future in as_completed(futures):
            finished(future.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# --- cached results in the requested coordinates -------------------------------------------------

_NAME = re.compile(r"m_\(([0-9]+),([0-9]+),([0-9]+)\)")


def rename_result(result: dict, form) -> dict:
    """A stored canonical `ideal` result in the coordinates of the case that was asked for."""

    def rename(text: str) -> str:
        return _NAME.sub(lambda m: "m_({},{},{})".format(*form.rename_coordinate(tuple(map(int, m.groups())))), text)

    renamed = dict(result)
    renamed["generators"] = [rename(g) for g in result.get("generators", [])]
    if "variables" in result:  # in ring order (block, row, column) of the requested case
        names = [rename(v) for v in result["variables"]]
        renamed["variables"] = sorted(names, key=lambda v: tuple(map(int, _NAME.match(v).groups())))
    return renamed


def cached_result(store: CaseStore, arch, pattern, computation: str = "ideal", *, field: str = "QQ",
                  bias: bool = False, seed: int = 0, method: str = "m2",
                  max_degree: int | None = None) -> CaseRecord | None:
    """The stored record for any representative of a case, renamed to its coordinates."""
    form = canonical_form(arch, pattern, bias)
    task = make_task(form.case, computation, Field.parse(field).text, seed, 0, 0, ideal_method=method,
                     max_degree=max_degree)
    record = store.fetch(task.key)
    if record is None:
        return None
    if computation == "ideal" and record.status == "ok":
        record.result = rename_result(record.result, form)
    requested = PatternVariety(arch, pattern, bias)
    record.case = Case(requested.arch.text, requested.pattern.text, bias)
    return record
