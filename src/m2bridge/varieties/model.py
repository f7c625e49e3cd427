"""The objects a researcher talks about: architectures, activation patterns, data sets, varieties.

`Architecture` and `ActivationPattern` parse and validate the text notation of docs/mathematics.md;
`Dataset` holds exact rational data points split into blocks; `PatternVariety` ties them together
and names the coordinates m_(b,i,j) and parameters w_(l,i,j) that every later step uses.

>>> arch = Architecture.parse("2,2,2")
>>> pattern = ActivationPattern.parse("10|11")
>>> v = PatternVariety(arch, pattern)
>>> v.variable_names[:3]
['m_(1,1,1)', 'm_(1,1,2)', 'm_(1,2,1)']
>>> len(v.variable_names), len(v.parameters)
(8, 8)
>>> ActivationPattern.parse("1a|11")
Traceback (most recent call last):
...
m2bridge.varieties.model.PatternError: pattern '1a|11': block 1, layer 1, position 2: '1a' has 'a', digits must be 0 or 1
"""

from __future__ import annotations

import json
import numbers
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from .._files import DATA_LIMIT, check_size, read_text
from ..errors import InputError


class ArchitectureError(InputError):
    """An architecture string or width list that is not (n0, n1, ..., nL) with L >= 1, n_l >= 1."""


class PatternError(InputError):
    """An activation pattern that does not parse or does not fit the architecture."""


class DataError(InputError):
    """A data file or block split that cannot be used for I_X^A."""


@dataclass(frozen=True)
class Architecture:
    """Widths (n0, n1, ..., nL): input n0, hidden n1..n(L-1), output nL; L weight matrices."""

    widths: tuple[int, ...]

    def __post_init__(self):
        if len(self.widths) < 2:
            raise ArchitectureError(
                f"architecture {self.text!r}: needs at least an input and an output width (n0,nL)"
            )
        for pos, w in enumerate(self.widths):
            if isinstance(w, bool) or not isinstance(w, int) or w < 1:
                raise ArchitectureError(
                    f"architecture {self.text!r}: width n{pos} = {w!r} must be an integer >= 1"
                )

    @classmethod
    def parse(cls, text: "str | Architecture | tuple | list") -> "Architecture":
        """Read `3,3,3` (also accepts an Architecture or a sequence of ints)."""
        if isinstance(text, Architecture):
            return text
        if isinstance(text, (tuple, list)):
            return cls(tuple(text))
        if not isinstance(text, str):
            raise ArchitectureError(f"architecture {text!r}: expected text like '3,3,3'")
        parts = [p.strip() for p in text.split(",")]
        widths = []
        for pos, p in enumerate(parts):
            if not re.fullmatch(r"[0-9]+", p):
                raise ArchitectureError(
                    f"architecture {text!r}: width n{pos} = {p!r} is not a positive integer"
                )
            widths.append(int(p))
        return cls(tuple(widths))

    @property
    def text(self) -> str:
        return ",".join(str(w) for w in self.widths)

    @property
    def depth(self) -> int:
        """L, the number of weight matrices."""
        return len(self.widths) - 1

    @property
    def hidden(self) -> tuple[int, ...]:
        return self.widths[1:-1]

    @property
    def n_in(self) -> int:
        return self.widths[0]

    @property
    def n_out(self) -> int:
        return self.widths[-1]

    def reversed(self) -> "Architecture":
        """The transposed network's architecture."""
        return Architecture(tuple(reversed(self.widths)))

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class ActivationPattern:
    """k blocks; block b is one 0/1 tuple per hidden layer (1 = neuron active)."""

    blocks: tuple[tuple[tuple[int, ...], ...], ...]

    @classmethod
    def parse(cls, text: "str | ActivationPattern") -> "ActivationPattern":
        """Read `110|011` (shallow) or `11/10|01/11` (deep). Syntax only; see `check`."""
        if isinstance(text, ActivationPattern):
            return text
        if not isinstance(text, str):
            raise PatternError(f"pattern {text!r}: expected text like '110|011'")
        if text.strip() != text:
            raise PatternError(f"pattern {text!r}: remove the surrounding spaces")
        if text == "":
            # The one legitimate empty text: a single block of a network without hidden layers.
            return cls(((),))
        blocks: list[tuple[tuple[int, ...], ...]] = []
        for b, block_text in enumerate(text.split("|"), start=1):
            if block_text == "":
                blocks.append(())
                continue
            layers: list[tuple[int, ...]] = []
            for l, layer_text in enumerate(block_text.split("/"), start=1):
                if layer_text == "":
                    raise PatternError(f"pattern {text!r}: block {b}, layer {l} is empty")
                for pos, ch in enumerate(layer_text, start=1):
                    if ch not in "01":
                        raise PatternError(
                            f"pattern {text!r}: block {b}, layer {l}, position {pos}: "
                            f"{layer_text!r} has {ch!r}, digits must be 0 or 1"
                        )
                layers.append(tuple(int(ch) for ch in layer_text))
            blocks.append(tuple(layers))
        return cls(tuple(blocks))

    @property
    def k(self) -> int:
        return len(self.blocks)

    @property
    def text(self) -> str:
        return "|".join("/".join("".join(map(str, layer)) for layer in block) for block in self.blocks)

    def check(self, arch: Architecture) -> "ActivationPattern":
        """Raise PatternError unless every block has one vector of n_l digits per hidden layer."""
        hidden = arch.hidden
        if not self.blocks:
            raise PatternError(f"pattern {self.text!r}: no blocks")
        if hidden and all(len(block) == 0 for block in self.blocks):
            raise PatternError(
                f"pattern {self.text!r} is empty; architecture {arch.text} has {len(hidden)} hidden "
                f"layer(s): give each block {len(hidden)} group(s) of digits, e.g. "
                f"'{'/'.join('1' * n for n in hidden)}'"
            )
        for b, block in enumerate(self.blocks, start=1):
            if len(block) != len(hidden):
                raise PatternError(
                    f"pattern {self.text!r}: block {b} has {len(block)} layer(s), "
                    f"architecture {arch.text} has {len(hidden)} hidden layer(s)"
                )
            for l, (layer, n) in enumerate(zip(block, hidden), start=1):
                if len(layer) != n:
                    raise PatternError(
                        f"pattern {self.text!r}: block {b}, layer {l} has {len(layer)} digit(s), "
                        f"architecture {arch.text} has n{l} = {n} neurons there"
                    )
        return self

    def __str__(self) -> str:
        return self.text


