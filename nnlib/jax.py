"""JAX counterparts of nnlib's training pieces, for the MNIST chapter.

Derived in: MNIST end to end (chapters/12_mnist).

The formulas are the ones the NumPy modules implement; JAX adds three things:
`jax.grad` computes the backward pass from the forward one, `jax.jit` compiles a whole
training step, and `jax.lax.scan` runs every step of an epoch inside one compiled call
with the data already on the device. Randomness goes through explicit `jax.random` keys.

Parameters are the same plain structure as in `nnlib.model`: a list of
`{"W": (n_in, n_out), "b": (n_out,)}` dicts (with convolution layers for the CNN).
Importing this module imports JAX; the rest of nnlib never does.

Every public function checks its arguments in plain Python before anything is compiled,
with messages that name it, like the NumPy modules do. The checks read shapes and dtypes;
values (NaN, labels out of range) are checked only where they are concrete, never inside a
compiled function: a function called under `jax.jit` or `jax.grad` sees tracers, whose
values do not exist yet, and checks their shapes only. The compiled epoch runs no check at
all. Labels and data already on the device are checked once per array (JAX arrays never
change), not once per epoch.
"""

from __future__ import annotations

import numbers
import weakref
from functools import cache, partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from nnlib import _validate as validate

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
    validate.function("jit", "fun", fun)
    return jax.jit(fun, compiler_options=COMPILER_OPTIONS, **kwargs)


# --- checks on the Python side -------------------------------------------------------------


def _traced(x):
    """True for a tracer: a value inside jax.jit, jax.grad or lax.scan, known by its shape
    and dtype only."""
    return isinstance(x, jax.core.Tracer)


def _array(func, name, x, kind="float", what=None):
    """`x` as an array (a JAX or NumPy array, or a list turned into one), of a floating
    (or, with kind="int", integer) dtype; integers pass as floats too. Nothing is copied to
    or from the device."""
    what = what or ("an array of numbers" if kind == "float" else "an array of integers")
    if isinstance(x, jax.Array | np.ndarray):
        arr = x
    elif validate.not_numbers(x) or isinstance(x, bool | np.bool_):
        raise TypeError(f"{func}: {name} must be {what}, got {validate.describe(x)}")
    elif isinstance(x, list | tuple | numbers.Number | np.generic):
        try:
            arr = np.asarray(x)
        except (TypeError, ValueError):
            raise TypeError(f"{func}: {name} must be {what}, got {validate.describe(x)}") from None
    else:
        raise TypeError(f"{func}: {name} must be {what}, got {validate.describe(x)}")
    integer = jnp.issubdtype(arr.dtype, jnp.integer)
    floating = jnp.issubdtype(arr.dtype, jnp.floating)
    if (kind == "float" and not (floating or integer)) or (kind == "int" and not integer):
        raise TypeError(f"{func}: {name} must be {what}, got an array of dtype {arr.dtype}")
    return arr


def _finite(func, name, arr):
    """Refuse NaN and inf in a concrete array (a tracer's values are not known yet)."""
    if _traced(arr) or not jnp.issubdtype(arr.dtype, jnp.floating):
        return
    if not _once(("finite",), arr, lambda: bool(_all_finite(arr))):
        raise ValueError(f"{func}: {name} contains NaN or infinite values")


def _all_finite(tree):
    """Every floating leaf of `tree` finite (read on the host: no compilation)."""
    return all(
        bool(np.isfinite(np.asarray(leaf)).all())
        for leaf in jax.tree.leaves(tree)
        if jnp.issubdtype(leaf.dtype, jnp.floating)
    )


# Device arrays never change, so a check that one passed is remembered (by identity, for as
# long as the array lives): the data and labels of a training run are checked in the first
# epoch only.
_PASSED: dict[tuple, weakref.ref] = {}


def _once(kind, arr, check):
    """check() for `arr`, remembered when `arr` is a device array that passed it."""
    if not isinstance(arr, jax.Array):
        return check()
    key = (*kind, id(arr))
    ref = _PASSED.get(key)
    if ref is not None and ref() is arr:
        return True
    if not check():
        return False
    _PASSED[key] = weakref.ref(arr, lambda _, key=key: _PASSED.pop(key, None))
    return True


