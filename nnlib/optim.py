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
`clip_by_global_norm(grads, max_norm)` caps the length of a gradient before the update
(chapters/08_init_optim, exploding gradients).
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from nnlib._validate import as_array, describe, fraction, function, positive, positive_int


class Optimizer(NamedTuple):
    """`init(params) -> state` and `update(grads, state) -> (updates, state)`."""

    init: object
    update: object


def tree_map(fn, tree, *others):
    """Apply `fn` to every array of `tree` (nested lists, tuples and dicts of arrays),
    together with the arrays at the same place in `others`; keep the structure."""
    fn = function("tree_map", "fn", fn)
    if _is_empty_container(tree):
        raise ValueError("tree_map: tree is empty; it must hold at least one array")
    _numeric_leaves("tree_map", "tree", tree)
    for index, other in enumerate(others):
        _numeric_leaves("tree_map", f"others[{index}]", other)
        _same_structure("tree_map", f"others[{index}]", other, "tree", tree)
    return _tree_map(fn, tree, *others)


def _tree_map(fn, tree, *others):
    if isinstance(tree, dict):
        return {key: _tree_map(fn, tree[key], *(o[key] for o in others)) for key in tree}
    if isinstance(tree, list | tuple):
        return type(tree)(_tree_map(fn, *items) for items in zip(tree, *others, strict=True))
    return fn(tree, *others)


