"""Stable units and big-M constants: the range of every hidden unit's pre-activation on the box.

H = max g and H̄ = −min g of each unit, over the inputs in the box, are the big-M constants of the
MILP; a unit with H ≤ 0 is stably inactive, one with H̄ < 0 stably active (section 3 of Serra &
Ramalingam, "Empirical Bounds on Linear Regions of Deep Rectifier Networks", AAAI 2020). Interval
arithmetic gives valid ranges at once (exact on layer 1); one MILP per unit and sense tightens the
deeper ones.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..network import Network
from .bounds import ACTIVE_LEANING, INACTIVE_LEANING, STABLY_ACTIVE, STABLY_INACTIVE, UNIT_CLASSES
from .inputs import check_preactivation_range, check_seconds, input_box
from .milp import NetworkMILP

# Seconds for each per-unit MILP of `unit_bounds`; a stopped one contributes its dual bound.
DEFAULT_UNIT_TIME_LIMIT = 30.0


@dataclass
class UnitBounds:
    """Largest (H) and smallest (−H̄) pre-activation g of every hidden unit on the box, and its class.

    `classes[l][i]` is one of UNIT_CLASSES: stably inactive (H ≤ 0), stably active (H̄ < 0),
    otherwise active leaning (b > 0) or inactive leaning (b ≤ 0). `complete` is False when some
    per-unit MILP stopped early (its dual bound is used, still valid but looser). `box` is the
    (lower, upper) input box the ranges hold on.
    """

    upper: list[np.ndarray]
    lower: list[np.ndarray]
    classes: list[list[str]]
    method: str
    box: tuple[np.ndarray, np.ndarray]
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

    def scale(self) -> np.ndarray:
        """H of every hidden unit, layer by layer (what "active" must reach, times MARGIN)."""
        return np.concatenate(self.upper) if self.upper else np.zeros(0)

    def holds_on(self, lower: np.ndarray, upper: np.ndarray) -> bool:
        return np.array_equal(self.box[0], lower) and np.array_equal(self.box[1], upper)

    def as_json(self) -> dict:
        return {
            **self.class_counts(),
            "per_layer": [{name: layer.count(name) for name in UNIT_CLASSES} for layer in self.classes],
            "method": self.method,
            "complete": self.complete,
        }


def classify(upper: np.ndarray, lower: np.ndarray, bias: np.ndarray) -> list[str]:
    """The class of each unit of one layer from its pre-activation range and bias."""
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
    """Pre-activation ranges by interval arithmetic: valid, exact on layer 1, loose after it
    (ranges beyond the float64 range come out infinite).

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
        with np.errstate(over="ignore", invalid="ignore"):
            hi_g = Wp @ hi_h + Wn @ lo_h + b
            lo_g = Wp @ lo_h + Wn @ hi_h + b
        hi_g = np.where(np.isnan(hi_g), np.inf, hi_g)     # inf − inf: no finite bound known
        lo_g = np.where(np.isnan(lo_g), -np.inf, lo_g)
        ups.append(hi_g)
        lows.append(lo_g)
        classes.append(classify(hi_g, lo_g, b))
        lo_h, hi_h = np.maximum(lo_g, 0.0), np.maximum(hi_g, 0.0)
    return UnitBounds(ups, lows, classes, method="interval", box=(lower, upper))


def unit_bounds(network: Network, box=None, *, unit_time_limit: float | None = DEFAULT_UNIT_TIME_LIMIT,
                on_progress=None) -> UnitBounds:
    """Tightest H = max g and −H̄ = min g per hidden unit on the box, layer by layer.

    Interval arithmetic first; every unit it cannot prove stable gets two MILPs (max and min of g)
    over the formulation of the earlier layers built with the constants already found. A MILP
    stopped by `unit_time_limit` or Ctrl-C contributes its dual bound (valid, looser).
    `on_progress(text)`, if given, hears which unit is being bounded.

    >>> import numpy as np
    >>> from m2bridge.networks.network import Network
    >>> net = Network([np.array([[1.0], [-1.0]]), np.array([[1.0, 1.0]]), np.array([[1.0]])],
    ...               [np.array([0.0, 0.0]), np.array([0.0]), np.array([0.0])])
    >>> b = unit_bounds(net, (-1, 1))
    >>> round(float(b.upper[1][0]), 6), round(float(b.lower[1][0]), 6), b.classes[1]
    (1.0, 0.0, ['inactive_leaning'])
    """
    start = time.monotonic()
    unit_time_limit = check_seconds(unit_time_limit, "unit_time_limit")
    lower, upper = input_box(network, box)
    intervals = interval_bounds(network, (lower, upper))
    hidden = network.depth - 1
    if not hidden:  # no hidden unit to bound (and no MILP to build)
        return UnitBounds([], [], [], method="milp", box=(lower, upper), seconds=time.monotonic() - start)
    milp = NetworkMILP(network, lower, upper)
    ups: list[np.ndarray] = []
    lows: list[np.ndarray] = []
    classes: list[list[str]] = []
    complete, interrupted = True, False
    for layer in range(hidden):
        hi = intervals.upper[layer].copy()
        lo = intervals.lower[layer].copy()
        if layer > 0 and not interrupted:      # layer 1 intervals are exact on a box
            for i in np.flatnonzero((hi > 0) & (lo <= 0)):
                if on_progress:
                    on_progress(f"regions: big-M constants, layer {layer + 1} unit {i + 1}")
                for sense in ("maximize", "minimize"):
                    value, optimal, stop = _optimize_preactivation(milp, layer, int(i), sense,
                                                                   unit_time_limit)
                    complete &= optimal
                    if sense == "maximize":
                        hi[i] = min(hi[i], value)
                    else:
                        lo[i] = max(lo[i], value)
                    interrupted |= stop
                    if stop:
                        break
                if interrupted:
                    break
        if not interrupted:        # after Ctrl-C the deeper layers keep their interval ranges
            check_preactivation_range(layer + 1, hi, lo)
        ups.append(hi)
        lows.append(lo)
        classes.append(classify(hi, lo, network.biases[layer]))
        if layer + 1 < hidden and not interrupted:
            milp.model.freeTransform()
            milp.add_layer(layer, hi, lo, classes[-1], margin=None)
    return UnitBounds(ups, lows, classes, method="milp", box=(lower, upper),
                      complete=complete and not interrupted, interrupted=interrupted,
                      seconds=time.monotonic() - start)


def _optimize_preactivation(milp: NetworkMILP, layer: int, i: int, sense: str,
                            time_limit: float | None) -> tuple[float, bool, bool]:
    """(bound on max/min of g_i, solved to optimality, stopped by Ctrl-C)."""
    m = milp.model
    m.freeTransform()
    milp.set_time_limit(time_limit)
    m.setObjective(milp.preactivation(layer, i), sense)
    status = milp.optimize()
    if status == "optimal":
        return m.getObjVal(), True, False
    return m.getDualbound(), False, status == "userinterrupt"
