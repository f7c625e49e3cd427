"""The MILP of a ReLU network on an input box, solved by SCIP (PySCIPOpt).

The formulation is (1)–(9) of Serra & Ramalingam, "Empirical Bounds on Linear Regions of Deep
Rectifier Networks" (AAAI 2020): per unstable unit a binary z, h − h̄ = g, h ≤ H z, h̄ ≤ H̄ (1 − z),
and, for counting, h ≥ MARGIN·H·z, which is their (5)–(6) with the objective f fixed at a positive
value. Stable units get no binary; the valid inequalities (8)–(9) link consecutive layers.

A constraint handler sees every integral solution of the counting model: the exact count records
its pattern and cuts it off, MIPBound adds parity constraints. PySCIPOpt is an optional dependency
(the `regions` extra), imported when the first model is built.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys

import numpy as np

from ...errors import M2BridgeError
from ...extras import require
from ..network import Network
from .bounds import ACTIVE_LEANING, STABLY_ACTIVE, STABLY_INACTIVE

# An active unit must reach MARGIN · H (H its largest pre-activation): "h > 0" in floating point.
MARGIN = 1e-7
# SCIP's feasibility tolerance, well below MARGIN so that h ≥ MARGIN·H·z means something.
SCIP_FEASTOL = 1e-7
# Big-M constants get this relative slack over the computed optimum, which SCIP finds only up to
# its tolerances: a slightly too small H would cut off real inputs.
BIG_M_SLACK = 1e-6


class SolverError(M2BridgeError):
    """SCIP refused the model or failed while solving it."""


def _scip():
    return require("pyscipopt", "regions")


@contextlib.contextmanager
def _solver_output_to_stderr():
    """SCIP writes some messages (e.g. "pressed CTRL-C …") to file descriptor 1 even with its
    output hidden; while it runs, fd 1 points at stderr so that stdout (JSON) stays clean."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:          # no fd 1 at all
        yield
        return
    try:
        os.dup2(2, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


class NetworkMILP:
    """The MILP of the hidden layers added so far, in one SCIP model over the box lower ≤ x ≤ upper."""

    def __init__(self, network: Network, lower: np.ndarray, upper: np.ndarray):
        self.network = network
        self.model = _scip().Model()
        self.model.hideOutput()
        self.model.setParam("numerics/feastol", SCIP_FEASTOL)
        self.x = [self.model.addVar(f"x{j}", lb=lower[j], ub=upper[j]) for j in range(len(lower))]
        self.h: list = list(self.x)     # outputs of the last layer added: variables or 0.0
        self.z: list[dict[int, object]] = []        # per layer: unit → binary variable
        self.classes: list[list[str]] = []

    @classmethod
    def for_counting(cls, network: Network, lower, upper, bounds) -> "NetworkMILP":
        """All hidden layers with the margin constraints, set up to keep every solution."""
        milp = cls(network, lower, upper)
        for layer in range(network.depth - 1):
            milp.add_layer(layer, bounds.upper[layer], bounds.lower[layer], bounds.classes[layer],
                           margin=MARGIN)
        m, settings = milp.model, _scip().SCIP_PARAMSETTING
        # Enumeration must keep every solution: no presolving, no dual reductions (they may drop
        # solutions that are equivalent for the objective), no symmetry handling, no restarts.
        m.setPresolve(settings.OFF)
        m.setHeuristics(settings.OFF)
        m.setParam("misc/allowstrongdualreds", False)
        m.setParam("misc/allowweakdualreds", False)
        m.setParam("misc/usesymmetry", 0)
        m.setParam("presolving/maxrestarts", 0)
        return milp

    def preactivation(self, layer: int, i: int):
        """g_i of hidden layer `layer` (from 0) as a SCIP expression of the previous outputs."""
        W, b = self.network.weights[layer], self.network.biases[layer]
        return _scip().quicksum(W[i, j] * hj for j, hj in enumerate(self.h) if W[i, j] != 0.0
                                and not isinstance(hj, float)) + b[i]

    def add_layer(self, layer: int, upper: np.ndarray, lower: np.ndarray, classes: list[str],
                  margin: float | None) -> None:
        """Add hidden layer `layer` (from 0); with `margin`, an active unit needs h ≥ margin·H."""
        m = self.model
        outputs, binaries = [], {}
        for i, cls in enumerate(classes):
            g = self.preactivation(layer, i)
            if cls == STABLY_INACTIVE:
                outputs.append(0.0)
                continue
            H = upper[i] + BIG_M_SLACK * (1.0 + abs(upper[i]))
            h = m.addVar(f"h{layer}_{i}", lb=0.0, ub=H)
            outputs.append(h)
            if cls == STABLY_ACTIVE:
                m.addCons(h == g)
                continue
            Hbar = -lower[i] + BIG_M_SLACK * (1.0 + abs(lower[i]))
            hbar = m.addVar(f"hbar{layer}_{i}", lb=0.0, ub=Hbar)
            z = m.addVar(f"z{layer}_{i}", vtype="B")
            binaries[i] = z
            m.addCons(g == h - hbar)                                   # (1)–(2)
            m.addCons(h <= H * z)                                      # (3)
            m.addCons(hbar <= Hbar * (1 - z))
            if margin is not None:
                m.addCons(h >= margin * upper[i] * z)                  # (5)–(6), f fixed > 0
        if layer > 0:
            self._add_valid_inequalities(layer, classes, binaries)
        self.h = outputs
        self.z.append(binaries)
        self.classes.append(classes)

    def _add_valid_inequalities(self, layer: int, classes: list[str], binaries: dict) -> None:
        """(8): an inactive-leaning unit is active only if some j with W_ij > 0 is active;
        (9): an active-leaning unit is inactive only if some j with W_ij < 0 is active."""
        W = self.network.weights[layer]
        previous_classes, previous_z = self.classes[-1], self.z[-1]
        for i, z in binaries.items():
            sign = -1.0 if classes[i] == ACTIVE_LEANING else 1.0
            js = [j for j in range(W.shape[1]) if sign * W[i, j] > 0
                  and previous_classes[j] != STABLY_INACTIVE]
            if any(previous_classes[j] == STABLY_ACTIVE for j in js):
                continue     # always satisfied
            rhs = _scip().quicksum(previous_z[j] for j in js)
            if classes[i] == ACTIVE_LEANING:
                self.model.addCons(1 - z <= rhs)                       # (9)
            else:
                self.model.addCons(z <= rhs)                           # (8)

    def binaries(self) -> list:
        """All binary variables, layer by layer, unit by unit."""
        return [z for layer in self.z for _, z in sorted(layer.items())]

    def full_pattern(self, free_bits) -> tuple[int, ...]:
        """Pattern over all hidden units from the bits of the binaries (stable units by class)."""
        bits = iter(free_bits)
        out = []
        for layer_classes, layer_z in zip(self.classes, self.z):
            for i, cls in enumerate(layer_classes):
                out.append(next(bits) if i in layer_z else int(cls == STABLY_ACTIVE))
        return tuple(out)

    def no_good(self, bits) -> None:
        """Cut off exactly this assignment of the binaries (Balas–Jeroslow canonical cut)."""
        binaries = self.binaries()
        self.model.addCons(_scip().quicksum((1 - z) if bit else z for z, bit in zip(binaries, bits)) >= 1)

    def on_integral_solution(self, callback) -> None:
        """Call `callback(bits, x)` on every integral solution; it must add constraints that cut the
        solution off (the search goes on until none is left)."""
        handler = _handler_class()(self.binaries(), self.x, callback)
        self.model.includeConshdlr(handler, "activation_patterns", "sees every integral solution",
                                   chckpriority=-9_999_999, enfopriority=-9_999_999, needscons=False)

    def set_time_limit(self, seconds: float | None) -> None:
        """Seconds for the next `optimize` (SCIP's own limit stops at 1e20, its infinity)."""
        if seconds is not None:
            self.model.setParam("limits/time", min(max(seconds, 0.01), 1e20))

    def optimize(self) -> str:
        """Run SCIP; its status ("optimal", "infeasible", "timelimit", "userinterrupt", …)."""
        try:
            with _solver_output_to_stderr():
                self.model.optimize()
        except (KeyboardInterrupt, M2BridgeError):
            raise
        except Exception as exc:   # PySCIPOpt raises plain Exception/ValueError for SCIP errors
            raise SolverError(f"SCIP failed: {exc}") from None
        return self.model.getStatus()


@functools.cache
def _handler_class():
    """The constraint handler class, defined once PySCIPOpt is imported."""
    scip = _scip()

    class PatternHandler(scip.Conshdlr):
        """Enforcement callback run on every integral LP (or pseudo) solution of the counting MILP.

        Registered with the lowest priorities so that all other constraints are enforced first;
        never accepts a solution, so SCIP keeps searching until the cuts added by `on_solution`
        make the MILP infeasible.
        """

        def __init__(self, binaries: list, xs: list, on_solution):
            self.binaries = binaries
            self.xs = xs
            self.on_solution = on_solution

        def _enforce(self, solinfeasible: bool) -> dict:
            if solinfeasible:
                return {"result": scip.SCIP_RESULT.FEASIBLE}    # another handler already rejects it
            bits = tuple(int(round(self.model.getSolVal(None, z))) for z in self.binaries)
            x = np.array([self.model.getSolVal(None, v) for v in self.xs])
            self.on_solution(bits, x)
            return {"result": scip.SCIP_RESULT.CONSADDED}

        def consenfolp(self, constraints, nusefulconss, solinfeasible):
            return self._enforce(solinfeasible)

        def consenfops(self, constraints, nusefulconss, solinfeasible, objinfeasible):
            return self._enforce(solinfeasible)

        def conscheck(self, constraints, solution, checkintegrality, checklprows, printreason,
                      completely):
            # Heuristic solutions are rejected too: the LP search reaches and enforces every pattern.
            return {"result": scip.SCIP_RESULT.INFEASIBLE}

        def conslock(self, constraint, locktype, nlockspos, nlocksneg):
            for z in self.binaries:
                self.model.addVarLocks(z, nlockspos + nlocksneg, nlockspos + nlocksneg)

    return PatternHandler
