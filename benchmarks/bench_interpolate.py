"""Multigraded interpolation side by side with Macaulay2's `ker`, one run, peak memory of each.

(a) (3,3,3) `110|011` through degree 3 vs `ker` over QQ: same graded dimensions and generator counts,
    and every generator of `ker` (mod p) in the interpolated pieces. Target ratio >= 20x.
(b) (4,4,4) `1100|0110` and (3,3,3,3) `110/111|011/111` through degree 4: target < 10 s each.
(c) (4,4,4) `1100|0110` through degree 5: target < 60 s.
`ker` is not run for (b) and (c): it does not finish in 900 s. Each measurement runs in its
own forked process, so its peak RSS (Python + numpy + flint; Macaulay2 counted separately) is its own.

    .venv/bin/python benchmarks/bench_interpolate.py [--skip-degree-5]

Agreement with `ker` over whole case files: benchmarks/compare_interpolation.py.
"""

import multiprocessing
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from m2bridge import pattern_ideal  # noqa: E402
from m2bridge.varieties.interpolate import interpolate_ideal  # noqa: E402


def _measure(queue, function, args, kwargs):
    start = time.perf_counter()
    value = function(*args, **kwargs)
    seconds = time.perf_counter() - start
    # `value` must be plain data: flint polynomials do not pickle.
    queue.put((seconds, value, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024))


def measured(function, *args, **kwargs):
    """(seconds, value, peak RSS of the process in MiB, peak RSS of its largest child in MiB)."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    process = ctx.Process(target=_measure, args=(queue, function, args, kwargs))
    process.start()
    result = queue.get()
    process.join()
    return result


def ker_summary(arch, pattern):
    r = pattern_ideal(arch, pattern, field="QQ", method="m2")
    return r.mingens_degrees


def interpolation_summary(arch, pattern, degree, workers=1):
    r = interpolate_ideal(arch, pattern, max_degree=degree, workers=workers)
    return r.graded_dims, r.mingens_by_degree, r.error_bound


def ker_agrees(arch, pattern, degree):
    """Runs ker and interpolation in this process; returns the comparison and the two times."""
    t0 = time.perf_counter()
    ker = pattern_ideal(arch, pattern, field="QQ", max_degree=degree, method="m2")
    t1 = time.perf_counter()
    found = interpolate_ideal(arch, pattern, max_degree=degree)
    t2 = time.perf_counter()
    same = (found.graded_dims == ker.graded_dims and found.mingens_by_degree == ker.mingens_by_degree
            and all(found.contains(g) for g in ker.generators))
    return same, t1 - t0, t2 - t1


def main():
    print("(a) (3,3,3) 110|011 through degree 3: Macaulay2 ker over QQ vs interpolation over GF(2^31-1)")
    ker_s, ker_value, ker_rss, m2_rss = measured(ker_summary, "3,3,3", "110|011")
    int_s, int_value, int_rss, _ = measured(interpolation_summary, "3,3,3", "110|011", 3)
    _, (same, _, _), _, _ = measured(ker_agrees, "3,3,3", "110|011", 3)
    print(f"    ker {ker_s:.2f} s (Macaulay2 peak RSS {m2_rss:.0f} MiB), interpolation {int_s:.3f} s "
          f"(peak RSS {int_rss:.0f} MiB); ratio {ker_s / int_s:.0f}x (target >= 20x); "
          f"same graded dims, generator counts and ker's generators in the pieces: {same}")
    print(f"    graded dims {int_value[0]}, minimal generators {int_value[1]}, error bound {int_value[2]:.1e}")
    cases = [("4,4,4", "1100|0110", 4, 10), ("3,3,3,3", "110/111|011/111", 4, 10)]
    if "--skip-degree-5" not in sys.argv:
        cases.append(("4,4,4", "1100|0110", 5, 60))
    for arch, pattern, degree, target in cases:
        for workers in (1, 2):
            if degree == 5 and workers == 1:
                continue  # the serial degree-5 run takes twice as long and adds nothing
            seconds, (dims, gens, bound), rss, children = measured(interpolation_summary, arch, pattern, degree, workers)
            print(f"(b/c) ({arch}) {pattern} through degree {degree}, {workers} worker(s): {seconds:.2f} s "
                  f"(target < {target} s, ratio to target {target / seconds:.2f}x), peak RSS {rss:.0f} MiB "
                  f"(+ workers {children:.0f} MiB); graded dims {dims}, minimal generators {gens}, "
                  f"error bound {bound:.1e}; ker not run (does not finish in 900 s)")


if __name__ == "__main__":
    main()
