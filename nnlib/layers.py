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

import numpy as np

from nnlib.activations import get_activation


def dense_forward(X, W, b):
    """Fully connected (linear) layer: `Z = X W + b` for a batch X (m, n_in).

    Returns Z (m, n_out) and the cache `(X, W)` for the backward pass.
    """
    X, W, b = np.asarray(X), np.asarray(W), np.asarray(b)
    if W.ndim != 2:
        raise ValueError(f"dense_forward: W must have shape (n_in, n_out), got {W.shape}")
    if X.ndim != 2 or X.shape[1] != W.shape[0]:
        raise ValueError(
            f"dense_forward: X must have shape (m, {W.shape[0]}) to match W {W.shape} "
            f"(one example per row), got {X.shape}"
        )
    if b.shape not in ((W.shape[1],), (1, W.shape[1])):
        raise ValueError(
            f"dense_forward: b must have shape ({W.shape[1]},), one bias per output, got {b.shape}"
        )
    return X @ W + b.reshape(-1), (X, W)


def dense_backward(dZ, cache):
    """Gradients of a dense layer, given dZ = ∂J/∂Z (m, n_out) and the forward cache (X, W):
    `dX = dZ Wᵀ`, `dW = Xᵀ dZ`, `db = Σ_rows dZ`.

    dZ already carries the 1/m of the batch mean (the loss gradients include it), so the
    sums over the batch here are not divided again.
    """
    X, W = cache
    dZ = np.asarray(dZ)
    if dZ.shape != (X.shape[0], W.shape[1]):
        raise ValueError(
            f"dense_backward: dZ must have the shape of Z, {(X.shape[0], W.shape[1])}, "
            f"got {dZ.shape}"
        )
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


def activation_forward(Z, name):
    """Elementwise activation by name: `A = f(Z)`; the cache is `(Z, name)`."""
    f, _ = get_activation(name)
    return f(Z), (Z, name)


def activation_backward(dA, cache):
    """`dZ = dA ∘ f'(Z)`: the incoming gradient times the local slope, elementwise."""
    Z, name = cache
    _, f_prime = get_activation(name)
    return np.asarray(dA) * f_prime(Z)
