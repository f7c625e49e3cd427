"""Shared test helpers, and the rules that decide which tests run where.

Markers (registered in pyproject.toml):

- `m2`: runs the real Macaulay2. Skipped when `M2` is not on PATH, so `pytest -m "not m2"` (or
  plain `pytest`) passes on a machine without Macaulay2. With `M2BRIDGE_REQUIRE_M2=1` (set by
  `make test`) a missing M2 stops the session at once, and any skipped `m2` test fails it.
- `scip`: needs the `regions` extra (SciPy and PySCIPOpt); `dask`: needs the `dask` extra (Dask
  distributed). Skipped when missing; with `M2BRIDGE_REQUIRE_EXTRAS=1` (set by `make test`) any
  such skip fails the session.
- `slow`: long tests; `make test-fast` deselects them.

Automatic marks (so that nobody has to remember them on doctests):

- Doctests of the layers that may call Macaulay2 (`m2bridge` itself, `m2bridge.macaulay2`,
  `ideals`, `conjectures`, `sweeps`, `cli`) and of README.md are `m2`. Doctests of
  `m2bridge.varieties`, `m2bridge.networks`, `m2bridge.extras` and `m2bridge.errors` never call it.
- A test module under tests/ that cannot be imported because an optional dependency is missing
  is skipped (naming the extra), and so is a source module collected for doctests
  (`--doctest-ignore-import-errors`); any other import failure still fails the session.
- A test or doctest that fails only because an optional dependency is missing (ModuleNotFoundError
  for a module of an extra, or m2bridge.extras.ExtraMissing) is skipped, naming the extra.
- A test that is not marked `m2` but calls Macaulay2 on a machine without it (it raises
  M2NotFoundError, or `run_cli` reports that M2 is missing) is skipped with a reason asking for
  the mark, instead of failing.

The temporary directory: a test run leaves $TMPDIR as it found it. Everything m2bridge writes
there (scripts kept after a failure, session folders, Dask's scratch space) goes to pytest's own
folders instead: `TMPDIR` (and `tempfile.tempdir`) point to a folder of the session's basetemp for
the whole run, and to a folder of each test's own (beside its `tmp_path`, which stays as the
test makes it) while it runs; commands the tests start inherit it. A run that leaves new `m2bridge-*` entries in the original $TMPDIR fails,
naming them (another m2bridge writing there at the same time would trip it too).
"""

import importlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).with_name("m2bridge"))

# Module (top-level name) → the extra that installs it.
EXTRA_OF_MODULE = {
    "scipy": "regions", "pyscipopt": "regions", "highspy": "regions", "sklearn": "regions",
    "distributed": "dask", "dask": "dask",
    "matplotlib": "plot", "pandas": "dataframe", "tqdm": "progress",
}
MARKER_MODULES = {"scip": ("scipy", "pyscipopt", "highspy"), "dask": ("distributed",)}
# Doctests of these packages never run Macaulay2; every other m2bridge doctest may.
NO_M2_DOCTESTS = ("m2bridge.varieties", "m2bridge.networks", "m2bridge.extras", "m2bridge.errors")
M2_MISSING_TEXT = "not found. Install it with: apt-get"


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip() not in ("", "0", "false", "no")


REQUIRE_M2 = _flag("M2BRIDGE_REQUIRE_M2")
REQUIRE_EXTRAS = _flag("M2BRIDGE_REQUIRE_EXTRAS")


def m2_executable() -> str:
    return os.environ.get("M2BRIDGE_M2", "M2")


def m2_available() -> bool:
    return shutil.which(m2_executable()) is not None


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _missing(marker: str) -> list[str]:
    return [m for m in MARKER_MODULES[marker] if not _installed(m)]


# --- session set-up ------------------------------------------------------------------------------

ORIGINAL_TMPDIR = tempfile.gettempdir()  # the $TMPDIR this run must leave as it found it
LEFTOVER_PREFIX = "m2bridge-"


def leftovers_in(directory: str) -> set[str]:
    """The entries of `directory` m2bridge would have made (scripts, session folders)."""
    try:
        return {name for name in os.listdir(directory) if name.startswith(LEFTOVER_PREFIX)}
    except OSError:
        return set()


def redirect_tmpdir(directory) -> None:
    os.environ["TMPDIR"] = tempfile.tempdir = str(directory)


def pytest_sessionstart(session):
    session.config.stash[_BEFORE] = leftovers_in(ORIGINAL_TMPDIR)
    folder = session.config._tmp_path_factory.getbasetemp() / "tmpdir"
    folder.mkdir(exist_ok=True)
    redirect_tmpdir(folder)


