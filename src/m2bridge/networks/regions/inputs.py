"""What the region functions accept: the input box and the limits of a search.

Every check raises RegionInputError naming the Python parameter (`time_limit`, `box`), which the
command line shows as its flag (`--time-limit`, `--box`).

>>> import numpy as np
>>> from m2bridge.networks.network import Network
>>> net = Network([np.ones((1, 2)), np.ones((1, 1))], [np.zeros(1), np.zeros(1)])
>>> [a.tolist() for a in input_box(net, (-1, 2))]
[[-1.0, -1.0], [2.0, 2.0]]
>>> [a.tolist() for a in input_box(net, ([-1, 0], [1, 3]))]
[[-1.0, 0.0], [1.0, 3.0]]
>>> input_box(net, ([-1, 0, 0], [1, 3, 3]))
Traceback (most recent call last):
...
m2bridge.networks.regions.inputs.RegionInputError: box: 3 ranges for a network with 2 inputs: give one range for every input (2), or one for all of them
>>> input_box(net, (1, 1))
Traceback (most recent call last):
...
m2bridge.networks.regions.inputs.RegionInputError: box: lower bound 1.0 is not below upper bound 1.0 in coordinate 1
>>> check_seconds(float("inf"), "time_limit")
Traceback (most recent call last):
...
m2bridge.networks.regions.inputs.RegionInputError: time_limit must be a finite number of seconds > 0 (None: no limit), got inf
"""

from __future__ import annotations

import math
from typing import Literal, overload

import numpy as np

from ...errors import InputError
from ..network import Network

# Default input box [0, 1]^n0: the pixel range of the MNIST networks of Serra & Ramalingam's
# experiments ("Empirical Bounds on Linear Regions of Deep Rectifier Networks", AAAI 2020).
DEFAULT_BOX = (0.0, 1.0)
# Largest magnitude of a box coordinate and of a pre-activation bound (big-M constant). SCIP takes
# 1e20 for infinity and checks constraints to 1e-7 relative to their size: far below that, the
# MILP still tells h = 0 from h ≥ MARGIN·H.
MAX_MAGNITUDE = 1e10


class RegionInputError(InputError):
    """A bad input box or option for region counting."""


def input_box(network: Network, box=None) -> tuple[np.ndarray, np.ndarray]:
    """The box as (lower, upper) arrays of length n0; `box` is (lo, hi) with numbers (the cube
    [lo, hi]^n0) or sequences of n0 numbers (one range per input), default DEFAULT_BOX."""
    n0 = network.widths[0]
    try:
        lo, hi = DEFAULT_BOX if box is None else box
        sides = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    except (TypeError, ValueError):
        raise RegionInputError(
            f"box: expected (lower, upper) with numbers or {n0} entries each, got {box!r}",
            parameter="box") from None
    sizes = [side.size for side in sides]
    if any(side.ndim > 1 for side in sides) or any(size not in (1, n0) for size in sizes):
        given = f"{sizes[0]} ranges" if sizes[0] == sizes[1] else f"{sizes[0]} lower and {sizes[1]} upper bounds"
        raise RegionInputError(
            f"box: {given} for a network with {n0} input{'s' if n0 != 1 else ''}: give one range for "
            f"every input ({n0}), or one for all of them", parameter="box")
    lower, upper = (np.broadcast_to(side.reshape(-1), (n0,)).copy() for side in sides)
    if not (np.all(np.isfinite(lower)) and np.all(np.isfinite(upper))):
        raise RegionInputError("box: bounds must be finite numbers", parameter="box")
    biggest = max(np.abs(lower).max(), np.abs(upper).max())
    if biggest > MAX_MAGNITUDE:
        raise RegionInputError(
            f"box: coordinates up to {biggest:g} in size; the MILP needs them within "
            f"±{MAX_MAGNITUDE:g}", parameter="box")
    for j in range(n0):
        if lower[j] >= upper[j]:
            raise RegionInputError(
                f"box: lower bound {lower[j]} is not below upper bound {upper[j]} in coordinate {j + 1}",
                parameter="box")
    return lower, upper


def check_preactivation_range(layer: int, upper: np.ndarray, lower: np.ndarray) -> None:
    """Refuse big-M constants the solver cannot tell from infinity (layer counted from 1)."""
    biggest = float(max(np.abs(upper).max(initial=0.0), np.abs(lower).max(initial=0.0)))
    if not biggest <= MAX_MAGNITUDE:
        raise RegionInputError(
            f"box: on it the pre-activations of layer {layer} reach {biggest:g} in size; the MILP "
            f"needs them within ±{MAX_MAGNITUDE:g}: use a smaller box or rescale the network",
            parameter="box")


def check_seconds(value, parameter: str) -> float | None:
    """A time limit: None (no limit) or a finite number of seconds > 0."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not (value > 0 and math.isfinite(value)):
        raise RegionInputError(
            f"{parameter} must be a finite number of seconds > 0 (None: no limit), got {value!r}",
            parameter=parameter)
    return float(value)


@overload
def check_count(value, parameter: str, optional: Literal[False] = False) -> int: ...
@overload
def check_count(value, parameter: str, optional: bool) -> int | None: ...


def check_count(value, parameter: str, optional: bool = False) -> int | None:
    """A positive integer (or None when `optional`)."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise RegionInputError(f"{parameter} must be an integer ≥ 1, got {value!r}", parameter=parameter)
    return int(value)


def check_probability(value) -> float:
    """A probability strictly between 0 and 1."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not 0 < value < 1:
        raise RegionInputError(f"probability must lie strictly between 0 and 1, got {value!r}",
                               parameter="probability")
    return float(value)
