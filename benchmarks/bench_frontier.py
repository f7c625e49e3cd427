"""Conjecture 6.1 at widths 4–5: the new interpolation and comparison side by side with the method
before them and with Macaulay2's `ker`, each measured as a whole process in one run.

Targets (seconds, whole process): (4,4,4) `1100|0110` through degree 5 <= 5; (5,5,5) `11100|01110`
through degree 4 <= 2 and through degree 5 <= 120; `m2bridge conjecture` on (4,4,4) `1100|0110`
through degree 4 <= 10. "before" is the source tree of commit BASELINE (interpolation without orbits,
Macaulay2's comparison), exported with `git archive` into a temporary directory; "ker" is
Macaulay2's `ker` over QQ. Slow runs are cut at a cap and printed as "> cap". Peak RSS is the
process's own (Python, numpy, flint) plus its largest child (Macaulay2), in MiB.

    .venv/bin/python benchmarks/bench_frontier.py [--baseline REV] [--cap SECONDS] [--ker-cap SECONDS]
                                                  [--only NAME ...]
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "23169c4"  # the tree before orbits and the comparison by linear algebra

INTERPOLATE = """
from m2bridge.varieties.interpolate import interpolate_ideal
r = interpolate_ideal({arch!r}, {pattern!r}, max_degree={degree})
summary = [r.graded_dims, r.mingens_by_degree]
"""
KER = """
from m2bridge import pattern_ideal
r = pattern_ideal({arch!r}, {pattern!r}, method="ker", timeout={cap}, max_degree={degree})
summary = [r.graded_dims, r.mingens_by_degree]
"""
CONJECTURE = """
import contextlib, io, json
from m2bridge.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    main(["conjecture", "--arch", {arch!r}, "--pattern", {pattern!r}, "--max-degree", "{degree}", "--json"])
v = json.loads(out.getvalue())
summary = [v["outcome"], [(e["degree"], e["count"]) for e in v["extra_generators"]]]
"""
FOOTER = """
import json, resource
print("@@", json.dumps({"summary": summary, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                        "child_rss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}, default=str))
"""

CASES = [  # name, code, arch, pattern, degree, target seconds
    ("interpolate-444-d5", INTERPOLATE, "4,4,4", "1100|0110", 5, 5),
    ("interpolate-555-d4", INTERPOLATE, "5,5,5", "11100|01110", 4, 2),
    ("interpolate-555-d5", INTERPOLATE, "5,5,5", "11100|01110", 5, 120),
    ("conjecture-444-d4", CONJECTURE, "4,4,4", "1100|0110", 4, 10),
]


def baseline_tree(rev: str) -> Path:
    """The source tree of `rev` (git archive), cached in the temporary directory."""
    target = Path(tempfile.gettempdir()) / f"m2bridge-baseline-{rev}"
    if not (target / "src" / "m2bridge").is_dir():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target / "src"


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (from /proc), so that a cut run leaves no Macaulay2 behind."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def run(code: str, src: Path, cap: float) -> dict:
    """Run `code` in a fresh interpreter with `src` first on the path; wall time of the whole process."""
    env = dict(os.environ, PYTHONPATH=str(src))
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code + FOOTER], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    try:
        stdout, stderr = process.communicate(timeout=cap)
    except subprocess.TimeoutExpired:
        for pid in [process.pid] + descendants(process.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.communicate()
        return {"seconds": None, "capped": cap}
    seconds = time.perf_counter() - start
    line = next((ln for ln in stdout.splitlines() if ln.startswith("@@ ")), None)
    if line is None:
        error = (stderr.strip().splitlines() or ["no output"])[-1]
        kept = re.search(r"script kept at (\S+?)\)?$", error)
        if kept:  # Macaulay2's own time limit: our temporary script, no longer needed
            Path(kept.group(1)).unlink(missing_ok=True)
        if "timed out" in error:
            return {"seconds": None, "capped": seconds}
        return {"seconds": seconds, "error": error}
    return dict(json.loads(line[3:]), seconds=seconds)


def text(measure: dict) -> str:
    if measure.get("seconds") is None:
        return f"> {measure['capped']:.0f} s (did not finish)"
    if "error" in measure:
        return f"{measure['seconds']:.1f} s, failed: {measure['error']}"
    return (f"{measure['seconds']:.2f} s, peak RSS {measure['rss']:.0f} MiB"
            + (f" (+ Macaulay2 {measure['child_rss']:.0f} MiB)" if measure["child_rss"] > 1 else ""))


def ratio(slow: dict, fast: dict) -> str:
    if fast.get("seconds") is None:
        return "n/a"
    if slow.get("seconds") is None:
        return f"> {slow['capped'] / fast['seconds']:.0f}x"
    return f"{slow['seconds'] / fast['seconds']:.1f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=BASELINE, help="git revision of the method before")
    parser.add_argument("--cap", type=float, default=900, help="seconds before a run of the old method is cut")
    parser.add_argument("--ker-cap", type=float, default=300, help="seconds before ker is cut")
    parser.add_argument("--only", nargs="*", help="names of the cases to run")
    args = parser.parse_args()
    old_src, new_src = baseline_tree(args.baseline), ROOT / "src"
    print(f"new: {new_src} (working tree); before: {args.baseline}; one run, whole processes\n")
    for name, code, arch, pattern, degree, target in CASES:
        if args.only and name not in args.only:
            continue
        fill = dict(arch=arch, pattern=pattern, degree=degree, cap=args.ker_cap)
        new = run(code.format(**fill), new_src, args.cap)
        old = run(code.format(**fill), old_src, args.cap)
        print(f"{name}: ({arch}) {pattern} through degree {degree}, target <= {target} s")
        print(f"    new     {text(new)}   {'meets' if (new.get('seconds') or 1e9) <= target else 'MISSES'} the target")
        print(f"    before  {text(old)}   ratio {ratio(old, new)}")
        if code is INTERPOLATE:
            ker = run(KER.format(**fill), new_src, args.ker_cap + 30)
            print(f"    ker     {text(ker)}   ratio {ratio(ker, new)}")
            same = "summary" in old and old["summary"] == new.get("summary")
            print(f"    graded dims, generators {new.get('summary')}; same as before: {same}")
        else:
            print(f"    verdict new {new.get('summary')}, before {old.get('summary')}")
        print(flush=True)


if __name__ == "__main__":
    main()