@pytest.fixture(autouse=True)
def _tmpdir_of_the_test(request, tmp_path_factory):
    """This test's temporary files in a folder of its own (see the module's docstring)."""
    before = os.environ.get("TMPDIR"), tempfile.tempdir
    folder = tmp_path_factory.mktemp(re.sub(r"[\W]", "_", request.node.name)[:30] + "-tmpdir")
    redirect_tmpdir(folder)
    yield folder
    os.environ["TMPDIR"], tempfile.tempdir = before


_BEFORE = pytest.StashKey[set]()


def pytest_configure(config):
    if REQUIRE_M2 and not m2_available():
        raise pytest.UsageError(
            f"M2BRIDGE_REQUIRE_M2=1 but Macaulay2 ({m2_executable()!r}) is not on PATH: run "
            "`make test`, which installs it (scripts/install-macaulay2.sh)"
        )


# --- marks and skips -----------------------------------------------------------------------------


def _doctest_module(item) -> str | None:
    """The dotted module of a doctest item ('README.md' for the README), else None."""
    if type(item).__name__ != "DoctestItem":
        return None
    path = Path(str(item.path))
    if path.suffix == ".md":
        return path.name
    try:
        relative = path.resolve().relative_to(ROOT / "src")
    except ValueError:
        return None
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _under(module: str, packages) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def pytest_collection_modifyitems(config, items):
    have_m2 = m2_available()
    missing = {marker: _missing(marker) for marker in MARKER_MODULES}
    for item in items:
        module = _doctest_module(item)
        if module is not None and (module.endswith(".md") or not _under(module, NO_M2_DOCTESTS)):
            item.add_marker(pytest.mark.m2)
        if item.get_closest_marker("m2") and not have_m2:
            item.add_marker(pytest.mark.skip(reason=f"needs Macaulay2 ({m2_executable()!r} not on PATH)"))
        for marker, absent in missing.items():
            if absent and item.get_closest_marker(marker):
                reason = f"needs {', '.join(absent)}: pip install 'm2bridge[{EXTRA_OF_MODULE[absent[0]]}]'"
                if REQUIRE_EXTRAS:
                    _fail_instead(item, f"{reason} (M2BRIDGE_REQUIRE_EXTRAS=1: nothing may be skipped)")
                else:
                    item.add_marker(pytest.mark.skip(reason=reason))
        _skip_on_missing_dependency(item)


def _fail_instead(item, reason: str) -> None:
    def runtest():
        pytest.fail(reason, pytrace=False)

    item.runtest = runtest


def _missing_extra_in(text: str) -> str | None:
    """'scipy' if `text` says an optional module that is really absent could not be imported."""
    for name in re.findall(r"No module named '([\w.]+)'", text or ""):
        top = name.split(".")[0]
        if top in EXTRA_OF_MODULE and not _installed(top):
            return top
    for name in re.findall(r"optional dependency '([\w.]+)'", text or ""):  # m2bridge.extras
        if not _installed(name.split(".")[0]):
            return name.split(".")[0]
    return None


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    """A test module that needs a missing optional dependency is skipped, naming the extra."""
    report = yield
    if report.failed and isinstance(collector, pytest.Module) and not REQUIRE_EXTRAS:
        module = _missing_extra_in(str(report.longrepr))
        if module is not None:
            report.outcome = "skipped"
            report.longrepr = (str(collector.path), 0,
                               f"Skipped: needs {module}: pip install 'm2bridge[{EXTRA_OF_MODULE.get(module, '…')}]'")
    return report


