"""Network + data → activation pattern A (blocks of points) → a case file `m2bridge sweep` can run.

Points that share a code form one block; blocks are ordered by their first point in the data.

>>> import numpy as np
>>> from m2bridge.networks.network import Network
>>> net = Network([np.array([[1.0, 0.0], [0.0, 1.0]]), np.ones((1, 2))], [np.zeros(2), np.array([0.5])])
>>> found = data_pattern(net, [[1.0, 1.0], [-1.0, 2.0], [2.0, 3.0]], labels=["a", "b", "a"])
>>> found.pattern.text, found.block_sizes, found.label_counts
('11|01', [2, 1], [{'a': 2}, {'b': 1}])
>>> print(case_file_text(found, name="demo"), end="")
# Case file written by `m2bridge patterns`:
# the activation pattern of 3 data points (2 blocks, one per
# distinct code) under a network of architecture 2,2,1.
[sweep]
name = "demo"
field = "QQ"
timeout = 60
compute = ["ideal", "dim"]
<BLANKLINE>
[[sweep.family]]
architectures = ["2,2,1"]
patterns = ["11|01"]
bias = true
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..errors import InputError
from ..varieties.model import ActivationPattern, Architecture
from .codes import DistinctCodes, codes
from .network import Network


@dataclass(frozen=True)
class DataPattern:
    """The activation pattern of a dataset: one block per distinct code."""

    architecture: Architecture
    pattern: ActivationPattern
    distinct: DistinctCodes
    bias: bool
    label_counts: list[dict] | None

    @property
    def block_sizes(self) -> list[int]:
        return self.distinct.counts.tolist()

    @property
    def n_points(self) -> int:
        return len(self.distinct.inverse)


def data_pattern(network: Network, X, labels=None) -> DataPattern:
    """Blocks of points sharing a code, as an ActivationPattern of the network's architecture."""
    distinct = codes(network, X).distinct()
    pattern = ActivationPattern(tuple(distinct.codes.blocks()))
    counts = None if labels is None else distinct.label_counts(labels)
    return DataPattern(Architecture(network.widths), pattern, distinct, network.has_bias, counts)


def _toml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string of printable text is a valid TOML basic string


def case_file_text(found: DataPattern, name: str, field: str = "QQ", timeout: int = 60,
                   source: str | None = None) -> str:
    """Case file (TOML) with the dataset's pattern: one family, one architecture, one pattern.

    `source` (say, the command that found the pattern) goes into the comment header.
    """
    from ..varieties.field import Field

    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        raise InputError(f"name {name!r}: a case name has only letters, digits, '_', '.', '-'",
                         parameter="name")
    field = Field.parse(field).text
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1:
        raise InputError(f"timeout must be a whole number of seconds ≥ 1, got {timeout!r}",
                         parameter="timeout")
    # Every line of `source` becomes a comment line: a newline in a path cannot inject TOML.
    origin = [f"#   {line}" for line in (source or "").splitlines()]
    lines = [
        "# Case file written by `m2bridge patterns`" + (" from" if origin else "") + ":",
        *origin,
        f"# the activation pattern of {found.n_points} data points ({found.pattern.k} blocks, one per",
        f"# distinct code) under a network of architecture {found.architecture.text}.",
        "[sweep]",
        f"name = {_toml_string(name)}",
        f"field = {_toml_string(field)}",
        f"timeout = {int(timeout)}",
        'compute = ["ideal", "dim"]',
        "",
        "[[sweep.family]]",
        f"architectures = [{_toml_string(found.architecture.text)}]",
        f"patterns = [{_toml_string(found.pattern.text)}]",
        f"bias = {'true' if found.bias else 'false'}",
    ]
    return "\n".join(lines) + "\n"
