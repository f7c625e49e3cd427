"""The ideal J^A (or I_X^A) of a pattern variety: options, results and the solvers that compute it."""
