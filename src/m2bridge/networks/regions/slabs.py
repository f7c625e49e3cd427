"""A walk over the regions of a box split into slabs, walked by forked processes (`traverse_regions`
with `workers` > 1; the walk of one slab is the function it passes in)."""

from __future__ import annotations

import multiprocessing
import os
import signal
from typing import NamedTuple

import numpy as np

from ..._processes import die_with_parent
from ..components import component_labels
from ..network import Network


class Merged(NamedTuple):
    """The slabs' walks as one: what `traversal.Traversal` is built from."""

    patterns: list[tuple[int, ...]]
    adjacencies: list[tuple[int, int]]
    linear_labels: list[int] | None
    complete: bool
    stop_reason: str
    lp_runs: int
    probes: int


def _slab_walk(job):
    walk, network, lower, upper, method, count_limit, time_limit = job
    found = walk(network, (lower, upper), method=method, count_limit=count_limit, time_limit=time_limit)
    found.walk = None  # the walk's LPs and queues stay in the worker
    return found


def _slab_worker_start(parent: int) -> None:
    """A slab worker dies with the process that started it; Ctrl-C is the parent's to handle."""
    die_with_parent(signal.SIGKILL, parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def slabs(lower: np.ndarray, upper: np.ndarray, pieces: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The box cut into `pieces` slabs across its longest side, at cuts shifted off simple fractions:
    a hyperplane of the network lying on a cut would hide the adjacency across it."""
    axis = int(np.argmax(upper - lower))
    cuts = lower[axis] + (upper[axis] - lower[axis]) * (np.arange(1, pieces) + 1e-3 * np.pi) / pieces
    edges = [lower[axis], *cuts, upper[axis]]
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        a, b = lower.copy(), upper.copy()
        a[axis], b[axis] = lo, hi
        out.append((a, b))
    return out


def walk_in_slabs(walk, network: Network, lower: np.ndarray, upper: np.ndarray, method: str, workers: int,
                  count_limit: int | None, time_limit: float | None) -> Merged:
    """`walk` (`traverse_regions`) in 2 × `workers` slabs of the box, by a pool of forked processes
    (they die with this one; Ctrl-C or SIGTERM here stops them). An activation region is convex, so
    one pattern is one region: the regions of the box are the union of the slabs' patterns (a
    full-dimensional region meets some slab in a full-dimensional set). Two regions adjacent across
    a facet are adjacent inside a slab that the facet crosses, so the slabs' adjacencies (and their
    same-map adjacencies, for the linear regions) are those of the box. Each slab gets the limits;
    the count stops being exact when one slab stops. An LP failure in a slab is raised here."""
    jobs = [(walk, network, a, b, method, count_limit, time_limit) for a, b in slabs(lower, upper, 2 * workers)]
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_slab_worker_start, initargs=(os.getpid(),))
    index: dict[tuple[int, ...], int] = {}
    pairs: set[tuple[int, int]] = set()
    same: list[tuple[int, int]] = []
    reasons: list[str] = []
    lp_runs = probes = 0
    try:
        for found in pool.imap(_slab_walk, jobs):
            ids = [index.setdefault(p, len(index)) for p in found.patterns]
            labels = found.linear_labels
            for i, j in found.adjacencies:
                pair = (min(ids[i], ids[j]), max(ids[i], ids[j]))
                pairs.add(pair)
                if labels is not None and labels[i] == labels[j]:
                    same.append(pair)
            reasons.append(found.stop_reason)
            lp_runs, probes = lp_runs + found.lp_runs, probes + found.probes
        pool.close()
    except KeyboardInterrupt:
        reasons.append("interrupted")  # the workers ignore SIGINT: the slabs they walk are dropped
    finally:
        pool.terminate()
        pool.join()
    reason = next((r for r in reasons if r != "complete"), "complete")
    complete = reason == "complete" and len(reasons) == len(jobs)
    labels = component_labels(len(index), same) if complete else None
    return Merged(list(index), sorted(pairs), labels, complete, reason, lp_runs, probes)
