"""Step 5 of the pipeline: the case database that caches every result.

`CaseStore` is a small abstract store in the spirit of Hypothesis's ExampleDatabase: `save`,
`fetch`, `records` and sweep membership, with interchangeable implementations — `SQLiteCaseStore`
(the default, one WAL-mode file, one transaction per finished case) and `InMemoryCaseStore`.

A record's key hashes what determines the result: the canonical case, the computation, the field,
the method, the template hash (a changed template is a cache miss) and the random seed.

>>> store = InMemoryCaseStore()
>>> rec = CaseRecord.new(Case("2,2,2", "10|11"), "ideal", "QQ", "m2-ker", "abc", 0)
>>> rec.status = "ok"
>>> store.save(rec)
>>> store.fetch(rec.key).case
Case(arch='2,2,2', pattern='10|11', bias=False)
"""

from __future__ import annotations

import abc
import contextlib
import hashlib
import json
import logging
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import InputError, StoreError
from ..varieties.symmetry import Case
from .readonly import _BUSY, _CANTOPEN, _CORRUPT, _FULL, _LOCKED, _NOTADB, _READONLY, _code, open_compressed, open_read_only

DEFAULT_DB = Path(".m2bridge") / "cases.sqlite"
BUSY_TIMEOUT = 60.0  # seconds a store waits for another process's write transaction
STATUSES = ("ok", "timeout", "error")


def case_key(case: Case, computation: str, field_: str, method: str, template_hash: str, seed: int) -> str:
    payload = json.dumps(
        [case.arch, case.pattern, case.bias, computation, field_, method, template_hash, seed]
    )
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass
class CaseIdentity:
    """What determines a result, and its key (shared by a sweep's tasks and the stored records)."""

    key: str
    case: Case
    computation: str
    field: str
    method: str
    template_hash: str
    seed: int


@dataclass
class CaseRecord(CaseIdentity):
    """One computed (or failed) case, with everything needed to reproduce it."""

    status: str = "ok"
    result: dict = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0
    timeout: float | None = None
    m2_version: str | None = None
    flint_version: str | None = None
    script: str | None = None
    created: float = 0.0

    @classmethod
    def new(cls, case: Case, computation: str, field_: str, method: str, template_hash: str, seed: int,
            **kw) -> "CaseRecord":
        key = case_key(case, computation, field_, method, template_hash, seed)
        return cls(key, case, computation, field_, method, template_hash, seed, **kw)

    def to_json(self) -> dict:
        data = asdict(self)
        data["case"] = asdict(self.case)
        return data

    @classmethod
    def from_json(cls, data: dict) -> "CaseRecord":
        data = dict(data)
        case = data["case"]
        data["case"] = case if isinstance(case, Case) else Case(**case)
        return cls(**data)


class CaseStore(abc.ABC):
    """Where results live. Implementations must make `save` atomic per record.

    A stored row that cannot be read back (invalid JSON, a null result, a case that no longer
    parses) is left out of `fetch`, `records` and `fetch_many` and listed in `problems` as
    (key, reason), so that one bad row never stops a report, an export or a sweep (a sweep simply
    computes that case again and overwrites the row).
    """

    problems: list[tuple[str, str]]
    read_only = False  # a store that refuses `save` (SQLite opened read-only, a compressed file)

    @abc.abstractmethod
    def save(self, record: CaseRecord) -> None: ...

    @abc.abstractmethod
    def fetch(self, key: str) -> CaseRecord | None: ...

    @abc.abstractmethod
    def records(self, keys=None) -> list[CaseRecord]:
        """All records, or those with the given keys (missing keys are left out)."""

    @abc.abstractmethod
    def add_to_sweep(self, sweep: str, members: list[tuple[Case, str]]) -> None:
        """Remember that `sweep` asked for these (requested case, key) pairs."""

    @abc.abstractmethod
    def sweep_members(self, sweep: str) -> list[tuple[Case, str]]: ...

    @abc.abstractmethod
    def sweeps(self) -> list[str]: ...

    def fetch_many(self, keys) -> dict[str, CaseRecord]:
        return {r.key: r for r in self.records(list(keys))}

    def case_records(self, case: Case, computation: str) -> list[CaseRecord]:
        """Every stored record of one canonical case and computation, whatever its method, field,
        templates or seed (a reader picks the strongest that answers its question)."""
        return [r for r in self.records() if r.case == case and r.computation == computation]

    def close(self) -> None:
        pass


