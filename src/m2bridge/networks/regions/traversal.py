"""Exact enumeration of the activation regions of a ReLU network on a box by walking from region to
adjacent region, and the linear regions they make up.

Definitions (counting regions is NP- and #P-hard already with one hidden layer, and the
definitions in use are not equivalent: Stargalla, Hertrich & Reichman, "The Computational
Complexity of Counting Linear Regions in ReLU Neural Networks", NeurIPS 2025, arXiv 2505.16716):

* activation region — the set of inputs x in the box whose activation pattern (hidden unit i
  active iff its pre-activation g_i(x) > 0) is a given p, counted when it has interior points
  (full-dimensional; `THICKNESS` in `facets` sets the numerical threshold). It is a convex
  polyhedron: with p fixed every g_i is affine in x (`Network.preactivation_maps`).
* linear region — a connected component of the graph whose nodes are the activation regions and
  whose edges join two regions that share a facet and on which the network computes the same
  affine map: a maximal facet-connected union of activation regions with one affine map.

The walk: from a region, only the units whose hyperplane carries a facet of it are flipped (all
units on that hyperplane at once); the neighbour is checked to be a region itself. The full-
dimensional regions tile the box and a generic path between two of them crosses facets only, so
the walk reaches all of them. In the plane the facets are edges of a clipped polygon (no LP); in
higher dimensions they come from two HiGHS runs per region (`facets.RegionLPs`). When a flip
gives no region (several units change at once across a bent hyperplane), the pattern just across
the facet's middle is read off by a forward pass instead ("probes" in the result).

>>> import numpy as np
>>> from m2bridge.networks.network import Network
>>> toy = Network([np.array([[1.0, 0.0], [0.0, 1.0]]), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
>>> found = traverse_regions(toy, (-1.0, 1.0))
>>> found.activation_regions, found.linear_regions, found.complete, found.method
(4, 4, True, 'polygon')
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from ..components import component_labels
from ..network import Network
from .facets import ON_LINE, THICKNESS, RegionLPs, polygon_region
from .inputs import RegionInputError, check_count, check_seconds, input_box
from .slabs import walk_in_slabs

METHODS = ("auto", "polygon", "lp")
# What each count counts, in one line each (the JSON of `m2bridge regions` carries these).
DEFINITIONS = {
    "activation_regions": "the sets of inputs in the box with one activation pattern (unit active iff "
                          "its pre-activation is > 0) that have interior points (full-dimensional)",
    "linear_regions": "unions of activation regions joined across shared facets on which the network "
                      "computes the same affine map (maximal facet-connected unions)",
    "milp": "the activation patterns realised by at least one input of the closed box (Serra & "
            "Ramalingam's MILP count; includes patterns met only on a lower-dimensional set)",
}
# Starting points tried (box centre, then seeded random points) before giving up.
START_TRIES = 64


@dataclass(kw_only=True)
class Traversal:
    """Result of `traverse_regions`: `activation_regions` found (exact when `complete`, else a lower
    bound; `stop_reason` says why), `linear_regions` (None unless complete), the patterns in the
    order found, adjacent pairs (indices into `patterns`), 2-D polygons when `method` is "polygon".
    Built by keyword only (a dozen fields, several of one type)."""

    activation_regions: int
    linear_regions: int | None
    complete: bool
    stop_reason: str
    method: str
    patterns: list[tuple[int, ...]] = field(repr=False)
    adjacencies: list[tuple[int, int]] = field(repr=False)
    polygons: list[np.ndarray] | None = field(repr=False)
    linear_labels: list[int] | None = field(repr=False)
    seconds: float
    lp_runs: int = 0
    probes: int = 0
    walk: _Walk | None = field(default=None, repr=False, compare=False)   # the state `resume` goes on with

    @property
    def rate(self) -> float:
        """Activation regions per second."""
        return self.activation_regions / max(self.seconds, 1e-9)


def pattern_at(network: Network, x: np.ndarray) -> np.ndarray:
    """0/1 activation pattern (hidden units layer by layer) of one input point."""
    _, hidden = next(network.iter_hidden(np.asarray(x, dtype=float)[None, :]))
    return np.concatenate([h[0] > 0 for h in hidden]).astype(np.uint8) if hidden else np.zeros(0, np.uint8)


def region_rows(network: Network, bits: np.ndarray):
    """(Z, strict_ok, affine): the region of `bits` is {x in the box : Z[:, :-1] x + Z[:, -1] ≥ 0},
    row i being s_i g_i divided by the norm of its normal (zero rows stay zero); strict_ok is False
    when a unit with a constant pre-activation contradicts its bit; affine = [M, m] flattened,
    M x + m the network's output on the region."""
    active = bits.astype(bool)
    n0 = network.widths[0]
    Z = np.empty((len(bits), n0 + 1))
    M, m = np.eye(n0), np.zeros(n0)
    start = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for W, b in zip(network.weights[:-1], network.biases[:-1]):
            stop = start + len(b)
            G = Z[start:stop, :n0] = W @ M
            g = Z[start:stop, n0] = W @ m + b
            on = active[start:stop]
            M, m = G * on[:, None], g * on
            start = stop
        affine = np.concatenate([(network.weights[-1] @ M).ravel(), network.weights[-1] @ m + network.biases[-1]])
    if not np.isfinite(Z.sum()):
        raise RegionInputError("the region's inequalities exceed the float64 range (products of "
                               "huge weights); rescale the network", parameter="network")
    Z[~active] *= -1.0
    norms = np.sqrt(np.einsum("ij,ij->i", Z[:, :n0], Z[:, :n0]))
    zero = norms == 0
    strict_ok = not (np.any(zero & active & (Z[:, n0] <= 0)) or np.any(zero & ~active & (Z[:, n0] < 0)))
    if zero.any():
        Z[zero] = 0.0
        norms[zero] = 1.0
    Z /= norms[:, None]
    return Z, strict_ok, affine


