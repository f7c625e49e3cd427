"""Linear regions of a ReLU network on an input box: exact count, MIPBound lower bounds and
closed-form upper bounds, after Serra & Ramalingam, "Empirical Bounds on Linear Regions of Deep
Rectifier Networks" (AAAI 2020), and Serra, Tjandraatmadja & Ramalingam, "Bounding and Counting
Linear Regions of Deep Neural Networks" (ICML 2018).

Modules: `inputs` (box and options), `bounds` (closed-form upper bounds, unit classes),
`stability` (big-M constants and stable units), `milp` (the SCIP model), `counting` (exact count),
`mipbound` (Algorithm 1), `geometric` (independent enumeration by cell splitting), `traversal`
(exact enumeration by walking across facets, and linear regions; the default exact count),
`facets` (the facets of one region: polygon clipping in the plane, HiGHS elsewhere), `digits`
(networks trained on scikit-learn's digits). SciPy, PySCIPOpt and highspy (the `regions` extra)
are imported when first needed, so the closed-form bounds work without them.

>>> import numpy as np
>>> from m2bridge.networks.network import Network
>>> toy = Network([np.array([[1.0], [-1.0]]), np.array([[4.0, 2.0]]), np.array([[1.0]])],
...               [np.array([0.0, 1.0]), np.array([-3.0]), np.array([0.0])])
>>> count_regions(toy, (-2.0, 2.0)).count, configuration_upper_bound(1, (2, 1))
(5, 6)
"""

from .bounds import (
    ACTIVE_LEANING,
    INACTIVE_LEANING,
    STABLY_ACTIVE,
    STABLY_INACTIVE,
    UNIT_CLASSES,
    LayerCapacities,
    configuration_upper_bound,
    empirical_upper_bound,
    layer_capacities,
    max_coverage,
    montufar_bound,
    theorem2_bound,
    trivial_upper_bound,
    zaslavsky_bound,
)
from .counting import RegionCount, count_regions, pattern_is_realised
from .geometric import enumerate_cells
from .inputs import DEFAULT_BOX, RegionInputError, input_box
from .milp import SolverError
from .mipbound import (
    DEFAULT_PROBABILITY,
    DEFAULT_REPETITIONS,
    MIPBoundResult,
    mip_bound,
    mipbound_probabilities,
)
from .facets import RegionLPError
from .stability import UnitBounds, interval_bounds, unit_bounds
from .traversal import DEFINITIONS, Traversal, grid_lower_bound, traverse_regions

__all__ = [
    "ACTIVE_LEANING", "DEFAULT_BOX", "DEFINITIONS", "RegionLPError", "Traversal", "grid_lower_bound",
    "traverse_regions", "DEFAULT_PROBABILITY", "DEFAULT_REPETITIONS", "INACTIVE_LEANING",
    "LayerCapacities", "MIPBoundResult", "RegionCount", "RegionInputError", "STABLY_ACTIVE",
    "STABLY_INACTIVE", "SolverError", "UNIT_CLASSES", "UnitBounds", "configuration_upper_bound",
    "count_regions", "empirical_upper_bound", "enumerate_cells", "input_box", "interval_bounds",
    "layer_capacities", "max_coverage", "mip_bound", "mipbound_probabilities", "montufar_bound",
    "pattern_is_realised", "theorem2_bound", "trivial_upper_bound", "unit_bounds", "zaslavsky_bound",
]
