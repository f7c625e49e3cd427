"""The degree certificate by reduction mod p (conjectures/slices.py) and the inheritance certificate
(conjectures/certificates.Inheritance): where they prove, where they must refuse (a C that does not
generate J^A, a slice that is not zero-dimensional), and msolve's faults (missing, crash, hang,
garbage) as notes that keep no script and leave no process."""

from __future__ import annotations

import glob
import json
import os
import tempfile

import flint
import pytest

from m2bridge.conjectures.certificates import Degree, Inheritance
from m2bridge.conjectures.slices import Extension, degree_certificate, preimage_failure
from m2bridge.errors import M2OutputError
from m2bridge.macaulay2.msolve import Msolve, read_answer

from conftest import REQUIRE_EXTRAS, run_cli
from test_certificates import task_for


@pytest.fixture(autouse=True)
def _msolve_installed():
    if not Msolve().is_installed() and not REQUIRE_EXTRAS:
        pytest.skip("msolve is not installed (scripts/install-msolve.sh)")


def _no_leftovers():
    assert glob.glob(os.path.join(tempfile.gettempdir(), "m2bridge-*")) == []


def test_degree_proves_the_complete_intersection_with_27_points():
    task = task_for("3,3,3", "110|011")
    found = degree_certificate(task.variety, task.candidates, seed=0, budget=60)
    assert found.proved and found.rank == 15
    count = found.counts[-1]
    assert (count.free, count.length, count.points, count.candidates) == (3, 27, 27, 27)
    assert "K = 27" in found.certificate and "N = 27" in found.certificate


def test_degree_proves_the_heart_orbit_0111_1011_with_320_points():
    attempt = Degree().run(task_for("4,4,4", "0111|1011"))
    assert attempt.proved and attempt.kind == "degree"
    assert "N = 320" in attempt.certificate and "K = 320" in attempt.certificate


def test_degree_refuses_a_C_that_is_not_J_A_and_calls_two_equal_counts_evidence():
    """(det M1, det M2, det(M1 − M2)^2) lies in J^A and has its radical, but is not J^A: the GF(p)
    length is 3·3·6 = 54 while the slice has the 27 points of V_A."""
    task = task_for("3,3,3", "110|011")
    det1, det2, det3 = (fam[2][0] for fam in task.families if len(fam[2]) == 1)
    found = degree_certificate(task.variety, [det1, det2, det3 ** 2], seed=0, budget=60)
    assert not found.proved
    assert [(c.length, c.points) for c in found.counts] == [(54, 27), (54, 27)]
    assert "K = 27 of N = 54" in found.notes[0] and "evidence (not proof)" in found.notes[0]


def test_degree_refuses_a_C_of_too_large_a_dimension():
    task = task_for("3,3,3", "110|011", keep=["minors of M1", "minors of M2"])  # det M1, det M2: dim 16
    found = degree_certificate(task.variety, task.candidates, seed=0, budget=60)
    assert not found.proved and "positive-dimensional" in found.notes[0]


def test_degree_does_not_apply_beyond_shallow_two_block():
    assert Degree().applies(task_for("2,2,2,2", "11/10|01/11", statement="deep-two-block")) is not None


def test_a_point_outside_the_image_has_no_preimage():
    p = 1_073_741_827
    field_ = Extension(flint.nmod_poly([5, 1], p))  # GF(p) itself
    value = [[flint.nmod_poly([x], p) for x in row] for row in ([1, 2, 3], [4, 5, 7], [2, 9, 1])]
    other = [[flint.nmod_poly([x], p) for x in row] for row in ([3, 1, 4], [1, 5, 9], [2, 6, 5])]
    assert preimage_failure(field_, value, other, 1, 1, 1) is not None  # rank 3 and 3: not A + B, B + C
    assert preimage_failure(field_, value, value, 0, 3, 0) is None  # M1 = M2 = B of rank 3


def test_inheritance_proves_a_wider_orbit_from_the_narrowed_network():
    task = task_for("4,3,4", "011|101")
    task.restate = _restate("literal", "union")
    attempt = Inheritance().run(task)
    assert attempt.proved and "narrowed network (3,3,3) 011|101" in attempt.certificate
    # the n1 reading with a dead neuron lacks the 4-minors of the flattenings: no inheritance
    task = task_for("4,4,4", "1100|0110", variant=None)
    task.restate = _restate("literal", None)
    refused = Inheritance().run(task)
    assert not refused.proved and "C lacks the (4)-minors of [M1|M2]" in refused.notes[0]


def _restate(convention, variant):
    from m2bridge.conjectures.statements import STATEMENTS
    from m2bridge.varieties.field import Field
    from m2bridge.varieties.polynomials import polynomial_context

    stmt = STATEMENTS["shallow-two-block"]
    return lambda v: stmt.families(v, polynomial_context(v.variable_names, Field(0)), convention, variant, None)[0]


@pytest.mark.m2
def test_the_heart_orbits_are_decided_from_the_command_line():
    done = run_cli("conjecture", "--arch", "4,3,4", "--pattern", "011|101", "--variant", "union", "--json")
    assert done.returncode == 0, done.stderr
    verdict = json.loads(done.stdout)
    verdict = verdict[0] if isinstance(verdict, list) else verdict
    assert verdict["outcome"] == "holds" and verdict["proof"] == "inheritance"


# --- msolve's faults ----------------------------------------------------------------------------------

@pytest.mark.parametrize("body, note", [
    ("echo '[0, [oops' ; exit 0\n", "msolve failed: msolve's answer"),
    ("echo \"__import__('os').system('true')\"; exit 0\n", "msolve failed: msolve's answer is not a list"),
    ("kill -SEGV $$\n", "msolve failed"),
    ("exec sleep 60\n", "msolve did not finish in 2 s"),
])
def test_msolve_faults_are_notes_and_leave_nothing(fake_m2, monkeypatch, body, note):
    monkeypatch.setenv("M2BRIDGE_MSOLVE", fake_m2(body))
    task = task_for("3,3,3", "110|011")
    found = degree_certificate(task.variety, task.candidates, seed=0, budget=2)
    assert not found.proved and note in found.notes[0]
    _no_leftovers()
    assert not [line for line in os.popen("ps -eo args").read().splitlines() if line.startswith("sleep 60")]


def test_a_missing_msolve_is_a_note(monkeypatch):
    monkeypatch.setenv("M2BRIDGE_MSOLVE", "/nonexistent/msolve")
    attempt = Degree().run(task_for("3,3,3", "110|011"))
    assert not attempt.proved and "msolve executable '/nonexistent/msolve' not found" in attempt.notes[0]


def test_msolve_answers_are_read_as_data_only():
    assert read_answer("[-1]:").dimension == "empty"
    assert read_answer("[1, 3, -1, []]:").dimension == "positive"
    with pytest.raises(M2OutputError, match="not a list of numbers"):
        read_answer("[0, [7, 1, 1, ['x'], [1], [1, [[1, [0, 1]], [0, [1]], []]]]]: ; print(1)")
    with pytest.raises(M2OutputError, match="unexpected shape"):
        read_answer("[0, [7, 2, 1, ['x'], [1], [1, [[1, [0, 1]], [0, [1]], []]]]]:")