def _labels(func, name, y, m, n_classes=None, rows_of="X"):
    """Integer class labels of shape (m,), in 0 .. n_classes-1 when their values are known."""
    y = _array(func, name, y, kind="int", what="an array of integer class labels")
    if y.shape != (m,):
        raise ValueError(
            f"{func}: {name} must hold one class label per example (row of {rows_of}), shape "
            f"({m},), got {y.shape}"
        )
    if _traced(y) or m == 0:
        return y
    top = "" if n_classes is None else f"..{n_classes - 1}"

    def in_range():
        values = np.asarray(y)
        return values.min() >= 0 and (n_classes is None or values.max() < n_classes)

    if not _once(("labels", n_classes), y, in_range):
        values = np.asarray(y)
        bad = values[(values < 0) | (values >= (n_classes or np.iinfo(values.dtype).max))]
        raise ValueError(
            f"{func}: {name} must hold class labels 0{top}, found {np.unique(bad)[:5].tolist()}"
        )
    return y


def _key(func, name, key):
    """A JAX random key: jax.random.PRNGKey(seed) (two uint32) or jax.random.key(seed)."""
    if isinstance(key, jax.Array | np.ndarray):
        if jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key) and key.shape == ():
            return key
        if key.dtype == np.uint32 and key.shape == (2,):
            return key
    raise TypeError(
        f"{func}: {name} must be a JAX random key such as jax.random.PRNGKey(0), got "
        f"{validate.describe(key)}"
    )


def _float_dtype(func, name, dtype):
    if dtype is None:
        raise TypeError(f"{func}: {name} must be a floating dtype such as jnp.float32, got None")
    try:
        dtype = jnp.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"{func}: {name} must be a floating dtype such as jnp.float32, got "
            f"{validate.describe(dtype)}"
        ) from None
    if not jnp.issubdtype(dtype, jnp.floating):
        raise TypeError(f"{func}: {name} must be a floating dtype such as jnp.float32, got {dtype}")
    return dtype


def _layer_list(func, name, params, min_layers=1):
    """A non-empty list of layer dicts, each with arrays "W" and "b"."""
    if not isinstance(params, list | tuple) or len(params) < min_layers:
        raise TypeError(
            f'{func}: {name} must be a list of {{"W": ..., "b": ...}} dicts, one per layer '
            f"(at least {min_layers}), as init_mlp returns; got {validate.describe(params)}"
        )
    for index, layer in enumerate(params):
        if not isinstance(layer, dict) or "W" not in layer or "b" not in layer:
            raise TypeError(
                f"{func}: {name}[{index}] must be a dict with the keys 'W' and 'b', got "
                f"{validate.describe(layer)}"
            )
        for key in ("W", "b"):
            arr = layer[key]
            if not isinstance(arr, jax.Array | np.ndarray) or not jnp.issubdtype(
                arr.dtype, jnp.floating
            ):
                raise TypeError(
                    f'{func}: {name}[{index}]["{key}"] must be an array of floats, got '
                    f"{validate.describe(arr)}"
                )
    return params


def _dense_layers(func, name, layers, n_inputs, offset=0, inputs="X"):
    """Dense layers W (n_in, n_out), b (n_out,), chained, the first taking n_inputs."""
    for index, layer in enumerate(layers):
        W, b = layer["W"], layer["b"]
        where = f"{name}[{offset + index}]"
        if W.ndim != 2 or W.shape[0] != n_inputs:
            source = "the previous layer's width" if index else f"the columns of {inputs}"
            raise ValueError(
                f'{func}: {where}["W"] must have shape ({n_inputs}, n_out) to match {n_inputs}, '
                f"{source}, got {W.shape}"
            )
        if b.shape not in ((W.shape[1],), (1, W.shape[1])):
            raise ValueError(
                f'{func}: {where}["b"] must have shape ({W.shape[1]},), one bias per unit, '
                f"got {b.shape}"
            )
        n_inputs = W.shape[1]
    return n_inputs


