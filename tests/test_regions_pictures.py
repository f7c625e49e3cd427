"""`m2bridge regions` with the traversal (default) and the MILP, its pictures (--plot, --slice,
--points), the picture functions of `networks.pictures`, and the digits helpers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from m2bridge.networks.pictures import cells_figure, region_figure, slice_network
from m2bridge.networks.regions import traverse_regions
from m2bridge.networks.regions.digits import digits_inputs, gap_closed, train_network
from test_networks_regions_cli import assert_one_line_error, regions
from test_regions import random_network, toy_network

pytestmark = pytest.mark.scip
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def plane_file(tmp_path):
    path = tmp_path / "plane.npz"
    random_network((2, 12, 12, 1), 0).save(path)
    return path


def test_traversal_is_the_default_and_names_both_counts(plane_file, tmp_path, capsys):
    points = tmp_path / "X.npy"
    np.save(points, np.random.default_rng(0).uniform(-2, 2, size=(30, 2)))
    picture = tmp_path / "regions.png"
    code, out, err = regions(capsys, "--network", plane_file, "--box=-2,2", "--method", "exact", "--json",
                             "--plot", picture, "--points", points)
    assert code == 0 and err == "", err
    report = json.loads(out)
    expected = traverse_regions(random_network((2, 12, 12, 1), 0), (-2.0, 2.0))
    assert report["exact_method"] == "traversal" and report["exact_complete"] is True
    assert report["exact"] == report["activation_regions"] == expected.activation_regions
    assert report["linear_regions"] == expected.linear_regions
    assert set(report["region_definitions"]) == {"activation_regions", "linear_regions"}
    assert "interior points" in report["region_definitions"]["activation_regions"]
    assert report["plot"] == str(picture) and picture.read_bytes().startswith(PNG)


def test_milp_method_and_the_text_report(tmp_path, capsys):
    path = tmp_path / "toy.npz"
    toy_network().save(path)
    code, out, err = regions(capsys, "--network", path, "--box=-2,2", "--method", "exact",
                             "--exact-method", "milp", "--json")
    report = json.loads(out)
    assert code == 0 and report["exact"] == 5 and report["linear_regions"] is None
    assert "lower-dimensional" in report["region_definitions"]["activation_regions"]
    code, out, err = regions(capsys, "--network", path, "--box=-2,2", "--method", "exact")
    assert code == 0 and "activation regions: 5 (exact, traversal" in out and "linear regions: 4" in out


def test_count_limit_says_lower_bound(plane_file, capsys):
    code, out, err = regions(capsys, "--network", plane_file, "--box=-2,2", "--method", "exact",
                             "--count-limit", "7")
    assert code == 0 and "activation regions: 7 (lower bound, count limit" in out


def test_slice_picture_of_a_4d_network(tmp_path, capsys):
    path, through, picture = tmp_path / "net4.npz", tmp_path / "P.npy", tmp_path / "slice.png"
    random_network((4, 5, 5, 1), 0).save(path)
    np.save(through, np.array([[0, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0.5, 0]], dtype=float))
    code, out, err = regions(capsys, "--network", path, "--box=-1,1", "--method", "bounds", "--plot", picture,
                             "--slice", through)
    assert code == 0, err
    assert picture.read_bytes().startswith(PNG)


@pytest.mark.parametrize("setup,fragments", [
    ("4d-no-slice", ["--plot", "give --slice"]),
    ("collinear", ["--slice", "one line"]),
    ("slice-in-2d", ["--slice", "2 inputs"]),
    ("unwritable", ["--plot", "cannot write"]),
])
def test_picture_errors_are_one_line(tmp_path, capsys, plane_file, setup, fragments):
    net4, through = tmp_path / "net4.npz", tmp_path / "P.npy"
    random_network((4, 3, 1), 0).save(net4)
    np.save(through, np.array([[0, 0, 0, 0], [1, 0, 0, 0], [2, 0, 0, 0]], dtype=float))
    args = {
        "4d-no-slice": ["--network", net4, "--plot", tmp_path / "a.png"],
        "collinear": ["--network", net4, "--plot", tmp_path / "a.png", "--slice", through],
        "slice-in-2d": ["--network", plane_file, "--plot", tmp_path / "a.png", "--slice", through],
        "unwritable": ["--network", plane_file, "--plot", tmp_path / "missing" / "a.png"],
    }[setup]
    assert_one_line_error(*regions(capsys, *args, "--method", "bounds"), *fragments)


def test_figures_are_matplotlib_figures():
    net = random_network((2, 5, 3, 1), 0)
    walked = traverse_regions(net, (-2.0, 2.0))
    figure = region_figure(net, (-2.0, 2.0), traversal=walked, colour="linear")
    assert len(figure.axes[0].patches) == walked.activation_regions
    plane = slice_network(random_network((3, 4, 1), 0), np.eye(3))
    assert plane.widths == (2, 4, 1)
    from m2bridge.networks.cells import adjacency_graph
    from m2bridge.networks.codes import codes

    X = np.random.default_rng(0).uniform(-2, 2, size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    distinct = codes(net, X).distinct()
    figure = cells_figure(net, X, y, distinct, adjacency_graph(net, distinct.codes))
    assert len(figure.axes[0].lines) >= 1


def test_digits_helpers():
    X, y = digits_inputs(3)
    assert X.shape == (1797, 3) and X.min() == 0.0 and X.max() == 1.0 and set(y) == set(range(10))
    net, accuracy = train_network((3, 4, 4, 10), X, y, seed=0, epochs=50)
    again, _ = train_network((3, 4, 4, 10), X, y, seed=0, epochs=50)
    assert np.array_equal(net.weights[0], again.weights[0]) and 0.1 < accuracy <= 1.0
    assert gap_closed(10, 10, 10) is None and gap_closed(10, 110, 60) == 50.0


@pytest.mark.slow
def test_regions_tutorial_notebook_runs(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    from pathlib import Path

    notebook = nbformat.read(Path(__file__).resolve().parents[1] / "docs" / "tutorial-regions.ipynb", as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on any failure
    outputs = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    assert "same patterns: True" in outputs and "complete True" in outputs
    assert sum("image/png" in o.get("data", {}) for c in notebook.cells if c.cell_type == "code"
               for o in c.outputs) == 4
