"""Seeded 2-D toy datasets for decision-region pictures and small training runs.

Every generator takes `n` (points in total), `noise` and `seed`, and returns `X` (n, 2)
float and `y` (n,) int labels; the same seed gives the same points on every machine.
"""

from __future__ import annotations

import numpy as np

from nnlib._validate import describe, non_negative, positive_int


def make_blobs(n=200, noise=0.6, seed=0):
    """Two Gaussian clouds around (-1, -1) (class 0) and (1, 1) (class 1): linearly separable
    when the noise is small."""
    n, noise, rng = _setup("make_blobs", n, noise, seed)
    y = np.arange(n) % 2
    centres = np.where(y[:, None] == 1, 1.0, -1.0)
    return centres + noise * rng.standard_normal((n, 2)), y


def make_moons(n=200, noise=0.1, seed=0):
    """Two interleaved half circles; class 1 is the lower, shifted one."""
    n, noise, rng = _setup("make_moons", n, noise, seed)
    y = np.arange(n) % 2
    angle = rng.uniform(0, np.pi, n)
    upper = np.column_stack([np.cos(angle), np.sin(angle)])
    lower = np.column_stack([1 - np.cos(angle), 0.5 - np.sin(angle)])
    X = np.where(y[:, None] == 1, lower, upper)
    return X + noise * rng.standard_normal((n, 2)), y


def make_circles(n=200, noise=0.08, seed=0):
    """A disc of radius 0.5 (class 1) inside a ring of radius 1 (class 0)."""
    n, noise, rng = _setup("make_circles", n, noise, seed)
    y = np.arange(n) % 2
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = np.where(y == 1, 0.5, 1.0)
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return X + noise * rng.standard_normal((n, 2)), y


def make_xor(n=200, noise=0.15, seed=0):
    """Four clouds at the corners (±1, ±1); the label is 1 when the two signs differ,
    the XOR of the gate chapter spread into a cloud."""
    n, noise, rng = _setup("make_xor", n, noise, seed)
    corners = rng.integers(0, 2, size=(n, 2))
    y = corners[:, 0] ^ corners[:, 1]
    X = 2.0 * corners - 1.0
    return X + noise * rng.standard_normal((n, 2)), y


def make_spirals(n=200, noise=0.05, seed=0):
    """Two arms of a spiral wound around each other, one per class: hard for a linear model."""
    n, noise, rng = _setup("make_spirals", n, noise, seed)
    y = np.arange(n) % 2
    t = rng.uniform(0.25, 1.0, n)
    angle = 3 * np.pi * t + np.pi * y
    X = t[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return X + noise * rng.standard_normal((n, 2)), y


TOY_DATASETS = {
    "blobs": make_blobs,
    "moons": make_moons,
    "circles": make_circles,
    "xor": make_xor,
    "spirals": make_spirals,
}
"""The toy generators by name, for menus in widgets."""


def _setup(func, n, noise, seed):
    n = positive_int(func, "n", n)
    noise = non_negative(func, "noise", noise)
    if isinstance(seed, bool | np.bool_) or not isinstance(seed, int | np.integer):
        raise TypeError(
            f"{func}: seed must be an integer (every dataset is seeded), got {describe(seed)}"
        )
    if seed < 0:
        raise ValueError(f"{func}: seed must be zero or positive, got {seed}")
    return n, noise, np.random.default_rng(seed)