def _check_mlp(func, params, X):
    """An MLP's params and a batch X (m, n_0) that fits them; returns the output width."""
    _layer_list(func, "params", params)
    X = _array(func, "X", X)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(
            f"{func}: X must have shape (m, n), one example per row (m >= 1), got {X.shape}"
        )
    n_out = _dense_layers(func, "params", params, X.shape[1])
    _finite(func, "X", X)
    _finite_params(func, params)
    return X, n_out


def _finite_params(func, params):
    """Refuse NaN and inf in concrete weights and biases (traced ones are not known yet)."""
    for index, layer in enumerate(params):
        for key in ("W", "b"):
            _finite(func, f'params[{index}]["{key}"]', layer[key])


def _check_dropout(func, dropout, key):
    """dropout: a plain number in [0, 1) (it decides what is compiled); a key when > 0."""
    if _traced(dropout):
        raise TypeError(f"{func}: dropout must be a plain number in [0, 1), not a traced value")
    validate.fraction(func, "dropout", dropout)
    if dropout > 0:
        if key is None:
            raise ValueError(f"{func}: dropout > 0 needs a random key, key=jax.random.PRNGKey(0)")
        _key(func, "key", key)


def _check_l2(func, l2):
    """l2: a number >= 0, or a traced scalar (its value is checked where it is known)."""
    if _traced(l2):
        if l2.shape != () or not jnp.issubdtype(l2.dtype, jnp.floating):
            raise TypeError(f"{func}: l2 must be a single number, got a traced array {l2.shape}")
        return
    validate.non_negative(func, "l2", l2)


def _check_scores_labels(func, scores, y):
    scores = _array(func, "scores", scores)
    if scores.ndim != 2 or 0 in scores.shape:
        raise ValueError(
            f"{func}: scores must have shape (m, k), one row per example and one column per "
            f"class, got {scores.shape}"
        )
    _finite(func, "scores", scores)
    return scores, _labels(func, "y", y, scores.shape[0], scores.shape[1], rows_of="scores")


# --- the MLP ----------------------------------------------------------------------------


def init_mlp(key, sizes, dtype=jnp.float32):
    """He-normal weights, N(0, 2/n_in), and zero biases for layer widths `sizes`."""
    key = _key("init_mlp", "key", key)
    sizes = validate.layer_sizes("init_mlp", sizes)
    return _init_mlp(key, sizes, _float_dtype("init_mlp", "dtype", dtype))


def _init_mlp(key, sizes, dtype):
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        key, sub = jax.random.split(key)
        W = jax.random.normal(sub, (n_in, n_out), dtype) * jnp.sqrt(2.0 / n_in).astype(dtype)
        params.append({"W": W, "b": jnp.zeros(n_out, dtype)})
    return params


def mlp_forward(params, X, activation="relu", dropout=0.0, key=None):
    """Scores (m, n_L) of the MLP; with `dropout > 0` and a `key`, inverted dropout on every
    hidden layer (training mode)."""
    X, _ = _check_mlp("mlp_forward", params, X)
    validate.choice("mlp_forward", "activation", activation, ACTIVATIONS, what="activation")
    _check_dropout("mlp_forward", dropout, key)
    return _mlp_forward(params, X, activation, dropout, key)


def _mlp_forward(params, X, activation="relu", dropout=0.0, key=None):
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
    """Mean of −log softmax(s)_y over the batch, computed with log-sum-exp. Infinite scores
    are refused where the scores are known (inf − inf would make the loss NaN)."""
    scores, y = _check_scores_labels("softmax_cross_entropy", scores, y)
    return _softmax_cross_entropy(scores, y)


def _softmax_cross_entropy(scores, y):
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
    _layer_list("l2_penalty", "params", params)
    _finite_params("l2_penalty", params)
    _check_l2("l2_penalty", l2)
    return _l2_penalty(params, l2)


def _l2_penalty(params, l2):
    if isinstance(l2, int | float) and l2 == 0:
        return 0.0
    return l2 * sum(jnp.sum(layer["W"] ** 2) for layer in params)


