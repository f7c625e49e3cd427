"""`verify` reports one line per differing field, and recomputes a conjecture check against a J^A
it recomputed itself, never the one the export file holds."""

import dataclasses
import json

import pytest

from m2bridge.reports.differences import ABSENT, Difference, field_differences, short
from m2bridge.reports.export import _stored, verify_export
from m2bridge.sweeps.tasks import compute_task, make_task
from m2bridge.ideals.request import Request

from clitools import invoke

TINY = """[sweep]
name = "tiny"
timeout = 120
compute = ["ideal", "conjectures"]
conjectures = ["shallow-two-block"]

[[sweep.family]]
architectures = ["2,2,2"]
patterns = ["10|11"]
"""


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict:
    """The export of a sweep of 2,2,2:10|11 (J^A and one conjecture check) from a real SQLite file."""
    where = tmp_path_factory.mktemp("verify")
    (where / "tiny.toml").write_text(TINY)
    db, out = str(where / "cases.sqlite"), str(where / "r.json")
    assert invoke("sweep", str(where / "tiny.toml"), "--db", db).returncode == 0
    assert invoke("export", "tiny", "--db", db, "--out", out).returncode == 0
    return json.loads((where / "r.json").read_text())


def tamper_ideal(document: dict) -> dict:
    """A copy whose J^A has an extra generator and a wrong graded dimension (both quoted and stored):
    checked against it, the generation verdict changes."""
    document = json.loads(json.dumps(document))
    ideal = next(r for r in document["records"] if r["computation"] == "ideal")
    for name in ("result", "stored_result"):
        ideal[name]["generators"].append("m_(1,1,1)")
        ideal[name]["graded_dims"]["1"] = 1
    return document


def test_a_difference_is_one_short_line_per_field():
    stored = {"generators": ["a" * 500, "b"], "dim": 6, "graded_dims": {"1": 0}}
    now = {"generators": ["a" * 499 + "c"], "dim": 7, "graded_dims": {"1": 0, "2": 2}}
    found = field_differences("2,2,2:10|11 [ideal]", "stored_result", stored, now)
    assert [d.path for d in found] == ["stored_result.dim", "stored_result.generators[0]",
                                       "stored_result.generators[1]", "stored_result.graded_dims.2"]
    assert found[0].stored == 6 and found[0].recomputed == 7 and found[2].recomputed is ABSENT
    lines = [str(d) for d in found]
    assert all("\n" not in line and len(line) < 220 for line in lines), lines
    assert lines[0] == "2,2,2:10|11 [ideal]: stored_result.dim: file 6, recomputed 7"
    # A long value is shown where the two part, with its length; the whole value stays on the object.
    assert "(502 chars)" in lines[1] and "ac" in lines[1] and found[1].stored == "a" * 500
    assert lines[2].endswith('file "b", recomputed (absent)')
    assert short(list(range(100))).endswith("(100 items, 390 chars)")
    assert str(Difference("x [dim]", "recomputation failed")) == "x [dim]: recomputation failed"


@pytest.mark.m2
def test_verify_prints_each_differing_field_and_blames_no_untouched_check(exported, tmp_path):
    document = tamper_ideal(exported)
    ideal = next(r for r in document["records"] if r["computation"] == "ideal")
    ideal["stored_result"]["generators"][0] = ideal["stored_result"]["generators"][0].replace("m_(2,2,2)", "m_(2,2,1)")
    path = tmp_path / "r.json"
    path.write_text(json.dumps(document))
    done = invoke("verify", str(path))
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    different = [line for line in lines if line.startswith("DIFFERENT")]
    assert all(len(line) < 300 for line in lines), lines
    assert any("stored_result.generators[0]: file" in line and "chars)" in line for line in different), different
    assert any('stored_result.generators[2]: file "m_(1,1,1)", recomputed (absent)' in line for line in different)
    assert any("stored_result.graded_dims.1: file 1, recomputed 0" in line for line in different)
    # The conjecture check was not touched: recomputed against the true J^A, it agrees.
    assert not any("[conjectures:" in line for line in different), different
    assert lines[-1].startswith(f"verified 2 record(s): {len(different)} difference(s) in 1 record(s)")


@pytest.mark.m2
def test_a_verdict_consistent_with_a_tampered_j_a_is_found_out(exported):
    document = tamper_ideal(exported)
    ideal, check = (_stored(r) for r in document["records"])
    # The verdict as it would be, checked against the tampered J^A: planted in the file, the
    # file is consistent with itself, and only a J^A recomputed by verify can tell.
    request = Request.from_key_method(check.computation, check.method, field=check.field, seed=check.seed)
    task = dataclasses.replace(make_task(check.case, check.computation, request.options), ideal=ideal.result)
    forged = compute_task(task)
    assert forged.status == "ok" and forged.result != check.result
    entry = document["records"][1]
    entry["stored_result"] = entry["result"] = forged.result
    differences, checked = verify_export(document)
    assert checked == 2
    assert any("[conjectures:shallow-two-block]: stored_result.verdicts[" in str(d) for d in differences), \
        [str(d) for d in differences]


@pytest.mark.m2
def test_a_check_without_its_ideal_record_is_verified_against_a_recomputed_j_a(exported):
    document = json.loads(json.dumps(exported))
    document["records"] = [r for r in document["records"] if r["computation"] != "ideal"]
    differences, checked = verify_export(document)
    assert checked == 1 and differences == [], [str(d) for d in differences]
