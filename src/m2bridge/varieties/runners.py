"""Where the kernels of the pieces are computed: here, in a pool of forked processes, or on a Dask
cluster (optional extra `dask`). A job is (multidegree, monomials, number of points); every runner
yields (multidegree, basis, free) in any order, the kernel of the evaluation matrix of those monomials
at the first points of the shared sample of the image (the same points serve every piece).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

import numpy as np

from .._processes import deferred_signals, die_with_parent
from ..errors import InputError
from ..extras import require
from . import elimination
from .pieces import centred_evaluation_matrix, evaluation_matrix, kernel


def solve_kernel(monomials: np.ndarray, points: int, values: np.ndarray, prime: int):
    """(basis, free) of the piece spanned by `monomials`, from `points` rows of `values`: by blocked
    elimination on BLAS products for a prime where that is faster, else by FLINT."""
    if elimination.fits(prime):
        return elimination.kernel_of(centred_evaluation_matrix(values[:points], monomials, prime), prime)
    return kernel(evaluation_matrix(values[:points], monomials, prime), prime)


class SerialRunner:
    def kernels(self, jobs, values, prime):
        for md, monomials, points in jobs:
            yield (md, *solve_kernel(monomials, points, values, prime))


_shared: dict = {}  # what forked workers read: the sample of the image and the prime
_shared_lock = threading.Lock()


def _forked_job(job):
    md, monomials, points = job
    return (md, *solve_kernel(monomials, points, _shared["values"], _shared["prime"]))


class LocalRunner:
    """A pool of `workers` forked processes; they inherit the sample (nothing large is pickled)."""

    def __init__(self, workers: int):
        self.workers = workers

    def kernels(self, jobs, values, prime):
        if self.workers <= 1 or len(jobs) < 2 or "fork" not in multiprocessing.get_all_start_methods():
            yield from SerialRunner().kernels(jobs, values, prime)
            return
        # `_shared` is one per process: interpolations running in several threads (a sweep's
        # workers) take turns here.
        with _shared_lock:
            _shared.update(values=values, prime=prime)
            # Largest pieces first, so that no worker is left with a big one at the end.
            jobs = sorted(jobs, key=lambda job: -len(job[1]))
            # Workers die with this process, even when it is killed with SIGKILL.
            pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("fork"),
                                       initializer=die_with_parent, initargs=(signal.SIGKILL, os.getpid()))
            try:
                yield from pool.map(_forked_job, jobs, chunksize=max(1, len(jobs) // (8 * self.workers)))
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
                _shared.clear()


@contextmanager
def local_dask_client(workers: int):
    """A distributed.Client of a new LocalCluster of `workers` processes, both closed on leaving.

    A signal while the cluster starts acts once it has started (and is then closed cleanly): cut in
    half, the cluster's nannies would fail at exit with a traceback."""
    distributed = require("dask.distributed", "dask")
    with deferred_signals() as signals:
        cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                           dashboard_address=None, silence_logs=40)
        try:
            client = distributed.Client(cluster)
        except BaseException:
            cluster.close()
            raise
    try:
        signals.deliver()
        yield client
    finally:
        client.close()
        cluster.close()


class DaskRunner:
    """Pieces as tasks on a Dask cluster: `client` is a distributed.Client, a scheduler address
    (tcp://HOST:PORT), or None for a LocalCluster of `workers` processes made for this call."""

    def __init__(self, client=None, workers: int = 2):
        self.client, self.workers = client, workers

    def kernels(self, jobs, values, prime):
        distributed = require("dask.distributed", "dask")
        client = self.client
        if client is None:
            with local_dask_client(self.workers) as client:
                yield from self._kernels(distributed, client, jobs, values, prime)
            return
        if isinstance(client, str):
            try:
                client = distributed.Client(client, timeout=10)
            except (OSError, TimeoutError, ValueError) as exc:
                raise InputError(f"scheduler {self.client}: cannot connect: {exc}", "executor") from None
        try:
            yield from self._kernels(distributed, client, jobs, values, prime)
        finally:
            if client is not self.client:
                client.close()

    @staticmethod
    def _kernels(distributed, client, jobs, values, prime):
        shared = client.scatter(values, broadcast=True)
        futures = {client.submit(solve_kernel, monomials, points, shared, prime, pure=False): md
                   for md, monomials, points in sorted(jobs, key=lambda job: -len(job[1]))}
        for future in distributed.as_completed(futures):
            yield (futures[future], *future.result())


def make_runner(workers):
    """A runner from `workers`: an int (1 = here, more = forked processes), or a runner."""
    if hasattr(workers, "kernels"):
        return workers
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InputError(f"workers {workers!r}: expected an integer >= 1 or a piece runner", "workers")
    return SerialRunner() if workers == 1 else LocalRunner(workers)
