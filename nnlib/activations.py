"""Activation functions and their derivatives.

Derived in: Activation functions (chapters/04_activations).

Each activation `f` comes with `f_derivative(z)`, the elementwise derivative f'(z) at the
pre-activation z, which the backward pass multiplies into the incoming gradient. All of
them accept any array shape and keep the input's floating dtype (float32 stays float32),
and all stay finite for inputs as large as ±1e4.
"""

from __future__ import annotations

import numpy as np


def _float(z):
    z = np.asarray(z)
    return z if np.issubdtype(z.dtype, np.floating) else z.astype(float)


def identity(z):
    """f(z) = z (used for output layers that return raw scores)."""
    return _float(z)


def identity_derivative(z):
    """f'(z) = 1."""
    return np.ones_like(_float(z))


def step(z):
    """Heaviside step: 1 where z >= 0, else 0 (as floats)."""
    z = _float(z)
    return (z >= 0).astype(z.dtype)


def step_derivative(z):
    """0 everywhere (undefined at 0): the step gives gradient descent nothing to follow."""
    return np.zeros_like(_float(z))


def sigmoid(z):
    """Logistic sigmoid `1 / (1 + exp(-z))`, computed as `exp(-log(1 + exp(-z)))` so that
    no exp overflows for large |z|."""
    z = _float(z)
    return np.exp(-np.logaddexp(np.zeros((), z.dtype), -z))


def sigmoid_derivative(z):
    """σ'(z) = σ(z) (1 − σ(z)); at most 1/4, at z = 0."""
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    """Hyperbolic tangent, `(e^z − e^−z) / (e^z + e^−z)`, in (−1, 1) and zero-centred."""
    return np.tanh(_float(z))


def tanh_derivative(z):
    """tanh'(z) = 1 − tanh²(z)."""
    t = np.tanh(_float(z))
    return 1 - t * t


def relu(z):
    """Rectified linear unit, `max(0, z)`."""
    z = _float(z)
    return np.maximum(z, 0)


def relu_derivative(z):
    """1 where z > 0, else 0 (the value 0 is used at z = 0)."""
    z = _float(z)
    return (z > 0).astype(z.dtype)


def leaky_relu(z, alpha=0.01):
    """`z` for z >= 0 and `alpha z` for z < 0: a small slope keeps negative units alive."""
    z = _float(z)
    return np.where(z >= 0, z, alpha * z).astype(z.dtype)


def leaky_relu_derivative(z, alpha=0.01):
    """1 for z >= 0, `alpha` for z < 0."""
    z = _float(z)
    return np.where(z >= 0, 1.0, alpha).astype(z.dtype)


def maxout(pieces):
    """Maxout over the last axis: `max_k pieces[..., k]`, where each piece is an affine
    function of the input (e.g. `max(x w1 + b1, x w2 + b2)` with two pieces)."""
    return np.max(_float(pieces), axis=-1)


def maxout_derivative(pieces):
    """∂ max / ∂ piece: 1 for the winning piece (the first one on ties), 0 for the others."""
    pieces = _float(pieces)
    winner = np.argmax(pieces, axis=-1)[..., None]
    return (np.arange(pieces.shape[-1]) == winner).astype(pieces.dtype)


def softmax(scores, axis=-1):
    """`exp(s_k) / Σ_j exp(s_j)` along `axis`: turns scores (unnormalised log-probabilities)
    into probabilities. The largest score is subtracted first, which changes nothing
    mathematically and keeps every exp at most 1, so no overflow."""
    s = _float(scores)
    shifted = s - np.max(s, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax_backward(d_probs, probs):
    """Gradient through softmax along the last axis: given ∂L/∂p and p = softmax(s), return
    ∂L/∂s = p ∘ (∂L/∂p − Σ_k p_k ∂L/∂p_k)."""
    d_probs, probs = _float(d_probs), _float(probs)
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


def get_activation(name):
    """The (function, derivative) pair for an activation name, with a clear error."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]
