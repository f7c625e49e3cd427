"""Exact count of the linear regions of a ReLU network on an input box, by one MILP search.

What is counted (Serra & Ramalingam, "Empirical Bounds on Linear Regions of Deep Rectifier
Networks", AAAI 2020, section 2): activation patterns S — the set of hidden units with output
h > 0 — for which some input x in the closed box [lower, upper] has exactly that pattern. An
active unit needs g = W h + b > 0, an inactive one g ≤ 0. For a network in general position these
are the full-dimensional linear regions; a degenerate network can also have patterns met only on a
lower-dimensional set (e.g. the box's corner), which their MILP, and so this count, includes.
Numerically "g > 0" means g ≥ MARGIN · H, H the unit's largest pre-activation on the box.

SCIP searches the MILP of `milp` once; every integral solution is a pattern, which is checked
(`pattern_is_realised`), recorded and cut off by a no-good constraint, until none is left.

The toy network h_a = relu(x), h_b = relu(1 − x), h_c = relu(4 h_a + 2 h_b − 3) has 5 regions on
[−2, 2]:

>>> import numpy as np
>>> from m2bridge.networks.network import Network
>>> toy = Network([np.array([[1.0], [-1.0]]), np.array([[4.0, 2.0]]), np.array([[1.0]])],
...               [np.array([0.0, 1.0]), np.array([-3.0]), np.array([0.0])])
>>> result = count_regions(toy, (-2.0, 2.0))
>>> result.count, result.complete, sorted(result.patterns)
(5, True, [(0, 1, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0), (1, 1, 1)])
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..cells import cell_polyhedron
from ..codes import codes
from ..network import Network
from ..polyhedra import max_slack
from .inputs import RegionInputError, check_count, check_seconds, input_box
from .milp import MARGIN, NetworkMILP
from .stability import UnitBounds, unit_bounds


@dataclass
class RegionCount:
    """Result of `count_regions`: `count` distinct patterns found; exact when `complete`, else a
    lower bound (`stop_reason` says why: count limit, time limit or interrupted)."""

    count: int
    complete: bool
    stop_reason: str
    patterns: set = field(repr=False)
    seconds: float
    rejected: int = 0      # integral MILP solutions whose pattern the LP check did not confirm


def pattern_is_realised(network: Network, pattern, lower, upper, scale) -> bool:
    """Whether some x in the box has g_i ≥ MARGIN/2 · scale_i for the active units of `pattern`
    and g_i ≤ 0 for the others: one LP, as every g_i is affine in x once the pattern is fixed.

    >>> import numpy as np
    >>> from m2bridge.networks.network import Network
    >>> net = Network([np.array([[1.0], [-1.0]]), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    >>> [pattern_is_realised(net, p, [-1.0], [1.0], [1.0, 1.0]) for p in [(1, 0), (1, 1)]]
    [True, False]
    """
    cell = cell_polyhedron(network, pattern)
    weights = np.where(np.asarray(pattern, dtype=bool), np.asarray(scale, dtype=float), 0.0)
    best = max_slack(cell.A, cell.c, weights, cap=1.0, bounds=list(zip(lower, upper)))
    return best is not None and best.t >= MARGIN / 2


def solution_is_region(network: Network, pattern, x: np.ndarray, box, scale) -> bool:
    """Whether an integral MILP solution (its pattern, its input x) is a region: x itself, clipped
    to the box, has the pattern, or else the LP of `pattern_is_realised` finds an input that has it."""
    lower, upper = box
    point = np.clip(x, lower, upper)[None, :]
    if tuple(codes(network, point).bits()[0].astype(int)) == tuple(pattern):
        return True
    return pattern_is_realised(network, pattern, lower, upper, scale)


def bounds_for_box(network: Network, lower, upper, bounds: UnitBounds | None, on_progress) -> UnitBounds:
    """`bounds` if given (checked to hold on this box), else `unit_bounds` on the box."""
    if bounds is None:
        return unit_bounds(network, (lower, upper), on_progress=on_progress)
    if not bounds.holds_on(lower, upper):
        raise RegionInputError("bounds were computed on a different box", parameter="bounds")
    return bounds


def count_regions(network: Network, box=None, *, count_limit: int | None = None,
                  time_limit: float | None = None, bounds: UnitBounds | None = None,
                  on_progress=None) -> RegionCount:
    """Count the activation patterns realised on the box (see the module docstring for exactly
    which), by one SCIP search with a no-good cut per pattern found.

    Stops early at `count_limit` patterns, after `time_limit` seconds, or on Ctrl-C; the count is
    then a lower bound with `complete=False`. `bounds` (from `unit_bounds` on the same box) saves
    recomputing the big-M constants; `on_progress(text)`, if given, hears of every pattern found.
    """
    count_limit = check_count(count_limit, "count_limit", optional=True)
    time_limit = check_seconds(time_limit, "time_limit")
    start = time.monotonic()
    lower, upper = input_box(network, box)
    bounds = bounds_for_box(network, lower, upper, bounds, on_progress)
    if bounds.interrupted:
        return RegionCount(0, False, "interrupted", set(), time.monotonic() - start)
    if network.depth == 1:
        return RegionCount(1, True, "complete", {()}, time.monotonic() - start)
    milp = NetworkMILP.for_counting(network, lower, upper, bounds)
    scale = bounds.scale()
    found: set = set()
    rejected = 0

    def on_solution(bits, x):
        nonlocal rejected
        pattern = milp.full_pattern(bits)
        milp.no_good(bits)
        if solution_is_region(network, pattern, x, (lower, upper), scale):
            found.add(pattern)
        else:
            rejected += 1
        if on_progress:
            on_progress(f"regions: {len(found)} found, {time.monotonic() - start:.0f} s")
        if count_limit is not None and len(found) >= count_limit:
            milp.model.interruptSolve()

    milp.on_integral_solution(on_solution)
    if time_limit is not None:
        milp.set_time_limit(time_limit - (time.monotonic() - start))
    status = milp.optimize()
    if status == "infeasible":
        reason = "complete"
    elif status == "timelimit":
        reason = "time limit"
    elif count_limit is not None and len(found) >= count_limit:
        reason = "count limit"
    elif status == "userinterrupt":
        reason = "interrupted"
    else:
        reason = f"SCIP status {status}"
    return RegionCount(len(found), reason == "complete", reason, found,
                       time.monotonic() - start, rejected)