def mlp_loss(params, X, y, activation="relu", l2=0.0, dropout=0.0, key=None):
    """Cost J = mean softmax cross-entropy + l2 Σ W² (weights only, not biases)."""
    func = "mlp_loss"
    X, n_out = _check_mlp(func, params, X)
    y = _labels(func, "y", y, X.shape[0], n_out)
    validate.choice(func, "activation", activation, ACTIVATIONS, what="activation")
    _check_l2(func, l2)
    _check_dropout(func, dropout, key)
    scores = _mlp_forward(params, X, activation, dropout, key)
    return _softmax_cross_entropy(scores, y) + _l2_penalty(params, l2)


# --- optimisers: the formulas of nnlib.optim, on JAX arrays -------------------------------


class Optimizer(NamedTuple):
    """`init(params) -> state`, `update(grads, state, lr_scale) -> (updates, state)`."""

    init: object
    update: object


# The optimisers are cached: the same settings give back the same object. `train_epoch`
# names its optimiser as a static argument, which jax.jit compares by identity, so two
# runs with `adam(1e-3)` then share one compiled epoch instead of compiling it twice
# (about a second each for the MNIST MLP).


def sgd(lr):
    """θ ← θ − lr·g (scaled by the schedule's factor)."""
    return _sgd(_setting("sgd", "lr", lr, validate.positive, "the learning rate lr"))


def _setting(func, name, value, check, what=None):
    """A checked hyper-parameter, as given when it can be a cache key (a number), else as a
    float (a 0-d array cannot)."""
    check(func, name, value, what)
    return value if isinstance(value, numbers.Number) else float(value)


@cache
def _sgd(lr):
    def init(params):
        return ()

    def update(grads, state, lr_scale=1.0):
        return jax.tree.map(lambda g: -lr * lr_scale * g, grads), state

    return Optimizer(init, update)


