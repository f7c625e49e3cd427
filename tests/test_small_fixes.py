"""Smaller things a new user met: the examples module's --help, doctor's engines, the keywords of
`help(m2bridge.pattern_ideal)`."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import m2bridge
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
