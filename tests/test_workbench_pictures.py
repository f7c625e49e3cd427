"""Pictures (graded dimensions and Hilbert function of a result; a sweep's outcomes as a grid),
notebook views, and the one-shot Python functions answered from a case database."""

import pytest

import m2bridge
from m2bridge.ideals.pictures import graded_table

SPEC = {"name": "grid", "compute": ["ideal", "conjectures"], "conjectures": ["shallow-two-block"],
        "family": [{"architectures": ["2,2,2", "2,3,2"], "blocks": 2}]}


@pytest.fixture(scope="module")
def swept():
    return m2bridge.sweep(SPEC, db=":memory:", progress=False)


@pytest.fixture(autouse=True)
def agg(monkeypatch):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")


@pytest.mark.m2
def test_graded_picture_draws_what_the_result_knows():
    import matplotlib.pyplot as plt

    r = m2bridge.pattern_ideal("2,2,2", "10|11")
    table = graded_table(r)
    assert min(table) == 1 and max(table) == 6  # the Hilbert numerator gives every degree
    assert table[2] == (36, 2, 34) and table[3][1] == 16
    fig = r.plot_graded()
    left, right = fig.axes
    assert [round(p.get_height()) for p in left.patches[:6]] == [table[d][1] for d in range(1, 7)]
    assert list(right.lines[1].get_ydata()) == [table[d][2] for d in range(1, 7)]
    plt.close(fig)
    partial = m2bridge.pattern_ideal("2,2,2", "10|11", method="interpolate", max_degree=3)
    assert sorted(graded_table(partial)) == [1, 2, 3]  # no Hilbert numerator: the degrees checked
    plt.close(partial.plot_graded())


@pytest.mark.m2
def test_sweep_outcome_grid_is_architecture_by_orbit(swept):
    import matplotlib.pyplot as plt

    from m2bridge.sweeps.pictures import outcome_table

    table = outcome_table(swept.verdicts())
    assert table.architectures == ["2,2,2", "2,3,2"] and table.statement == "shallow-two-block"
    canonical = {(v["arch"], v["canonical"].split(":")[1]) for v in swept.verdicts()}
    assert set(table.cells) == canonical  # one cell per orbit
    fig = swept.plot_outcomes()
    assert len(fig.axes[0].patches) == len(table.cells)
    plt.close(fig)
    with pytest.raises(m2bridge.InputError, match="statement"):
        swept.plot_outcomes(statement="no-such-statement")


@pytest.mark.m2
def test_notebook_views(swept):
    html = swept._repr_html_()
    assert "<b>sweep grid</b>" in html and "computed" in html
    summary = swept.summary._repr_html_()
    assert "<b>sweep grid</b>: <span style='color:#1b5e20'>done</span>" in summary
    assert f"<td>{swept.summary.tasks}</td>" in summary
    r = m2bridge.pattern_ideal("2,2,2", "10|11", engine="macaulay2")  # its generators, as Macaulay2 gives them
    view = r._repr_html_()
    assert "<code>m_(1,1,2)*m_(1,2,1) - m_(1,1,1)*m_(1,2,2)</code>" in view and "complete" in view
    assert r._repr_latex_().startswith("$J^A")


@pytest.mark.m2
def test_one_shot_functions_use_a_case_database(tmp_path, monkeypatch):
    db = str(tmp_path / "c.sqlite")
    first = m2bridge.pattern_ideal("2,3,2", "100|111", db=db)  # computed and saved
    monkeypatch.setenv("M2BRIDGE_M2", "/nonexistent/M2")  # from here on Macaulay2 cannot start
    again = m2bridge.pattern_ideal("2,3,2", "111|100", db=db)  # the mirror image, from the database
    assert again.mingens_degrees == first.mingens_degrees and again.dim == first.dim
    verdict = m2bridge.check("2,3,2", "111|100", db=db, name="single-block")
    assert verdict.statement == "single-block"
    with pytest.raises(m2bridge.M2NotFoundError):
        m2bridge.pattern_ideal("2,2,2", "10", db=db)


@pytest.mark.m2
def test_python_and_the_command_line_count_tasks_alike(swept, tmp_path):
    import json

    from conftest import run_cli

    spec = tmp_path / "grid.toml"
    spec.write_text('[sweep]\nname = "grid"\ncompute = ["ideal", "conjectures"]\nconjectures = ["shallow-two-block"]\n'
                    '[[sweep.family]]\narchitectures = ["2,2,2", "2,3,2"]\nblocks = 2\n')
    done = run_cli("sweep", str(spec), "--db", str(tmp_path / "c.sqlite"), "--json")
    assert done.returncode == 0, done.stderr
    cli = json.loads(done.stdout)["tasks"]
    assert swept.tasks == cli and f"{cli} tasks" in repr(swept)
    reloaded = m2bridge.SweepResult.load(str(tmp_path / "c.sqlite"), "grid")
    assert reloaded.tasks == cli  # read back from the database, without a summary
