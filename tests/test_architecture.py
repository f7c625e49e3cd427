"""The house rules, read from the source: one dependency rule, no cycles, small modules and signatures,
and a command line whose `--help` loads no heavy library.

The rule: varieties → macaulay2 → ideals → conjectures → sweeps → reports → workbench (a package may
import the ones before it, never one after it). `sweeps` computes and stores (case files, tasks, the
case database, executors) and reads a stored case back in the requested coordinates (renaming,
requested, lookup); `reports` makes tables of what was stored (results pages, exports and their
verification, which recomputes through `sweeps`); the workbench is the Python workflow
(`m2bridge.workbench.api`: `sweep`, `session`, `verify`), which uses both. networks stand beside them, importing
nothing of the algebra but `varieties.model`; `cli` on top, imported by nothing but itself and
`__main__`. Imports inside functions count.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "m2bridge"
ORDER = ["varieties", "macaulay2", "ideals", "conjectures", "sweeps", "reports", "workbench"]
FOUNDATION = {"m2bridge.errors", "m2bridge.extras", "m2bridge._processes", "m2bridge._files", "m2bridge._progress"}
NETWORKS_MAY_USE = FOUNDATION | {"m2bridge.varieties.model", "m2bridge.varieties.field", "m2bridge.varieties"}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in SRC.rglob("*.py")}


def imports_of(path: Path) -> set[str]:
    """Every m2bridge module `path` imports, at any depth of the file (functions included)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    known = modules()
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            # `from . import x` names a module; `from .m import f` names m.
            targets = [f"{stem}.{a.name}" if f"{stem}.{a.name}" in known else stem for a in node.names]
        else:
            continue
        found.update(t for t in targets if t.split(".")[0] == "m2bridge" and t in known)
    return found - {name}


def area(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "root"


GRAPH = {name: imports_of(path) for name, path in modules().items()}


@pytest.mark.parametrize("name", sorted(GRAPH))
def test_dependency_rule(name):
    here = area(name)
    for target in GRAPH[name]:
        there = area(target)
        if target in FOUNDATION or there == here:
            continue
        assert there != "cli" or name == "m2bridge.__main__", f"{name} imports the command line ({target})"
        if here == "networks":
            assert target in NETWORKS_MAY_USE, f"{name} (networks) imports {target} from the algebra side"
        elif here in ORDER:
            assert there in ORDER[: ORDER.index(here)], f"{name} imports {target}, which comes after it"
        elif here in ("root",) and name != "m2bridge.__main__":
            assert target in FOUNDATION, f"{name} imports {target}"


def test_no_cycles():
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in GRAPH.get(node, ()):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                pytest.fail("import cycle: " + " → ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(GRAPH):
        if node not in state:
            visit(node)


def test_the_workbench_is_a_layer_of_its_own():
    # the workbench uses reports; sweeps may not (reports read what sweeps store).
    assert area("m2bridge.workbench.api") == "workbench"
    assert ORDER.index("sweeps") < ORDER.index("reports") < ORDER.index("workbench")
    assert any(area(t) == "reports" for t in GRAPH["m2bridge.workbench.api"])
    assert not any(area(t) == "reports" for name in GRAPH if area(name) == "sweeps" for t in GRAPH[name])


def test_the_rule_test_sees_function_level_imports(tmp_path):
    # A guard against a test that cannot fail: an import inside a function is found.
    probe = SRC / "ideals" / "_probe_for_the_rule_test.py"
    probe.write_text("def f():\n    from ..sweeps import store\n    return store\n")
    try:
        assert "m2bridge.sweeps.store" in imports_of(probe)
    finally:
        probe.unlink()


MAX_LINES = 420  # "about 400"
MAX_PARAMETERS = 8


@pytest.mark.parametrize("name", sorted(GRAPH))
def test_module_size_and_signatures(name):
    path = modules()[name]
    lines = path.read_text().count("\n")
    assert lines <= MAX_LINES, f"{path.relative_to(SRC)} has {lines} lines"
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            a = node.args
            params = [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs if p.arg not in ("self", "cls")]
            params += [p.arg for p in (a.vararg, a.kwarg) if p is not None]
            assert len(params) <= MAX_PARAMETERS, f"{name}.{node.name} takes {len(params)} parameters"


def test_help_imports_no_heavy_library():
    code = ("import sys\nfrom m2bridge.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
            "{'numpy', 'scipy', 'pyscipopt', 'flint', 'jinja2', 'distributed', 'dask'})\n"
            "print('HEAVY', heavy, file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stderr, done.stderr


def test_python_dash_m():
    done = subprocess.run([sys.executable, "-m", "m2bridge", "--version"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("m2bridge ")
