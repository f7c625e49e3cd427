import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).with_name("m2bridge"))


@pytest.fixture(scope="session", autouse=True)
def _macaulay2_present():
    # The tests run the real Macaulay2; `make test` installs it. Missing M2 is a set-up failure.
    if shutil.which("M2") is None:
        pytest.exit("Macaulay2 (M2) is not on PATH: run `make test`, which installs it", returncode=1)


def run_cli(*args, env=None, timeout=300):
    """The real `m2bridge` command; returns the CompletedProcess (text)."""
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([CLI, *args], capture_output=True, text=True, env=full_env, timeout=timeout)


@pytest.fixture
def fake_m2(tmp_path):
    """Write an executable stand-in for M2 (only for simulating faults) and return its path."""

    def make(body: str) -> str:
        path = tmp_path / "fake-M2"
        path.write_text("#!/usr/bin/env bash\n" + body)
        path.chmod(0o755)
        return str(path)

    return make
