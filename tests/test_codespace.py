"""ReLU code space after Shepeleva et al.: codes, truncated Hamming distances, cell polyhedra, LP
adjacency, and activation patterns of data."""

import tomllib
from itertools import combinations

import numpy as np
import pytest
from scipy.optimize import linprog

from m2bridge.networks.cells import Polyhedron, adjacency_graph, cell_polyhedron, cells_adjacent
from m2bridge.networks.codes import (
    CodeError,
    Codes,
    _popcount_native,
    _popcount_table,
    codes,
    popcount,
    distance_histogram,
    iter_distance_rows,
    nearest_codes,
    pairwise_distances,
)
from m2bridge.errors import InputError
from m2bridge.networks.datapattern import case_file_text, data_pattern
from m2bridge.networks.network import Network
from m2bridge.varieties.model import ActivationPattern


def random_network(widths, seed):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=(widths[l + 1], widths[l])) for l in range(len(widths) - 1)]
    biases = [rng.normal(size=widths[l + 1]) for l in range(len(widths) - 1)]
    return Network(weights, biases)


def direct_code(net, x):
    """Code of one point, neuron by neuron in plain Python floats."""
    h, bits = list(map(float, x)), []
    for W, b in zip(net.weights[:-1], net.biases[:-1]):
        h = [max(sum(W[i, j] * h[j] for j in range(len(h))) + b[i], 0.0) for i in range(W.shape[0])]
        bits += [1 if v > 0 else 0 for v in h]
    return bits


# ---------------------------------------------------------------- codes


@pytest.mark.parametrize("chunk", [1, 5, 4096])
def test_codes_agree_with_a_direct_per_point_computation(chunk):
    net = random_network((3, 7, 6, 5, 2), seed=11)  # 18 neurons: codes span 3 bytes
    X = np.random.default_rng(12).normal(size=(40, 3)) * 2
    c = codes(net, X, chunk_size=chunk)
    expected = [direct_code(net, x) for x in X]
    assert c.bits().astype(int).tolist() == expected
    assert c.layer(2).astype(int).tolist() == [row[7:13] for row in expected]
    assert c.text()[0] == "/".join("".join(map(str, row)) for row in (expected[0][:7], expected[0][7:13], expected[0][13:]))


def test_activations_between_0_and_1_give_bit_1():
    # Outputs 0.3, 0.999 and 1e-9 are positive: bit 1 (casting to int first would give 0).
    net = Network([np.array([[1.0], [1.0], [1.0], [1.0]]), np.ones((1, 4))],
                  [np.array([-0.7, -0.001, -1 + 1e-9, -1.0]), np.zeros(1)])
    hidden = net.hidden_activations(np.array([[1.0]]))[0]
    assert hidden.astype(int).tolist() == [[0, 0, 0, 0]]  # the published code's mistake
    assert codes(net, [[1.0]]).text() == ["1110"]  # exactly 0 stays 0


def test_hex_text_pads_the_bit_string_and_reads_back():
    c = Codes.from_bits([[1, 0, 1, 1, 1], [0, 0, 0, 0, 1]], (3, 2))
    assert c.hex() == ["b8", "08"]
    assert Codes.from_hex(c.hex(), (3, 2)).text() == ["101/11", "000/01"]
    with pytest.raises(CodeError, match="expected 2 hex digit"):
        Codes.from_hex(["b"], (3, 2))


def test_distinct_codes_keep_the_order_of_first_occurrence_and_count_labels():
    c = Codes.from_bits([[1, 1], [0, 1], [1, 1], [0, 0], [0, 1]])
    d = c.distinct()
    assert d.codes.text() == ["11", "01", "00"]
    assert d.first_point.tolist() == [0, 1, 3]
    assert d.inverse.tolist() == [0, 1, 0, 2, 1]
    assert d.counts.tolist() == [2, 2, 1]
    assert d.label_counts(np.array([3, 3, 5, 3, 5])) == [{3: 1, 5: 1}, {3: 1, 5: 1}, {3: 1}]


def test_network_without_hidden_layers_has_one_empty_code():
    net = Network([np.array([[1.0, 2.0]])], [np.zeros(1)])
    d = codes(net, np.zeros((3, 2))).distinct()
    assert len(d) == 1 and d.counts.tolist() == [3] and d.codes.blocks() == [()]


# ---------------------------------------------------------------- distances


def naive_distance(a, b, theta=None):
    d = sum(x != y for x, y in zip(a, b))
    return d if theta is None else min(d, theta)


