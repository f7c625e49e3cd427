"""Real ReLU networks with biases, read from `.npz` files (code space and linear regions share them).

File format: arrays `W1, b1, W2, b2, …, WL, bL`; W_l has shape (n_l, n_(l-1)), b_l shape (n_l,),
real numbers. Layers 1..L-1 are ReLU layers, layer L is the linear output layer. A PyTorch
`nn.Sequential` state_dict converts with `network_from_state_dict` (torch itself is optional).

The layer recurrence g_l = W_l h_(l-1) + b_l, h_l = relu(g_l) is written twice, once per kind of
input: on points (`Network.iter_hidden`, in chunks, so 10^5 × 784 datasets stream through bounded
memory) and on affine maps of the input for a fixed activation pattern
(`Network.preactivation_maps`, which cells, the region LPs and the geometric enumeration share).

>>> import numpy as np
>>> net = Network([np.array([[1.0], [-1.0]]), np.array([[4.0, 2.0]])],
...               [np.array([0.0, 1.0]), np.array([-3.0])])
>>> net.widths
(1, 2, 1)
>>> net.forward(np.array([[0.5], [2.0]])).ravel().tolist()
[0.0, 5.0]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._files import DATA_LIMIT, NETWORK_LIMIT, check_size
from ..errors import InputError


class NetworkError(InputError):
    """A network file or array list that is not a valid ReLU network."""


@dataclass
class Network:
    """Weights W_1..W_L (shape n_l × n_(l-1)) and biases b_1..b_L, float64."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]

    def __post_init__(self):
        if not self.weights:
            raise NetworkError("network: no layers")
        if len(self.weights) != len(self.biases):
            raise NetworkError(
                f"network: {len(self.weights)} weight matrices but {len(self.biases)} bias vectors"
            )
        self.weights = [_real_array(W, f"network: W{l}") for l, W in enumerate(self.weights, start=1)]
        self.biases = [_real_array(b, f"network: b{l}") for l, b in enumerate(self.biases, start=1)]
        for l, (W, b) in enumerate(zip(self.weights, self.biases), start=1):
            if W.ndim != 2:
                raise NetworkError(f"network: W{l} has shape {W.shape}, expected a matrix")
            if 0 in W.shape:
                raise NetworkError(f"network: W{l} has shape {W.shape}; every layer needs at least "
                                   "one neuron and one input")
            if b.shape != (W.shape[0],):
                raise NetworkError(f"network: b{l} has shape {b.shape}, W{l} needs ({W.shape[0]},)")
            if l > 1 and W.shape[1] != self.weights[l - 2].shape[0]:
                raise NetworkError(
                    f"network: W{l} has {W.shape[1]} columns, layer {l - 1} has "
                    f"{self.weights[l - 2].shape[0]} neurons"
                )
            for name, arr in ((f"W{l}", W), (f"b{l}", b)):
                if not np.all(np.isfinite(arr)):
                    raise NetworkError(f"network: {name} contains NaN or infinity")

    @property
    def widths(self) -> tuple[int, ...]:
        return (self.weights[0].shape[1],) + tuple(W.shape[0] for W in self.weights)

    @property
    def hidden_widths(self) -> tuple[int, ...]:
        return self.widths[1:-1]

    @property
    def depth(self) -> int:
        return len(self.weights)

    def check_inputs(self, X: np.ndarray, what: str = "data") -> np.ndarray:
        X = self._check_input_shape(X, what)
        return _finite_float64(X, what)

    def _check_input_shape(self, X, what: str) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.widths[0]:
            raise NetworkError(
                f"{what}: shape {X.shape}, the network needs one point per row with "
                f"{self.widths[0]} entries"
            )
        if X.dtype.kind not in "iuf":
            raise NetworkError(f"{what}: entries must be finite numbers, not dtype {X.dtype}")
        return X

    def iter_hidden(self, X: np.ndarray, chunk_size: int = 4096, what: str = "data"):
        """Yield (start, [h_1, …, h_(L-1)]): post-ReLU activations of rows start… of X, chunk by chunk.

        Only one chunk is converted to float64 at a time, so X may be a memory-mapped `.npy`
        larger than memory; NaN/inf is reported for the first chunk that has it.

        >>> net = Network([np.eye(2), np.ones((1, 2))], [np.array([-0.5, 0.0]), np.zeros(1)])
        >>> [(start, h[0].tolist()) for start, h in net.iter_hidden([[1, 1], [0, -1], [2, 3]], 2)]
        [(0, [[0.5, 1.0], [0.0, 0.0]]), (2, [[1.5, 3.0]])]
        """
        X = self._check_input_shape(X, what)
        if chunk_size < 1:
            raise NetworkError(f"chunk size {chunk_size} must be at least 1")
        for start in range(0, X.shape[0], chunk_size):
            h = _finite_float64(X[start : start + chunk_size], what)
            hidden = []
            for l, (W, b) in enumerate(zip(self.weights[:-1], self.biases[:-1]), start=1):
                with np.errstate(over="ignore", invalid="ignore"):
                    h = h @ W.T
                    h += b
                if not np.all(np.isfinite(h)):
                    row = start + int(np.flatnonzero(~np.all(np.isfinite(h), axis=1))[0])
                    raise NetworkError(f"{what}: point {row + 1} drives layer {l} beyond the "
                                       "float64 range (overflow); rescale the data or the network")
                np.maximum(h, 0.0, out=h)
                hidden.append(h)
            yield start, hidden

    def hidden_activations(self, X: np.ndarray) -> list[np.ndarray]:
        """Post-ReLU activations of every hidden layer for all rows of X (one array per layer)."""
        X = self._check_input_shape(X, "data")
        chunks = [hidden for _, hidden in self.iter_hidden(X)]
        if not chunks:
            return [np.zeros((0, n)) for n in self.hidden_widths]
        return [np.concatenate(layer) for layer in zip(*chunks)]

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Network output for each row of X."""
        X = self._check_input_shape(X, "data")
        W, b = self.weights[-1], self.biases[-1]
        if self.depth == 1:
            return _finite_float64(X, "data") @ W.T + b
        out = np.empty((X.shape[0], self.widths[-1]))
        for start, hidden in self.iter_hidden(X):
            out[start : start + len(hidden[-1])] = hidden[-1] @ W.T + b
        return out

    def preactivation_maps(self, pattern, layers: int | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
        """Pre-activations g_1, …, g_k of the first k hidden layers (k = `layers`, default all) as
        affine maps x ↦ G x + g of the input, valid wherever layers 1..k−1 have the activation
        pattern's bits (0/1 per hidden unit, layer by layer; bits beyond layer k−1 are ignored).

        G_1 = W_1, g_1 = b_1 and G_(l+1) = W_(l+1) D_l G_l, g_(l+1) = W_(l+1) D_l g_l + b_(l+1), with
        D_l the 0/1 diagonal of layer l's bits: an inactive unit passes 0 on. Products of huge
        weights beyond the float64 range come out as inf.

        >>> net = Network([np.array([[1.0], [-1.0]]), np.array([[4.0, 2.0]]), np.array([[1.0]])],
        ...               [np.array([0.0, 1.0]), np.array([-3.0]), np.array([0.0])])
        >>> [(G.ravel().tolist(), g.tolist()) for G, g in net.preactivation_maps((1, 1, 0))]
        [([1.0, -1.0], [0.0, 1.0]), ([2.0], [-1.0])]
        """
        hidden = self.depth - 1
        layers = hidden if layers is None else layers
        if not 0 <= layers <= hidden:
            raise NetworkError(f"layers = {layers}: the network has hidden layers 1..{hidden}")
        needed = sum(self.hidden_widths[: max(layers - 1, 0)])
        bits = np.asarray(pattern, dtype=float).ravel()
        if bits.shape[0] < needed:
            raise NetworkError(f"pattern of {bits.shape[0]} bits; layers 1..{layers - 1} have {needed} units")
        M, m = np.eye(self.widths[0]), np.zeros(self.widths[0])
        out, start = [], 0
        for W, b in zip(self.weights[:layers], self.biases[:layers]):
            with np.errstate(over="ignore", invalid="ignore"):   # callers check for inf
                G, g = W @ M, W @ m + b
            out.append((G, g))
            active = bits[start : start + len(b)]
            if len(active) == len(b):
                M, m = active[:, None] * G, active * g
            start += len(b)
        return out

    @property
    def has_bias(self) -> bool:
        """True unless every bias is zero (then each layer is linear, not just affine)."""
        return any(np.any(b != 0) for b in self.biases)

    def save(self, path: "str | Path") -> None:
        arrays = {}
        for l, (W, b) in enumerate(zip(self.weights, self.biases), start=1):
            arrays[f"W{l}"], arrays[f"b{l}"] = W, b
        # numpy's stub types savez's **kwds so that a key could be its keyword allow_pickle (a bool).
        np.savez(path, **arrays)  # type: ignore[arg-type]


def load_network(path: "str | Path") -> Network:
    """Read a `.npz` network file (or a PyTorch `.pt` state_dict when torch is installed).

    Every defect is one NetworkError naming the file and the array.
    """
    path = Path(path)
    if not path.is_file():
        raise NetworkError(f"network file {str(path)!r} does not exist")
    check_size(path, NETWORK_LIMIT, None, "network file")
    if path.suffix in (".pt", ".pth"):
        return _load_torch_state_dict(path)
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except Exception as exc:  # zipfile/ValueError/OSError: all mean "not an npz we can read"
        raise NetworkError(f"network file {str(path)!r} is not a readable .npz file: {exc}") from None
    unknown = sorted(n for n in arrays if not re.fullmatch(r"[Wb][1-9][0-9]*", n))
    if unknown:
        raise NetworkError(
            f"network file {str(path)!r}: unexpected arrays {unknown}; use W1, b1, W2, b2, …"
        )
    layers = sorted(int(n[1:]) for n in arrays if n.startswith("W"))
    if not layers:
        raise NetworkError(f"network file {str(path)!r}: no weight arrays W1, W2, …")
    for l in range(1, max(layers) + 1):
        for name in (f"W{l}", f"b{l}"):
            if name not in arrays:
                raise NetworkError(f"network file {str(path)!r}: array {name} is missing")
    extra = sorted(n for n in arrays if int(n[1:]) > max(layers))
    if extra:
        raise NetworkError(f"network file {str(path)!r}: {extra} have no matching weight matrix")
    try:
        return Network(
            [arrays[f"W{l}"] for l in range(1, max(layers) + 1)],
            [arrays[f"b{l}"] for l in range(1, max(layers) + 1)],
        )
    except NetworkError as exc:
        raise NetworkError(f"network file {str(path)!r}: {exc}") from None


def _real_array(value, name: str) -> np.ndarray:
    """An array of real numbers as float64; strings, complex numbers and objects are refused."""
    if hasattr(value, "detach"):      # a torch tensor, on any device, without importing torch
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise NetworkError(f"{name} is not a numeric array: {exc}") from None
    if array.dtype.kind not in "iuf":
        kind = "complex numbers" if array.dtype.kind == "c" else f"dtype {array.dtype}"
        raise NetworkError(f"{name} holds {kind}; weights and biases must be real numbers")
    return array.astype(np.float64)


def _finite_float64(X: np.ndarray, what: str) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if not np.all(np.isfinite(X)):
        raise NetworkError(f"{what}: entries must be finite numbers (found NaN or infinity)")
    return X


def network_from_state_dict(state_dict) -> Network:
    """A Network from the `state_dict` of an `nn.Sequential` of Linear layers with ReLU between them.

    Keys are `<prefix><index>.weight` / `<prefix><index>.bias` (e.g. `0.weight, 0.bias, 2.weight, …`);
    layers are taken in index order, a Linear layer without bias gets zeros. The ReLUs carry no
    parameters, so the state_dict cannot show them: every Linear layer but the last is read as a
    ReLU layer. Values may be torch tensors (torch itself is never imported) or numpy arrays.

    >>> sd = {"0.weight": np.eye(2), "0.bias": np.zeros(2), "2.weight": np.ones((1, 2))}
    >>> network_from_state_dict(sd).widths
    (2, 2, 1)
    >>> network_from_state_dict({"0.weight": np.eye(2), "1.running_mean": np.zeros(2)})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    m2bridge.networks.network.NetworkError: state_dict: key '1.running_mean' is not ... supported
    """
    if not hasattr(state_dict, "items"):
        raise NetworkError(
            f"state_dict: expected a mapping of names to arrays, got {type(state_dict).__name__}"
        )
    layers: dict[int, dict[str, np.ndarray]] = {}
    prefixes = set()
    for key, value in state_dict.items():
        match = re.fullmatch(r"(.*?)([0-9]+)\.(weight|bias)", str(key))
        if not match:
            raise NetworkError(
                f"state_dict: key {key!r} is not the weight or bias of a Linear layer; "
                "only nn.Sequential of Linear and ReLU layers is supported"
            )
        prefix, index, kind = match.groups()
        prefixes.add(prefix)
        layers.setdefault(int(index), {})[kind] = _real_array(value, f"state_dict entry {key!r}")
    if not layers:
        raise NetworkError("state_dict: no Linear layers (keys like '0.weight')")
    if len(prefixes) > 1:
        raise NetworkError(
            f"state_dict: keys from several modules {sorted(prefixes)}; pass one nn.Sequential"
        )
    weights, biases = [], []
    for index in sorted(layers):
        prefix = next(iter(prefixes))
        if "weight" not in layers[index]:
            raise NetworkError(f"state_dict: {prefix}{index}.bias has no {prefix}{index}.weight")
        W = layers[index]["weight"]
        weights.append(W)
        biases.append(layers[index].get("bias", np.zeros(W.shape[0] if W.ndim == 2 else 0)))
    try:
        return Network(weights, biases)
    except NetworkError as exc:
        raise NetworkError(f"state_dict (layers in index order {sorted(layers)}): {exc}") from None


def _load_torch_state_dict(path: Path) -> Network:
    try:
        import torch  # optional: only `.pt` files need it
    except ImportError:
        raise NetworkError(
            f"network file {str(path)!r}: reading a PyTorch file needs torch (pip install torch); "
            "or save the weights as .npz with arrays W1, b1, W2, b2, …"
        ) from None
    try:
        state_dict = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many kinds for a broken or foreign file
        raise NetworkError(f"network file {str(path)!r} is not a readable PyTorch file: {exc}") from None
    if hasattr(state_dict, "state_dict"):
        state_dict = state_dict.state_dict()
    try:
        return network_from_state_dict(state_dict)
    except NetworkError as exc:
        raise NetworkError(f"network file {str(path)!r}: {exc}") from None


def load_points(path: "str | Path", network: Network | None = None, what: str = "data file") -> np.ndarray:
    """A `.npy` file of points, one per row, memory-mapped (chunked passes never load it whole).

    Checks the shape, the dtype and (with `network`) the width; NaN/inf is checked chunk by chunk
    when the points are used.
    """
    path = Path(path)
    if not path.is_file():
        raise NetworkError(f"{what} {str(path)!r} does not exist")
    try:
        X = np.load(path, mmap_mode="r", allow_pickle=False)
    except Exception as exc:  # ValueError/OSError/EOFError all mean "not an .npy we can read"
        raise NetworkError(f"{what} {str(path)!r} is not a readable .npy file: {exc}") from None
    if not isinstance(X, np.ndarray) or X.ndim != 2:
        raise NetworkError(
            f"{what} {str(path)!r}: expected a 2-d array (one point per row), got shape "
            f"{getattr(X, 'shape', None)}"
        )
    if X.dtype.kind not in "iuf":
        raise NetworkError(f"{what} {str(path)!r}: dtype {X.dtype} is not numeric")
    if X.shape[0] == 0:
        raise NetworkError(f"{what} {str(path)!r}: no points")
    if network is not None and X.shape[1] != network.widths[0]:
        raise NetworkError(
            f"{what} {str(path)!r}: points have {X.shape[1]} entries, the network has "
            f"{network.widths[0]} inputs"
        )
    return X


def load_labels(path: "str | Path", n_points: int) -> np.ndarray:
    """A `.npy` file of one class label (integer or string) per data point."""
    path = Path(path)
    if not path.is_file():
        raise NetworkError(f"labels file {str(path)!r} does not exist")
    check_size(path, DATA_LIMIT, None, "labels file")
    try:
        y = np.load(path, allow_pickle=False)
    except Exception as exc:  # see load_points
        raise NetworkError(f"labels file {str(path)!r} is not a readable .npy file: {exc}") from None
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or y.shape[0] != n_points:
        raise NetworkError(
            f"labels file {str(path)!r}: shape {y.shape}, expected one label per data point ({n_points},)"
        )
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)) or not np.all(y == np.round(y)):
            raise NetworkError(f"labels file {str(path)!r}: float labels must be whole numbers")
        y = y.astype(np.int64)
    elif y.dtype.kind not in "iubU":
        raise NetworkError(f"labels file {str(path)!r}: dtype {y.dtype}; use integers or strings")
    return y
