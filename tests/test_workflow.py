"""The Python workflow: `m2bridge.sweep` and its DataFrames, `SweepSpec.from_dict`, sessions,
progress, notes through logging, report formats, and the tutorial notebook."""

import csv
import io
import json
import logging
import re

import pytest

import m2bridge
from m2bridge.sweeps.casefile import CaseFileError, SweepSpec
from m2bridge.sweeps.sweep import SweepProgress

from clitools import invoke
from conftest import ROOT

SPEC = {
    "name": "flow",
    "timeout": 120,
    "compute": ["ideal", "dim", "conjectures"],
    "conjectures": ["shallow-two-block"],
    "family": [{"architectures": ["2,2,2"], "blocks": 2}, {"architectures": ["2,3,2"], "patterns": ["111|100"]}],
}


# --- case files from Python ---------------------------------------------------------------------

TOML = """[sweep]
name = "flow"
timeout = 60
compute = ["ideal"]

[[sweep.family]]
architectures = ["2,2,2"]
blocks = 2
"""
DICT = {"sweep": {"name": "flow", "timeout": 60, "compute": ["ideal"],
                  "family": [{"architectures": ["2,2,2"], "blocks": 2}]}}


def _with(data, change):
    data = json.loads(json.dumps(data))
    change(data["sweep"])
    return data


@pytest.mark.parametrize("toml_change, dict_change", [
    (lambda t: t.replace("timeout = 60", 'timeout = "60"'), lambda d: d.update(timeout="60")),
    (lambda t: t.replace("timeout = 60", "timeout = 60\ncolour = 1"), lambda d: d.update(colour=1)),
    (lambda t: t.replace('compute = ["ideal"]', 'compute = ["ideals"]'), lambda d: d.update(compute=["ideals"])),
    (lambda t: t.replace("timeout = 60", 'timeout = 60\nmethod = "interpolate"'), lambda d: d.update(method="interpolate")),
    (lambda t: t.replace("blocks = 2", 'patterns = ["10|1"]'),
     lambda d: d["family"][0].pop("blocks") and d["family"][0].update(patterns=["10|1"])),
    (lambda t: t.replace("blocks = 2", "blocks = true"), lambda d: d["family"][0].update(blocks=True)),
    (lambda t: t.replace('name = "flow"', 'name = "a b"'), lambda d: d.update(name="a b")),
])
def test_from_dict_is_validated_exactly_like_a_case_file(toml_change, dict_change):
    with pytest.raises(CaseFileError) as from_toml:
        SweepSpec.from_text(toml_change(TOML), "flow.toml")
    with pytest.raises(CaseFileError) as from_dict:
        SweepSpec.from_dict(_with(DICT, dict_change))
    # The same message, without the file name and line a dict does not have.
    strip = lambda e: re.sub(r"^case file '[^']*'(, line [0-9]+)?: ", "", str(e.value))  # noqa: E731
    assert strip(from_toml) == strip(from_dict)
    assert str(from_dict.value).startswith("case file '<dict>': ")


def test_from_dict_accepts_the_sweep_table_alone_and_tuples():
    flat = SweepSpec.from_dict({"name": "flow", "compute": ("ideal",),
                                "family": ({"architectures": ("2,2,2",), "blocks": 2},)})
    full = SweepSpec.from_text(TOML, "flow.toml")
    assert (flat.name, flat.compute, flat.plan().requested) == (full.name, full.compute, full.plan().requested)
    with pytest.raises(CaseFileError, match="expected a dict"):
        SweepSpec.from_dict(["name"])


# --- m2bridge.sweep and its frames ----------------------------------------------------------------

@pytest.mark.m2
def test_sweep_from_python_gives_the_same_frames_as_the_database(tmp_path):
    pandas = pytest.importorskip("pandas")
    db = tmp_path / "cases.sqlite"
    result = m2bridge.sweep(SPEC, db=str(db), workers=1, progress=False)
    assert isinstance(result, m2bridge.SweepResult) and result.summary.failed == 0
    frame = result.to_dataframe()
    required = ["arch", "pattern", "field", "method", "dim", "degree", "mingens_degrees", "complete", "status", "seconds"]
    assert list(frame.columns[: len(required) + 1]) == required[:2] + ["bias"] + required[2:]
    assert len(frame) == 12 + 1  # every ordered two-block pattern of (2,2,2), and the explicit case
    assert set(frame.status) == {"ok"} and frame.complete.all() and frame.dim.dtype.kind == "i"
    assert all(isinstance(d, list) for d in frame.mingens_degrees)
    row = frame[frame.pattern == "111|100"].iloc[0]
    assert row.arch == "2,3,2" and row.mingens_degrees == [2] and "generators" not in frame  # on request:
    full = result.to_dataframe(generators=True)
    assert full[full.pattern == "111|100"].iloc[0].generators[0].count("m_(2,") == 4  # in the requested blocks
    verdicts = result.verdicts_dataframe()
    assert {"statement", "rank_convention", "variant", "claim", "outcome", "counterexample", "ranks"} <= set(verdicts)
    assert len(verdicts) == 13 * 8 and not verdicts.counterexample.any()
    literal = verdicts[(verdicts.pattern == "111|100") & (verdicts.rank_convention == "literal")]
    assert {r["r1"] for r in literal.ranks} == {3}  # the requested blocks, not the canonical 001|111's
    assert "not_contained_count" in verdicts and "not_contained" in result.verdicts_dataframe(polynomials=True)
    # The same frames from the database file.
    store = m2bridge.open_store(db)
    again = m2bridge.SweepResult.load(store, "flow")
    store.close()
    pandas.testing.assert_frame_equal(again.to_dataframe(), frame)
    pandas.testing.assert_frame_equal(m2bridge.SweepResult.load(str(db), "flow").verdicts_dataframe(), verdicts)
    # A second run computes nothing.
    assert m2bridge.sweep(SPEC, db=str(db), progress=False).summary.computed == 0


