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
import hashlib
import json
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import InputError
from ..varieties.symmetry import Case

DEFAULT_DB = Path(".m2bridge") / "cases.sqlite"
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
        data["case"] = Case(**data["case"])
        return cls(**data)


class CaseStore(abc.ABC):
    """Where results live. Implementations must make `save` atomic per record."""

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

    def close(self) -> None:
        pass


class InMemoryCaseStore(CaseStore):
    def __init__(self):
        self._records: dict[str, CaseRecord] = {}
        self._sweeps: dict[str, dict[tuple[Case, str], None]] = {}

    def save(self, record):
        self._records[record.key] = CaseRecord.from_json(record.to_json())

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


class SQLiteCaseStore(CaseStore):
    """An SQLite file in WAL mode: readers never block the single writer, and a killed writer
    loses at most the case it was writing (each finished case is its own transaction)."""

    def __init__(self, path: "str | Path" = DEFAULT_DB):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except (sqlite3.DatabaseError, OSError) as exc:
            raise InputError(f"case database {str(self.path)!r}: {exc}") from None

    def save(self, record):
        row = self._row(record)
        with self._db:  # one transaction
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(
                f"INSERT OR REPLACE INTO cases ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                row,
            )

    @staticmethod
    def _row(r: CaseRecord) -> tuple:
        return (r.key, r.case.arch, r.case.pattern, int(r.case.bias), r.computation, r.field, r.method,
                r.template_hash, r.seed, r.status, json.dumps(r.result), r.error, r.seconds, r.timeout,
                r.m2_version, r.flint_version, r.script, r.created or time.time())

    @staticmethod
    def _record(row) -> CaseRecord:
        d = dict(zip(_COLUMNS, row))
        return CaseRecord(
            key=d["key"], case=Case(d["arch"], d["pattern"], bool(d["bias"])), computation=d["computation"],
            field=d["field"], method=d["method"], template_hash=d["template_hash"], seed=d["seed"],
            status=d["status"], result=json.loads(d["result"]), error=d["error"], seconds=d["seconds"],
            timeout=d["timeout"], m2_version=d["m2_version"], flint_version=d["flint_version"],
            script=d["script"], created=d["created"],
        )

    def fetch(self, key):
        row = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM cases WHERE key = ?", (key,)).fetchone()
        return None if row is None else self._record(row)

    def records(self, keys=None):
        select = f"SELECT {', '.join(_COLUMNS)} FROM cases"
        if keys is None:
            return [self._record(r) for r in self._db.execute(select + " ORDER BY arch, pattern, computation")]
        out = []
        keys = list(keys)
        for start in range(0, len(keys), 500):  # SQLite's limit on bound parameters
            chunk = keys[start : start + 500]
            rows = self._db.execute(select + f" WHERE key IN ({', '.join('?' * len(chunk))})", chunk)
            out.extend(self._record(r) for r in rows)
        return out

    def add_to_sweep(self, sweep, members):
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT OR IGNORE INTO sweep_members (sweep, arch, pattern, bias, key) VALUES (?, ?, ?, ?, ?)",
                [(sweep, c.arch, c.pattern, int(c.bias), key) for c, key in members],
            )

    def sweep_members(self, sweep):
        rows = self._db.execute(
            "SELECT arch, pattern, bias, key FROM sweep_members WHERE sweep = ? ORDER BY arch, pattern", (sweep,)
        )
        return [(Case(a, p, bool(b)), k) for a, p, b, k in rows]

    def sweeps(self):
        return [r[0] for r in self._db.execute("SELECT DISTINCT sweep FROM sweep_members ORDER BY sweep")]

    def close(self):
        self._db.close()


def open_store(path: "str | Path | None" = None) -> CaseStore:
    """`--db PATH`: an SQLite file (default .m2bridge/cases.sqlite), or ':memory:' for no file."""
    if str(path) == ":memory:":
        return InMemoryCaseStore()
    return SQLiteCaseStore(path or DEFAULT_DB)
