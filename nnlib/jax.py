"""JAX counterparts of nnlib's training pieces, for the MNIST chapter.

Derived in: MNIST end to end (chapters/10_mnist).

The formulas are the ones the NumPy modules implement; JAX adds three things:
`jax.grad` computes the backward pass from the forward one, `jax.jit` compiles a whole
training step, and `jax.lax.scan` runs every step of an epoch inside one compiled call
with the data already on the device. Randomness goes through explicit `jax.random` keys.

Parameters are the same plain structure as in `nnlib.model`: a list of
`{"W": (n_in, n_out), "b": (n_out,)}` dicts (with convolution layers for the CNN).
Importing this module imports JAX; the rest of nnlib never does.
"""

from __future__ import annotations

from functools import cache, partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

ACTIVATIONS = {"relu": jax.nn.relu, "tanh": jnp.tanh, "sigmoid": jax.nn.sigmoid}

# XLA's CPU compiler can hand a matrix product to one of two kernel libraries: YNNPACK,
# its default in this JAX, or Eigen, its older path. For the shapes this book trains
# with, Eigen's kernels are the faster ones on the two-core machine we measured: the
# benchmark's epoch of the 784-256-128-10 MLP at batch 128 took a median 0.75 s against
# 0.82 s (30 epochs of each, interleaved), and a step of the chapter's CNN 27 ms against
# 40 ms. YNNPACK wins on one large 2048 x 2048 product. An empty list of YNNPACK fusion
# types sends every product to Eigen. The option only changes which CPU kernels run, and so
# the last bits of rounding; other backends do not read it. Every function below is
# compiled with it.
COMPILER_OPTIONS = {"xla_cpu_experimental_ynn_fusion_type": ""}


def jit(fun, **kwargs):
    """`jax.jit(fun, **kwargs)` with this module's COMPILER_OPTIONS."""
    return jax.jit(fun, compiler_options=COMPILER_OPTIONS, **kwargs)


# --- the MLP ----------------------------------------------------------------------------


def init_mlp(key, sizes, dtype=jnp.float32):
    """He-normal weights, N(0, 2/n_in), and zero biases for layer widths `sizes`."""
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        key, sub = jax.random.split(key)
        W = jax.random.normal(sub, (n_in, n_out), dtype) * jnp.sqrt(2.0 / n_in).astype(dtype)
        params.append({"W": W, "b": jnp.zeros(n_out, dtype)})
    return params


def mlp_forward(params, X, activation="relu", dropout=0.0, key=None):
    """Scores (m, n_L) of the MLP; with `dropout > 0` and a `key`, inverted dropout on every
    hidden layer (training mode)."""
    f = ACTIVATIONS[activation]
    A = X
    for index, layer in enumerate(params):
        Z = A @ layer["W"] + layer["b"]
        if index == len(params) - 1:
            return Z
        A = f(Z)
        if dropout > 0:
            key, sub = jax.random.split(key)
            keep = jax.random.bernoulli(sub, 1 - dropout, A.shape)
            A = jnp.where(keep, A / (1 - dropout), 0)
    return A


def softmax_cross_entropy(scores, y):
    """Mean of −log softmax(s)_y over the batch, computed with log-sum-exp."""
    log_p = jax.nn.log_softmax(scores)
    return -jnp.mean(jnp.take_along_axis(log_p, y[:, None], axis=1))


def l2_penalty(params, l2):
    """l2 Σ W² over every layer's weights (not the biases).

    A plain Python 0 gives 0 without touching the weights. Written as `0 * Σ W²`, the
    term would still be computed, and so would its gradient 0·2W, at every step: XLA may
    not simplify 0·x for floats (0·inf is nan). Reading every weight once more also made
    XLA copy the weights inside the epoch loop; for the MNIST MLP the unused term cost
    about an eighth of each step (benchmarks/mnist_mlp.py: 0.51 s against 0.45 s per epoch).
    """
    if isinstance(l2, int | float) and l2 == 0:
        return 0.0
    return l2 * sum(jnp.sum(layer["W"] ** 2) for layer in params)


def mlp_loss(params, X, y, activation="relu", l2=0.0, dropout=0.0, key=None):
    """Cost J = mean softmax cross-entropy + l2 Σ W² (weights only, not biases)."""
    scores = mlp_forward(params, X, activation, dropout, key)
    return softmax_cross_entropy(scores, y) + l2_penalty(params, l2)


# --- optimisers: the formulas of nnlib.optim, on JAX arrays -------------------------------


class Optimizer(NamedTuple):
    """`init(params) -> state`, `update(grads, state, lr_scale) -> (updates, state)`."""

    init: object
    update: object


# The optimisers are cached: the same settings give back the same object. `train_epoch`
# names its optimiser as a static argument, which jax.jit compares by identity, so two
# runs with `adam(1e-3)` then share one compiled epoch instead of compiling it twice
# (about a second each for the MNIST MLP).


