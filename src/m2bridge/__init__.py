"""m2bridge: ideals of ReLU pattern varieties, computed by Macaulay2 and read into python-flint.

>>> import m2bridge
>>> r = m2bridge.pattern_ideal("2,2,2", "10")
>>> r.mingens_degrees, r.dim
([2], 3)
"""

from .conjectures import Verdict, check
from .errors import (
    ConsistencyError, InputError, M2BridgeError, M2Error, M2NotFoundError, M2OutputError, M2TimeoutError,
)
from .ideal import IdealResult, Implicitization, pattern_ideal
from .jacobian import JacobianDim, jacobian_dim
from .model import ActivationPattern, Architecture, Dataset, Field, PatternVariety
from .render import render_script
from .run import Macaulay2

__all__ = [
    "ActivationPattern", "Architecture", "ConsistencyError", "Dataset", "Field", "IdealResult",
    "Implicitization", "InputError", "JacobianDim", "M2BridgeError", "M2Error", "M2NotFoundError",
    "M2OutputError", "M2TimeoutError", "Macaulay2", "PatternVariety", "jacobian_dim", "pattern_ideal",
    "render_script", "check", "Verdict",
]
