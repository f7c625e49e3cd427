#!/usr/bin/env bash
# The wheel check (`make wheel-check`, part of `make test`): build the wheel from a clean copy of
# the working tree, check what it contains, install it with the core dependencies only into a
# fresh venv, and use it from a directory outside the repository:
#   python -c "import m2bridge; print(m2bridge.__version__)"   (the version of pyproject.toml)
#   the Macaulay2 templates of m2scripts/ found inside the installed package (m2bridge.m2scripts)
#   m2bridge ideal --arch 2,2,2 --pattern '10|11' --json        (dim 6, degree 4, degrees [2, 2])
#   m2bridge sweep <the shipped examples/tiny.toml>              (and a report of it)
#   the README's network example on the shipped example network (m2bridge.networks.examples)
#   m2bridge doctor                                              (exit 0 without any extra)
#   m2bridge regions …                                           (one line naming the regions extra)
# and print the installed size of that venv. WHEEL_CHECK_EXTRAS=1 also installs every runtime
# extra into a second venv and prints its size. WHEEL_CHECK_KEEP=1 keeps the temporary directory.
# PYTHON: the interpreter that builds (default python3; a venv's python is fine, the fresh venvs
# are made from its base interpreter).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
case "$python" in */*) python="$(cd "$(dirname "$python")" && pwd)/$(basename "$python")";; esac
work="$(mktemp -d "${TMPDIR:-/tmp}/m2bridge-wheel-check.XXXXXX")"
if [ "${WHEEL_CHECK_KEEP:-0}" = "1" ]; then
    echo "wheel-check: keeping $work"
else
    trap 'rm -rf "$work"' EXIT
fi
start=$(date +%s)
say() { echo "wheel-check: $*"; }
fail() { echo "wheel-check: FAILED: $*" >&2; exit 1; }
pip_install() { "$1/bin/python" -m pip install -q --disable-pip-version-check "${@:2}"; }

# 1. A clean copy (tracked and new files of the working tree, not ignored ones): a stale build/
#    or egg-info in the checkout cannot leak into the wheel.
mkdir -p "$work/src" "$work/dist" "$work/elsewhere"
cd "$root"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
        tar --null -T - -cf - | tar -xf - -C "$work/src"
else
    tar --exclude=./.venv --exclude=./build --exclude=./.m2bridge -cf - . | tar -xf - -C "$work/src"
fi

# 2. The wheel.
"$python" -m pip wheel -q --disable-pip-version-check --no-deps --wheel-dir "$work/dist" "$work/src" \
    || fail "pip wheel could not build the wheel"
wheel="$(ls "$work"/dist/m2bridge-*.whl)"
say "built $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB) in $(( $(date +%s) - start )) s"

# 3. What the wheel holds: every template and example of the source tree, py.typed, the licence,
#    the core dependencies (and nothing else unconditionally), no tests or case files.
"$python" - "$wheel" "$work/src" <<'PY' || fail "the wheel's contents"
import sys, tomllib, zipfile
from pathlib import Path

wheel, src = sys.argv[1], Path(sys.argv[2])
names = set(zipfile.ZipFile(wheel).namelist())
pkg = src / "src"
wanted = {str(p.relative_to(pkg)) for p in pkg.glob("m2bridge/examples/*.toml")}
# the templates' home is the top-level m2scripts/, installed as the package m2bridge.m2scripts
wanted |= {"m2bridge/m2scripts/" + str(p.relative_to(src / "m2scripts")) for p in src.glob("m2scripts/**/*.m2.j2")}
if not any(w.startswith("m2bridge/m2scripts/lib/") for w in wanted):
    sys.exit("wheel-check: no templates found in m2scripts/lib of the source tree")
wanted |= {"m2bridge/py.typed", "m2bridge/cli/doctor.py", "m2bridge/__main__.py"}
# the example networks the README reads (copied from cases/toy2d by setup.py)
wanted |= {f"m2bridge/examples/toy2d/{n}" for n in ("net.npz", "X.npy", "y.npy")}
missing = sorted(wanted - names)
problems = [f"missing from the wheel: {', '.join(missing)}"] if missing else []
stray = sorted(n for n in names if n.startswith(("tests/", "cases/", "docs/", "benchmarks/", "m2scripts/")))
if stray:
    problems.append(f"not package files: {', '.join(stray[:5])}")
meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
meta = zipfile.ZipFile(wheel).read(meta_name).decode()
if not any(n.endswith("LICENSE") for n in names if ".dist-info/" in n):
    problems.append("no LICENSE in the dist-info")
project = tomllib.loads((src / "pyproject.toml").read_text())["project"]
core = [line.split(":", 1)[1].strip() for line in meta.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line]
if sorted(core) != sorted(project["dependencies"]):
    problems.append(f"core dependencies {core} != pyproject's {project['dependencies']}")
extras = sorted(line.split(":", 1)[1].strip() for line in meta.splitlines() if line.startswith("Provides-Extra:"))
if extras != sorted(project["optional-dependencies"]):
    problems.append(f"extras {extras} != pyproject's")
templates = sum(1 for n in names if n.endswith(".m2.j2"))
for p in problems:
    print("   ", p)
if problems:
    sys.exit(1)
print(f"wheel-check: contents ok: {len(names)} files, {templates} templates, "
      f"core dependencies {', '.join(core)}; extras {', '.join(extras)}")
PY

