"""The case database under faults, on real SQLite files: read-only files and directories, a
missing file, unreadable rows, garbage and truncated files, another process's lock, a full disk.
Each fault is one line (InputError or StoreError), and what was saved before stays readable."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from m2bridge.errors import InputError, StoreError
from m2bridge.sweeps import store as store_module
from m2bridge.sweeps.store import CaseRecord, SQLiteCaseStore, open_store
from m2bridge.varieties.symmetry import Case

from clitools import invoke
from conftest import run_cli

PATTERNS = ["10", "11", "10|01"]


def record(pattern: str, seed: int = 0, **result) -> CaseRecord:
    rec = CaseRecord.new(Case("2,2,2", pattern), "ideal", "QQ", "ker", "abc", seed)
    rec.result = result or {"dim": 3}
    return rec


def filled(path: Path, patterns=PATTERNS) -> list[str]:
    """A database with one record per pattern (closed again); their keys."""
    store = open_store(path)
    keys = []
    for p in patterns:
        rec = record(p)
        store.save(rec)
        keys.append(rec.key)
    store.add_to_sweep("s", [(Case("2,2,2", p), k) for p, k in zip(patterns, keys)])
    store.close()
    return keys


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in text, text
    return lines[0]


@pytest.fixture
def tmpfs(tmp_path):
    """make(size) → a fresh tmpfs directory (unmounted afterwards), or None where mounting is not
    permitted."""
    mounted = []

    def make(size: str) -> Path | None:
        where = tmp_path / f"fs{len(mounted)}"
        where.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            return None
        mounted.append(where)
        return where

    yield make
    for where in reversed(mounted):
        subprocess.run(["umount", str(where)], capture_output=True)


# --- read-only -----------------------------------------------------------------------------------


@pytest.fixture
def read_only_db(tmp_path, tmpfs) -> tuple[Path, list[str]]:
    """A database file of mode 0444 in a directory of mode 0555 that this process cannot write:
    as root (who ignores modes), on a tmpfs remounted read-only."""
    if os.geteuid() != 0:
        where = tmp_path / "ro"
        where.mkdir()
    else:
        where = tmpfs("4m")
        if where is None:
            pytest.skip("root cannot be kept from writing without a read-only mount, and mount is not permitted")
    path = where / "cases.sqlite"
    keys = filled(path)
    path.chmod(0o444)
    where.chmod(0o555)
    if os.geteuid() == 0:
        done = subprocess.run(["mount", "-o", "remount,ro", str(where)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    yield path, keys
    if os.geteuid() != 0:
        where.chmod(0o755)


def test_read_only_store_reads_a_read_only_file_in_a_read_only_directory(read_only_db):
    path, keys = read_only_db
    before = sorted(os.listdir(path.parent))
    store = open_store(path, read_only=True)
    assert sorted(r.key for r in store.records()) == sorted(keys)
    assert store.fetch(keys[0]).case == Case("2,2,2", "10")
    assert [k for _, k in store.sweep_members("s")] and store.sweeps() == ["s"]
    with pytest.raises(StoreError, match="cannot be written"):
        store.save(record("11", seed=1))
    store.close()
    assert sorted(os.listdir(path.parent)) == before


def test_report_reads_a_read_only_database(read_only_db):
    path, _ = read_only_db
    done = run_cli("report", "--db", str(path), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert [row["status"] for row in json.loads(done.stdout)].count("ok") == len(PATTERNS), done.stdout


def test_read_only_store_of_a_missing_file_names_it_and_creates_nothing(tmp_path):
    path = tmp_path / "nowhere" / "cases.sqlite"
    with pytest.raises(InputError, match="does not exist") as info:
        open_store(path, read_only=True)
    assert str(path) in str(info.value)
    done = run_cli("report", "--db", str(path))
    assert done.returncode == 2, done.stderr
    assert str(path) in one_line(done.stderr)
    assert not path.parent.exists()


# --- unreadable rows -------------------------------------------------------------------------------


def spoil(path: Path, key: str, result) -> None:
    """Overwrite one row's result behind the store's back (the schema's NOT NULL dropped first for
    a null, as an older or hand-edited file could have it)."""
    db = sqlite3.connect(path)
    if result is None:
        columns = ", ".join(r[1] for r in db.execute("PRAGMA table_info(cases)"))
        db.executescript(
            "CREATE TABLE spoiled AS SELECT * FROM cases; DROP TABLE cases;"
            "CREATE TABLE cases (key TEXT PRIMARY KEY, arch TEXT, pattern TEXT, bias INTEGER, computation TEXT,"
            " field TEXT, method TEXT, template_hash TEXT, seed INTEGER, status TEXT, result TEXT, error TEXT,"
            " seconds REAL, timeout REAL, m2_version TEXT, flint_version TEXT, script TEXT, created REAL);"
            f"INSERT INTO cases ({columns}) SELECT {columns} FROM spoiled; DROP TABLE spoiled;")
    db.execute("UPDATE cases SET result = ? WHERE key = ?", (result, key))
    db.commit()
    db.close()


@pytest.mark.parametrize("bad", ["{not json", None, "[1, 2]"], ids=["invalid-json", "null", "not-an-object"])
def test_an_unreadable_row_is_skipped_and_reported_by_key(tmp_path, bad):
    path = tmp_path / "cases.sqlite"
    keys = filled(path)
    spoil(path, keys[1], bad)
    seen = []
    store = SQLiteCaseStore(path, on_problem=lambda key, reason: seen.append(key))
    assert sorted(r.key for r in store.records()) == sorted([keys[0], keys[2]])
    assert sorted(store.fetch_many(keys)) == sorted([keys[0], keys[2]])
    assert store.fetch(keys[1]) is None and store.fetch(keys[0]) is not None
    assert [k for k, _ in store.problems] == [keys[1]] and seen == [keys[1]]
    store.save(record("11"))  # a new result replaces the bad row
    assert store.fetch(keys[1]).result == {"dim": 3}
    store.close()


def test_report_and_export_skip_an_unreadable_row_with_a_warning(tmp_path):
    path = tmp_path / "cases.sqlite"
    keys = filled(path)
    spoil(path, keys[1], "{not json")
    done = run_cli("report", "--db", str(path), "--sweep", "s", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert keys[1] in done.stderr and "skipped" in done.stderr, done.stderr
    assert [row["status"] for row in json.loads(done.stdout)].count("ok") == len(PATTERNS) - 1, done.stdout
    out = tmp_path / "export.json"
    done = run_cli("export", "s", "--db", str(path), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert out.is_file() and keys[1] in done.stderr, done.stderr


def test_a_sweep_recomputes_a_case_whose_row_is_unreadable(tmp_path):
    casefile = tmp_path / "cases.toml"
    casefile.write_text('[sweep]\nname = "dims"\ncompute = ["dim"]\n\n'
                        '[[sweep.family]]\narchitectures = ["2,2,2"]\npatterns = ["10", "11"]\n')
    path = tmp_path / "cases.sqlite"
    done = run_cli("sweep", str(casefile), "--db", str(path))
    assert done.returncode == 0, done.stderr
    store = open_store(path, read_only=True)
    first = store.records()
    store.close()
    spoil(path, first[0].key, "{not json")
    done = run_cli("sweep", str(casefile), "--db", str(path))
    assert done.returncode == 0, done.stderr
    assert "1 computed, 1 cached" in done.stdout, done.stdout
    store = open_store(path, read_only=True)
    assert sorted(r.result["dim"] for r in store.records()) == sorted(r.result["dim"] for r in first)
    assert store.problems == []
    store.close()


# --- corrupted files -------------------------------------------------------------------------------


def garbage(path: Path) -> None:
    path.write_bytes(os.urandom(8192))


def truncated(path: Path) -> None:
    filled(path, [f"{a}{b}|{c}{d}" for a in "01" for b in "01" for c in "01" for d in "01"][:12])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 100])


@pytest.mark.parametrize("damage", [garbage, truncated])
@pytest.mark.parametrize("read_only", [False, True], ids=["read-write", "read-only"])
def test_a_corrupted_file_is_one_input_error_naming_it(tmp_path, damage, read_only):
    path = tmp_path / "cases.sqlite"
    damage(path)
    with pytest.raises(InputError, match="corrupted or not an SQLite database") as info:
        store = open_store(path, read_only=read_only)
        store.records()  # on open, or at the latest on the first read
    assert str(path) in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("damage", [garbage, truncated])
def test_report_on_a_corrupted_file_is_one_line(tmp_path, damage):
    path = tmp_path / "cases.sqlite"
    damage(path)
    done = run_cli("report", "--db", str(path))
    assert done.returncode == 2, done.stderr
    assert str(path) in one_line(done.stderr)


# --- another process's lock --------------------------------------------------------------------------

HOLD = ("import sqlite3, sys, time\n"
        "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "db.execute('BEGIN IMMEDIATE')\n"
        "print('holding', flush=True)\n"
        "time.sleep(600)\n")


@pytest.fixture
def locked(tmp_path):
    """A database with saved records, and another process holding a write transaction on it."""
    path = tmp_path / "cases.sqlite"
    keys = filled(path)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "holding\n", holder.stderr.read()
    yield path, keys
    holder.kill()
    holder.wait()


def test_a_locked_database_is_one_store_error_and_loses_nothing(locked):
    path, keys = locked
    store = SQLiteCaseStore(path, busy_timeout=0.2)
    with pytest.raises(StoreError, match="is locked by another process") as info:
        store.save(record("11", seed=7))
    assert str(path) in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(StoreError, match="is locked"):
        store.add_to_sweep("t", [(Case("2,2,2", "10"), keys[0])])
    assert sorted(r.key for r in store.records()) == sorted(keys)  # readers are not blocked (WAL)
    store.close()


def test_sweep_on_a_locked_database_says_so_in_one_line(locked, tmp_path, monkeypatch):
    path, keys = locked
    casefile = tmp_path / "cases.toml"
    casefile.write_text('[sweep]\nname = "dims"\ncompute = ["dim"]\n\n'
                        '[[sweep.family]]\narchitectures = ["2,2,2"]\npatterns = ["10"]\n')
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 0.2)
    done = invoke("sweep", str(casefile), "--db", str(path))
    assert done.returncode == 1, done.stderr
    assert "is locked by another process" in one_line(done.stderr)
    store = open_store(path, read_only=True)
    assert sorted(r.key for r in store.records()) == sorted(keys)
    store.close()


# --- a full disk ------------------------------------------------------------------------------------


class _FullDisk(sqlite3.Connection):
    """Only where no small filesystem can be mounted: a connection whose inserts fail as SQLite's
    do on a full disk."""

    full = False

    def execute(self, sql, *args):
        if _FullDisk.full and sql.lstrip().upper().startswith("INSERT"):
            raise sqlite3.OperationalError("database or disk is full")
        return super().execute(sql, *args)


def test_a_full_disk_is_one_store_error_and_keeps_what_was_saved(tmp_path, tmpfs, monkeypatch):
    where = tmpfs("256k")
    if where is None:
        real_connect = sqlite3.connect
        monkeypatch.setattr(store_module.sqlite3, "connect",
                            lambda *a, **kw: real_connect(*a, factory=_FullDisk, **kw))
        where = tmp_path
    path = where / "cases.sqlite"
    store = open_store(path)
    saved = []
    with pytest.raises(StoreError, match="the disk is full") as info:
        for seed in range(10_000):
            if where is tmp_path and seed == 3:
                _FullDisk.full = True
            rec = record("10", seed=seed, pad="x" * 4000)
            store.save(rec)
            saved.append(rec.key)
    _FullDisk.full = False
    assert str(path) in str(info.value) and "\n" not in str(info.value)
    assert saved, "nothing could be saved at all"
    assert sorted(r.key for r in store.records()) == sorted(saved)
    store.close()
    reopened = open_store(path, read_only=True)
    assert sorted(r.key for r in reopened.records()) == sorted(saved)
    reopened.close()
