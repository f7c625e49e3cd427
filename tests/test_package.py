"""Packaging, installation and the front door: version, package data, extras, `m2bridge doctor`,
README and docs links. (The built wheel itself is checked by scripts/wheel-check.sh, run by
`make test`.)"""

import json
import re
import subprocess
import tomllib
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

import pytest

import m2bridge
from conftest import ROOT, run_cli

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]


def test_version_is_written_once_in_pyproject():
    assert m2bridge.__version__ == version("m2bridge") == PROJECT["version"]
    done = run_cli("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"m2bridge {PROJECT['version']}"


def test_core_dependencies_and_extras():
    names = [re.split(r"[<>=!~\[ ]", d, maxsplit=1)[0].lower() for d in PROJECT["dependencies"]]
    assert names == ["python-flint", "numpy", "jinja2", "subprocess-tee"]
    extras = PROJECT["optional-dependencies"]
    from m2bridge.cli.doctor import EXTRA_MODULES
    from m2bridge.extras import EXTRAS

    # every extra the code names (extras.require) exists in pyproject, and doctor knows its modules
    assert set(EXTRAS) <= set(extras)
    assert set(EXTRA_MODULES) == set(EXTRAS)
    assert {"docs", "test", "bench"} <= set(extras)


def test_package_data_is_in_the_package():
    package = files("m2bridge")
    assert (package / "py.typed").is_file()
    templates = files("m2bridge.m2scripts")
    assert (templates / "pattern_ideal.m2.j2").is_file()
    assert (templates / "lib").is_dir()
    assert (package / "examples" / "tiny.toml").is_file()
    data = PYPROJECT["tool"]["setuptools"]["package-data"]
    assert "py.typed" in data["m2bridge"] and "examples/*.toml" in data["m2bridge"]
    # the templates' one home is the top-level m2scripts/ folder, mapped into the package
    assert PYPROJECT["tool"]["setuptools"]["package-dir"]["m2bridge.m2scripts"] == "m2scripts"
    # (the tests run against the editable install, which reads the folder itself)
    assert Path(str(templates)).resolve() == (ROOT / "m2scripts").resolve()


def test_shipped_example_case_files_are_valid_and_small():
    from m2bridge.sweeps.casefile import SweepSpec

    for path in (files("m2bridge") / "examples").iterdir():
        if path.name.endswith(".toml"):
            plan = SweepSpec.load(str(path)).plan()
            assert 0 < plan.unique <= 20, (path.name, plan.unique)


@pytest.mark.m2
def test_doctor_reports_a_working_installation():
    done = run_cli("doctor", timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = {line.split()[1]: line.split()[0] for line in done.stdout.splitlines()[:-1]}
    for required in ("m2bridge", "python-flint", "numpy", "jinja2", "subprocess-tee", "templates", "Macaulay2"):
        assert lines[required] == "ok", done.stdout
    assert re.search(r"^ok +smoke test +J\^A of \(2,2,2\) '10': dim 3, generator degrees \[2\]", done.stdout, re.M)
    assert re.search(r"^ok +Macaulay2 +1\.\d+", done.stdout, re.M)
    assert done.stdout.rstrip().endswith("m2bridge is ready")

    report = json.loads(run_cli("doctor", "--json", timeout=120).stdout)
    assert report["ok"] is True
    assert {c["name"] for c in report["checks"]} >= {"Macaulay2", "smoke test", "extra regions"}


def test_doctor_fails_without_macaulay2(tmp_path):
    done = run_cli("doctor", env={"M2BRIDGE_M2": str(tmp_path / "no-such-M2")})
    assert done.returncode == 1
    assert re.search(r"^FAIL +Macaulay2 +'.*no-such-M2' not on PATH", done.stdout, re.M), done.stdout
    assert re.search(r"^FAIL +smoke test +skipped: no Macaulay2", done.stdout, re.M)
    assert "not ready" in done.stdout and "Traceback" not in done.stderr


def test_doctor_fails_when_the_smoke_computation_is_wrong(fake_m2):
    fake = fake_m2('if [ "$1" = --version ]; then echo 1.21; exit 0; fi\necho "not a framed reply"\n')
    done = run_cli("doctor", env={"M2BRIDGE_M2": fake})
    assert done.returncode == 1, done.stdout
    assert re.search(r"^ok +Macaulay2 +1\.21 at .*fake-M2", done.stdout, re.M)
    assert re.search(r"^FAIL +smoke test +J\^A of \(2,2,2\) '10' failed: M2\w*Error", done.stdout, re.M), done.stdout


def test_doctor_without_extras_is_still_ready(monkeypatch):
    from m2bridge.cli import doctor

    monkeypatch.setattr(doctor.importlib.util, "find_spec", lambda name: None)
    checks = doctor.extra_checks()
    assert checks and all(not c.ok and not c.required and c.status == "--" for c in checks)
    assert "pip install 'm2bridge[regions]'" in next(c.line() for c in checks if c.name == "extra regions")


def test_doctor_is_in_the_command_table():
    done = run_cli("--help")
    assert done.returncode == 0 and re.search(r"^ +doctor +check the installation", done.stdout, re.M)


# --- the front door ------------------------------------------------------------------------------

LINK = re.compile(r"\]\(([^)\s]+)\)")


def _tracked_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip("not a git checkout")
    return [ROOT / p for p in out.stdout.split("\0") if p and (ROOT / p).is_file()]


def test_readme_quick_start_is_make_run_and_make_test():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [line.strip() for line in section.splitlines() if line.startswith("    ")]
    assert commands == ["make run", "make test"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci


def test_readme_and_docs_link_only_to_files_in_the_repository():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for page in pages:
        for target in LINK.findall(page.read_text()):
            assert not re.match(r"[a-z]+:", target), f"{page.name}: external link {target}"
            path = target.split("#", 1)[0]
            if path:
                assert (page.parent / path).exists(), f"{page.name}: {target} does not exist"


# spelled in pieces so that this file does not match itself
PRIVATE = re.compile("|".join([r"\.\./" + "shared", "/work/" + "shared", "shared/" + "seeds"]))


def test_nothing_points_to_the_private_spec_folder():
    offenders = []
    for path in _tracked_files():
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        for line_no, line in enumerate(text.splitlines(), 1):
            if PRIVATE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{line_no}: {line.strip()[:80]}")
    assert not offenders, "point to repository files (docs/mathematics.md) instead:\n" + "\n".join(offenders)
