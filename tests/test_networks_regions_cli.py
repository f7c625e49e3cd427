"""`m2bridge regions`, run in-process through `main`, with two subprocess smoke tests (the real
script's exit code and Ctrl-C), and the status line of `cli.progress`."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from m2bridge.cli import main
from m2bridge.cli.progress import Progress
from m2bridge.networks.regions.traversal import traverse_regions
from test_regions import random_network, toy_network

M2BRIDGE = Path(sys.executable).with_name("m2bridge")


def regions(capsys, *args):
    """(exit code, stdout, stderr) of `m2bridge regions ARGS` run in this process."""
    code = main(["regions", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, out, err, *fragments):
    assert code == 2, err
    assert err.startswith("m2bridge: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and "internal error" not in err and out == "", err
    for fragment in fragments:
        assert fragment in err, err


@pytest.fixture
def toy_file(tmp_path):
    path = tmp_path / "toy.npz"
    toy_network().save(path)
    return path


@pytest.mark.scip
def test_json_has_every_field(toy_file, capsys):
    code, out, err = regions(capsys, "--network", toy_file, "--box", "-2,2", "--method", "all",
                             "--xor-k", "1,2", "--repetitions", "8", "--json")
    assert code == 0, err
    assert err == ""          # no progress line when stderr is not a terminal
    report = json.loads(out)
    assert report["exact"] == 5 and report["exact_complete"] is True
    assert set(report["lower_bounds"]) == {"1", "2"}
    for lb in report["lower_bounds"].values():
        assert 1 <= lb["bound"] <= 5 and lb["probability"] >= 0.95
    assert report["configuration_ub"] == 6 and 5 <= report["empirical_ub"] <= 6
    assert report["stable_units"]["active_leaning"] + report["stable_units"]["inactive_leaning"] == 3
    assert report["seconds"] >= 0 and report["interrupted"] is False


@pytest.mark.scip
def test_text_and_bounds_only(toy_file, capsys):
    code, out, err = regions(capsys, "--network", toy_file, "--box=-2,2", "--method", "bounds")
    assert code == 0, err
    assert "Configuration UB: 6" in out and "regions:" not in out


@pytest.mark.scip
def test_probability_only_changes_the_reading(toy_file, capsys):
    runs = {}
    for p in ("0.95", "0.5"):
        code, out, err = regions(capsys, "--network", toy_file, "--box=-2,2", "--method", "mipbound",
                                 "--xor-k", "2", "--repetitions", "8", "--probability", p, "--json")
        assert code == 0, err
        runs[p] = json.loads(out)["lower_bounds"]["2"]
    assert runs["0.5"]["bound"] >= runs["0.95"]["bound"]


@pytest.mark.parametrize("args,flag", [
    (["--box", "2,1"], "--box"),
    (["--box", "a,b"], "--box"),
    (["--box", "1"], "--box"),
    (["--box=-1e308,1e308"], "--box"),
    (["--box=-inf,1"], "--box"),
    (["--box=nan,1"], "--box"),
    (["--xor-k", "0"], "--xor-k"),
    (["--xor-k", "2,,3"], "--xor-k"),
    (["--time-limit", "0"], "--time-limit"),
    (["--time-limit", "inf"], "--time-limit"),
    (["--time-limit", "nan"], "--time-limit"),
    (["--time-limit", "-5"], "--time-limit"),
    (["--count-limit", "0"], "--count-limit"),
    (["--repetitions", "-1"], "--repetitions"),
    (["--probability", "1"], "--probability"),
    (["--probability", "nan"], "--probability"),
    (["--seed", "-1"], "--seed"),
    (["--method", "fast"], "--method"),
])
def test_bad_options_are_one_line_naming_the_flag(toy_file, capsys, args, flag):
    assert_one_line_error(*regions(capsys, "--network", toy_file, *args), flag)


@pytest.fixture
def plane_net(tmp_path):
    path = tmp_path / "plane.npz"
    random_network((2, 4, 1), 0).save(path)
    return path


@pytest.mark.scip
def test_a_box_with_one_range_per_input(plane_net, capsys):
    reports = []
    for box in ("-1,1,-3,3", "-1:1,-3:3"):
        code, out, err = regions(capsys, "--network", plane_net, "--box", box, "--method", "exact", "--json")
        assert code == 0, err
        reports.append(json.loads(out))
    assert reports[0]["box"] == reports[1]["box"] == [[-1.0, 1.0], [-3.0, 3.0]]
    assert reports[0]["exact"] == reports[1]["exact"] and reports[0]["exact_complete"]
    walked = traverse_regions(random_network((2, 4, 1), 0), ([-1, -3], [1, 3]))
    assert reports[0]["exact"] == walked.activation_regions != traverse_regions(
        random_network((2, 4, 1), 0), (-1, 1)).activation_regions  # the box is not the cube [-1, 1]^2
    code, out, err = regions(capsys, "--network", plane_net, "--box", "-1:1,-3:3", "--method", "exact",
                             "--exact-method", "milp")
    assert code == 0 and "box [-1, 1] × [-3, 3]" in out and f"activation regions: {walked.activation_regions} " in out
    code, out, err = regions(capsys, "--network", plane_net, "--box", "-1:1,-1:1", "--method", "bounds", "--json")
    assert code == 0 and json.loads(out)["box"] == [-1.0, 1.0]  # equal ranges: the cube, as before


@pytest.mark.parametrize("box,message", [
    ("-1,1,-2,2,-3,3", "--box: 3 ranges for a network with 2 inputs: give one range for every input (2)"),
    ("-1:1,-2:2,0:1", "--box: 3 ranges for a network with 2 inputs"),
    ("-1,1,-2", "got 3 number(s) in '-1,1,-2'"),
    ("-1,1,2,2", "lower bound 2 is not below upper bound 2 of input 2"),
    ("-1:1,3:-3", "lower bound 3 is not below upper bound -3 of input 2"),
    ("-1,1,x,2", "'x' is not a finite number"),
    ("-1:1,x:2", "'x' is not a finite number"),
    ("-1:1,nan:2", "'nan' is not a finite number"),
    ("-1:1:2", "expected ranges LO:HI separated by commas"),
    ("-1:1,-1e308:1e308", "within ±1e"),
])
def test_a_bad_box_is_one_line_saying_what_is_wrong(plane_net, capsys, box, message):
    assert_one_line_error(*regions(capsys, "--network", plane_net, "--box", box, "--method", "bounds"), "--box",
                          message)


def write_npz(path, **arrays):
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("content,message", [
    (None, "does not exist"),
    (b"not a zip file", "not a readable .npz"),
    ("bad-shapes", "b1 has shape (4,)"),
    ("strings", "W1 holds dtype <U"),
    ("complex", "W1 holds complex numbers"),
    ("empty-layer", "every layer needs at least one neuron"),
])
def test_bad_network_files(tmp_path, capsys, content, message):
    path = tmp_path / "net.npz"
    if content == "bad-shapes":
        write_npz(path, W1=np.ones((2, 3)), b1=np.ones(4))
    elif content == "strings":
        write_npz(path, W1=np.array([["1"], ["2"]]), b1=np.zeros(2), W2=np.ones((1, 2)), b2=np.zeros(1))
    elif content == "complex":
        write_npz(path, W1=np.array([[1 + 1j], [2]]), b1=np.zeros(2), W2=np.ones((1, 2)), b2=np.zeros(1))
    elif content == "empty-layer":
        write_npz(path, W1=np.zeros((0, 1)), b1=np.zeros(0), W2=np.zeros((1, 0)), b2=np.zeros(1))
    elif content is not None:
        path.write_bytes(content)
    assert_one_line_error(*regions(capsys, "--network", path), "m2bridge: error: network file", message)


@pytest.mark.scip
def test_weights_too_large_for_the_milp(tmp_path, capsys):
    path = write_npz(tmp_path / "net.npz", W1=np.array([[1e300], [-1.0]]), b1=np.zeros(2),
                     W2=np.ones((1, 2)), b2=np.zeros(1))
    assert_one_line_error(*regions(capsys, "--network", path), "--box: on it the pre-activations")


# ---------------------------------------------------------------------------------------------
# the real script


def test_script_exit_code_and_one_line_error(toy_file):
    proc = subprocess.run([str(M2BRIDGE), "regions", "--network", str(toy_file), "--time-limit", "inf"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("m2bridge: error: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert "--time-limit" in proc.stderr and proc.stdout == ""


@pytest.mark.scip
@pytest.mark.slow
def test_ctrl_c_returns_partial_count(tmp_path):
    path = tmp_path / "big.npz"
    random_network((8, 16, 6, 10), 0).save(path)
    proc = subprocess.Popen([str(M2BRIDGE), "regions", "--network", str(path), "--box", "-2,2",
                             "--method", "exact", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Counting has begun once the solver's library is mapped (polled: however long imports take).
    deadline = time.monotonic() + 120
    while proc.poll() is None and "scip" not in Path(f"/proc/{proc.pid}/maps").read_text().lower():
        assert time.monotonic() < deadline, "the solver was not loaded within 120 s"
        time.sleep(0.05)
    time.sleep(2)  # some counting to interrupt (however little, the count must say it is partial)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    report = json.loads(out)
    assert report["interrupted"] is True and report["exact_complete"] is False
    assert report["exact"] is None or report["exact"] > 0


def _children(pid: int) -> set[int]:
    try:
        return {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except FileNotFoundError:
        return set()


@pytest.mark.slow
def test_ctrl_c_stops_the_slab_workers(tmp_path):
    path = tmp_path / "big.npz"
    random_network((8, 16, 6, 10), 0).save(path)
    proc = subprocess.Popen([str(M2BRIDGE), "regions", "--network", str(path), "--box", "-2,2",
                             "--method", "exact", "--workers", "2", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while proc.poll() is None and len(_children(proc.pid)) < 2:  # the walk has begun in its workers
        assert time.monotonic() < deadline, "no slab workers within 120 s"
        time.sleep(0.05)
    workers = _children(proc.pid)
    time.sleep(1)
    proc.send_signal(signal.SIGINT)  # to the parent only: it stops the workers itself
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    report = json.loads(out)
    assert report["interrupted"] is True and report["exact_complete"] is False
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()], "a slab worker outlived the command"


# ---------------------------------------------------------------------------------------------
# the status line


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_line_on_a_terminal_only():
    silent = io.StringIO()
    Progress(silent).update("hidden")
    assert silent.getvalue() == ""
    terminal = FakeTerminal()
    with Progress(terminal, interval=3600, width=20) as progress:
        progress.update("first line shows at once")
        progress.update("second is too soon")
    assert terminal.getvalue() == "\r\x1b[Kfirst line shows at\r\x1b[K"   # 19 columns, then erased