@cache
def sgd(lr):
    """θ ← θ − lr·g (scaled by the schedule's factor)."""

    def init(params):
        return ()

    def update(grads, state, lr_scale=1.0):
        return jax.tree.map(lambda g: -lr * lr_scale * g, grads), state

    return Optimizer(init, update)


@cache
def adam(lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam as `nnlib.optim.adam` computes it: moments m, v with bias correction."""

    def init(params):
        return {
            "t": jnp.zeros((), jnp.int32),
            "m": jax.tree.map(jnp.zeros_like, params),
            "v": jax.tree.map(jnp.zeros_like, params),
        }

    def update(grads, state, lr_scale=1.0):
        t = state["t"] + 1
        m = jax.tree.map(lambda m, g: beta1 * m + (1 - beta1) * g, state["m"], grads)
        v = jax.tree.map(lambda v, g: beta2 * v + (1 - beta2) * g * g, state["v"], grads)
        # The same step as lr·m̂/(√v̂ + ε), in the cheaper order Kingma & Ba suggest: both
        # bias corrections go into one scalar step size, and ε is scaled to stay where the
        # textbook form puts it. Per parameter that is one square root and one division
        # instead of three divisions: about a fifth of the optimiser's time on MNIST.
        c1, c2 = 1 - beta1**t, 1 - beta2**t
        rate = lr * lr_scale * jnp.sqrt(c2) / c1
        eps_t = eps * jnp.sqrt(c2)
        step = jax.tree.map(lambda m, v: -rate * m / (jnp.sqrt(v) + eps_t), m, v)
        return step, {"t": t, "m": m, "v": v}

    return Optimizer(init, update)


def apply_updates(params, updates):
    """params + updates, leaf by leaf (keeping each parameter's dtype)."""
    return jax.tree.map(lambda p, u: p + u.astype(p.dtype), params, updates)


# --- a whole epoch in one compiled call ---------------------------------------------------


def shuffled_order(key, n):
    """A uniformly random order of the indices 0 … n−1, drawn with `key`.

    Every index gets 64 random bits, as two 32-bit numbers, and one sort by them puts the
    indices in random order. Two indices draw the same bits with probability about
    n²/2⁶⁵ (1e-10 for MNIST's 60,000); the sort then keeps those two in index order.
    `jax.random.permutation` gets the same guarantee from two sorts by 32-bit numbers; on
    a CPU one sort is faster (measured here for n = 60,000: 17 ms against 26 ms, which
    is 4% of an MNIST epoch).
    """
    high, low = jax.random.bits(key, (2, n), jnp.uint32)
    return jax.lax.sort((high, low, jnp.arange(n, dtype=jnp.int32)), num_keys=2)[2]


def _epoch_batches(key, m, batch_size):
    """An epoch's batches of row indices (m // batch_size of them, shuffled with `key`;
    the remainder waits for the next epoch's shuffle) and one random key per step."""
    n_batches = m // batch_size
    shuffle_key, step_key = jax.random.split(key)
    order = shuffled_order(shuffle_key, m)[: n_batches * batch_size]
    return order.reshape(n_batches, batch_size), jax.random.split(step_key, n_batches)


@partial(jit, static_argnames=("loss_fn", "optimizer", "batch_size"))
def train_epoch(params, opt_state, X, y, key, lr_scale, *, loss_fn, optimizer, batch_size):
    """One epoch of mini-batch training, compiled: shuffle with `key`, cut the data into
    `m // batch_size` batches (the remainder waits for the next epoch's shuffle), and run
    every step with `jax.lax.scan`. X and y should already be on the device.

    `loss_fn(params, X_batch, y_batch, key)` returns the cost. Returns the new params,
    the optimiser state and the mean training loss over the epoch's steps.
    """
    batches, step_keys = _epoch_batches(key, X.shape[0], batch_size)

    def step(carry, inputs):
        params, opt_state = carry
        rows, step_key = inputs
        loss, grads = jax.value_and_grad(loss_fn)(params, X[rows], y[rows], step_key)
        updates, opt_state = optimizer.update(grads, opt_state, lr_scale)
        return (apply_updates(params, updates), opt_state), loss

    (params, opt_state), losses = jax.lax.scan(step, (params, opt_state), (batches, step_keys))
    return params, opt_state, jnp.mean(losses)


@partial(jit, static_argnames=("loss_fn", "optimizer"))
def train_step(params, opt_state, X_batch, y_batch, key, lr_scale, *, loss_fn, optimizer):
    """One compiled step: the gradient of `loss_fn` on one batch and one optimiser update.
    Returns the new params, the optimiser state and the batch's loss."""
    loss, grads = jax.value_and_grad(loss_fn)(params, X_batch, y_batch, key)
    updates, opt_state = optimizer.update(grads, opt_state, lr_scale)
    return apply_updates(params, updates), opt_state, loss


def train_epoch_stepwise(params, opt_state, X, y, key, lr_scale, *, loss_fn, optimizer, batch_size):
    """The same epoch as `train_epoch` (same shuffle, same batches, same keys), but with a
    Python loop calling the compiled `train_step`.

    On a CPU, XLA runs convolutions inside `lax.scan` about ten times slower than in a
    separately compiled step (measured on two cores for the chapter's small CNN: 290 ms
    against 30 ms per step), so convolutional networks train with this loop; for the MLP
    the scan is faster.
    """
    batches, step_keys = _epoch_batches(key, X.shape[0], batch_size)
    losses = []
    for rows, k in zip(batches, step_keys, strict=True):
        params, opt_state, loss = train_step(
            params, opt_state, X[rows], y[rows], k, lr_scale, loss_fn=loss_fn, optimizer=optimizer
        )
        losses.append(loss)
    return params, opt_state, jnp.mean(jnp.stack(losses))


@partial(jit, static_argnames=("predict_fn", "batch_size"))
def _predict_batches(params, X, *, predict_fn, batch_size):
    n = X.shape[0] // batch_size
    scores = jax.lax.map(
        lambda rows: predict_fn(params, rows),
        X[: n * batch_size].reshape(n, batch_size, *X.shape[1:]),
    )
    return scores.reshape(n * batch_size, -1)


def predict_scores(params, X, predict_fn, batch_size=1000):
    """Scores for every row of X, computed in compiled batches (evaluation mode)."""
    X = jnp.asarray(X)
    n_full = (X.shape[0] // batch_size) * batch_size
    parts = []
    if n_full:
        parts.append(
            _predict_batches(params, X[:n_full], predict_fn=predict_fn, batch_size=batch_size)
        )
    if n_full < X.shape[0]:
        parts.append(jit(predict_fn)(params, X[n_full:]))
    return np.asarray(jnp.concatenate(parts))


def accuracy(params, X, y, predict_fn, batch_size=1000):
    """Fraction of rows whose highest score is the label."""
    return float(np.mean(predict_scores(params, X, predict_fn, batch_size).argmax(1) == y))


# --- a small convolutional network ---------------------------------------------------------


def conv2d(X, W, b):
    """'Same' 2-D convolution of images X (m, h, w, c_in) with filters W (k, k, c_in, c_out)
    and biases b (c_out,), by `jax.lax.conv_general_dilated`."""
    Z = jax.lax.conv_general_dilated(
        X, W, window_strides=(1, 1), padding="SAME", dimension_numbers=("NHWC", "HWIO", "NHWC")
    )
    return Z + b


def max_pool(X, size=2):
    """Largest value of every size x size block (stride = size), for (m, h, w, c) images.

    Written as a reshape and a max rather than `jax.lax.reduce_window`: the same numbers,
    but its gradient compiles to far faster code on a CPU (measured: a CNN step about 3x
    faster).
    """
    m, h, w, c = X.shape
    return X.reshape(m, h // size, size, w // size, size, c).max(axis=(2, 4))


def init_cnn(key, channels=(32, 64), hidden=128, n_classes=10, kernel=3, dtype=jnp.float32):
    """Two conv+pool blocks on 28x28x1 images, then a dense hidden layer and the scores.
    He-normal initialisation throughout."""
    keys = jax.random.split(key, len(channels) + 2)
    params, c_in = [], 1
    for k, c_out in zip(keys, channels, strict=False):
        fan_in = kernel * kernel * c_in
        W = jax.random.normal(k, (kernel, kernel, c_in, c_out), dtype) * np.sqrt(2 / fan_in)
        params.append({"W": W.astype(dtype), "b": jnp.zeros(c_out, dtype)})
        c_in = c_out
    side = 28 // 2 ** len(channels)
    flat = side * side * c_in
    params += init_mlp(keys[-1], [flat, hidden, n_classes], dtype)
    return params


def cnn_forward(params, X, dropout=0.0, key=None):
    """Scores of the CNN for images X (m, 28, 28, 1) or flat rows (m, 784)."""
    A = X.reshape(X.shape[0], 28, 28, 1).astype(params[0]["W"].dtype)
    n_conv = len(params) - 2
    for layer in params[:n_conv]:
        A = max_pool(jax.nn.relu(conv2d(A, layer["W"], layer["b"])))
    return mlp_forward(params[n_conv:], A.reshape(A.shape[0], -1), "relu", dropout, key)


def cnn_loss(params, X, y, l2=0.0, dropout=0.0, key=None):
    """Mean softmax cross-entropy of the CNN + l2 Σ W²."""
    return softmax_cross_entropy(cnn_forward(params, X, dropout, key), y) + l2_penalty(params, l2)
