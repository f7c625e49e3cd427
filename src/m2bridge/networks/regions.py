"""Linear regions of a ReLU network on an input box: exact count and MIPBound lower bounds (seed 002).

What is counted (002 §2, MATH.md §6): activation patterns S — the set of hidden units with output
h > 0 — for which some input x in the closed box 𝕏 = [lower, upper] has exactly that pattern. An
active unit needs g = W h + b > 0, an inactive one g ≤ 0. For a network in general position these
are the full-dimensional linear regions; a degenerate network can also have patterns met only on a
lower-dimensional set (e.g. the box's corner), which 002's MILP, and so this count, includes.
Numerically "g > 0" means g ≥ `MARGIN` · H, H the unit's largest pre-activation on the box.

The MILP is (1)–(7) of 002: per unstable unit a binary z, h − h̄ = g, h ≤ H z, h̄ ≤ H̄ (1 − z),
plus h ≥ MARGIN·H·z, which is (5)–(6) with the objective f fixed at a positive value. H = max g and
H̄ = −min g come from one MILP per unit over the earlier layers, after interval arithmetic; units
with H ≤ 0 (stably inactive) or H̄ < 0 (stably active) get no binary. The valid inequalities (8)–(9)
link consecutive layers. SCIP (PySCIPOpt) solves it; a constraint handler sees every integral
solution: the exact count records its pattern and adds a no-good cut (one search tree for all
patterns), MIPBound adds random parity (XOR) constraints (Algorithm 1 of 002).

The toy network of MATH.md §6 has 5 regions on [−2, 2]:

>>> import numpy as np
>>> from m2bridge.networks.network import Network
>>> toy = Network([np.array([[1.0], [-1.0]]), np.array([[4.0, 2.0]]), np.array([[1.0]])],
...               [np.array([0.0, 1.0]), np.array([-3.0]), np.array([0.0])])
>>> result = count_regions(toy, (-2.0, 2.0))
>>> result.count, result.complete, sorted(result.patterns)
(5, True, [(0, 1, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0), (1, 1, 1)])
>>> mip_bound(toy, (-2.0, 2.0), xor_size=2, repetitions=16, seed=1).bound <= 5
True
"""

from __future__ import annotations

import contextlib
import math
import os
import random
import sys
import time
from dataclasses import dataclass, field

import numpy as np
from pyscipopt import SCIP_PARAMSETTING, SCIP_RESULT, Conshdlr, Model, quicksum
from scipy.optimize import linprog

from ..errors import InputError
from .network import Network
from .region_bounds import (
    ACTIVE_LEANING,
    INACTIVE_LEANING,
    STABLY_ACTIVE,
    STABLY_INACTIVE,
    UNIT_CLASSES,
)
from .region_cells import pattern_preactivations

# Default input box [0, 1]^n0: the pixel range of the MNIST networks of 002's experiments.
DEFAULT_BOX = (0.0, 1.0)
# An active unit must reach MARGIN · H (H its largest pre-activation): "h > 0" in floating point.
MARGIN = 1e-7
# SCIP's feasibility tolerance, well below MARGIN so that h ≥ MARGIN·H·z means something.
SCIP_FEASTOL = 1e-7
# Big-M constants get this relative slack over the computed optimum, which SCIP finds only up to
# its tolerances: a slightly too small H would cut off real inputs.
BIG_M_SLACK = 1e-6
# MIPBound reports the largest 2^j whose probability reaches this (002 §6).
DEFAULT_PROBABILITY = 0.95
# Repetitions for probability 99.5 % when every parity constraint kept the problem feasible:
# 1 − (e/4)^(i/2) ≥ 0.995 needs i ≥ 28 (Algorithm 1, δ = 1/2).
DEFAULT_REPETITIONS = 28


class RegionInputError(InputError):
    """A bad input box or option for region counting."""


# ----------------------------------------------------------------------------------------------
# input box


