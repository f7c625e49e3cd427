"""m2bridge: ideals of ReLU pattern varieties, computed by Macaulay2 and read into python-flint.

>>> import m2bridge
>>> r = m2bridge.pattern_ideal("2,2,2", "10")
>>> r.mingens_degrees, r.dim
([2], 3)
"""

from .conjectures.check import Verdict, check
from .errors import (
    ConsistencyError, InputError, M2BridgeError, M2Error, M2NotFoundError, M2OutputError, M2TimeoutError,
)
from .ideals.api import IdealResult, Implicitization, pattern_ideal
from .varieties.jacobian import JacobianDim, jacobian_dim
from .varieties.model import ActivationPattern, Architecture, Dataset, Field, PatternVariety
from .macaulay2.render import render_script
from .macaulay2.process import Macaulay2

__all__ = [
    "ActivationPattern", "Architecture", "ConsistencyError", "Dataset", "Field", "IdealResult",
    "Implicitization", "InputError", "JacobianDim", "M2BridgeError", "M2Error", "M2NotFoundError",
    "M2OutputError", "M2TimeoutError", "Macaulay2", "PatternVariety", "jacobian_dim", "pattern_ideal",
    "render_script", "check", "Verdict",
]