@pytest.mark.parametrize("theta", [None, 1, 3])
def test_pairwise_distances_match_a_naive_count(theta):
    rng = np.random.default_rng(5)
    bits = rng.random((30, 70)) < 0.5  # 70 bits: two 64-bit words, the second padded
    bits[3] = bits[4]
    a, b = Codes.from_bits(bits[:30]), Codes.from_bits(bits[10:])
    D = pairwise_distances(a, b, theta)
    expected = [[naive_distance(x, y, theta) for y in bits[10:]] for x in bits[:30]]
    assert D.tolist() == expected
    # A tiny memory budget forces one row per chunk: the result must not change.
    chunked = np.vstack([dist for _, dist in iter_distance_rows(a, b, theta, chunk_bytes=1)])
    assert chunked.tolist() == expected


def test_distance_histogram_counts_each_unordered_pair_once():
    rng = np.random.default_rng(6)
    bits = rng.random((25, 9)) < 0.5
    c = Codes.from_bits(bits)
    for theta in (None, 2):
        expected = {}
        for i, j in combinations(range(25), 2):
            d = naive_distance(bits[i], bits[j], theta)
            expected[d] = expected.get(d, 0) + 1
        assert distance_histogram(c, theta) == expected
        assert distance_histogram(c, theta, chunk_bytes=1) == expected


def test_popcount_table_fallback_matches_native():
    words = np.random.default_rng(0).integers(0, 2**63, size=(4, 50), dtype=np.uint64) * np.uint64(3)
    table = _popcount_table(words, np.empty(words.shape, np.uint8))
    assert table.tolist() == [[bin(int(w)).count("1") for w in row] for row in words]
    if hasattr(np, "bitwise_count"):
        assert np.array_equal(_popcount_native(words, np.empty(words.shape, np.uint8)), table)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.uint32, np.uint64])
def test_popcount_of_every_unsigned_width(dtype):
    values = np.random.default_rng(1).integers(0, np.iinfo(dtype).max, size=(3, 17), dtype=dtype)
    expected = [[bin(int(v)).count("1") for v in row] for row in values]
    assert popcount(values).tolist() == expected
    assert _popcount_table(values, np.empty(values.shape, np.uint8)).tolist() == expected
    with pytest.raises(TypeError, match="unsigned"):
        popcount(values.astype(np.int64))


def test_theta_beyond_the_code_length_is_no_truncation():
    c = Codes.from_bits([[0, 1, 1], [1, 0, 0]])
    assert pairwise_distances(c, theta=10**30).tolist() == pairwise_distances(c).tolist() == [[0, 3], [3, 0]]
    assert distance_histogram(c, theta=10**30) == {3: 1}


def test_nearest_codes_match_brute_force_with_ties_to_the_lower_index():
    rng = np.random.default_rng(8)
    ref_bits = rng.random((40, 12)) < 0.5
    query_bits = rng.random((9, 12)) < 0.5
    idx, dist = nearest_codes(Codes.from_bits(query_bits), Codes.from_bits(ref_bits), k=3)
    for q in range(9):
        ranked = sorted(range(40), key=lambda j: (naive_distance(query_bits[q], ref_bits[j]), j))[:3]
        assert idx[q].tolist() == ranked
        assert dist[q].tolist() == [naive_distance(query_bits[q], ref_bits[j]) for j in ranked]


@pytest.mark.parametrize("theta", [0, -1, 2.5, True, "3"])
def test_bad_theta(theta):
    c = Codes.from_bits([[0, 1]])
    with pytest.raises(CodeError, match="theta"):
        pairwise_distances(c, theta=theta)


def test_codes_of_different_lengths_are_not_compared():
    with pytest.raises(CodeError, match="3 and 2 bits"):
        pairwise_distances(Codes.from_bits([[0, 1, 1]]), Codes.from_bits([[0, 1]]))
    with pytest.raises(CodeError, match="k = 5"):
        nearest_codes(Codes.from_bits([[0, 1]]), Codes.from_bits([[0, 1]]), k=5)


# ---------------------------------------------------------------- cells


def pre_activations(net, X):
    """Pre-activations of all hidden neurons, layer by layer."""
    out, h = [], np.asarray(X, dtype=float)
    for W, b in zip(net.weights[:-1], net.biases[:-1]):
        pre = h @ W.T + b
        out.append(pre)
        h = np.maximum(pre, 0)
    return np.hstack(out)


@pytest.mark.parametrize("widths", [(2, 5, 1), (2, 4, 3, 1), (3, 4, 3, 3, 2)])
def test_cell_rows_are_signed_pre_activations_and_contain_their_points(widths):
    net = random_network(widths, seed=sum(widths))
    X = np.random.default_rng(1).uniform(-3, 3, size=(300, widths[0]))
    c = codes(net, X)
    d = c.distinct()
    pre = pre_activations(net, X)
    bits = d.codes.bits()
    for b, code in enumerate(bits):
        cell = cell_polyhedron(net, code)
        members = d.inverse == b
        # eq. (16)-(17): on its own cell, row i is +/- the pre-activation of neuron i.
        sign = np.where(code, 1.0, -1.0)
        np.testing.assert_allclose(X[members] @ cell.A.T + cell.c, pre[members] * sign, atol=1e-10)
        # Membership: exactly the points with this code lie in the polyhedron (none on a boundary).
        assert np.array_equal(cell.contains(X), members)


