"""Case files, symmetry, the case database and sweeps, with the real Macaulay2 and real SQLite."""

import dataclasses
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from m2bridge import pattern_ideal
from m2bridge.sweeps.casefile import CaseFileError, SweepSpec
from m2bridge.varieties.polynomials import parse_polynomial_text, polynomial_context
from m2bridge.reports.report import format_rows, report_rows
from m2bridge.sweeps.store import InMemoryCaseStore, SQLiteCaseStore
from m2bridge.sweeps.requested import cached_result
from m2bridge.sweeps.sweep import run_sweep
from m2bridge.varieties.symmetry import canonical_form, enumerate_patterns

from conftest import CLI, ROOT, run_cli
from test_ideal import same_span

SMALL = """
[sweep]
name = "small"
timeout = 60
compute = ["ideal", "dim"]

[[sweep.family]]
architectures = ["2,2,2", "2,2,3"]
blocks = 2
"""


def write(tmp_path, text, name="sweep.toml"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


# --- case files -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, message",
    [
        (SMALL.replace('timeout = 60', 'timeout = 60\ncolour = "red"'), "line 5: [sweep] key 'colour': unknown key"),
        (SMALL.replace('timeout = 60', 'timeout = "60"'), "line 4: [sweep] key 'timeout': expected a number, got str"),
        (SMALL.replace('blocks = 2', 'blocks = 2\nwidth = 3'), "line 10: [[sweep.family]] #1 key 'width': unknown key"),
        (SMALL.replace('"2,2,3"', '"2,0,3"'), "line 8: [[sweep.family]] #1 key 'architectures': architecture '2,0,3'"),
        (SMALL.replace('blocks = 2', 'patterns = ["10|1"]'), "line 9: [[sweep.family]] #1 key 'patterns': pattern '10|1': block 2, layer 1"),
        (SMALL.replace('blocks = 2', 'blocks = true'), "key 'blocks': expected an integer, got a boolean"),
        (SMALL.replace('blocks = 2', 'blocks = 2\npatterns = ["10|01"]'), "give exactly one of 'blocks' and 'patterns'"),
        (SMALL.replace('compute = ["ideal", "dim"]', 'compute = ["ideals"]'), "line 5: [sweep] key 'compute': ['ideals']"),
        (SMALL.replace('name = "small"', 'name = "a b"'), "line 3: [sweep] key 'name'"),
        (SMALL.replace('name = "small"', 'field = "ZZ/6"'), "[sweep] needs the key 'name'"),
        (SMALL + "\n[other]\nx = 1\n", "line 11: unknown table or key 'other'"),
        (SMALL.replace("[[sweep.family]]", "[[sweep.family]"), "not valid TOML"),
    ],
)
def test_malformed_case_files_name_file_key_line(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(CaseFileError) as info:
        SweepSpec.load(path)
    assert path in str(info.value) and message in str(info.value)
    db = tmp_path / "cases.sqlite"
    done = run_cli("sweep", path, "--db", str(db))
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert not db.exists()  # nothing ran


def test_shipped_case_files_load():
    counts = {}
    for path in sorted((ROOT / "cases").glob("*.toml")):
        spec = SweepSpec.load(path)
        plan = spec.plan()
        counts[spec.name] = (plan.requested, plan.unique)
        assert plan.unique <= len(plan.cases) <= plan.requested
    assert counts["two-block-shallow"] == (630, 84)
    assert {"seed", "two-block-shallow", "deep-two-block", "three-block-shallow"} <= set(counts)


# --- symmetry -------------------------------------------------------------------------------------

def test_enumeration_counts_and_trivial_patterns():
    e = enumerate_patterns("2,2,2", 2)
    assert e.ordered == 12 and len(e.representatives) == 4 and e.trivial == 0
    deep = enumerate_patterns("2,2,2,2", 2)
    # Both blocks with an all-zero layer: M_1 = M_2 = 0; skipped.
    assert deep.trivial > 0
    assert all(any(not any(layer) for layer in b) is False or True for b in [])


@pytest.mark.parametrize(
    "canonical, requested",
    [
        (("2,2,2", "01|11"), ("2,2,2", "11|10")),        # block and neuron permutation
        (("2,2,3", "10|11"), ("3,2,2", "11|01")),        # transposition and permutations
        (("2,3,3", "110|011"), ("3,3,2", "101|011")),
        (("2,2,2,2", "11/10|01/11"), ("2,2,2,2", "11/01|10/11")),  # deep: transposition
    ],
)
def test_equivalent_patterns_give_identical_results_after_renaming(tmp_path, canonical, requested):
    assert canonical_form(*requested).case == canonical_form(*canonical).case
    spec = SweepSpec.from_text(
        f'[sweep]\nname = "sym"\ncompute = ["ideal"]\n[[sweep.family]]\narchitectures = ["{canonical[0]}"]\n'
        f'patterns = ["{canonical[1]}"]\n', "sym.toml")
    store = InMemoryCaseStore()
    assert run_sweep(spec, store).computed == 1
    record = cached_result(store, *requested)
    direct = pattern_ideal(*requested)
    assert record.result["variables"] == direct.variable_names
    for key in ("dim", "degree", "mingens_degrees", "hilbert_numerator"):
        assert record.result[key] == getattr(direct, key)
    ctx = polynomial_context(direct.variable_names, direct.field)
    renamed = [parse_polynomial_text(g, ctx) for g in record.result["generators"]]
    for degree in set(direct.mingens_degrees):
        # Minimal generators of one degree are unique up to the span of lower-degree multiples;
        # these ideals are generated in a single degree, so the spans must agree.
        assert len(set(direct.mingens_degrees)) == 1
        assert same_span([g for g in renamed if g.total_degree() == degree],
                         [g for g in direct.generators if g.total_degree() == degree])


# --- the case database ----------------------------------------------------------------------------

@pytest.mark.parametrize("make_store", [InMemoryCaseStore, lambda: SQLiteCaseStore(Path(os.environ["_M2B_TMP"]) / "c.sqlite")])
def test_store_implementations_agree(tmp_path, monkeypatch, make_store):
    monkeypatch.setenv("_M2B_TMP", str(tmp_path))
    store = make_store()
    spec = SweepSpec.from_text(SMALL, "small.toml")
    first = run_sweep(spec, store, workers=2)
    assert (first.cases, first.unique_after_symmetry, first.failed) == (24, 8, 0)
    assert first.computed == first.tasks == 16 and first.cached == 0
    second = run_sweep(spec, store, workers=2)
    assert (second.computed, second.cached) == (0, 16)
    forced = run_sweep(spec, store, workers=2, force=True)
    assert forced.computed == 16
    rows = report_rows(store, "small")
    assert len(rows) == 8 and all(r.status == "ok" for r in rows)
    assert all(r.dim == r.jacobian_dim for r in rows)
    record = store.records()[0]
    assert record.flint_version and record.seed == 0
    assert record.computation == "dim" or (record.m2_version == "1.21" and "ker phi" in record.script)


def test_sqlite_is_wal_and_holds_every_field(tmp_path):
    store = SQLiteCaseStore(tmp_path / "c.sqlite")
    run_sweep(SweepSpec.from_text(SMALL, "small.toml"), store)
    db = sqlite3.connect(tmp_path / "c.sqlite")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    row = db.execute("SELECT status, result, m2_version, flint_version, script, template_hash, seconds "
                     "FROM cases WHERE computation = 'ideal' LIMIT 1").fetchone()
    assert row[0] == "ok" and json.loads(row[1])["generators"] is not None
    assert row[2] == "1.21" and row[3] and "ker phi" in row[4] and len(row[5]) == 64 and row[6] > 0


def test_template_change_is_a_cache_miss(tmp_path):
    templates = tmp_path / "m2scripts"
    shutil.copytree(ROOT / "m2scripts", templates)
    case_file = write(tmp_path, SMALL)
    db = str(tmp_path / "c.sqlite")
    env = {"M2BRIDGE_TEMPLATES": str(templates)}
    first = json.loads(run_cli("sweep", case_file, "--db", db, "--json", env=env).stdout)
    assert first["computed"] == 16
    again = json.loads(run_cli("sweep", case_file, "--db", db, "--json", env=env).stdout)
    assert (again["computed"], again["cached"]) == (0, 16)
    with open(templates / "pattern_ideal.m2.j2", "a") as fh:
        fh.write("-- a changed template\n")
    changed = json.loads(run_cli("sweep", case_file, "--db", db, "--json", env=env).stdout)
    # The 8 `ideal` tasks use the template and are recomputed; the 8 Jacobian `dim` tasks are not.
    assert (changed["computed"], changed["cached"]) == (8, 8)


# The real Macaulay2 behind a session that hangs forever on the (3,3,3) case (its script holds these
# blocks): that case times out whatever the time limit and the load, the others are computed.
HANG_ON_333 = """
if [ "$1" != "--script" ]; then exec M2 "$@"; fi
while IFS= read -r path; do
    if grep -qF '{{1, 0, 1}}}' "$path"; then sleep 300 & wait; fi
    printf '%s\\n' "$path"
done | M2 "$@"
"""


def test_timeouts_and_errors_are_recorded_and_the_sweep_goes_on(tmp_path, fake_m2, monkeypatch):
    # The time limit is 5 times the slowest case measured here and now (at least 3 s): the small
    # cases finish within it however busy the machine; the (3,3,3) one never finishes.
    baseline = InMemoryCaseStore()
    run_sweep(SweepSpec.from_text(SMALL, "small.toml"), baseline, workers=2)
    limit = max(3.0, 5 * max(r.seconds for r in baseline.records()))
    monkeypatch.setenv("M2BRIDGE_M2", fake_m2(HANG_ON_333))
    limit = float(f"{limit:.1f}")  # the value the case file states, as the error message prints it
    text = SMALL.replace("timeout = 60", f"timeout = {limit}").replace(
        'blocks = 2', 'blocks = 2\n\n[[sweep.family]]\narchitectures = ["3,3,3"]\npatterns = ["110|011|101"]')
    spec = SweepSpec.from_text(text, "t.toml")
    store = InMemoryCaseStore()
    summary = run_sweep(spec, store, workers=2)
    assert summary.timed_out == 1 and summary.failed == 0, [(r.case, r.status, r.error) for r in store.records()]
    assert summary.computed == summary.tasks == 18
    timeouts = [r for r in store.records() if r.status == "timeout"]
    assert timeouts[0].case.arch == "3,3,3" and f"timed out after {limit:g} s" in timeouts[0].error
    # Same time limit: the timeout is remembered; a longer limit retries it (on a Macaulay2 that
    # dies at once, so as not to wait for the limit again).
    assert run_sweep(spec, store).computed == 0
    spec.options = dataclasses.replace(spec.options, timeout=limit + 1)
    monkeypatch.setenv("M2BRIDGE_M2", fake_m2('echo "@@m2b ok ready 4 1.21"\nexit 3\n'))
    assert run_sweep(spec, store).computed == 1


def test_kill_9_in_the_middle_then_resume(tmp_path):
    case_file = write(tmp_path, """
[sweep]
name = "resume"
timeout = 120
compute = ["ideal"]

[[sweep.family]]
architectures = ["2,3,2", "3,2,3", "2,3,3", "2,2,2", "2,2,3", "3,2,2"]
blocks = 3
""")
    db = tmp_path / "c.sqlite"
    total = SweepSpec.load(case_file).plan().unique
    process = subprocess.Popen([CLI, "sweep", case_file, "--db", str(db), "--workers", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    finished_before = 0
    while time.monotonic() < deadline and finished_before < 3:
        time.sleep(0.05)
        if db.exists():
            try:
                finished_before = sqlite3.connect(db).execute("SELECT COUNT(*) FROM cases").fetchone()[0]
            except sqlite3.OperationalError:
                pass  # schema not created yet
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -9
    check = sqlite3.connect(db)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    saved = check.execute("SELECT COUNT(*) FROM cases WHERE status = 'ok'").fetchone()[0]
    assert 3 <= saved < total, "the kill must land in the middle of the sweep"
    check.close()
    done = run_cli("sweep", case_file, "--db", str(db), "--json")
    summary = json.loads(done.stdout)
    assert summary["cached"] == saved and summary["computed"] == total - saved
    final = sqlite3.connect(db).execute("SELECT COUNT(*) FROM cases WHERE status = 'ok'").fetchone()[0]
    assert final == total


def test_dask_local_cluster_sweep_matches_local(tmp_path):
    spec = SweepSpec.from_text(SMALL, "small.toml")
    local, dask = InMemoryCaseStore(), InMemoryCaseStore()
    run_sweep(spec, local, workers=2)
    summary = run_sweep(spec, dask, executor="dask", workers=2)
    assert summary.computed == summary.tasks == 16 and summary.failed == 0
    strip = lambda store: {r.key: (r.status, r.result) for r in store.records()}
    assert strip(local) == strip(dask)


def test_cli_sweep_report_export_verify(tmp_path):
    case_file = write(tmp_path, SMALL)
    db = str(tmp_path / "c.sqlite")
    done = run_cli("sweep", case_file, "--db", db, "--json")
    summary = json.loads(done.stdout)
    for key in ("cases", "unique_after_symmetry", "computed", "cached", "failed", "timed_out", "seconds"):
        assert key in summary
    assert done.stderr == ""  # no progress bar when not on a terminal
    for fmt in ("md", "csv", "tex", "json"):
        out = run_cli("report", "--db", db, "--sweep", "small", "--format", fmt)
        assert out.returncode == 0, out.stderr
    tex = run_cli("report", "--db", db, "--sweep", "small", "--format", "tex").stdout
    assert tex.startswith("\\begin{tabular}") and tex.strip().endswith("\\end{tabular}")
    assert tex.count("\\\\") == 8 + 1 and "\\textbar{}" in tex
    rows = json.loads(run_cli("report", "--db", db, "--sweep", "small", "--format", "json").stdout)
    assert len(rows) == 8 and {"arch", "pattern", "dim", "degree", "mingens_degrees", "status", "seconds"} <= set(rows[0])
    assert run_cli("report", "--db", db, "--sweep", "nope").returncode == 2

    export = tmp_path / "export.json"
    assert run_cli("export", "small", "--db", db, "--out", str(export)).returncode == 0
    document = json.loads(export.read_text())
    # One record per requested case (24 ordered patterns) and computation, renamed to that case.
    assert len(document["records"]) == 48 and all(r["script"] for r in document["records"] if r["computation"] == "ideal")
    verified = run_cli("verify", str(export))
    assert verified.returncode == 0 and "0 difference(s)" in verified.stdout
    one = run_cli("export", "2,2,2:11|10", "--db", db, "--out", str(tmp_path / "one.json"))
    assert one.returncode == 0 and "2 record(s)" in one.stdout

    tampered = json.loads(export.read_text())
    ideal = next(r for r in tampered["records"] if r["computation"] == "ideal")
    ideal["stored_result"]["dim"] += 1
    export.write_text(json.dumps(tampered))
    verified = run_cli("verify", str(export))
    assert verified.returncode == 1 and "DIFFERENT" in verified.stdout and "stored_result.dim: file " in verified.stdout
    export.write_text("{not json")
    bad = run_cli("verify", str(export))
    assert bad.returncode == 2 and "is not readable JSON" in bad.stderr


def test_format_rows_markdown_escapes_bars():
    store = InMemoryCaseStore()
    run_sweep(SweepSpec.from_text(SMALL.replace("blocks = 2", 'patterns = ["10|11"]'), "x.toml"), store)
    md = format_rows(report_rows(store, "small"), "md")
    assert "10\\|11" in md


def test_ctrl_c_stops_cleanly_and_the_rerun_resumes(tmp_path):
    case_file = write(tmp_path, SMALL.replace('["2,2,2", "2,2,3"]', '["2,3,2", "3,2,3", "2,3,3"]').replace("blocks = 2", "blocks = 3"))
    db = tmp_path / "c.sqlite"
    process = subprocess.Popen([CLI, "sweep", case_file, "--db", str(db), "--workers", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.05)
        try:
            if sqlite3.connect(db).execute("SELECT COUNT(*) FROM cases WHERE computation = 'ideal'").fetchone()[0] >= 2:
                break
        except sqlite3.OperationalError:
            pass
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "interrupted; finished cases are saved" in err and "Traceback" not in err
    saved = sqlite3.connect(db).execute("SELECT COUNT(*) FROM cases").fetchone()[0]
    again = json.loads(run_cli("sweep", case_file, "--db", str(db), "--json").stdout)
    assert again["cached"] == saved and again["computed"] == again["tasks"] - saved > 0


@pytest.mark.slow  # 12 s; test_dask_local_cluster_sweep_matches_local covers Dask in make test-fast
def test_dask_with_a_scheduler_address(dask_cluster):
    spec = SweepSpec.from_text(SMALL.replace('["2,2,2", "2,2,3"]', '["2,2,2"]'), "small.toml")
    store = InMemoryCaseStore()
    summary = run_sweep(spec, store, executor="dask", scheduler=dask_cluster.scheduler_address)
    assert summary.computed == summary.tasks == 8 and summary.failed == 0
    done = run_cli("sweep", write_tmp(SMALL), "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1",
                   "--db", ":memory:")
    assert done.returncode == 2 and "cannot connect" in done.stderr


def write_tmp(text):
    import tempfile

    fd, path = tempfile.mkstemp(suffix=".toml")
    os.write(fd, text.encode())
    os.close(fd)
    return path


def test_case_file_method_interpolate_is_recorded_and_keyed():
    text = SMALL.replace('compute = ["ideal", "dim"]', 'compute = ["ideal"]\nmethod = "interpolate"\nmax_degree = 3')
    spec = SweepSpec.from_text(text, "interp.toml")
    store = InMemoryCaseStore()
    summary = run_sweep(spec, store, workers=2)
    assert summary.failed == 0 and summary.computed == summary.tasks == 8
    records = store.records()
    assert all(r.method == "interpolate<=3" for r in records)
    assert all(r.result["method_used"] == "interpolate" and r.result["checked_through_degree"] == 3 for r in records)
    # Against ker: the same generator degrees (all these ideals are generated in degree <= 2).
    ker = InMemoryCaseStore()
    run_sweep(SweepSpec.from_text(SMALL.replace('compute = ["ideal", "dim"]', 'compute = ["ideal"]'), "k.toml"), ker)
    by_case = lambda st: {r.case: r.result["mingens_degrees"] for r in st.records()}
    assert by_case(store) == by_case(ker)
    with pytest.raises(CaseFileError, match="key 'max_degree': max_degree is required"):
        SweepSpec.from_text(SMALL.replace("timeout = 60", 'timeout = 60\nmethod = "interpolate"'), "x.toml")
    with pytest.raises(CaseFileError, match="key 'method'"):
        SweepSpec.from_text(SMALL.replace("timeout = 60", 'timeout = 60\nmethod = "magic"'), "x.toml")
