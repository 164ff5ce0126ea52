"""Work run side by side shares the cores instead of oversubscribing them (tools/threads.py)."""

import os
import subprocess
import sys

import pytest
from threadpoolctl import threadpool_info
from threads import BLAS_VARIABLES, share_the_cores, worker_share


def test_workers_get_equal_slices_of_the_cores():
    assert worker_share(0, 2, [0, 1]) == [0] and worker_share(1, 2, [0, 1]) == [1]
    assert worker_share(1, 2, [0, 1, 2, 3]) == [2, 3]
    assert worker_share(0, 1, [0, 1, 2, 3]) == [0, 1, 2, 3]
    # More workers than cores: one core each, shared round-robin.
    assert [worker_share(i, 4, [0, 1]) for i in range(4)] == [[0], [1], [0], [1]]


def test_nothing_changes_outside_xdist():
    environ = {}
    assert share_the_cores(environ) is None and environ == {}


def test_refuses_to_run_after_numpy_is_loaded():
    environ = {"PYTEST_XDIST_WORKER_COUNT": "2", "PYTEST_XDIST_WORKER": "gw0"}
    with pytest.raises(RuntimeError, match="before numpy"):
        share_the_cores(environ)  # numpy is loaded in this process by now


def _expected_share():
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers <= 1:
        pytest.skip("the suite runs without pytest-xdist workers")
    return max(1, (os.cpu_count() or 1) // workers)


def test_this_worker_runs_blas_and_xla_on_its_share():
    share = _expected_share()
    assert len(os.sched_getaffinity(0)) == share  # XLA sizes its thread pool by this
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas, "NumPy's BLAS library was not found"
    assert all(pool["num_threads"] == share for pool in blas), blas


def test_notebook_kernels_and_subprocesses_inherit_the_share():
    share = _expected_share()
    probe = (
        "import os, numpy; from threadpoolctl import threadpool_info; "
        "print(len(os.sched_getaffinity(0)), "
        "max(p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas'))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert out.stdout.split() == [str(share), str(share)], out.stderr
    assert all(os.environ[name] == str(share) for name in BLAS_VARIABLES)
