"""Sweeps over case files, cached in the case database.

A sweep turns a case file into one task per (canonical case, computation), skips the tasks the
store already holds, computes the rest on an executor (executors.py) and saves every finished task
at once, in its own transaction, so an interrupted sweep resumes where it stopped. Progress is
reported to an optional callback (`on_progress(SweepProgress)`); the library prints nothing.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import asdict, dataclass

from ..ideals.options import available_cpus
from ..varieties.symmetry import Case
from .casefile import SweepPlan, SweepSpec
from .executors import make_executor
from .store import CaseRecord, CaseStore
from ..conjectures.verdict import proof_of
from .tasks import CONJECTURE_PREFIX, Task, make_task, running_labels


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

    def _repr_html_(self) -> str:
        from .pictures import summary_html

        return summary_html(self)


class SweepProgress:
    """Counts and an ETA, updated as tasks finish. The ETA sums, over the tasks left, the mean time of
    finished tasks of the same computation (Jacobian dims take milliseconds, Macaulay2 cases
    seconds), divided among the workers."""

    def __init__(self, kinds: dict[str, int], workers: int = 1):
        self.left = dict(kinds)
        self.total, self.done, self.workers = sum(kinds.values()), 0, max(1, workers)
        self.seconds: dict[str, list[float]] = {}
        self.counts = {"cached": 0, "failed": 0, "timed out": 0}
        self.current = ""

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
            self.seconds.setdefault(record.computation, []).append(record.seconds)
            self.current = f"{record.case.label} [{record.computation}]"

    def eta_seconds(self) -> float | None:
        seconds = 0.0
        for kind, left in self.left.items():
            if left and not self.seconds.get(kind):
                return None
            if left:
                seconds += left * sum(self.seconds[kind]) / len(self.seconds[kind])
        return seconds / self.workers

    def running_text(self) -> str:
        """The cases being computed (local workers; under Dask the case finished last)."""
        running = running_labels()
        if running:
            return "running " + "; ".join(running)
        return f"last {self.current}" if self.current else ""

    def text(self) -> str:
        eta = self.eta_seconds()
        counts = ", ".join(f"{k} {v}" for k, v in self.counts.items())
        return f"{self.done}/{self.total} done ({counts}), ETA {'?' if eta is None else f'{eta:.0f}s'} {self.current}"


def _rests_on(record: CaseRecord, proofs: frozenset) -> bool:
    """A stored conjecture check with an applicable generation verdict whose proof is one of `proofs`
    (`rank-through-degree` and `none`: not proved; a certificate's kind: proved by that rung)."""
    if not proofs or not record.computation.startswith(CONJECTURE_PREFIX) or record.status != "ok":
        return False
    return any(v.get("claim") == "generation" and v.get("applies") and proof_of(v) in proofs
               for v in record.result.get("verdicts", ()))


def _is_hit(record: CaseRecord | None, task: Task, recheck: frozenset = frozenset()) -> bool:
    if record is None:
        return False
    if _rests_on(record, recheck):
        return False
    if record.status == "timeout":  # worth retrying only with a longer time limit
        return (record.timeout or 0) >= task.options.timeout
    if record.status == "error" and record.result.get("transient"):
        return False  # Macaulay2 was killed (signal, memory cap): try again
    return True


def plan_tasks(spec: SweepSpec) -> tuple[dict[str, Task], list[tuple[Case, str]], SweepPlan]:
    plan = spec.plan()
    tasks: dict[str, Task] = {}
    members: list[tuple[Case, str]] = []
    computations = [c for c in spec.compute if c in ("ideal", "dim")]
    if "conjectures" in spec.compute:
        if "ideal" not in computations and not spec.options.certificates_first:
            computations.append("ideal")  # verdicts are checked against J^A
        computations += [CONJECTURE_PREFIX + name for name in spec.conjectures]
    hashes: dict = {}
    for requested, form in plan.cases.items():
        for computation in computations:
            task = make_task(form.case, computation, spec.options, hashes)
            tasks.setdefault(task.key, task)
            members.append((requested, task.key))
    return tasks, members, plan


def run_sweep(spec: SweepSpec, store: CaseStore, *, workers: int | None = None, executor: str = "local",
              scheduler: str | None = None, force: bool = False, recheck: frozenset = frozenset(),
              on_progress=None) -> SweepSummary:
    """Compute what `spec` asks for that `store` lacks; `on_progress(SweepProgress)` after every task.
    `recheck` (kinds of `proof`, conjectures/verdict.PROOFS): also recompute the stored conjecture
    checks with a generation verdict resting on one of them — `rank-through-degree` after the
    certificates improved, a rung's name to relabel what a cheaper rung now proves; the new record
    replaces the stored one."""
    start = time.perf_counter()
    workers = min(workers or available_cpus(), available_cpus())
    runner = make_executor(executor, workers, scheduler)
    tasks, members, plan = plan_tasks(spec)
    store.add_to_sweep(spec.name, members)
    summary = SweepSummary(spec.name, plan.requested, plan.unique, len(tasks), notes=tuple(plan.notes))
    stored = {} if force else store.fetch_many(tasks)
    hits: list[Task] = []
    todo: list[Task] = []
    for key, t in tasks.items():
        (hits if _is_hit(stored.get(key), t, frozenset(recheck)) else todo).append(t)
    summary.cached = len(hits)
    logging.getLogger(__name__).info("sweep %s: %d task(s), %d found in the case database, %d to compute on %d %s "
                                     "worker(s)", spec.name, len(tasks), len(hits), len(todo), workers, executor)
    kinds: dict[str, int] = {}
    for t in tasks.values():
        kinds[t.computation] = kinds.get(t.computation, 0) + 1
    progress = SweepProgress(kinds, workers)
    for t in hits:
        progress.update(cached=True, kind=t.computation)
    if on_progress is not None:
        on_progress(progress)  # the cached tasks at once, before the first computed one

    def finished(record: CaseRecord) -> None:
        store.save(record)
        summary.computed += 1
        summary.failed += record.status == "error"
        summary.timed_out += record.status == "timeout"
        progress.update(record)
        if on_progress is not None:
            on_progress(progress)

    # Cheap Jacobian tasks first, then the Macaulay2 tasks, the largest rings last; conjecture
    # checks in a second phase, each carrying the J^A it is checked against.
    first = sorted((t for t in todo if not t.computation.startswith(CONJECTURE_PREFIX)),
                   key=lambda t: (t.computation != "dim", len(t.case.variety.coordinates)))
    later = [t for t in todo if t.computation.startswith(CONJECTURE_PREFIX)]
    try:
        runner.run(first, finished)
        if later and spec.options.certificates_first:  # each check computes J^A itself, where it must
            runner.run(later, finished)
        elif later:
            runner.run(_with_ideals(later, tasks, store, summary, progress), finished)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        summary.seconds = time.perf_counter() - start
    return summary


def _with_ideals(checks: list[Task], tasks: dict[str, Task], store: CaseStore, summary: SweepSummary,
                 progress: SweepProgress) -> list[Task]:
    """Conjecture tasks with their stored J^A attached; those whose J^A failed are left for a
    later run (not stored, counted as failed, noted)."""
    ideal_keys = {t.case: t.key for t in tasks.values() if t.computation == "ideal"}
    ideals = store.fetch_many(ideal_keys.values())
    ready, waiting = [], 0
    for t in checks:
        key = ideal_keys.get(t.case)
        record = None if key is None else ideals.get(key)
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

