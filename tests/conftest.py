"""Shared helpers for the test suite (tests/ mirrors nnlib module by module)."""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib
import numpy as np
from hypothesis import settings

# JAX compiles a fresh function for every new array shape, so a single example can take
# a second: timing limits per example would only make the suite flaky.
settings.register_profile("book", deadline=None, max_examples=60)
settings.load_profile("book")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))  # the exercise generator, tested here too

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


def numerical_gradient(f, x, h=1e-6):
    """Central differences of a scalar function f at x (float64), one entry at a time."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        up = f(x)
        x[index] = old - h
        down = f(x)
        x[index] = old
        grad[index] = (up - down) / (2 * h)
    return grad
