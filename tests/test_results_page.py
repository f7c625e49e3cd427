"""`m2bridge report --results STEM`: the results page of a Conjecture 6.1 sweep, from the database."""

import json

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
    done = invoke("report", "--db", db, "--results", str(stem))
    assert done.returncode == 2, done.stderr
