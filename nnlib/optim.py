"""Optimisers as pairs of pure functions, in the style of optax.

Derived in: Gradient descent (chapters/06_gradient_descent); more optimisers in
Initialisation and optimisers.

An optimiser is `Optimizer(init, update)`:

    state = opt.init(params)
    updates, state = opt.update(grads, state)
    params = apply_updates(params, updates)

The parameters may be one array, or lists and dicts of arrays (the MLP's
`[{"W": ..., "b": ...}, ...]`); the state is plain data of the same shape, never hidden
inside an object, so that it can be printed, and compared update by update with optax.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from nnlib._validate import as_scalar, positive_int


class Optimizer(NamedTuple):
    """`init(params) -> state` and `update(grads, state) -> (updates, state)`."""

    init: object
    update: object


def tree_map(fn, tree, *others):
    """Apply `fn` to every array of `tree` (nested lists, tuples and dicts of arrays),
    together with the arrays at the same place in `others`; keep the structure."""
    if isinstance(tree, dict):
        return {key: tree_map(fn, tree[key], *(o[key] for o in others)) for key in tree}
    if isinstance(tree, list | tuple):
        return type(tree)(tree_map(fn, *items) for items in zip(tree, *others, strict=True))
    return fn(tree, *others)


def apply_updates(params, updates):
    """`params + updates`, leaf by leaf: the step an optimiser proposes, taken."""
    return tree_map(lambda p, u: np.asarray(p) + u, params, updates)


def _rate(func, lr):
    lr = as_scalar(func, "lr", lr)
    if lr <= 0:
        raise ValueError(f"{func}: the learning rate lr must be positive, got {lr}")
    return lr


def sgd(lr):
    """Plain gradient descent: `θ ← θ − lr ∂J/∂θ`. It keeps no state."""
    lr = _rate("sgd", lr)

    def init(params):
        return ()

    def update(grads, state):
        return tree_map(lambda g: -lr * np.asarray(g), grads), state

    return Optimizer(init, update)


def momentum(lr, beta=0.9):
    """Gradient descent with momentum: `v ← β v + (1 − β) g`, `θ ← θ − lr v`.

    v is a running average of recent gradients, so steps keep going in directions where
    the gradients agree and cancel where they zig-zag. (Some texts write v ← β v + g; that
    is the same method with the learning rate scaled by 1/(1 − β).)
    """
    lr = _rate("momentum", lr)
    beta = _fraction("momentum", "beta", beta)

    def init(params):
        return {"v": tree_map(np.zeros_like, params)}

    def update(grads, state):
        v = tree_map(lambda v, g: beta * v + (1 - beta) * g, state["v"], grads)
        return tree_map(lambda v: -lr * v, v), {"v": v}

    return Optimizer(init, update)


def adagrad(lr, eps=1e-8):
    """AdaGrad (Duchi, Hazan & Singer, JMLR 2011): `G ← G + g²`, `θ ← θ − lr g / (√G + ε)`.

    Each parameter gets its own step size, smaller where gradients have been large; since
    G only grows, the steps shrink for ever.
    """
    lr = _rate("adagrad", lr)

    def init(params):
        return {"G": tree_map(np.zeros_like, params)}

    def update(grads, state):
        G = tree_map(lambda G, g: G + g * g, state["G"], grads)
        return tree_map(lambda g, G: -lr * g / (np.sqrt(G) + eps), grads, G), {"G": G}

    return Optimizer(init, update)


def rmsprop(lr, rho=0.9, eps=1e-8):
    """RMSProp: `s ← ρ s + (1 − ρ) g²`, `θ ← θ − lr g / (√s + ε)`.

    Like AdaGrad, but s is a running average, so old gradients are forgotten and the
    steps do not shrink for ever.
    """
    lr = _rate("rmsprop", lr)
    rho = _fraction("rmsprop", "rho", rho)

    def init(params):
        return {"s": tree_map(np.zeros_like, params)}

    def update(grads, state):
        s = tree_map(lambda s, g: rho * s + (1 - rho) * g * g, state["s"], grads)
        return tree_map(lambda g, s: -lr * g / (np.sqrt(s) + eps), grads, s), {"s": s}

    return Optimizer(init, update)


def adam(lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam (Kingma & Ba, ICLR 2015): momentum plus RMSProp-style scaling, with bias
    correction.

    `m ← β1 m + (1 − β1) g`, `v ← β2 v + (1 − β2) g²`, `m̂ = m / (1 − β1^t)`,
    `v̂ = v / (1 − β2^t)`, `θ ← θ − lr m̂ / (√v̂ + ε)`. Both averages start at 0, so
    early on they are too small; dividing by 1 − β^t corrects that.
    """
    lr = _rate("adam", lr)
    beta1 = _fraction("adam", "beta1", beta1)
    beta2 = _fraction("adam", "beta2", beta2)

    def init(params):
        zeros = tree_map(np.zeros_like, params)
        return {"t": 0, "m": zeros, "v": tree_map(np.zeros_like, params)}

    def update(grads, state):
        t = state["t"] + 1
        m = tree_map(lambda m, g: beta1 * m + (1 - beta1) * g, state["m"], grads)
        v = tree_map(lambda v, g: beta2 * v + (1 - beta2) * g * g, state["v"], grads)
        step = tree_map(
            lambda m, v: -lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v
        )
        return step, {"t": t, "m": m, "v": v}

    return Optimizer(init, update)


def _fraction(func, name, value):
    value = as_scalar(func, name, value)
    if not 0 <= value < 1:
        raise ValueError(f"{func}: {name} must lie in [0, 1), got {value}")
    return value


def minimize(grad_fn, start, optimizer, steps):
    """Follow `optimizer` from `start` for `steps` steps on a function whose gradient is
    `grad_fn(x)`; return the path as an array of shape (steps + 1, *start.shape)."""
    steps = positive_int("minimize", "steps", steps)
    x = np.array(start, dtype=float)
    state = optimizer.init(x)
    path = [x.copy()]
    for _ in range(steps):
        updates, state = optimizer.update(grad_fn(x), state)
        x = apply_updates(x, updates)
        path.append(np.array(x, dtype=float))
    return np.array(path)
