"""Exact enumeration of activation regions by traversal (`networks.regions.traversal`): equal to an
independent breadth-first search written here, to the geometric enumeration, to the MILP count, and
above a grid lower bound; degenerate networks; limits; an LP failure; linear regions."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest

from m2bridge.networks.network import Network
from m2bridge.networks.polyhedra import max_slack, row_norms
from m2bridge.networks.regions import count_regions, enumerate_cells
from m2bridge.networks.regions import facets as facets_module
from m2bridge.networks.regions.facets import RegionLPError
from m2bridge.networks.regions.inputs import RegionInputError
from m2bridge.networks.regions.traversal import Traversal, grid_lower_bound, traverse_regions
from test_regions import random_network

pytestmark = pytest.mark.scip


def independent_bfs(network: Network, lower, upper) -> set[tuple[int, ...]]:
    """Regions by breadth-first search over patterns one bit apart, each kept when its polyhedron
    (rows s_i g_i ≥ 0 from the network's layer maps, and the box) holds a ball of radius > 1e-7:
    no facets, no polygon clipping, SciPy's HiGHS through `max_slack`."""
    n0 = network.widths[0]
    box_A, box_c = np.r_[np.eye(n0), -np.eye(n0)], np.r_[-lower, upper]

    def is_region(bits):
        maps = network.preactivation_maps(bits)
        sign = np.where(np.asarray(bits) == 1, 1.0, -1.0)
        A = np.vstack([sign[:, None] * np.vstack([G for G, _ in maps]), box_A])
        c = np.r_[sign * np.concatenate([g for _, g in maps]), box_c]
        zero = row_norms(A) == 0
        if np.any(c[zero & np.r_[np.asarray(bits) == 1, np.zeros(2 * n0, bool)]] <= 0):
            return False
        best = max_slack(A, c, row_norms(A), cap=1.0)
        return best is not None and best.t > 1e-7

    x = (lower + upper) / 2 + 1e-3
    start = tuple(int(v) for v in np.concatenate([h[0] > 0 for h in network.hidden_activations(x[None, :])]))
    assert is_region(start)
    seen, queue = {start}, deque([start])
    while queue:
        bits = queue.popleft()
        for i in range(len(bits)):
            other = bits[:i] + (1 - bits[i],) + bits[i + 1:]
            if other not in seen and is_region(other):
                seen.add(other)
                queue.append(other)
    return seen


@pytest.mark.parametrize("seed", [0, 1])
def test_random_2_12_12_1_equals_an_independent_bfs_the_lp_method_and_a_grid(seed):
    net = random_network((2, 12, 12, 1), seed)
    lower, upper = np.full(2, -2.0), np.full(2, 2.0)
    walked = traverse_regions(net, (-2.0, 2.0))
    assert walked.method == "polygon" and walked.complete and walked.stop_reason == "complete"
    expected = independent_bfs(net, lower, upper)
    assert set(walked.patterns) == expected and walked.activation_regions == len(expected)
    by_lp = traverse_regions(net, (-2.0, 2.0), method="lp")
    assert set(by_lp.patterns) == expected and by_lp.linear_regions == walked.linear_regions
    assert grid_lower_bound(net, (-2.0, 2.0), 200) <= len(expected)
    assert len(walked.polygons) == len(expected)
    assert sum(abs(p[:, 0] @ np.roll(p[:, 1], -1) - np.roll(p[:, 0], -1) @ p[:, 1]) / 2
               for p in walked.polygons) == pytest.approx(16.0)     # the regions tile the box


@pytest.mark.parametrize("widths,seed,box", [((2, 4, 4, 4, 1), 0, 2.0), ((2, 3, 3, 3, 3, 1), 1, 2.0),
                                            ((3, 5, 5, 1), 0, 2.0), ((3, 4, 4, 4, 1), 2, 1.5),
                                            ((4, 6, 6, 1), 0, 1.0)])
def test_deep_and_higher_dimensional_nets_equal_the_geometric_enumeration(widths, seed, box):
    net = random_network(widths, seed)
    walked = traverse_regions(net, (-box, box))
    assert set(walked.patterns) == enumerate_cells(net, (-box, box))
    assert walked.complete and walked.lp_runs >= (walked.activation_regions if widths[0] > 2 else 0)
    if widths[0] == 2:
        assert set(traverse_regions(net, (-box, box), method="lp").patterns) == set(walked.patterns)


@pytest.mark.parametrize("widths,seed", [((2, 5, 3, 2), 0), ((2, 4, 4, 1), 1), ((3, 4, 3, 1), 0)])
def test_equals_the_milp_count(widths, seed):
    net = random_network(widths, seed)
    milp = count_regions(net, (-2.0, 2.0))
    walked = traverse_regions(net, (-2.0, 2.0))
    assert milp.complete and walked.complete
    assert walked.activation_regions == milp.count and set(walked.patterns) == milp.patterns


# ---------------------------------------------------------------------------------------------
# degenerate networks


def net_of(rows, biases, out=None):
    W = np.array(rows, dtype=float)
    return Network([W, np.array([out or [1.0] * len(W)], dtype=float)],
                   [np.array(biases, dtype=float), np.zeros(1)])


@pytest.mark.parametrize("method", ["polygon", "lp"])
@pytest.mark.parametrize("network,box,expected", [
    # x = 0 and y = 0, each twice (duplicate neurons): still 4 quadrants
    (net_of([[1, 0], [1, 0], [0, 1], [0, 1]], [0, 0, 0, 0]), 1.0, 4),
    # parallel lines x = −0.5, x = 0, x = 0.5 (one of them reversed): 4 strips
    (net_of([[1, 0], [2, 0], [-1, 0]], [0.5, 0, 0.5]), 1.0, 4),
    # zero rows: one always active (b > 0), one always inactive (b < 0), one at exactly 0
    (net_of([[0, 0], [0, 0], [0, 0], [1, 1]], [1, -1, 0, 0]), 1.0, 2),
    # every hyperplane misses the box: one region
    (net_of([[1, 0], [0, 1]], [5, -5]), 1.0, 1),
    # opposite neurons x and −x: 2 regions
    (net_of([[1, 0], [-1, 0]], [0, 0]), 1.0, 2),
])
def test_degenerate_networks_give_the_right_count(network, box, expected, method):
    walked = traverse_regions(network, (-box, box), method=method)
    assert walked.complete and walked.activation_regions == expected
    assert set(walked.patterns) == enumerate_cells(network, (-box, box))


@pytest.mark.parametrize("method", ["polygon", "lp"])
def test_a_unit_copied_in_the_next_layer_flips_with_it(method):
    # h_b = relu(h_a) bends nowhere but switches with h_a: across x = 0 both units change at once
    # (flipping only a gives no region); the walk reads the neighbour off by a probe.
    net = Network([np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 0.0], [0.0, 1.0]]), np.ones((1, 2))],
                  [np.zeros(2), np.array([0.0, -0.5]), np.zeros(1)])
    walked = traverse_regions(net, (-1.0, 1.0), method=method)
    assert set(walked.patterns) == enumerate_cells(net, (-1.0, 1.0))
    assert walked.activation_regions == 6 and walked.probes >= 1      # x ≶ 0 times y ≶ 0, y ≶ 0.5


