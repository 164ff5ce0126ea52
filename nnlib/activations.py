"""Activation functions and their derivatives.

Derived in: Activation functions (chapters/04_activations).

Each activation `f` comes with `f_derivative(z)`, the elementwise derivative f'(z) at the
pre-activation z, which the backward pass multiplies into the incoming gradient. All of
them accept any array shape and keep the input's floating dtype (float32 stays float32),
and all stay finite for inputs as large as ±1e4.
"""

from __future__ import annotations

import numpy as np

from nnlib._validate import as_array, as_scalar, choice, same_shape

# Every public function checks its argument (a clear error for None, text, NaN or inf,
# naming the function) and then calls its unchecked core, the `_name` function beside
# it; the layers, losses and training loop call the cores on arrays they have checked.


def _z(func, z):
    return as_array(func, "z", z)


def identity(z):
    """f(z) = z (used for output layers that return raw scores)."""
    return _z("identity", z)


def identity_derivative(z):
    """f'(z) = 1."""
    return np.ones_like(_z("identity_derivative", z))


def step(z):
    """Heaviside step: 1 where z >= 0, else 0 (as floats)."""
    return _step(_z("step", z))


def _step(z):
    return (z >= 0).astype(z.dtype)


def step_derivative(z):
    """0 everywhere (undefined at 0): the step gives gradient descent nothing to follow."""
    return np.zeros_like(_z("step_derivative", z))


def sigmoid(z):
    """Logistic sigmoid `1 / (1 + exp(-z))`, computed as `exp(-log(1 + exp(-z)))` so that
    no exp overflows for large |z|."""
    return _sigmoid(_z("sigmoid", z))


def _sigmoid(z):
    return np.exp(-np.logaddexp(np.zeros((), z.dtype), -z))


def sigmoid_derivative(z):
    """σ'(z) = σ(z) (1 − σ(z)); at most 1/4, at z = 0."""
    return _sigmoid_derivative(_z("sigmoid_derivative", z))


def _sigmoid_derivative(z):
    s = _sigmoid(z)
    return s * (1 - s)


def tanh(z):
    """Hyperbolic tangent, `(e^z − e^−z) / (e^z + e^−z)`, in (−1, 1) and zero-centred."""
    return np.tanh(_z("tanh", z))


def tanh_derivative(z):
    """tanh'(z) = 1 − tanh²(z)."""
    return _tanh_derivative(_z("tanh_derivative", z))


def _tanh_derivative(z):
    t = np.tanh(z)
    return 1 - t * t


def relu(z):
    """Rectified linear unit, `max(0, z)`."""
    return _relu(_z("relu", z))


def _relu(z):
    return np.maximum(z, 0)


def relu_derivative(z):
    """1 where z > 0, else 0 (the value 0 is used at z = 0)."""
    return _relu_derivative(_z("relu_derivative", z))


def _relu_derivative(z):
    return (z > 0).astype(z.dtype)


def leaky_relu(z, alpha=0.01):
    """`z` for z >= 0 and `alpha z` for z < 0: a small slope keeps negative units alive."""
    z = _z("leaky_relu", z)
    return _leaky_relu(z, as_scalar("leaky_relu", "alpha", alpha))


def _leaky_relu(z, alpha=0.01):
    return np.where(z >= 0, z, alpha * z).astype(z.dtype)


def leaky_relu_derivative(z, alpha=0.01):
    """1 for z >= 0, `alpha` for z < 0."""
    z = _z("leaky_relu_derivative", z)
    return _leaky_relu_derivative(z, as_scalar("leaky_relu_derivative", "alpha", alpha))


def _leaky_relu_derivative(z, alpha=0.01):
    return np.where(z >= 0, 1.0, alpha).astype(z.dtype)


def _pieces(func, pieces):
    pieces = as_array(func, "pieces", pieces)
    if pieces.ndim == 0 or pieces.size == 0:
        raise ValueError(
            f"{func}: pieces must hold at least one piece along its last axis, shape "
            f"(..., k) with k >= 1 and no axis empty, got shape {pieces.shape}"
        )
    return pieces


