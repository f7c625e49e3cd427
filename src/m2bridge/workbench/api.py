"""The Python workflow: `sweep` (a case file or dict → `SweepResult`, with DataFrames) and `session`
(one Macaulay2 process, and optionally the case database, for many `pattern_ideal` / `check` calls).

>>> spec = {"name": "doc", "compute": ["ideal"],
...         "family": [{"architectures": ["2,2,2"], "patterns": ["10|11", "11|10"]}]}
>>> result = sweep(spec, db=":memory:", progress=False)
>>> [(r["pattern"], r["dim"], r["mingens_degrees"], r["status"]) for r in result.rows()]
[('10|11', 6, [2, 2], 'ok'), ('11|10', 6, [2, 2], 'ok')]
>>> with session() as s:
...     [s.pattern_ideal("2,2,2", p).mingens_degrees for p in ("10", "11", "10|11")], s.started
([[2], [], [2, 2]], 1)
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import flint

from .._progress import SweepBar, interactive
from ..conjectures.check import check as check_statement
from ..errors import InputError
from ..extras import require
from ..ideals.api import pattern_ideal as compute_ideal
from ..ideals.options import IdealOptions
from ..ideals.request import CONJECTURE_PREFIX, Request
from ..ideals.result import IdealResult
from ..macaulay2.process import M2Session, Macaulay2
from ..varieties.model import make_variety
from ..varieties.symmetry import Case
from ..sweeps.casefile import SweepSpec
from ..reports.differences import Difference
from ..reports.export import export_records, load_export, verify_export
from ..sweeps.renaming import form_of, rename_result
from ..reports.report import conjecture_report, format_conjecture_report, format_rows, report_rows
from ..reports.results import rows as result_rows
from ..reports.results import verdict_rows
from ..sweeps.pictures import outcome_figure, sweep_html
from ..sweeps.store import CaseIdentity, CaseRecord, CaseStore, InMemoryCaseStore, open_store
from ..sweeps.sweep import SweepSummary, run_sweep
from ..sweeps.tasks import ideal_from_record, ideal_result_json, make_task

logger = logging.getLogger("m2bridge")

FRAME_COLUMNS = ["arch", "pattern", "bias", "field", "method", "dim", "degree", "mingens_degrees", "complete",
                 "status", "seconds", "checked_through_degree", "jacobian_dim", "canonical", "method_used",
                 "generators", "error"]
VERDICT_COLUMNS = ["arch", "pattern", "bias", "field", "statement", "rank_convention", "variant", "claim", "outcome",
                   "counterexample", "contained", "generates", "checked_through_degree", "method", "ranks",
                   "families", "extra_generators", "not_contained_count", "dim", "expected_dim", "reason", "canonical"]


@dataclass
class SweepResult:
    """A sweep's summary and a snapshot of its records, in the coordinates of the requested cases.

    `rows()` / `to_dataframe()`: one row per requested case (and per field and method of J^A);
    `verdicts()` / `verdicts_dataframe()`: one row per verdict; `report(fmt)`, `export()` as the
    command line writes them. `SweepResult.load(db, name)` reads a sweep back from a database.
    """

    name: str
    store: CaseStore
    summary: SweepSummary | None = None

    @classmethod
    def load(cls, db, name: str, summary: SweepSummary | None = None) -> "SweepResult":
        """A sweep from a case database (a path, ':memory:' or an open CaseStore), copied into memory."""
        store, owned = _store(db, read_only=True)
        try:
            members = store.sweep_members(name)
            if not members:
                known = ", ".join(store.sweeps()) or "none"
                raise InputError(f"no sweep named {name!r} in the case database (known: {known})", "sweep")
            snapshot = InMemoryCaseStore()
            for record in store.fetch_many({k for _, k in members}).values():
                snapshot.save(record)
            snapshot.add_to_sweep(name, members)
        finally:
            if owned:
                store.close()
        return cls(name, snapshot, summary)

    def rows(self, per_orbit: bool = False, generators: bool | None = None) -> list[dict]:
        """Plain rows (no pandas): per requested case, or per orbit as `m2bridge report` prints them;
        `generators` (default: per case) adds J^A's generators renamed into each case (slow on a
        large sweep)."""
        generators = not per_orbit if generators is None else generators
        return result_rows(self.store, self.name, group_orbits=per_orbit, generators=generators)

    def verdicts(self) -> list[dict]:
        return verdict_rows(self.store, self.name)

    def counterexamples(self) -> list[dict]:
        """Failed claims of published statements, one per requested case and verdict, with their
        polynomials."""
        return [v for v in self.verdicts() if v["counterexample"]]

    def to_dataframe(self, generators: bool = False):
        """One row per requested case: arch, pattern, field, method, dim, degree, mingens_degrees (a
        list), complete, status, seconds, and more (needs the `dataframe` extra). The generators of
        J^A, renamed into every requested case, with `generators=True` (slow on a large sweep)."""
        columns = FRAME_COLUMNS if generators else [c for c in FRAME_COLUMNS if c != "generators"]
        return _frame(self.rows(generators=generators), columns)

    def verdicts_dataframe(self, polynomials: bool = False):
        """One row per verdict of every requested case (needs the `dataframe` extra). Extra generators
        are listed by degree and count and `not_contained_count` counts C outside J^A; the polynomials
        themselves (renamed into each requested case) with `polynomials=True`, which is slow on a
        large sweep: `counterexamples()` gives them for the failures alone."""
        columns = VERDICT_COLUMNS + (["not_contained"] if polynomials else [])
        return _frame(verdict_rows(self.store, self.name, polynomials=polynomials), columns)

    def report(self, fmt: str = "md", conjectures: bool = False) -> str:
        """The text `m2bridge report` prints (md, csv, tex or json)."""
        if conjectures:
            return format_conjecture_report(conjecture_report(self.store, self.name), fmt)
        return format_rows(report_rows(self.store, self.name), fmt)

    def export(self) -> dict:
        """The document `m2bridge export NAME` writes (json.dump it; `verify` checks it)."""
        return export_records(self.store, self.name)

    def plot_outcomes(self, statement: str | None = None, claim: str | None = None, reading: str | None = None):
        """A matplotlib Figure: one claim's outcome per architecture × orbit (sweeps/pictures.py)."""
        return outcome_figure(self.verdicts(), statement, claim, reading)

    def _repr_html_(self) -> str:
        return sweep_html(self.name, self.summary, self.rows())

    def __repr__(self) -> str:
        done = "" if self.summary is None else (f": {self.summary.computed} computed, {self.summary.cached} cached, "
                                                f"{self.summary.failed} failed, {self.summary.timed_out} timed out")
        return f"<SweepResult {self.name!r}, {self.tasks} tasks{done}>"

    @property
    def tasks(self) -> int:
        """The sweep's tasks as `m2bridge sweep` counts them: one per computation of each canonical
        case (requested cases of one orbit share theirs)."""
        if self.summary is not None:
            return self.summary.tasks
        return len({key for _, key in self.store.sweep_members(self.name)})