def adam(lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam as `nnlib.optim.adam` computes it: moments m, v with bias correction."""
    return _adam(
        _setting("adam", "lr", lr, validate.positive, "the learning rate lr"),
        _setting("adam", "beta1", beta1, validate.fraction),
        _setting("adam", "beta2", beta2, validate.fraction),
        _setting("adam", "eps", eps, validate.positive, "eps (added to the denominator)"),
    )


@cache
def _adam(lr, beta1, beta2, eps):
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
    _params_tree("apply_updates", "params", params)
    _params_tree("apply_updates", "updates", updates)
    _same_tree("apply_updates", "updates", updates, "params", params)
    for name, tree in (("params", params), ("updates", updates)):
        if not any(_traced(leaf) for leaf in jax.tree.leaves(tree)) and not _all_finite(tree):
            raise ValueError(
                f"apply_updates: {name} contains NaN or infinite values (did training "
                "diverge? try a smaller learning rate)"
            )
    return _apply_updates(params, updates)


def _apply_updates(params, updates):
    return jax.tree.map(lambda p, u: p + u.astype(p.dtype), params, updates)


def _params_tree(func, name, params):
    """Parameters: a non-empty tree (lists, dicts) of float arrays."""
    leaves, _ = jax.tree.flatten(params)
    if not leaves or not all(
        isinstance(leaf, jax.Array | np.ndarray) and jnp.issubdtype(leaf.dtype, jnp.floating)
        for leaf in leaves
    ):
        raise TypeError(
            f"{func}: {name} must be the network's parameters, lists and dicts of float "
            f"arrays as init_mlp returns them; got {validate.describe(params)}"
        )
    return params


def _same_tree(func, name, tree, reference_name, reference):
    """`tree` nested like `reference`, with arrays of the same shapes."""
    expected = jax.tree.structure(reference)
    if jax.tree.structure(tree) != expected:
        raise ValueError(
            f"{func}: {name} must have the structure of {reference_name} ({expected}), got "
            f"{validate.describe(tree)}"
        )
    for ours, theirs in zip(jax.tree.leaves(tree), jax.tree.leaves(reference), strict=True):
        if np.shape(ours) != np.shape(theirs) or not hasattr(ours, "dtype"):
            raise ValueError(
                f"{func}: {name} must hold arrays of the shapes in {reference_name}, got "
                f"{validate.describe(ours)} where {reference_name} has shape {np.shape(theirs)}"
            )


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
    return _shuffled_order(
        _key("shuffled_order", "key", key), validate.positive_int("shuffled_order", "n", n)
    )


def _shuffled_order(key, n):
    high, low = jax.random.bits(key, (2, n), jnp.uint32)
    return jax.lax.sort((high, low, jnp.arange(n, dtype=jnp.int32)), num_keys=2)[2]


def _epoch_batches(key, m, batch_size):
    """An epoch's batches of row indices (m // batch_size of them, shuffled with `key`;
    the remainder waits for the next epoch's shuffle) and one random key per step."""
    n_batches = m // batch_size
    shuffle_key, step_key = jax.random.split(key)
    order = _shuffled_order(shuffle_key, m)[: n_batches * batch_size]
    return order.reshape(n_batches, batch_size), jax.random.split(step_key, n_batches)


def train_epoch(params, opt_state, X, y, key, lr_scale, *, loss_fn, optimizer, batch_size):
    """One epoch of mini-batch training, compiled: shuffle with `key`, cut the data into
    `m // batch_size` batches (the remainder waits for the next epoch's shuffle), and run
    every step with `jax.lax.scan`. X and y should already be on the device.

    `loss_fn(params, X_batch, y_batch, key)` returns the cost. Returns the new params,
    the optimiser state and the mean training loss over the epoch's steps.

    The arguments are checked here, in Python, before the compiled epoch runs (X and y
    once per array, then never again); `train_epoch.compiled` is the compiled epoch.
    """
    X, y = _check_training(
        "train_epoch", params, opt_state, X, y, key, lr_scale, loss_fn, optimizer, batch_size
    )
    settings = dict(loss_fn=loss_fn, optimizer=optimizer, batch_size=batch_size)
    return _train_epoch(params, opt_state, X, y, key, lr_scale, **settings)


@partial(jit, static_argnames=("loss_fn", "optimizer", "batch_size"))
def _train_epoch(params, opt_state, X, y, key, lr_scale, *, loss_fn, optimizer, batch_size):
    batches, step_keys = _epoch_batches(key, X.shape[0], batch_size)

    def step(carry, inputs):
        params, opt_state = carry
        rows, step_key = inputs
        loss, grads = jax.value_and_grad(loss_fn)(params, X[rows], y[rows], step_key)
        updates, opt_state = optimizer.update(grads, opt_state, lr_scale)
        return (_apply_updates(params, updates), opt_state), loss

    (params, opt_state), losses = jax.lax.scan(step, (params, opt_state), (batches, step_keys))
    return params, opt_state, jnp.mean(losses)


train_epoch.compiled = _train_epoch


def train_step(params, opt_state, X_batch, y_batch, key, lr_scale, *, loss_fn, optimizer):
    """One compiled step: the gradient of `loss_fn` on one batch and one optimiser update.
    Returns the new params, the optimiser state and the batch's loss."""
    X_batch, y_batch = _check_training(
        "train_step",
        params,
        opt_state,
        X_batch,
        y_batch,
        key,
        lr_scale,
        loss_fn,
        optimizer,
        names=("X_batch", "y_batch"),
    )
    return _train_step(
        params, opt_state, X_batch, y_batch, key, lr_scale, loss_fn=loss_fn, optimizer=optimizer
    )


@partial(jit, static_argnames=("loss_fn", "optimizer"))
def _train_step(params, opt_state, X_batch, y_batch, key, lr_scale, *, loss_fn, optimizer):
    loss, grads = jax.value_and_grad(loss_fn)(params, X_batch, y_batch, key)
    updates, opt_state = optimizer.update(grads, opt_state, lr_scale)
    return _apply_updates(params, updates), opt_state, loss


train_step.compiled = _train_step


def train_epoch_stepwise(params, opt_state, X, y, key, lr_scale, *, loss_fn, optimizer, batch_size):
    """The same epoch as `train_epoch` (same shuffle, same batches, same keys), but with a
    Python loop calling the compiled `train_step`.

    On a CPU, XLA runs convolutions inside `lax.scan` about ten times slower than in a
    separately compiled step (measured on two cores for the chapter's small CNN: 290 ms
    against 30 ms per step), so convolutional networks train with this loop; for the MLP
    the scan is faster.
    """
    checked = (params, opt_state, X, y, key, lr_scale, loss_fn, optimizer, batch_size)
    X, y = _check_training("train_epoch_stepwise", *checked)
    batches, step_keys = _epoch_batches(key, X.shape[0], batch_size)
    losses = []
    for rows, k in zip(batches, step_keys, strict=True):
        params, opt_state, loss = _train_step(
            params, opt_state, X[rows], y[rows], k, lr_scale, loss_fn=loss_fn, optimizer=optimizer
        )
        losses.append(loss)
    return params, opt_state, jnp.mean(jnp.stack(losses))


_NO_BATCHES = object()  # train_step takes one batch: no batch_size to check


def _check_training(
    func,
    params,
    opt_state,
    X,
    y,
    key,
    lr_scale,
    loss_fn,
    optimizer,
    batch_size=_NO_BATCHES,
    names=("X", "y"),
):
    """The checks of train_epoch, train_step and train_epoch_stepwise; returns X and y as
    arrays. Data on the device is checked once; the parameters every call (they change)."""
    _params_tree(func, "params", params)
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"{func}: optimizer must be an optimiser of nnlib.jax, such as nj.sgd(0.1) or "
            f"nj.adam(1e-3), got {validate.describe(optimizer)}"
        )
    if not isinstance(opt_state, dict | list | tuple):
        raise TypeError(
            f"{func}: opt_state must be the optimiser's state, optimizer.init(params) at the "
            f"start, got {validate.describe(opt_state)}"
        )
    expected = _state_shapes(optimizer, params)
    try:
        _same_tree(func, "opt_state", opt_state, "the optimiser's state", expected)
    except ValueError:
        raise ValueError(
            f"{func}: opt_state does not fit params: it must be this optimiser's state for "
            f"these params (optimizer.init(params) at the start, then what the last call "
            f"returned), got {validate.describe(opt_state)}"
        ) from None
    X_name, y_name = names
    X = _array(func, X_name, X)
    if X.ndim < 2 or X.shape[0] == 0:
        raise ValueError(
            f"{func}: {X_name} must hold one example per row, shape (m, n) with m >= 1, got "
            f"{X.shape}"
        )
    y = _labels(func, y_name, y, X.shape[0], _n_classes(params), rows_of=X_name)
    _key(func, "key", key)
    validate.non_negative(func, "lr_scale", lr_scale, what="the learning-rate factor lr_scale")
    validate.function(func, "loss_fn", loss_fn)
    if batch_size is not _NO_BATCHES:
        batch_size = validate.positive_int(func, "batch_size", batch_size)
        if batch_size > X.shape[0]:
            raise ValueError(
                f"{func}: batch_size must be at most the number of examples, {X.shape[0]}, "
                f"got {batch_size}: the epoch would take no step"
            )
    _finite(func, X_name, X)
    if not _all_finite(params):
        raise ValueError(
            f"{func}: params contains NaN or infinite values (did an earlier epoch diverge? "
            "try a smaller learning rate)"
        )
    return X, y


