"""Shared helpers for the test suite (tests/ mirrors nnlib module by module)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from hypothesis import settings

# JAX compiles a fresh function for every new array shape, so a single example can take
# a second: timing limits per example would only make the suite flaky.
settings.register_profile("book", deadline=None, max_examples=60)
settings.load_profile("book")

ROOT = Path(__file__).resolve().parent.parent

# Progress bars stay quiet in tests, here and in the notebook kernels nbval starts (they
# inherit this environment).
os.environ["NNLIB_PROGRESS"] = "0"

matplotlib.use("Agg")  # figures in unit tests are drawn, never shown


def assert_close(actual, expected, rtol=1e-7, atol=0.0, what="value"):
    """Assert two arrays agree, printing both and the tolerance when they do not."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, (
        f"{what}: shape {actual.shape} != expected {expected.shape}"
    )
    assert np.allclose(actual, expected, rtol=rtol, atol=atol), (
        f"{what}: got {actual}, expected {expected} (rtol={rtol}, atol={atol})"
    )


def roundoff_atol(value, h=1e-6):
    """The absolute error a central difference with step h can carry from rounding alone:
    each of its two evaluations of a cost of size |value| is off by a few ε |value|, and
    the difference is divided by 2h. (A bound for costs that sum terms of one sign, as
    every loss does, so that no term is larger than the cost.) With |value| = 25 and
    h = 1e-6 that is about 2e-8: a fixed atol of 1e-8 fails on such draws."""
    return max(1e-8, 8 * np.finfo(np.float64).eps * max(1.0, abs(float(value))) / (2 * h))


@pytest.fixture
def widget_errors(caplog):
    """A function listing the exceptions ipywidgets caught while redrawing a widget (it
    only logs them, so a test must look)."""
    caplog.set_level(logging.WARNING)
    return lambda: [r.getMessage() for r in caplog.records if "Exception" in r.getMessage()]


@pytest.fixture(autouse=True)
def _no_book_demos(monkeypatch):
    """The widgets' book versions (NNLIB_BOOK_DEMOS=1, set while the book's notebooks run)
    draw every picture of their grid; a unit test of a widget wants the widget alone. A test
    of the book version sets the variable itself. The kernels nbval starts keep it."""
    monkeypatch.delenv("NNLIB_BOOK_DEMOS", raising=False)
