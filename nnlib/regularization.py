"""Regularisation: weight penalties, dropout, max-norm, and batch normalisation.

Derived in: Regularisation (chapters/09_regularization).

The penalties act on weight matrices only, never on biases: a bias shifts a unit's
threshold and does not make the model more complex. A penalised cost is
`J = (1/m) Σ_i L_i + λ R(W)`, and its gradient adds `λ ∂R/∂W` to each weight gradient.
"""

from __future__ import annotations

import numpy as np

from nnlib._validate import (
    as_array,
    as_matrix,
    describe,
    flag,
    fraction,
    non_negative,
    positive,
    rng_or_seed,
    same_shape,
)


def _weights(func, weights):
    """A list of weight arrays (one per layer), from one array or a list of them."""
    if isinstance(weights, np.ndarray) or hasattr(weights, "__array__"):
        return [as_array(func, "weights", weights, nonempty=True)]
    if not isinstance(weights, list | tuple) or len(weights) == 0:
        raise TypeError(
            f"{func}: weights must be an array or a non-empty list of arrays (one per layer), "
            f"got {describe(weights)}"
        )
    if all(isinstance(W, int | float | np.number) for W in weights):  # one list of numbers
        return [np.asarray(as_array(func, "weights", weights), dtype=float)]
    return [
        np.asarray(as_array(func, f"weights[{i}]", W), dtype=float) for i, W in enumerate(weights)
    ]


def _strength(func, lam):
    return non_negative(func, "lam", lam, what="the penalty strength lam")


def _mix(func, beta):
    return non_negative(func, "beta", beta, what="the L2 share beta")


def l2_penalty(weights, lam):
    """`λ Σ W²` over every weight of every layer (some texts write λ/2; see l2_grad)."""
    lam = _strength("l2_penalty", lam)
    return lam * sum(float(np.sum(W * W)) for W in _weights("l2_penalty", weights))


def l2_grad(W, lam):
    """∂(λ Σ W²)/∂W = 2 λ W: every weight is pulled towards 0 in proportion to its size
    ("weight decay")."""
    lam = _strength("l2_grad", lam)
    return _l2_grad(as_array("l2_grad", "W", W), lam)


def _l2_grad(W, lam):
    return 2 * lam * np.asarray(W, dtype=float)


def l1_penalty(weights, lam):
    """`λ Σ |W|`: pushes small weights all the way to 0, so it selects few inputs."""
    lam = _strength("l1_penalty", lam)
    return lam * sum(float(np.sum(np.abs(W))) for W in _weights("l1_penalty", weights))


def l1_grad(W, lam):
    """∂(λ Σ |W|)/∂W = λ sign(W) (0 at W = 0): the same pull for every weight, whatever its
    size."""
    lam = _strength("l1_grad", lam)
    return lam * np.sign(np.asarray(as_array("l1_grad", "W", W), dtype=float))


def elastic_net_penalty(weights, lam, beta=0.5):
    """`λ Σ (β W² + |W|)`: a mix of L2 and L1."""
    lam = _strength("elastic_net_penalty", lam)
    beta = _mix("elastic_net_penalty", beta)
    return lam * sum(
        float(np.sum(beta * W * W + np.abs(W))) for W in _weights("elastic_net_penalty", weights)
    )


def elastic_net_grad(W, lam, beta=0.5):
    """λ (2 β W + sign(W))."""
    lam = _strength("elastic_net_grad", lam)
    beta = _mix("elastic_net_grad", beta)
    W = np.asarray(as_array("elastic_net_grad", "W", W), dtype=float)
    return lam * (2 * beta * W + np.sign(W))


def max_norm(W, c):
    """Max-norm constraint: rescale every column of W (the weights into one unit) whose
    Euclidean norm exceeds c back to norm c; leave the others. Applied after each update."""
    c = positive("max_norm", "c", c, what="the norm bound c")
    W = as_array("max_norm", "W", W)
    if W.ndim not in (1, 2) or W.size == 0:
        raise ValueError(
            f"max_norm: W must be a weight matrix (n_in, n_out) or one unit's weights (n_in,), "
            f"got shape {W.shape}"
        )
    W = np.asarray(W, dtype=float)
    norms = np.linalg.norm(W, axis=0, keepdims=True)
    return W * np.minimum(1.0, c / np.maximum(norms, 1e-12))


def dropout_forward(A, p_drop, rng, training=True):
    """Inverted dropout (Srivastava et al., JMLR 2014) on activations A.

    In training, each entry is kept with probability 1 − p_drop and the kept ones are
    divided by 1 − p_drop, so that the expected value of every unit is unchanged. In
    evaluation (`training=False`) nothing is dropped or scaled. Returns `(out, mask)`,
    where mask holds the factor applied to each entry (0 or 1/(1 − p_drop)). `rng` is a
    numpy Generator or an integer seed.
    """
    p_drop = fraction("dropout_forward", "p_drop", p_drop)
    rng = rng_or_seed("dropout_forward", "rng", rng)
    training = flag("dropout_forward", "training", training)
    A = as_array("dropout_forward", "A", A)
    return _dropout_forward(A, p_drop, rng, training)


