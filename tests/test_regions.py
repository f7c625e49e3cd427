"""Linear regions after Serra & Ramalingam (AAAI 2020): exact MILP count, geometric cross-check,
MIPBound, upper bounds. The `regions` command is in test_networks_regions_cli.py."""

from __future__ import annotations

import numpy as np
import pytest

from m2bridge.errors import InputError
from m2bridge.networks.network import Network
from m2bridge.networks.regions import bounds as closed_forms
from m2bridge.networks.regions import (
    STABLY_ACTIVE,
    STABLY_INACTIVE,
    LayerCapacities,
    RegionInputError,
    configuration_upper_bound,
    count_regions,
    empirical_upper_bound,
    enumerate_cells,
    input_box,
    interval_bounds,
    max_coverage,
    mip_bound,
    mipbound_probabilities,
    montufar_bound,
    theorem2_bound,
    unit_bounds,
    zaslavsky_bound,
)


def toy_network() -> Network:
    """h_a = relu(x), h_b = relu(1 − x), h_c = relu(4 h_a + 2 h_b − 3), output h_c."""
    return Network([np.array([[1.0], [-1.0]]), np.array([[4.0, 2.0]]), np.array([[1.0]])],
                   [np.array([0.0, 1.0]), np.array([-3.0]), np.array([0.0])])


def random_network(widths, seed) -> Network:
    rng = np.random.default_rng(seed)
    return Network([rng.normal(size=(b, a)) for a, b in zip(widths[:-1], widths[1:])],
                   [rng.normal(size=b) for b in widths[1:]])


# Random 1-D and 2-D networks for the geometric cross-check, all on the box [−2, 2]^n0.
CROSS_CHECK = [((1, 5, 4, 1), s) for s in range(3)] + [((1, 3, 3, 3, 1), s) for s in range(2)] + \
              [((2, 4, 4, 1), s) for s in range(3)] + [((2, 5, 3, 2), s) for s in range(2)] + \
              [((2, 3, 3, 3, 1), s) for s in range(2)]


# ---------------------------------------------------------------------------------------------
# known values


@pytest.mark.scip
def test_toy_network_has_five_regions():
    # On R the pattern changes at x = −1/2, 0, 1/2 and 1: {b,c}, {b}, {a,b}, {a,b,c}, {a,c}.
    # [−2, 2] contains all four breakpoints with room on both sides, so all five regions are
    # full-dimensional there and MILP and geometry agree.
    result = count_regions(toy_network(), (-2.0, 2.0))
    assert (result.count, result.complete, result.stop_reason) == (5, True, "complete")
    expected = {(0, 1, 1), (0, 1, 0), (1, 1, 0), (1, 1, 1), (1, 0, 1)}
    assert result.patterns == expected
    assert enumerate_cells(toy_network(), input_box(toy_network(), (-2.0, 2.0))) == expected


@pytest.mark.scip
def test_toy_network_on_unit_box_counts_the_corner_pattern():
    # On [−1, 1] the pattern {a, c} occurs only at the corner x = 1 (h_b = 0 there). Serra &
    # Ramalingam's definition (a non-empty set of inputs) counts it; full-dimensional cells do not.
    result = count_regions(toy_network(), (-1.0, 1.0))
    assert result.count == 5 and (1, 0, 1) in result.patterns
    assert len(enumerate_cells(toy_network(), input_box(toy_network(), (-1.0, 1.0)))) == 4


def test_configuration_ub_known_value_and_closed_forms():
    assert configuration_upper_bound(2, (2, 2, 2)) == 30
    assert zaslavsky_bound(4, 2) == 11
    # one hidden layer: all three bounds are Zaslavsky's
    assert configuration_upper_bound(3, (5,)) == montufar_bound(3, (5,)) == zaslavsky_bound(5, 3) == 26
    # 1-D input with layers of width ≥ 2: Π (n_l + 1)
    assert configuration_upper_bound(1, (3, 4, 2)) == 4 * 5 * 3
    for n0, widths in [(2, (2, 2, 2)), (3, (4, 2, 5)), (2, (6, 1, 6)), (4, (3, 3))]:
        assert configuration_upper_bound(n0, widths) <= montufar_bound(n0, widths)
        # Theorem 2 without stability information is the Configuration UB
        full = [LayerCapacities((w,) * (prev + 1), (w,) * (prev + 1))
                for prev, w in zip((n0,) + widths[:-1], widths)]
        assert theorem2_bound(n0, full) == configuration_upper_bound(n0, widths)


