"""The mathematics of a case: architectures, patterns, the parametrization φ^A, its Jacobian, multigraded
interpolation of J^A and the symmetries between cases. Nothing here runs Macaulay2."""
