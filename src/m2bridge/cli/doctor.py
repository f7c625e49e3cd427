"""`m2bridge doctor`: is this installation complete? One line per check, exit 0 when every
required part works, 1 otherwise.

Required: the core Python dependencies, the Macaulay2 templates shipped in the package, Macaulay2
itself (`M2` on PATH, or M2BRIDGE_M2), and a smoke computation through it: J^A of the (2,2,2)
network with one block `10` is the determinant of a 2×2 matrix (dimension 3, one generator of
degree 2). Optional: the engines Singular and msolve, and the extras, each reported as installed or
with the command that installs it.

>>> [c.name for c in core_checks()][:2]
['m2bridge', 'python']
>>> Check("Macaulay2", False, "not on PATH").line().split()[:2]
['FAIL', 'Macaulay2']
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import platform
import shutil
import time
from dataclasses import asdict, dataclass

from .args import print_json

# extra → the modules it installs (the names m2bridge imports)
EXTRA_MODULES = {
    "dask": ("distributed",),
    "regions": ("scipy", "pyscipopt"),
    "plot": ("matplotlib",),
    "dataframe": ("pandas",),
    "progress": ("tqdm", "ipywidgets"),
}
CORE_MODULES = (("python-flint", "flint"), ("numpy", "numpy"), ("jinja2", "jinja2"), ("subprocess-tee", "subprocess_tee"))
SMOKE_TIMEOUT = 30.0


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    required: bool = True

    @property
    def status(self) -> str:
        if self.ok:
            return "ok"
        return "FAIL" if self.required else "--"

    def line(self) -> str:
        return f"{self.status:<5} {self.name:<16} {self.detail}"


def _distribution_version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def core_checks() -> list[Check]:
    """m2bridge, Python and the core dependencies (no Macaulay2)."""
    import m2bridge

    own = _distribution_version("m2bridge")
    checks = [
        Check("m2bridge", own is not None,
              f"{own} at {m2bridge.__path__[0]}" if own else
              f"version unknown: running from source at {m2bridge.__path__[0]} without installing (pip install .)",
              required=False),
        Check("python", True, f"{platform.python_version()} ({platform.python_implementation()})"),
    ]
    for dist, module in CORE_MODULES:
        try:
            imported = importlib.import_module(module)
        except ImportError as exc:
            checks.append(Check(dist, False, f"cannot be imported: {exc}"))
            continue
        found = getattr(imported, "__version__", None) or _distribution_version(dist) or "version unknown"
        checks.append(Check(dist, True, str(found)))
    checks.append(_templates_check())
    return checks


def _templates_check() -> Check:
    from importlib.resources import files

    folder = files("m2bridge.m2scripts")
    try:
        names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".m2.j2"))
    except (FileNotFoundError, NotADirectoryError):
        names = []
    ok = "pattern_ideal.m2.j2" in names
    return Check("templates", ok, f"{len(names)} Macaulay2 templates in {folder}" if ok
                 else f"missing in {folder}: the package was built without its data files")


def macaulay2_check() -> Check:
    from ..macaulay2.process import Macaulay2

    m2 = Macaulay2()
    path = shutil.which(m2.executable)
    if path is None:
        return Check("Macaulay2", False, f"{m2.executable!r} not on PATH: apt-get install -y "
                     "--no-install-recommends macaulay2 (or set M2BRIDGE_M2 to its path)")
    try:
        version = m2.version()
    except Exception as exc:  # noqa: BLE001 - whatever breaks, it is the finding
        return Check("Macaulay2", False, f"{path} does not run: {type(exc).__name__}: {exc}")
    return Check("Macaulay2", bool(version), f"{version} at {path}")


def engine_checks() -> list[Check]:
    """The optional engines: Singular (`--engine singular` or `auto` runs ker on it) and msolve (the
    degree certificate's point count)."""
    from ..macaulay2.msolve import Msolve
    from ..macaulay2.singular import Singular

    checks = []
    singular = Singular()
    path = shutil.which(singular.executable)
    if path is None:
        checks.append(Check("Singular", False, "not installed: --engine auto runs ker on Macaulay2 "
                            "(scripts/install-singular.sh, or apt-get install singular)", required=False))
    else:
        try:
            checks.append(Check("Singular", True, f"{singular.version()} at {path}: --engine singular or auto runs ker on it",
                                required=False))
        except Exception as exc:  # noqa: BLE001 - whatever breaks, it is the finding
            checks.append(Check("Singular", False, f"{path} does not run: {exc}", required=False))
    msolve = Msolve()
    path = shutil.which(msolve.executable)
    checks.append(Check("msolve", path is not None,
                        f"at {path}: the degree certificate counts points with it" if path else
                        "not installed: the degree certificate refuses with a note (scripts/install-msolve.sh)",
                        required=False))
    return checks


def smoke_check(timeout: float = SMOKE_TIMEOUT) -> Check:
    """J^A of (2,2,2) with pattern `10`: dim 3, one generator of degree 2 (det M)."""
    name = "smoke test"
    start = time.perf_counter()
    try:
        from ..ideals.api import pattern_ideal

        result = pattern_ideal("2,2,2", "10", timeout=timeout)
    except Exception as exc:  # noqa: BLE001
        return Check(name, False, f"J^A of (2,2,2) '10' failed: {type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - start
    got = (result.dim, list(result.mingens_degrees))
    ok = got == (3, [2])
    detail = f"J^A of (2,2,2) '10': dim {got[0]}, generator degrees {got[1]} in {seconds:.1f} s"
    return Check(name, ok, detail if ok else detail + " (expected dim 3, degrees [2])")


def extra_checks() -> list[Check]:
    from ..extras import EXTRAS

    checks = []
    for extra, what in EXTRAS.items():
        modules = EXTRA_MODULES.get(extra, ())
        absent = [m for m in modules if importlib.util.find_spec(m) is None]
        if absent or not modules:
            detail = f"not installed ({what}): pip install 'm2bridge[{extra}]'"
        else:
            versions = ", ".join(f"{m} {_distribution_version(m) or '?'}" for m in modules)
            detail = f"{versions}: {what}"
        checks.append(Check(f"extra {extra}", not absent and bool(modules), detail, required=False))
    return checks


def examples_check() -> Check:
    from importlib.resources import files

    folder = files("m2bridge") / "examples"
    try:
        names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".toml"))
    except (FileNotFoundError, NotADirectoryError):
        names = []
    return Check("examples", bool(names), f"{folder}: {', '.join(names)}" if names else "none shipped",
                 required=False)