class InMemoryCaseStore(CaseStore):
    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []
        self._records: dict[str, CaseRecord] = {}
        self._sweeps: dict[str, dict[tuple[Case, str], None]] = {}

    def save(self, record):
        # a copy (JSON round trip), sharing only the immutable, already parsed case
        self._records[record.key] = CaseRecord.from_json(dict(record.to_json(), case=record.case))

    def fetch(self, key):
        return self._records.get(key)

    def records(self, keys=None):
        if keys is None:
            return list(self._records.values())
        return [self._records[k] for k in keys if k in self._records]

    def add_to_sweep(self, sweep, members):
        self._sweeps.setdefault(sweep, {}).update(dict.fromkeys(members))

    def sweep_members(self, sweep):
        return list(self._sweeps.get(sweep, {}))

    def sweeps(self):
        return sorted(self._sweeps)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    key TEXT PRIMARY KEY,
    arch TEXT NOT NULL, pattern TEXT NOT NULL, bias INTEGER NOT NULL,
    computation TEXT NOT NULL, field TEXT NOT NULL, method TEXT NOT NULL,
    template_hash TEXT NOT NULL, seed INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'timeout', 'error')),
    result TEXT NOT NULL, error TEXT, seconds REAL NOT NULL, timeout REAL,
    m2_version TEXT, flint_version TEXT, script TEXT, created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sweep_members (
    sweep TEXT NOT NULL, arch TEXT NOT NULL, pattern TEXT NOT NULL, bias INTEGER NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (sweep, arch, pattern, bias, key)
);
"""
_COLUMNS = ("key", "arch", "pattern", "bias", "computation", "field", "method", "template_hash", "seed",
            "status", "result", "error", "seconds", "timeout", "m2_version", "flint_version", "script",
            "created")


# SQLite's primary result codes (sqlite3.Error.sqlite_errorcode & 0xFF).


class SQLiteCaseStore(CaseStore):
    """An SQLite file in WAL mode: readers never block the single writer, and a killed writer
    loses at most the case it was writing (each finished case is its own transaction).

    `read_only`: open an existing file without writing anything (also in a read-only directory);
    a missing file is an InputError. `busy_timeout`: seconds to wait for another process's write
    transaction (default BUSY_TIMEOUT). `on_problem(key, reason)` is called for each unreadable
    row (default: a warning on the "m2bridge" logger); `problems` lists them. Failures are one line
    each: InputError for a missing, corrupted or non-database file, StoreError for a locked
    database, a full disk, an I/O error — after which every record saved before is still there.
    """

    def __init__(self, path: "str | Path" = DEFAULT_DB, *, read_only: bool = False, busy_timeout: float | None = None,
                 on_problem=None):
        self.path = Path(path)
        self.read_only = read_only
        self.busy_timeout = BUSY_TIMEOUT if busy_timeout is None else float(busy_timeout)
        self.problems: list[tuple[str, str]] = []
        self._on_problem = on_problem
        self._db: sqlite3.Connection | None = None
        self.compressed = self.path.suffix == ".gz"  # a shipped results/*.sqlite.gz, read in memory
        self.read_only = read_only = read_only or self.compressed
        if read_only:
            if not self.path.is_file():
                what = "is not a file" if self.path.exists() else "does not exist"
                raise InputError(f"case database {str(self.path)!r} {what}")
        elif self.path != Path(DEFAULT_DB) and not self.path.parent.is_dir():
            # Only the default's own folder (.m2bridge) is made: a mistyped folder is an error, not a new tree.
            raise InputError(f"case database {str(self.path)!r}: the directory {str(self.path.parent)!r} does not exist")
        else:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(f"case database {str(self.path)!r}: {exc.strerror or exc}") from None
        with self._errors("opening it"):
            if self.compressed:
                self._db = open_compressed(self.path)
            else:
                self._db = open_read_only(self.path, self.busy_timeout) if read_only else self._open()

    @property
    def _connection(self) -> sqlite3.Connection:
        """The open database; StoreError once `close()` was called."""
        if self._db is None:
            raise StoreError(f"case database {str(self.path)!r} was closed", str(self.path))
        return self._db

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
        except BaseException:
            db.close()
            raise
        return db

    def _refuse_writes(self) -> None:
        if self.read_only:
            how = "compressed (gunzip it to add to it)" if self.compressed else "opened read-only"
            raise StoreError(f"case database {str(self.path)!r} cannot be written: it is {how}", str(self.path))

    @contextlib.contextmanager
    def _errors(self, doing: str):
        """sqlite3 errors → one-line InputError (bad file) or StoreError (locked, full, I/O)."""
        try:
            yield
        except sqlite3.Error as exc:
            raise self._translate(exc, doing) from None

    def _translate(self, exc: sqlite3.Error, doing: str) -> Exception:
        name, text, code = str(self.path), str(exc).replace("\n", " "), _code(exc)
        if code in (_BUSY, _LOCKED) or "locked" in text:
            return StoreError(f"case database {name!r} is locked by another process (waited {self.busy_timeout:g} s "
                              f"while {doing}); run again when it has finished", name)
        if code == _FULL or "is full" in text:
            return StoreError(f"case database {name!r}: the disk is full ({text}) while {doing}; the records "
                              "saved before are kept", name)
        if code in (_NOTADB, _CORRUPT) or "not a database" in text or "malformed" in text:
            return InputError(f"case database {name!r} is corrupted or not an SQLite database ({text})")
        if code == _READONLY:
            return StoreError(f"case database {name!r} cannot be written ({text}) while {doing}", name)
        if code == _CANTOPEN:
            return InputError(f"case database {name!r} cannot be opened ({text})")
        return StoreError(f"case database {name!r}: {text} while {doing}", name)

    def _problem(self, key: str, reason: str) -> None:
        if any(k == key for k, _ in self.problems):
            return
        self.problems.append((key, reason))
        if self._on_problem is not None:
            self._on_problem(key, reason)
        else:
            logging.getLogger("m2bridge").warning("case database %s: record %s skipped: %s", self.path, key, reason)

    def save(self, record):
        self._refuse_writes()
        row = self._row(record)
        with self._errors("saving a record"):
            try:
                self._connection.execute("BEGIN IMMEDIATE")  # one transaction
                self._connection.execute(
                    f"INSERT OR REPLACE INTO cases ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                    row,
                )
                self._connection.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        if self._db is not None and self._db.in_transaction:
            try:
                self._connection.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    @staticmethod
    def _row(r: CaseRecord) -> tuple:
        return (r.key, r.case.arch, r.case.pattern, int(r.case.bias), r.computation, r.field, r.method,
                r.template_hash, r.seed, r.status, json.dumps(r.result), r.error, r.seconds, r.timeout,
                r.m2_version, r.flint_version, r.script, r.created or time.time())

    @staticmethod
    def _record(row) -> CaseRecord:
        d = dict(zip(_COLUMNS, row))
        if d["result"] is None:
            raise ValueError("its result is null")
        result = json.loads(d["result"])
        if not isinstance(result, dict):
            raise ValueError(f"its result is {type(result).__name__}, not an object")
        if d["computation"].startswith("conjectures:") and d["status"] == "ok":
            verdicts = result.get("verdicts")
            if not isinstance(verdicts, list) or not all(
                    isinstance(v, dict) and all(isinstance(v.get(k), str) for k in ("statement", "claim", "outcome"))
                    for v in verdicts):
                raise ValueError("its verdicts are not a list of objects with a statement, a claim and an outcome")
        return CaseRecord(
            key=d["key"], case=Case(d["arch"], d["pattern"], bool(d["bias"])), computation=d["computation"],
            field=d["field"], method=d["method"], template_hash=d["template_hash"], seed=d["seed"],
            status=d["status"], result=result, error=d["error"], seconds=d["seconds"],
            timeout=d["timeout"], m2_version=d["m2_version"], flint_version=d["flint_version"],
            script=d["script"], created=d["created"],
        )

    def _readable(self, rows) -> list[CaseRecord]:
        out = []
        for row in rows:
            try:
                out.append(self._record(row))
            except (ValueError, TypeError, KeyError) as exc:  # InputError and JSONDecodeError are ValueErrors
                self._problem(str(row[0]), f"unreadable row ({type(exc).__name__}: {exc})")
        return out

    def fetch(self, key):
        with self._errors("reading"):
            rows = self._connection.execute(f"SELECT {', '.join(_COLUMNS)} FROM cases WHERE key = ?", (key,)).fetchall()
        found = self._readable(rows)
        return found[0] if found else None

    def records(self, keys=None):
        select = f"SELECT {', '.join(_COLUMNS)} FROM cases"
        with self._errors("reading"):
            if keys is None:
                return self._readable(self._connection.execute(select + " ORDER BY arch, pattern, computation").fetchall())
            out = []
            keys = list(keys)
            for start in range(0, len(keys), 500):  # SQLite's limit on bound parameters
                chunk = keys[start : start + 500]
                rows = self._connection.execute(select + f" WHERE key IN ({', '.join('?' * len(chunk))})", chunk).fetchall()
                out.extend(self._readable(rows))
            return out

    def case_records(self, case, computation):
        select = f"SELECT {', '.join(_COLUMNS)} FROM cases WHERE arch = ? AND pattern = ? AND bias = ? AND computation = ?"
        with self._errors("reading"):
            rows = self._connection.execute(select, (case.arch, case.pattern, int(case.bias), computation)).fetchall()
        return self._readable(rows)

    def add_to_sweep(self, sweep, members):
        self._refuse_writes()
        with self._errors("recording the sweep"):
            try:
                self._connection.execute("BEGIN IMMEDIATE")
                self._connection.executemany(
                    "INSERT OR IGNORE INTO sweep_members (sweep, arch, pattern, bias, key) VALUES (?, ?, ?, ?, ?)",
                    [(sweep, c.arch, c.pattern, int(c.bias), key) for c, key in members],
                )
                self._connection.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    def sweep_members(self, sweep):
        with self._errors("reading"):
            rows = self._connection.execute(
                "SELECT arch, pattern, bias, key FROM sweep_members WHERE sweep = ? ORDER BY arch, pattern", (sweep,)
            ).fetchall()
        out = []
        for a, p, b, k in rows:
            try:
                out.append((Case(a, p, bool(b)), k))
            except (ValueError, TypeError) as exc:
                self._problem(str(k), f"unreadable sweep member ({type(exc).__name__}: {exc})")
        return out

    def sweeps(self):
        with self._errors("reading"):
            return [r[0] for r in self._connection.execute("SELECT DISTINCT sweep FROM sweep_members ORDER BY sweep")]

    def close(self):
        if self._db is not None:
            self._db.close()
            self._db = None


def open_store(path: "str | Path | None" = None, read_only: bool = False, **options) -> CaseStore:
    """`--db PATH`: an SQLite file (default .m2bridge/cases.sqlite), or ':memory:' for no file.

    `read_only=True` (report, export): the file must exist and is never written. `options` go to
    SQLiteCaseStore (busy_timeout, on_problem).
    """
    if str(path) == ":memory:":
        return InMemoryCaseStore()
    return SQLiteCaseStore(path or DEFAULT_DB, read_only=read_only, **options)