def test_a_box_far_from_every_region_is_one_region_and_bad_options_are_refused():
    net = random_network((2, 6, 1), 0)
    assert traverse_regions(net, (1e6, 1e6 + 1)).activation_regions == 1
    with pytest.raises(RegionInputError, match="method") as err:
        traverse_regions(net, (-1.0, 1.0), method="simplex")
    assert err.value.parameter == "method"
    with pytest.raises(RegionInputError, match="2-D input"):
        traverse_regions(random_network((3, 4, 1), 0), (-1.0, 1.0), method="polygon")
    with pytest.raises(RegionInputError) as err:
        traverse_regions(net, (-1.0, 1.0), count_limit=0)
    assert err.value.parameter == "count_limit"


def test_limits_give_a_lower_bound():
    net = random_network((2, 12, 12, 1), 0)
    stopped = traverse_regions(net, (-2.0, 2.0), count_limit=10)
    assert (stopped.activation_regions, stopped.complete, stopped.stop_reason) == (10, False, "count limit")
    assert stopped.linear_regions is None
    timed = traverse_regions(random_network((4, 10, 10, 1), 0), (-1.0, 1.0), time_limit=1e-6)
    assert not timed.complete and timed.stop_reason == "time limit" and timed.activation_regions >= 1


@pytest.mark.parametrize("workers", [1, 2])
def test_an_lp_failure_names_the_region(monkeypatch, workers):
    # a real HiGHS run stopped by an iteration limit of 0 (in a slab worker: raised in the caller)
    monkeypatch.setitem(facets_module.HIGHS_OPTIONS, "simplex_iteration_limit", 0)
    with pytest.raises(RegionLPError, match=r"HiGHS failed .* region with activation pattern [01]{20}"):
        traverse_regions(random_network((4, 10, 10, 1), 0), (-1.0, 1.0), workers=workers)


# ---------------------------------------------------------------------------------------------
# linear regions


