"""`m2bridge codes` and `m2bridge patterns`, run in-process through `main`; one smoke test runs
the installed script."""

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

from m2bridge.cli import main
from m2bridge.networks.cells import adjacency_graph
from m2bridge.networks.codes import codes, distance_histogram
from m2bridge.networks.network import Network
from m2bridge.varieties.model import ActivationPattern

M2BRIDGE = str(Path(sys.executable).with_name("m2bridge"))


def m2bridge_script(*args):
    """The installed command in a fresh process: exit code, stdout, stderr as a user sees them."""
    return subprocess.run([M2BRIDGE, *map(str, args)], capture_output=True, text=True, timeout=120)


def m2bridge_in_process(capsys, *args):
    """The same through `main` in this process (no start-up time)."""
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, out, err)


def assert_one_line_error(result, message):
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("m2bridge: error: ") and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "internal error" not in result.stderr and result.stdout == "", result.stderr


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("codes")
    rng = np.random.default_rng(17)
    net = Network([rng.normal(size=(5, 2)), rng.normal(size=(3, 5)), rng.normal(size=(1, 3))],
                  [rng.normal(size=5), rng.normal(size=3), np.zeros(1)])
    net.save(folder / "net.npz")
    X = rng.uniform(-2, 2, size=(150, 2))
    np.save(folder / "X.npy", X)
    np.save(folder / "y.npy", (X[:, 0] > 0).astype(np.int64))
    return {"folder": folder, "net": net, "X": X, "network": folder / "net.npz", "data": folder / "X.npy",
            "labels": folder / "y.npy"}


def test_codes_json_from_the_script(files):
    result = m2bridge_script("codes", "--network", files["network"], "--data", files["data"], "--theta", "2", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    point_codes = codes(files["net"], files["X"])
    distinct = point_codes.distinct()
    assert report["codes"] == point_codes.hex()
    assert report["distinct"] == len(distinct) == len(report["distinct_codes"])
    assert report["distance_histogram"] == {str(d): n for d, n in distance_histogram(distinct.codes, 2).items()}
    assert set(report["distance_histogram"]) <= {"1", "2"}
    assert sum(report["distance_histogram"].values()) == len(distinct) * (len(distinct) - 1) // 2
    graph = adjacency_graph(files["net"], distinct.codes)
    hexes = distinct.codes.hex()
    assert report["adjacent"] == [[hexes[i], hexes[j]] for i, j in graph.edges]
    assert report["adjacent"]
    assert report["adjacency"]["checked_pairs"] == len(distinct) * (len(distinct) - 1) // 2
    assert len(report["adjacency"]["disagreements"]) == len(graph.disagreements)


def test_codes_summary_and_options(files, capsys):
    result = m2bridge_in_process(capsys, "codes", "--network", files["network"], "--data", files["data"], "--lp-max-distance", "1")
    assert result.returncode == 0, result.stderr
    assert "distinct codes" in result.stdout and "adjacent cells (LP)" in result.stdout
    result = m2bridge_in_process(capsys, "codes", "--network", files["network"], "--data", files["data"],
                                 "--no-adjacency", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["adjacent"] is None and report["theta"] is None


def test_patterns_json_and_case_file(files, tmp_path, capsys):
    case = tmp_path / "case.toml"
    result = m2bridge_in_process(capsys, "patterns", "--network", files["network"], "--data", files["data"],
                                 "--labels", files["labels"], "--json", "--case-out", case, "--name", "toy")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    distinct = codes(files["net"], files["X"]).distinct()
    assert report["architecture"] == "2,5,3,1" and report["bias"] is True
    assert report["block_sizes"] == distinct.counts.tolist()
    assert report["pattern"] == ActivationPattern(tuple(distinct.codes.blocks())).text
    assert [b["pattern"] for b in report["blocks"]] == report["pattern"].split("|")
    assert all(sum(b["labels"].values()) == b["size"] for b in report["blocks"])
    assert report["block_of_point"] == (distinct.inverse + 1).tolist()
    parsed = tomllib.loads(case.read_text())
    assert parsed["sweep"]["family"] == [{"architectures": ["2,5,3,1"], "patterns": [report["pattern"]], "bias": True}]
    assert parsed["sweep"]["name"] == "toy"


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--theta", "0"], "argument --theta: '0' is not a positive integer or 'inf'"),
        (["--theta", "-3"], "--theta"),
        (["--lp-max-distance", "x"], "--lp-max-distance: 'x' is not a positive integer"),
        (["--lp-max-distance", "0"], "--lp-max-distance"),
    ],
)
def test_bad_codes_options(files, extra, message, capsys):
    result = m2bridge_in_process(capsys, "codes", "--network", files["network"], "--data", files["data"], *extra)
    assert_one_line_error(result, message)


