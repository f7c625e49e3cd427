"""Connected components of a graph on nodes 0..n-1 (union-find with path halving)."""

from __future__ import annotations


def component_labels(n_nodes: int, edges) -> list[int]:
    """Label of each node's component, numbered 0, 1, … in the order of their smallest nodes.

    >>> component_labels(5, [(0, 3), (4, 1)])
    [0, 1, 2, 0, 1]
    """
    parent = list(range(n_nodes))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in edges:
        parent[root(i)] = root(j)
    roots: dict[int, int] = {}
    return [roots.setdefault(root(i), len(roots)) for i in range(n_nodes)]