def test_bad_architecture_is_input_error():
    with pytest.raises(InputError, match="widths") as caught:
        configuration_upper_bound(2, (2, 0))
    assert caught.value.parameter == "widths"
    # 784-512-256 (an MNIST network): the sum over J is memoised, not a loop over 10^8 terms
    assert configuration_upper_bound(784, (512, 256)) < montufar_bound(784, (512, 256)) == 2 ** 768


def test_greedy_coverage_is_an_upper_bound(monkeypatch):
    rng = np.random.default_rng(3)
    sets = [int(v) for v in rng.integers(0, 1 << 12, size=14)]
    exact = [max_coverage(sets, k) for k in range(15)]
    monkeypatch.setattr(closed_forms, "EXACT_COVERAGE_MAX_UNITS", 0)   # force the greedy path
    greedy = [max_coverage(sets, k) for k in range(15)]
    assert all(g >= e for g, e in zip(greedy, exact))
    assert exact == sorted(exact) and exact[-1] == bin(np.bitwise_or.reduce(sets)).count("1")


# ---------------------------------------------------------------------------------------------
# exact count against the geometric enumeration, and the upper bounds around it


@pytest.mark.scip
@pytest.mark.parametrize("widths,seed", CROSS_CHECK)
def test_exact_count_matches_geometry_and_bounds(widths, seed):
    net = random_network(widths, seed)
    box = input_box(net, (-2.0, 2.0))
    bounds = unit_bounds(net, box)
    result = count_regions(net, box, bounds=bounds)
    assert result.complete
    assert result.patterns == enumerate_cells(net, box)
    empirical = empirical_upper_bound(net.weights[:-1], bounds.classes, widths[0])
    assert result.count <= empirical <= configuration_upper_bound(widths[0], widths[1:-1])


@pytest.mark.scip
def test_exact_count_3d_matches_geometry_and_bounds():
    net = random_network((3, 6, 6, 1), 2)     # has two regions of inradius ~5e-6
    box = input_box(net, (-2.0, 2.0))
    bounds = unit_bounds(net, box)
    result = count_regions(net, box, bounds=bounds)
    assert result.patterns == enumerate_cells(net, box) and result.count == 121
    assert result.count <= empirical_upper_bound(net.weights[:-1], bounds.classes, 3) <= \
        configuration_upper_bound(3, (6, 6))


@pytest.mark.scip
def test_network_without_hidden_layer_has_one_region():
    net = Network([np.ones((2, 3))], [np.zeros(2)])
    assert count_regions(net, (-1, 1)).count == 1


# ---------------------------------------------------------------------------------------------
# stability and big-M constants


@pytest.mark.scip
@pytest.mark.parametrize("widths,seed", [((1, 6, 5, 1), 4), ((2, 6, 6, 1), 5), ((3, 5, 5, 5, 1), 6)])
def test_stable_units_and_constants_agree_with_sampling(widths, seed):
    net = random_network(widths, seed)
    lower, upper = input_box(net, (-2.0, 2.0))
    bounds = unit_bounds(net, (lower, upper))
    rng = np.random.default_rng(seed)
    X = rng.uniform(lower, upper, size=(40_000, widths[0]))
    X = np.r_[X, np.array(np.meshgrid(*zip(lower, upper))).reshape(widths[0], -1).T]   # corners
    h = X
    intervals = interval_bounds(net, (lower, upper))
    for layer, (W, b) in enumerate(zip(net.weights[:-1], net.biases[:-1])):
        g = h @ W.T + b
        hi, lo = bounds.upper[layer], bounds.lower[layer]
        assert np.all(g.max(axis=0) <= hi + 1e-6) and np.all(g.min(axis=0) >= lo - 1e-6)
        assert np.all(hi <= intervals.upper[layer] + 1e-9) and np.all(lo >= intervals.lower[layer] - 1e-9)
        for i, cls in enumerate(bounds.classes[layer]):
            if cls == STABLY_ACTIVE:
                assert g[:, i].min() > 0
            elif cls == STABLY_INACTIVE:
                assert g[:, i].max() <= 1e-12
            else:     # unstable: the samples see both sides
                assert g[:, i].max() > 0 and g[:, i].min() <= 0
        if widths[0] == 1:      # dense samples in 1-D: the constants are the true extremes
            assert np.allclose(g.max(axis=0), hi, atol=2e-3) and np.allclose(g.min(axis=0), lo, atol=2e-3)
        h = np.maximum(g, 0.0)
    counts = bounds.class_counts()
    assert sum(counts.values()) == sum(widths[1:-1])


# ---------------------------------------------------------------------------------------------
# limits


