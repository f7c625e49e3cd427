"""Ctrl-C (SIGINT) at any moment of m2bridge's start-up (importing python-flint, numpy, Jinja2,
parsing, checking Macaulay2) ends it with one line and exit status 130, never a traceback.

The moment is taken from the process itself, not from a clock: the test waits until m2bridge maps
its first compiled extension (python-flint, imported by the command), then sends SIGINT after
several further delays, each to a fresh m2bridge, and once more while Macaulay2 runs. Macaulay2 is
a fake one that hangs, so that the command is still running whatever the load.
"""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import CLI
import polling

PATIENCE = 120.0  # seconds: polled, never slept
DELAYS = [0.0, 0.02, 0.1, 0.3, 1.0]  # seconds after the first extension is mapped


def wait_for(condition, what: str):
    return polling.wait_for(condition, what, interval=0.002)


def importing_extensions(process: subprocess.Popen) -> bool:
    """True once the process maps a compiled module of site-packages (or has exited)."""
    if process.poll() is not None:
        return True
    try:
        maps = Path(f"/proc/{process.pid}/maps").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return any("site-packages" in line and ".so" in line for line in maps.splitlines())


def interrupted(fake: str, scratch: str, until) -> tuple[int, str]:
    cli = subprocess.Popen([CLI, "ideal", "--arch", "2,2,2", "--pattern", "10", "--method", "ker"],
                           env=dict(os.environ, M2BRIDGE_M2=fake, TMPDIR=scratch), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        until(cli)
        os.kill(cli.pid, signal.SIGINT)
        _, stderr = cli.communicate(timeout=PATIENCE)
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()
    return cli.returncode, stderr


@pytest.mark.parametrize("delay", DELAYS)
def test_ctrl_c_during_start_up_is_one_line_and_130(fake_m2, tmp_path, delay):
    started = tmp_path / "m2-started"
    fake = fake_m2(f"touch {started}\nsleep 300 &\nwait\n")

    def until(cli):
        wait_for(lambda: importing_extensions(cli), "m2bridge to import its first compiled extension")
        time.sleep(delay)

    code, stderr = interrupted(fake, str(tmp_path), until)
    if delay == 0:
        assert not started.exists(), "Macaulay2 ran already: the signal came after start-up"
    assert "Traceback" not in stderr, stderr
    assert (code, stderr) == (130, "m2bridge: interrupted\n")


def test_ctrl_c_while_macaulay2_runs_is_one_line_and_130(fake_m2, tmp_path):
    started = tmp_path / "m2-started"
    fake = fake_m2(f"touch {started}\nsleep 300 &\nwait\n")
    code, stderr = interrupted(fake, str(tmp_path), lambda cli: wait_for(started.exists, "Macaulay2 to start"))
    assert (code, stderr) == (130, "m2bridge: interrupted\n")
