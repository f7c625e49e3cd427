"""`m2bridge report --results STEM`: the results page of a Conjecture 6.1 sweep, from the database."""

import json
import sqlite3

import pytest

from clitools import invoke

CASE_FILE = """
[sweep]
name = "c61-small"
compute = ["conjectures"]
conjectures = ["shallow-two-block"]
method = "auto"
max_degree = 3
[[sweep.family]]
architectures = ["2,2,2", "2,3,2"]
blocks = 2
"""


@pytest.mark.m2
def test_results_page_is_written_by_report(tmp_path):
    case_file = tmp_path / "c61.toml"
    case_file.write_text(CASE_FILE)
    db = str(tmp_path / "c61.sqlite")
    done = invoke("sweep", str(case_file), "--db", db, "--json")
    assert done.returncode == 0, done.stderr
    stem = tmp_path / "results" / "c61"
    done = invoke("report", "--db", db, "--sweep", "c61-small", "--results", str(stem))
    assert done.returncode == 2, done.stderr  # the directory does not exist: one line, nothing written
    assert "--results" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    stem.parent.mkdir()
    done = invoke("report", "--db", db, "--sweep", "c61-small", "--results", str(stem), "--title", "Small")
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "results" / "c61.md").read_text()
    data = json.loads((tmp_path / "results" / "c61.json").read_text())
    assert page.startswith("# Small") and "## Outcomes per reading" in page and "## Failures (0)" in page
    assert set(data["totals"]) == {"generic, n1", "generic, R1 ∪ R2", "literal, n1", "literal, R1 ∪ R2"}
    assert all(set(counts) <= {"holds", "holds through degree 3"} for counts in data["totals"].values())
    # one object per orbit and reading, with what a citation needs
    assert len(data["verdicts"]) == 4 * data["orbit_count"] == 4 * 13
    fields = {"arch", "pattern", "reading", "outcome", "checked_through_degree", "complete", "certificate",
              "extra_generators"}
    assert all(fields <= set(v) for v in data["verdicts"])
    assert {v["arch"] for v in data["verdicts"]} == {"2,2,2", "2,3,2"}
    assert all(v["complete"] == (v["outcome"] == "holds") for v in data["verdicts"])
    done = invoke("report", "--db", db, "--results", str(stem))
    assert done.returncode == 2, done.stderr
    for flags, named in ((["--statement", "mine"], "--statement"), (["--claim", "dimension"], "--claim")):
        done = invoke("report", "--db", db, "--sweep", "c61-small", "--results", str(stem), *flags)
        assert done.returncode == 2 and named in done.stderr and len(done.stderr.strip().splitlines()) == 1
    # a hand-edited record whose verdicts lack an outcome: skipped with a warning naming it, its orbit pending
    with sqlite3.connect(db) as connection:
        key = connection.execute("SELECT key FROM cases WHERE computation LIKE 'conjectures:%' LIMIT 1").fetchone()[0]
        connection.execute("UPDATE cases SET result = ? WHERE key = ?",
                           (json.dumps({"verdicts": [{"statement": "shallow-two-block", "claim": "generation"}]}), key))
    connection.close()
    done = invoke("report", "--db", db, "--sweep", "c61-small", "--results", str(stem))
    assert done.returncode == 0 and key in done.stderr and "Traceback" not in done.stderr, done.stderr
    data = json.loads((tmp_path / "results" / "c61.json").read_text())
    assert len(data["verdicts"]) == 4 * 12 and [e["status"] for e in data["errors"]] == ["pending"]
    assert data["orbit_count"] == 12 and data["pending_count"] == 1
    # an orbit of which nothing is stored yet (a sweep stopped early) is listed, not lost
    with sqlite3.connect(db) as connection:
        edited = connection.execute("SELECT arch, pattern FROM cases WHERE key = ?", (key,)).fetchone()
        arch, pattern = connection.execute("SELECT arch, pattern FROM cases WHERE computation = 'ideal' AND "
                                           "(arch, pattern) != (?, ?) ORDER BY arch, pattern LIMIT 1", edited).fetchone()
        connection.execute("DELETE FROM cases WHERE arch = ? AND pattern = ?", (arch, pattern))
    connection.close()
    done = invoke("report", "--db", db, "--sweep", "c61-small", "--results", str(stem))
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "results" / "c61.json").read_text())
    assert data["orbit_count"] == 11 and data["pending_count"] == 2 and len(data["verdicts"]) == 4 * 11
    assert {"arch": arch, "pattern": pattern, "status": "pending",
            "error": "nothing computed yet (rerun the sweep)"} in data["errors"]
    assert "11 orbits of cases, 2 more without a verdict yet" in (tmp_path / "results" / "c61.md").read_text()


