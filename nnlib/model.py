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

from nnlib._validate import layer_sizes
from nnlib.activations import get_activation
from nnlib.init import INITIALIZERS, normal
from nnlib.layers import activation_backward, activation_forward, dense_backward, dense_forward
from nnlib.regularization import dropout_backward, dropout_forward


def count_parameters(sizes):
    """Weights and biases of a fully connected network with layer widths `sizes`.

    `sizes = [n_0, n_1, ..., n_L]` starts with the input size. There is one weight per
    connection, `Σ_l n_(l-1) n_l`, and one bias per non-input unit, `Σ_l n_l`; for
    [3, 4, 4, 1] that is 32 weights and 9 biases. Returns `(n_weights, n_biases)`.
    """
    sizes = layer_sizes("count_parameters", sizes)
    weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    return weights, sum(sizes[1:])


def init_mlp(sizes, seed=0, init="lecun_normal", std=None):
    """Random parameters for an MLP with layer widths `sizes` (input size first).

    Each layer's weights come from the initialiser named `init` in `nnlib.init` (by
    default N(0, 1/n_in), so that weighted sums neither grow nor shrink with the width;
    the initialisation chapter compares the choices), or from N(0, std²) when `std` is
    given. Biases start at 0. Seeded: the same seed gives the same numbers everywhere.
    """
    sizes = layer_sizes("init_mlp", sizes)
    if init not in INITIALIZERS:
        raise ValueError(f"init_mlp: unknown init {init!r}; expected one of {sorted(INITIALIZERS)}")
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        if std is None:
            W = INITIALIZERS[init](n_in, n_out, rng)
        else:
            W = normal(n_in, n_out, rng, std=std)
        params.append({"W": W, "b": np.zeros(n_out)})
    return params


def mlp_forward(params, X, activation="relu", output_activation="identity", dropout=0.0, rng=None):
    """Run the batch X (m, n_0) through the network; return the output (m, n_L) and the
    list of caches that `mlp_backward` needs, one `(dense_cache, activation_cache)` per
    layer.

    With `dropout = p > 0` (training only), every hidden layer's activations pass through
    inverted dropout with drop probability p, drawn from `rng`; the layer's activation
    cache then also holds the dropout mask. Evaluate without dropout.
    """
    get_activation(activation), get_activation(output_activation)  # fail early on a typo
    if dropout and rng is None:
        raise ValueError("mlp_forward: dropout needs rng, a numpy Generator or an integer seed")
    rng = None if not dropout else np.random.default_rng(rng)
    A = np.asarray(X)
    caches = []
    for index, layer in enumerate(params):
        last = index == len(params) - 1
        Z, dense_cache = dense_forward(A, layer["W"], layer["b"])
        A, act_cache = activation_forward(Z, output_activation if last else activation)
        if dropout and not last:
            A, mask = dropout_forward(A, dropout, rng)
            act_cache = (*act_cache, mask)
        caches.append((dense_cache, act_cache))
    return A, caches


def mlp_backward(d_out, caches):
    """Backpropagate ∂J/∂(output) through the layers, last to first.

    Returns one dict `{"W": dJ/dW, "b": dJ/db}` per layer, in the order of `params`.
    """
    grads = []
    dA = d_out
    for dense_cache, act_cache in reversed(caches):
        if len(act_cache) == 3:  # the layer's output went through dropout
            dA = dropout_backward(dA, act_cache[2])
            act_cache = act_cache[:2]
        dZ = activation_backward(dA, act_cache)
        dA, dW, db = dense_backward(dZ, dense_cache)
        grads.append({"W": dW, "b": db})
    return grads[::-1]
