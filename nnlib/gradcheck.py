"""Gradient checking: compare a backward pass with finite differences.

Derived in: Backpropagation (chapters/07_backprop).

The derivative of J with respect to one parameter θ_i is close to the central difference

    (J(θ + h e_i) − J(θ − h e_i)) / (2h),

whose error shrinks like h². Computing it for every parameter costs two forward passes
each, far too slow for training, but perfect for testing a backward pass on a small
network. Use float64: in float32 the rounding error of J swamps the difference.
"""

from __future__ import annotations

import numpy as np

from nnlib.model import mlp_backward, mlp_forward
from nnlib.train import LOSSES


def numerical_gradient(f, x, h=1e-6):
    """Central-difference gradient of the scalar function `f` at the array `x`.

    Changes one entry of a float64 copy of x at a time; returns an array shaped like x.
    """
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        f_plus = f(x)
        x[index] = original - h
        f_minus = f(x)
        x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a, b):
    """`‖a − b‖ / (‖a‖ + ‖b‖)`, the size of the disagreement relative to the gradients'
    size (0 when both are 0). About 1e-7 or less means agreement; 1e-2 or more, a bug.

    Norms over all entries, rather than a ratio per entry, so that entries that should be
    exactly 0 (a dead ReLU unit) and come out as 1e-11 do not count as 100 % wrong.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"relative_error: shapes differ, {a.shape} and {b.shape}")
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)


def check_mlp_gradients(params, X, y, activation="relu", loss="softmax_cross_entropy", h=1e-6):
    """Relative error between `mlp_backward` and finite differences, for every parameter.

    Returns a dict like `{"W1": 3e-9, "b1": 1e-10, ...}` (layers numbered from 1).
    """
    loss_fn, loss_grad = LOSSES[loss]
    out, caches = mlp_forward(params, X, activation=activation)
    grads = mlp_backward(loss_grad(out, y), caches)
    errors = {}
    for number, (layer, grad) in enumerate(zip(params, grads, strict=True), start=1):
        for name in ("W", "b"):

            def cost(value, layer=layer, name=name):
                saved = layer[name]
                layer[name] = value
                try:
                    return loss_fn(mlp_forward(params, X, activation=activation)[0], y)
                finally:
                    layer[name] = saved

            numeric = numerical_gradient(cost, layer[name], h=h)
            errors[f"{name}{number}"] = relative_error(grad[name], numeric)
    return errors
