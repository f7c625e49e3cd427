"""MIPBound: probabilistic lower bounds on the number of linear regions by random parity constraints.

Algorithm 1 of Serra & Ramalingam, "Empirical Bounds on Linear Regions of Deep Rectifier Networks"
(AAAI 2020), after MBound (Gomes, Sabharwal and Selman 2006): each repetition searches the
counting MILP; whenever it finds a pattern, random XOR constraints on `xor_size` binaries are added
until one removes it. If r constraints were added when the MILP turns infeasible, f[0..r−1] go
up by one; from the counts f[j] over the repetitions, 2^j regions exist with probability P_j.

>>> import numpy as np
>>> from m2bridge.networks.network import Network
>>> toy = Network([np.array([[1.0], [-1.0]]), np.array([[4.0, 2.0]]), np.array([[1.0]])],
...               [np.array([0.0, 1.0]), np.array([-3.0]), np.array([0.0])])
>>> mip_bound(toy, (-2.0, 2.0), xor_size=2, repetitions=16, seed=1).bound <= 5   # 5 regions
True
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass

from ..network import Network
from .counting import bounds_for_box, solution_is_region
from .inputs import check_count, check_probability, check_seconds, input_box
from .milp import NetworkMILP
from .stability import UnitBounds

# MIPBound reports the largest 2^j whose probability reaches this (section 6 of the paper).
DEFAULT_PROBABILITY = 0.95
# Repetitions for probability 99.5 % when every parity constraint kept the problem feasible:
# 1 − (e/4)^(i/2) ≥ 0.995 needs i ≥ 28 (Algorithm 1, δ = 1/2).
DEFAULT_REPETITIONS = 28


@dataclass
class MIPBoundResult:
    """Algorithm 1 with parity constraints of `xor_size` binaries.

    `feasible[j]` (f[j]) counts the repetitions that stayed feasible with j parity constraints,
    `probabilities[j]` (P_j) is the probability that there are at least 2^j regions.
    `lower_bound(p)` reads off the largest 2^j with P_j ≥ p; `bound` and `probability` are that
    reading at DEFAULT_PROBABILITY. A repetition cut short by the time limit or Ctrl-C is dropped.
    """

    xor_size: int
    repetitions: int
    feasible: list[int]
    probabilities: list[float]
    seconds: float
    interrupted: bool = False
    timed_out: bool = False

    def lower_bound(self, probability: float = DEFAULT_PROBABILITY) -> tuple[int, float]:
        """(largest 2^j with P_j ≥ probability, its P_j); (1, 1.0) when only the certain bound 1
        qualifies, (0, 0.0) when no repetition found a region."""
        probability = check_probability(probability)
        best = max((j for j, p in enumerate(self.probabilities) if p >= probability), default=None)
        if best is None:
            return (1, 1.0) if self.feasible else (0, 0.0)
        return 2 ** best, self.probabilities[best]

    @property
    def bound(self) -> int:
        return self.lower_bound()[0]

    @property
    def probability(self) -> float:
        return self.lower_bound()[1]


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
              repetitions: int = DEFAULT_REPETITIONS, seed: int | None = 0,
              time_limit: float | None = None, bounds: UnitBounds | None = None,
              on_progress=None) -> MIPBoundResult:
    """Probabilistic lower bound on the number of regions (MIPBound, Algorithm 1).

    `repetitions` solver runs, each with SCIP's native XOR constraints on `xor_size` random
    binaries; `seed` fixes the constraints. Stops after `time_limit` seconds or on Ctrl-C with the
    repetitions done so far. `bounds` as for `count_regions`; `on_progress(text)` hears of every
    repetition.
    """
    xor_size = check_count(xor_size, "xor_size")
    repetitions = check_count(repetitions, "repetitions")
    time_limit = check_seconds(time_limit, "time_limit")
    start = time.monotonic()
    rng = random.Random(seed)
    lower, upper = input_box(network, box)
    bounds = bounds_for_box(network, lower, upper, bounds, on_progress)
    feasible: list[int] = []
    done = 0
    interrupted, timed_out = bounds.interrupted, False
    for rep in range(0 if interrupted else repetitions):
        if on_progress:
            on_progress(f"regions: MIPBound XOR-{xor_size}, repetition {rep + 1}/{repetitions}")
        remaining = None if time_limit is None else time_limit - (time.monotonic() - start)
        if remaining is not None and remaining <= 0:
            timed_out = True
            break
        milp = NetworkMILP.for_counting(network, lower, upper, bounds)
        r, status = _repetition(milp, bounds, xor_size, rng, remaining)
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
    probabilities = mipbound_probabilities(feasible, done) if done else []
    return MIPBoundResult(xor_size, done, feasible, probabilities, time.monotonic() - start,
                          interrupted, timed_out)


def _repetition(milp: NetworkMILP, bounds: UnitBounds, xor_size: int, rng: random.Random,
                time_limit: float | None) -> tuple[int, str]:
    """One solver call of Algorithm 1: (number r of parity constraints added, SCIP status)."""
    network, box, scale = milp.network, bounds.box, bounds.scale()
    binaries = milp.binaries()
    k = min(xor_size, len(binaries))
    added = 0

    def on_solution(bits, x):
        nonlocal added
        pattern = milp.full_pattern(bits)
        if not solution_is_region(network, pattern, x, box, scale):
            milp.no_good(bits)                 # a numerical artefact, not a region
            return
        if not binaries:                       # a single region: nothing to hash
            milp.no_good(bits)
            added += 1
            return
        while True:                            # lines 10–14: until C removes s
            chosen = rng.sample(range(len(binaries)), k)
            parity = rng.random() < 0.5
            milp.model.addConsXor([binaries[j] for j in chosen], parity)
            added += 1
            if sum(bits[j] for j in chosen) % 2 != parity:
                break

    milp.on_integral_solution(on_solution)
    milp.set_time_limit(time_limit)
    status = milp.optimize()     # runs on_solution, which counts `added`
    return added, status