def input_box(network: Network, box=None) -> tuple[np.ndarray, np.ndarray]:
    """The box as (lower, upper) arrays of length n0; `box` is (lo, hi) with numbers or sequences.

    >>> import numpy as np
    >>> from m2bridge.networks.network import Network
    >>> net = Network([np.ones((1, 2)), np.ones((1, 1))], [np.zeros(1), np.zeros(1)])
    >>> [a.tolist() for a in input_box(net, (-1, 2))]
    [[-1.0, -1.0], [2.0, 2.0]]
    >>> input_box(net, (1, 1))
    Traceback (most recent call last):
    ...
    m2bridge.networks.regions.RegionInputError: box: lower bound 1.0 is not below upper bound 1.0 in coordinate 1
    """
    n0 = network.widths[0]
    lo, hi = DEFAULT_BOX if box is None else box
    try:
        lower = np.broadcast_to(np.asarray(lo, dtype=float), (n0,)).copy()
        upper = np.broadcast_to(np.asarray(hi, dtype=float), (n0,)).copy()
    except (TypeError, ValueError):
        raise RegionInputError(
            f"box: expected (lower, upper) with numbers or {n0} entries each, got {box!r}"
        ) from None
    if not (np.all(np.isfinite(lower)) and np.all(np.isfinite(upper))):
        raise RegionInputError("box: bounds must be finite numbers")
    for j in range(n0):
        if lower[j] >= upper[j]:
            raise RegionInputError(
                f"box: lower bound {lower[j]} is not below upper bound {upper[j]} in coordinate {j + 1}"
            )
    return lower, upper


