"""Faults of the Macaulay2 step: each has its own exception and CLI exit, and nothing is swallowed.

Fake M2 executables appear here only to simulate faults (hang, crash, garbage output)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from m2bridge import (
    M2Error, M2NotFoundError, M2OutputError, M2TimeoutError, Macaulay2, pattern_ideal,
)
from m2bridge.errors import M2CrashError
from m2bridge.macaulay2.process import M2Session
from m2bridge.sweeps.store import open_store

from conftest import CLI, run_cli


def test_hung_m2_is_killed_with_its_whole_process_group(fake_m2, tmp_path):
    pid_file = tmp_path / "child.pid"
    # The fake starts a grandchild (as Macaulay2 could) and hangs; both must die at the timeout.
    fake = fake_m2(f"sleep 300 &\necho $! > {pid_file}\nwait\n")
    start = time.perf_counter()
    with pytest.raises(M2TimeoutError) as info:
        pattern_ideal("2,2,2", "10", m2=Macaulay2(executable=fake, timeout=1.5))
    assert time.perf_counter() - start < 20
    assert info.value.seconds == 1.5
    assert Path(info.value.script_path).is_file()  # kept for the researcher
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 60  # a killed process may take a moment to go, more under load
    while _running(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(grandchild)


def _running(pid: int) -> bool:
    """Alive and not a zombie (a killed orphan may wait for a reaper)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_crashing_m2_reports_its_own_message_and_keeps_the_script(fake_m2):
    fake = fake_m2('echo "stdio:1:1:(3): error: something went wrong in M2" >&2\nexit 1\n')
    with pytest.raises(M2Error) as info:
        pattern_ideal("2,2,2", "10", m2=Macaulay2(executable=fake))
    assert "error: something went wrong in M2" in info.value.m2_message
    assert info.value.returncode == 1
    kept = Path(info.value.script_path)
    assert kept.is_file() and "ker phi" in kept.read_text()


def test_garbage_output_is_an_output_error_showing_the_line(fake_m2):
    fake = fake_m2('echo "@@m2b ok begin 15 pattern_ideal 1"\necho "@@m2b ok vars zzz garbage"\nexit 0\n')
    with pytest.raises(M2OutputError) as info:
        pattern_ideal("2,2,2", "10", m2=Macaulay2(executable=fake))
    assert info.value.line == "@@m2b ok vars zzz garbage"
    assert "not a frame" in str(info.value)


def test_output_without_frames_or_end_is_an_output_error(fake_m2):
    with pytest.raises(M2OutputError, match="no framed reply"):
        pattern_ideal("2,2,2", "10", m2=Macaulay2(executable=fake_m2('echo "hello"\n')))
    truncated = fake_m2('echo "@@m2b ok begin 15 pattern_ideal 1"\necho "@@m2b ok dim 1 6"\n')
    with pytest.raises(M2OutputError, match="no 'end' frame"):
        pattern_ideal("2,2,2", "10", m2=Macaulay2(executable=truncated))
    short = fake_m2('echo "@@m2b ok begin 15 pattern_ideal 1"\necho "@@m2b ok gen 40 1:0^1"\n')
    with pytest.raises(M2OutputError, match="LENGTH says 40 bytes, the payload has 5"):
        pattern_ideal("2,2,2", "10", m2=Macaulay2(executable=short))


def test_bad_polynomial_payload_names_the_coefficient(fake_m2):
    lines = [
        "@@m2b ok begin 15 pattern_ideal 2",
        "@@m2b ok vars 39 m_(1,1,1),m_(1,1,2),m_(1,2,1),m_(1,2,2)",
        "@@m2b ok ngens 1 1",
        "@@m2b ok gen 7 0.5:0^1",
        "@@m2b ok dim 1 3",
        "@@m2b ok degree 1 1",
        "@@m2b ok hilbert 3 1-T",
        "@@m2b ok version 4 1.21",
        "@@m2b ok end 0",
    ]
    fake = fake_m2("".join(f'echo "{line}"\n' for line in lines))
    with pytest.raises(M2OutputError, match="coefficient '0.5' is not an exact number"):
        pattern_ideal("2,2,2", "10", m2=Macaulay2(executable=fake))


