"""Regularisation: weight penalties, dropout, max-norm, and batch normalisation.

Derived in: Regularisation (chapters/09_regularization).

The penalties act on weight matrices only, never on biases: a bias shifts a unit's
threshold and does not make the model more complex. A penalised cost is
`J = (1/m) Σ_i L_i + λ R(W)`, and its gradient adds `λ ∂R/∂W` to each weight gradient.
"""

from __future__ import annotations

import numpy as np

from nnlib._validate import as_scalar


def _weights(func, weights):
    """A list of weight arrays (one per layer), from one array or a list of them."""
    if isinstance(weights, np.ndarray):
        return [weights]
    try:
        return [np.asarray(W, dtype=float) for W in weights]
    except (TypeError, ValueError):
        raise TypeError(f"{func}: weights must be an array or a list of arrays") from None


def _strength(func, lam):
    lam = as_scalar(func, "lam", lam)
    if lam < 0:
        raise ValueError(f"{func}: the penalty strength lam must be zero or positive, got {lam}")
    return lam


def l2_penalty(weights, lam):
    """`λ Σ W²` over every weight of every layer (some texts write λ/2; see l2_grad)."""
    lam = _strength("l2_penalty", lam)
    return lam * sum(float(np.sum(W * W)) for W in _weights("l2_penalty", weights))


def l2_grad(W, lam):
    """∂(λ Σ W²)/∂W = 2 λ W: every weight is pulled towards 0 in proportion to its size
    ("weight decay")."""
    return 2 * _strength("l2_grad", lam) * np.asarray(W, dtype=float)


def l1_penalty(weights, lam):
    """`λ Σ |W|`: pushes small weights all the way to 0, so it selects few inputs."""
    lam = _strength("l1_penalty", lam)
    return lam * sum(float(np.sum(np.abs(W))) for W in _weights("l1_penalty", weights))


def l1_grad(W, lam):
    """∂(λ Σ |W|)/∂W = λ sign(W) (0 at W = 0): the same pull for every weight, whatever its
    size."""
    return _strength("l1_grad", lam) * np.sign(np.asarray(W, dtype=float))


def elastic_net_penalty(weights, lam, beta=0.5):
    """`λ Σ (β W² + |W|)`: a mix of L2 and L1."""
    lam = _strength("elastic_net_penalty", lam)
    beta = as_scalar("elastic_net_penalty", "beta", beta)
    return lam * sum(
        float(np.sum(beta * W * W + np.abs(W))) for W in _weights("elastic_net_penalty", weights)
    )


def elastic_net_grad(W, lam, beta=0.5):
    """λ (2 β W + sign(W))."""
    W = np.asarray(W, dtype=float)
    beta = as_scalar("elastic_net_grad", "beta", beta)
    return _strength("elastic_net_grad", lam) * (2 * beta * W + np.sign(W))


def max_norm(W, c):
    """Max-norm constraint: rescale every column of W (the weights into one unit) whose
    Euclidean norm exceeds c back to norm c; leave the others. Applied after each update."""
    c = as_scalar("max_norm", "c", c)
    if c <= 0:
        raise ValueError(f"max_norm: the norm bound c must be positive, got {c}")
    W = np.asarray(W, dtype=float)
    norms = np.linalg.norm(W, axis=0, keepdims=True)
    return W * np.minimum(1.0, c / np.maximum(norms, 1e-12))


def dropout_forward(A, p_drop, rng, training=True):
    """Inverted dropout (Srivastava et al., JMLR 2014) on activations A.

    In training, each entry is kept with probability 1 − p_drop and the kept ones are
    divided by 1 − p_drop, so that the expected value of every unit is unchanged. In
    evaluation (`training=False`) nothing is dropped or scaled. Returns `(out, mask)`,
    where mask holds the factor applied to each entry (0 or 1/(1 − p_drop)).
    """
    p_drop = as_scalar("dropout_forward", "p_drop", p_drop)
    if not 0 <= p_drop < 1:
        raise ValueError(f"dropout_forward: p_drop must lie in [0, 1), got {p_drop}")
    A = np.asarray(A, dtype=float)
    if not training or p_drop == 0:
        return A, np.ones_like(A)
    rng = np.random.default_rng(rng)
    mask = (rng.random(A.shape) >= p_drop) / (1 - p_drop)
    return A * mask, mask


def dropout_backward(d_out, mask):
    """The gradient flows only through the kept units, scaled like them: `d_out ∘ mask`."""
    return np.asarray(d_out) * mask


def batchnorm_forward(X, gamma, beta, eps=1e-5):
    """Batch normalisation (Ioffe & Szegedy, 2015) in training mode, for X (m, n).

    Each column is standardised with the batch's mean and variance,
    `x̂ = (x − μ) / sqrt(σ² + ε)`, then scaled and shifted: `out = γ x̂ + β`.
    Returns `(out, cache)`.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] < 2:
        raise ValueError(
            f"batchnorm_forward: X must have shape (m, n) with m >= 2 examples, got {X.shape}"
        )
    gamma, beta = np.asarray(gamma, dtype=float), np.asarray(beta, dtype=float)
    if gamma.shape != (X.shape[1],) or beta.shape != (X.shape[1],):
        raise ValueError(
            f"batchnorm_forward: gamma and beta must have shape ({X.shape[1]},), "
            f"got {gamma.shape} and {beta.shape}"
        )
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
    X_hat, inv_std, gamma = cache
    d_out = np.asarray(d_out, dtype=float)
    dgamma = np.sum(d_out * X_hat, axis=0)
    dbeta = np.sum(d_out, axis=0)
    centred = d_out - d_out.mean(axis=0) - X_hat * np.mean(d_out * X_hat, axis=0)
    return gamma * inv_std * centred, dgamma, dbeta
