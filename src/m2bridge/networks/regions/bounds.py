"""Closed-form upper bounds on the number of linear regions of a ReLU network.

All bounds take the input dimension n0 and the hidden widths (n_1, …, n_L); the linear output layer
does not split regions:

- Zaslavsky (1975) for one layer, Montúfar (2017) layer by layer;
- the Configuration UB, Theorem 1 of Serra, Tjandraatmadja & Ramalingam, "Bounding and Counting
  Linear Regions of Deep Neural Networks" (ICML 2018);
- the Empirical UB, Theorem 2 of Serra & Ramalingam, "Empirical Bounds on Linear Regions of Deep
  Rectifier Networks" (AAAI 2020). It also needs, per hidden layer, the capacities 𝒜_l(k) (most
  units that can be active) and ℐ_l(k) (most units that can be unstable) when k units are active
  in layer l − 1; `layer_capacities` bounds them from the stability classes of the units
  (their Propositions 3–4).

The unit stability classes are defined here, since the bounds read them; `stability` computes them.

>>> zaslavsky_bound(3, 2)            # three lines in general position cut the plane into 7 parts
7
>>> montufar_bound(2, (2, 2, 2))
64
>>> configuration_upper_bound(2, (2, 2, 2))
30
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ...errors import InputError
from ..codes import popcount

# Unit stability classes (section 3 of Serra & Ramalingam 2020). The leaning classes are the
# unstable units, split by the sign of the bias: their MILP inequality (8) applies to
# inactive-leaning units (b ≤ 0), (9) to active-leaning ones.
STABLY_ACTIVE = "stably_active"
STABLY_INACTIVE = "stably_inactive"
ACTIVE_LEANING = "active_leaning"
INACTIVE_LEANING = "inactive_leaning"
UNIT_CLASSES = (STABLY_ACTIVE, STABLY_INACTIVE, ACTIVE_LEANING, INACTIVE_LEANING)

# Exact maximum coverage enumerates every subset of the previous layer; beyond this many units the
# greedy approximation (with its 1 − 1/e guarantee turned into an upper bound) is used instead.
EXACT_COVERAGE_MAX_UNITS = 20


def _check_architecture(n0: int, widths) -> tuple[int, ...]:
    widths = tuple(widths)
    if isinstance(n0, bool) or not isinstance(n0, (int, np.integer)) or n0 < 1:
        raise InputError(f"n0 (input dimension) must be a positive integer, got {n0!r}", parameter="n0")
    if any(isinstance(w, bool) or not isinstance(w, (int, np.integer)) or w < 1 for w in widths):
        raise InputError(f"widths (hidden) must be positive integers, got {widths!r}", parameter="widths")
    return tuple(int(w) for w in widths)


def zaslavsky_bound(n_hyperplanes: int, dim: int) -> int:
    """Most regions n hyperplanes cut R^dim into: Σ_{j=0}^{dim} C(n, j), tight in general position.

    >>> zaslavsky_bound(5, 1), zaslavsky_bound(2, 5)
    (6, 4)
    """
    return sum(math.comb(n_hyperplanes, j) for j in range(min(dim, n_hyperplanes) + 1))


def montufar_bound(n0: int, widths) -> int:
    """Montúfar 2017: Π_l Σ_{j=0}^{d_l} C(n_l, j) with d_l = min(n0, n_1, …, n_l).

    >>> montufar_bound(1, (3,))    # one hidden layer: Zaslavsky's bound
    4
    """
    widths = _check_architecture(n0, widths)
    total, dim = 1, n0
    for width in widths:
        dim = min(dim, width)
        total *= zaslavsky_bound(width, dim)
    return total


def configuration_upper_bound(n0: int, widths) -> int:
    """Configuration UB (Serra, Tjandraatmadja & Ramalingam, ICML 2018, Theorem 1):
    Σ_{(j_1..j_L) ∈ J} Π_l C(n_l, j_l), J = {0 ≤ j_l ≤ min(n0, n_1 − j_1, …, n_(l−1) − j_(l−1), n_l)}.

    Written as the sum over J layer by layer (memoised on the running minimum), independently of
    the recursion used for the Empirical UB.

    >>> configuration_upper_bound(1, (4, 4))    # 1-D input: (n_1 + 1)(n_2 + 1)
    25
    """
    widths = _check_architecture(n0, widths)

    @lru_cache(maxsize=None)
    def tail(layer: int, cap: int) -> int:
        # cap = min(n0, n_1 − j_1, …, n_(layer−1) − j_(layer−1)) over the j chosen so far
        if layer == len(widths):
            return 1
        n = widths[layer]
        return sum(math.comb(n, j) * tail(layer + 1, min(cap, n - j)) for j in range(min(cap, n) + 1))

    return tail(0, n0)


@dataclass(frozen=True)
class LayerCapacities:
    """𝒜_l(k) and ℐ_l(k) of Theorem 2 for one hidden layer, indexed by k = 0..n_(l−1)."""

    active: tuple[int, ...]
    unstable: tuple[int, ...]


def theorem2_bound(n0: int, capacities: list[LayerCapacities]) -> int:
    """Theorem 2 of Serra & Ramalingam (AAAI 2020) evaluated as R(1, n0, n0) through the recursion of its proof:

    R(l, k, d) = Σ_{j=0}^{min(ℐ_l(k), d)} C(ℐ_l(k), j) · R(l+1, 𝒜_l(k) − j, min(𝒜_l(k) − j, d)),
    R(L+1, ·, ·) = 1.

    With 𝒜_l = ℐ_l = n_l for every k it is the Configuration UB:

    >>> full = [LayerCapacities((2,) * 3, (2,) * 3)] + [LayerCapacities((2,) * 3, (2,) * 3)] * 2
    >>> theorem2_bound(2, full)
    30
    """
    if not capacities:
        return 1

    @lru_cache(maxsize=None)
    def regions(layer: int, k: int, dim: int) -> int:
        if layer == len(capacities):
            return 1
        cap = capacities[layer]
        k = min(k, len(cap.active) - 1)
        active, unstable = cap.active[k], cap.unstable[k]
        return sum(
            math.comb(unstable, j) * regions(layer + 1, active - j, min(active - j, dim))
            for j in range(min(unstable, dim) + 1)
        )

    return regions(0, n0, n0)


def max_coverage(sets: list[int], k: int) -> int:
    """Upper bound on max{|∪_{j∈S} sets[j]| : |S| ≤ k}, sets given as bit masks.

    Exact for up to EXACT_COVERAGE_MAX_UNITS sets; otherwise the greedy value g satisfies
    g ≥ (1 − 1/e)·OPT (Nemhauser, Wolsey, Fisher 1978), so OPT ≤ ⌊g / (1 − 1/e)⌋ — also capped by
    the union of all sets and by the k largest sizes.

    >>> max_coverage([0b0011, 0b0110, 0b1000], 1), max_coverage([0b0011, 0b0110, 0b1000], 2)
    (2, 3)
    """
    return coverage_table(sets, min(max(k, 0), len(sets)))[-1]


def coverage_table(sets: list[int], top: int) -> list[int]:
    """[max_coverage(sets, k) for k = 0..top], with the subsets enumerated once when exact."""
    top = min(top, len(sets))
    if len(sets) <= EXACT_COVERAGE_MAX_UNITS:
        return _exact_max_coverage(sets)[: top + 1]
    sizes = sorted((s.bit_count() for s in sets), reverse=True)
    union_all = 0
    for s in sets:
        union_all |= s
    table, covered = [0], 0
    for k in range(1, top + 1):        # greedy: add the set that covers most new elements
        covered |= max(sets, key=lambda s: (s | covered).bit_count())
        if k == len(sets):
            table.append(union_all.bit_count())
            continue
        greedy_cap = math.floor(covered.bit_count() / (1.0 - 1.0 / math.e) + 1e-9)
        table.append(min(union_all.bit_count(), sum(sizes[:k]), greedy_cap))
    return table


def _exact_max_coverage(sets: list[int]) -> list[int]:
    """best[k] = max |∪ S| over |S| ≤ k, by building the union of every subset from its lowest bit."""
    n = len(sets)
    unions = np.zeros(1 << n, dtype=np.uint64)
    for j, s in enumerate(sets):
        unions[1 << j: 1 << (j + 1)] = unions[: 1 << j] | np.uint64(s)
    subset_size = popcount(np.arange(1 << n, dtype=np.uint64))
    covered = popcount(unions)
    best = np.zeros(n + 1, dtype=np.int64)
    np.maximum.at(best, subset_size, covered)
    return [int(v) for v in np.maximum.accumulate(best)]


def layer_capacities(weights: list[np.ndarray], unit_classes, n0: int) -> list[LayerCapacities]:
    """𝒜_l(k), ℐ_l(k) for each hidden layer from the unit classes (Propositions 3–4 of Serra &
    Ramalingam 2020).

    `weights` are the hidden layers' W_l; `unit_classes[l][i]` is one of
    UNIT_CLASSES. Layer 1 sees the inputs, which can have either sign, so there every unstable unit
    counts: ℐ_1 = |U_1|, 𝒜_1 = n_1^+ + |U_1|. For l ≥ 2, with U_l^± the leaning units,
    J^-(l,i) = {j : W_ij > 0} for i ∈ U_l^-, J^+(l,i) = {j : W_ij < 0} for i ∈ U_l^+ (j ranging
    over units of layer l − 1 that can be active), I(l−1, j) = {i : j ∈ J^±(l,i)} and I^- its part
    in U_l^-:  ℐ_l(k) ≤ max_{|S|≤k} |∪_{j∈S} I(l−1,j)|,  𝒜_l(k) ≤ n_l^+ + |U_l^+| + max_{|S|≤k}
    |∪_{j∈S} I^-(l−1,j)|.
    """
    result = []
    previous_width = n0
    for layer, (W, classes) in enumerate(zip(weights, unit_classes)):
        classes = list(classes)
        n_active = classes.count(STABLY_ACTIVE)
        leaning_plus = [i for i, c in enumerate(classes) if c == ACTIVE_LEANING]
        leaning_minus = [i for i, c in enumerate(classes) if c == INACTIVE_LEANING]
        n_unstable = len(leaning_plus) + len(leaning_minus)
        ks = range(previous_width + 1)
        if layer == 0:
            result.append(LayerCapacities(tuple(n_active + n_unstable for _ in ks),
                                          tuple(n_unstable for _ in ks)))
        else:
            can_be_active = [j for j, c in enumerate(unit_classes[layer - 1]) if c != STABLY_INACTIVE]
            both, minus_only = [], []
            for j in can_be_active:
                minus = sum(1 << i for i in leaning_minus if W[i, j] > 0)
                plus = sum(1 << i for i in leaning_plus if W[i, j] < 0)
                both.append(minus | plus)
                minus_only.append(minus)
            minus_table = coverage_table(minus_only, len(ks) - 1)
            both_table = coverage_table(both, len(ks) - 1)
            result.append(LayerCapacities(
                tuple(n_active + len(leaning_plus) + minus_table[min(k, len(minus_table) - 1)] for k in ks),
                tuple(both_table[min(k, len(both_table) - 1)] for k in ks),
            ))
        previous_width = len(classes)
    return result


def empirical_upper_bound(weights, unit_classes, n0: int) -> int:
    """Empirical UB: Theorem 2 of Serra & Ramalingam 2020 with 𝒜_l, ℐ_l from `layer_capacities`.

    Two units on R, both stably active: one region only.

    >>> import numpy as np
    >>> empirical_upper_bound([np.array([[1.0], [2.0]])], [[STABLY_ACTIVE, STABLY_ACTIVE]], 1)
    1
    """
    return theorem2_bound(n0, layer_capacities(weights, unit_classes, n0))


def trivial_upper_bound(widths) -> int:
    """2^n for n hidden units: the number of activation patterns."""
    return 2 ** sum(widths)
