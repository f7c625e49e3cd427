"""ReLU code space after Shepeleva et al., "ReLU Code Space: A Basis for Rating Network Quality
Besides Accuracy": binary codes of data points and their truncated Hamming distances.

code(x) has one bit per hidden neuron, layer by layer; the bit is 1 iff the neuron's output on
the real activations is > 0 (an activation of 0.3 gives 1: never binarise after casting to int).
Codes are stored bit-packed (`np.packbits`, 8 neurons per byte); their hex text is the bit string
left to right, padded with 0 bits to whole hex digits.

>>> import numpy as np
>>> from m2bridge.networks.network import Network
>>> net = Network([np.array([[1.0], [-1.0], [1.0]]), np.ones((1, 3))],
...               [np.array([0.0, 0.0, -2.0]), np.zeros(1)])
>>> c = codes(net, [[-1.0], [0.5], [3.0], [4.0]])
>>> c.hex()
['4', '8', 'a', 'a']
>>> c.text()
['010', '100', '101', '101']
>>> distinct = c.distinct()
>>> distinct.codes.text(), distinct.counts.tolist(), distinct.inverse.tolist()
(['010', '100', '101'], [1, 1, 2], [0, 1, 2, 2])
>>> pairwise_distances(distinct.codes).tolist()
[[0, 2, 3], [2, 0, 1], [3, 1, 0]]
>>> distance_histogram(distinct.codes, theta=2)
{1: 1, 2: 2}
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from .network import Network

# Bytes of temporary arrays one distance chunk may use; keeps all-pairs passes memory-bounded.
DISTANCE_CHUNK_BYTES = 64 * 2**20


class CodeError(InputError):
    """Codes that cannot be compared (different lengths) or a bad θ / k."""


@dataclass(frozen=True)
class Codes:
    """Bit-packed codes, one row per point: `packed` is uint8 of shape (points, ceil(N / 8)).

    `layer_widths` are the hidden widths n_1..n_(L-1); bits of layer 1 come first.
    """

    packed: np.ndarray
    layer_widths: tuple[int, ...]

    @classmethod
    def from_bits(cls, bits, layer_widths=None) -> "Codes":
        """Codes from a 0/1 (or bool) matrix, one row per point.

        >>> Codes.from_bits([[1, 0, 1], [0, 0, 0]], (2, 1)).text()
        ['10/1', '00/0']
        """
        bits = np.asarray(bits)
        if bits.ndim != 2:
            raise CodeError(f"codes: expected a 0/1 matrix with one row per point, got shape {bits.shape}")
        if layer_widths is None:
            layer_widths = (bits.shape[1],)
        if sum(layer_widths) != bits.shape[1]:
            raise CodeError(
                f"codes: layer widths {tuple(layer_widths)} do not add up to {bits.shape[1]} bits"
            )
        return cls(np.packbits(bits.astype(bool), axis=1), tuple(int(w) for w in layer_widths))

    @classmethod
    def from_hex(cls, texts, layer_widths) -> "Codes":
        """Inverse of `hex()`.

        >>> Codes.from_hex(["a"], (3,)).text()
        ['101']
        """
        n_bits = sum(layer_widths)
        digits = math.ceil(n_bits / 4)
        rows = []
        for text in texts:
            if len(text) != digits or any(ch not in "0123456789abcdefABCDEF" for ch in text):
                raise CodeError(f"code {text!r}: expected {digits} hex digit(s) for {n_bits} neurons")
            value = int(text, 16) >> (4 * digits - n_bits)
            rows.append([(value >> (n_bits - 1 - i)) & 1 for i in range(n_bits)])
        return cls.from_bits(np.array(rows, dtype=bool).reshape(len(rows), n_bits), layer_widths)

    @property
    def n_bits(self) -> int:
        """N, the number of hidden neurons."""
        return sum(self.layer_widths)

    def __len__(self) -> int:
        return self.packed.shape[0]

    def __getitem__(self, index) -> "Codes":
        """Codes of a subset of points (an index array, slice or boolean mask)."""
        rows = self.packed[index]
        return Codes(rows[None, :] if rows.ndim == 1 else rows, self.layer_widths)

    def bits(self) -> np.ndarray:
        """Bool matrix (points × N)."""
        return np.unpackbits(self.packed, axis=1, count=self.n_bits).astype(bool)

    def layer(self, l: int) -> np.ndarray:
        """Bool matrix (points × n_l) of hidden layer l (1-based).

        >>> Codes.from_bits([[1, 0, 1]], (2, 1)).layer(2).tolist()
        [[True]]
        """
        if not 1 <= l <= len(self.layer_widths):
            raise CodeError(f"layer {l}: the codes have hidden layers 1..{len(self.layer_widths)}")
        start = sum(self.layer_widths[: l - 1])
        return self.bits()[:, start : start + self.layer_widths[l - 1]]

    def hex(self) -> list[str]:
        """One hex string per point: the bit string padded with 0 bits to whole hex digits."""
        digits = math.ceil(self.n_bits / 4)
        return [row.tobytes().hex()[:digits] for row in self.packed]

    def text(self) -> list[str]:
        """One 0/1 string per point, hidden layers separated by `/` (the block notation of patterns)."""
        out = []
        for row in self.bits():
            digits = "".join("1" if b else "0" for b in row)
            layers, start = [], 0
            for w in self.layer_widths:
                layers.append(digits[start : start + w])
                start += w
            out.append("/".join(layers))
        return out

    def blocks(self) -> list[tuple[tuple[int, ...], ...]]:
        """Each code as an ActivationPattern block: one 0/1 tuple per hidden layer."""
        return [
            tuple(tuple(int(ch) for ch in layer) for layer in text.split("/")) if text else ()
            for text in self.text()
        ]

    def distinct(self) -> "DistinctCodes":
        """The distinct codes (= non-empty cells hit by the points), in order of first occurrence."""
        void = np.ascontiguousarray(self.packed).view(np.dtype((np.void, self.packed.shape[1])))
        if self.packed.shape[1] == 0:  # no hidden neurons: every point has the empty code
            n = len(self)
            first = np.zeros(min(n, 1), dtype=np.int64)
            return DistinctCodes(self[first], first, np.zeros(n, dtype=np.int64), np.array([n] * min(n, 1)))
        _, first, inverse, counts = np.unique(
            void.ravel(), return_index=True, return_inverse=True, return_counts=True
        )
        order = np.argsort(first, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        return DistinctCodes(self[first[order]], first[order], rank[inverse.ravel()], counts[order])


@dataclass(frozen=True)
class DistinctCodes:
    """Distinct codes in order of first occurrence; `inverse[i]` is the index of point i's code."""

    codes: Codes
    first_point: np.ndarray
    inverse: np.ndarray
    counts: np.ndarray

    def __len__(self) -> int:
        return len(self.codes)

    def label_counts(self, labels) -> list[dict]:
        """For each distinct code, {label: number of its points with that label}, labels sorted."""
        labels = np.asarray(labels)
        if labels.shape != self.inverse.shape:
            raise CodeError(f"labels: shape {labels.shape} for {len(self.inverse)} points")
        values, label_index = np.unique(labels, return_inverse=True)
        table = np.zeros((len(self), len(values)), dtype=np.int64)
        np.add.at(table, (self.inverse, label_index.ravel()), 1)
        return [
            {_plain(v): int(n) for v, n in zip(values, row) if n}
            for row in table
        ]


