"""`certificates_first`: a conjecture check tries the ladder of certificates before it computes J^A
and computes J^A only for a reading no certificate proves; a sweep with it computes no J^A tasks of
its own (width 6, where J^A is out of reach, rests on it: cases/conjecture-6.1-width-6.toml)."""

from __future__ import annotations

import json

import pytest

from m2bridge.sweeps.casefile import SweepSpec
from m2bridge.sweeps.store import SQLiteCaseStore
from m2bridge.sweeps.sweep import plan_tasks

from clitools import invoke
from conftest import ROOT, run_cli

SWEEP = ('[sweep]\nname = "first"\nmethod = "auto"\nmax_degree = 2\ncertificates_first = {flag}\n'
         'compute = ["conjectures"]\nconjectures = ["shallow-two-block"]\n'
         '[[sweep.family]]\narchitectures = ["2,2,3"]\npatterns = ["10|01", "11|01"]\n'
         '[[sweep.family]]\narchitectures = ["3,3,3"]\npatterns = ["110|011"]\n')


def test_a_sweep_with_certificates_first_plans_no_ideal_tasks():
    tasks, _, _ = plan_tasks(SweepSpec.from_text(SWEEP.format(flag="true"), "c.toml"))
    assert {t.computation for t in tasks.values()} == {"conjectures:shallow-two-block"}
    tasks, _, _ = plan_tasks(SweepSpec.from_text(SWEEP.format(flag="false"), "c.toml"))
    assert "ideal" in {t.computation for t in tasks.values()}


@pytest.mark.m2
def test_sweep_with_certificates_first_proves_by_certificates_and_stores_no_ideal(tmp_path):
    (tmp_path / "c.toml").write_text(SWEEP.format(flag="true"))
    db = str(tmp_path / "c.sqlite")
    done = run_cli("sweep", str(tmp_path / "c.toml"), "--db", db, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["computed"] == 3  # one check per orbit, no J^A task
    store = SQLiteCaseStore(db)
    try:
        records = list(store.records())
    finally:
        store.close()
    assert {r.computation for r in records} == {"conjectures:shallow-two-block"}
    proofs = {}
    for r in records:
        for v in r.result["verdicts"]:
            if v["claim"] == "generation" and v["variant"] == "union":
                proofs[(str(r.case.arch), v["rank_convention"])] = (v["outcome"], v["proof"], v["method"])
    # (3,3,3) 110|011 is the heart: M1 = A + B, M2 = B + C; the degree certificate proves it
    assert proofs[("3,3,3", "literal")] == ("holds", "degree", "certificate"), proofs
    assert all(outcome == "holds" and method == "certificate" for outcome, _, method in proofs.values()), proofs


def test_a_case_file_flag_must_be_true_or_false(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(SWEEP.format(flag='"yes"'))
    done = invoke("sweep", str(bad), "--db", str(tmp_path / "x.sqlite"))
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "certificates_first" in done.stderr and "true or false" in done.stderr


@pytest.mark.m2
def test_the_conjecture_command_proves_before_interpolating_with_the_flag():
    args = ("conjecture", "--arch", "3,3,3", "--pattern", "110|011", "--variant", "union", "--max-degree", "2",
            "--json")
    first = json.loads(invoke(*args, "--certificates-first").stdout)
    assert first["outcome"] == "holds" and first["proof"] == "degree" and first["method"] == "certificate"
    usual = json.loads(invoke(*args).stdout)  # J^A first (ker races interpolation through degree 2)
    assert usual["outcome"] == "holds" and usual["method"] != "certificate"


def test_the_width_6_case_file_asks_for_certificates_first():
    spec = SweepSpec.load(ROOT / "cases" / "conjecture-6.1-width-6.toml")
    assert spec.options.certificates_first and spec.plan().unique == 935


@pytest.mark.m2
def test_an_export_of_a_certificates_first_sweep_verifies_without_j_a(tmp_path):
    (tmp_path / "c.toml").write_text(SWEEP.format(flag="true"))
    db, out = str(tmp_path / "c.sqlite"), str(tmp_path / "r.json")
    assert run_cli("sweep", str(tmp_path / "c.toml"), "--db", db).returncode == 0
    assert invoke("export", "first", "--db", db, "--out", out).returncode == 0
    verified = invoke("verify", out)
    assert verified.returncode == 0 and "0 difference(s)" in verified.stdout, verified.stdout + verified.stderr


@pytest.mark.m2
def test_the_results_page_of_a_certificates_first_sweep_says_how_j_a_was_known(tmp_path):
    (tmp_path / "c.toml").write_text(SWEEP.format(flag="true"))
    db = str(tmp_path / "c.sqlite")
    assert run_cli("sweep", str(tmp_path / "c.toml"), "--db", db).returncode == 0
    done = invoke("report", "--db", db, "--sweep", "first", "--results", str(tmp_path / "page"), "--title", "t")
    assert done.returncode == 0, done.stderr
    line = next(x for x in (tmp_path / "page.md").read_text().splitlines() if x.startswith("How J^A was known"))
    assert "not computed: a certificate decided" in line, line  # was "How J^A was known: -."