def _frame(rows: list[dict], columns: list[str]):
    pandas = require("pandas", "dataframe")
    extra = [c for c in (rows[0] if rows else {}) if c not in columns]
    return pandas.DataFrame(rows, columns=[c for c in columns if not rows or c in rows[0]] + extra)


def _store(db, read_only: bool = False) -> tuple[CaseStore, bool]:
    """(store, whether this module opened it and must close it)."""
    if isinstance(db, CaseStore):
        return db, False
    if db is not None and not isinstance(db, (str, Path)):
        raise InputError(f"db {db!r}: expected a path, ':memory:' or a CaseStore", "db")
    return open_store(db, read_only=read_only), True


def _spec(case_file_or_spec) -> SweepSpec:
    if isinstance(case_file_or_spec, SweepSpec):
        return case_file_or_spec
    if isinstance(case_file_or_spec, dict):
        return SweepSpec.from_dict(case_file_or_spec)
    if isinstance(case_file_or_spec, (str, Path)):
        return SweepSpec.load(case_file_or_spec)
    raise InputError(f"case_file_or_spec {case_file_or_spec!r}: expected a case file path, a dict or a SweepSpec",
                     "case_file_or_spec")


def sweep(case_file_or_spec, *, db=None, workers: int | None = None, executor: str = "local",
          scheduler: str | None = None, force: bool = False, progress=None) -> SweepResult:
    """Run a sweep from Python, as `m2bridge sweep` does, and return its results.

    `case_file_or_spec`: a case file path, a dict shaped like one (validated exactly as a TOML file)
    or a SweepSpec. `db`: the case database (default .m2bridge/cases.sqlite; ':memory:' for none;
    or an open CaseStore). `progress`: None shows a bar (tqdm.auto with the `progress` extra, else a
    status line) in a terminal or notebook but not in pipes or CI; True or False force it; a callable receives every
    SweepProgress. Notes go to the "m2bridge" logger; an interruption (Ctrl-C) raises
    KeyboardInterrupt after the finished cases are saved.
    """
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise InputError(f"workers {workers!r}: expected an integer >= 1 (or None: the CPUs available)", "workers")
    spec = _spec(case_file_or_spec)
    store, owned = _store(db)
    bar = _progress_callback(progress, spec.name)
    try:
        summary = run_sweep(spec, store, workers=workers, executor=executor, scheduler=scheduler, force=force,
                            on_progress=bar)
        result = SweepResult.load(store, spec.name, summary)
    finally:
        if hasattr(bar, "close"):
            bar.close()
        if owned:
            store.close()
    for note in summary.notes:
        logger.info("sweep %s: %s", spec.name, note)
    if summary.failed or summary.timed_out:
        logger.warning("sweep %s: %d task(s) failed, %d timed out (result.rows() has their status and error)",
                       spec.name, summary.failed, summary.timed_out)
    if summary.interrupted:
        raise KeyboardInterrupt(f"sweep {spec.name} interrupted; finished cases are saved, run it again to resume")
    return result