@cache
def _state_shape_cache(optimizer, structure, shapes):
    params = jax.tree.unflatten(structure, [jax.ShapeDtypeStruct(s, d) for s, d in shapes])
    return jax.eval_shape(optimizer.init, params)


def _state_shapes(optimizer, params):
    """The shapes of optimizer.init(params), computed without running it (cached)."""
    leaves, structure = jax.tree.flatten(params)
    shapes = tuple((tuple(leaf.shape), jnp.dtype(leaf.dtype)) for leaf in leaves)
    return _state_shape_cache(optimizer, structure, shapes)


def _n_classes(params):
    """The number of scores of a network whose last layer is {"W": ..., "b": (k,)}, or
    None for other parameter structures."""
    if isinstance(params, list | tuple) and params and isinstance(params[-1], dict):
        b = params[-1].get("b")
        if b is not None and np.ndim(b) == 1:
            return np.shape(b)[0]
    return None


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
    X, _ = _check_prediction("predict_scores", params, X, predict_fn, batch_size)
    return _predict_scores(params, X, predict_fn, batch_size)


def _predict_scores(params, X, predict_fn, batch_size):
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


def _check_prediction(func, params, X, predict_fn, batch_size):
    """predict_scores' checks; returns X and the number of scores per example."""
    _params_tree(func, "params", params)
    X = _array(func, "X", X)
    if X.ndim < 2 or X.shape[0] == 0:
        raise ValueError(
            f"{func}: X must hold one example per row, shape (m, n) with m >= 1, got {X.shape}"
        )
    validate.function(func, "predict_fn", predict_fn)
    validate.positive_int(func, "batch_size", batch_size)
    _finite(func, "X", X)
    if not _all_finite(params):
        raise ValueError(f"{func}: params contains NaN or infinite values")
    one_row = jax.ShapeDtypeStruct((1, *X.shape[1:]), X.dtype)
    try:
        out = jax.eval_shape(predict_fn, params, one_row)
    except (TypeError, ValueError) as error:
        raise type(error)(
            f"{func}: predict_fn(params, X) fails for these params and rows of X {X.shape}: {error}"
        ) from error
    if getattr(out, "shape", None) is None or len(out.shape) != 2 or out.shape[0] != 1:
        raise ValueError(
            f"{func}: predict_fn(params, X) must return scores of shape (m, k), one row per "
            f"example; for one example it returned {validate.describe(out)}"
        )
    return X, out.shape[1]


