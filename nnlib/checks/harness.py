"""The safe harness every checker runs a student's code in.

A student's function may loop for ever, call `sys.exit()`, print a million lines or change
the arrays it is given. None of that may hang the notebook, end the kernel, flood the cell
or corrupt the checker's own test data. `run_guarded` calls the function

- with a time limit: a watchdog thread raises `OutOfTime` in the calling thread when the
  limit passes (CPython's `PyThreadState_SetAsyncExc`, which works in Jupyter on Linux,
  macOS and Windows alike, where signals would not). The exception is raised between two
  Python bytecodes, so a loop in Python stops at once; a single long NumPy call finishes
  first. It derives from BaseException, so `except Exception` in the student's code does
  not swallow it, and it is raised again every quarter second in case a bare `except:`
  did;
- with `sys.exit()` (SystemExit) and the kernel's interrupt (KeyboardInterrupt) caught and
  turned into a verdict;
- with everything it prints captured, and summarised once the check is over;
- on copies of its array arguments, compared afterwards with the originals, so that a
  function that changes its inputs is found, and cannot change the checker's data.
"""

from __future__ import annotations

import contextlib
import copy
import ctypes
import inspect
import io
import os
import sys
import threading
from contextvars import ContextVar
from dataclasses import dataclass, field

import numpy as np


def default_time_limit():
    """Seconds one call of a student's function may take: 10, or `$NNLIB_CHECK_TIME_LIMIT`
    (for a slow machine)."""
    try:
        limit = float(os.environ.get("NNLIB_CHECK_TIME_LIMIT", "10"))
    except ValueError:
        limit = 10.0
    return limit if limit > 0 else 10.0


class OutOfTime(BaseException):  # noqa: N818 - raised into the student's code by the watchdog
    """The student's function ran past its time limit."""


class Exited(Exception):  # noqa: N818 - a verdict, carried to the checker
    """The student's function called sys.exit() (or was interrupted)."""

    def __init__(self, kind, detail):
        super().__init__(kind)
        self.kind = kind  # "exit" or "interrupt"
        self.detail = detail


def _raise_in(thread_id, exception):
    """Schedule `exception` (a class, or None to cancel) in the thread `thread_id`."""
    target = ctypes.c_ulong(thread_id)
    value = ctypes.py_object(exception) if exception is not None else ctypes.c_void_p(0)
    ctypes.pythonapi.PyThreadState_SetAsyncExc(target, value)


class Watchdog:
    """Raises OutOfTime in the thread that made it once `seconds` have passed after
    `start()`, until `stop()` is called. Used as `guard = Watchdog(s)`, then
    `try: guard.start() ... finally: guard.stop()`, so that the stop is certain to run.

    `stop()` may itself be hit by an exception scheduled a moment before: it catches that
    and finishes, and may be called again; after it returns nothing more is raised. As a
    last resort the watchdog gives up by itself after 40 tries (10 more seconds).
    """

    def __init__(self, seconds):
        self._thread_id = threading.get_ident()
        self._finished = threading.Event()
        self._lock = threading.Lock()
        self._done = False
        self._thread = threading.Thread(target=self._watch, args=(seconds,), daemon=True)

    def start(self):
        self._thread.start()

    def _watch(self, seconds):
        wait = seconds
        for _ in range(40):
            if self._finished.wait(wait):
                return
            with self._lock:
                if self._done:
                    return
                _raise_in(self._thread_id, OutOfTime)
            wait = 0.25  # again, in case the student's code swallowed it

    def stop(self):
        if not self._thread.is_alive() and self._thread.ident is None:
            return  # never started
        while True:
            try:
                with self._lock:
                    self._done = True
                self._finished.set()
                self._thread.join()
                _raise_in(self._thread_id, None)  # cancel one scheduled meanwhile
                return
            except OutOfTime:
                continue


class CappedText(io.TextIOBase):
    """A text stream that keeps the first `limit` characters and counts the rest."""

    def __init__(self, limit=4000):
        self.limit = limit
        self.kept = []
        self.n_kept = 0
        self.n_chars = 0
        self.n_lines = 0

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        self.n_chars += len(text)
        self.n_lines += text.count("\n")
        if self.n_kept < self.limit:
            piece = text[: self.limit - self.n_kept]
            self.kept.append(piece)
            self.n_kept += len(piece)
        return len(text)

    def text(self):
        return "".join(self.kept)