def verify(export, timeout: float = 600.0) -> tuple[list[Difference], int]:
    """`m2bridge verify` from Python: recompute an export (a file written by `export`, or the dict
    `SweepResult.export()` returns) from its inputs; returns (differences, records checked), one
    Difference per differing field (`str()` is the line `m2bridge verify` prints)."""
    document = load_export(str(export)) if isinstance(export, (str, Path)) else export
    return verify_export(json.loads(json.dumps(document)), timeout=timeout)


# --- progress -------------------------------------------------------------------------------------

def _progress_callback(progress, name: str):
    if callable(progress):
        return progress
    if progress is False or (progress is None and not interactive()):
        return None
    return SweepBar(name, enabled=True)  # tqdm.auto when installed (the `progress` extra), else a line


# --- sessions -------------------------------------------------------------------------------------

class Session:
    """One Macaulay2 process for many computations (start-up paid once), and optionally the case
    database: `pattern_ideal` looks a case up (any equivalent case, renamed) before computing it
    and saves what it computes; `check` takes J^A from there. A Session is also a runner:
    `m2bridge.pattern_ideal(..., m2=s)` and `m2bridge.check(..., m2=s)` use its Macaulay2.
    Keywords given to `session()` are the default options of every call (IdealOptions); the
    memory limit is fixed when Macaulay2 starts."""

    def __init__(self, db=None, options: IdealOptions | None = None, **settings):
        self.options = IdealOptions.merge(options, **settings)
        self.m2 = M2Session(Macaulay2(timeout=self.options.timeout, memory_limit=self.options.memory_limit,
                                      verbose=self.options.verbose))
        self.store: CaseStore | None = None
        self._owned = False  # the store was opened here (from a path), so closed here
        if db is not None:
            self.store, self._owned = _store(db)

    # A runner, like Macaulay2 and M2Session.
    def run_script(self, text: str):
        return self.m2.run_script(text)

    def discard(self, output) -> None:
        self.m2.discard(output)

    def version(self) -> str:
        return self.m2.version()

    @property
    def one_shot(self):
        """The `Macaulay2` behind this session's process (macaulay2.runner.Runner)."""
        return self.m2.one_shot

    @property
    def timeout(self) -> float:
        return self.m2.timeout

    @timeout.setter
    def timeout(self, seconds: float) -> None:
        self.m2.timeout = seconds

    @property
    def started(self) -> int:
        """How many Macaulay2 processes this session has started (1 unless one crashed or timed out)."""
        return self.m2.started

    def _options(self, settings: dict) -> IdealOptions:
        options = IdealOptions.merge(settings.pop("options", None) or self.options, **settings)
        self.m2.timeout = options.timeout
        return options

    def pattern_ideal(self, arch, pattern=None, *, data=None, blocks=None, bias: bool = False,
                      **settings) -> IdealResult:
        """`m2bridge.pattern_ideal` on this session's Macaulay2 (through the case database, if any)."""
        options = self._options(settings)
        variety = make_variety(arch, pattern, bias=bias, data=data, blocks=blocks)
        if self.store is None or variety.data is not None:  # the database holds J^A, not I_X^A
            return compute_ideal(variety, options=options, m2=self)
        return ideal_through_store(self.store, variety, options, m2=self)[0]

    def check(self, arch, pattern=None, name: str = "shallow-two-block", **settings):
        """`m2bridge.check` on this session's Macaulay2, with J^A from the case database, if any."""
        keywords = {k: settings.pop(k) for k in ("rank_convention", "variant", "claim", "ideal", "data", "blocks",
                                                  "bias") if k in settings}
        options = self._options(settings)
        options = Request.of(CONJECTURE_PREFIX + name, options).options  # as check() does: ker races interpolation
        if keywords.get("ideal") is None and self.store is not None and keywords.get("data") is None:
            keywords["ideal"] = self.pattern_ideal(arch, pattern, bias=keywords.get("bias", False), options=options)
        return check_statement(arch, pattern, name, options=options, m2=self, **keywords)

    def close(self) -> None:
        self.m2.close()
        if self._owned and self.store is not None:
            self.store.close()
            self.store = None

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def ideal_through_store(store: CaseStore, variety, options: IdealOptions, m2=None) -> tuple[IdealResult, bool]:
    """(J^A, found): from the case database (the same request, or a stored answer at least as
    strong: sweeps.lookup.stored_ideal), else computed for the orbit's canonical case, as a sweep
    would, saved under the request's key, and renamed into the requested coordinates."""
    from ..sweeps.lookup import stored_ideal

    found = stored_ideal(store, variety, options)
    if found is not None:
        return found, True
    return computed_into_store(store, variety, options, m2), False


