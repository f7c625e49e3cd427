"""Real ReLU networks: activation codes of data, cells of the input space and linear regions.

- `network`: the Network (weights and biases), its files and its two layer recurrences;
- `codes`: binary codes of points, truncated Hamming distances (Shepeleva et al., "ReLU Code
  Space: A Basis for Rating Network Quality Besides Accuracy");
- `polyhedra` and `cells`: cells of codes as polyhedra, their LPs and adjacency;
- `datapattern`: the activation pattern of a dataset and its case file;
- `regions`: counting and bounding linear regions (Serra & Ramalingam, AAAI 2020).

Beside the algebra: it uses only `varieties.model` from it. SciPy and PySCIPOpt (the `regions`
extra) are imported when an LP or a MILP first runs.
"""
