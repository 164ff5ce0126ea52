"""Give each process that runs side by side its own share of the cores.

`pytest -n 2` starts two workers, and each worker starts notebook kernels. Left alone,
every one of them starts a BLAS thread pool (OpenBLAS, MKL) and an XLA thread pool with a
thread per core. On a two-core machine that is four or more busy threads for two cores,
and BLAS threads spin while they wait: measured here, nnlib's NumPy MNIST epoch took 11 s
instead of 2 s next to one other busy process.

So each worker gets cores ÷ workers threads (at least one):
- the BLAS libraries through their environment variables, read when NumPy loads;
- XLA, which sizes its thread pool by the cores the process may run on, through the
  process's CPU affinity (Linux): worker i runs on its own slice of the cores.
Kernels and subprocesses a worker starts inherit both. Call this before NumPy or JAX is
imported; outside pytest-xdist it does nothing.
"""

from __future__ import annotations

import os
import sys

BLAS_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)


def available_cores():
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    return list(range(os.cpu_count() or 1))


def worker_share(index, workers, cores):
    """The cores of worker `index` of `workers`: an equal slice, at least one core (workers
    beyond the number of cores share them round-robin)."""
    per_worker = max(1, len(cores) // workers)
    start = (index * per_worker) % len(cores)
    return cores[start : start + per_worker]


def share_the_cores(environ=os.environ):
    """In a pytest-xdist worker, limit BLAS and XLA to this worker's share of the cores.
    Returns the cores this worker may use, or None outside xdist."""
    workers = int(environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    worker = environ.get("PYTEST_XDIST_WORKER", "")
    if workers <= 1 or not worker.startswith("gw"):
        return None
    loaded = [name for name in ("numpy", "jax") if name in sys.modules]
    if loaded:
        raise RuntimeError(f"share_the_cores() must run before {' and '.join(loaded)} is imported")
    mine = worker_share(int(worker[2:]), workers, available_cores())
    for name in BLAS_VARIABLES:
        environ[name] = str(len(mine))
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, mine)
    return mine