def _numeric_leaves(func, name, tree, path=""):
    """Refuse leaves that are not numbers or arrays (None, text, objects) with a TypeError."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            _numeric_leaves(func, name, value, f"{path}[{key!r}]")
    elif isinstance(tree, list | tuple):
        for index, value in enumerate(tree):
            _numeric_leaves(func, name, value, f"{path}[{index}]")
    elif isinstance(tree, bool | np.bool_) or not (
        isinstance(tree, numbers.Number) or hasattr(tree, "__array__")
    ):
        raise TypeError(
            f"{func}: {name}{path} must be an array or a number (inside lists and dicts), got "
            f"{describe(tree)}"
        )


def _is_empty_container(tree):
    return isinstance(tree, dict | list | tuple) and len(tree) == 0


def _same_structure(func, name, tree, reference_name, reference, path=""):
    """Refuse `tree` unless it nests lists, tuples and dicts exactly like `reference`, with
    arrays of the same shapes at the same places (the leaves of `tree` are not converted)."""
    where = f"{name}{path}"
    if isinstance(reference, dict):
        if not isinstance(tree, dict) or set(tree) != set(reference):
            raise ValueError(
                f"{func}: {where} must be a dict with the keys {sorted(map(str, reference))} "
                f"like {reference_name}{path}, got {describe(tree)}"
            )
        for key in reference:
            where_key = f"{path}[{key!r}]"
            _same_structure(func, name, tree[key], reference_name, reference[key], where_key)
    elif isinstance(reference, list | tuple):
        if not isinstance(tree, list | tuple) or len(tree) != len(reference):
            raise ValueError(
                f"{func}: {where} must be a list of {len(reference)} items like "
                f"{reference_name}{path}, got {describe(tree)}"
            )
        for index, (item, ref) in enumerate(zip(tree, reference, strict=True)):
            _same_structure(func, name, item, reference_name, ref, f"{path}[{index}]")
    else:
        if isinstance(tree, dict | list | tuple) or tree is None or isinstance(tree, str):
            raise ValueError(
                f"{func}: {where} must be an array like {reference_name}{path}, got "
                f"{describe(tree)}"
            )
        if np.shape(tree) != np.shape(reference):
            raise ValueError(
                f"{func}: {where} must have the shape of {reference_name}{path}, "
                f"{np.shape(reference)}, got {np.shape(tree)}"
            )


def _leaves_finite(func, name, tree, path=""):
    """Every array of `tree` as a float array with finite entries (a clear error otherwise)."""
    if isinstance(tree, dict):
        return {k: _leaves_finite(func, name, v, f"{path}[{k!r}]") for k, v in tree.items()}
    if isinstance(tree, list | tuple):
        return type(tree)(
            _leaves_finite(func, name, v, f"{path}[{i}]") for i, v in enumerate(tree)
        )
    return as_array(func, f"{name}{path}", tree)


def apply_updates(params, updates):
    """`params + updates`, leaf by leaf: the step an optimiser proposes, taken.

    Both must hold finite numbers: an update with NaN or inf usually means that training
    diverged (a smaller learning rate helps).
    """
    if _is_empty_container(params):
        raise ValueError("apply_updates: params is empty; it must hold at least one array")
    _numeric_leaves("apply_updates", "params", params)
    _numeric_leaves("apply_updates", "updates", updates)
    params = _leaves_finite("apply_updates", "params", params)
    _same_structure("apply_updates", "updates", updates, "params", params)
    try:
        updates = _leaves_finite("apply_updates", "updates", updates)
    except ValueError as error:
        raise ValueError(f"{error} (did training diverge? try a smaller learning rate)") from None
    return _apply_updates(params, updates)


def _apply_updates(params, updates):
    return _tree_map(lambda p, u: np.asarray(p) + u, params, updates)


def _leaves(tree):
    """The arrays of `tree` (nested lists, tuples and dicts of arrays), in order."""
    if isinstance(tree, dict):
        return [leaf for key in tree for leaf in _leaves(tree[key])]
    if isinstance(tree, list | tuple):
        return [leaf for item in tree for leaf in _leaves(item)]
    return [tree]


def global_norm(grads):
    """`‖g‖ = √(Σ g²)` over every entry of every array of `grads`: the length of the whole
    gradient, read as one long vector (the L2 norm over all layers together).

    The largest entry is factored out before squaring, so that a huge but finite gradient,
    an exploding one, still has a finite norm. NaN and inf entries give a NaN or inf norm.
    """
    if _is_empty_container(grads):
        raise ValueError("global_norm: grads is empty; it must hold at least one array")
    _numeric_leaves("global_norm", "grads", grads)
    return _global_norm(grads)


def _global_norm(grads):
    leaves = [np.asarray(leaf, dtype=float) for leaf in _leaves(grads)]
    largest = np.max([np.max(np.abs(leaf), initial=0.0) for leaf in leaves])
    if largest == 0 or not np.isfinite(largest):
        return float(largest)  # 0 for a zero gradient; inf or NaN passes on
    return float(largest * np.sqrt(sum(np.sum(np.square(leaf / largest)) for leaf in leaves)))


def clip_by_global_norm(grads, max_norm):
    """Clipping by the global norm (Pascanu, Mikolov & Bengio, ICML 2013):
    `g ← g · min(1, c / ‖g‖)` with `c = max_norm` and `‖g‖ = global_norm(grads)`, the L2
    norm over all the arrays of `grads` together.

    A gradient longer than c is scaled down to length c; a shorter one passes unchanged.
    Every array is multiplied by the same number, so the direction is kept, and a step of
    `sgd(lr)` is never longer than lr · c. Returns new arrays in the structure of `grads`,
    which it leaves unchanged (as `optax.clip_by_global_norm(c).update` does). A gradient
    holding inf or NaN comes out with NaN in it, which `apply_updates` then refuses.
    """
    func = "clip_by_global_norm"
    max_norm = positive(func, "max_norm", max_norm)
    if _is_empty_container(grads):
        raise ValueError(f"{func}: grads is empty; it must hold at least one array")
    _numeric_leaves(func, "grads", grads)
    scale = max_norm / max(_global_norm(grads), max_norm)  # min(1, c / ‖g‖), never 0 / 0
    return _tree_map(lambda g: scale * np.asarray(g), grads)


def _rate(func, lr):
    return positive(func, "lr", lr, what="the learning rate lr")


def _checked(name, init, update, slots=()):
    """The optimiser `name` with its `init` and `update` checking their arguments: the
    parameters and gradients must be arrays (in lists and dicts), and the gradients must
    have the structure and shapes of the parameters the state was made for (`slots` names
    the state's trees that mirror them). NaN and inf gradients pass: a diverging run's
    update is refused by `apply_updates`, with a hint."""

    def checked_init(params):
        func = f"{name}.init"
        if _is_empty_container(params):
            raise ValueError(f"{func}: params is empty; it must hold at least one array")
        _numeric_leaves(func, "params", params)
        return init(params)

    def checked_update(grads, state):
        func = f"{name}.update"
        if _is_empty_container(grads):
            raise ValueError(f"{func}: grads is empty; it must hold at least one array")
        _numeric_leaves(func, "grads", grads)
        if slots:
            if not isinstance(state, dict) or not set(slots) <= set(state):
                raise ValueError(
                    f"{func}: state must be what {name}(...).init(params) returned, a dict "
                    f"with the keys {list(slots)}; got {describe(state)}"
                )
            _same_structure(func, "grads", grads, "params", state[slots[0]])
        return update(grads, state)

    return Optimizer(checked_init, checked_update)


def sgd(lr):
    """Plain gradient descent: `θ ← θ − lr ∂J/∂θ`. It keeps no state."""
    lr = _rate("sgd", lr)

    def init(params):
        return ()

    def update(grads, state):
        return _tree_map(lambda g: -lr * np.asarray(g), grads), state

    return _checked("sgd", init, update)


def momentum(lr, beta=0.9):
    """Gradient descent with momentum: `v ← β v + (1 − β) g`, `θ ← θ − lr v`.

    v is a running average of recent gradients, so steps keep going in directions where
    the gradients agree and cancel where they zig-zag. (Some texts write v ← β v + g; that
    is the same method with the learning rate scaled by 1/(1 − β).)
    """
    lr = _rate("momentum", lr)
    beta = fraction("momentum", "beta", beta)

    def init(params):
        return {"v": _tree_map(np.zeros_like, params)}

    def update(grads, state):
        v = _tree_map(lambda v, g: beta * v + (1 - beta) * g, state["v"], grads)
        return _tree_map(lambda v: -lr * v, v), {"v": v}

    return _checked("momentum", init, update, ("v",))


def adagrad(lr, eps=1e-8):
    """AdaGrad (Duchi, Hazan & Singer, JMLR 2011): `G ← G + g²`, `θ ← θ − lr g / (√G + ε)`.

    Each parameter gets its own step size, smaller where gradients have been large; since
    G only grows, the steps shrink for ever.
    """
    lr = _rate("adagrad", lr)
    positive("adagrad", "eps", eps, what="eps (added to the denominator)")

    def init(params):
        return {"G": _tree_map(np.zeros_like, params)}

    def update(grads, state):
        G = _tree_map(lambda G, g: G + g * g, state["G"], grads)
        return _tree_map(lambda g, G: -lr * g / (np.sqrt(G) + eps), grads, G), {"G": G}

    return _checked("adagrad", init, update, ("G",))


def rmsprop(lr, rho=0.9, eps=1e-8):
    """RMSProp: `s ← ρ s + (1 − ρ) g²`, `θ ← θ − lr g / (√s + ε)`.

    Like AdaGrad, but s is a running average, so old gradients are forgotten and the
    steps do not shrink for ever.
    """
    lr = _rate("rmsprop", lr)
    rho = fraction("rmsprop", "rho", rho)
    positive("rmsprop", "eps", eps, what="eps (added to the denominator)")

    def init(params):
        return {"s": _tree_map(np.zeros_like, params)}

    def update(grads, state):
        s = _tree_map(lambda s, g: rho * s + (1 - rho) * g * g, state["s"], grads)
        return _tree_map(lambda g, s: -lr * g / (np.sqrt(s) + eps), grads, s), {"s": s}

    return _checked("rmsprop", init, update, ("s",))


def adam(lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam (Kingma & Ba, ICLR 2015): momentum plus RMSProp-style scaling, with bias
    correction.

    `m ← β1 m + (1 − β1) g`, `v ← β2 v + (1 − β2) g²`, `m̂ = m / (1 − β1^t)`,
    `v̂ = v / (1 − β2^t)`, `θ ← θ − lr m̂ / (√v̂ + ε)`. Both averages start at 0, so
    early on they are too small; dividing by 1 − β^t corrects that.
    """
    lr = _rate("adam", lr)
    beta1 = fraction("adam", "beta1", beta1)
    beta2 = fraction("adam", "beta2", beta2)
    positive("adam", "eps", eps, what="eps (added to the denominator)")

    def init(params):
        zeros = _tree_map(np.zeros_like, params)
        return {"t": 0, "m": zeros, "v": _tree_map(np.zeros_like, params)}

    def update(grads, state):
        t = state["t"] + 1
        m = _tree_map(lambda m, g: beta1 * m + (1 - beta1) * g, state["m"], grads)
        v = _tree_map(lambda v, g: beta2 * v + (1 - beta2) * g * g, state["v"], grads)
        step = _tree_map(
            lambda m, v: -lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v
        )
        return step, {"t": t, "m": m, "v": v}

    return _checked("adam", init, update, ("m", "v", "t"))


def minimize(grad_fn, start, optimizer, steps):
    """Follow `optimizer` from `start` for `steps` steps on a function whose gradient is
    `grad_fn(x)`; return the path as an array of shape (steps + 1, *start.shape).

    A run whose learning rate is too large diverges: its path then holds inf and NaN
    (NumPy warns about the overflow), which `nnlib.surfaces.plot_descent` draws until it
    leaves the picture.
    """
    grad_fn = function("minimize", "grad_fn", grad_fn)
    x = np.array(as_array("minimize", "start", start, nonempty=True), dtype=float)
    optimizer = _optimizer_of("minimize", "optimizer", optimizer)
    steps = positive_int("minimize", "steps", steps)
    state = optimizer.init(x)
    path = [x.copy()]
    for _ in range(steps):
        grad = _gradient(grad_fn, x)
        updates, state = optimizer.update(grad, state)
        x = _apply_updates(x, updates)
        path.append(np.array(x, dtype=float))
    return np.array(path)


def _gradient(grad_fn, x):
    grad = as_array(
        "minimize", "grad_fn(x)", grad_fn(x), finite=False, what="an array of numbers"
    )
    if grad.shape != x.shape:
        raise ValueError(
            f"minimize: grad_fn must return a gradient shaped like start, {x.shape}, "
            f"got shape {grad.shape}"
        )
    return grad


def _optimizer_of(func, name, optimizer):
    """An optimiser of this module (sgd(lr), adam(lr), ...), or a clear error."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"{func}: {name} must be an optimiser of nnlib.optim such as sgd(0.1) or "
            f"adam(0.01), got {describe(optimizer)}"
        )
    return optimizer
