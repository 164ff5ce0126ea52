"""Checks at the boundary of every public function.

A student who passes the wrong thing should read which function complained, about which
argument, and what it expected, instead of a broadcasting error from deep inside NumPy.
"""

from __future__ import annotations

import numpy as np


def as_matrix(func: str, name: str, value, n_cols: int | None = None) -> np.ndarray:
    """Return `value` as a float 2-D array of shape (m, n_cols), or raise a clear error."""
    arr = _as_float_array(func, name, value)
    if arr.ndim != 2:
        expected = f"(m, {n_cols})" if n_cols is not None else "(m, n)"
        raise ValueError(
            f"{func}: {name} must be a 2-D array of shape {expected} with one example per row, "
            f"got shape {arr.shape}"
        )
    if n_cols is not None and arr.shape[1] != n_cols:
        raise ValueError(
            f"{func}: {name} must have {n_cols} columns (one per input), got shape {arr.shape}"
        )
    return arr


def as_vector(func: str, name: str, value, length: int | None = None) -> np.ndarray:
    """Return `value` as a float 1-D array, of `length` entries if given."""
    arr = _as_float_array(func, name, value)
    if arr.ndim != 1:
        expected = f"({length},)" if length is not None else "(n,)"
        raise ValueError(f"{func}: {name} must be a 1-D array of shape {expected}, got {arr.shape}")
    if length is not None and arr.shape[0] != length:
        raise ValueError(f"{func}: {name} must have {length} entries, got shape {arr.shape}")
    return arr


def as_scalar(func: str, name: str, value) -> float:
    """Return `value` as a finite Python float."""
    if isinstance(value, bool) or not np.isscalar(value) and np.ndim(value) != 0:
        raise TypeError(f"{func}: {name} must be a single number, got {value!r}")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{func}: {name} must be a single number, got {value!r}") from None
    if not np.isfinite(out):
        raise ValueError(f"{func}: {name} must be finite, got {out}")
    return out


def as_binary_labels(func: str, name: str, value, length: int | None = None) -> np.ndarray:
    """Return labels as an int 1-D array whose entries are all 0 or 1."""
    arr = np.asarray(value)
    if arr.ndim != 1:
        raise ValueError(f"{func}: {name} must be a 1-D array of 0/1 labels, got shape {arr.shape}")
    if length is not None and arr.shape[0] != length:
        raise ValueError(
            f"{func}: {name} must have one label per example ({length}), got {arr.shape[0]}"
        )
    if not np.all(np.isin(arr, (0, 1))):
        bad = np.unique(arr[~np.isin(arr, (0, 1))])[:5]
        raise ValueError(
            f"{func}: {name} must contain only the labels 0 and 1, found {bad.tolist()}"
        )
    return arr.astype(int)


def as_class_labels(func: str, name: str, value, n_classes: int, length: int) -> np.ndarray:
    """Return labels as an int 1-D array with entries in 0 .. n_classes-1."""
    arr = np.asarray(value)
    if arr.ndim != 1 or arr.shape[0] != length:
        raise ValueError(
            f"{func}: {name} must be a 1-D array of {length} class indices, got shape {arr.shape}"
        )
    if not np.issubdtype(arr.dtype, np.integer) or arr.min() < 0 or arr.max() >= n_classes:
        raise ValueError(
            f"{func}: {name} must hold integer class indices 0..{n_classes - 1}, "
            f"got values {np.unique(arr)[:5].tolist()}"
        )
    return arr.astype(int)


def layer_sizes(func, sizes):
    """Layer widths [n_0, n_1, ..., n_L] as ints: at least two, all positive."""
    sizes = list(sizes)
    if len(sizes) < 2 or any(
        isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1 for n in sizes
    ):
        raise ValueError(
            f"{func}: sizes must list at least two positive integers, the input size then each "
            f"layer's width, e.g. [2, 3, 1]; got {sizes}"
        )
    return [int(n) for n in sizes]


def positive_int(func: str, name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{func}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _as_float_array(func: str, name: str, value) -> np.ndarray:
    """`value` as a float array; float32 stays float32 (the MNIST chapter trains in it)."""
    try:
        arr = np.asarray(value)
        if not np.issubdtype(arr.dtype, np.floating):
            arr = arr.astype(float)
    except (TypeError, ValueError):
        raise TypeError(
            f"{func}: {name} must be an array of numbers, got {type(value).__name__}"
        ) from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{func}: {name} contains NaN or infinite values")
    return arr
