"""Interpolation at the limit: where the time of the largest cases goes, side by side with FLINT.

Each case runs in its own fresh interpreter; its CPU time (user + system) and peak RSS are those of
that whole process (`os.wait4`). The reference, measured in the same run, is FLINT's `nmod_mat`
nullspace of a random 3846 × 3840 matrix over GF(2^31 − 1) (the shape of the largest piece of (5,5,5)
`11100|01110` through degree 5); ratios to it are what to compare between machines and runs.

Per piece (`--per-piece`): the time of the production kernel against FLINT's nullspace of the same
evaluation matrix (the FLINT call is timed aside and not counted in the case's totals). `--profile`
splits a case's time between evaluation, elimination, minimal generators, generator polynomials and
the rest. Every case checks its graded dimensions and minimal-generator counts against the values
recorded before the elimination was replaced.

Targets: (5,5,5) d<=5 <= 1.6x the reference, peak <= 450 MiB; (5,5,5) d<=6 <= 10 min and <= 6 GiB;
(6,6,6) d<=4 <= 2.5x (5,5,5) d<=4.

    .venv/bin/python benchmarks/bench_limit.py [--only NAME ...] [--per-piece] [--profile] [--workers N]
                                               [--prime P]
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from m2bridge.varieties.field import INTERPOLATION_PRIME  # noqa: E402

CASES = {  # name: arch, pattern, degree
    "555-d4": ("5,5,5", "11100|01110", 4),
    "555-d5": ("5,5,5", "11100|01110", 5),
    "555-d6": ("5,5,5", "11100|01110", 6),
    "666-d4": ("6,6,6", "111000|011100", 4),
    "666-d5": ("6,6,6", "111000|011100", 5),
}
DEFAULT = ["555-d4", "555-d5", "666-d4"]

# Graded dimensions and minimal-generator counts of the code before this benchmark's changes.
EXPECTED = {
    "555-d4": ({1: 0, 2: 0, 3: 100, 4: 4600}, {1: 0, 2: 0, 3: 100, 4: 50}),
    "555-d5": ({1: 0, 2: 0, 3: 100, 4: 4600, 5: 108381}, {1: 0, 2: 0, 3: 100, 4: 50, 5: 150}),
    "666-d4": ({1: 0, 2: 0, 3: 400, 4: 26100}, {1: 0, 2: 0, 3: 400, 4: 450}),
}

REFERENCE = """
import time, numpy as np, flint
rng = np.random.default_rng(0)
p = 2**31 - 1
A = flint.nmod_mat(flint.fmpz_mat(rng.integers(0, p, size=(3846, 3840)).tolist()), p)
start = time.process_time()
X, nullity = A.nullspace()
summary = {"nullspace_cpu": time.process_time() - start, "nullity": nullity}
"""

CASE = """
import time
from m2bridge.varieties import interpolate as I, runners as R
PER_PIECE, PROFILE = {per_piece!r}, {profile!r}
pieces, split = [], {{}}
def timed(module, name, label):
    inner = getattr(module, name)
    def wrapper(*args, **kwargs):
        start = time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            split[label] = split.get(label, 0.0) + time.process_time() - start
    setattr(module, name, wrapper)
if PROFILE:
    timed(R, "evaluation_matrix", "evaluation")
    timed(R, "kernel", "elimination")
    if hasattr(R, "centred_evaluation_matrix"):  # the BLAS elimination (primes below 2^23)
        timed(R, "centred_evaluation_matrix", "evaluation")
        timed(R.elimination, "kernel_of", "elimination")
    timed(I, "complement", "minimal generators")
    timed(I, "poly_from_row", "generator polynomials")
    timed(I, "sample_image", "sample of the image")
if PER_PIECE:
    import flint
    from m2bridge.varieties.pieces import evaluation_matrix
    solve = R.solve_kernel
    def per_piece(monomials, points, values, prime):
        start = time.process_time()
        out = solve(monomials, points, values, prime)
        production = time.process_time() - start
        E = evaluation_matrix(values[:points], monomials, prime)
        A = flint.nmod_mat(flint.fmpz_mat(E.tolist()), prime)
        del E
        start = time.process_time()
        A.nullspace()
        pieces.append((points, len(monomials), production, time.process_time() - start))
        return out
    R.solve_kernel = per_piece
