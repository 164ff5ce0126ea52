"""Keep what nbval's run of each notebook produced, so that the book build need not run it.

nbval executes every notebook as a test, but keeps only what it compares: the plain
outputs, without the state of widgets, the outputs that `interact` sends into Output
widgets, or the clearing and updating of displays. The book needs all of those, and
nbclient (which the book build runs notebooks with) is what records them. So this plugin
hands every message that nbval's kernel sends for a cell to nbclient's own message
handling, `NotebookClient.process_message`, bound to nbval's kernel client: the notebook
it fills is the one the book build would have recorded.

A worker writes each notebook whose cells all passed to `folder`; at the end of the run,
the controlling process stores them in the book's execution cache (jupyter-cache, keyed
by the notebook's code, as the build looks them up). A notebook with a failing cell is not
kept, so the build runs it again and shows its error.

`tasks.py test` turns this on (NNLIB_KEEP_EXECUTED=folder) when it must build the book
after the tests anyway; tests/conftest.py registers it.
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionComplete
from nbval.plugin import IPyNbCell


class _Recording:
    """One notebook as nbclient records it, filled from the messages nbval reads."""

    def __init__(self, nbfile):
        self.nbfile = nbfile
        self.nb = copy.deepcopy(nbfile.nb)
        self.index = {id(cell): i for i, cell in enumerate(nbfile.nb.cells)}
        self.client = NotebookClient(self.nb, record_timing=False)  # as jupyter-cache runs it
        self.client.kc = nbfile.kernel.kc  # Output widgets answer the kernel through it
        self.code_cells = sum(cell.cell_type == "code" for cell in nbfile.nb.cells)
        self.failed = False
        self.started = time.perf_counter()
        self.msg_id = None
        self.cell, self.cell_index = None, None
        self.executed = 0

        kernel, read = nbfile.kernel, nbfile.get_kernel_message
        execute = kernel.execute_cell_input

        def execute_and_remember(*args, **kwargs):
            self.msg_id = execute(*args, **kwargs)
            return self.msg_id

        def read_and_record(*args, **kwargs):
            msg = read(*args, **kwargs)
            if self.cell is not None and msg["parent_header"].get("msg_id") == self.msg_id:
                try:
                    self.client.process_message(msg, self.cell, self.cell_index)
                except CellExecutionComplete:
                    pass
            return msg

        kernel.execute_cell_input = execute_and_remember
        nbfile.get_kernel_message = read_and_record

    def start(self, item):
        self.cell_index = self.index[id(item.cell)]
        self.cell = self.nb.cells[self.cell_index]
        self.cell.outputs = []
        self.cell.execution_count = None
        self.client.clear_before_next_output = False

    def finish(self, passed):
        # nbval runs cells without adding them to the kernel's history, so the kernel
        # numbers every one 1; number them in order, as a notebook run does.
        self.executed += 1
        self.cell.execution_count = self.executed
        self.cell = None
        self.failed |= not passed


class KeepExecutedNotebooks:
    """The plugin: registered by tests/conftest.py when NNLIB_KEEP_EXECUTED names a folder."""

    def __init__(self, folder, cache, root, pages):
        self.folder, self.cache, self.root = Path(folder), Path(cache), Path(root)
        self.pages = pages  # the notebooks the book is built from: only these are kept
        self.recordings = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        page = isinstance(item, IPyNbCell) and Path(item.parent.path).resolve() in self.pages
        if not page or item.parent.kernel is None:
            yield
            return
        recording = self.recordings.get(item.parent)
        if recording is None:
            recording = self.recordings[item.parent] = _Recording(item.parent)
        recording.start(item)
        outcome = yield
        recording.finish(passed=outcome.excinfo is None)
        if item.cell_num == recording.code_cells - 1:
            self._save(item.parent, recording)
            del self.recordings[item.parent]

    def _save(self, nbfile, recording):
        if recording.failed:
            return
        recording.client.set_widgets_metadata()
        path = Path(nbfile.path).resolve()
        self.folder.mkdir(parents=True, exist_ok=True)
        name = path.relative_to(self.root).as_posix().replace("/", "__")
        nbformat.write(recording.nb, self.folder / name)
        seconds = time.perf_counter() - recording.started
        (self.folder / f"{name}.json").write_text(
            json.dumps({"uri": str(path), "execution_seconds": seconds})
        )

    def pytest_sessionfinish(self, session):
        if hasattr(session.config, "workerinput"):
            return  # only the controlling process writes the cache, once
        store_in_cache(self.folder, self.cache)


def store_in_cache(folder, cache_path):
    """Put every notebook kept in `folder` into the jupyter-cache at `cache_path`."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(str(cache_path))
    for info in sorted(Path(folder).glob("*.ipynb.json")):
        meta = json.loads(info.read_text())
        nb = nbformat.read(info.with_suffix(""), as_version=4)
        cache.cache_notebook_bundle(
            CacheBundleIn(nb, meta["uri"], data={"execution_seconds": meta["execution_seconds"]}),
            check_validity=False,
            overwrite=True,
        )
