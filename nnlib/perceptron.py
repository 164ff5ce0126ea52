"""The perceptron: a threshold unit and Rosenblatt's learning rule.

Derived in: The perceptron (chapters/02_perceptron).

Notation (batch-first, as in the whole book): an example is a row vector `x` of n inputs,
a batch is `X` of shape (m, n), the weights are `w` of shape (n,), the bias `b` is a number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nnlib._validate import (
    as_array,
    as_binary_labels,
    as_class_labels,
    as_matrix,
    as_scalar,
    as_vector,
    describe,
    positive,
    positive_int,
    rng_or_seed,
)


def step(z):
    """Heaviside step with step(0) = 1: `1 if z >= 0 else 0`, elementwise, as ints."""
    return _step(as_array("step", "z", z))


def _step(z):
    return (np.asarray(z) >= 0).astype(int)


def perceptron_predict(X, w, b):
    """Outputs of a threshold unit for a batch: `step(X @ w + b)`.

    X: (m, n) inputs, one example per row; w: (n,); b: number. Returns (m,) of 0/1 ints.
    """
    w = as_vector("perceptron_predict", "w", w)
    X = as_matrix("perceptron_predict", "X", X, n_cols=w.shape[0], per="one per weight in w")
    b = as_scalar("perceptron_predict", "b", b)
    return _step(X @ w + b)


def perceptron_update(w, b, x, y, lr=1.0):
    """One step of the perceptron rule on one example; returns new `(w, b)`.

    `y_hat = step(x @ w + b)`, then `w <- w + lr (y - y_hat) x` and `b <- b + lr (y - y_hat)`.
    Nothing changes when the unit is already right (y - y_hat = 0). The inputs are not modified.
    """
    w = as_vector("perceptron_update", "w", w)
    x = as_vector("perceptron_update", "x", x, length=w.shape[0], per="one per weight in w")
    b = as_scalar("perceptron_update", "b", b)
    lr = _positive_rate("perceptron_update", lr)
    if isinstance(y, bool | np.bool_) or np.ndim(y) != 0 or not isinstance(y, int | np.number):
        raise TypeError(f"perceptron_update: y must be the label 0 or 1, got {describe(y)}")
    if y not in (0, 1):
        raise ValueError(f"perceptron_update: y must be the label 0 or 1, got {y!r}")
    return _update(w, b, x, y, lr)


def _update(w, b, x, y, lr):
    error = y - int(x @ w + b >= 0)
    return w + lr * error * x, b + lr * error


@dataclass
class PerceptronResult:
    """What `train_perceptron` learned, and how the learning went.

    `epochs` counts full passes over the data, including the last, mistake-free one when
    `converged` is True. `mistakes[e]` is the number of updates made in pass e, and
    `history[e]` the `(w, b)` at the end of that pass.
    """

    w: np.ndarray
    b: float
    converged: bool
    epochs: int
    mistakes: list[int] = field(default_factory=list)
    history: list[tuple[np.ndarray, float]] = field(default_factory=list)


def train_perceptron(X, y, lr=1.0, max_epochs=100, w_init=None, b_init=0.0, seed=None):
    """Run the perceptron rule over the data until a pass makes no mistake.

    Stops after `max_epochs` passes at most, and reports whether it converged (a pass with
    no update). X: (m, n); y: (m,) labels in {0, 1}. The weights start at `w_init` (zeros by
    default) and `b_init`. With `seed=None` the examples are visited in their given order;
    with an integer seed, in a fresh seeded shuffle each pass.
    """
    X = as_matrix("train_perceptron", "X", X)
    y = as_binary_labels("train_perceptron", "y", y, length=X.shape[0])
    lr = _positive_rate("train_perceptron", lr)
    max_epochs = positive_int("train_perceptron", "max_epochs", max_epochs)
    n = X.shape[1]
    w = np.zeros(n) if w_init is None else as_vector("train_perceptron", "w_init", w_init, n)
    b = as_scalar("train_perceptron", "b_init", b_init)
    rng = rng_or_seed("train_perceptron", "seed", seed, allow_none=True)

    result = PerceptronResult(w=w.copy(), b=b, converged=False, epochs=0)
    for _ in range(max_epochs):
        order = np.arange(len(y)) if rng is None else rng.permutation(len(y))
        mistakes = 0
        for i in order:
            w_new, b_new = _update(w, b, X[i], y[i], lr)
            if b_new != b or np.any(w_new != w):
                mistakes += 1
            w, b = w_new, b_new
        result.epochs += 1
        result.mistakes.append(mistakes)
        result.history.append((w.copy(), b))
        if mistakes == 0:
            result.converged = True
            break
    result.w, result.b = w, b
    return result


def multiclass_predict(X, W, b):
    """Class with the highest score for each row of X: `argmax(X @ W + b, axis=1)`.

    X: (m, n); W: (n, k), one column of weights per class; b: (k,). Returns (m,) ints.
    """
    W = as_matrix("multiclass_predict", "W", W, weights=True)
    X = as_matrix("multiclass_predict", "X", X, n_cols=W.shape[0], per="one per row of W")
    b = as_vector("multiclass_predict", "b", b, length=W.shape[1], per="one per column of W")
    return np.argmax(X @ W + b, axis=1)


@dataclass
class MulticlassResult:
    """What `train_multiclass_perceptron` learned: W (n, k), b (k,), and the run's record."""

    W: np.ndarray
    b: np.ndarray
    converged: bool
    epochs: int
    mistakes: list[int] = field(default_factory=list)


def train_multiclass_perceptron(X, y, n_classes, lr=1.0, max_epochs=100):
    """The perceptron rule with one unit (one column of W) per class.

    On a mistake, the true class's weights move towards x and the wrongly chosen class's
    weights move away from it: `W[:, y] += lr x`, `W[:, y_hat] -= lr x` (and the same for b).
    Visits the examples in order and stops after a pass with no mistake, or `max_epochs`.
    """
    X = as_matrix("train_multiclass_perceptron", "X", X)
    n_classes = positive_int("train_multiclass_perceptron", "n_classes", n_classes)
    y = as_class_labels("train_multiclass_perceptron", "y", y, n_classes, X.shape[0])
    lr = _positive_rate("train_multiclass_perceptron", lr)
    max_epochs = positive_int("train_multiclass_perceptron", "max_epochs", max_epochs)

    W = np.zeros((X.shape[1], n_classes))
    b = np.zeros(n_classes)
    result = MulticlassResult(W=W, b=b, converged=False, epochs=0)
    for _ in range(max_epochs):
        mistakes = 0
        for x, target in zip(X, y, strict=True):
            guess = int(np.argmax(x @ W + b))
            if guess != target:
                mistakes += 1
                W[:, target] += lr * x
                b[target] += lr
                W[:, guess] -= lr * x
                b[guess] -= lr
        result.epochs += 1
        result.mistakes.append(mistakes)
        if mistakes == 0:
            result.converged = True
            break
    return result


def _positive_rate(func, lr):
    return positive(func, "lr", lr, what="the learning rate lr")