start = time.process_time()
r = I.interpolate_ideal({arch!r}, {pattern!r}, max_degree={degree}, workers={workers}, prime={prime})
total = time.process_time() - start
summary = {{"dims": r.graded_dims, "mingens": r.mingens_by_degree, "prime": r.prime, "solved": r.multidegrees,
            "pieces": pieces, "split": split, "in_process_cpu": total}}
"""

FOOTER = """
import json
print("@@", json.dumps(summary, default=str))
"""


def run(code: str) -> dict:
    """`code` in a fresh interpreter; CPU seconds and peak RSS (MiB) of that whole process (reaped here,
    so that its own rusage is read, not the sum of all children's)."""
    # One BLAS thread: CPU seconds are compared, and FLINT uses one core.
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), OPENBLAS_NUM_THREADS="1")
    out_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-limit-{os.getpid()}.out"
    start = time.perf_counter()
    with open(out_path, "w") as out:
        process = subprocess.Popen([sys.executable, "-c", code + FOOTER], stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    text = out_path.read_text()
    out_path.unlink()
    line = next((ln for ln in text.splitlines() if ln.startswith("@@ ")), None)
    if line is None:
        raise SystemExit(f"failed (status {status}): {(text.strip().splitlines() or ['no output'])[-1]}")
    return {"cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss / 1024, "wall": wall,
            **json.loads(line[3:])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=sorted(CASES), help=f"cases (default {' '.join(DEFAULT)})")
    parser.add_argument("--per-piece", action="store_true", help="time FLINT's nullspace of every piece too")
    parser.add_argument("--profile", action="store_true", help="split each case's time by stage")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--prime", type=int, default=INTERPOLATION_PRIME,
                        help="interpolation prime (default: the library's; below 2^23 large pieces go to the "
                             "BLAS elimination, else to FLINT; 2147483647 gives the FLINT path of before)")
    args = parser.parse_args()
    reference = run(REFERENCE)
    ref = reference["nullspace_cpu"]
    print(f"reference: FLINT nullspace of a random 3846x3840 matrix over GF(2^31-1): {ref:.2f} s CPU "
          f"(whole process {reference['cpu']:.2f} s, peak {reference['rss']:.0f} MiB)\n")
    totals = {}
    for name in args.only or DEFAULT:
        arch, pattern, degree = CASES[name]
        m = run(CASE.format(arch=arch, pattern=pattern, degree=degree, workers=args.workers, prime=args.prime,
                                     per_piece=args.per_piece, profile=args.profile))
        totals[name] = m["cpu"]
        dims = {int(k): v for k, v in m["dims"].items()}
        mingens = {int(k): v for k, v in m["mingens"].items()}
        expected = EXPECTED.get(name)
        check = "not recorded" if expected is None else "same" if (dims, mingens) == expected else "DIFFERENT"
        print(f"{name}: ({arch}) {pattern} through degree {degree}, {args.workers} worker(s), prime {m['prime']}")
        print(f"    whole process {m['cpu']:.1f} s CPU ({m['wall']:.1f} s wall), peak RSS {m['rss']:.0f} MiB; "
              f"{m['cpu'] / ref:.2f}x the reference; {m['solved']} pieces solved")
        print(f"    graded dims {dims}, minimal generators {mingens}: {check} as recorded")
        if m["pieces"]:
            production = sum(p[2] for p in m["pieces"])
            flint_total = sum(p[3] for p in m["pieces"])
            print(f"    pieces: production kernels {production:.2f} s, FLINT nullspace of the same matrices "
                  f"{flint_total:.2f} s (ratio {flint_total / max(production, 1e-9):.2f}x)")
            for points, n, prod, fl in sorted(m["pieces"], key=lambda p: -p[1])[:8]:
                print(f"        {points:6d} x {n:6d}: production {prod:7.2f} s, FLINT {fl:7.2f} s "
                      f"({fl / max(prod, 1e-9):.2f}x)")
        if m["split"]:
            inside = m["in_process_cpu"]
            parts = ", ".join(f"{k} {v:.2f} s ({100 * v / inside:.0f} %)" for k, v in sorted(m["split"].items()))
            rest = inside - sum(m["split"].values())
            print(f"    split of {inside:.1f} s: {parts}, rest {rest:.2f} s ({100 * rest / inside:.0f} %)")
        print(flush=True)
    if "555-d4" in totals and "666-d4" in totals:
        print(f"(6,6,6) d<=4 / (5,5,5) d<=4: {totals['666-d4'] / totals['555-d4']:.2f}x (target <= 2.5x)")


if __name__ == "__main__":
    main()
