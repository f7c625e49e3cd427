"""scripts/results-db.py: the databases behind docs/results survive a fresh clone (save, restore)."""

import sqlite3
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "results-db.py"


def run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True)


def test_a_saved_database_is_restored_with_every_row_only_where_none_exists(tmp_path):
    build, kept = tmp_path / "build", tmp_path / "kept"
    build.mkdir()
    db = build / "conjecture-6.1.sqlite"
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA journal_mode=WAL")  # rows still in the log are saved too
        connection.execute("CREATE TABLE cases (key TEXT PRIMARY KEY, result TEXT)")
        connection.executemany("INSERT INTO cases VALUES (?, ?)", [(f"k{i}", "{}") for i in range(50)])
        done = run("save", "conjecture-6.1", "--build", build, "--kept", kept)
    connection.close()
    assert done.returncode == 0 and "saved" in done.stdout, done.stderr
    first = (kept / "conjecture-6.1.sqlite.gz").read_bytes()
    assert run("save", "conjecture-6.1", "--build", build, "--kept", kept).returncode == 0
    second = (kept / "conjecture-6.1.sqlite.gz").read_bytes()
    assert run("save", "conjecture-6.1", "--build", build, "--kept", kept).returncode == 0
    assert (kept / "conjecture-6.1.sqlite.gz").read_bytes() == second  # unchanged database, unchanged file
    assert len(first) > 0

    fresh = tmp_path / "fresh"
    done = run("restore", "conjecture-6.1", "--build", fresh, "--kept", kept)
    assert done.returncode == 0 and "restored" in done.stdout, done.stderr
    with sqlite3.connect(fresh / "conjecture-6.1.sqlite") as connection:
        assert connection.execute("SELECT count(*) FROM cases").fetchone()[0] == 50
    connection.close()
    assert "exists, kept" in run("restore", "conjecture-6.1", "--build", fresh, "--kept", kept).stdout
    assert "from scratch" in run("restore", "deep-two-block", "--build", fresh, "--kept", kept).stdout


def test_a_damaged_copy_is_one_line_and_leaves_nothing(tmp_path):
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "conjecture-6.1.sqlite.gz").write_bytes(b"not gzip")
    done = run("restore", "conjecture-6.1", "--build", tmp_path / "build", "--kept", kept)
    assert done.returncode != 0 and len(done.stderr.strip().splitlines()) == 1 and "gzip" in done.stderr
    assert list((tmp_path / "build").iterdir()) == []
    done = run("save", "nonsense", "--kept", kept)
    assert done.returncode != 0 and "unknown database 'nonsense'" in done.stderr