def test_missing_required_argument_is_one_line(files, capsys):
    assert_one_line_error(m2bridge_in_process(capsys, "patterns", "--data", files["data"]),
                          "the following arguments are required: --network")


def test_huge_theta_means_no_truncation(files, capsys):
    result = m2bridge_in_process(capsys, "codes", "--network", files["network"], "--data", files["data"],
                                 "--theta", "9" * 30, "--no-adjacency", "--json")
    assert result.returncode == 0, result.stderr
    plain = m2bridge_in_process(capsys, "codes", "--network", files["network"], "--data", files["data"],
                                "--no-adjacency", "--json")
    assert plain.returncode == 0, plain.stderr
    assert json.loads(result.stdout)["distance_histogram"] == json.loads(plain.stdout)["distance_histogram"]


def test_bad_data_and_labels_exit_2_with_one_line(files, tmp_path, capsys):
    wide = tmp_path / "wide.npy"
    np.save(wide, np.zeros((4, 3)))
    short = tmp_path / "short.npy"
    np.save(short, np.zeros(5))
    nan = tmp_path / "nan.npy"
    np.save(nan, np.array([[0.0, np.nan]]))
    cases = [
        (["codes", "--network", files["network"], "--data", wide], "points have 3 entries, the network has 2 inputs"),
        (["codes", "--network", files["network"], "--data", nan], "NaN or infinity"),
        (["patterns", "--network", files["network"], "--data", files["data"], "--labels", short],
         "expected one label per data point (150,)"),
        (["patterns", "--network", files["network"], "--data", files["data"], "--case-out", tmp_path / "no" / "c.toml"],
         "does not exist"),
        (["patterns", "--network", files["network"], "--data", files["data"], "--case-out", tmp_path],
         "--case-out"),
        (["patterns", "--network", files["network"], "--data", files["data"], "--case-out", tmp_path / "c.toml",
          "--field", "QQQ"], "--field 'QQQ': use QQ or ZZ/p"),
        (["patterns", "--network", files["network"], "--data", files["data"], "--case-out", tmp_path / "c.toml",
          "--name", "a b"], "--name 'a b'"),
        (["patterns", "--network", files["network"], "--data", files["data"], "--timeout", "0"], "--timeout"),
    ]
    for args, message in cases:
        assert_one_line_error(m2bridge_in_process(capsys, *args), message)


def test_too_many_cells_for_all_pairs_asks_for_a_distance_limit(tmp_path, capsys):
    rng = np.random.default_rng(3)
    Network([rng.normal(size=(40, 3)), rng.normal(size=(1, 40))], [rng.normal(size=40), np.zeros(1)]).save(
        tmp_path / "net.npz")
    np.save(tmp_path / "X.npy", rng.normal(size=(2000, 3)))
    args = ["codes", "--network", tmp_path / "net.npz", "--data", tmp_path / "X.npy", "--json"]
    result = m2bridge_in_process(capsys, *args)
    assert_one_line_error(result, "pass --lp-max-distance 1")
    result = m2bridge_in_process(capsys, *args, "--no-adjacency")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["distinct"] > 200
