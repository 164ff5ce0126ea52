"""A minimal training loop for the MLPs of `nnlib.model`.

Previewed in: Multi-layer perceptrons (the playground); explained in Gradient descent and
Backpropagation.

One step: forward the batch, compute the loss and its gradient with respect to the
network's output, backpropagate, and move every parameter a little against its gradient,
`θ ← θ − lr ∂J/∂θ`. One epoch visits every example once, in mini-batches drawn from a
seeded shuffle.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from nnlib import losses
from nnlib._validate import as_matrix, as_scalar, positive_int
from nnlib.model import init_mlp, mlp_backward, mlp_forward
from nnlib.optim import apply_updates, sgd
from nnlib.regularization import l2_grad

LOSSES = {
    "softmax_cross_entropy": (losses.softmax_cross_entropy, losses.softmax_cross_entropy_grad),
    "mse": (losses.mse, losses.mse_grad),
}


@dataclass
class History:
    """Per epoch: the mean training loss and the training accuracy (classification only)."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    opt_state: object = None


def show_progress(requested):
    """Whether to draw a progress bar: when asked, and not switched off by NNLIB_PROGRESS=0."""
    return bool(requested) and os.environ.get("NNLIB_PROGRESS", "1") != "0"


def predict_classes(params, X, activation="relu"):
    """The class with the largest output score for every row of X."""
    out, _ = mlp_forward(params, X, activation=activation)
    return np.argmax(out, axis=1)


def train_mlp(
    params,
    X,
    y,
    activation="relu",
    loss="softmax_cross_entropy",
    lr=0.1,
    epochs=100,
    batch_size=None,
    seed=0,
    progress=False,
    optimizer=None,
    l2=0.0,
    dropout=0.0,
    track_accuracy=True,
    opt_state=None,
):
    """Train a copy of `params` by mini-batch gradient descent; return `(params, history)`.

    X: (m, n_0). y: integer class labels (m,) for "softmax_cross_entropy", or targets of
    the output's shape for "mse". `batch_size=None` uses the whole batch each step (batch
    gradient descent). `optimizer` is an `nnlib.optim.Optimizer`; by default plain
    gradient descent, `nnlib.optim.sgd(lr)`. `l2 = λ > 0` adds the penalty λ Σ W² over the
    weight matrices (not the biases) to the cost, so each weight gradient gains 2 λ W.
    `dropout = p > 0` drops hidden units with probability p in every training step
    (inverted dropout). `opt_state` continues an optimiser's state from an earlier call
    (`history.opt_state` holds the state at the end), so training can go on epoch by
    epoch without resetting, e.g., Adam's moments. The recorded accuracy is measured
    without dropout, over the whole training set after each epoch (`track_accuracy=False`
    skips that extra pass).
    The input `params` are left unchanged.
    `progress=True` shows a progress bar over the epochs, unless the environment sets
    NNLIB_PROGRESS=0 (as the test suite does).
    """
    X = as_matrix("train_mlp", "X", X)
    if loss not in LOSSES:
        raise ValueError(f"train_mlp: unknown loss {loss!r}; expected one of {sorted(LOSSES)}")
    lr = as_scalar("train_mlp", "lr", lr)
    if lr <= 0:
        raise ValueError(f"train_mlp: the learning rate lr must be positive, got {lr}")
    epochs = positive_int("train_mlp", "epochs", epochs)
    m = X.shape[0]
    batch_size = m if batch_size is None else positive_int("train_mlp", "batch_size", batch_size)
    loss_fn, loss_grad = LOSSES[loss]
    y = np.asarray(y)
    if y.shape[0] != m:
        raise ValueError(f"train_mlp: y must have one entry per row of X ({m}), got {y.shape}")

    optimizer = sgd(lr) if optimizer is None else optimizer
    state = optimizer.init(params) if opt_state is None else opt_state
    rng = np.random.default_rng(seed)
    history = History()
    for _ in tqdm(range(epochs), desc="epochs", disable=not show_progress(progress)):
        order = rng.permutation(m) if batch_size < m else np.arange(m)
        total = 0.0
        for start in range(0, m, batch_size):
            rows = order[start : start + batch_size]
            out, caches = mlp_forward(
                params, X[rows], activation=activation, dropout=dropout, rng=rng
            )
            total += loss_fn(out, y[rows]) * len(rows)
            grads = mlp_backward(loss_grad(out, y[rows]), caches)
            if l2:
                for layer, grad in zip(params, grads, strict=True):
                    grad["W"] = grad["W"] + l2_grad(layer["W"], l2)
            updates, state = optimizer.update(grads, state)
            params = apply_updates(params, updates)
        history.loss.append(total / m)
        if loss == "softmax_cross_entropy" and track_accuracy:
            history.accuracy.append(float(np.mean(predict_classes(params, X, activation) == y)))
    history.opt_state = state
    return params, history


def fit_classifier(X, y, hidden=(8,), activation="tanh", lr=0.5, epochs=500, seed=0):
    """Make and train an MLP classifier for integer labels y: input size from X, the
    `hidden` widths, one output score per class. Returns `(params, history)`."""
    X = as_matrix("fit_classifier", "X", X)
    n_classes = int(np.max(y)) + 1
    params = init_mlp([X.shape[1], *hidden, n_classes], seed=seed)
    return train_mlp(params, X, y, activation=activation, lr=lr, epochs=epochs, seed=seed)