def hyperplane_groups(Z: np.ndarray, rows, tol: float) -> list[np.ndarray]:
    """For each of `rows`: the rows on the same oriented hyperplane (itself included)."""
    live = np.any(Z[:, :-1] != 0, axis=1)
    rows = np.asarray(rows, dtype=int)
    close = (np.abs(Z[None, :, :] - Z[rows, None, :]).max(axis=2) <= tol) & live[None, :]
    return [np.flatnonzero(row) for row in close]


def flat_across(Z: np.ndarray, row: int, tol: float) -> bool:
    """Whether some row lies on row `row`'s hyperplane with the opposite orientation: then the
    region is squeezed into that hyperplane (a neighbour reached by flipping too few units)."""
    return bool(np.any(np.abs(Z + Z[row]).max(axis=1) <= tol) and np.any(Z[row, :-1] != 0))


class _Walk:
    """State of one traversal: the regions found, the frontier and the counters."""

    def __init__(self, network: Network, lower, upper, method: str):
        self.network, self.lower, self.upper, self.method = network, lower, upper, method
        self.diameter = float(np.linalg.norm(upper - lower))
        self.tol = ON_LINE * max(self.diameter, 1.0)
        self.lps = RegionLPs(lower, upper) if method == "lp" else None
        self.index: dict[bytes, int] = {}
        self.patterns: list[np.ndarray] = []
        self.maps: list[np.ndarray] = []    # output map M x + m of each region as [M, m]
        self.polygons: list[np.ndarray] = []
        self.edges: list[tuple[int, bytes]] = []
        self.queue: deque = deque()
        self.queued: set[bytes] = set()
        self.probes = 0

    def push(self, bits: np.ndarray, parent: int, probe) -> None:
        key = bits.tobytes()
        if parent >= 0:
            self.edges.append((parent, key))
        if key in self.index or key in self.queued:
            return
        self.queued.add(key)
        self.queue.append((bits, parent, probe))

    def visit(self, bits: np.ndarray, parent: int, probe) -> bool:
        """Check `bits` is a region; record it and queue its neighbours. False when it is not."""
        key = bits.tobytes()
        self.queued.discard(key)
        Z, strict_ok, affine = region_rows(self.network, bits)
        A, c = Z[:, :-1], Z[:, -1]
        flat = probe is not None and flat_across(Z, probe[1], self.tol)
        facets = self._facets(bits, A, c, verified=probe is not None) if strict_ok and not flat else None
        if facets is None:
            if probe is not None:
                self._probe(*probe)
            return False
        me = len(self.patterns)
        self.index[key] = me
        self.patterns.append(bits)
        self.maps.append(affine)
        rows = [row for row, _ in facets]
        for (row, where), group in zip(facets, hyperplane_groups(Z, rows, self.tol)):
            neighbour = bits.copy()
            neighbour[group] ^= 1
            self.push(neighbour, me, (me, row, where))
        return True

    def _facets(self, bits, A, c, verified: bool):
        """[(row, where)] for the facets of the region, `where` what `_probe` needs; None if the
        region is empty or too thin. `verified`: reached across a facet of a region, not squeezed
        into it (`flat_across`), so full-dimensional unless the LP finds it empty."""
        if self.method == "polygon":
            shape = polygon_region(A, c, self.lower, self.upper, normalised=True)
            if shape is None:
                return None
            self.polygons.append(shape.vertices)
            return list(zip(shape.facet_rows, shape.facet_edges))
        lps = self._lps()
        if not verified:
            ball = lps.inscribed_ball(A, c, bits)
            if ball is None or ball[1] <= THICKNESS * self.diameter:
                return None
        # one representative (the first row) per oriented hyperplane; its group flips together
        Z = np.c_[A, c]
        live = np.any(A != 0, axis=1)
        close = (np.abs(Z[:, None, :] - Z[None, :, :]).max(axis=2) <= self.tol) & live[None, :]
        representative = np.where(live, close.argmax(axis=1), -1)
        heads = np.flatnonzero(representative == np.arange(len(A)))
        flips = representative[None, :] == heads[:, None]
        neighbours = bits[None, :] ^ flips.astype(np.uint8)
        # a neighbour already visited had its facets found: the edge is recorded from its side
        fresh = np.array([row.tobytes() not in self.index for row in neighbours], dtype=bool)
        candidates = heads[fresh]
        rows = lps.facet_rows(A, c, candidates, live[None, :] & ~flips[fresh], bits)
        return None if rows is None else [(int(row), None) for row in rows]

    def _lps(self) -> RegionLPs:
        """The LPs of method `lp` (the polygon method clips polygons and solves none)."""
        if self.lps is None:
            raise RegionInputError(f"method {self.method!r} solves no LPs; the walk asked for one", parameter="method")
        return self.lps

    def _probe(self, parent: int, row: int, where) -> None:
        """The pattern just across facet `row` of region `parent`, by a forward pass."""
        bits = self.patterns[parent]
        Z, _, _ = region_rows(self.network, bits)
        A, c = Z[:, :-1], Z[:, -1]
        normal = A[row]
        if where is not None:                  # an edge of a polygon
            start, end = where
            middle, step = (start + end) / 2, 1e-6 * float(np.linalg.norm(end - start))
        else:
            group = hyperplane_groups(Z, [row], self.tol)[0]
            keep = np.ones(len(A), dtype=bool)
            keep[group] = False
            keep[row] = True
            ball = self._lps().inscribed_ball(A[keep], c[keep], bits, equal_row=int(np.sum(keep[:row])))
            if ball is None or ball[1] <= 0:
                return
            middle, step = ball[0], 1e-3 * ball[1]
        across = pattern_at(self.network, middle - step * normal)
        self.probes += 1
        if across.tobytes() != bits.tobytes():
            self.push(across, parent, None)

    def start(self) -> None:
        rng = np.random.default_rng(0)
        points = [(self.lower + self.upper) / 2]
        points += list(rng.uniform(self.lower, self.upper, size=(START_TRIES, len(self.lower))))
        for x in points:
            if self.visit(pattern_at(self.network, x), -1, None):
                return
        raise RegionInputError(f"no full-dimensional activation region found at {START_TRIES + 1} "
                               "points of the box (is every region thinner than the tolerance?)",
                               parameter="box")

    def linear_labels(self) -> list[int]:
        """Linear region of each activation region: union-find over adjacencies with one map."""
        def same_map(i, j):
            a, b = self.maps[i], self.maps[j]
            return np.abs(a - b).max() <= 1e-9 * (1.0 + np.abs(a).max())

        return component_labels(len(self.patterns), ((i, j) for i, j in self.adjacencies() if same_map(i, j)))

    def adjacencies(self) -> list[tuple[int, int]]:
        pairs: set[tuple[int, int]] = set()
        for i, key in self.edges:
            j = self.index.get(key)
            if j is not None:
                pairs.add((min(i, j), max(i, j)))
        return sorted(pairs)


