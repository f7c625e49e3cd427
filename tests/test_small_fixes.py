"""Smaller things a new user met: the examples module's --help, doctor's engines, the keywords of
`help(m2bridge.pattern_ideal)`, the spelling a report shows."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import pytest

import m2bridge
from clitools import invoke
from conftest import run_cli


def test_the_examples_module_has_a_help_and_refuses_an_unknown_name_in_one_line():
    run = lambda *a: subprocess.run([sys.executable, "-m", "m2bridge.networks.examples", *a],  # noqa: E731
                                    capture_output=True, text=True, timeout=60)
    shown = run("--help")
    assert shown.returncode == 0 and "usage: python -m m2bridge.networks.examples" in shown.stdout
    bad = run("nope.npz")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr
    assert run("toy2d/X.npy").stdout.strip().endswith("X.npy")


def test_doctor_reports_the_optional_engines():
    done = run_cli("doctor", "--no-smoke", "--json")
    checks = {c["name"]: c for c in json.loads(done.stdout)["checks"]}
    assert {"Singular", "msolve"} <= set(checks)
    assert not checks["Singular"]["required"] and not checks["msolve"]["required"]
    missing = run_cli("doctor", "--no-smoke", "--json", env={"M2BRIDGE_MSOLVE": "/nonexistent/msolve"})
    msolve = next(c for c in json.loads(missing.stdout)["checks"] if c["name"] == "msolve")
    assert msolve["status"] == "--" and "install-msolve.sh" in msolve["detail"]


def test_help_of_pattern_ideal_names_its_keywords():
    doc = inspect.getdoc(m2bridge.pattern_ideal)
    assert all(k in doc for k in ("method", "max_degree", "timeout", "engine", "db", "m2"))
    assert {"data", "blocks", "bias", "db"} <= set(inspect.signature(m2bridge.pattern_ideal).parameters)


@pytest.mark.m2
def test_the_report_names_the_spelling_asked_for_and_the_case_computed(tmp_path):
    # Asked for 10/11|01/11; computed as the symmetric 01/11|10/11 (the report said "case" and
    # left a reader to guess which spelling the numbers belong to).
    (tmp_path / "d.toml").write_text('[sweep]\nname = "deep"\ncompute = ["ideal"]\n[[sweep.family]]\n'
                                     'architectures = ["2,2,2,2"]\npatterns = ["10/11|01/11"]\n')
    db = str(tmp_path / "d.sqlite")
    assert invoke("sweep", str(tmp_path / "d.toml"), "--db", db).returncode == 0
    table = invoke("report", "--sweep", "deep", "--db", db).stdout
    assert "| 2,2,2,2 | 10/11\\|01/11 | as asked; computed as 01/11\\|10/11 |" in table, table


def test_exact_key_is_equal_exactly_for_equal_polynomials():
    # The ladder keys its C by exact_key, not str(): str() of a python-flint 0.9.0 polynomial leaks
    # its text (a width-6 sweep grew to 24 GB); benchmarks/bench_check_memory.py measures it.
    from fractions import Fraction

    from m2bridge.varieties.field import Field
    from m2bridge.varieties.polynomials import exact_key, polynomial_context

    for field_ in (Field(), Field.parse("ZZ/32003")):
        ctx = polynomial_context(["x", "y"], field_)
        x, y = ctx.gens()
        same = (x + y) * (x - y)
        assert exact_key(same) == exact_key(x * x - y * y) and hash(exact_key(same)) == hash(exact_key(x * x - y * y))
        assert exact_key(same) != exact_key(x * x + y * y) and exact_key(x) != exact_key(y)
    ctx = polynomial_context(["x", "y"], Field())
    x, _ = ctx.gens()
    assert exact_key(x * Fraction(1, 3).numerator / 3) != exact_key(x)
