"""Network files, data files, the state_dict loader, chunked forward passes and the affine maps
of the pre-activations."""

import numpy as np
import pytest

from m2bridge.cli import main
from m2bridge.networks.codes import codes
from m2bridge.networks.network import (
    Network,
    NetworkError,
    load_labels,
    load_network,
    load_points,
    network_from_state_dict,
)


def random_network(widths, seed=0):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=(widths[l + 1], widths[l])) for l in range(len(widths) - 1)]
    biases = [rng.normal(size=widths[l + 1]) for l in range(len(widths) - 1)]
    return Network(weights, biases)


def direct_forward(net, x):
    """One point, layer by layer in plain Python floats."""
    h = list(map(float, x))
    for l, (W, b) in enumerate(zip(net.weights, net.biases), start=1):
        pre = [sum(W[i, j] * h[j] for j in range(len(h))) + b[i] for i in range(W.shape[0])]
        h = pre if l == net.depth else [max(v, 0.0) for v in pre]
    return h


@pytest.mark.parametrize("chunk", [1, 7, 1000])
def test_chunked_hidden_activations_match_a_direct_pass(chunk):
    net = random_network((3, 5, 4, 2), seed=1)
    X = np.random.default_rng(2).normal(size=(23, 3))
    chunks = list(net.iter_hidden(X, chunk))
    assert [start for start, _ in chunks] == list(range(0, 23, chunk))
    layer2 = np.concatenate([hidden[1] for _, hidden in chunks])
    W1, W2 = net.weights[:2]
    b1, b2 = net.biases[:2]
    expected = np.maximum(np.maximum(X @ W1.T + b1, 0) @ W2.T + b2, 0)
    np.testing.assert_allclose(layer2, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(net.forward(X), [direct_forward(net, x) for x in X], rtol=1e-10)


def test_forward_without_hidden_layers_is_affine():
    net = Network([np.array([[2.0, -1.0]])], [np.array([0.5])])
    assert net.forward(np.array([[1, 1], [0, 2]])).ravel().tolist() == [1.5, -1.5]
    assert net.hidden_activations(np.zeros((2, 2))) == []


def test_nan_in_data_is_reported_in_the_chunk_that_has_it():
    net = random_network((2, 3, 1))
    X = np.zeros((10, 2))
    X[8, 1] = np.nan
    with pytest.raises(NetworkError, match="NaN or infinity"):
        list(net.iter_hidden(X, chunk_size=4))


def test_overflowing_activations_name_the_point_and_layer():
    net = Network([np.array([[1e200]]), np.array([[1e200]]), np.ones((1, 1))],
                  [np.zeros(1), np.zeros(1), np.zeros(1)])
    with pytest.raises(NetworkError, match="point 2 drives layer 2 beyond the float64 range"):
        codes(net, [[0.0], [1.0]])


@pytest.mark.parametrize("widths", [(2, 5, 1), (3, 4, 3, 2), (2, 3, 3, 3, 1)])
def test_preactivation_maps_agree_with_the_forward_pass(widths):
    net = random_network(widths, seed=sum(widths))
    X = np.random.default_rng(3).normal(size=(30, widths[0])) * 2
    bits = codes(net, X).bits()
    for x, pattern in zip(X, bits):
        h = x
        for l, (G, g) in enumerate(net.preactivation_maps(pattern), start=1):
            pre = net.weights[l - 1] @ h + net.biases[l - 1]
            np.testing.assert_allclose(G @ x + g, pre, atol=1e-10)
            h = np.maximum(pre, 0.0)
        if net.depth > 2:   # a prefix needs only the bits of the earlier layers
            first = net.preactivation_maps(pattern[: widths[1]], layers=2)
            assert len(first) == 2 and np.allclose(first[1][0], net.preactivation_maps(pattern)[1][0])
    if net.depth > 2:
        with pytest.raises(NetworkError, match="layers 1..1 have"):
            net.preactivation_maps([], layers=2)


def test_has_bias():
    assert random_network((2, 3, 1)).has_bias
    assert not Network([np.eye(2), np.ones((1, 2))], [np.zeros(2), np.zeros(1)]).has_bias


def test_state_dict_of_a_sequential_becomes_the_same_network():
    net = random_network((3, 4, 2, 1), seed=4)
    # nn.Sequential(Linear, ReLU, Linear, ReLU, Linear): parameters at indices 0, 2, 4.
    state = {}
    for index, (W, b) in zip((0, 2, 4), zip(net.weights, net.biases)):
        state[f"model.{index}.weight"] = W.astype(np.float32)
        state[f"model.{index}.bias"] = b.astype(np.float32)
    loaded = network_from_state_dict(state)
    assert loaded.widths == (3, 4, 2, 1)
    X = np.random.default_rng(0).normal(size=(5, 3))
    np.testing.assert_allclose(loaded.forward(X), net.forward(X), rtol=1e-5, atol=1e-5)


def test_state_dict_layers_follow_numeric_not_text_order_and_missing_bias_is_zero():
    state = {"10.weight": np.ones((1, 2)), "2.weight": np.eye(2), "2.bias": np.ones(2)}
    net = network_from_state_dict(state)
    assert net.widths == (2, 2, 1)
    assert net.biases[1].tolist() == [0.0]


@pytest.mark.parametrize(
    "state, message",
    [
        ({}, "no Linear layers"),
        ({"0.weight": np.eye(2), "1.running_mean": np.zeros(2)}, "'1.running_mean' is not the weight or bias"),
        ({"a.0.weight": np.eye(2), "b.2.weight": np.eye(2)}, "several modules"),
        ({"0.weight": np.eye(2), "2.bias": np.zeros(1)}, "2.bias has no 2.weight"),
        ({"0.weight": np.eye(2), "2.weight": np.ones((1, 3))}, "W2 has 3 columns, layer 1 has 2 neurons"),
        ({"0.weight": np.array([[np.nan]])}, "W1 contains NaN"),
        ({"0.weight": np.array([[1 + 2j]])}, "'0.weight' holds complex numbers"),
        ({"0.weight": [["a"]]}, "'0.weight' holds dtype <U1"),
        ([1, 2], "expected a mapping"),
    ],
)
def test_bad_state_dicts(state, message):
    with pytest.raises(NetworkError, match=message):
        network_from_state_dict(state)


def write_network(path, **arrays):
    np.savez(path, **arrays)
    return path


# One file per defect; each message must name what is wrong.
BAD_NETWORKS = {
    "missing_b2": (dict(W1=np.eye(2), b1=np.zeros(2), W2=np.ones((1, 2))), "array b2 is missing"),
    "shape_mismatch": (
        dict(W1=np.eye(2), b1=np.zeros(2), W2=np.ones((1, 3)), b2=np.zeros(1)),
        "W2 has 3 columns, layer 1 has 2 neurons",
    ),
    "bias_shape": (dict(W1=np.eye(2), b1=np.zeros(3)), r"b1 has shape \(3,\)"),
    "nan": (dict(W1=np.array([[np.nan, 1.0]]), b1=np.zeros(1)), "W1 contains NaN or infinity"),
    "inf": (dict(W1=np.eye(2), b1=np.array([0.0, np.inf])), "b1 contains NaN or infinity"),
    "unexpected": (dict(W1=np.eye(2), b1=np.zeros(2), scale=np.ones(1)), "unexpected arrays"),
    "strings": (dict(W1=np.array([["1", "0"], ["0", "1"]]), b1=np.zeros(2)), "W1 holds dtype <U1"),
    "complex": (dict(W1=np.eye(2), b1=np.array([1j, 0])), "b1 holds complex numbers"),
    "bool": (dict(W1=np.eye(2, dtype=bool), b1=np.zeros(2)), "W1 holds dtype bool"),
    "empty_layer": (dict(W1=np.zeros((0, 2)), b1=np.zeros(0)), r"W1 has shape \(0, 2\); every layer"),
    "no_inputs": (dict(W1=np.zeros((2, 0)), b1=np.zeros(2)), r"W1 has shape \(2, 0\)"),
}


@pytest.fixture
def bad_network_files(tmp_path):
    files = {name: write_network(tmp_path / f"{name}.npz", **arrays) for name, (arrays, _) in BAD_NETWORKS.items()}
    text = tmp_path / "text.npz"
    text.write_text("W1 = [[1, 0], [0, 1]]\n")
    files["not_npz"] = text
    return files


def test_bad_network_files_each_give_one_clear_error(bad_network_files):
    for name, path in bad_network_files.items():
        message = BAD_NETWORKS[name][1] if name in BAD_NETWORKS else "is not a readable .npz file"
        with pytest.raises(NetworkError, match=message):
            load_network(path)
    with pytest.raises(NetworkError, match="does not exist"):
        load_network(bad_network_files["nan"].parent / "absent.npz")


def test_bad_network_files_via_the_cli_exit_2_without_traceback(bad_network_files, tmp_path, capsys):
    data = tmp_path / "X.npy"
    np.save(data, np.zeros((3, 2)))
    for name, path in bad_network_files.items():
        for command in ("codes", "patterns", "regions"):
            args = [command, "--network", str(path)] + (["--data", str(data)] if command != "regions" else [])
            code = main(args)
            out, err = capsys.readouterr()
            assert code == 2, (name, command, err)
            assert err.startswith("m2bridge: error: network file"), (name, command, err)
            assert len(err.strip().splitlines()) == 1 and "Traceback" not in err and out == "", (name, err)


def test_pytorch_file_without_torch_says_what_to_install(tmp_path):
    try:
        import torch  # noqa: F401
    except ImportError:
        path = tmp_path / "net.pt"
        path.write_bytes(b"not really torch")
        with pytest.raises(NetworkError, match="needs torch"):
            load_network(path)
    else:
        pytest.skip("torch is installed: the message for a missing torch cannot be shown")


def test_saved_network_loads_back(tmp_path):
    net = random_network((2, 3, 3, 1), seed=7)
    net.save(tmp_path / "net.npz")
    again = load_network(tmp_path / "net.npz")
    assert again.widths == net.widths
    for a, b in zip(again.weights + again.biases, net.weights + net.biases):
        assert np.array_equal(a, b)


@pytest.mark.parametrize(
    "content, message",
    [
        (np.zeros(4), "expected a 2-d array"),
        (np.zeros((4, 3)), "points have 3 entries, the network has 2 inputs"),
        (np.array([["a", "b"]]), "is not numeric"),
        (np.zeros((0, 2)), "no points"),
    ],
)
def test_bad_data_files(tmp_path, content, message):
    path = tmp_path / "X.npy"
    np.save(path, content)
    with pytest.raises(NetworkError, match=message):
        load_points(path, random_network((2, 3, 1)))


def test_data_file_that_is_not_npy(tmp_path):
    path = tmp_path / "X.npy"
    path.write_text("1 2\n3 4\n")
    with pytest.raises(NetworkError, match="not a readable .npy file"):
        load_points(path)


def test_labels(tmp_path):
    path = tmp_path / "y.npy"
    np.save(path, np.array([0.0, 1.0, 1.0]))
    assert load_labels(path, 3).tolist() == [0, 1, 1]
    np.save(path, np.array([0, 1]))
    with pytest.raises(NetworkError, match=r"one label per data point \(3,\)"):
        load_labels(path, 3)
    np.save(path, np.array([0.5, 1.0, 2.0]))
    with pytest.raises(NetworkError, match="whole numbers"):
        load_labels(path, 3)
