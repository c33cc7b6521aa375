"""Running pages on Dask distributed: a local cluster on one machine, or any existing cluster.

The pipeline accepts any :class:`concurrent.futures.Executor`; :func:`dask_executor` gives it
one backed by a Dask ``Client`` (``Client.get_executor``), so results, failures and the cache
behave exactly as with the default process pool. The national run (every authority) uses it:

- no address: a ``LocalCluster`` of single-threaded worker processes (one per core by default),
  started for the build and closed after it;
- ``scheduler="tcp://host:8786"``: an existing cluster whose workers run the same jsnalib
  version and can read the project folder (a shared file system) — pages are written by the
  workers themselves.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
from collections.abc import Iterator

__all__ = ["dask_executor"]


@contextlib.contextmanager
def dask_executor(scheduler: str | None = None, workers: int | None = None,
                  memory_limit: str = "auto") -> Iterator[cf.Executor]:
    """A ``concurrent.futures`` executor on a Dask cluster, closed when the block ends.

    Parameters
    ----------
    scheduler : str, optional
        Address of an existing scheduler, e.g. ``"tcp://10.0.0.5:8786"``. Default: start a
        ``LocalCluster`` on this machine.
    workers : int, optional
        Worker processes of the local cluster (default: the number of cores). Ignored with
        ``scheduler``.
    memory_limit : str
        Memory limit per local worker, as Dask accepts it (``"auto"`` shares the machine's
        memory among the workers; e.g. ``"2GiB"``).

    Yields
    ------
    concurrent.futures.Executor
        Submitting to it runs the function on a worker; pure=False so a re-submitted page is
        executed again rather than taken from Dask's own result cache (the pipeline has its own).
    """
    from distributed import Client, LocalCluster  # imported here: only the national run needs it

    cluster = None
    if scheduler:
        client = Client(scheduler, set_as_default=False)
    else:
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                               processes=True, dashboard_address=None, memory_limit=memory_limit,
                               silence_logs=40)
        client = Client(cluster, set_as_default=False)
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
