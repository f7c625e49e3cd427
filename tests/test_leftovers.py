"""Which Macaulay2 scripts outlive their run: only those an error names (kept for the researcher).

A run m2bridge stopped itself (a signal, Ctrl-C, the `auto` race cancelling `ker` once
interpolation has answered) and an error m2bridge handles without showing it leave nothing in the
temporary directory. Faults come from fake Macaulay2 executables (one that hangs forever, one that
dies), so that who wins a race never depends on how busy the machine is.
"""

import os
import signal
import subprocess
import tempfile

import pytest

from m2bridge import pattern_ideal
from m2bridge.errors import M2CrashError
from m2bridge.macaulay2.process import M2Session, Macaulay2

from conftest import CLI
from polling import wait_for

PATIENCE = 120.0  # seconds: the most a step may take on a loaded machine (polled, never slept)
# A session that says it is ready and then never answers (its script hangs forever).
HANGING_SESSION = 'echo "@@m2b ok ready 4 1.21"\nread line\necho "$line" >> {seen}\nsleep 300 &\nwait\n'
# A session that dies on its first script.
DYING_SESSION = 'echo "@@m2b ok ready 4 1.21"\nread line\necho "$line" >> {seen}\nexit 3\n'
HANG = 'echo started >> {seen}\nsleep 300 &\nwait\n'


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """A temporary directory of this test's own, where every script of this process goes."""
    directory = tmp_path / "tmp"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    monkeypatch.setenv("TMPDIR", str(directory))
    return directory


def scripts_in(directory) -> list[str]:
    return sorted(name for name in os.listdir(directory) if name.startswith("m2bridge-"))


@pytest.fixture
def interpolation_after(monkeypatch):
    """Make interpolation answer only once `condition()` holds: so that it wins the race after ker's
    script reached Macaulay2, however busy the machine."""
    from m2bridge.ideals import solvers

    def install(condition, what):
        original = solvers.interpolate_ideal

        def late(*args, **kwargs):
            wait_for(condition, what)
            return original(*args, **kwargs)

        monkeypatch.setattr(solvers, "interpolate_ideal", late)

    return install


def test_the_script_of_a_ker_cancelled_by_interpolation_is_deleted(fake_m2, scratch, tmp_path, monkeypatch,
                                                                   interpolation_after):
    seen = tmp_path / "seen"
    monkeypatch.setenv("M2BRIDGE_M2", fake_m2(HANGING_SESSION.format(seen=seen)))
    interpolation_after(seen.exists, "ker's script to reach Macaulay2")
    result = pattern_ideal("2,2,2", "10", method="auto", max_degree=2, timeout=600)
    assert result.method == "interpolate" and result.mingens_degrees == [2]
    assert seen.exists(), "ker never handed its script to the session: the race proved nothing"
    assert scripts_in(scratch) == []


def test_the_script_of_a_failed_ker_is_deleted_when_interpolation_answers(fake_m2, scratch, tmp_path, monkeypatch,
                                                                         interpolation_after):
    # ker's error is handled (the interpolated answer stands) and shown to nobody: its script goes.
    seen = tmp_path / "seen"
    monkeypatch.setenv("M2BRIDGE_M2", fake_m2(DYING_SESSION.format(seen=seen)))
    interpolation_after(seen.exists, "ker's script to reach Macaulay2")
    result = pattern_ideal("2,2,2", "10", method="auto", max_degree=2, timeout=600)
    assert result.method == "interpolate"
    assert seen.exists()
    assert scripts_in(scratch) == []


def test_a_cancelled_session_deletes_the_script_it_runs_and_refuses_more(fake_m2, scratch, tmp_path):
    import threading

    seen = tmp_path / "seen"
    session = M2Session(Macaulay2(executable=fake_m2(HANGING_SESSION.format(seen=seen)), timeout=600))
    box = []

    def run():
        try:
            session.run_script("1")
        except BaseException as exc:  # noqa: BLE001 - examined below
            box.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    wait_for(seen.exists, "the session to receive its script")
    session.cancel()
    worker.join(PATIENCE)
    assert not worker.is_alive()
    assert isinstance(box[0], M2CrashError) and box[0].script_path is None, box
    assert scripts_in(scratch) == []
    with pytest.raises(M2CrashError, match="cancelled"):
        session.run_script("2")
    assert session.process is None and scripts_in(scratch) == []


def test_a_failed_script_is_still_kept_and_named(fake_m2, scratch):
    m2 = Macaulay2(executable=fake_m2('echo "stdin:1:1:(3): error: no method" >&2\nexit 1\n'))
    with pytest.raises(Exception) as info:
        m2.run_script("1/0")
    assert info.value.script_path and os.path.basename(info.value.script_path) in scripts_in(scratch)
    assert info.value.script_path in str(info.value)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=lambda s: signal.Signals(s).name)
def test_an_ideal_stopped_by_a_signal_leaves_no_script(fake_m2, scratch, tmp_path, signum):
    seen = tmp_path / "seen"
    fake = fake_m2(HANG.format(seen=seen))
    cli = subprocess.Popen([CLI, "ideal", "--arch", "2,2,2", "--pattern", "10", "--method", "ker"],
                           env=dict(os.environ, M2BRIDGE_M2=fake, TMPDIR=str(scratch)), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        wait_for(seen.exists, "the fake Macaulay2 to start")
        assert scripts_in(scratch), "no script while Macaulay2 runs: the test would prove nothing"
        os.kill(cli.pid, signum)
        _, stderr = cli.communicate(timeout=PATIENCE)
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()
    assert cli.returncode == 128 + signum, stderr
    assert "Traceback" not in stderr and len(stderr.splitlines()) == 1, stderr
    assert scripts_in(scratch) == []


# --- the test run itself leaves $TMPDIR as it found it (tests/conftest.py) -------------------------

PLANTING = '''
import os
import conftest


def test_plants_a_leftover():
    if os.environ.get("PLANT"):
        open(os.path.join(conftest.ORIGINAL_TMPDIR, "m2bridge-planted.m2"), "w").close()


def test_writes_a_script_where_scripts_go():
    import tempfile
    tempfile.mkstemp(prefix="m2bridge-", suffix=".m2")  # the test's own folder: no leftover
'''


@pytest.mark.parametrize("plant", [False, True], ids=["clean", "planted"])
def test_a_test_run_that_leaves_a_file_in_tmpdir_fails(tmp_path, plant):
    import shutil
    import sys

    from conftest import ROOT

    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(ROOT / "tests" / "conftest.py", run / "conftest.py")
    (run / "test_planting.py").write_text(PLANTING)
    outer = tmp_path / "outer-tmp"  # the inner run's $TMPDIR
    outer.mkdir()
    env = dict(os.environ, TMPDIR=str(outer), PLANT="1" if plant else "")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(run),
                           "-c", os.devnull, str(run)], cwd=run, env=env, capture_output=True, text=True,
                          timeout=PATIENCE)
    assert sorted(os.listdir(outer)) == (["m2bridge-planted.m2"] if plant else []) + ["pytest-of-" + _user()]
    if plant:
        assert done.returncode == 1, done.stdout + done.stderr
        assert "left 1 entry" in done.stdout and "m2bridge-planted.m2" in done.stdout, done.stdout
    else:
        assert done.returncode == 0, done.stdout + done.stderr


def _user() -> str:
    import getpass

    return getpass.getuser()