def test_linear_regions_merge_neighbours_with_one_affine_map():
    # relu(x) + relu(y) + 0·relu(x + y − 0.5): the third line splits three quadrants without
    # changing the map, so 7 activation regions make 4 linear regions.
    net = net_of([[1, 0], [0, 1], [1, 1]], [0, 0, -0.5], out=[1.0, 1.0, 0.0])
    for method in ("polygon", "lp"):
        walked = traverse_regions(net, (-1.0, 1.0), method=method)
        assert (walked.activation_regions, walked.linear_regions) == (7, 4)
        assert sorted(set(walked.linear_labels)) == [0, 1, 2, 3]
    random = traverse_regions(random_network((2, 5, 3, 2), 0), (-2.0, 2.0))
    assert random.linear_regions <= random.activation_regions


@pytest.mark.parametrize("widths,box", [((2, 12, 12, 1), 2.0), ((3, 5, 5, 1), 2.0)])
def test_a_stopped_walk_resumes_to_the_full_count(widths, box):
    net = random_network(widths, 0)
    whole = traverse_regions(net, (-box, box))
    part = traverse_regions(net, (-box, box), count_limit=20)
    assert not part.complete and part.activation_regions == 20
    rest = traverse_regions(net, (-box, box), resume=part)
    assert rest.complete and set(rest.patterns) == set(whole.patterns)
    assert rest.linear_regions == whole.linear_regions and rest.adjacencies == whole.adjacencies
    with pytest.raises(RegionInputError, match="resume"):
        traverse_regions(net, (-box, box), resume=rest)
    with pytest.raises(RegionInputError, match="another network"):
        traverse_regions(random_network(widths, 1), (-box, box), resume=part)


# ---------------------------------------------------------------------------------------------
# walking in slabs, in parallel


def _pattern_pairs(walked):
    return {frozenset((walked.patterns[i], walked.patterns[j])) for i, j in walked.adjacencies}


@pytest.mark.parametrize("widths,box,seed", [((2, 12, 12, 1), 2.0, 0), ((3, 5, 5, 1), 2.0, 1)])
def test_two_workers_find_the_regions_and_adjacencies_of_one(widths, box, seed):
    net = random_network(widths, seed)
    one = traverse_regions(net, (-box, box))
    two = traverse_regions(net, (-box, box), workers=2)
    assert two.complete and two.stop_reason == "complete"
    assert set(two.patterns) == set(one.patterns) and two.activation_regions == one.activation_regions
    assert two.linear_regions == one.linear_regions
    assert _pattern_pairs(two) == _pattern_pairs(one)
    if widths[0] == 2:
        assert set(two.patterns) == independent_bfs(net, np.full(2, -box), np.full(2, box))


def test_two_workers_merge_linear_regions_across_slabs():
    # 7 activation regions in 4 linear regions (see above); the slab cuts run through them
    net = net_of([[1, 0], [0, 1], [1, 1]], [0, 0, -0.5], out=[1.0, 1.0, 0.0])
    walked = traverse_regions(net, (-1.0, 1.0), workers=2)
    assert (walked.activation_regions, walked.linear_regions, walked.complete) == (7, 4, True)


def test_workers_with_a_limit_give_a_lower_bound_and_bad_workers_are_refused():
    net = random_network((2, 12, 12, 1), 0)
    stopped = traverse_regions(net, (-2.0, 2.0), count_limit=5, workers=2)
    assert not stopped.complete and stopped.stop_reason == "count limit" and stopped.linear_regions is None
    assert 5 <= stopped.activation_regions < traverse_regions(net, (-2.0, 2.0)).activation_regions
    with pytest.raises(RegionInputError, match="workers"):
        traverse_regions(net, (-2.0, 2.0), workers=0)


def test_a_traversal_is_built_by_keyword_only():
    fields = dict(activation_regions=1, linear_regions=1, complete=True, stop_reason="complete", method="lp",
                  patterns=[()], adjacencies=[], polygons=None, linear_labels=[0], seconds=0.0)
    assert Traversal(**fields).rate == pytest.approx(1e9)
    with pytest.raises(TypeError):
        Traversal(*fields.values())  # a dozen fields, several of one type: no order to get wrong
    # every way traverse_regions builds one: no hidden layer, one walk, slabs
    linear = traverse_regions(Network([np.ones((1, 2))], [np.zeros(1)]), (-1.0, 1.0))
    assert (linear.activation_regions, linear.linear_regions, linear.linear_labels) == (1, 1, [0])
    net = random_network((2, 6, 1), 0)
    alone, slabs = traverse_regions(net, (-1.0, 1.0)), traverse_regions(net, (-1.0, 1.0), workers=2)
    assert alone.complete and slabs.complete and alone.activation_regions == slabs.activation_regions
