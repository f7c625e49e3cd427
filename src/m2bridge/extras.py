"""Optional dependencies: a missing one is one clear line naming the extra that installs it.

>>> require("math", "regions").pi > 3
True
>>> require("no_such_module_m2b", "regions")
Traceback (most recent call last):
...
m2bridge.extras.ExtraMissing: this needs the optional dependency 'no_such_module_m2b': pip install 'm2bridge[regions]'
"""

from __future__ import annotations

import importlib

from .errors import M2BridgeError

EXTRAS = {
    "dask": "Dask distributed, for `--executor dask`",
    "regions": "SciPy, PySCIPOpt and highspy, for cells, linear regions and their bounds",
    "plot": "matplotlib, for figures",
    "dataframe": "pandas, for `to_dataframe()`",
    "progress": "tqdm, for progress bars in terminals and notebooks",
}


class ExtraMissing(M2BridgeError):
    """An optional dependency is not installed."""


def require(module: str, extra: str):
    """Import `module`, or raise ExtraMissing naming `pip install 'm2bridge[extra]'`."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ExtraMissing(
            f"this needs the optional dependency {module!r}: pip install 'm2bridge[{extra}]'"
        ) from None