# Exact data entries are bounded so that no later step (Python's int ↔ str conversion, Macaulay2)
# meets a number it cannot handle; real data sets have far shorter entries.
MAX_DIGITS = 1000
# A variety with more coordinates or parameters than this is beyond any method m2bridge has.
MAX_COORDINATES = 10_000
MAX_PARAMETERS = 100_000


def _parse_rational(value, where: str) -> Fraction:
    if isinstance(value, bool):
        raise DataError(f"{where}: {value!r} is not a number")
    if isinstance(value, numbers.Rational):  # int, Fraction, numpy integers: exact already
        value = Fraction(int(value.numerator), int(value.denominator))
        if max(value.numerator.bit_length(), value.denominator.bit_length()) > 3.33 * MAX_DIGITS:
            raise DataError(f"{where}: a number with more than {MAX_DIGITS} digits", "data")
        return value
    if isinstance(value, str) and len(value) > 2 * MAX_DIGITS + 3:
        raise DataError(f"{where}: a number with more than {MAX_DIGITS} digits", "data")
    if isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]+(\s*/\s*[0-9]+)?\s*", value):
        try:
            return Fraction(value.replace(" ", ""))
        except ZeroDivisionError:
            raise DataError(f"{where}: {value!r} divides by zero") from None
    if isinstance(value, float) and value.is_integer():
        return Fraction(int(value))
    raise DataError(
        f"{where}: {value!r} is not an exact number (use integers, or strings like \"1/3\")"
    )