DEEP_AND_MINING = """
[sweep]
name = "{name}"
compute = ["conjectures"]
conjectures = ["{statement}"]
method = "auto"
max_degree = 3
ker_timeout = 30
[[sweep.family]]
architectures = ["{arch}"]
patterns = {patterns}
"""


@pytest.mark.m2
@pytest.mark.parametrize("statement, arch, patterns, claim", [
    ("deep-two-block", "2,2,2,2", ["11/11|10/11", "11/10|01/11"], "containment"),
    ("mine", "2,2,2", ["11|10|01"], "generation"),
])
def test_results_page_of_other_statements(tmp_path, statement, arch, patterns, claim):
    case_file = tmp_path / "s.toml"
    case_file.write_text(DEEP_AND_MINING.format(name="s", statement=statement, arch=arch,
                                                patterns=str(patterns).replace("'", '"')))
    db = str(tmp_path / "s.sqlite")
    done = invoke("sweep", str(case_file), "--db", db)
    assert done.returncode == 0, done.stderr
    stem = tmp_path / "s"
    done = invoke("report", "--db", db, "--sweep", "s", "--results", str(stem), "--title", "S")
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "s.json").read_text())
    page = (tmp_path / "s.md").read_text()
    assert data["statement"] == statement and data["claim"] == claim
    assert len(data["verdicts"]) == data["orbit_count"] == len(patterns)
    assert all(v["reading"] == "as stated" for v in data["verdicts"])
    if claim == "containment":
        # a theorem: it holds, proved by exact composition; whether C generates is reported beside it
        assert all(v["outcome"] == "holds" and v["complete"] for v in data["verdicts"])
        assert all(v["generation"] in ("generates", "does not generate") for v in data["verdicts"])
        assert "C generates J^A?" in page and "## Where C does not generate J^A" in page
        missing = [v for v in data["verdicts"] if v["generation"] == "does not generate"]
        assert all(v["extra_generators"] for v in missing)
    else:
        assert data["published"] is False and "## Where the mined families miss generators of J^A" in page


def test_shipped_results_pages_are_consistent_with_their_verdicts():
    """docs/results: every JSON's counts are those of its per-orbit verdicts, and its page was written
    with it (same timestamp): a hand edit of either shows here."""
    from pathlib import Path
    from collections import Counter

    results = sorted((Path(__file__).resolve().parents[1] / "docs" / "results").glob("*.json"))
    assert {p.stem for p in results} >= {"conjecture-6.1", "deep-two-block", "deep-two-block-mining",
                                         "three-block-mining"}
    for path in results:
        data = json.loads(path.read_text())
        page = path.with_suffix(".md").read_text()
        verdicts = data["verdicts"]
        readings = {v["reading"] for v in verdicts}
        assert len(verdicts) == data["orbit_count"] * len(readings), path.name
        # an unfinished sweep: every orbit without a verdict is listed, none is counted among the outcomes
        assert data.get("pending_count", 0) == len(data["errors"]), path.name
        for reading in readings:
            mine = [v for v in verdicts if v["reading"] == reading]
            assert dict(Counter(v["outcome"] for v in mine)) == data["totals"][reading], path.name
            assert dict(Counter(v["generation"] for v in mine)) == data["generation"][reading], path.name
        for v in verdicts:
            assert v["complete"] == (v["outcome"] in ("holds", "fails")), (path.name, v["pattern"])
            assert v["outcome"] != "fails" or all(e["certified"] for e in v["extra_generators"])
            assert all(0 < e["shown"] <= 3 and e["shown"] == len(e["polynomials"]) for e in v["extra_generators"])
        assert f"Written {data['written']}." in page and data["statement"] in page, path.name
