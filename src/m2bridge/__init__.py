"""m2bridge: ideals of ReLU pattern varieties, computed by Macaulay2 and read into python-flint.

>>> import m2bridge
>>> r = m2bridge.pattern_ideal("2,2,2", "10")
>>> r.mingens_degrees, r.dim
([2], 3)

The names below are loaded on first use, so that `import m2bridge` (and the command line's
`--help`) does not pay for python-flint, numpy and Jinja2 until they are needed.
"""

from __future__ import annotations

import importlib

# public name: module (under m2bridge) that defines it
_PUBLIC = {
    "ActivationPattern": "varieties.model", "Architecture": "varieties.model", "Dataset": "varieties.model",
    "Field": "varieties.field", "PatternVariety": "varieties.model",
    "JacobianDim": "varieties.jacobian", "jacobian_dim": "varieties.jacobian",
    "IdealResult": "ideals.result", "IdealOptions": "ideals.options", "pattern_ideal": "workbench.api",
    "Verdict": "conjectures.check", "check": "workbench.api",
    "Macaulay2": "macaulay2.process", "M2Session": "macaulay2.process", "render_script": "macaulay2.render",
    "sweep": "workbench.api", "SweepResult": "workbench.api", "session": "workbench.api", "Session": "workbench.api",
    "verify": "workbench.api",
    "SweepSpec": "sweeps.casefile", "open_store": "sweeps.store",
    "ConsistencyError": "errors", "InputError": "errors", "M2BridgeError": "errors", "M2Error": "errors",
    "M2NotFoundError": "errors", "M2OutputError": "errors", "M2TimeoutError": "errors", "M2CrashError": "errors",
    "StoreError": "errors",
}

__all__ = sorted(_PUBLIC) + ["__version__"]


def __getattr__(name: str):
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("m2bridge")
        except PackageNotFoundError:
            return "0+unknown"
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'm2bridge' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
