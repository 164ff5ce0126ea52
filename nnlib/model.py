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

from nnlib._validate import (
    as_matrix,
    choice,
    describe,
    fraction,
    layer_sizes,
    mlp_params,
    non_negative,
    rng_or_seed,
)
from nnlib.activations import _activation_name
from nnlib.init import INITIALIZERS, _normal
from nnlib.layers import (
    _activation_backward,
    _activation_cache,
    _activation_forward,
    _dense_backward,
    _dense_cache,
    _dense_forward,
)
from nnlib.regularization import _dropout_forward


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
    return _init_mlp("init_mlp", sizes, seed, init, std)


def _init_mlp(func, sizes, seed=0, init="lecun_normal", std=None):
    sizes = layer_sizes(func, sizes)
    init = choice(func, "init", init, INITIALIZERS)
    rng = rng_or_seed(func, "seed", seed)
    std = None if std is None else non_negative(func, "std", std)
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        if std is None:
            W = INITIALIZERS[init](n_in, n_out, rng)
        else:
            W = _normal(n_in, n_out, rng, std=std)
        params.append({"W": W, "b": np.zeros(n_out)})
    return params


def mlp_forward(params, X, activation="relu", output_activation="identity", dropout=0.0, rng=None):
    """Run the batch X (m, n_0) through the network; return the output (m, n_L) and the
    list of caches that `mlp_backward` needs, one `(dense_cache, activation_cache)` per
    layer.

    With `dropout = p > 0` (training only), every hidden layer's activations pass through
    inverted dropout with drop probability p, drawn from `rng` (a numpy Generator or an
    integer seed); the layer's activation cache then also holds the dropout mask.
    Evaluate without dropout.
    """
    func = "mlp_forward"
    params = mlp_params(func, "params", params)
    X = as_matrix(func, "X", X, n_cols=params[0]["W"].shape[0])
    activation = _activation_name(func, "activation", activation)
    output_activation = _activation_name(func, "output_activation", output_activation)
    dropout = fraction(func, "dropout", dropout)
    if dropout and rng is None:
        raise ValueError("mlp_forward: dropout needs rng, a numpy Generator or an integer seed")
    rng = rng_or_seed(func, "rng", rng, allow_none=True)
    return _mlp_forward(params, X, activation, output_activation, dropout, rng)


def _mlp_forward(params, X, activation="relu", output_activation="identity", dropout=0.0, rng=None):
    rng = None if not dropout else np.random.default_rng(rng)
    A = X
    caches = []
    for index, layer in enumerate(params):
        last = index == len(params) - 1
        Z, dense_cache = _dense_forward(A, layer["W"], np.asarray(layer["b"]))
        A, act_cache = _activation_forward(Z, output_activation if last else activation)
        if dropout and not last:
            A, mask = _dropout_forward(A, dropout, rng)
            act_cache = (*act_cache, mask)
        caches.append((dense_cache, act_cache))
    return A, caches


def mlp_backward(d_out, caches):
    """Backpropagate ∂J/∂(output) through the layers, last to first.

    Returns one dict `{"W": dJ/dW, "b": dJ/db}` per layer, in the order of `params`.
    """
    caches = _mlp_caches("mlp_backward", caches)
    last_X, last_W = caches[-1][0]
    d_out = as_matrix("mlp_backward", "d_out", d_out)
    expected = (last_X.shape[0], last_W.shape[1])
    if d_out.shape != expected:
        raise ValueError(
            f"mlp_backward: d_out must have the shape of the network's output in caches, "
            f"{expected}, got {d_out.shape}"
        )
    return _mlp_backward(d_out, caches)


def _mlp_caches(func, caches):
    """The caches of mlp_forward, checked: one (dense_cache, activation_cache) per layer,
    each layer's input the previous layer's output."""
    if not isinstance(caches, list | tuple) or len(caches) == 0:
        raise TypeError(
            f"{func}: caches must be the list of caches that mlp_forward returned, got "
            f"{describe(caches)}"
        )
    checked = []
    for index, item in enumerate(caches):
        where = f"caches[{index}]"
        if not isinstance(item, tuple | list) or len(item) != 2:
            raise TypeError(
                f"{func}: {where} must be a pair (dense_cache, activation_cache) as mlp_forward "
                f"returns it, got {describe(item)}"
            )
        X, W = _dense_cache(func, f"{where}[0]", item[0])
        act = item[1]
        mask = None
        if isinstance(act, tuple | list) and len(act) == 3:  # the layer went through dropout
            act, mask = act[:2], act[2]
        Z, name = _activation_cache(func, f"{where}[1]", act)
        if Z.shape != (X.shape[0], W.shape[1]):
            raise ValueError(
                f"{func}: {where}[1] holds Z of shape {Z.shape}, but the layer's X {X.shape} "
                f"and W {W.shape} give Z the shape {(X.shape[0], W.shape[1])}"
            )
        if checked and X.shape != checked[-1][1][0].shape:
            raise ValueError(
                f"{func}: {where} does not follow {f'caches[{index - 1}]'}: its input X has "
                f"shape {X.shape}, the previous layer's output {checked[-1][1][0].shape}"
            )
        if mask is not None:
            mask = np.asarray(mask)
            if mask.shape != Z.shape:
                raise ValueError(
                    f"{func}: {where}[1][2] (the dropout mask) must have the shape of Z, "
                    f"{Z.shape}, got {mask.shape}"
                )
            checked.append(((X, W), (Z, name, mask)))
        else:
            checked.append(((X, W), (Z, name)))
    return checked


def _mlp_backward(d_out, caches):
    grads = []
    dA = d_out
    for dense_cache, act_cache in reversed(caches):
        if len(act_cache) == 3:  # the layer's output went through dropout
            dA = dA * act_cache[2]
            act_cache = act_cache[:2]
        dZ = _activation_backward(dA, act_cache)
        dA, dW, db = _dense_backward(dZ, dense_cache)
        grads.append({"W": dW, "b": db})
    return grads[::-1]
