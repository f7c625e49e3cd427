"""The workbench's `Session` is a runner like `Macaulay2` and `M2Session` (macaulay2/runner.py):
every path a computation takes — the `auto` race of ker and interpolation, the ladder's Macaulay2
rungs, Macaulay2's comparison — runs through it, in its one Macaulay2 process."""

from __future__ import annotations

import pytest

import m2bridge
from m2bridge.conjectures.certificates import Prime, prove_generation
from m2bridge.macaulay2.runner import Runner

from test_certificates import task_for


@pytest.mark.m2
def test_every_path_runs_through_a_session():
    with m2bridge.session() as s:
        assert isinstance(s, Runner) and s.one_shot is s.m2.one_shot
        raced = s.pattern_ideal("2,2,2", "10|11", method="auto", max_degree=2)  # ker races interpolation
        assert raced.dim == 6 and raced.mingens_degrees == [2, 2]
        given = m2bridge.pattern_ideal("2,2,2", "10|11", m2=s, method="auto", max_degree=2)
        assert given.dim == 6
        verdict = m2bridge.check("3,3,3", "110|011", "shallow-two-block", m2=s)  # the ladder first
        assert verdict.outcome == "holds" and verdict.complete
        task = task_for("3,3,3", "110|011")
        task.m2 = s
        prime = Prime().run(task)  # a Macaulay2 rung with a budget of its own, like the caller's
        assert prime.proved, prime.notes
        assert prove_generation(task).proved
        # data: I_X^A is not multigraded, so generation is decided by Macaulay2's comparison
        data = m2bridge.check("2,2,2", "10", "single-block", data=[[1, 2], [3, 4], ["1/2", 5]], m2=s,
                              method="ker")
        assert data.outcome == "holds" and data.comparison == "Macaulay2"
        assert s.started >= 1