@dataclass(frozen=True)
class Dataset:
    """Data points (one per row, exact rationals) split into consecutive blocks."""

    points: tuple[tuple[Fraction, ...], ...]
    block_sizes: tuple[int, ...]

    def __post_init__(self):
        if not self.points:
            raise DataError("data: no points")
        width = len(self.points[0])
        for r, row in enumerate(self.points, start=1):
            if len(row) != width:
                raise DataError(f"data: point {r} has {len(row)} entries, point 1 has {width}")
        if any(s < 1 for s in self.block_sizes):
            raise DataError(f"blocks {self.blocks_text}: every block needs at least one point", "blocks")
        if sum(self.block_sizes) != len(self.points):
            raise DataError(
                f"blocks {self.blocks_text}: sizes add up to {sum(self.block_sizes)}, "
                f"the data has {len(self.points)} points", "blocks"
            )

    @property
    def blocks_text(self) -> str:
        return ",".join(map(str, self.block_sizes))

    @property
    def dim(self) -> int:
        return len(self.points[0])

    def block_points(self, b: int) -> tuple[tuple[Fraction, ...], ...]:
        """Points of block b (0-based)."""
        start = sum(self.block_sizes[:b])
        return self.points[start : start + self.block_sizes[b]]

    @classmethod
    def from_rows(cls, rows, block_sizes=None, source: str = "data") -> "Dataset":
        """Exact points from a nested sequence (ints, integral floats, or 'p/q' strings)."""
        try:
            rows = [list(r) for r in rows]
        except TypeError:
            raise DataError(f"{source}: expected a list of points, one list of numbers each") from None
        points = tuple(
            tuple(_parse_rational(v, f"{source}: point {r}, entry {c}") for c, v in enumerate(row, 1))
            for r, row in enumerate(rows, 1)
        )
        if block_sizes is None:
            block_sizes = (len(points),)
        return cls(points, tuple(block_sizes))

    @classmethod
    def load(cls, path: "str | Path", block_sizes=None) -> "Dataset":
        """Read `.npy` (integer entries) or `.json` (a list of points; entries int or 'p/q')."""
        path = Path(path)
        if not path.is_file():
            raise DataError(f"data file {str(path)!r} does not exist")
        if path.suffix == ".json":
            text = read_text(path, DATA_LIMIT, "data", "data file")
            try:
                rows = json.loads(text)
            except RecursionError:
                raise DataError(f"data file {str(path)!r}: nested too deeply to be a list of points", "data") from None
            except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError, or an int of > 4300 digits
                raise DataError(f"data file {str(path)!r} is not valid JSON: {exc}") from None
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise DataError(f"data file {str(path)!r}: expected a JSON list of points (lists)")
            return cls.from_rows(rows, block_sizes, source=f"data file {str(path)!r}")
        if path.suffix == ".npy":
            import numpy as np

            check_size(path, DATA_LIMIT, "data", "data file")
            try:
                arr = np.load(path, allow_pickle=False)
            except Exception as exc:  # numpy raises ValueError/OSError/EOFError for broken files
                raise DataError(f"data file {str(path)!r} is not a readable .npy file: {exc}") from None
            if arr.ndim != 2:
                raise DataError(
                    f"data file {str(path)!r}: expected a 2-d array (one point per row), got shape {arr.shape}"
                )
            if arr.dtype.kind not in "iuf":
                raise DataError(f"data file {str(path)!r}: dtype {arr.dtype} is not numeric")
            if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
                raise DataError(f"data file {str(path)!r}: contains NaN or infinity")
            return cls.from_rows(arr.tolist(), block_sizes, source=f"data file {str(path)!r}")
        raise DataError(f"data file {str(path)!r}: use .npy or .json")


def parse_block_sizes(text: str) -> tuple[int, ...]:
    """Read the points per block, `2,2`."""
    parts = [p.strip() for p in str(text).split(",")]
    if not all(re.fullmatch(r"[0-9]+", p) for p in parts):
        raise DataError(f"blocks {text!r}: expected positive integers separated by commas", "blocks")
    return tuple(int(p) for p in parts)