def _plain(value):
    """A numpy scalar label as a plain int/str (JSON keys and readable reprs)."""
    return value.item() if hasattr(value, "item") else value


def codes(network: Network, X, chunk_size: int = 4096) -> Codes:
    """Codes of the rows of X (bit = hidden neuron output > 0), computed chunk by chunk."""
    X = network._check_input_shape(X, "data")
    packed = np.empty((X.shape[0], math.ceil(sum(network.hidden_widths) / 8)), dtype=np.uint8)
    for start, hidden in network.iter_hidden(X, chunk_size):
        if hidden:
            bits = np.concatenate([h > 0.0 for h in hidden], axis=1)
            packed[start : start + bits.shape[0]] = np.packbits(bits, axis=1)
    return Codes(packed, network.hidden_widths)


def _check_theta(theta) -> int | None:
    if theta is None or theta == math.inf:
        return None
    if isinstance(theta, bool) or not isinstance(theta, (int, np.integer)) or theta < 1:
        raise CodeError(f"theta {theta!r}: expected a positive integer or infinity")
    return int(theta)


def _words(codes: Codes) -> np.ndarray:
    """Codes as uint64 words, word-major (words × points), so each word is one contiguous row."""
    packed = codes.packed
    pad = (-packed.shape[1]) % 8
    if pad:
        packed = np.concatenate([packed, np.zeros((packed.shape[0], pad), np.uint8)], axis=1)
    return np.ascontiguousarray(packed.view(np.uint64).T)