def run_checks(smoke: bool = True, timeout: float = SMOKE_TIMEOUT) -> list[Check]:
    checks = core_checks()
    m2 = macaulay2_check()
    checks.append(m2)
    if smoke:
        checks.append(smoke_check(timeout) if m2.ok else Check("smoke test", False, "skipped: no Macaulay2"))
    checks.extend(engine_checks())
    checks.extend(extra_checks())
    checks.append(examples_check())
    return checks


def _handler(args) -> int:
    try:
        from ..ideals.options import IdealOptions
    except ImportError:
        pass  # a broken installation: the checks say what is missing
    else:
        IdealOptions(timeout=args.timeout)  # --timeout under the rules of every command: a bad one is exit 2
    checks = run_checks(smoke=not args.no_smoke, timeout=args.timeout)
    healthy = all(c.ok for c in checks if c.required)
    if args.json:
        print_json({"ok": healthy, "checks": [asdict(c) | {"status": c.status} for c in checks]}, args)
    else:
        for check in checks:
            print(check.line())
        print("m2bridge is ready" if healthy else "m2bridge is not ready: fix the FAIL lines above")
    return 0 if healthy else 1


def configure(name: str, parser: argparse.ArgumentParser) -> None:
    from .args import positive_float

    parser.add_argument("--no-smoke", action="store_true", help="skip the smoke computation through Macaulay2")
    parser.add_argument("--timeout", type=positive_float, default=SMOKE_TIMEOUT,
                        help=f"seconds for the smoke computation (default {SMOKE_TIMEOUT:g})")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=_handler)
