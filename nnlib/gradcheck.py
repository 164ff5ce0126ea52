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

from nnlib._validate import (
    as_array,
    describe,
    function,
    positive,
)
from nnlib.model import _mlp_backward, _mlp_forward
from nnlib.train import _LOSS_CORES, _network_and_data


def numerical_gradient(f, x, h=1e-6):
    """Central-difference gradient of the scalar function `f` at the array `x`.

    Changes one entry of a float64 copy of x at a time; returns an array shaped like x.
    """
    f = function("numerical_gradient", "f", f)
    x = np.array(as_array("numerical_gradient", "x", x, nonempty=True), dtype=np.float64)
    h = positive("numerical_gradient", "h", h, what="the step h")
    return _numerical_gradient(f, x, h, "numerical_gradient")


def _numerical_gradient(f, x, h, func):
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        f_plus = _value(func, f(x), x)
        x[index] = original - h
        f_minus = _value(func, f(x), x)
        x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


def _value(func, value, x):
    """f's value as a float: one finite number, or a clear error."""
    if isinstance(value, bool | np.bool_) or np.ndim(value) != 0:
        shape = f"an array of shape {np.shape(value)}" if np.ndim(value) else describe(value)
        raise TypeError(f"{func}: f must return a single number, got {shape}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{func}: f must return a single number, got {describe(value)}") from None
    if not np.isfinite(number):
        raise ValueError(
            f"{func}: f returned {number} near x = {np.array2string(x, threshold=8)}; it must "
            "return a finite number"
        )
    return number


def relative_error(a, b):
    """`‖a − b‖ / (‖a‖ + ‖b‖)`, the size of the disagreement relative to the gradients'
    size (0 when both are 0). About 1e-7 or less means agreement; 1e-2 or more, a bug.

    Norms over all entries, rather than a ratio per entry, so that entries that should be
    exactly 0 (a dead ReLU unit) and come out as 1e-11 do not count as 100 % wrong.
    """
    a = as_array("relative_error", "a", a, nonempty=True)
    b = as_array("relative_error", "b", b, nonempty=True)
    if a.shape != b.shape:
        raise ValueError(
            f"relative_error: a and b must have the same shape, but the shapes differ: "
            f"{a.shape} and {b.shape}"
        )
    return _relative_error(a, b)


def check_mlp_gradients(params, X, y, activation="relu", loss="softmax_cross_entropy", h=1e-6):
    """Relative error between `mlp_backward` and finite differences, for every parameter.

    Returns a dict like `{"W1": 3e-9, "b1": 1e-10, ...}` (layers numbered from 1). The
    given `params` are not modified.
    """
    func = "check_mlp_gradients"
    params, X, y, activation, loss = _network_and_data(func, params, X, y, activation, loss)
    h = positive(func, "h", h, what="the step h")

    loss_fn, loss_grad = _LOSS_CORES[loss]
    out, caches = _mlp_forward(params, X, activation=activation)
    grads = _mlp_backward(loss_grad(out, y), caches)
    errors = {}
    for number, (layer, grad) in enumerate(zip(params, grads, strict=True), start=1):
        for name in ("W", "b"):

            def cost(value, layer=layer, name=name):
                saved = layer[name]
                layer[name] = value
                try:
                    return loss_fn(_mlp_forward(params, X, activation=activation)[0], y)
                finally:
                    layer[name] = saved

            numeric = _numerical_gradient(cost, np.array(layer[name], dtype=np.float64), h, func)
            errors[f"{name}{number}"] = _relative_error(grad[name], numeric)
    return errors


def _relative_error(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)