_BYTE_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def _popcount_table(words: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Bits set in each element, by a byte table (numpy 1.x has no bitwise_count)."""
    words = np.ascontiguousarray(words)
    out[...] = _BYTE_POPCOUNT[words.view(np.uint8)].reshape(words.shape + (words.itemsize,)).sum(axis=-1)
    return out


def _popcount_native(words: np.ndarray, out: np.ndarray) -> np.ndarray:
    return np.bitwise_count(words, out=out)


_popcount = _popcount_native if hasattr(np, "bitwise_count") else _popcount_table


def popcount(values: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Number of 1 bits of each element of an unsigned integer array (uint8 … uint64), as uint8.

    Signed arrays count the bits of their two's complement; view them as unsigned first.

    >>> popcount(np.array([0, 1, 255, 2**64 - 1], dtype=np.uint64)).tolist()
    [0, 1, 8, 64]
    """
    values = np.asarray(values)
    if values.dtype.kind != "u":
        raise TypeError(f"popcount needs an unsigned integer array, not dtype {values.dtype}")
    return _popcount(values, np.empty(values.shape, np.uint8) if out is None else out)


def _check_comparable(a: Codes, b: Codes) -> None:
    if a.n_bits != b.n_bits:
        raise CodeError(f"codes of {a.n_bits} and {b.n_bits} bits cannot be compared")


def iter_distance_rows(a: Codes, b: Codes, theta=None, chunk_bytes: int = DISTANCE_CHUNK_BYTES):
    """Yield (start, D): D[i, j] = d_(H,θ)(a[start + i], b[j]); chunks of rows of a, bounded memory."""
    _check_comparable(a, b)
    theta = _check_theta(theta)
    wa, wb = _words(a), _words(b)
    m = len(b)
    dtype = np.uint16 if a.n_bits < 2**16 else np.uint32
    rows = max(1, min(len(a), chunk_bytes // max(1, 11 * m)))
    xor = np.empty((rows, m), np.uint64)
    count = np.empty((rows, m), np.uint8)
    for start in range(0, len(a), rows):
        stop = min(start + rows, len(a))
        k = stop - start
        dist = np.zeros((k, m), dtype=dtype)
        for w in range(wa.shape[0]):
            np.bitwise_xor(wa[w, start:stop, None], wb[w, None, :], out=xor[:k])
            dist += popcount(xor[:k], count[:k])
        if theta is not None and theta < a.n_bits:
            np.minimum(dist, theta, out=dist)
        yield start, dist


def pairwise_distances(a: Codes, b: Codes | None = None, theta=None) -> np.ndarray:
    """Matrix of truncated Hamming distances d_(H,θ)(a_i, b_j) (b defaults to a); θ = None is ∞."""
    b = a if b is None else b
    out = np.empty((len(a), len(b)), dtype=np.uint16 if a.n_bits < 2**16 else np.uint32)
    for start, dist in iter_distance_rows(a, b, theta):
        out[start : start + len(dist)] = dist
    return out


def distance_histogram(codes: Codes, theta=None, chunk_bytes: int = DISTANCE_CHUNK_BYTES) -> dict[int, int]:
    """{d: number of pairs i < j with d_(H,θ)(codes_i, codes_j) = d}, over all pairs, in bulk."""
    theta_value = _check_theta(theta)
    top = codes.n_bits if theta_value is None else min(codes.n_bits, theta_value)
    total = np.zeros(top + 1, dtype=np.int64)
    for start, dist in iter_distance_rows(codes, codes, theta, chunk_bytes):
        # Row i only counts partners j > i: each unordered pair once, no self-pairs.
        upper = np.arange(dist.shape[1])[None, :] > (start + np.arange(len(dist)))[:, None]
        total += np.bincount(dist[upper], minlength=top + 1)[: top + 1]
    return {d: int(n) for d, n in enumerate(total) if n}


def nearest_codes(queries: Codes, reference: Codes, k: int = 1, theta=None):
    """Indices and distances of the k nearest reference codes for each query (ties: lower index).

    >>> ref = Codes.from_bits([[0, 0, 0], [1, 1, 1], [1, 0, 0]])
    >>> idx, dist = nearest_codes(Codes.from_bits([[1, 1, 0]]), ref, k=2)
    >>> idx.tolist(), dist.tolist()
    ([[1, 2]], [[1, 1]])
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= len(reference):
        raise CodeError(f"k = {k!r}: expected an integer between 1 and {len(reference)} (reference codes)")
    index = np.empty((len(queries), k), dtype=np.int64)
    dist_out = np.empty((len(queries), k), dtype=np.int64)
    m = len(reference)
    for start, dist in iter_distance_rows(queries, reference, theta):
        # distance * m + column is unique per row, so sorting it breaks ties by the lower index.
        key = dist.astype(np.int64) * m + np.arange(m)
        part = np.argpartition(key, k - 1, axis=1)[:, :k] if k < m else np.tile(np.arange(m), (len(key), 1))
        order = np.argsort(np.take_along_axis(key, part, axis=1), axis=1)
        chosen = np.take_along_axis(part, order, axis=1)
        index[start : start + len(dist)] = chosen
        dist_out[start : start + len(dist)] = np.take_along_axis(dist, chosen, axis=1)
    return index, dist_out
