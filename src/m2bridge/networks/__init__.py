"""Real ReLU networks: activation codes of data, cells of the input space and linear-region counts.
Beside the algebra: it uses only `varieties.model` from it."""