def accuracy(params, X, y, predict_fn, batch_size=1000):
    """Fraction of rows whose highest score is the label."""
    X, n_classes = _check_prediction("accuracy", params, X, predict_fn, batch_size)
    y = _labels("accuracy", "y", y, X.shape[0], n_classes)
    scores = _predict_scores(params, X, predict_fn, batch_size)
    return float(np.mean(scores.argmax(1) == np.asarray(y)))


# --- a small convolutional network ---------------------------------------------------------


def conv2d(X, W, b):
    """'Same' 2-D convolution of images X (m, h, w, c_in) with filters W (k, k, c_in, c_out)
    and biases b (c_out,), by `jax.lax.conv_general_dilated`."""
    func = "conv2d"
    X, W, b = _array(func, "X", X), _array(func, "W", W), _array(func, "b", b)
    if X.ndim != 4 or X.shape[0] == 0:
        raise ValueError(
            f"{func}: X must hold images of shape (m, h, w, c_in) with m >= 1, got {X.shape}"
        )
    if W.ndim != 4 or W.shape[2] != X.shape[3] or 0 in W.shape:
        raise ValueError(
            f"{func}: W must hold filters of shape (k, k, {X.shape[3]}, c_out), c_in = "
            f"{X.shape[3]} matching X {X.shape}, got {W.shape}"
        )
    if b.shape != (W.shape[3],):
        raise ValueError(
            f"{func}: b must have shape ({W.shape[3]},), one per filter (the last axis of W), "
            f"got {b.shape}"
        )
    for name, arr in (("X", X), ("W", W), ("b", b)):
        _finite(func, name, arr)
    return _conv2d(X, W, b)


def _conv2d(X, W, b):
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
    func = "max_pool"
    X = _array(func, "X", X)
    size = validate.positive_int(func, "size", size)
    if X.ndim != 4 or X.shape[0] == 0:
        raise ValueError(f"{func}: X must hold images of shape (m, h, w, c), got {X.shape}")
    if X.shape[1] % size or X.shape[2] % size:
        raise ValueError(
            f"{func}: the images' height and width must be multiples of size {size}, got "
            f"{X.shape[1]} x {X.shape[2]}"
        )
    _finite(func, "X", X)
    return _max_pool(X, size)


