"""The workbench: -q and -v, the one progress display, the --json envelope, "did you mean",
`ideal --db` / `conjecture --db` answered from the case database up to symmetry (proved by a
Macaulay2 that cannot start), and verdicts shown in a notebook."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import time

import pytest

from conftest import CLI, run_cli
from m2bridge._progress import ProgressDisplay, StatusLine, SweepBar, ticking
from m2bridge.conjectures.verdict import Family, Verdict

SMALL = ('[sweep]\nname = "small"\ncompute = ["ideal", "conjectures"]\nconjectures = ["shallow-two-block"]\n'
         '[[sweep.family]]\narchitectures = ["2,3,2"]\npatterns = ["100|111"]\n')
NO_M2 = {"M2BRIDGE_M2": "/nonexistent/M2"}  # a Macaulay2 that cannot start: whatever answers did not run it


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A case database holding one case, 2,3,2 100|111 (canonical; 111|100 is its mirror image)."""
    folder = tmp_path_factory.mktemp("workbench")
    (folder / "small.toml").write_text(SMALL)
    db = str(folder / "c.sqlite")
    done = run_cli("sweep", str(folder / "small.toml"), "--db", db, "--json")
    assert done.returncode == 0, done.stderr
    return db


# --- --db -------------------------------------------------------------------------------------------

@pytest.mark.m2
def test_ideal_db_answers_a_stored_case_up_to_symmetry_without_macaulay2(stored):
    computed = run_cli("ideal", "--arch", "2,3,2", "--pattern", "111|100", "--json")
    assert computed.returncode == 0, computed.stderr
    answered = run_cli("-v", "ideal", "--arch", "2,3,2", "--pattern", "111|100", "--db", stored, "--json", env=NO_M2)
    assert answered.returncode == 0, answered.stderr
    assert "ideal: stored (ok)" in answered.stderr
    a, b = json.loads(computed.stdout), json.loads(answered.stdout)
    # the stored canonical case, renamed into the coordinates asked for, is the ideal computed directly
    assert sorted(a["generators"]) == sorted(b["generators"]) and a["generators"]
    assert (a["dim"], a["degree"], a["mingens_degrees"]) == (b["dim"], b["degree"], b["mingens_degrees"])
    # a case that is not stored is computed, so it needs Macaulay2 (which cannot start here)
    missing = run_cli("ideal", "--arch", "2,2,2", "--pattern", "10", "--db", stored, env=NO_M2)
    assert missing.returncode != 0 and "/nonexistent/M2" in missing.stderr


@pytest.mark.m2
def test_conjecture_db_answers_a_stored_case_without_macaulay2(stored):
    args = ("conjecture", "--arch", "2,3,2", "--pattern", "111|100", "--name", "shallow-two-block")
    computed = run_cli(*args)
    answered = run_cli(*args, "--db", stored, env=NO_M2)
    assert computed.returncode == 0 and answered.returncode == 0, answered.stderr
    # the same verdict (renaming keeps the stored order of the families: compare the lines as a set);
    # its proof may differ: the sweep's is the one its method found, a fresh check may find another
    def facts(text):
        return sorted(line for line in text.splitlines() if not line.startswith("  proof:"))

    assert facts(answered.stdout) == facts(computed.stdout)
    assert "  proof:" in answered.stdout
    assert "shallow-two-block:literal [generation]" in answered.stdout
    everything = run_cli(*args[:-2], "--name", "all", "--db", stored, "--json", env=NO_M2)
    # only shallow-two-block is stored: "all" is computed, which needs Macaulay2
    assert everything.returncode != 0
    as_json = json.loads(run_cli(*args, "--db", stored, "--json", env=NO_M2).stdout)
    assert as_json["m2bridge"]["command"] == "conjecture" and as_json["statement"] == "shallow-two-block"


# --- -q, -v, --json, did you mean -------------------------------------------------------------------

@pytest.mark.m2
def test_verbose_logs_decisions_and_quiet_silences_the_terminal_progress(tmp_path):
    v = run_cli("-v", "ideal", "--arch", "2,2,2", "--pattern", "10|11")
    assert v.returncode == 0, v.stderr
    assert "method auto → solver ker" in v.stderr
    assert re.search(r"(Macaulay2: pattern_ideal\.m2|Singular: pattern_ideal\.sing)\.j2 on", v.stderr)  # engine auto
    vv = run_cli("ideal", "--arch", "2,2,2", "--pattern", "10|11", "-vv")
    assert "m2bridge.macaulay2.program:" in vv.stderr and "answered in" in vv.stderr
    (tmp_path / "s.toml").write_text(SMALL.replace('"ideal", "conjectures"', '"ideal"').replace(
        'conjectures = ["shallow-two-block"]\n', ''))
    db = str(tmp_path / "c.sqlite")
    # in a terminal: the default shows a progress display; -q shows nothing on stderr at all
    for flags, shown in ((("-q",), False), ((), True)):
        stderr = _in_a_terminal([CLI, *flags, "sweep", str(tmp_path / "s.toml"), "--db", db, "--force"])
        assert ("\r" in stderr) is shown, stderr


