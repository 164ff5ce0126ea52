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
from nnlib._validate import (
    as_array,
    as_class_labels,
    as_matrix,
    choice,
    describe,
    flag,
    fraction,
    layer_sizes,
    mlp_params,
    non_negative,
    positive,
    positive_int,
    rng_or_seed,
)
from nnlib.activations import _activation_name
from nnlib.model import _init_mlp, _mlp_backward, _mlp_forward
from nnlib.optim import _apply_updates, _optimizer_of, _same_structure, sgd
from nnlib.regularization import _l2_grad

LOSSES = {
    "softmax_cross_entropy": (losses.softmax_cross_entropy, losses.softmax_cross_entropy_grad),
    "mse": (losses.mse, losses.mse_grad),
}

# The same losses without their checks, for the training loop: train_mlp checks the labels
# once, and a run that diverges must be able to record its NaN loss and carry on.
_LOSS_CORES = {
    "softmax_cross_entropy": (
        lambda scores, y: float(-np.mean(losses._log_softmax(scores)[np.arange(len(y)), y])),
        lambda scores, y: _softmax_cross_entropy_grad(scores, y),
    ),
    "mse": (
        lambda y_hat, y: float(np.mean(losses._per_example_sum((y_hat - _like(y, y_hat)) ** 2))),
        lambda y_hat, y: 2 * (y_hat - _like(y, y_hat)) / y_hat.shape[0],
    ),
}


def _like(target, pred):
    return target.astype(pred.dtype, copy=False)


def _softmax_cross_entropy_grad(scores, y):
    grad = losses._softmax(scores)
    grad[np.arange(len(y)), y] -= 1
    return grad / len(y)


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
    params = mlp_params("predict_classes", "params", params)
    X = as_matrix("predict_classes", "X", X, n_cols=params[0]["W"].shape[0])
    activation = _activation_name("predict_classes", "activation", activation)
    return _predict_classes(params, X, activation)


