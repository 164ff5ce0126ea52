"""Layers as forward/backward pairs with an explicit cache.

Derived in: Multi-layer perceptrons (chapters/03_mlp) for the forward half, and
Backpropagation for the backward half.

    Z, cache = dense_forward(X, W, b)        # Z = X W + b
    dX, dW, db = dense_backward(dZ, cache)   # the chain rule through that product

The cache is a plain tuple holding exactly what the backward pass needs, so it can be
printed and inspected. Shapes follow the book's batch-first convention: X (m, n_in),
W (n_in, n_out), b (n_out,), Z (m, n_out).
"""

from __future__ import annotations

from nnlib._validate import as_array, as_matrix, describe, same_shape
from nnlib.activations import _CORES, _activation_name


def dense_forward(X, W, b):
    """Fully connected (linear) layer: `Z = X W + b` for a batch X (m, n_in).

    Returns Z (m, n_out) and the cache `(X, W)` for the backward pass.
    """
    X, W, b = _dense_arguments("dense_forward", X, W, b)
    return _dense_forward(X, W, b)


def _dense_arguments(func, X, W, b):
    W = as_array(func, "W", W)
    if W.ndim != 2 or W.size == 0:
        raise ValueError(f"{func}: W must have shape (n_in, n_out), got {W.shape}")
    X = as_array(func, "X", X)
    if X.ndim != 2 or X.shape[1] != W.shape[0] or X.shape[0] == 0:
        raise ValueError(
            f"{func}: X must have shape (m, {W.shape[0]}) to match W {W.shape} "
            f"(one example per row, m >= 1), got {X.shape}"
        )
    b = as_array(func, "b", b)
    if b.shape not in ((W.shape[1],), (1, W.shape[1])):
        raise ValueError(
            f"{func}: b must have shape ({W.shape[1]},), one bias per output (column of W "
            f"{W.shape}), got {b.shape}"
        )
    return X, W, b


def _dense_forward(X, W, b):
    return X @ W + b.reshape(-1), (X, W)


def dense_backward(dZ, cache):
    """Gradients of a dense layer, given dZ = ∂J/∂Z (m, n_out) and the forward cache (X, W):
    `dX = dZ Wᵀ`, `dW = Xᵀ dZ`, `db = Σ_rows dZ`.

    dZ already carries the 1/m of the batch mean (the loss gradients include it), so the
    sums over the batch here are not divided again.
    """
    X, W = _dense_cache("dense_backward", "cache", cache)
    dZ = as_array("dense_backward", "dZ", dZ)
    if dZ.shape != (X.shape[0], W.shape[1]):
        raise ValueError(
            f"dense_backward: dZ must have the shape of Z, {(X.shape[0], W.shape[1])}, "
            f"got {dZ.shape}"
        )
    return _dense_backward(dZ, (X, W))


def _dense_cache(func, name, cache):
    """The cache (X, W) that dense_forward returned, checked."""
    if not isinstance(cache, tuple | list) or len(cache) != 2:
        raise TypeError(
            f"{func}: {name} must be the cache (X, W) that dense_forward returned, got "
            f"{describe(cache)}"
        )
    W = as_matrix(func, f"{name}[1] (W)", cache[1], weights=True)
    X = as_matrix(func, f"{name}[0] (X)", cache[0], n_cols=W.shape[0])
    return X, W


def _dense_backward(dZ, cache):
    X, W = cache
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


def activation_forward(Z, name):
    """Elementwise activation by name: `A = f(Z)`; the cache is `(Z, name)`."""
    name = _activation_name("activation_forward", "name", name)
    Z = as_array("activation_forward", "Z", Z)
    return _activation_forward(Z, name)


def _activation_forward(Z, name):
    return _CORES[name][0](Z), (Z, name)


def activation_backward(dA, cache):
    """`dZ = dA ∘ f'(Z)`: the incoming gradient times the local slope, elementwise."""
    Z, name = _activation_cache("activation_backward", "cache", cache)
    dA = as_array("activation_backward", "dA", dA)
    same_shape("activation_backward", "dA", dA, "Z in the cache (the layer's output)", Z.shape)
    return _activation_backward(dA, (Z, name))


def _activation_cache(func, name, cache):
    """The cache (Z, name) that activation_forward returned, checked."""
    if not isinstance(cache, tuple | list) or len(cache) != 2:
        raise TypeError(
            f"{func}: {name} must be the cache (Z, name) that activation_forward returned, "
            f"got {describe(cache)}"
        )
    activation = _activation_name(func, f"{name}[1]", cache[1])
    return as_array(func, f"{name}[0] (Z)", cache[0]), activation


def _activation_backward(dA, cache):
    Z, name = cache
    return dA * _CORES[name][1](Z)