def traverse_regions(network: Network, box=None, *, method: str = "auto", count_limit: int | None = None,
                     time_limit: float | None = None, on_progress=None,
                     resume: Traversal | None = None, workers: int = 1) -> Traversal:
    """All full-dimensional activation regions of `network` on `box` (default [0, 1]^n0) by walking
    across facets, and the linear regions they form (see the module docstring for both).

    `method`: "polygon" (2-D inputs only: clipping, no LP), "lp" (HiGHS, any input dimension) or
    "auto" (polygon for 2-D inputs). Stops at `count_limit` regions, after `time_limit` seconds or
    on Ctrl-C with `complete=False`: the count is then a lower bound. An LP that HiGHS cannot solve
    raises `facets.RegionLPError` naming the region's pattern. `resume`: an incomplete result of
    this function for the same network and box; the walk goes on from where it stopped (the
    limits count afresh, `count_limit` counts all regions). `workers` > 1: the box is cut into
    slabs walked by that many forked processes (`traverse_in_slabs`; not with `resume`).
    """
    count_limit = check_count(count_limit, "count_limit", optional=True)
    time_limit = check_seconds(time_limit, "time_limit")
    if method not in METHODS:
        raise RegionInputError(f"method must be one of {', '.join(METHODS)}, got {method!r}",
                               parameter="method")
    started = time.monotonic()
    lower, upper = input_box(network, box)
    n0 = network.widths[0]
    if method == "auto":
        method = "polygon" if n0 == 2 else "lp"
    if method == "polygon" and n0 != 2:
        raise RegionInputError(f"method 'polygon' needs a 2-D input, the network has {n0}",
                               parameter="method")
    if network.depth == 1:
        return Traversal(activation_regions=1, linear_regions=1, complete=True, stop_reason="complete", method=method,
                         patterns=[()], adjacencies=[], polygons=None, linear_labels=[0],
                         seconds=time.monotonic() - started)
    workers = check_count(workers, "workers")
    if workers > 1 and resume is None:
        merged = walk_in_slabs(traverse_regions, network, lower, upper, method, workers, count_limit, time_limit)
        labels = merged.linear_labels
        return Traversal(activation_regions=len(merged.patterns),
                         linear_regions=(max(labels) + 1) if labels else None, complete=merged.complete,
                         stop_reason=merged.stop_reason, method=method, patterns=merged.patterns,
                         adjacencies=merged.adjacencies, polygons=None, linear_labels=labels,
                         seconds=time.monotonic() - started, lp_runs=merged.lp_runs, probes=merged.probes)
    walk = _resumed(resume, network, lower, upper, method) if resume else _Walk(network, lower, upper, method)
    reason = "complete"
    try:
        if not resume:
            walk.start()
        while walk.queue:
            if count_limit is not None and len(walk.patterns) >= count_limit:
                reason = "count limit"
                break
            if time_limit is not None and time.monotonic() - started > time_limit:
                reason = "time limit"
                break
            walk.visit(*walk.queue.popleft())
            if on_progress and len(walk.patterns) % 1000 == 0:
                on_progress(f"regions: {len(walk.patterns)} found, {time.monotonic() - started:.0f} s")
    except KeyboardInterrupt:
        reason = "interrupted"
    complete = reason == "complete"
    labels = walk.linear_labels() if complete else None
    return Traversal(
        activation_regions=len(walk.patterns),
        linear_regions=(max(labels) + 1) if labels else None,
        complete=complete, stop_reason=reason, method=method,
        patterns=[tuple(p.tolist()) for p in walk.patterns],
        adjacencies=walk.adjacencies(),
        polygons=walk.polygons if method == "polygon" else None,
        linear_labels=labels, seconds=time.monotonic() - started,
        lp_runs=walk.lps.runs if walk.lps else 0, probes=walk.probes, walk=walk)