def test_missing_macaulay2_names_the_install_command(tmp_path):
    with pytest.raises(M2NotFoundError, match="apt-get install -y --no-install-recommends macaulay2"):
        pattern_ideal("2,2,2", "10", m2=Macaulay2(executable=str(tmp_path / "no-such-M2")))


@pytest.mark.m2
def test_memory_cap_is_enforced_by_the_os():
    with pytest.raises(M2CrashError, match="address-space cap 0.1 GiB") as info:
        pattern_ideal("2,2,2", "10", memory_limit=int(0.1 * 2**30), engine="macaulay2")  # Macaulay2's cap
    assert info.value.transient


@pytest.mark.m2
def test_real_m2_error_carries_macaulay2s_message():
    m2 = Macaulay2()
    with pytest.raises(M2Error) as info:
        m2.run_script("x = 1/0;\n")
    assert "division by zero" in info.value.m2_message


@pytest.mark.m2
def test_version_is_recorded():
    assert Macaulay2().version() == "1.21"


@pytest.mark.parametrize(
    "body, code, message",
    [
        ("sleep 300\n", 3, "timed out after 1 s"),
        ('echo "error: boom" >&2\nexit 1\n', 1, "error: boom"),
        ('echo "@@m2b ok begin 1 x"\necho "@@m2b what"\n', 1, "unreadable Macaulay2 output"),
    ],
)
def test_cli_faults_are_one_line(fake_m2, body, code, message):
    # Only the fake that hangs meets the 1 s limit; the others answer at once (a generous limit, so
    # that a loaded machine cannot turn them into timeouts).
    done = run_cli("ideal", "--arch", "2,2,2", "--pattern", "10", "--timeout", "1" if code == 3 else "600",
                   env={"M2BRIDGE_M2": fake_m2(body)})
    assert done.returncode == code
    assert message in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


# --- crashes: a distinct, transient error that shows Macaulay2's message ---------------------------

FRAMES = 'echo "@@m2b ok begin 15 pattern_ideal 2"\necho "@@m2b ok vars 3 m_1"\n'
# A fake session: answers "ready", then one script per line of stdin.
SERVE = 'echo "@@m2b ok ready 4 1.21"\nwhile read -r script; do\n{body}done\n'
SERVED = '  echo "@@m2b ok served ${#script} $script"\n'


@pytest.mark.parametrize("signame, code", [("KILL", 137), ("SEGV", 139), ("ABRT", 134)])
def test_macaulay2_killed_by_a_signal_is_a_transient_crash_without_protocol_lines(fake_m2, signame, code):
    fake = fake_m2(FRAMES + f"kill -{signame} $$\n")
    with pytest.raises(M2CrashError) as info:
        pattern_ideal("2,2,2", "10", m2=Macaulay2(executable=fake))
    error = info.value
    assert error.transient and isinstance(error, M2Error)
    assert error.returncode == code and error.signal == code - 128
    assert f"SIG{signame}" in str(error)
    assert "@@m2b" not in str(error) and "@@m2bridge" not in str(error)
    assert Path(error.script_path).is_file()


def test_a_wrapper_reporting_its_killed_child_is_a_crash(fake_m2):
    # A wrapper script around M2 (without exec) exits 128 + N when Macaulay2 died from signal N.
    with pytest.raises(M2CrashError) as info:
        pattern_ideal("2,2,2", "10", m2=Macaulay2(executable=fake_m2("exit 137\n")))
    assert info.value.signal == signal.SIGKILL and info.value.transient


def test_a_plain_error_is_not_a_crash_and_shows_only_macaulay2s_lines(fake_m2):
    fake = fake_m2(FRAMES + 'echo "stdio:3:1:(3): error: no method for binary operator" >&2\nexit 1\n')
    with pytest.raises(M2Error) as info:
        pattern_ideal("2,2,2", "10", m2=Macaulay2(executable=fake))
    assert not isinstance(info.value, M2CrashError) and not getattr(info.value, "transient", False)
    assert info.value.m2_message == "stdio:3:1:(3): error: no method for binary operator"


