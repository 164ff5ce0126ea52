"""Loss functions for a batch, each with its gradient with respect to its first argument.

Derived in: Loss functions (chapters/05_losses).

Conventions. A batch has m examples. Every loss returns the cost `J = (1/m) Σ_i L_i`, the
mean over the batch of the per-example losses L_i; for vector outputs L_i sums over the
outputs. Every `*_grad` returns ∂J/∂(first argument), with the 1/m already included, in the
shape and floating dtype of that argument. Class labels are integer indices 0..k-1.

Losses that take probabilities refuse values outside [0, 1], and clip the others into
[eps, 1 − eps] (eps of the array's dtype), so a probability of exactly 0 or 1 gives a large
but finite loss. Every argument is checked (an empty batch, NaN, inf, labels out of range or
not integers are clear errors naming the function); the training loop calls unchecked
cores of these losses, so that a run that diverges can record its NaN loss. The `_with_logits` and
`softmax_` losses take raw scores and never form a probability that could round to 0.
"""

from __future__ import annotations

import math

import numpy as np

from nnlib._validate import (
    as_array,
    as_batch,
    as_class_labels,
    in_unit_interval,
    positive,
    positive_int,
)
from nnlib.activations import _sigmoid, _softmax


def _pair(func, pred, target, pred_name, target_name, probabilities=False):
    """Float prediction and target of the same shape, with a batch axis first.

    The target takes the prediction's floating dtype (float32 stays float32).
    """
    pred = as_batch(func, pred_name, pred)
    target = as_array(func, target_name, target)
    if pred.shape != target.shape:
        raise ValueError(
            f"{func}: {pred_name} and {target_name} must have the same shape (m,) or (m, k), "
            f"got {pred.shape} and {target.shape}"
        )
    if probabilities:
        in_unit_interval(func, pred_name, pred)
    return pred, target.astype(pred.dtype, copy=False)


def _per_example_sum(values):
    return values if values.ndim == 1 else values.reshape(values.shape[0], -1).sum(axis=1)


def _labels(func, scores, y, scores_name="scores", probabilities=False):
    """Class scores (m, k) and integer labels (m,) with 0 <= y < k."""
    scores = as_array(func, scores_name, scores)
    if scores.ndim != 2 or scores.shape[0] == 0 or scores.shape[1] == 0:
        raise ValueError(
            f"{func}: {scores_name} must have shape (m, k), one row per example and one column "
            f"per class (m, k >= 1), got {scores.shape}"
        )
    if probabilities:
        in_unit_interval(func, scores_name, scores)
    y = _class_indices(func, y, scores.shape, scores_name)
    return scores, y


def _class_indices(func, y, shape, scores_name):
    m, k = shape
    array_like = isinstance(y, list | tuple) or hasattr(y, "__array__")
    try:
        y_shape = np.shape(y) if array_like else None
    except ValueError:  # a ragged list: as_class_labels says what is wrong with it
        y_shape = None
    if y_shape is not None and y_shape != (m,):
        raise ValueError(
            f"{func}: y must hold one class index per row of {scores_name}, shape ({m},), "
            f"got {y_shape}"
        )
    return as_class_labels(func, "y", y, n_classes=k, length=m)


def _binary_targets(func, name, target, allowed=(0, 1)):
    if not np.all(np.isin(target, allowed)):
        found = np.unique(target[~np.isin(target, allowed)])[:5].tolist()
        raise ValueError(
            f"{func}: the targets {name} must be {allowed[0]} or {allowed[1]}, found {found}"
        )


def _clip(p):
    eps = np.finfo(p.dtype).eps
    return np.clip(p, eps, 1 - eps)


def one_hot(y, n_classes):
    """Rows of the identity: `one_hot([2, 0], 3) = [[0, 0, 1], [1, 0, 0]]`."""
    n_classes = positive_int("one_hot", "n_classes", n_classes)
    y = as_class_labels("one_hot", "y", y, n_classes=n_classes, length=None)
    return np.eye(n_classes)[y]


# Regression -------------------------------------------------------------------------------


