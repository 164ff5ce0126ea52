"""The suite's own pytest plugin, loaded first (`-p pytest_book` in pyproject.toml), so
that it applies to every test and notebook, whichever paths pytest is given.

- Before anything loads NumPy or JAX, each pytest-xdist worker, and every notebook kernel
  it starts, gets its share of the cores (tools/threads.py).
- With NNLIB_KEEP_EXECUTED set (by `tasks.py test`), nbval's run of each notebook is kept
  for the book build (executed_notebooks.py).
"""

from __future__ import annotations

import os
from pathlib import Path

from threads import share_the_cores

share_the_cores()

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    kept = os.environ.get("NNLIB_KEEP_EXECUTED")
    if kept:
        from browser_support import book_pages
        from executed_notebooks import KeepExecutedNotebooks

        # Only the book's pages: the student notebooks in exercises/ are tested, not built.
        pages = {(ROOT / page).with_suffix(".ipynb") for page in book_pages()}
        cache = ROOT / "_build" / ".jupyter_cache"
        plugin = KeepExecutedNotebooks(kept, cache, ROOT, pages)
        config.pluginmanager.register(plugin, "keep-executed")


# Longest first. With `--dist loadfile` each file goes whole to one worker, in the order
# of the collection (`tasks.py test` passes --no-loadscope-reorder, which would otherwise
# order the files by their number of tests), so a long notebook collected last keeps
# one worker busy while the other idles. Starting the longest files first is the classic
# greedy schedule. The seconds are those of the last run on this checkout (pytest's
# cache); a fresh clone, as in CI, uses these, measured on 2 cores on 2026-12-04 (the
# chapters with a book demo include drawing its pictures, as in `tasks.py test`).
SLOW_FILES = {
    "chapters/12_mnist.ipynb": 98,
    "chapters/11_cnn.ipynb": 97,
    "tests/test_exercise_contract.py": 33,
    "tests/test_otter.py": 25,
    "tests/test_jax.py": 23,
    "chapters/08_init_optim.ipynb": 22,
    "chapters/04_activations.ipynb": 21,
    "chapters/09_regularization.ipynb": 21,
    "chapters/06_gradient_descent.ipynb": 21,
    "chapters/10_training_recipe.ipynb": 19,
    "exercises/solutions/12_mnist.ipynb": 18,
    "chapters/03_mlp.ipynb": 16,
    "tests/test_fuzz_api.py": 15,
    "chapters/02_perceptron.ipynb": 15,
    "tests/test_benchmark.py": 15,
    "tests/test_checks_mnist.py": 10,
    "tests/test_losses.py": 10,
    "tests/test_conv.py": 9,
    "tests/test_activations.py": 9,
}
SECONDS_KEY = "nnlib/seconds-per-file"


def _file_of(nodeid):
    return nodeid.split("::", 1)[0]


def _cache(config):
    return getattr(config, "cache", None)  # None under `-p no:cacheprovider`


def pytest_collection_modifyitems(session, config, items):
    cache = _cache(config)
    seconds = SLOW_FILES | (cache.get(SECONDS_KEY, {}) if cache else {})
    # sort is stable: the cells of a notebook, and the tests of a file, keep their order
    items.sort(key=lambda item: -seconds.get(_file_of(item.nodeid), 0))


_measured = {}


def pytest_runtest_logreport(report):
    name = _file_of(report.nodeid)
    _measured[name] = _measured.get(name, 0.0) + report.duration


def pytest_sessionfinish(session):
    config = session.config
    cache = _cache(config)
    if hasattr(config, "workerinput") or not _measured or cache is None:
        return  # an xdist worker: the controller records what all the workers report
    seconds = cache.get(SECONDS_KEY, {})
    seconds.update({name: round(value, 1) for name, value in _measured.items()})
    cache.set(SECONDS_KEY, seconds)