def _resumed(previous: Traversal, network: Network, lower, upper, method: str) -> _Walk:
    """The walk of `previous`, checked to belong to this network, box and method."""
    walk = previous.walk
    if walk is None or previous.complete:
        raise RegionInputError("resume: the traversal is complete (or has no walk to go on with)",
                               parameter="resume")
    if walk.network is not network or walk.method != method or not (
            np.array_equal(walk.lower, lower) and np.array_equal(walk.upper, upper)):
        raise RegionInputError("resume: the traversal was made for another network, box or method",
                               parameter="resume")
    return walk


def grid_lower_bound(network: Network, box=None, points_per_axis: int = 200) -> int:
    """Distinct activation patterns met at the points of a regular grid over the box: a lower bound
    on the number of regions (a pattern met only on a boundary would count too; the grid is
    shifted off the box's centre lines to make that unlikely)."""
    points_per_axis = check_count(points_per_axis, "points_per_axis")
    lower, upper = input_box(network, box)
    if network.depth == 1:
        return 1
    n0 = network.widths[0]
    axis = (np.arange(points_per_axis) + 0.5 + 1e-3 * np.pi) / points_per_axis
    grid = np.stack(np.meshgrid(*[axis] * n0, indexing="ij"), axis=-1).reshape(-1, n0)
    X = lower + grid * (upper - lower)
    seen: set[bytes] = set()
    for _, hidden in network.iter_hidden(X, chunk_size=65536):
        bits = np.concatenate([h > 0 for h in hidden], axis=1)
        packed = np.packbits(bits, axis=1)
        seen.update(row.tobytes() for row in np.unique(packed, axis=0))
    return len(seen)
