"""A signal while the Dask LocalCluster starts: m2bridge ends as for any other moment (exit 128 + N,
one line per event, no `atexit` traceback of half-started nannies), and its workers end with it.

The moment is taken from the process tree, not from a clock: SIGTERM goes to m2bridge as soon as
its cluster's two worker processes (multiprocessing children) exist, while they start.
"""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from m2bridge import _processes

from conftest import CLI
import polling

PATIENCE = 120.0  # seconds: polled, never slept


def wait_for(condition, what: str):
    return polling.wait_for(condition, what, interval=0.005)


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def test_a_noted_signal_acts_only_when_delivered():
    handlers = _processes.install_signal_handlers()
    try:
        with _processes.deferred_signals() as signals:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.01)  # the handler would run at a bytecode boundary in here
        with pytest.raises(_processes.Terminated):
            signals.deliver()
            time.sleep(0.01)
    finally:
        handlers.restore()


def test_deliver_without_a_signal_does_nothing():
    with _processes.deferred_signals() as signals:
        pass
    signals.deliver()


@pytest.mark.dask
@pytest.mark.m2
def test_a_signal_while_the_local_cluster_starts_ends_m2bridge_quietly(tmp_path):
    signum = signal.SIGTERM  # SIGINT and SIGHUP take the same path (_processes.deferred_signals)
    casefile = tmp_path / "cases.toml"
    casefile.write_text('[sweep]\nname = "start"\ncompute = ["ideal"]\n\n'
                        '[[sweep.family]]\narchitectures = ["2,2,2"]\npatterns = ["10", "11"]\n')
    cli = subprocess.Popen([CLI, "sweep", str(casefile), "--executor", "dask", "--workers", "2",
                            "--db", str(tmp_path / "cases.sqlite")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, start_new_session=True)
    cluster = []
    try:
        def cluster_starting():
            if cli.poll() is not None:
                pytest.fail(f"m2bridge ended ({cli.returncode}) before its cluster started: {cli.stderr.read()}")
            cluster[:] = [p for p in children_of(cli.pid) if "multiprocessing" in cmdline(p)]
            return len(cluster) >= 2

        wait_for(cluster_starting, "the LocalCluster's worker processes")
        os.kill(cli.pid, signum)
        _, stderr = cli.communicate(timeout=PATIENCE)
        wait_for(lambda: not any(alive(p) for p in cluster), "the cluster's processes to end")
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()
    assert "Traceback" not in stderr and "Error" not in stderr, stderr
    assert cli.returncode == 128 + signum, stderr