# 4. A fresh venv with the core dependencies only, from the base interpreter.
base="$("$python" -c 'import sys; print(getattr(sys, "_base_executable", sys.executable))')"
t0=$(date +%s)
"$base" -m venv "$work/core"
pip_install "$work/core" "$wheel" || fail "pip install of the wheel (core only)"
say "installed the wheel with its core dependencies in $(( $(date +%s) - t0 )) s"
bin="$work/core/bin"

# 5. Use it from elsewhere (never the checkout: nothing may come from the source tree).
cd "$work/elsewhere"
want="$("$python" -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$root/pyproject.toml")"
got="$("$bin/python" -c 'import m2bridge; print(m2bridge.__version__)')"
[ "$got" = "$want" ] || fail "m2bridge.__version__ is $got, pyproject.toml says $want"
where="$("$bin/python" -c 'import m2bridge; print(m2bridge.__path__[0])')"
case "$where" in "$work/core/"*) ;; *) fail "m2bridge imported from $where, not from the fresh venv";; esac
[ "$("$bin/m2bridge" --version)" = "m2bridge $want" ] || fail "m2bridge --version"
say "import m2bridge: version $got from the fresh venv"
scripts_dir="$("$bin/python" -c 'from m2bridge.macaulay2.render import template_dir; print(template_dir())')"
case "$scripts_dir" in "$work/core/"*/m2bridge/m2scripts) ;; *) fail "templates read from $scripts_dir, not from the installed package";; esac
[ -f "$scripts_dir/lib/frame.m2.j2" ] || fail "m2scripts/lib missing from the installed package"
say "Macaulay2 templates (m2scripts/) installed in $scripts_dir"

t0=$(date +%s)
"$bin/m2bridge" ideal --arch 2,2,2 --pattern '10|11' --json > ideal.json || fail "m2bridge ideal"
"$bin/python" - <<'PY' || fail "m2bridge ideal --json: unexpected answer"
import json
r = json.load(open("ideal.json"))
got = (r["dim"], r["degree"], r["mingens_degrees"])
assert got == (6, 4, [2, 2]), got
print(f"wheel-check: m2bridge ideal (2,2,2) '10|11': dim 6, degree 4, generator degrees [2, 2]")
PY
tiny="$("$bin/python" -c 'from importlib.resources import files; print(files("m2bridge") / "examples" / "tiny.toml")')"
"$bin/m2bridge" sweep "$tiny" --db cases.sqlite --workers 2 --json > sweep.json || fail "m2bridge sweep $tiny"
"$bin/m2bridge" report --db cases.sqlite --sweep tiny --format csv > report.csv || fail "m2bridge report"
rows=$(( $(wc -l < report.csv) - 1 ))
[ "$rows" -gt 0 ] || fail "m2bridge report: no rows"
"$bin/m2bridge" report --db cases.sqlite --sweep tiny --conjectures > conjectures.txt || fail "m2bridge report --conjectures"
say "m2bridge sweep of the shipped tiny.toml and its report: $rows rows in $(( $(date +%s) - t0 )) s"

"$bin/python" - <<'PY' || fail "the README's network example from the installed package"
import numpy as np
from m2bridge.networks.codes import codes
from m2bridge.networks.datapattern import data_pattern
from m2bridge.networks.examples import example_path
from m2bridge.networks.network import load_network
net, X = load_network(example_path("toy2d/net.npz")), np.load(example_path("toy2d/X.npy"))
assert "site-packages" in str(example_path("toy2d/net.npz"))
assert len(codes(net, X).distinct()) == 8
assert data_pattern(net, X).pattern.text == "1000|0101|1010|0000|0110|0111|1110|0010"
print("wheel-check: the README's network example runs on the shipped toy2d network (8 cells)")
PY

"$bin/m2bridge" doctor > doctor.txt || { cat doctor.txt; fail "m2bridge doctor (core install)"; }
say "m2bridge doctor: $(grep -c '^ok' doctor.txt) checks ok, extras missing as expected: $(grep -c '^--' doctor.txt)"

# An extra's command without the extra: one line naming it, no traceback.
"$bin/python" -c 'import numpy as np; np.savez("net.npz", W1=np.eye(2), b1=np.zeros(2), W2=np.ones((1, 2)), b2=np.zeros(1))'
set +e
"$bin/m2bridge" regions --network net.npz --method bounds > regions.out 2> regions.err
code=$?
set -e
if [ "$code" = 0 ] || ! grep -q "m2bridge\[regions\]" regions.err || grep -q Traceback regions.err; then
    cat regions.err >&2
    fail "m2bridge regions without the regions extra should exit non-zero naming pip install 'm2bridge[regions]' (exit $code)"
fi
say "m2bridge regions without SciPy: $(head -n 1 regions.err)"

# 6. Sizes.
core_size="$(du -sh "$work/core" | cut -f1)"
say "installed size, core only: $core_size (venv: pip, m2bridge, python-flint, numpy, jinja2, subprocess-tee)"
if [ "${WHEEL_CHECK_EXTRAS:-0}" = "1" ]; then
    t0=$(date +%s)
    "$base" -m venv "$work/full"
    pip_install "$work/full" "${wheel}[dask,regions,plot,dataframe,progress]" || fail "pip install with the extras"
    "$work/full/bin/m2bridge" doctor > doctor-full.txt || { cat doctor-full.txt; fail "m2bridge doctor (with extras)"; }
    say "installed size, with dask,regions,plot,dataframe,progress: $(du -sh "$work/full" | cut -f1) ($(( $(date +%s) - t0 )) s)"
fi
say "passed in $(( $(date +%s) - start )) s"