@dataclass(frozen=True)
class PatternVariety:
    """The pattern variety V_A (or the output variety V_X^A when `data` is given).

    Coordinates m_(b,i,j): block b, output row i, column j; column j runs over the n0 input
    coordinates (plus the constant coordinate with `bias`) for J^A, over the points of block b
    for I_X^A. Parameters w_(l,i,j) are the entries of W_l (with `bias`, column n_(l-1)+1 is b_l).
    """

    arch: Architecture
    pattern: ActivationPattern
    bias: bool = False
    data: Dataset | None = None
    variable_names: list[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "arch", Architecture.parse(self.arch))
        object.__setattr__(self, "pattern", ActivationPattern.parse(self.pattern).check(self.arch))
        if self.data is not None:
            if self.data.dim != self.arch.n_in:
                raise DataError(
                    f"data: points have {self.data.dim} entries, architecture {self.arch.text} "
                    f"has n0 = {self.arch.n_in} inputs"
                )
            if len(self.data.block_sizes) != self.pattern.k:
                raise DataError(
                    f"blocks {self.data.blocks_text}: {len(self.data.block_sizes)} block(s), "
                    f"pattern {self.pattern.text!r} has {self.pattern.k}", "blocks"
                )
        coordinates = self.k * self.arch.n_out * (self.columns if self.data is None else max(self.data.block_sizes))
        parameters = sum(r * c for r, c in self.layer_shapes)
        if coordinates > MAX_COORDINATES or parameters > MAX_PARAMETERS:
            raise ArchitectureError(
                f"{self.describe()}: {coordinates} coordinates and {parameters} parameters; m2bridge handles at "
                f"most {MAX_COORDINATES} coordinates and {MAX_PARAMETERS} parameters", "arch")
        names = [f"m_({b},{i},{j})" for (b, i, j) in self.coordinates]
        object.__setattr__(self, "variable_names", names)

    @property
    def k(self) -> int:
        return self.pattern.k

    @property
    def columns(self) -> int:
        """Columns of M_b: n0, or n0 + 1 with the constant coordinate of `bias`."""
        return self.arch.n_in + (1 if self.bias else 0)

    def block_width(self, b: int) -> int:
        """Number of columns of coordinate block b (0-based)."""
        return self.columns if self.data is None else self.data.block_sizes[b]

    @property
    def coordinates(self) -> list[tuple[int, int, int]]:
        """(b, i, j), 1-based, in Macaulay2's ring order: block, then row, then column."""
        return [
            (b + 1, i, j)
            for b in range(self.k)
            for i in range(1, self.arch.n_out + 1)
            for j in range(1, self.block_width(b) + 1)
        ]

    @property
    def layer_shapes(self) -> list[tuple[int, int]]:
        """(rows, columns) of each W_l, bias column included."""
        extra = 1 if self.bias else 0
        w = self.arch.widths
        return [(w[l], w[l - 1] + extra) for l in range(1, len(w))]

    @property
    def parameters(self) -> list[tuple[int, int, int]]:
        """(l, i, j), 1-based: entry (i, j) of W_l."""
        return [
            (l, i, j)
            for l, (rows, cols) in enumerate(self.layer_shapes, start=1)
            for i in range(1, rows + 1)
            for j in range(1, cols + 1)
        ]

    def homogenised_block_points(self, b: int) -> list[tuple[Fraction, ...]]:
        """Points of block b, with the constant coordinate 1 appended under `bias`."""
        assert self.data is not None
        extra = (Fraction(1),) if self.bias else ()
        return [tuple(p) + extra for p in self.data.block_points(b)]

    def describe(self) -> str:
        text = f"arch {self.arch.text}, pattern {self.pattern.text!r}"
        if self.bias:
            text += ", bias"
        if self.data is not None:
            text += f", data {len(self.data.points)} points in blocks {self.data.blocks_text}"
        return text


def make_variety(arch, pattern=None, *, bias: bool = False, data=None, blocks=None) -> PatternVariety:
    """A PatternVariety from text or objects (an existing PatternVariety passes through); `data` may be
    a path (.npy / .json), a Dataset or a list of rows, `blocks` the points per block ("2,2")."""
    if isinstance(arch, PatternVariety):
        return arch
    if data is not None and not isinstance(data, Dataset):
        sizes = parse_block_sizes(blocks) if isinstance(blocks, str) else blocks
        if isinstance(data, (list, tuple)) or getattr(data, "ndim", None) == 2:  # rows, or a numpy array
            data = Dataset.from_rows(data, sizes)
        elif isinstance(data, (str, Path)):
            data = Dataset.load(data, sizes)
        else:
            raise DataError(f"data of type {type(data).__name__}: expected a path, rows, a 2-d array or a Dataset", "data")
        if blocks is None and ActivationPattern.parse(pattern).k != 1:
            raise InputError("blocks is required when the pattern has more than one block", "blocks")
    elif blocks is not None and data is None:
        raise InputError("blocks needs data", "blocks")
    return PatternVariety(Architecture.parse(arch), ActivationPattern.parse(pattern), bias, data)