@pytest.mark.scip
def test_count_limit_gives_incomplete_lower_bound():
    net = random_network((2, 5, 5, 1), 1)
    full = count_regions(net, (-2, 2))
    limited = count_regions(net, (-2, 2), count_limit=10)
    assert full.complete and full.count == 47
    assert (limited.count, limited.complete, limited.stop_reason) == (10, False, "count limit")
    assert limited.patterns <= full.patterns


@pytest.mark.scip
@pytest.mark.slow
def test_time_limit_gives_incomplete_lower_bound():
    net = random_network((6, 12, 12, 1), 0)
    bounds = unit_bounds(net, (-2, 2))
    result = count_regions(net, (-2, 2), bounds=bounds, time_limit=0.5)
    assert not result.complete and result.stop_reason == "time limit"
    assert 0 < result.count <= empirical_upper_bound(net.weights[:-1], bounds.classes, 6)


@pytest.mark.scip
@pytest.mark.parametrize("call,parameter,match", [
    (lambda net: count_regions(net, (1, 0)), "box", "lower bound 1.0 is not below"),
    (lambda net: count_regions(net, ([0, 0, 0], [1, 1, 1])), "box", "box: 3 ranges for a network with 2 inputs"),
    (lambda net: count_regions(net, (-1e308, 1e308)), "box", "within ±1e"),
    (lambda net: count_regions(net, (0, 1), count_limit=0), "count_limit", "count_limit must be"),
    (lambda net: count_regions(net, (0, 1), time_limit=float("inf")), "time_limit", "time_limit must"),
    (lambda net: count_regions(net, (0, 1), time_limit=float("nan")), "time_limit", "time_limit must"),
    (lambda net: count_regions(net, (0, 1), bounds=interval_bounds(net, (0, 2))), "bounds", "different box"),
    (lambda net: mip_bound(net, (0, 1), xor_size=0), "xor_size", "xor_size must"),
    (lambda net: mip_bound(net, (0, 1), time_limit=-1.0), "time_limit", "time_limit must"),
    (lambda net: mip_bound(net, (0, 1), xor_size=1, repetitions=1).lower_bound(1.0), "probability",
     "probability"),
    (lambda net: unit_bounds(net, (0, 1), unit_time_limit=0), "unit_time_limit", "unit_time_limit"),
])
def test_bad_api_input(call, parameter, match):
    with pytest.raises(RegionInputError, match=match) as caught:
        call(random_network((2, 3, 1), 0))
    assert caught.value.parameter == parameter


@pytest.mark.scip
def test_huge_weights_are_refused_before_scip_sees_them():
    net = Network([np.array([[1e300], [-1.0]]), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    with pytest.raises(RegionInputError, match="pre-activations of layer 1 reach 1e\\+300") as caught:
        count_regions(net, (-1, 1))
    assert caught.value.parameter == "box"


@pytest.mark.scip
def test_progress_goes_to_the_callback():
    heard = []
    count_regions(toy_network(), (-2.0, 2.0), on_progress=heard.append)
    assert heard and heard[-1].startswith("regions: 5 found")


# ---------------------------------------------------------------------------------------------
# MIPBound


def test_mipbound_probability_formula():
    # all 28 repetitions feasible with j + 1 constraints: δ = 1/2, P = 1 − (e/4)^14
    assert mipbound_probabilities([28, 28, 28, 3], 28) == pytest.approx([1 - (np.e / 4) ** 14] * 2)
    assert mipbound_probabilities([10, 5], 10) == []      # δ = 0: no bound beyond 2^0


@pytest.mark.scip
@pytest.mark.slow
@pytest.mark.parametrize("widths,seed,xor_size", [((2, 5, 5, 1), 1, 2), ((3, 6, 6, 1), 1, 3)])
def test_mipbound_lower_bound_holds_at_its_probability(widths, seed, xor_size):
    net = random_network(widths, seed)
    bounds = unit_bounds(net, (-2, 2))
    exact = count_regions(net, (-2, 2), bounds=bounds).count
    runs = [mip_bound(net, (-2, 2), xor_size=xor_size, repetitions=16, seed=s, bounds=bounds)
            for s in range(12)]
    for run in runs:
        assert run.repetitions == 16 and run.probability >= 0.95
        assert run.bound & (run.bound - 1) == 0          # a power of two
        assert run.lower_bound(0.5)[0] >= run.bound      # a weaker demand, a larger bound
    # each bound holds with probability ≥ 95 %: more than 2 failures in 12 runs has probability
    # below 2 % under that guarantee; the seeds are fixed, so this test is deterministic
    assert sum(run.bound > exact for run in runs) <= 2
    assert max(run.bound for run in runs) >= 4           # the bound is not trivially 1