def parse_box(text: str) -> tuple[float, float]:
    """The CLI's `--box LO,HI` (the same interval for every input).

    >>> parse_box("-1,1")
    (-1.0, 1.0)
    >>> parse_box("1;2")
    Traceback (most recent call last):
    ...
    m2bridge.networks.regions.RegionInputError: --box: expected LO,HI with two numbers LO < HI, got '1;2'
    """
    parts = text.split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        lo, hi = float(parts[0]), float(parts[1])
    except ValueError:
        raise RegionInputError(f"--box: expected LO,HI with two numbers LO < HI, got {text!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi:
        raise RegionInputError(f"--box: expected LO,HI with two finite numbers LO < HI, got {text!r}")
    return lo, hi


# ----------------------------------------------------------------------------------------------
# progress on stderr


class Progress:
    """One self-overwriting status line on stderr, at most twice a second, only on a terminal."""

    def __init__(self, enabled: bool | None = None):
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._last = 0.0
        self._shown = False

    def update(self, message: str, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if force or now - self._last >= 0.5:
            self._last = now
            self._shown = True
            print(f"\r\033[K{message}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self._shown:
            print(file=sys.stderr, flush=True)
            self._shown = False


@contextlib.contextmanager
def _solver_output_to_stderr():
    """SCIP writes some messages (e.g. "pressed CTRL-C …") to file descriptor 1 even with its
    output hidden; while it runs, fd 1 points at stderr so that stdout (JSON) stays clean."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:          # no fd 1 at all
        yield
        return
    try:
        os.dup2(2, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _optimize(model: Model) -> str:
    """Run SCIP on `model`; its status ("optimal", "infeasible", "timelimit", "userinterrupt", …)."""
    with _solver_output_to_stderr():
        model.optimize()
    return model.getStatus()


# ----------------------------------------------------------------------------------------------
# big-M constants and unit stability


@dataclass
class UnitBounds:
    """Largest (H) and smallest (−H̄) pre-activation g of every hidden unit on the box, and its class.

    `classes[l][i]` is one of region_bounds.UNIT_CLASSES: stably inactive (H ≤ 0), stably active
    (H̄ < 0), otherwise active leaning (b > 0) or inactive leaning (b ≤ 0). `complete` is False when
    some per-unit MILP stopped early (its dual bound is used, still valid but looser).
    """

    upper: list[np.ndarray]
    lower: list[np.ndarray]
    classes: list[list[str]]
    method: str
    complete: bool = True
    interrupted: bool = False
    seconds: float = 0.0

    def class_counts(self) -> dict[str, int]:
        """Number of hidden units in each class, over all layers."""
        flat = [c for layer in self.classes for c in layer]
        return {name: flat.count(name) for name in UNIT_CLASSES}

    def unstable(self) -> list[tuple[int, int]]:
        """(layer index from 0, unit) of every unit that gets a binary variable."""
        return [(l, i) for l, layer in enumerate(self.classes) for i, c in enumerate(layer)
                if c in (ACTIVE_LEANING, INACTIVE_LEANING)]

    def as_json(self) -> dict:
        return {
            **self.class_counts(),
            "per_layer": [{name: layer.count(name) for name in UNIT_CLASSES} for layer in self.classes],
            "method": self.method,
            "complete": self.complete,
        }


def _classify(upper: np.ndarray, lower: np.ndarray, bias: np.ndarray) -> list[str]:
    out = []
    for hi, lo, b in zip(upper, lower, bias):
        if hi <= 0:
            out.append(STABLY_INACTIVE)
        elif lo > 0:
            out.append(STABLY_ACTIVE)
        else:
            out.append(ACTIVE_LEANING if b > 0 else INACTIVE_LEANING)
    return out


def interval_bounds(network: Network, box=None) -> UnitBounds:
    """Pre-activation ranges by interval arithmetic: valid, exact on layer 1, loose after it.

    >>> import numpy as np
    >>> from m2bridge.networks.network import Network
    >>> net = Network([np.array([[1.0], [-1.0]]), np.array([[1.0, 1.0]]), np.array([[1.0]])],
    ...               [np.array([0.0, 0.0]), np.array([0.0]), np.array([0.0])])
    >>> b = interval_bounds(net, (-1, 1))
    >>> b.upper[1].tolist(), b.classes[1]     # |x| ≤ 1 truly, intervals give 2
    ([2.0], ['inactive_leaning'])
    """
    lower, upper = input_box(network, box)
    lo_h, hi_h = lower, upper
    ups, lows, classes = [], [], []
    for W, b in zip(network.weights[:-1], network.biases[:-1]):
        Wp, Wn = np.maximum(W, 0.0), np.minimum(W, 0.0)
        hi_g = Wp @ hi_h + Wn @ lo_h + b
        lo_g = Wp @ lo_h + Wn @ hi_h + b
        ups.append(hi_g)
        lows.append(lo_g)
        classes.append(_classify(hi_g, lo_g, b))
        lo_h, hi_h = np.maximum(lo_g, 0.0), np.maximum(hi_g, 0.0)
    return UnitBounds(ups, lows, classes, method="interval")


class _NetworkMILP:
    """The MILP (1)–(4), (8)–(9) of the hidden layers handled so far, in one SCIP model."""

    def __init__(self, network: Network, lower: np.ndarray, upper: np.ndarray):
        self.network = network
        self.model = Model()
        self.model.hideOutput()
        self.model.setParam("numerics/feastol", SCIP_FEASTOL)
        self.x = [self.model.addVar(f"x{j}", lb=lower[j], ub=upper[j]) for j in range(len(lower))]
        self.h: list = list(self.x)     # outputs of the last layer added: variables or 0.0
        self.z: list[dict[int, object]] = []        # per layer: unit → binary variable
        self.classes: list[list[str]] = []
        self.upper: list[np.ndarray] = []

    def preactivation(self, layer: int, i: int):
        W, b = self.network.weights[layer], self.network.biases[layer]
        return quicksum(W[i, j] * hj for j, hj in enumerate(self.h) if W[i, j] != 0.0
                        and not isinstance(hj, float)) + b[i]

    def add_layer(self, layer: int, upper: np.ndarray, lower: np.ndarray, classes: list[str],
                  margin: float | None) -> None:
        """Add hidden layer `layer` (from 0); with `margin`, an active unit needs h ≥ margin·H."""
        m = self.model
        outputs, binaries = [], {}
        for i, cls in enumerate(classes):
            g = self.preactivation(layer, i)
            if cls == STABLY_INACTIVE:
                outputs.append(0.0)
                continue
            H = upper[i] + BIG_M_SLACK * (1.0 + abs(upper[i]))
            h = m.addVar(f"h{layer}_{i}", lb=0.0, ub=H)
            outputs.append(h)
            if cls == STABLY_ACTIVE:
                m.addCons(h == g)
                continue
            Hbar = -lower[i] + BIG_M_SLACK * (1.0 + abs(lower[i]))
            hbar = m.addVar(f"hbar{layer}_{i}", lb=0.0, ub=Hbar)
            z = m.addVar(f"z{layer}_{i}", vtype="B")
            binaries[i] = z
            m.addCons(g == h - hbar)                                   # (1)–(2)
            m.addCons(h <= H * z)                                      # (3)
            m.addCons(hbar <= Hbar * (1 - z))
            if margin is not None:
                m.addCons(h >= margin * upper[i] * z)                  # (5)–(6), f fixed > 0
        if layer > 0:
            self._add_valid_inequalities(layer, classes, binaries)
        self.h = outputs
        self.z.append(binaries)
        self.classes.append(classes)
        self.upper.append(np.asarray(upper))

    def _add_valid_inequalities(self, layer: int, classes: list[str], binaries: dict) -> None:
        """(8): an inactive-leaning unit is active only if some j with W_ij > 0 is active;
        (9): an active-leaning unit is inactive only if some j with W_ij < 0 is active."""
        W = self.network.weights[layer]
        previous_classes, previous_z = self.classes[-1], self.z[-1]
        for i, z in binaries.items():
            sign = -1.0 if classes[i] == ACTIVE_LEANING else 1.0
            js = [j for j in range(W.shape[1]) if sign * W[i, j] > 0
                  and previous_classes[j] != STABLY_INACTIVE]
            if any(previous_classes[j] == STABLY_ACTIVE for j in js):
                continue     # always satisfied
            rhs = quicksum(previous_z[j] for j in js)
            if classes[i] == ACTIVE_LEANING:
                self.model.addCons(1 - z <= rhs)                       # (9)
            else:
                self.model.addCons(z <= rhs)                           # (8)

    def binaries(self) -> list:
        """All binary variables, layer by layer, unit by unit."""
        return [z for layer in self.z for _, z in sorted(layer.items())]

    def full_pattern(self, free_bits) -> tuple[int, ...]:
        """Pattern over all hidden units from the bits of the binaries (stable units by class)."""
        bits = iter(free_bits)
        out = []
        for layer_classes, layer_z in zip(self.classes, self.z):
            for i, cls in enumerate(layer_classes):
                out.append(next(bits) if i in layer_z else int(cls == STABLY_ACTIVE))
        return tuple(out)


def unit_bounds(network: Network, box=None, *, unit_time_limit: float = 30.0,
                progress: Progress | None = None) -> UnitBounds:
    """Tightest H = max g and −H̄ = min g per hidden unit on the box, layer by layer.

    Interval arithmetic first; every unit it cannot prove stable gets two MILPs (max and min of g)
    over the formulation of the earlier layers built with the constants already found. A MILP
    stopped by `unit_time_limit` or Ctrl-C contributes its dual bound (valid, looser).

    >>> import numpy as np
    >>> from m2bridge.networks.network import Network
    >>> net = Network([np.array([[1.0], [-1.0]]), np.array([[1.0, 1.0]]), np.array([[1.0]])],
    ...               [np.array([0.0, 0.0]), np.array([0.0]), np.array([0.0])])
    >>> b = unit_bounds(net, (-1, 1))
    >>> round(float(b.upper[1][0]), 6), round(float(b.lower[1][0]), 6), b.classes[1]
    (1.0, 0.0, ['inactive_leaning'])
    """
    start = time.monotonic()
    progress = progress or Progress(enabled=False)
    lower, upper = input_box(network, box)
    intervals = interval_bounds(network, (lower, upper))
    milp = _NetworkMILP(network, lower, upper)
    ups, lows, classes = [], [], []
    complete, interrupted = True, False
    hidden = network.depth - 1
    for layer in range(hidden):
        hi = intervals.upper[layer].copy()
        lo = intervals.lower[layer].copy()
        if layer > 0 and not interrupted:      # layer 1 intervals are exact on a box
            for i in range(len(hi)):
                if hi[i] <= 0 or lo[i] > 0:
                    continue
                progress.update(f"regions: big-M constants, layer {layer + 1} unit {i + 1}")
                for sense in ("maximize", "minimize"):
                    value, optimal, stop = _optimize_preactivation(milp, layer, i, sense,
                                                                   unit_time_limit)
                    complete &= optimal
                    if sense == "maximize":
                        hi[i] = min(hi[i], value)
                    else:
                        lo[i] = max(lo[i], value)
                    if stop:
                        interrupted = True
                        break
                if interrupted:
                    break
        ups.append(hi)
        lows.append(lo)
        classes.append(_classify(hi, lo, network.biases[layer]))
        if layer + 1 < hidden:
            milp.model.freeTransform()
            milp.add_layer(layer, hi, lo, classes[-1], margin=None)
    return UnitBounds(ups, lows, classes, method="milp", complete=complete and not interrupted,
                      interrupted=interrupted, seconds=time.monotonic() - start)


def _optimize_preactivation(milp: _NetworkMILP, layer: int, i: int, sense: str,
                            time_limit: float) -> tuple[float, bool, bool]:
    """(bound on max/min of g_i, solved to optimality, stopped by Ctrl-C)."""
    m = milp.model
    m.freeTransform()
    m.setParam("limits/time", time_limit)
    m.setObjective(milp.preactivation(layer, i), sense)
    status = _optimize(m)
    if status == "optimal":
        return m.getObjVal(), True, False
    return m.getDualbound(), False, status == "userinterrupt"


# ----------------------------------------------------------------------------------------------
# the constraint handler that sees every integral solution


class _PatternHandler(Conshdlr):
    """Enforcement callback run on every integral LP (or pseudo) solution of the counting MILP.

    Registered with the lowest priorities so that all other constraints are enforced first; never
    accepts a solution, so SCIP keeps searching until the cuts added here make the MILP infeasible.
    `on_solution(bits, x)` adds the constraints that remove the solution.
    """

    def __init__(self, binaries: list, xs: list, on_solution):
        self.binaries = binaries
        self.xs = xs
        self.on_solution = on_solution

    def _enforce(self, solinfeasible: bool) -> dict:
        if solinfeasible:
            return {"result": SCIP_RESULT.FEASIBLE}    # another handler already rejects it
        bits = tuple(int(round(self.model.getSolVal(None, z))) for z in self.binaries)
        x = np.array([self.model.getSolVal(None, v) for v in self.xs])
        self.on_solution(bits, x)
        return {"result": SCIP_RESULT.CONSADDED}

    def consenfolp(self, constraints, nusefulconss, solinfeasible):
        return self._enforce(solinfeasible)

    def consenfops(self, constraints, nusefulconss, solinfeasible, objinfeasible):
        return self._enforce(solinfeasible)

    def conscheck(self, constraints, solution, checkintegrality, checklprows, printreason, completely):
        # Heuristic solutions are rejected too: the LP search reaches and enforces every pattern.
        return {"result": SCIP_RESULT.INFEASIBLE}

    def conslock(self, constraint, locktype, nlockspos, nlocksneg):
        for z in self.binaries:
            self.model.addVarLocks(z, nlockspos + nlocksneg, nlockspos + nlocksneg)


def _counting_model(network: Network, lower, upper, bounds: UnitBounds) -> _NetworkMILP:
    milp = _NetworkMILP(network, lower, upper)
    for layer in range(network.depth - 1):
        milp.add_layer(layer, bounds.upper[layer], bounds.lower[layer], bounds.classes[layer],
                       margin=MARGIN)
    m = milp.model
    # Enumeration must keep every solution: no presolving, no dual reductions (they may drop
    # solutions that are equivalent for the objective), no symmetry handling, no restarts.
    m.setPresolve(SCIP_PARAMSETTING.OFF)
    m.setHeuristics(SCIP_PARAMSETTING.OFF)
    m.setParam("misc/allowstrongdualreds", False)
    m.setParam("misc/allowweakdualreds", False)
    m.setParam("misc/usesymmetry", 0)
    m.setParam("presolving/maxrestarts", 0)
    return milp


def _install_handler(milp: _NetworkMILP, on_solution) -> None:
    handler = _PatternHandler(milp.binaries(), milp.x, on_solution)
    milp.model.includeConshdlr(handler, "activation_patterns", "sees every integral solution",
                               chckpriority=-9_999_999, enfopriority=-9_999_999, needscons=False)


def _no_good(milp: _NetworkMILP, binaries: list, bits) -> None:
    """Cut off exactly this assignment of the binaries (Balas–Jeroslow canonical cut)."""
    milp.model.addCons(quicksum((1 - z) if bit else z for z, bit in zip(binaries, bits)) >= 1)


def activation_pattern(network: Network, x: np.ndarray) -> tuple[int, ...]:
    """1 for every hidden unit with output > 0 at input x, layer by layer."""
    h = np.asarray(x, dtype=float)
    bits: list[int] = []
    for W, b in zip(network.weights[:-1], network.biases[:-1]):
        g = W @ h + b
        bits.extend(int(v > 0) for v in g)
        h = np.maximum(g, 0.0)
    return tuple(bits)


def pattern_is_realised(network: Network, pattern, lower, upper, scale) -> bool:
    """Whether some x in the box has g_i ≥ MARGIN/2 · scale_i for the active units of `pattern`
    and g_i ≤ 0 for the others: one LP, as every g_i is affine in x once the pattern is fixed.

    >>> import numpy as np
    >>> from m2bridge.networks.network import Network
    >>> net = Network([np.array([[1.0], [-1.0]]), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    >>> [pattern_is_realised(net, p, [-1.0], [1.0], [1.0, 1.0]) for p in [(1, 0), (1, 1)]]
    [True, False]
    """
    G = np.vstack([Gl for Gl, _ in pattern_preactivations(network, pattern)])
    g = np.concatenate([gl for _, gl in pattern_preactivations(network, pattern)])
    active = np.asarray(pattern, dtype=bool)
    s = np.asarray(scale, dtype=float)
    # variables (x, t), maximise t: active  −G_i x + s_i t ≤ g_i,  inactive  G_i x ≤ −g_i
    A = np.r_[np.c_[-G[active], s[active]], np.c_[G[~active], np.zeros((~active).sum())]]
    c = np.r_[g[active], -g[~active]]
    res = linprog(np.r_[np.zeros(len(lower)), -1.0], A_ub=A, b_ub=c,
                  bounds=list(zip(lower, upper)) + [(None, 1.0)], method="highs")
    return bool(res.status == 0 and res.x[-1] >= MARGIN / 2)


# ----------------------------------------------------------------------------------------------
# exact count


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


def count_regions(network: Network, box=None, *, count_limit: int | None = None,
                  time_limit: float | None = None, bounds: UnitBounds | None = None,
                  progress: Progress | None = None) -> RegionCount:
    """Count the activation patterns realised on the box (see the module docstring for exactly
    which), by one SCIP search with a no-good cut per pattern found.

    Stops early at `count_limit` patterns, after `time_limit` seconds, or on Ctrl-C; the count is
    then a lower bound with `complete=False`.
    """
    if count_limit is not None and count_limit < 1:
        raise RegionInputError(f"count limit must be at least 1, got {count_limit}")
    if time_limit is not None and not time_limit > 0:
        raise RegionInputError(f"time limit must be positive, got {time_limit}")
    start = time.monotonic()
    progress = progress or Progress(enabled=False)
    lower, upper = input_box(network, box)
    bounds = bounds or unit_bounds(network, (lower, upper), progress=progress)
    if network.depth == 1:
        return RegionCount(1, True, "complete", {()}, time.monotonic() - start)
    milp = _counting_model(network, lower, upper, bounds)
    binaries = milp.binaries()
    scale = np.concatenate(bounds.upper)
    found: set = set()
    rejected = 0

    def on_solution(bits, x):
        nonlocal rejected
        pattern = milp.full_pattern(bits)
        _no_good(milp, binaries, bits)
        if activation_pattern(network, np.clip(x, lower, upper)) == pattern or \
                pattern_is_realised(network, pattern, lower, upper, scale):
            found.add(pattern)
        else:
            rejected += 1
        progress.update(f"regions: {len(found)} found, {time.monotonic() - start:.0f} s")
        if count_limit is not None and len(found) >= count_limit:
            milp.model.interruptSolve()

    _install_handler(milp, on_solution)
    if time_limit is not None:
        milp.model.setParam("limits/time", max(time_limit - (time.monotonic() - start), 0.01))
    status = _optimize(milp.model)
    progress.close()
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


# ----------------------------------------------------------------------------------------------
# MIPBound


@dataclass
class MIPBoundResult:
    """Algorithm 1 of 002 with parity constraints of `xor_size` binaries.

    `feasible[j]` (f[j]) counts the repetitions that stayed feasible with j parity constraints,
    `probabilities[j]` (P_j) is the probability that there are at least 2^j regions; `bound` is the
    largest such 2^j with P_j ≥ the requested probability, `probability` its P_j (1.0 for the
    certain bound 1 when no larger one qualifies).
    """

    xor_size: int
    repetitions: int
    feasible: list[int]
    probabilities: list[float]
    bound: int
    probability: float
    seconds: float
    interrupted: bool = False
    timed_out: bool = False


def mipbound_probabilities(feasible: list[int], repetitions: int) -> list[float]:
    """P_j = 1 − (e^{2δ} / (1 + 2δ)^{1+2δ})^{i/2}, δ = f[j+1]/i − 1/2, while δ > 0 (Algorithm 1).

    >>> [round(p, 4) for p in mipbound_probabilities([28, 28, 28, 10], 28)]
    [0.9955, 0.9955]
    """
    out = []
    for j in range(len(feasible) - 1):
        delta = feasible[j + 1] / repetitions - 0.5
        if delta <= 0:
            break
        out.append(1.0 - (math.exp(2 * delta) / (1 + 2 * delta) ** (1 + 2 * delta)) ** (repetitions / 2))
    return out


def mip_bound(network: Network, box=None, *, xor_size: int = 3,
              repetitions: int = DEFAULT_REPETITIONS, probability: float = DEFAULT_PROBABILITY,
              seed: int | None = 0, time_limit: float | None = None,
              bounds: UnitBounds | None = None, progress: Progress | None = None) -> MIPBoundResult:
    """Probabilistic lower bound on the number of regions (MIPBound, Algorithm 1 of 002).

    Each repetition is one SCIP search on the counting MILP; whenever it finds a pattern, random
    parity constraints on `xor_size` binaries (SCIP's native XOR constraints) are added until one
    removes that pattern; r, the number added when the MILP turns infeasible, raises f[0..r−1].
    A repetition cut short by `time_limit` or Ctrl-C is dropped.
    """
    if xor_size < 1:
        raise RegionInputError(f"XOR size must be at least 1, got {xor_size}")
    if repetitions < 1:
        raise RegionInputError(f"repetitions must be at least 1, got {repetitions}")
    if not 0 < probability < 1:
        raise RegionInputError(f"probability must lie strictly between 0 and 1, got {probability}")
    if time_limit is not None and not time_limit > 0:
        raise RegionInputError(f"time limit must be positive, got {time_limit}")
    start = time.monotonic()
    progress = progress or Progress(enabled=False)
    rng = random.Random(seed)
    lower, upper = input_box(network, box)
    bounds = bounds or unit_bounds(network, (lower, upper), progress=progress)
    scale = np.concatenate(bounds.upper) if network.depth > 1 else np.zeros(0)
    feasible: list[int] = []
    done = 0
    interrupted = timed_out = False
    for rep in range(repetitions):
        progress.update(f"regions: MIPBound XOR-{xor_size}, repetition {rep + 1}/{repetitions}")
        remaining = None if time_limit is None else time_limit - (time.monotonic() - start)
        if remaining is not None and remaining <= 0:
            timed_out = True
            break
        r, status = _mipbound_repetition(network, lower, upper, bounds, scale, xor_size, rng,
                                         remaining)
        if status == "userinterrupt":
            interrupted = True
            break
        if status == "timelimit":
            timed_out = True
            break
        done += 1
        feasible.extend([0] * (r - len(feasible)))
        for j in range(r):
            feasible[j] += 1
    progress.close()
    probs = mipbound_probabilities(feasible, done) if done else []
    best = max((j for j, p in enumerate(probs) if p >= probability), default=None)
    if best is None:
        bound, prob = (1, 1.0) if feasible else (0, 0.0)
    else:
        bound, prob = 2 ** best, probs[best]
    return MIPBoundResult(xor_size, done, feasible, probs, bound, prob, time.monotonic() - start,
                          interrupted, timed_out)


def _mipbound_repetition(network, lower, upper, bounds, scale, xor_size, rng,
                         time_limit) -> tuple[int, str]:
    """One solver call of Algorithm 1: (number r of parity constraints added, SCIP status)."""
    milp = _counting_model(network, lower, upper, bounds)
    binaries = milp.binaries()
    k = min(xor_size, len(binaries))
    added = 0

    def on_solution(bits, x):
        nonlocal added
        pattern = milp.full_pattern(bits)
        if not (activation_pattern(network, np.clip(x, lower, upper)) == pattern
                or pattern_is_realised(network, pattern, lower, upper, scale)):
            _no_good(milp, binaries, bits)     # a numerical artefact, not a region
            return
        if not binaries:                       # a single region: nothing to hash
            _no_good(milp, binaries, bits)
            added += 1
            return
        while True:                            # lines 10–14: until C removes s
            chosen = rng.sample(range(len(binaries)), k)
            parity = rng.random() < 0.5
            milp.model.addConsXor([binaries[j] for j in chosen], parity)
            added += 1
            if sum(bits[j] for j in chosen) % 2 != parity:
                break

    _install_handler(milp, on_solution)
    if time_limit is not None:
        milp.model.setParam("limits/time", max(time_limit, 0.01))
    status = _optimize(milp.model)     # runs on_solution, which counts `added`
    return added, status
