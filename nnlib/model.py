"""A multi-layer perceptron built from the layers in `nnlib.layers`.

Derived in: Multi-layer perceptrons (chapters/03_mlp); the backward pass in
Backpropagation.

The parameters are plain data: a list with one dict `{"W": (n_in, n_out), "b": (n_out,)}`
per layer, so a student can print them and an optimiser can update them. The forward pass
computes, layer by layer,

    Z[l] = A[l-1] W[l] + b[l],    A[l] = f(Z[l])

with A[0] = X, the hidden activation f, and `output_activation` (raw scores by default)
on the last layer.
"""

from __future__ import annotations

import numpy as np

from nnlib.activations import get_activation
from nnlib.layers import activation_backward, activation_forward, dense_backward, dense_forward


def _check_sizes(func, sizes):
    sizes = list(sizes)
    if len(sizes) < 2 or any(
        isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1 for n in sizes
    ):
        raise ValueError(
            f"{func}: sizes must list at least two positive integers, the input size then each "
            f"layer's width, e.g. [2, 3, 1]; got {sizes}"
        )
    return [int(n) for n in sizes]


def count_parameters(sizes):
    """Weights and biases of a fully connected network with layer widths `sizes`.

    `sizes = [n_0, n_1, ..., n_L]` starts with the input size. There is one weight per
    connection, `Σ_l n_(l-1) n_l`, and one bias per non-input unit, `Σ_l n_l`; for
    [3, 4, 4, 1] that is 32 weights and 9 biases. Returns `(n_weights, n_biases)`.
    """
    sizes = _check_sizes("count_parameters", sizes)
    weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    return weights, sum(sizes[1:])


def init_mlp(sizes, seed=0, std=None):
    """Random parameters for an MLP with layer widths `sizes` (input size first).

    Weights are drawn from N(0, std²), with std = 1/sqrt(n_in) by default so that the
    weighted sums neither grow nor shrink with the width (the initialisation chapter
    discusses better choices); biases start at 0. Seeded: the same seed gives the same
    numbers on every machine.
    """
    sizes = _check_sizes("init_mlp", sizes)
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        scale = 1 / np.sqrt(n_in) if std is None else std
        params.append({"W": scale * rng.standard_normal((n_in, n_out)), "b": np.zeros(n_out)})
    return params


def mlp_forward(params, X, activation="relu", output_activation="identity"):
    """Run the batch X (m, n_0) through the network; return the output (m, n_L) and the
    list of caches that `mlp_backward` needs."""
    get_activation(activation), get_activation(output_activation)  # fail early on a typo
    A = np.asarray(X)
    caches = []
    for index, layer in enumerate(params):
        last = index == len(params) - 1
        Z, dense_cache = dense_forward(A, layer["W"], layer["b"])
        A, act_cache = activation_forward(Z, output_activation if last else activation)
        caches.append((dense_cache, act_cache))
    return A, caches


def mlp_backward(d_out, caches):
    """Backpropagate ∂J/∂(output) through the layers, last to first.

    Returns one dict `{"W": dJ/dW, "b": dJ/db}` per layer, in the order of `params`.
    """
    grads = []
    dA = d_out
    for dense_cache, act_cache in reversed(caches):
        dZ = activation_backward(dA, act_cache)
        dA, dW, db = dense_backward(dZ, dense_cache)
        grads.append({"W": dW, "b": db})
    return grads[::-1]
