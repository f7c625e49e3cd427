"""`m2bridge sweep --recheck PROOFS`: the cached conjecture checks whose generation verdict rests on
one of the named proofs are computed again (e.g. after the certificates improved); the others stay
cached."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli

CASES = ('[sweep]\nname = "recheck"\ncompute = ["conjectures"]\nconjectures = ["shallow-two-block"]\n'
         '[[sweep.family]]\narchitectures = ["2,2,2"]\npatterns = ["10|11"]\n')


@pytest.mark.m2
def test_recheck_recomputes_only_the_checks_resting_on_the_named_proofs(tmp_path):
    (tmp_path / "c.toml").write_text(CASES)
    db = str(tmp_path / "c.sqlite")
    sweep = ("sweep", str(tmp_path / "c.toml"), "--db", db, "--json")
    first = run_cli(*sweep)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["computed"] == 2  # J^A and the check
    untouched = json.loads(run_cli(*sweep, "--recheck", "prime,rank-through-degree").stdout)
    assert untouched["computed"] == 0
    rechecked = json.loads(run_cli(*sweep, "--recheck", "ker").stdout)  # 2,2,2 10|11 rests on ker
    assert rechecked["computed"] == 1 and rechecked["cached"] == 1
    bad = run_cli(*sweep, "--recheck", "magic")
    assert bad.returncode == 2 and "'magic': proofs are ker" in bad.stderr
