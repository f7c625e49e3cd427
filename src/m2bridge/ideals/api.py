"""`pattern_ideal`: the ideal J^A (or I_X^A) of a pattern variety.

>>> result = pattern_ideal("2,2,2", "10|11", engine="macaulay2")
>>> result.dim, result.degree, result.mingens_degrees
(6, 4, [2, 2])
>>> print(result.generators[1])
m_(1,1,2)*m_(1,2,1) - m_(1,1,1)*m_(1,2,2)
>>> r = pattern_ideal("2,2,2", "10|11", method="interpolate", max_degree=3, lift=True)
>>> r.method, r.complete, r.checked_through_degree, r.graded_dims, r.mingens_degrees
('interpolate', False, 3, {1: 0, 2: 2, 3: 16}, [2, 2])
"""

from __future__ import annotations

import logging

from ..varieties.model import make_variety
from .options import IdealOptions
from .result import IdealResult
from .solvers import solver_for

logger = logging.getLogger(__name__)


def pattern_ideal(arch, pattern=None, *, data=None, blocks=None, bias: bool = False,
                  options: IdealOptions | None = None, m2=None, **settings) -> IdealResult:
    """J^A of `pattern` for `arch` (I_X^A when `data` is given: a path, a list of rows or a Dataset,
    with `blocks` points per block).

    How it is computed is `options` (an IdealOptions) with any of its fields given as keywords:
    `field`, `method` ("ker", "interpolate", "auto"), `max_degree`, `timeout`, `ker_timeout`,
    `memory_limit`, `seed`, `prime`, `lift`, `certify`, `recheck_prime`, `workers`, `check_dim`,
    `verbose` (see IdealOptions). `m2` may pass a `Macaulay2` or an `M2Session` to run on. `arch`
    may be a PatternVariety.

    Raises InputError for bad input, M2TimeoutError, M2Error, M2OutputError for Macaulay2's
    failures and ConsistencyError when two computations disagree.
    """
    variety = make_variety(arch, pattern, bias=bias, data=data, blocks=blocks)
    options = IdealOptions.merge(options, **settings)
    solver = solver_for(options, m2)
    logger.info("%s: method %s → solver %s%s, field %s, seed %d", variety.describe(), options.method, solver.name,
                f" through degree {options.max_degree}" if options.uses_interpolation else "", options.field.text,
                options.seed)
    return solver.solve(variety, options)  # the solver refuses first what it cannot answer