def _max_pool(X, size=2):
    m, h, w, c = X.shape
    return X.reshape(m, h // size, size, w // size, size, c).max(axis=(2, 4))


def init_cnn(key, channels=(32, 64), hidden=128, n_classes=10, kernel=3, dtype=jnp.float32):
    """Two conv+pool blocks on 28x28x1 images, then a dense hidden layer and the scores.
    He-normal initialisation throughout."""
    func = "init_cnn"
    key = _key(func, "key", key)
    channels = validate.layer_sizes(func, channels, name="channels")
    if len(channels) > 2:
        raise ValueError(
            f"{func}: channels may list at most two widths: each block halves the 28x28 "
            f"images (28 -> 14 -> 7) and 7 cannot be halved again; got {channels}"
        )
    hidden = validate.positive_int(func, "hidden", hidden)
    n_classes = validate.positive_int(func, "n_classes", n_classes)
    kernel = validate.positive_int(func, "kernel", kernel)
    dtype = _float_dtype(func, "dtype", dtype)
    keys = jax.random.split(key, len(channels) + 2)
    params, c_in = [], 1
    for k, c_out in zip(keys, channels, strict=False):
        fan_in = kernel * kernel * c_in
        W = jax.random.normal(k, (kernel, kernel, c_in, c_out), dtype) * np.sqrt(2 / fan_in)
        params.append({"W": W.astype(dtype), "b": jnp.zeros(c_out, dtype)})
        c_in = c_out
    side = 28 // 2 ** len(channels)
    flat = side * side * c_in
    params += _init_mlp(keys[-1], [flat, hidden, n_classes], dtype)
    return params


def cnn_forward(params, X, dropout=0.0, key=None):
    """Scores of the CNN for images X (m, 28, 28, 1) or flat rows (m, 784)."""
    X, _ = _check_cnn("cnn_forward", params, X)
    _check_dropout("cnn_forward", dropout, key)
    return _cnn_forward(params, X, dropout, key)


def _cnn_forward(params, X, dropout=0.0, key=None):
    A = X.reshape(X.shape[0], 28, 28, 1).astype(params[0]["W"].dtype)
    n_conv = len(params) - 2
    for layer in params[:n_conv]:
        A = _max_pool(jax.nn.relu(_conv2d(A, layer["W"], layer["b"])))
    return _mlp_forward(params[n_conv:], A.reshape(A.shape[0], -1), "relu", dropout, key)


def cnn_loss(params, X, y, l2=0.0, dropout=0.0, key=None):
    """Mean softmax cross-entropy of the CNN + l2 Σ W²."""
    X, n_classes = _check_cnn("cnn_loss", params, X)
    y = _labels("cnn_loss", "y", y, X.shape[0], n_classes)
    _check_l2("cnn_loss", l2)
    _check_dropout("cnn_loss", dropout, key)
    scores = _cnn_forward(params, X, dropout, key)
    return _softmax_cross_entropy(scores, y) + _l2_penalty(params, l2)


def _check_cnn(func, params, X):
    """The CNN's params (as init_cnn makes them) and 28x28 images X; returns X as an array
    and the number of classes."""
    _layer_list(func, "params", params, min_layers=2)
    n_conv = len(params) - 2
    if n_conv > 2:
        raise ValueError(
            f"{func}: params must hold at most two convolution layers before the two dense "
            f"ones (as init_cnn makes them), got {len(params)} layers"
        )
    c_in = 1
    for index, layer in enumerate(params[:n_conv]):
        W, b = layer["W"], layer["b"]
        if W.ndim != 4 or W.shape[2] != c_in:
            raise ValueError(
                f'{func}: params[{index}]["W"] must hold filters of shape (k, k, {c_in}, c_out), '
                f"got {W.shape}"
            )
        if b.shape != (W.shape[3],):
            raise ValueError(
                f'{func}: params[{index}]["b"] must have shape ({W.shape[3]},), got {b.shape}'
            )
        c_in = W.shape[3]
    side = 28 // 2**n_conv
    flat = side * side * c_in
    inputs = "the last convolution block's output, flattened"
    n_out = _dense_layers(func, "params", params[n_conv:], flat, offset=n_conv, inputs=inputs)
    X = _array(func, "X", X)
    if X.ndim < 2 or X.shape[0] == 0 or int(np.prod(X.shape[1:])) != 784:
        raise ValueError(
            f"{func}: X must hold 28x28 images, shape (m, 784) or (m, 28, 28, 1) with m >= 1, "
            f"got {X.shape}"
        )
    _finite(func, "X", X)
    _finite_params(func, params)
    return X, n_out