def computed_into_store(store: CaseStore, variety, options: IdealOptions, m2=None) -> IdealResult:
    """J^A computed for the orbit's canonical case, as a sweep would, saved under the request's key
    (not into a read-only store), and renamed into the requested coordinates."""
    requested = Case(variety.arch.text, variety.pattern.text, variety.bias)
    form = form_of(requested)
    task = make_task(form.case, "ideal", options)
    logger.info("case database: %s not found (canonical %s %s, key %s…), computing", requested.label,
                form.case.arch, form.case.pattern, task.key[:12])
    result = compute_ideal(form.case.variety, options=task.options, m2=m2)  # as a sweep stores it
    record = _record(task, result, options)
    if store.read_only:
        logger.warning("case database %s is read-only: the computed J^A is not saved", getattr(store, "path", ""))
    else:
        store.save(record)
    # Always relabelled: even when the coordinates are the same, the requested spelling is kept.
    renamed = ideal_from_record(requested, rename_result(record.result, form), record.field)
    renamed.m2_version, renamed.seed, renamed.seconds = record.m2_version or "", record.seed, record.seconds
    return renamed


def _record(task, result: IdealResult, options: IdealOptions) -> CaseRecord:
    """A computed J^A as the record a sweep would store for the same task."""
    identity = {f.name: getattr(task, f.name) for f in dataclasses.fields(CaseIdentity)}
    return CaseRecord(**identity, status="ok", result=ideal_result_json(result), seconds=result.seconds,
                      timeout=options.timeout, m2_version=result.m2_version or None, flint_version=flint.__version__,
                      script=result.script or None, created=time.time())