def _in_a_terminal(command: list[str]) -> str:
    """Run `command` with stderr on a pseudo-terminal (stdout a pipe); what reached the terminal."""
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=follower, env=env)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    proc.communicate(timeout=300)
    os.close(leader)
    assert proc.returncode == 0, seen
    return seen.decode(errors="replace")


def test_every_json_has_the_envelope():
    for args in (("dim", "--arch", "2,2,2", "--pattern", "10", "--json"), ("doctor", "--json")):
        done = run_cli(*args)
        data = json.loads(done.stdout)
        assert data["m2bridge"]["command"] == args[0] and data["m2bridge"]["format"] == 1
        assert len(done.stdout.strip().splitlines()) == 1


def test_a_mistyped_command_gets_did_you_mean():
    done = run_cli("idael", "--arch", "2,2,2")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == ("m2bridge: error: unknown command 'idael' (did you mean 'ideal'?); "
                                   "`m2bridge --help` lists the commands")
    far = run_cli("zzzz")
    assert far.returncode == 2 and "did you mean" not in far.stderr and "unknown command 'zzzz'" in far.stderr


# --- the progress display ---------------------------------------------------------------------------

class FakeSweep:
    def __init__(self, done, total, eta, running):
        self.done, self.total, self._eta, self._running = done, total, eta, running

    def eta_seconds(self):
        return self._eta

    def running_text(self):
        return self._running


def test_sweep_bar_shows_counts_our_eta_and_the_running_case_with_tqdm_or_without():
    for use_tqdm in (False, True):
        stream = io.StringIO()
        bar = SweepBar("seed", stream=stream, enabled=True, use_tqdm=use_tqdm)
        bar(FakeSweep(3, 10, 125.0, "running 2,2,2 10|11 [ideal]"))
        bar(FakeSweep(10, 10, 0.0, ""))
        bar.close()
        text = stream.getvalue()
        assert "sweep seed" in text and "3/10" in text and "ETA 2m05s" in text, text
        assert "running 2,2,2 10|11 [ideal]" in text and "elapsed" in text


def test_ticking_shows_one_computation_and_erases_itself():
    stream = io.StringIO()
    display = ProgressDisplay("arch 2,2,2", stream=stream, enabled=True, use_tqdm=False)
    with ticking(display, "ker running", interval=0.01):
        time.sleep(0.05)
    text = stream.getvalue()
    assert text.startswith("\r\x1b[Karch 2,2,2: ker running [0s]") and text.endswith("\r\x1b[K")
    silent = io.StringIO()
    with ticking(ProgressDisplay("x", stream=silent, enabled=False), "ker running", interval=0.01):
        pass
    assert silent.getvalue() == ""


def test_status_line_is_silent_off_a_terminal():
    line = StatusLine(io.StringIO())
    line.update("working")
    line.close()
    assert line.stream.getvalue() == ""


# --- notebooks --------------------------------------------------------------------------------------

def test_verdict_round_trips_and_shows_as_html():
    v = Verdict("shallow-two-block", "generation", "literal", None, applies=True, contained=True, generates=False,
                families=[Family("(2)-minors of M1", 2, 3)], ranks={"r1": 1}, method="ker")
    back = Verdict.from_json(json.loads(json.dumps(v.to_json())))
    assert back == v and back.outcome == "fails"
    html = back._repr_html_()
    assert "<b>fails</b>" in html and "#b00020" in html and "(2)-minors of M1: 3" in html
    sneaky = Verdict("x<script>", "containment", None, None, applies=False, reason="<b>")
    assert "<script>" not in sneaky._repr_html_() and "&lt;b&gt;" in sneaky._repr_html_()


def test_the_store_key_names_the_template_the_ker_solver_runs():
    from m2bridge.ideals.solvers import KerSolver
    from m2bridge.sweeps.tasks import TEMPLATES

    assert TEMPLATES["ideal"] == (KerSolver.template,) and TEMPLATES["conjectures"][0] == KerSolver.template
