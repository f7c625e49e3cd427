"""Hostile input to export, verify and sweep: one line naming what is wrong, exit 2, nothing lost."""

import json
import os

import pytest

from clitools import invoke

SMALL = """
[sweep]
name = "small"
compute = ["ideal", "dim"]
[[sweep.family]]
architectures = ["2,2,2"]
patterns = ["10|11"]
"""


def one_line(done, code=2):
    assert done.returncode == code, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr


@pytest.fixture
def swept(tmp_path):
    case_file = tmp_path / "small.toml"
    case_file.write_text(SMALL)
    db = str(tmp_path / "c.sqlite")
    done = invoke("sweep", str(case_file), "--db", db, "--json")
    assert done.returncode == 0, done.stderr
    return tmp_path, db


@pytest.mark.m2
def test_export_out_places(swept):
    tmp_path, db = swept
    one_line(invoke("export", "small", "--db", db, "--out", str(tmp_path / "missing" / "r.json")))
    one_line(invoke("export", "small", "--db", db, "--out", str(tmp_path)))
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    if os.geteuid() != 0:  # root writes anywhere: the mode proves nothing then
        one_line(invoke("export", "small", "--db", db, "--out", str(locked / "r.json")))
    good = tmp_path / "r.json"
    done = invoke("export", "small", "--db", db, "--out", str(good))
    assert done.returncode == 0, done.stderr
    assert json.loads(good.read_text())["records"]


@pytest.mark.m2
@pytest.mark.parametrize("change, fragment", [
    (lambda r: r.pop("script"), None),
    (lambda r: r.update(script=["run", "id"]), "'script'"),
    (lambda r: r.pop("result"), "'result'"),
    (lambda r: r.update(result="ok"), "'result'"),
    (lambda r: r.update(computation="shell"), "unknown computation"),
    (lambda r: r.update(status="verified"), "unknown status"),
])
def test_verify_refuses_malformed_records(swept, change, fragment):
    tmp_path, db = swept
    out = tmp_path / "r.json"
    assert invoke("export", "small", "--db", db, "--out", str(out)).returncode == 0
    document = json.loads(out.read_text())
    change(document["records"][0])
    out.write_text(json.dumps(document))
    done = invoke("verify", str(out))
    if fragment is None:  # a record without a script is verified from its inputs alone
        assert done.returncode == 0, done.stderr
        return
    one_line(done)
    assert fragment in done.stderr


def test_scheduler_that_is_not_an_address(tmp_path):
    case_file = tmp_path / "small.toml"
    case_file.write_text(SMALL)
    done = invoke("sweep", str(case_file), "--db", str(tmp_path / "c.sqlite"), "--executor", "dask",
                  "--scheduler", "not a url")
    one_line(done)
    assert "--scheduler" in done.stderr