def _causes(exc: BaseException):
    """The exception, the ones a doctest reports as unexpected, and their explicit causes."""
    seen, todo = set(), [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo.append(getattr(e, "exc_info", (None, None))[1] if isinstance(getattr(e, "exc_info", None), tuple) else None)
        todo.extend(getattr(f, "exc_info", (None, None))[1] for f in getattr(e, "failures", None) or [])
        todo.append(e.__cause__)


def _skip_reason(exc: BaseException) -> str | None:
    for e in _causes(exc):
        name = type(e).__name__
        if name == "M2NotFoundError" and not m2_available() and not REQUIRE_M2:
            return "calls Macaulay2, which is not on PATH (mark it @pytest.mark.m2)"
        module = None
        if isinstance(e, ModuleNotFoundError) and e.name:
            module = _missing_extra_in(f"No module named '{e.name}'")
        elif name == "ExtraMissing":
            module = _missing_extra_in(str(e))
        if module is not None:
            return f"needs {module}: pip install 'm2bridge[{EXTRA_OF_MODULE.get(module, '…')}]'"
    return None


def _skip_on_missing_dependency(item) -> None:
    """Wrap the item's runtest: a failure caused only by a missing Macaulay2 or optional
    dependency becomes a skip that says so."""
    original = item.runtest

    def runtest():
        try:
            original()
        except Exception as exc:  # noqa: BLE001 - re-raised unless a dependency is missing
            reason = _skip_reason(exc)
            if reason is None:
                raise
            if REQUIRE_EXTRAS and "m2bridge[" in reason:
                pytest.fail(f"{reason} (M2BRIDGE_REQUIRE_EXTRAS=1: nothing may be skipped)", pytrace=False)
            try:  # reported at the test's own location, not here
                raise pytest.skip.Exception(reason, _use_item_location=True) from None
            except TypeError:
                pytest.skip(reason)

    item.runtest = runtest


# --- the session's verdict -----------------------------------------------------------------------


def pytest_sessionfinish(session, exitstatus):
    """Under M2BRIDGE_REQUIRE_M2 / _EXTRAS nothing that needs Macaulay2 or an extra may be skipped,
    and a source module may fail to import only for a missing optional dependency."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    problems = []
    for report in reporter.stats.get("skipped", []):
        longrepr = report.longrepr
        text = str(longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else longrepr)
        keywords = getattr(report, "keywords", {}) or {}
        if "unable to import module" in text:
            problem = _import_problem(text)
            if problem:
                problems.append(problem)
            continue
        if REQUIRE_M2 and ("m2" in keywords or "Macaulay2" in text):
            problems.append(f"{report.nodeid}: skipped although M2BRIDGE_REQUIRE_M2=1 ({text})")
        if REQUIRE_EXTRAS and (any(m in keywords for m in MARKER_MODULES) or "pip install 'm2bridge[" in text):
            problems.append(f"{report.nodeid}: skipped although M2BRIDGE_REQUIRE_EXTRAS=1 ({text})")
    left = sorted(leftovers_in(ORIGINAL_TMPDIR) - session.config.stash.get(_BEFORE, set()))
    if left:
        problems.append(f"the tests left {len(left)} entr{'y' if len(left) == 1 else 'ies'} in "
                        f"{ORIGINAL_TMPDIR}: {', '.join(left[:10])}{' …' if len(left) > 10 else ''}")
    if problems:
        reporter.ensure_newline()
        reporter.section("tests that must not be skipped, nor leave files", sep="=", red=True, bold=True)
        for line in problems:
            reporter.line(line, red=True)
        if session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _import_problem(text: str) -> str | None:
    """Why a doctest module was skipped as unimportable, unless it lacks an optional dependency."""
    match = re.search(r"unable to import module (?:PosixPath\()?'?([^')]+)", text)
    path = Path(match.group(1)) if match else None
    if path is None:
        return f"a module could not be imported: {text}"
    try:
        relative = path.resolve().relative_to(ROOT / "src")
    except ValueError:
        return None  # a test module: its own collection reports (or skips) the import failure
    name = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
    try:
        importlib.import_module(name)
    except ImportError as exc:
        top = (exc.name or "").split(".")[0]
        if top in EXTRA_OF_MODULE and not _installed(top):
            if REQUIRE_EXTRAS:
                return f"{name}: not imported for want of {top} although M2BRIDGE_REQUIRE_EXTRAS=1"
            return None
        return f"{name} cannot be imported: {type(exc).__name__}: {exc}"
    except Exception as exc:  # noqa: BLE001 - any failure of a module import is the finding
        return f"{name} cannot be imported: {type(exc).__name__}: {exc}"
    return None


# --- helpers for the tests -----------------------------------------------------------------------


def run_cli(*args, env=None, timeout=300):
    """The real `m2bridge` command; returns the CompletedProcess (text).

    On a machine without Macaulay2, a call that fails only because M2 is missing skips the test
    (unless the test chose its own M2 through M2BRIDGE_M2 in `env`, or M2BRIDGE_REQUIRE_M2=1).
    """
    full_env = dict(os.environ, **(env or {}))
    done = subprocess.run([CLI, *args], capture_output=True, text=True, env=full_env, timeout=timeout)
    if (done.returncode != 0 and M2_MISSING_TEXT in done.stderr and not REQUIRE_M2
            and "M2BRIDGE_M2" not in (env or {}) and not m2_available()):
        pytest.skip("calls Macaulay2, which is not on PATH (mark it @pytest.mark.m2)")
    return done


@pytest.fixture(scope="session")
def dask_cluster():
    """One Dask LocalCluster (2 worker processes) for the whole run, for the tests that need a cluster
    but do not test how m2bridge makes one: starting a cluster costs seconds each time."""
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def dask_client(dask_cluster):
    """A client of the run's one LocalCluster."""
    from dask.distributed import Client

    with Client(dask_cluster) as client:
        yield client


@pytest.fixture
def fake_m2(tmp_path):
    """Write an executable stand-in for M2 (only for simulating faults) and return its path."""

    def make(body: str) -> str:
        path = tmp_path / "fake-M2"
        path.write_text("#!/usr/bin/env bash\n" + body)
        path.chmod(0o755)
        return str(path)

    return make