@dataclass
class Session:
    """What the student's code did during one check: printing and notes for the verdict."""

    printed: CappedText = field(default_factory=CappedText)
    notes: list = field(default_factory=list)

    def note(self, text):
        if text not in self.notes:
            self.notes.append(text)

    def summary(self, name_of_code="your code"):
        """Sentences to add to the verdict: the notes, then what was printed, in short."""
        parts = list(self.notes)
        if self.printed.n_chars:
            lines = self.printed.text().splitlines()
            shown = [line if len(line) <= 100 else line[:97] + "..." for line in lines[:5]]
            count = max(self.printed.n_lines, len(lines))
            parts.append(
                f"While it was checked, {name_of_code} printed {count:,} line"
                f"{'' if count == 1 else 's'} ({self.printed.n_chars:,} characters); the check "
                "kept them out of this cell. The first "
                f"{'line' if len(shown) == 1 else f'{len(shown)} lines'}:\n"
                + "\n".join(f"    {line}" for line in shown)
                + "\nA `print` left in a function is fine while you debug; remove it when "
                "you are done."
            )
        return parts


_SESSION: ContextVar[Session | None] = ContextVar("nnlib_check_session", default=None)


@contextlib.contextmanager
def session():
    """Collect what the student's code prints (and the notes on it) during one check."""
    current = Session()
    token = _SESSION.set(current)
    try:
        yield current
    finally:
        _SESSION.reset(token)


def current_session():
    """The session of the check running now (a throwaway one outside a check)."""
    return _SESSION.get() or Session()


def copy_arguments(args):
    """Deep copies of the array-holding arguments (arrays, lists, tuples, dicts of them);
    other objects (numbers, functions, random generators) are passed as they are."""
    return [copy.deepcopy(a) if _holds_arrays(a) else a for a in args]


def _holds_arrays(value):
    if isinstance(value, np.ndarray):
        return True
    if isinstance(value, list | tuple):
        return any(_holds_arrays(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_arrays(v) for v in value.values())
    return False


def _same(before, after):
    if isinstance(before, np.ndarray):
        return (
            isinstance(after, np.ndarray)
            and before.shape == after.shape
            and np.array_equal(before, after, equal_nan=True)
        )
    if isinstance(before, list | tuple):
        return (
            type(after) is type(before)
            and len(after) == len(before)
            and all(_same(b, a) for b, a in zip(before, after, strict=True))
        )
    if isinstance(before, dict):
        return (
            isinstance(after, dict)
            and before.keys() == after.keys()
            and all(_same(before[k], after[k]) for k in before)
        )
    return True


def changed_arguments(func, originals, passed):
    """Names of the arguments the call changed in place ("W1", or "argument 2")."""
    try:
        names = [
            p.name
            for p in inspect.signature(func).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        names = []
    return [
        names[i] if i < len(names) else f"argument {i + 1}"
        for i, (before, after) in enumerate(zip(originals, passed, strict=True))
        if _holds_arrays(before) and not _same(before, after)
    ]


def run_guarded(func, args, seconds=None):
    """`func(*args)` under the time limit, with printing captured into the current session.

    Returns the result, or raises the student's own exception, `OutOfTime`, or `Exited`.
    """
    seconds = default_time_limit() if seconds is None else seconds
    printed = current_session().printed
    saved = sys.stdout, sys.stderr
    guard = Watchdog(seconds)
    try:
        try:
            guard.start()
            sys.stdout = sys.stderr = printed
            return func(*args)
        finally:
            guard.stop()
            sys.stdout, sys.stderr = saved
    except OutOfTime:
        guard.stop()  # again, in case the first was cut short
        sys.stdout, sys.stderr = saved
        raise
    except SystemExit as stop:
        raise Exited("exit", stop.code) from None
    except KeyboardInterrupt:
        raise Exited("interrupt", None) from None
