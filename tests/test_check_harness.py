"""The harness the checkers run a student's code in (nnlib.checks.harness)."""

import re
import sys
import time

import numpy as np
import pytest

from nnlib.checks import Reject, call_student, checker, harness


def spin():
    while True:
        pass


def swallow_exceptions():
    while True:
        try:
            sum(range(1000))
        except Exception:  # what a student may write; the time-out is not an Exception
            pass


def test_an_endless_function_is_stopped_at_the_limit():
    for func in (spin, swallow_exceptions):
        started = time.perf_counter()
        with pytest.raises(harness.OutOfTime):
            harness.run_guarded(func, (), 0.2)
        assert time.perf_counter() - started < 2


def test_no_time_out_arrives_after_the_call_has_returned():
    def work():
        return sum(i * i for i in range(300_000))

    started = time.perf_counter()
    work()
    took = time.perf_counter() - started
    outcomes = {"returned": 0, "stopped": 0}
    for k in range(60):  # limits around the call's own duration: the race is exercised
        try:
            harness.run_guarded(work, (), took * (0.3 + k % 10 / 6))
            outcomes["returned"] += 1
        except harness.OutOfTime:
            outcomes["stopped"] += 1
    # A stray exception would be raised in this loop, long after every call ended.
    deadline = time.perf_counter() + 0.6
    while time.perf_counter() < deadline:
        sum(range(100))
    assert outcomes["returned"] > 0 and outcomes["stopped"] > 0, outcomes


def test_stdout_and_stderr_are_restored_whatever_happens():
    before = sys.stdout, sys.stderr
    for func, error in ((spin, harness.OutOfTime), (sys.exit, harness.Exited)):
        with pytest.raises(error):
            harness.run_guarded(func, (), 0.2)
        assert (sys.stdout, sys.stderr) == before
    with pytest.raises(ZeroDivisionError):
        harness.run_guarded(lambda: 1 / 0, ())
    assert (sys.stdout, sys.stderr) == before


def test_printing_is_kept_short_and_counted():
    def chatty():
        for i in range(100_000):
            print("line", i)
        print("to stderr", file=sys.stderr)
        return 1

    with harness.session() as session:
        assert harness.run_guarded(chatty, ()) == 1
    assert session.printed.n_lines == 100_001
    assert session.printed.n_kept <= session.printed.limit
    (summary,) = session.summary()
    assert "100,001 lines" in summary and "line 0" in summary and len(summary) < 600


@checker("A test exercise")
def _check_square(func):
    got = call_student(func, "square", np.array([1.0, 2.0]))
    if not np.allclose(got, [1.0, 4.0]):
        raise Reject("wrong", "Not the squares.")
    return "Right."


@checker("A test exercise that calls the student's code directly")
def _check_direct(func):
    func()
    return "Right."


def test_exit_and_interrupt_become_verdicts_wherever_the_code_runs():
    def interrupted(x):
        raise KeyboardInterrupt

    def exits(*args):
        sys.exit("bye")

    assert _check_square(interrupted).code == "interrupted"
    assert _check_square(exits).code == "exited"
    assert _check_direct(exits).code == "exited"
    assert _check_direct(lambda: (_ for _ in ()).throw(KeyboardInterrupt)).code == "interrupted"


def test_changed_inputs_are_named_by_parameter():
    def squares_in_place(values):
        values **= 2
        return values

    feedback = _check_square(squares_in_place)
    assert feedback.code == "changed-input" and "`values`" in feedback.message
    assert _check_square(lambda v: v**2).passed


def test_the_time_limit_can_be_raised_for_a_slow_machine(monkeypatch):
    monkeypatch.setenv("NNLIB_CHECK_TIME_LIMIT", "25")
    assert harness.default_time_limit() == 25
    for junk in ("soon", "-1", "0"):
        monkeypatch.setenv("NNLIB_CHECK_TIME_LIMIT", junk)
        assert harness.default_time_limit() == 10


def test_in_a_jupyter_kernel_the_check_stops_the_loop_and_the_kernel_carries_on(tmp_path):
    """The real thing: a kernel runs a student's endless function, one that exits and one
    that prints without end, each followed by its check; the kernel answers afterwards."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    cells = [
        "import os\nos.environ['NNLIB_CHECK_TIME_LIMIT'] = '1'\n"
        "from nnlib.checks import perceptron as check",
        "def unit_output(X, w, b):\n    while True:\n        pass",
        "check.unit_output(unit_output)",
        "import sys\n\ndef unit_output(X, w, b):\n    sys.exit()",
        "check.unit_output(unit_output)",
        "def unit_output(X, w, b):\n    for i in range(10**5):\n        print('hello', i)\n"
        "    return (X @ w + b >= 0).astype(int)",
        "check.unit_output(unit_output)",
        "print('the kernel is still here')",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    started = time.perf_counter()
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    assert time.perf_counter() - started < 90

    def text(cell):
        parts = []
        for out in cell.outputs:
            parts.append(out.get("text", "") + str(out.get("data", {}).get("text/plain", "")))
        return "".join(parts)

    assert "did not finish within 1 second," in text(nb.cells[2])
    assert "sys.exit()" in text(nb.cells[4]) and "NOT YET" in text(nb.cells[4])
    flood = text(nb.cells[6])
    printed = re.search(r"printed ([\d,]+) lines", flood)
    assert "PASSED" in flood and len(flood) < 3000
    assert printed and int(printed.group(1).replace(",", "")) >= 100_000
    assert text(nb.cells[7]).strip() == "the kernel is still here"
