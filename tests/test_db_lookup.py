"""`ideal --db`: a hit says it is one, a stored answer at least as strong serves a weaker request
(proved by a Macaulay2 that cannot start), a miss is computed and saved, and the case is reported
under the spelling that was asked for."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli
from m2bridge.sweeps.store import open_store

NO_M2 = {"M2BRIDGE_M2": "/nonexistent/M2", "M2BRIDGE_SINGULAR": "/nonexistent/Singular"}


def _ideal(db, pattern, *flags, env=None):
    done = run_cli("ideal", "--arch", "2,2,2", "--pattern", pattern, "--db", db, "--json", *flags, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.m2
def test_a_miss_is_computed_saved_and_then_a_hit(tmp_path):
    db = str(tmp_path / "c.sqlite")
    first = _ideal(db, "10|11")
    assert first["case_database"] == {"path": db, "found": False, "saved": True}
    assert first["pattern"] == "10|11"  # not the orbit's canonical spelling
    store = open_store(db)
    try:
        assert [r.computation for r in store.records()] == ["ideal"]
    finally:
        store.close()
    again = _ideal(db, "11|10", env=NO_M2)  # another member of the orbit, no Macaulay2
    assert again["case_database"]["found"] is True and again["mingens_degrees"] == [2, 2]
    text = run_cli("ideal", "--arch", "2,2,2", "--pattern", "10|11", "--db", db, env=NO_M2)
    assert text.returncode == 0 and text.stdout.startswith(f"case database {db}: found (stored ker, complete)")


@pytest.mark.m2
def test_a_stronger_stored_answer_serves_a_weaker_request(tmp_path):
    db = str(tmp_path / "c.sqlite")
    _ideal(db, "10|11")  # ker: complete
    bounded = _ideal(db, "10|11", "--method", "interpolate", "--max-degree", "3", env=NO_M2)
    assert bounded["case_database"]["found"] is True and bounded["complete"] is True
    through = str(tmp_path / "d.sqlite")
    _ideal(through, "10|11", "--method", "interpolate", "--max-degree", "3")
    lower = _ideal(through, "10|11", "--method", "interpolate", "--max-degree", "2", env=NO_M2)
    assert lower["case_database"]["found"] is True
    # a complete J^A is not served by a bounded one: the note says what is stored, then it computes
    done = run_cli("ideal", "--arch", "2,2,2", "--pattern", "10|11", "--db", through, env=NO_M2)
    assert done.returncode != 0 and "holds J^A of this orbit through degree" in done.stderr


@pytest.mark.m2
def test_a_compressed_database_is_read_as_it_is(tmp_path):
    import gzip
    import shutil
    import sqlite3

    db = tmp_path / "c.sqlite"
    _ideal(str(db), "10|11")
    with sqlite3.connect(db) as live:  # a WAL-mode file, saved as results-db.py saves it
        live.execute("PRAGMA wal_checkpoint(FULL)")
    packed = tmp_path / "c.sqlite.gz"
    with open(db, "rb") as src, gzip.open(packed, "wb") as out:
        shutil.copyfileobj(src, out)
    found = _ideal(str(packed), "11|10", env=NO_M2)
    assert found["case_database"]["found"] is True and found["mingens_degrees"] == [2, 2]
    missed = _ideal(str(packed), "10")  # not stored: computed, and not saved into a compressed file
    assert missed["case_database"] == {"path": str(packed), "found": False, "saved": False}
    report = run_cli("report", "--db", str(packed), "--format", "csv")
    assert report.returncode == 0 and ",01|11," in report.stdout  # no sweep named: the stored canonical case
    broken = tmp_path / "broken.sqlite.gz"
    broken.write_bytes(b"not gzip at all")
    done = run_cli("ideal", "--arch", "2,2,2", "--pattern", "10|11", "--db", str(broken), env=NO_M2)
    assert done.returncode != 0 and "is not a readable gzip file" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