def test_a_session_that_dies_mid_script_is_a_crash_with_that_scripts_message_and_restarts(fake_m2):
    # The first script warns on stderr and is served; the second makes Macaulay2 die.
    body = ('  n=$((n+1))\n  if [ $n = 1 ]; then echo "first: error: stale" >&2\n' + SERVED
            + '  else echo "@@m2b ok begin 1 x"; echo "second: error: fresh" >&2; kill -KILL $$; fi\n')
    session = M2Session(Macaulay2(executable=fake_m2(SERVE.format(body=body)), timeout=60))
    with session:
        session.run_script("first")
        with pytest.raises(M2CrashError) as info:
            session.run_script("second")
        assert info.value.signal == 9
        assert info.value.m2_message == "second: error: fresh"
        assert Path(info.value.script_path).read_text() == "second"  # kept, outside the session's directory
        session.run_script("third")  # a fresh Macaulay2
        assert session.started == 2


@pytest.mark.m2
def test_real_session_error_and_crash_show_macaulay2s_message():
    with M2Session(Macaulay2(timeout=120)) as session:
        with pytest.raises(M2Error) as info:
            session.run_script("x = 1/0;\n")
        assert "division by zero" in info.value.m2_message and "@@m2b" not in str(info.value)
        assert not isinstance(info.value, M2CrashError)
        with pytest.raises(M2CrashError) as info:
            session.run_script('run("kill -SEGV " | toString processID());\nsleep 60;\n')
        assert info.value.signal == signal.SIGSEGV and "@@m2b" not in str(info.value)
        assert session.run_script('print 7;\n').stdout == "7\n"


def test_a_crashed_case_is_stored_as_a_transient_failure(fake_m2, tmp_path):
    casefile = tmp_path / "cases.toml"
    casefile.write_text('[sweep]\nname = "crash"\ntimeout = 60\ncompute = ["ideal"]\n\n'
                        '[[sweep.family]]\narchitectures = ["2,2,2"]\npatterns = ["10"]\n')
    fake = fake_m2(SERVE.format(body="  kill -KILL $$\n"))
    db = tmp_path / "cases.sqlite"
    done = run_cli("sweep", str(casefile), "--db", str(db), env={"M2BRIDGE_M2": fake})
    assert done.returncode == 0, done.stderr
    [record] = open_store(db, read_only=True).records()
    assert record.status == "error" and record.result == {"transient": True}, record
    assert "SIGKILL" in record.error


# --- the memory cap never exceeds the inherited hard limit ----------------------------------------

ULIMIT = "ulimit -v > {out}\n"


@pytest.mark.parametrize("flag, expected", [([], 4000000), (["--memory-limit", "1"], 2**20)])
def test_memory_cap_is_at_most_the_inherited_hard_limit(fake_m2, tmp_path, flag, expected):
    out = tmp_path / "ulimit"
    fake = fake_m2(ULIMIT.format(out=out) + 'echo "error: stop here" >&2\nexit 1\n')
    command = " ".join([CLI, "ideal", "--arch", "2,2,2", "--pattern", "10", *flag])
    done = subprocess.run(["bash", "-c", f"ulimit -v 4000000 && exec {command}"], capture_output=True, text=True,
                          env=dict(os.environ, M2BRIDGE_M2=fake), timeout=300)
    assert done.returncode == 1, done.stderr
    assert "error: stop here" in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert int(out.read_text()) == expected  # KiB


def test_session_memory_cap_is_at_most_the_inherited_hard_limit(fake_m2, tmp_path):
    out = tmp_path / "ulimit"
    fake = fake_m2(ULIMIT.format(out=out) + SERVE.format(body=SERVED))
    code = ("import sys\nfrom m2bridge.macaulay2.process import M2Session, Macaulay2\n"
            "with M2Session(Macaulay2(memory_limit=8 * 2**30)) as s:\n    s.run_script('1')\n")
    done = subprocess.run(["bash", "-c", f'ulimit -v 4000000 && exec "{sys.executable}" -c "$0"', code],
                          capture_output=True, text=True, env=dict(os.environ, M2BRIDGE_M2=fake), timeout=300)
    assert done.returncode == 0, done.stderr
    assert int(out.read_text()) == 4000000