def pattern_ideal(arch, pattern=None, *, data=None, blocks=None, bias: bool = False, db=None,
                  **settings) -> IdealResult:
    """J^A of `pattern` for `arch` (I_X^A when `data` is given: a path, a list of rows or a Dataset,
    with `blocks` points per block); `bias`: affine layers.

    How it is computed is `options=` (an IdealOptions) with any of its fields as keywords:
    `field` ("QQ" or "ZZ/p"), `method` ("ker", "interpolate", "auto"), `engine` ("auto",
    "macaulay2", "singular"), `max_degree`, `timeout`, `ker_timeout`, `certify_timeout`,
    `executor`, `memory_limit` (bytes), `seed`, `prime`, `lift`, `certify`, `recheck_prime`,
    `workers`, `check_dim`, `certificates_first`, `verbose`, `m2_trace` (their types, defaults and
    meanings: the keyword table of the API reference, docs/api.md; an unknown keyword raises
    InputError). `m2` runs it on a `Macaulay2`, an `M2Session` or a `Session`. With `db` (a case
    database path or an open CaseStore) a case stored there, or any case of its symmetry orbit, is
    answered from it — the same request or a stored answer at least as strong — and a case computed
    is saved there.

    >>> pattern_ideal("2,2,2", "10", method="ker").mingens_degrees
    [2]
    """
    keywords = dict(data=data, blocks=blocks, bias=bias, **settings)
    if db is None:
        return compute_ideal(arch, pattern, **keywords)
    with Session(db) as s:
        return s.pattern_ideal(arch, pattern, **{k: v for k, v in keywords.items() if k != "m2"})


def check(arch, pattern=None, name: str = "shallow-two-block", *, db=None, **keywords):
    """`m2bridge.check`: one verdict as `conjectures.check.check` gives it; with `db`, J^A is taken
    from the case database (up to symmetry; computed and saved there when missing).

    `name` is the statement (`shallow-two-block`, `deep-two-block`, `single-block`, `rank-sum`,
    `dimension`, `mine`). Keywords: `rank_convention` ("literal" or "generic"), `variant` (None,
    or "union" for shallow-two-block), `claim` ("containment", "generation", "dimension"; default
    the statement's principal claim), `ideal` (an IdealResult already computed), `data`, `blocks`
    and `bias` (the case, as for `pattern_ideal`), `options` and `m2`, and every field of
    IdealOptions, as for `pattern_ideal`.
    """
    if db is None:
        return check_statement(arch, pattern, name, **keywords)
    with Session(db) as s:
        return s.check(arch, pattern, name, **keywords)


def session(db=None, **settings) -> Session:
    """`with m2bridge.session() as s:` — one Macaulay2 for every `s.pattern_ideal(...)` and
    `s.check(...)` (or any call given `m2=s`); `db=` a case database to use and fill."""
    return Session(db, **settings)


__all__ = ["Session", "SweepResult", "check", "open_store", "pattern_ideal", "session", "sweep", "verify"]