def test_sweep_arguments_are_checked_before_any_work(tmp_path):
    with pytest.raises(m2bridge.InputError, match="case_file_or_spec"):
        m2bridge.sweep(42, db=":memory:")
    with pytest.raises(m2bridge.InputError, match="db 3"):
        m2bridge.sweep(SPEC, db=3)
    with pytest.raises(CaseFileError, match="does-not-exist.toml"):
        m2bridge.sweep(str(tmp_path / "does-not-exist.toml"), db=":memory:")
    with pytest.raises(m2bridge.InputError, match="no sweep named 'nope'"):
        m2bridge.SweepResult.load(":memory:", "nope")


# --- sessions -------------------------------------------------------------------------------------

@pytest.mark.m2
def test_a_session_starts_macaulay2_once_for_many_calls():
    with m2bridge.session() as s:
        found = [s.pattern_ideal("2,2,2", p) for p in ("10", "11", "10|11", "01|10")]
        direct = m2bridge.pattern_ideal("2,2,3", "10|11", m2=s)
        verdict = m2bridge.check("2,2,2", "10|11", "shallow-two-block", m2=s)
        mine = s.check("2,2,2", "10|11", "shallow-two-block", rank_convention="generic")
        assert s.started == 1
    assert [r.mingens_degrees for r in found] == [[2], [], [2, 2], [2, 2]]
    assert direct.mingens_degrees == m2bridge.pattern_ideal("2,2,3", "10|11").mingens_degrees
    assert verdict.outcome == mine.outcome == "holds"


@pytest.mark.m2
def test_a_session_uses_and_fills_the_case_database(tmp_path):
    db = str(tmp_path / "cases.sqlite")
    with m2bridge.session(db=db) as s:
        first = s.pattern_ideal("2,3,2", "111|100")
        assert s.started == 1
    with m2bridge.session(db=db) as s:
        same = s.pattern_ideal("2,3,2", "111|100")
        swapped = s.pattern_ideal("2,3,2", "100|111")  # an equivalent case: renamed, not recomputed
        assert s.started == 0
    assert same.generator_strings() == first.generator_strings() and "m_(2,2,2)" in first.generator_strings()[0]
    assert "m_(1,2,2)" in swapped.generator_strings()[0] and "m_(2," not in swapped.generator_strings()[0]
    assert swapped.variety.pattern.text == "100|111" and swapped.dim == first.dim == 7
    store = m2bridge.open_store(db, read_only=True)
    assert [r.case.pattern for r in store.records()] == ["001|111"]  # stored once, as the canonical case
    store.close()


# --- progress and notes ---------------------------------------------------------------------------

@pytest.mark.m2
def test_progress_bar_callback_and_silence(capsys, monkeypatch):
    pytest.importorskip("tqdm")
    spec = {"name": "bar", "compute": ["ideal"], "family": [{"architectures": ["2,2,2"], "blocks": 2}]}
    m2bridge.sweep(spec, db=":memory:", progress=True)
    err = capsys.readouterr().err
    assert "sweep bar" in err and "4/4" in err and "task/s" in err
    seen = []
    m2bridge.sweep(spec, db=":memory:", progress=seen.append)
    assert all(isinstance(p, SweepProgress) for p in seen) and seen[-1].done == seen[-1].total == 4
    monkeypatch.setenv("CI", "true")
    m2bridge.sweep(spec, db=":memory:")
    assert capsys.readouterr().err == ""


