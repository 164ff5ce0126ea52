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