def _predict_classes(params, X, activation):
    out, _ = _mlp_forward(params, X, activation=activation)
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
    gradient descent); a batch size larger than m is refused. `optimizer` is an
    `nnlib.optim.Optimizer`; by default plain gradient descent, `nnlib.optim.sgd(lr)`.
    `l2 = λ > 0` adds the penalty λ Σ W² over the weight matrices (not the biases) to the
    cost, so each weight gradient gains 2 λ W.
    `dropout = p > 0` drops hidden units with probability p in every training step
    (inverted dropout). `opt_state` continues an optimiser's state from an earlier call
    (`history.opt_state` holds the state at the end), so training can go on epoch by
    epoch without resetting, e.g., Adam's moments. The recorded accuracy is measured
    without dropout, over the whole training set after each epoch (`track_accuracy=False`
    skips that extra pass).
    The input `params` are left unchanged.
    `progress=True` shows a progress bar over the epochs, unless the environment sets
    NNLIB_PROGRESS=0 (as the test suite does).

    Every argument is checked here, once; the steps then run without further checks, so a
    learning rate that is too large shows as a loss that grows to inf or NaN.
    """
    settings = dict(activation=activation, loss=loss, lr=lr, epochs=epochs)
    settings |= dict(batch_size=batch_size, seed=seed, progress=progress, optimizer=optimizer)
    settings |= dict(l2=l2, dropout=dropout, track_accuracy=track_accuracy, opt_state=opt_state)
    return _train("train_mlp", params, X, y, **settings)


def _network_and_data(func, params, X, y, activation, loss):
    """The checks shared by `train_mlp` and `nnlib.gradcheck.check_mlp_gradients`: an MLP,
    inputs that fit its first layer, a known activation and loss, and labels or targets
    that fit its output. Errors name `func`."""
    params = mlp_params(func, "params", params)
    X = as_matrix(func, "X", X, n_cols=params[0]["W"].shape[0])
    m, n_out = X.shape[0], params[-1]["W"].shape[1]
    activation = _activation_name(func, "activation", activation)
    loss = choice(func, "loss", loss, LOSSES)
    if loss == "softmax_cross_entropy":
        y = as_class_labels(func, "y", y, n_classes=n_out, length=m)
    else:
        y = as_array(func, "y", y)
        if y.shape != (m, n_out):
            raise ValueError(
                f"{func}: y must hold the targets, one row per row of X and one column per "
                f"output: shape ({m}, {n_out}), got {y.shape}"
            )
    return params, X, y, activation, loss


def _train(
    func,
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
    """train_mlp's checks, with the name of the function the student called, then the loop."""
    params, X, y, activation, loss = _network_and_data(func, params, X, y, activation, loss)
    m = X.shape[0]
    lr = positive(func, "lr", lr, what="the learning rate lr")
    epochs = positive_int(func, "epochs", epochs)
    if batch_size is None:
        batch_size = m
    batch_size = positive_int(func, "batch_size", batch_size)
    if batch_size > m:
        raise ValueError(
            f"{func}: batch_size must be at most the number of examples, {m}, got {batch_size} "
            f"(batch_size=None uses all {m} at once)"
        )
    rng = rng_or_seed(func, "seed", seed)
    progress = flag(func, "progress", progress)
    optimizer = sgd(lr) if optimizer is None else _optimizer_of(func, "optimizer", optimizer)
    l2 = non_negative(func, "l2", l2)
    dropout = fraction(func, "dropout", dropout)
    track_accuracy = flag(func, "track_accuracy", track_accuracy)
    if opt_state is None:
        state = optimizer.init(params)
    else:
        _check_opt_state(func, opt_state, optimizer.init(params))
        state = opt_state
    loss_fn, loss_grad = _LOSS_CORES[loss]

    history = History()
    for _ in tqdm(range(epochs), desc="epochs", disable=not show_progress(progress)):
        order = rng.permutation(m) if batch_size < m else np.arange(m)
        total = 0.0
        for start in range(0, m, batch_size):
            rows = order[start : start + batch_size]
            out, caches = _mlp_forward(
                params, X[rows], activation=activation, dropout=dropout, rng=rng
            )
            total += loss_fn(out, y[rows]) * len(rows)
            grads = _mlp_backward(loss_grad(out, y[rows]), caches)
            if l2:
                for layer, grad in zip(params, grads, strict=True):
                    grad["W"] = grad["W"] + _l2_grad(layer["W"], l2)
            updates, state = optimizer.update(grads, state)
            params = _apply_updates(params, updates)
        history.loss.append(total / m)
        if loss == "softmax_cross_entropy" and track_accuracy:
            accuracy = np.mean(_predict_classes(params, X, activation) == y)
            history.accuracy.append(float(accuracy))
    history.opt_state = state
    return params, history


def _check_opt_state(func, opt_state, expected):
    """opt_state must have the structure of the optimiser's own state for these params."""
    if not isinstance(opt_state, dict | list | tuple):
        raise TypeError(
            f"{func}: opt_state must be the optimiser state of an earlier run (history.opt_state), "
            f"got {describe(opt_state)}"
        )
    try:
        _same_structure(func, "opt_state", opt_state, "the optimiser's state", expected)
    except ValueError:
        raise ValueError(
            f"{func}: opt_state does not fit params and the optimiser: it must be the state of "
            f"an earlier run with the same optimiser and network (history.opt_state), got "
            f"{describe(opt_state)}"
        ) from None


def fit_classifier(X, y, hidden=(8,), activation="tanh", lr=0.5, epochs=500, seed=0):
    """Make and train an MLP classifier for integer labels y: input size from X, the
    `hidden` widths, one output score per class. Returns `(params, history)`."""
    func = "fit_classifier"
    X = as_matrix(func, "X", X)
    y = as_class_labels(func, "y", y, n_classes=None, length=X.shape[0])
    hidden = layer_sizes(func, hidden, name="hidden")
    n_classes = int(np.max(y)) + 1
    params = _init_mlp(func, [X.shape[1], *hidden, n_classes], seed=seed)
    return _train(func, params, X, y, activation=activation, lr=lr, epochs=epochs, seed=seed)