def _dropout_forward(A, p_drop, rng, training=True):
    A = np.asarray(A, dtype=float)
    if not training or p_drop == 0:
        return A, np.ones_like(A)
    rng = np.random.default_rng(rng)
    mask = (rng.random(A.shape) >= p_drop) / (1 - p_drop)
    return A * mask, mask


def dropout_backward(d_out, mask):
    """The gradient flows only through the kept units, scaled like them: `d_out ∘ mask`."""
    mask = as_array("dropout_backward", "mask", mask)
    if (mask < 0).any():
        raise ValueError(
            "dropout_backward: mask must be the mask that dropout_forward returned (entries 0 "
            "or 1/(1 − p_drop)), found negative entries"
        )
    d_out = as_array("dropout_backward", "d_out", d_out)
    same_shape("dropout_backward", "d_out", d_out, "mask", mask.shape)
    return d_out * mask


def batchnorm_forward(X, gamma, beta, eps=1e-5):
    """Batch normalisation (Ioffe & Szegedy, 2015) in training mode, for X (m, n).

    Each column is standardised with the batch's mean and variance,
    `x̂ = (x − μ) / sqrt(σ² + ε)`, then scaled and shifted: `out = γ x̂ + β`.
    Returns `(out, cache)`.
    """
    X = as_array("batchnorm_forward", "X", X)
    if X.ndim != 2 or X.shape[0] < 2 or X.shape[1] == 0:
        raise ValueError(
            f"batchnorm_forward: X must have shape (m, n) with m >= 2 examples, got {X.shape}"
        )
    X = np.asarray(X, dtype=float)
    gamma = as_array("batchnorm_forward", "gamma", gamma)
    beta = as_array("batchnorm_forward", "beta", beta)
    for name, value in (("gamma", gamma), ("beta", beta)):
        if value.shape != (X.shape[1],):
            raise ValueError(
                f"batchnorm_forward: gamma and beta must have shape ({X.shape[1]},), one entry "
                f"per column of X, but {name} has shape {value.shape}"
            )
    eps = positive("batchnorm_forward", "eps", eps)
    gamma, beta = np.asarray(gamma, dtype=float), np.asarray(beta, dtype=float)
    mu = X.mean(axis=0)
    inv_std = 1 / np.sqrt(X.var(axis=0) + eps)
    X_hat = (X - mu) * inv_std
    return gamma * X_hat + beta, (X_hat, inv_std, gamma)


def batchnorm_backward(d_out, cache):
    """Gradients of batch normalisation: returns `(dX, dgamma, dbeta)`.

    Every output depends on every input of its column through μ and σ², which gives
    `dX = (γ / sqrt(σ² + ε)) (d − mean(d) − x̂ mean(d ∘ x̂))`, with d = d_out = ∂J/∂out and
    the means taken over the batch. (The gradient with respect to x̂ is γ ∘ d; γ is
    factored out in front.)
    """
    X_hat, inv_std, gamma = _batchnorm_cache("batchnorm_backward", cache)
    d_out = as_array("batchnorm_backward", "d_out", d_out)
    same_shape("batchnorm_backward", "d_out", d_out, "the layer's output", X_hat.shape)
    d_out = np.asarray(d_out, dtype=float)
    dgamma = np.sum(d_out * X_hat, axis=0)
    dbeta = np.sum(d_out, axis=0)
    centred = d_out - d_out.mean(axis=0) - X_hat * np.mean(d_out * X_hat, axis=0)
    return gamma * inv_std * centred, dgamma, dbeta


def _batchnorm_cache(func, cache):
    """The cache (X_hat, inv_std, gamma) that batchnorm_forward returned, checked."""
    if not isinstance(cache, tuple | list) or len(cache) != 3:
        raise TypeError(
            f"{func}: cache must be the cache (X_hat, inv_std, gamma) that batchnorm_forward "
            f"returned, got {describe(cache)}"
        )
    X_hat = as_matrix(func, "cache[0] (X_hat)", cache[0])
    n = X_hat.shape[1]
    parts = []
    for index, label in ((1, "inv_std"), (2, "gamma")):
        part = as_array(func, f"cache[{index}] ({label})", cache[index])
        if part.shape != (n,):
            raise ValueError(
                f"{func}: cache[{index}] ({label}) must have shape ({n},), one entry per "
                f"column of X_hat {X_hat.shape}, got {part.shape}"
            )
        parts.append(part)
    return X_hat, *parts