@pytest.mark.m2
def test_cli_progress_flags_notes_and_quiet(tmp_path, monkeypatch):
    case_file = tmp_path / "notes.toml"
    case_file.write_text('[sweep]\nname = "notes"\ncompute = ["ideal"]\n[[sweep.family]]\narchitectures = ["2,2,2"]\n'
                         'patterns = ["00", "10"]\n')
    db = str(tmp_path / "c.sqlite")
    shown = invoke("sweep", str(case_file), "--db", db, "--progress")
    assert shown.returncode == 0, shown.stderr
    assert "\r" in shown.stderr and "sweep notes" in shown.stderr  # the progress display, asked for in a pipe
    assert "note: skipped 1 pattern(s)" in shown.stderr
    quiet = invoke("-q", "sweep", str(case_file), "--db", db, "--no-progress")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == "" and "1 cached" in quiet.stdout
    monkeypatch.setenv("CI", "1")
    default = invoke("sweep", str(case_file), "--db", db)
    assert default.returncode == 0 and "\r" not in default.stderr, default.stderr


@pytest.mark.m2
def test_python_notes_go_to_logging(caplog):
    spec = {"name": "notes", "compute": ["ideal"], "family": [{"architectures": ["2,2,2"], "patterns": ["00", "10"]}]}
    with caplog.at_level(logging.INFO, logger="m2bridge"):
        m2bridge.sweep(spec, db=":memory:", progress=False)
    assert any("skipped 1 pattern(s)" in r.getMessage() for r in caplog.records)


# --- report formats -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("reports") / "c.sqlite")
    spec = dict(SPEC, family=SPEC["family"] + [{"architectures": ["2,4,4"], "patterns": ["1100|0110"]}])
    m2bridge.sweep(spec, db=db, progress=False)
    return db


@pytest.mark.m2
def test_csv_report_has_numbers_and_lists(swept):
    done = invoke("report", "--db", swept, "--sweep", "flow", "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == 4 + 1 + 1  # four orbits of (2,2,2), two explicit cases
    orbit = next(r for r in rows if r["arch"] == "2,2,2")
    assert orbit["kind"] == "orbit" and int(orbit["cases"]) >= 2 and float(orbit["seconds"]) >= 0
    case = next(r for r in rows if r["arch"] == "2,3,2")
    assert (int(case["dim"]), int(case["degree"]), json.loads(case["mingens_degrees"])) == (7, 2, [2])
    assert case["complete"] == "true" and case["field"] == "QQ" and case["method"] == "ker"
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_csv(io.StringIO(done.stdout))
    assert frame.dim.dtype.kind == "i" and frame.cases.dtype.kind == "i" and frame.complete.dtype == bool


@pytest.mark.m2
def test_latex_report_is_booktabs_and_ascii(swept):
    done = invoke("report", "--db", swept, "--sweep", "flow", "--format", "tex")
    assert done.returncode == 0, done.stderr
    tex = done.stdout
    assert tex.isascii() and r"\toprule" in tex and r"\midrule" in tex and r"\bottomrule" in tex
    assert r"\hline" not in tex and r"\textbar{}" in tex


@pytest.mark.m2
@pytest.mark.parametrize("fmt", ["md", "json", "csv", "tex"])
def test_conjecture_report_in_every_format(swept, tmp_path, fmt):
    done = invoke("report", "--db", swept, "--sweep", "flow", "--conjectures", "--format", fmt)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    if fmt == "json":
        (ce,) = [c for c in json.loads(text)["counterexamples"] if c["statement"] == "shallow-two-block:literal"]
        assert (ce["arch"], ce["pattern"], ce["claim"]) == ("2,4,4", "1100|0110", "generation")
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        fails = [r for r in rows if r["outcome"] == "fails"]
        assert fails and all(int(r["count"]) >= 1 and r["counterexamples"] == "1100|0110" for r in fails)
    elif fmt == "tex":
        assert text.isascii() and r"\toprule" in text and "1100\\textbar{}0110" in text
    else:
        assert "### Failed claims of published statements (2;" in text and "- 2,4,4 1100|0110" in text
        assert "generator(s) of J^A of degree 4 outside ideal(C)" in text and "`--details`" in text
        assert len(max(text.splitlines(), key=len)) < 300  # a summary: no polynomial on one endless line
    out = tmp_path / f"conjectures.{fmt}"
    written = invoke("report", "--db", swept, "--sweep", "flow", "--conjectures", "--format", fmt, "--out", str(out))
    assert written.returncode == 0, written.stderr
    assert out.read_text() == text and written.stdout == ""


# --- the tutorial ---------------------------------------------------------------------------------

@pytest.mark.m2
@pytest.mark.slow
def test_tutorial_notebook_runs(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(ROOT / "docs" / "tutorial.ipynb", as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on any failure
    outputs = "".join(o.get("text", "") + json.dumps(o.get("data", {}))
                      for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    assert "no difference" in outputs and (tmp_path / "tutorial-export.json").exists()


@pytest.mark.m2
def test_session_benchmark_runs():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_session.py"), "--cases", "3",
                           "--repeat", "1"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "one Macaulay2 per ideal" in done.stdout and "(1 start)" in done.stdout