def mse(y_hat, y):
    """Squared error: `J = (1/m) Σ_i Σ_c (ŷ_ic − y_ic)²`."""
    y_hat, y = _pair("mse", y_hat, y, "y_hat", "y")
    return float(np.mean(_per_example_sum((y_hat - y) ** 2)))


def mse_grad(y_hat, y):
    """∂J/∂ŷ = 2 (ŷ − y) / m."""
    y_hat, y = _pair("mse_grad", y_hat, y, "y_hat", "y")
    return 2 * (y_hat - y) / y_hat.shape[0]


def mae(y_hat, y):
    """Absolute error: `J = (1/m) Σ_i Σ_c |ŷ_ic − y_ic|`."""
    y_hat, y = _pair("mae", y_hat, y, "y_hat", "y")
    return float(np.mean(_per_example_sum(np.abs(y_hat - y))))


def mae_grad(y_hat, y):
    """∂J/∂ŷ = sign(ŷ − y) / m (0 where ŷ = y)."""
    y_hat, y = _pair("mae_grad", y_hat, y, "y_hat", "y")
    return np.sign(y_hat - y) / y_hat.shape[0]


def gaussian_nll(y_hat, y, sigma=1.0):
    """Negative log-likelihood of y when y = ŷ + noise from N(0, σ²):
    `J = (1/m) Σ_i Σ_c [(ŷ_ic − y_ic)² / (2σ²) + ½ log(2πσ²)]`.

    Written as a logarithm from the start: the density itself underflows to 0 for an error
    of about 40σ, and its log would be −inf. With σ fixed this is `mse / (2σ²)` plus a
    constant, which is why least squares is maximum likelihood under Gaussian noise.
    """
    y_hat, y = _pair("gaussian_nll", y_hat, y, "y_hat", "y")
    sigma = positive("gaussian_nll", "sigma", sigma, "the noise level sigma")
    # log σ rather than log σ², and the error divided by σ before squaring, in float64:
    # σ² would underflow to 0 below σ ≈ 1e-154 (and σ itself, in float32, below 1e-45).
    half_log = 0.5 * math.log(2 * math.pi) + math.log(sigma)
    with np.errstate(over="ignore"):  # an error of 1e200 σ costs inf, which is right
        terms = 0.5 * ((y_hat - y).astype(np.float64) / sigma) ** 2 + half_log
    return float(np.mean(_per_example_sum(terms)))


def gaussian_nll_grad(y_hat, y, sigma=1.0):
    """∂J/∂ŷ = (ŷ − y) / (σ² m): the squared error's gradient divided by 2σ²."""
    y_hat, y = _pair("gaussian_nll_grad", y_hat, y, "y_hat", "y")
    sigma = positive("gaussian_nll_grad", "sigma", sigma, "the noise level sigma")
    return (y_hat - y) / sigma / sigma / y_hat.shape[0]


# Two classes ------------------------------------------------------------------------------


def binary_cross_entropy(p, y):
    """`J = −(1/m) Σ_i [y_i log p_i + (1 − y_i) log(1 − p_i)]` for probabilities p of class 1."""
    p, y = _pair("binary_cross_entropy", p, y, "p", "y", probabilities=True)
    _binary_targets("binary_cross_entropy", "y", y)
    p = _clip(p)
    return float(np.mean(_per_example_sum(-(y * np.log(p) + (1 - y) * np.log1p(-p)))))


def binary_cross_entropy_grad(p, y):
    """∂J/∂p = (−y/p + (1 − y)/(1 − p)) / m."""
    p, y = _pair("binary_cross_entropy_grad", p, y, "p", "y", probabilities=True)
    _binary_targets("binary_cross_entropy_grad", "y", y)
    p = _clip(p)
    return (-y / p + (1 - y) / (1 - p)) / p.shape[0]


def binary_cross_entropy_with_logits(z, y):
    """Binary cross-entropy of p = σ(z), computed from the score z itself:
    `L = log(1 + e^z) − y z`, finite for any z."""
    z, y = _pair("binary_cross_entropy_with_logits", z, y, "z", "y")
    _binary_targets("binary_cross_entropy_with_logits", "y", y)
    return float(np.mean(_per_example_sum(np.logaddexp(np.zeros((), z.dtype), z) - y * z)))