def test_relative_interior_point_has_the_code_and_the_cell_is_full_dimensional():
    net = random_network((3, 6, 4, 1), seed=3)
    X = np.random.default_rng(4).uniform(-2, 2, size=(200, 3))
    d = codes(net, X).distinct()
    for code in d.codes.bits()[:10]:
        dim, point, radius = cell_polyhedron(net, code).relative_interior()
        assert dim == 3 and radius > 0
        assert codes(net, point[None, :]).bits()[0].tolist() == code.tolist()


def test_lower_dimensional_and_empty_cells():
    # Neurons x1 and -x1: code 00 is the line x1 = 0, code 11 is empty.
    net = Network([np.array([[1.0, 0.0], [-1.0, 0.0]]), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    line = cell_polyhedron(net, [0, 0])
    assert line.dimension() == 1
    assert codes(net, [[0.0, 5.0]]).text() == ["00"]
    assert line.is_realized()
    # Code 11 needs x1 > 0 and -x1 > 0: no point has it, though its polyhedron is the line x1 = 0.
    assert cell_polyhedron(net, [1, 1]).dimension() == 1
    assert not cell_polyhedron(net, [1, 1]).is_realized()
    assert cell_polyhedron(net, [1, 0]).dimension() == 2
    point = Polyhedron(np.array([[1.0], [-1.0]]), np.array([-2.0, 2.0]))  # x = 2
    dim, x, _ = point.relative_interior()
    assert dim == 0 and x.tolist() == pytest.approx([2.0])


def bounded_by_lp(cell):
    """Bounded iff every coordinate has a finite max and min over the cell: 2 n0 LPs."""
    for j in range(cell.n):
        for sign in (1, -1):
            res = linprog(-sign * np.eye(cell.n)[j], A_ub=-cell.A, b_ub=cell.c,
                          bounds=[(None, None)] * cell.n, method="highs")
            if res.status == 3:
                return False
    return True


def test_boundedness_agrees_with_coordinate_lps():
    net = random_network((2, 7, 1), seed=9)
    X = np.random.default_rng(10).uniform(-4, 4, size=(500, 2))
    d = codes(net, X).distinct()
    verdicts = [cell_polyhedron(net, code).is_bounded() for code in d.codes.bits()]
    assert verdicts == [bounded_by_lp(cell_polyhedron(net, code)) for code in d.codes.bits()]
    assert True in verdicts and False in verdicts
    assert Polyhedron(np.array([[1.0], [-1.0]]), np.array([0.0, -1.0])).is_bounded()  # empty


def test_bad_code_length():
    with pytest.raises(CodeError, match="code of 3 bits; the network has 5 hidden neurons"):
        cell_polyhedron(random_network((2, 5, 1), seed=0), [1, 0, 1])


def test_cells_of_huge_weights():
    # 1e200 · 1e200 overflows: the cell's inequalities cannot be written in float64.
    deep = Network([np.array([[1e200]]), np.array([[1e200]]), np.ones((1, 1))], [np.zeros(1)] * 3)
    with pytest.raises(CodeError, match="float64 range"):
        cell_polyhedron(deep, [1, 1])
    # Huge but representable rows: the LPs scale each row, no overflow in the norms.
    wide = Network([np.array([[1e300], [-1e300]]), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    assert cell_polyhedron(wide, [1, 0]).dimension() == 1
    assert cell_polyhedron(wide, [1, 0]).is_realized()
    assert not cell_polyhedron(wide, [1, 1]).is_realized()


# ---------------------------------------------------------------- adjacency


@pytest.mark.parametrize("n0, seed", [(2, 21), (2, 22), (3, 23), (3, 24)])
def test_hamming_1_iff_adjacent_for_one_hidden_layer_in_general_position(n0, seed):
    net = random_network((n0, 6, 1), seed=seed)
    X = np.random.default_rng(seed).uniform(-3, 3, size=(400, n0))
    d = codes(net, X).distinct()
    graph = adjacency_graph(net, d.codes)
    assert len(graph.checked) == len(d) * (len(d) - 1) // 2
    assert graph.disagreements == []
    assert graph.edges and sorted(graph.edges) == sorted((i, j) for i, j, h in graph.checked if h == 1)


@pytest.mark.parametrize("widths, seed", [((2, 5, 4, 1), 31), ((3, 4, 4, 1), 32)])
def test_adjacent_implies_hamming_1_for_deep_networks(widths, seed):
    net = random_network(widths, seed=seed)
    X = np.random.default_rng(seed).uniform(-3, 3, size=(300, widths[0]))
    d = codes(net, X).distinct()
    graph = adjacency_graph(net, d.codes, max_distance=3)
    assert graph.edges
    assert all(h == 1 for i, j, h in graph.checked if (i, j) in graph.edges)
    assert all(not adjacent for _, _, _, adjacent in graph.disagreements)


def test_deep_network_with_hamming_1_cells_that_do_not_touch():
    # Layer 1: j = relu(x), k = relu(100 - x); layer 2: g = relu(3 j + k - 101) on R.
    # g > 0 for x < -1 (code 01/1) and for x > 0.5 (code 11/1): d_H = 1, yet the cells
    # (-inf, -1] and [0.5, 100] are separated by (-1, 0) and (0, 0.5). Lemma 1 of Shepeleva et al.
    # ("d_H = 1 iff adjacent in general position") does not hold beyond one hidden layer, and the
    # configuration is stable under small changes of the weights.
    net = Network([np.array([[1.0], [-1.0]]), np.array([[3.0, 1.0]]), np.ones((1, 1))],
                  [np.array([0.0, 100.0]), np.array([-101.0]), np.zeros(1)])
    d = codes(net, [[-5.0], [-0.5], [0.25], [5.0]]).distinct()
    assert d.codes.text() == ["01/1", "01/0", "11/0", "11/1"]
    graph = adjacency_graph(net, d.codes)
    assert graph.edges == [(0, 1), (1, 2), (2, 3)]
    assert graph.disagreements == [(0, 3, 1, False)]
    assert graph.components() == [[0, 1, 2, 3]]


def test_coincident_hyperplanes_make_adjacent_cells_at_distance_2():
    # Two neurons with the same hyperplane x1 = 0 (not general position): crossing it flips both.
    net = Network([np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 1.0]]), np.ones((1, 3))],
                  [np.zeros(3), np.zeros(1)])
    d = codes(net, [[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0]]).distinct()
    assert d.codes.text() == ["111", "001", "000"]
    graph = adjacency_graph(net, d.codes)
    assert graph.edges == [(0, 1), (1, 2)]
    assert graph.disagreements == [(0, 1, 2, True)]
    # With the LP restricted to d_H <= 1 the disagreement is out of sight.
    assert adjacency_graph(net, d.codes, max_distance=1).disagreements == []


def test_cells_meeting_in_a_point_are_not_adjacent():
    net = Network([np.eye(2), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    first, second = cell_polyhedron(net, [1, 1]), cell_polyhedron(net, [0, 0])
    assert not cells_adjacent(first, second)
    assert cells_adjacent(first, cell_polyhedron(net, [1, 0]))


# ---------------------------------------------------------------- patterns and case files


def test_data_pattern_blocks_follow_first_occurrence_and_the_case_file_reads_back():
    net = random_network((2, 3, 2, 1), seed=40)
    X = np.random.default_rng(41).uniform(-2, 2, size=(60, 2))
    labels = np.random.default_rng(42).integers(0, 3, 60)
    found = data_pattern(net, X, labels)
    c = codes(net, X)
    first_seen = list(dict.fromkeys(c.text()))
    assert found.pattern == ActivationPattern.parse("|".join(first_seen))
    assert found.pattern.check(found.architecture)
    assert sum(found.block_sizes) == 60
    assert [sum(counts.values()) for counts in found.label_counts] == found.block_sizes
    case = tomllib.loads(case_file_text(found, name="toy", timeout=30))
    assert case == {
        "sweep": {
            "name": "toy", "field": "QQ", "timeout": 30, "compute": ["ideal", "dim"],
            "family": [{"architectures": ["2,3,2,1"], "patterns": [found.pattern.text], "bias": True}],
        }
    }
    assert tomllib.loads(case_file_text(found, name="toy", field="ZZ/101"))["sweep"]["field"] == "ZZ/101"


@pytest.mark.parametrize("kwargs,parameter", [
    (dict(name="a b"), "name"), (dict(name="x", field="QQQ"), "field"),
    (dict(name="x", field="ZZ/4"), "field"), (dict(name="x", timeout=0), "timeout"),
])
def test_bad_case_file_values_name_their_parameter(kwargs, parameter):
    found = data_pattern(random_network((2, 3, 1), seed=0), np.zeros((2, 2)))
    with pytest.raises(InputError, match=parameter) as caught:
        case_file_text(found, **kwargs)
    assert caught.value.parameter == parameter
