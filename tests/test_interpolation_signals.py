"""A signal during the interpolation is answered at once: the BLAS elimination (default prime) asks
between blocks of rows, and a long FLINT call (a prime above 2^23) runs in a forked child while the
parent, blocked on a pipe, handles the signal and kills that child."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from m2bridge.varieties import pieces
from m2bridge.varieties.forked import ChildDied, call_forked

M2BRIDGE = [sys.executable, "-m", "m2bridge"]
CEILING = 300  # seconds: only a guard against a hang, never a measure of speed
EXIT_AFTER = {signal.SIGTERM: 143, signal.SIGINT: 130}
COMMAND = ["ideal", "--arch", "3,3,3", "--pattern", "110|011", "--method", "interpolate", "--max-degree", "8"]


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def interrupted(tmp_path, signum, extra: list[str], ready):
    """Run COMMAND + `extra`, send `signum` once `ready(process)` has returned (whatever it returns is
    handed back), and check the run ends with 128 + N and no traceback."""
    env = dict(os.environ, TMPDIR=str(tmp_path))
    process = subprocess.Popen(M2BRIDGE + COMMAND + extra, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    try:
        found = ready(process, time.monotonic() + CEILING)
        process.send_signal(signum)
        _, err = process.communicate(timeout=CEILING)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == EXIT_AFTER[signum], err
    assert "Traceback" not in err
    return found


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=lambda s: signal.Signals(s).name)
def test_a_signal_during_the_blas_elimination_ends_the_run(tmp_path, signum):
    def ready(process, deadline):
        # Well into the computation (start-up takes far less CPU than this), and not finished.
        while cpu_seconds(process.pid) < 4 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        assert process.poll() is None, "finished before it could be interrupted"

    interrupted(tmp_path, signum, [], ready)


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=lambda s: signal.Signals(s).name)
def test_a_signal_during_a_long_flint_kernel_ends_the_run_and_its_child(tmp_path, signum):
    def ready(process, deadline):
        child = None
        while child is None and time.monotonic() < deadline and process.poll() is None:
            found = children(process.pid)
            child = found[0] if found else None
            time.sleep(0.02)
        assert child is not None, "no forked child for the kernels of the large pieces"
        return child

    child = interrupted(tmp_path, signum, ["--prime", str(2**31 - 1)], ready)
    deadline = time.monotonic() + CEILING
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child)


def test_forked_call_returns_and_raises_as_a_call_here():
    E = np.random.default_rng(0).integers(0, 101, size=(30, 40))
    basis, free = call_forked(pieces._flint_kernel, E, 101)
    expected_basis, expected_free = pieces._flint_kernel(E, 101)
    assert np.array_equal(basis, expected_basis) and np.array_equal(free, expected_free)
    with pytest.raises(ZeroDivisionError):
        call_forked(divmod, 1, 0)


def _die():
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_child_killed_like_the_oom_killer_does_is_reported():
    with pytest.raises(ChildDied, match="the test piece was killed"):
        call_forked(_die, what="the test piece")


SWEEP_CASE = """
[sweep]
name = "long-interpolation"
compute = ["ideal"]
method = "interpolate"
max_degree = 8
[[sweep.family]]
architectures = ["3,3,3"]
patterns = ["110|011"]
"""


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_ctrl_c_stops_a_sweep_during_an_interpolation_in_a_worker_thread(tmp_path):
    """Only the main thread receives the signal; the interpolation runs in a worker thread of the
    sweep. It asks between blocks of the elimination whether m2bridge is ending and stops, so the
    sweep ends interrupted with nothing stored for the case. Before, the sweep waited for the
    interpolation to finish: about 40 s more CPU here. CPU seconds, not wall time, are compared: load
    on the machine does not add to them."""
    case_file, db = tmp_path / "long.toml", tmp_path / "long.sqlite"
    case_file.write_text(SWEEP_CASE)
    env = dict(os.environ, TMPDIR=str(tmp_path))
    with open(tmp_path / "err.txt", "w+") as err:
        process = subprocess.Popen(M2BRIDGE + ["sweep", str(case_file), "--db", str(db), "--workers", "1",
                                              "--no-progress"], stdout=subprocess.DEVNULL, stderr=err, env=env)
        deadline = time.monotonic() + CEILING
        while cpu_seconds(process.pid) < 4 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        assert process.poll() is None, "finished before it could be interrupted"
        at_signal = last = cpu_seconds(process.pid)
        process.send_signal(signal.SIGINT)
        while process.poll() is None and time.monotonic() < deadline + CEILING:
            time.sleep(0.05)
            if process.poll() is None:
                last = cpu_seconds(process.pid)
        if process.poll() is None:
            process.kill()
        process.wait()
        err.seek(0)
        message = err.read()
    assert process.returncode == 130 and "Traceback" not in message, message
    assert last - at_signal < 5, f"the interpolation went on for {last - at_signal:.1f} s of CPU after Ctrl-C"
    import sqlite3
    with sqlite3.connect(db) as connection:  # the case was cut short: nothing stored, a rerun computes it
        assert connection.execute("SELECT count(*) FROM cases WHERE status = 'ok'").fetchone()[0] == 0
    connection.close()