def maxout(pieces):
    """Maxout over the last axis: `max_k pieces[..., k]`, where each piece is an affine
    function of the input (e.g. `max(x w1 + b1, x w2 + b2)` with two pieces)."""
    return np.max(_pieces("maxout", pieces), axis=-1)


def maxout_derivative(pieces):
    """∂ max / ∂ piece: 1 for the winning piece (the first one on ties), 0 for the others."""
    pieces = _pieces("maxout_derivative", pieces)
    winner = np.argmax(pieces, axis=-1)[..., None]
    return (np.arange(pieces.shape[-1]) == winner).astype(pieces.dtype)


def softmax(scores, axis=-1):
    """`exp(s_k) / Σ_j exp(s_j)` along `axis`: turns scores (unnormalised log-probabilities)
    into probabilities. The largest score is subtracted first, which changes nothing
    mathematically and keeps every exp at most 1, so no overflow. Infinite scores are
    refused: inf − inf would make the result NaN."""
    s = as_array("softmax", "scores", scores)
    if isinstance(axis, bool | np.bool_) or not isinstance(axis, int | np.integer):
        raise TypeError(f"softmax: axis must be an integer, got {axis!r}")
    if not -s.ndim <= axis < s.ndim:
        raise ValueError(
            f"softmax: axis {axis} does not exist for scores of shape {s.shape} "
            f"({s.ndim} axes)"
        )
    if s.size == 0:
        raise ValueError(f"softmax: scores must not be empty, got shape {s.shape}")
    return _softmax(s, axis)


def _softmax(s, axis=-1):
    shifted = s - np.max(s, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax_backward(d_probs, probs):
    """Gradient through softmax along the last axis: given ∂L/∂p and p = softmax(s), return
    ∂L/∂s = p ∘ (∂L/∂p − Σ_k p_k ∂L/∂p_k)."""
    d_probs = as_array("softmax_backward", "d_probs", d_probs)
    probs = as_array("softmax_backward", "probs", probs)
    if probs.ndim == 0 or probs.shape[-1] == 0:
        raise ValueError(
            f"softmax_backward: probs must be softmax's output, shape (..., k) with k >= 1, "
            f"got shape {probs.shape}"
        )
    same_shape("softmax_backward", "d_probs", d_probs, "probs", probs.shape)
    tolerance = 1e-3 if probs.dtype.itemsize < 8 else 1e-6
    sums = probs.sum(axis=-1)
    if ((probs < 0) | (probs > 1)).any() or not np.allclose(sums, 1, rtol=0, atol=tolerance):
        raise ValueError(
            "softmax_backward: probs must be softmax's output: entries between 0 and 1 that "
            f"sum to 1 along the last axis; got sums {np.unique(sums.round(6))[:4].tolist()}"
        )
    return probs * (d_probs - np.sum(d_probs * probs, axis=-1, keepdims=True))


ACTIVATIONS = {
    "identity": (identity, identity_derivative),
    "step": (step, step_derivative),
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "leaky_relu": (leaky_relu, leaky_relu_derivative),
}
"""Elementwise activations by name: (function, derivative). Maxout and softmax are not
elementwise and have their own functions."""


_CORES = {
    "identity": (lambda z: z, np.ones_like),
    "step": (_step, np.zeros_like),
    "sigmoid": (_sigmoid, _sigmoid_derivative),
    "tanh": (np.tanh, _tanh_derivative),
    "relu": (_relu, _relu_derivative),
    "leaky_relu": (_leaky_relu, _leaky_relu_derivative),
}
"""The unchecked cores of ACTIVATIONS, for callers that have checked their arrays."""


def get_activation(name):
    """The (function, derivative) pair for an activation name, with a clear error."""
    return ACTIVATIONS[_activation_name("get_activation", "name", name)]


def _activation_name(func, name, value):
    """`value` if it names one of ACTIVATIONS, else a clear error from `func`."""
    return choice(func, name, value, ACTIVATIONS, what="activation")