def binary_cross_entropy_with_logits_grad(z, y):
    """∂J/∂z = (σ(z) − y) / m: the prediction error itself."""
    z, y = _pair("binary_cross_entropy_with_logits_grad", z, y, "z", "y")
    _binary_targets("binary_cross_entropy_with_logits_grad", "y", y)
    return (_sigmoid(z) - y) / z.shape[0]


def hinge(s, y):
    """Hinge loss for labels y in {−1, +1} and scores s: `J = (1/m) Σ_i max(0, 1 − y_i s_i)`."""
    s, y = _pair("hinge", s, y, "s", "y")
    _binary_targets("hinge", "y", y, allowed=(-1, 1))
    return float(np.mean(_per_example_sum(np.maximum(0, 1 - y * s))))


def hinge_grad(s, y):
    """∂J/∂s = −y / m where the margin y s is below 1, else 0."""
    s, y = _pair("hinge_grad", s, y, "s", "y")
    _binary_targets("hinge_grad", "y", y, allowed=(-1, 1))
    return np.where(y * s < 1, -y, 0).astype(s.dtype) / s.shape[0]


# Many classes -----------------------------------------------------------------------------


def cross_entropy(probs, y):
    """`J = −(1/m) Σ_i log p_{i, y_i}`: minus the log-probability of the right class
    (the same as `−Σ_c y_c log p_c` with one-hot targets)."""
    probs, y = _labels("cross_entropy", probs, y, "probs", probabilities=True)
    picked = _clip(probs[np.arange(len(y)), y])
    return float(-np.mean(np.log(picked)))


def cross_entropy_grad(probs, y):
    """∂J/∂p: −1/(m p_{i,y_i}) at the right class of each row, 0 elsewhere."""
    probs, y = _labels("cross_entropy_grad", probs, y, "probs", probabilities=True)
    grad = np.zeros_like(probs)
    rows = np.arange(len(y))
    grad[rows, y] = -1 / (len(y) * _clip(probs[rows, y]))
    return grad


def log_softmax(scores):
    """`s_k − log Σ_j e^{s_j}` for each row, by the log-sum-exp trick (shift by the max)."""
    scores = as_array("log_softmax", "scores", scores)
    if scores.ndim == 0 or scores.size == 0:
        raise ValueError(
            f"log_softmax: scores must hold at least one score per row, shape (m, k) or (k,) "
            f"with m, k >= 1, got shape {scores.shape}"
        )
    return _log_softmax(scores)


def _log_softmax(scores):
    shifted = scores - np.max(scores, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def softmax_cross_entropy(scores, y):
    """Cross-entropy of softmax(scores), from the scores: `J = −(1/m) Σ_i log softmax(s_i)_{y_i}`.
    Finite for scores of any size."""
    scores, y = _labels("softmax_cross_entropy", scores, y)
    return float(-np.mean(_log_softmax(scores)[np.arange(len(y)), y]))


def softmax_cross_entropy_grad(scores, y):
    """∂J/∂s = (softmax(s) − one_hot(y)) / m."""
    scores, y = _labels("softmax_cross_entropy_grad", scores, y)
    grad = _softmax(scores)
    grad[np.arange(len(y)), y] -= 1
    return grad / len(y)


def multiclass_hinge(scores, y):
    """`J = (1/m) Σ_i Σ_{j ≠ y_i} max(0, s_ij − s_{i y_i} + 1)`: every wrong class should score
    at least 1 below the right one."""
    scores, y = _labels("multiclass_hinge", scores, y)
    margins = _hinge_margins(scores, y)
    return float(np.mean(margins.sum(axis=1)))


def multiclass_hinge_grad(scores, y):
    """∂J/∂s: +1/m for each wrong class inside the margin, and minus their count at y."""
    scores, y = _labels("multiclass_hinge_grad", scores, y)
    active = (_hinge_margins(scores, y) > 0).astype(scores.dtype)
    active[np.arange(len(y)), y] = -active.sum(axis=1)
    return active / len(y)


def _hinge_margins(scores, y):
    rows = np.arange(len(y))
    margins = np.maximum(0, scores - scores[rows, y][:, None] + 1)
    margins[rows, y] = 0
    return margins