@pytest.mark.m2
def test_real_macaulay2_runs_under_a_lower_hard_limit():
    command = " ".join([CLI, "ideal", "--arch", "2,2,2", "--pattern", "10", "--method", "ker", "--json"])
    done = subprocess.run(["bash", "-c", f"ulimit -v 4000000 && exec {command}"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert '"dim"' in done.stdout


# --- temporary directories ------------------------------------------------------------------------


def _session_dirs(root: Path) -> list[Path]:
    return sorted(root.glob("m2bridge-session-*"))


def test_session_close_removes_its_directory_and_ends_macaulay2(fake_m2, tmp_path):
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    session = M2Session(Macaulay2(executable=fake_m2(SERVE.format(body=SERVED)), script_dir=str(scripts)))
    output = session.run_script("1")
    session.discard(output)
    directory, launcher = Path(session.directory), session.process
    assert directory.is_dir()
    session.close()
    assert not directory.exists() and launcher.poll() is not None
    assert list(scripts.iterdir()) == []
    session.run_script("2")  # a closed session starts again
    session.close()
    assert _session_dirs(scripts) == []


def test_a_forgotten_session_cleans_up_when_collected(fake_m2, tmp_path):
    import gc

    session = M2Session(Macaulay2(executable=fake_m2(SERVE.format(body=SERVED)), script_dir=str(tmp_path)))
    session.discard(session.run_script("1"))
    launcher = session.process
    del session
    gc.collect()
    assert _session_dirs(tmp_path) == []
    assert launcher.poll() is not None


def test_a_session_left_open_at_exit_cleans_up(fake_m2, tmp_path):
    fake = fake_m2('echo "$$" > ' + str(tmp_path / "m2.pid") + "\n" + SERVE.format(body=SERVED))
    code = ("import sys\nfrom m2bridge.macaulay2.process import M2Session, Macaulay2\n"
            f"s = M2Session(Macaulay2(script_dir={str(tmp_path)!r}))\ns.discard(s.run_script('1'))\n"
            "print(s.directory)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, M2BRIDGE_M2=fake))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith(str(tmp_path))
    assert _session_dirs(tmp_path) == []
    m2 = int((tmp_path / "m2.pid").read_text())
    assert not _running(m2)


def test_sweep_workers_leave_no_session_directory(fake_m2, tmp_path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    casefile = tmp_path / "cases.toml"
    casefile.write_text('[sweep]\nname = "dirs"\ntimeout = 60\ncompute = ["ideal"]\n\n'
                        '[[sweep.family]]\narchitectures = ["2,2,2"]\npatterns = ["10", "11"]\n')
    fake = fake_m2(SERVE.format(body=SERVED))  # served, without frames: every case is an output error
    done = run_cli("sweep", str(casefile), "--db", ":memory:", "--workers", "2",
                   env={"M2BRIDGE_M2": fake, "TMPDIR": str(temp)})
    assert done.returncode == 0, done.stderr
    assert "2 failed" in done.stdout, done.stdout
    assert _session_dirs(temp) == []


def test_hung_session_is_killed_with_its_whole_process_group_and_keeps_the_script(fake_m2, tmp_path):
    pid_file = tmp_path / "grandchild.pid"
    body = f"  sleep 300 &\n  echo $! > {pid_file}\n  wait\n"
    session = M2Session(Macaulay2(executable=fake_m2(SERVE.format(body=body)), timeout=1.5))
    with session:
        with pytest.raises(M2TimeoutError) as info:
            session.run_script("hang")
        assert Path(info.value.script_path).read_text() == "hang"
        assert session.process is None
        grandchild = int(pid_file.read_text())
        deadline = time.monotonic() + 60
        while _running(grandchild) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(grandchild)
