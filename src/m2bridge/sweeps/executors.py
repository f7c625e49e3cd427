"""Where tasks run. `local` (default): one long-lived Macaulay2 session per worker thread (Macaulay2
works in its own process, so threads are enough on the Python side). `dask`: the same tasks on a Dask
cluster (a scheduler address, or a LocalCluster), whose workers compute while this process alone
writes the database. `EXECUTORS` maps names to classes; each has `run(tasks, finished)`, calling
`finished(record)` for every task as it completes.
"""

from __future__ import annotations

import re
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from ..errors import InputError
from ..extras import require
from ..varieties.runners import local_dask_client
from .tasks import Task, close_sessions, compute_task, new_record


class LocalExecutor:
    def __init__(self, workers: int, scheduler: str | None = None):
        if scheduler is not None:
            raise InputError("scheduler goes with the dask executor", "scheduler")
        self.workers = workers

    def run(self, tasks: list[Task], finished) -> None:
        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="m2bridge-worker")
        pending = set()
        queue = iter(tasks)
        try:
            # At most 2 tasks per worker in flight, so that an interrupt leaves little queued.
            for task in queue:
                pending.add(pool.submit(compute_task, task))
                if len(pending) >= 2 * self.workers:
                    break
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    finished(future.result())
                    following = next(queue, None)
                    if following is not None:
                        pending.add(pool.submit(compute_task, following))
        finally:
            for future in pending:
                future.cancel()
            close_sessions()  # kills Macaulay2 mid-case on an interrupt; the case stays uncomputed
            pool.shutdown(wait=True, cancel_futures=True)


_ADDRESS = re.compile(r"(tcp|tls|inproc|ucx)://[^\s/]+(:[0-9]+)?/?")


class DaskExecutor:
    def __init__(self, workers: int, scheduler: str | None = None):
        if scheduler is not None and not _ADDRESS.fullmatch(scheduler):
            raise InputError(f"scheduler {scheduler!r}: expected an address like tcp://HOST:PORT", "scheduler")
        port = re.fullmatch(r"[a-z]+://.*:([0-9]+)/?", scheduler or "")
        if port and not 0 < int(port[1]) < 65536:  # refused at once, not after a 10 s wait
            raise InputError(f"scheduler {scheduler!r}: port {port[1]} is not between 1 and 65535", "scheduler")
        if scheduler is not None and scheduler.startswith("tls://"):  # Dask needs an SSL context m2bridge has not
            raise InputError(f"scheduler {scheduler!r}: m2bridge does not set up TLS; connect with tcp:// "
                             "(e.g. through an SSH tunnel)", "scheduler")
        self.workers, self.scheduler = workers, scheduler

    def run(self, tasks: list[Task], finished) -> None:
        distributed = require("dask.distributed", "dask")
        if self.scheduler is None:
            with local_dask_client(self.workers) as client:
                return _compute(distributed, client, tasks, finished)
        try:
            client = distributed.Client(self.scheduler, timeout=10)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise InputError(f"scheduler {self.scheduler}: cannot connect: {exc}", "scheduler") from None
        try:
            _compute(distributed, client, tasks, finished)
        finally:
            client.close()


def _compute(distributed, client, tasks: list[Task], finished) -> None:
    futures = {client.submit(compute_task, task, key=f"m2bridge-{task.key}", pure=False): task for task in tasks}
    for future in distributed.as_completed(futures):
        try:
            record = future.result()
        except distributed.KilledWorker:
            # The task took its worker down each time Dask retried it (a worker past its memory
            # limit is restarted by its nanny): an error record, and the sweep goes on.
            record = new_record(futures[future])
            record.status = "error"
            record.error = ("its Dask worker died computing it, each time it was retried (past the worker's "
                            "memory limit?)")
        finished(record)


EXECUTORS = {"local": LocalExecutor, "dask": DaskExecutor}


def make_executor(name: str, workers: int, scheduler: str | None = None):
    if name not in EXECUTORS:
        raise InputError(f"executor {name!r}: choose from {list(EXECUTORS)}", "executor")
    return EXECUTORS[name](workers, scheduler)
