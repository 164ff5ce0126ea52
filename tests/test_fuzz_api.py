"""Fuzzing nnlib's public API: every public function, one bad argument at a time.

Every public function of the modules in MODULES is found by walking the module (so that a
new function cannot be missed) and has one known-valid call in `valid_calls()`. Each of its
arguments is then replaced, one at a time, by values that are wrong for that argument:
None, text, arbitrary objects, NaN and inf, empty arrays, the wrong dtype, rank or shape,
labels out of range or not integers, rates out of range, broken caches and parameters. Each
outcome is one of

- clear:  a TypeError or ValueError whose message starts with the name of the function that
          was called and names the argument (None, text and objects must give TypeError);
- raw:    any other exception, or a message that names another function or not the argument;
- crash:  a failure of the interpreter itself (MemoryError, SystemError, RecursionError,
          SystemExit);
- hang:   the call ran longer than TIME_LIMIT seconds;
- silent: the call returned, although one of its arguments was invalid.

The test asserts that every bad input gets a clear error, and that the valid variants of
each call (lists for arrays, integer dtypes, NumPy scalars, float32) give the valid call's
result. `pytest tests/test_fuzz_api.py -s` prints the table of counts.

What counts as invalid is decided per argument (its "kind" below): a list is a valid array,
an empty array is a valid input to an elementwise function, NaN and inf are valid points of
a loss surface (a diverging run produces them), None is valid where it is the default.
"""

from __future__ import annotations

import inspect
import re
import signal
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, is_dataclass
from functools import cache
from typing import NamedTuple

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nnlib.activations
import nnlib.autograd
import nnlib.conv
import nnlib.data.gates
import nnlib.data.toy
import nnlib.diagrams
import nnlib.gradcheck
import nnlib.init
import nnlib.jax as nj
import nnlib.layers
import nnlib.losses
import nnlib.model
import nnlib.optim
import nnlib.perceptron
import nnlib.plot
import nnlib.regularization
import nnlib.surfaces
import nnlib.train
from nnlib import optim

# Not fuzzed: nnlib.widgets (interactive demos that need a notebook front end),
# nnlib.data.mnist (downloads files; it has its own tests) and nnlib.checks (the exercises'
# feedback: it judges student answers and never raises on them, tested in test_checks_*).
MODULES = [
    nnlib.activations,
    nnlib.layers,
    nnlib.conv,
    nnlib.losses,
    nnlib.model,
    nnlib.optim,
    nnlib.perceptron,
    nnlib.regularization,
    nnlib.init,
    nnlib.train,
    nnlib.gradcheck,
    nnlib.surfaces,
    nnlib.plot,
    nnlib.diagrams,
    nnlib.data.gates,
    nnlib.data.toy,
    nnlib.autograd,
    nj,
]

SKIP = {
    # Takes any value and uses its truth value, by design: load_mnist passes its own
    # `progress` argument (None, True or False) straight through.
    "nnlib.train.show_progress",
}

TIME_LIMIT = 20.0  # seconds per call; the first call of a compiled JAX function compiles


def public_functions():
    """{"module.name": function} for every public function defined in MODULES."""
    found = {}
    for module in MODULES:
        for name, obj in vars(module).items():
            if name.startswith("_") or isinstance(obj, type) or not callable(obj):
                continue
            if getattr(obj, "__module__", None) == module.__name__:
                found[f"{module.__name__}.{name}"] = obj
    return found


# --- kinds of arguments and their bad values -------------------------------------------------


class Bad(NamedTuple):
    label: str
    value: object
    type_error: bool = False  # None, text and objects must raise TypeError


class Arg(NamedTuple):
    value: object
    kind: object = None  # a function valid value -> list[Bad]; None: not fuzzed
    extra: tuple = ()  # more Bad values, specific to this argument


OBJECT = object()


def _none_text_object(optional=False):
    out = [Bad("text", "abc", True), Bad("object", OBJECT, True)]
    return out if optional else [Bad("None", None, True), *out]


def _like(valid, array):
    """`array` as a JAX array when the valid value is one, else as NumPy."""
    return jnp.asarray(array) if isinstance(valid, jax.Array) else array


def _with(valid, value, dtype=float):
    """A copy of `valid` with `value` in its first entry."""
    array = np.array(valid, dtype=dtype)
    array.flat[0] = value
    return _like(valid, array)


def array(
    rank=None,
    empty_ok=False,
    shape_fixed=False,
    finite=True,
    prob=False,
    optional=False,
    template=None,
):
    """Arrays of numbers. `rank`: the required number of axes; `shape_fixed`: the shape is
    set by another argument, so any other is wrong; `finite=False`: NaN and inf are valid;
    `optional`: None is valid (then `template` is a valid array to break)."""

    def bad(valid):
        valid = template if valid is None else valid
        a = np.asarray(valid)
        out = [
            *_none_text_object(optional),
            Bad("complex", _like(valid, a + 1j), True),
            Bad("text array", a.astype(str), True),
            Bad("ragged list", [[1.0, 2.0], [3.0]], True),
        ]
        if finite:
            out += [Bad("NaN", _with(valid, np.nan)), Bad("inf", _with(valid, -np.inf))]
        if prob:
            out += [Bad("above 1", _with(valid, 1.5)), Bad("below 0", _with(valid, -0.5))]
        if not empty_ok:
            out.append(Bad("empty", _like(valid, np.zeros((0, *a.shape[1:])))))
        if rank is not None:
            fewer = a[0] if a.ndim else a
            out += [Bad("rank + 1", _like(valid, a[None])), Bad("rank - 1", _like(valid, fewer))]
        if shape_fixed and a.ndim:
            grown = np.concatenate([a, a[..., :1]], axis=-1)
            out.append(Bad("mismatched shape", _like(valid, grown)))
        return out

    return bad


def labels(n_classes=None, optional=False, length_fixed=True):
    """Integer class labels 0..n_classes-1, one per example (`length_fixed`)."""

    def bad(valid):
        a = np.asarray(valid)
        out = [
            *_none_text_object(optional),
            Bad("text array", a.astype(str), True),
            Bad("negative", _with(valid, -1, a.dtype)),
            Bad("not integers", _like(valid, a + 0.5)),
            Bad("2-D", _like(valid, a[None])),
            Bad("empty", _like(valid, a[:0])),
        ]
        if length_fixed:
            out.append(Bad("one too few", _like(valid, a[:-1])))
        if n_classes is not None:
            out.append(Bad("out of range", _with(valid, n_classes, a.dtype)))
        return out

    return bad


def targets(*wrong):
    """An array of target values of a fixed shape, where `wrong` values are not allowed."""

    def bad(valid):
        out = array(shape_fixed=True)(valid)
        return out + [Bad(f"target {w}", _with(valid, w)) for w in wrong]

    return bad


def number(low=None, above=None, below=None, optional=False):
    """A finite number; >= low, > above, < below where given."""

    def bad(valid):
        out = [
            *_none_text_object(optional),
            Bad("NaN", float("nan")),
            Bad("inf", float("inf")),
            Bad("list", [1.0], True),
            Bad("bool", True, True),
            Bad("complex", 1 + 2j, True),
        ]
        if low is not None:
            out.append(Bad(f"below {low}", low - 1.0))
        if above is not None:
            out += [Bad(f"= {above}", float(above)), Bad(f"below {above}", above - 1.0)]
        if below is not None:
            out += [Bad(f"= {below}", float(below)), Bad(f"above {below}", below + 0.5)]
        return out

    return bad


POSITIVE = number(above=0)
NONNEG = number(low=0)
FRACTION = number(low=0, below=1)
NUMBER = number()


def integer(optional=False, too_large=None):
    """An integer >= 1 (`too_large`: the first value that is too large, if any)."""

    def bad(valid):
        out = [
            *_none_text_object(optional),
            Bad("zero", 0),
            Bad("negative", -1),
            Bad("float", 1.5, True),
            Bad("whole float", 2.0, True),
            Bad("bool", True, True),
            Bad("list", [2], True),
        ]
        return out + ([Bad("too large", too_large)] if too_large is not None else [])

    return bad


def a_name(optional=False):
    """One of a fixed set of names (an activation, a loss, a gate)."""

    def bad(valid):  # any text is of the right type: an unknown name is a ValueError
        out = [Bad("object", OBJECT, True), Bad("unknown name", "nope"), Bad("number", 3, True)]
        return out if optional else [Bad("None", None, True), *out]

    return bad


def flag(valid):
    return [*_none_text_object(), Bad("number", 2, True)]


def function(valid):
    return [*_none_text_object(), Bad("number", 3, True)]


def seed(optional=False):
    """A numpy Generator or an integer seed >= 0."""

    def bad(valid):
        out = [*_none_text_object(optional), Bad("float", 1.5, True), Bad("negative", -1)]
        return out + [Bad("bool", True, True)]

    return bad


def only(*bads):
    """Just the given bad values (for structured arguments: parameters, caches, trees)."""
    return lambda valid: list(bads)


def axes(valid):
    return [Bad("text", "abc", True), Bad("object", OBJECT, True), Bad("number", 3, True)]


def any_value(valid):
    return []


# --- fixtures ---------------------------------------------------------------------------------

X4 = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
Y4 = np.array([0, 1, 1, 0])
Z23 = np.array([[-1.0, 0.0, 2.0], [3.0, -2.0, 1.0]])
W23 = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0]])
KEY = jax.random.PRNGKey(0)


def mlp():
    return nnlib.model.init_mlp([2, 3, 2], seed=0)


def bad_params(params, shapes_matter=True):
    """Broken MLP parameters: not a list, a layer without a bias, the wrong shape, NaN, text."""
    first = params[0]
    wrong_shape = [{**first, "W": first["W"].T}, *params[1:]]
    with_nan = [{**first, "W": _with(first["W"], np.nan)}, *params[1:]]
    with_text = [{**first, "W": "abc"}, *params[1:]]
    bads = [
        *_none_text_object(),
        Bad("empty list", []),
        Bad("one layer dict", dict(first)),
        Bad("missing b", [{"W": first["W"]}, *params[1:]]),
        Bad("NaN", with_nan),
        Bad("text weights", with_text),
    ]
    return only(*bads, *([Bad("wrong shape", wrong_shape)] if shapes_matter else []))


def jax_params():
    return nj.init_mlp(KEY, [2, 3, 4])


def jax_loss(params, X_batch, y_batch, key):
    return nj.mlp_loss(params, X_batch, y_batch, "tanh")


def jax_scores(params, X):
    return nj.mlp_forward(params, X)


def cnn_params():
    return nj.init_cnn(KEY, channels=(2,), hidden=4, n_classes=3)


def jax_training(func_is_step=False):
    params = jax_params()
    opt = nj.adam(0.01)
    X, y = jnp.asarray(X4, jnp.float32), jnp.asarray([0, 1, 3, 2])
    wrong_state = jax.tree.map(lambda a: a[:1] if a.ndim else a, opt.init(params))
    args = dict(
        params=Arg(params, bad_params(params)),
        opt_state=Arg(
            opt.init(params),
            only(
                *_none_text_object(),
                Bad("empty dict", {}),
                Bad("SGD's state", ()),
                Bad("wrong shapes", wrong_state),
            ),
        ),
        X=Arg(X, array(rank=2)),
        y=Arg(y, labels(4)),
        key=Arg(jax.random.PRNGKey(1), only(*_none_text_object(), Bad("int", 0, True))),
        lr_scale=Arg(1.0, NONNEG),
        loss_fn=Arg(jax_loss, function),
        optimizer=Arg(opt, only(*_none_text_object(), Bad("NumPy optimiser", optim.adam(0.1)))),
        batch_size=Arg(2, integer(too_large=5)),
    )
    if func_is_step:
        args["X_batch"], args["y_batch"] = args.pop("X"), args.pop("y")
        del args["batch_size"]
    return args


def valid_calls():
    """{"module.name": {argument: Arg(value, kind)}}: one valid call per public function."""
    P = mlp()
    out, caches = nnlib.model.mlp_forward(P, X4, activation="tanh")
    bn_out, bn_cache = nnlib.regularization.batchnorm_forward(
        np.array([[1.0, 2.0], [3.0, 5.0], [0.0, 1.0]]), np.ones(2), np.zeros(2)
    )
    probs = nnlib.activations.softmax(Z23)
    JP = jax_params()
    JX, JY = jnp.asarray(X4, jnp.float32), jnp.asarray([0, 1, 3, 2])
    CNN = cnn_params()
    images = jnp.full((2, 784), 0.5, jnp.float32)
    tree = [np.ones(2), {"x": np.ones(1)}]
    calls = {}

    def add(module, function_name, /, **args):
        calls[f"{module.__name__}.{function_name}"] = {
            key: value if isinstance(value, Arg) else Arg(value) for key, value in args.items()
        }

    A = nnlib.activations
    for f in ("identity", "step", "sigmoid", "tanh", "relu"):
        add(A, f, z=Arg(Z23, array(empty_ok=True)))
        add(A, f"{f}_derivative", z=Arg(Z23, array(empty_ok=True)))
    for f in ("leaky_relu", "leaky_relu_derivative"):
        add(A, f, z=Arg(Z23, array(empty_ok=True)), alpha=Arg(0.1, NUMBER))
    add(A, "maxout", pieces=Arg(Z23, array()))
    add(A, "maxout_derivative", pieces=Arg(Z23, array()))
    axis_bad = only(*_none_text_object(), Bad("out of range", 2), Bad("float", 1.5, True))
    add(A, "softmax", scores=Arg(Z23, array()), axis=Arg(-1, axis_bad))
    not_summing = np.array([[0.5, 0.2, 0.2], [0.1, 0.1, 0.1]])
    add(
        A,
        "softmax_backward",
        d_probs=Arg(Z23, array(shape_fixed=True)),
        probs=Arg(
            probs,
            array(prob=True, shape_fixed=True),
            (Bad("rows not summing to 1", not_summing),),
        ),
    )
    add(A, "get_activation", name=Arg("relu", a_name()))

    G = nnlib.autograd
    add(G, "as_values", array=Arg(Z23, array(empty_ok=True)))
    not_values = only(
        *_none_text_object(), Bad("an array of numbers", Z23, True), Bad("a number", 3.0, True)
    )
    add(G, "grads", values=Arg(G.as_values(Z23), not_values))
    add(G, "topological_order", root=Arg(G.Value(1.0) * 2.0, not_values))

    C = nnlib.conv
    # Images (2, 2, 4, 5), conv_filters (3, 2, 2, 3): with stride 1 and padding 1, outputs
    # (2, 3, 5, 5). Shapes of images and filters are free (any that fit), so their bad
    # values are wrong ranks, emptiness and channels that do not match.
    conv_images = np.arange(80.0).reshape(2, 2, 4, 5) % 7 - 3
    conv_filters = np.arange(36.0).reshape(3, 2, 2, 3) % 5 - 2
    not_negative = only(
        *_none_text_object(), Bad("negative", -1), Bad("float", 1.5, True), Bad("bool", True, True)
    )
    channels_bad = (
        Bad("other channels", conv_filters[:, :1]),
        Bad("too large", np.zeros((3, 2, 9, 9))),
    )
    conv_geometry = {
        "stride": Arg(1, integer()),
        "padding": Arg(1, not_negative),
    }
    for f in ("conv2d_forward", "conv2d_forward_loops"):
        add(
            C,
            f,
            X=Arg(conv_images, array(rank=4)),
            W=Arg(conv_filters, array(rank=4), channels_bad),
            b=Arg(np.array([0.5, -1.0, 2.0]), array(shape_fixed=True)),
            **conv_geometry,
        )
    conv_cache_bad = only(
        *_none_text_object(),
        Bad("empty tuple", ()),
        Bad("three items", (conv_images, conv_filters, 1)),
        Bad("mismatched channels", (conv_images, conv_filters[:, :1], 1, 1)),
        Bad("text X", ("abc", conv_filters, 1, 1)),
        Bad("stride 0", (conv_images, conv_filters, 0, 1)),
    )
    for f in ("conv2d_backward", "conv2d_backward_loops"):
        add(
            C,
            f,
            dout=Arg(np.ones((2, 3, 5, 5)), array(rank=4, shape_fixed=True)),
            cache=Arg((conv_images, conv_filters, 1, 1), conv_cache_bad),
        )
    add(
        C,
        "conv_output_size",
        n=Arg(28, integer()),
        k=Arg(3, integer(too_large=31)),
        **conv_geometry,
    )
    add(
        C,
        "im2col",
        X=Arg(conv_images, array(rank=4)),
        kh=Arg(2, integer(too_large=7)),
        kw=Arg(3, integer(too_large=8)),
        **conv_geometry,
    )
    add(
        C,
        "col2im",
        cols=Arg(np.ones((2, 12, 25)), array(rank=3, shape_fixed=True)),
        shape=Arg(
            (2, 2, 4, 5),
            only(*_none_text_object(), Bad("three axes", (2, 2, 4)), Bad("a zero", (2, 0, 4, 5))),
        ),
        kh=Arg(2, integer(too_large=7)),
        kw=Arg(3, integer(too_large=8)),
        **conv_geometry,
    )
    pool_cache_bad = only(
        *_none_text_object(),
        Bad("two items", (conv_images, 2)),
        Bad("size too large", (conv_images, 5, 5)),
        Bad("text X", ("abc", 2, 2)),
    )
    for kind in ("max_pool", "avg_pool"):
        add(
            C,
            f"{kind}_forward",
            X=Arg(conv_images, array(rank=4)),
            size=Arg(2, integer(too_large=5)),
            stride=Arg(1, integer(optional=True)),
        )
        add(
            C,
            f"{kind}_backward",
            dout=Arg(np.ones((2, 2, 3, 4)), array(rank=4, shape_fixed=True)),
            cache=Arg((conv_images, 2, 1), pool_cache_bad),
        )

    L = nnlib.layers
    dense_bad = only(
        *_none_text_object(),
        Bad("empty tuple", ()),
        Bad("one item", (X4,)),
        Bad("mismatched", (X4[:, :1], W23)),
        Bad("text X", ("abc", W23)),
    )
    add(
        L,
        "dense_forward",
        X=Arg(X4, array(rank=2, shape_fixed=True)),
        W=Arg(W23, array(rank=2, shape_fixed=True)),
        # b: (n_out,) or (1, n_out)
        b=Arg(np.array([0.0, 1.0, 2.0]), array(shape_fixed=True), (Bad("2-D", np.ones((2, 3))),)),
    )
    add(
        L,
        "dense_backward",
        dZ=Arg(np.ones((4, 3)), array(rank=2, shape_fixed=True)),
        cache=Arg((X4, W23), dense_bad),
    )
    add(L, "activation_forward", Z=Arg(Z23, array(empty_ok=True)), name=Arg("relu", a_name()))
    act_bad = only(
        *_none_text_object(),
        Bad("one item", (Z23,)),
        Bad("unknown name", (Z23, "nope")),
        Bad("NaN Z", (_with(Z23, np.nan), "tanh")),
        Bad("text Z", ("abc", "tanh")),
    )
    add(
        L,
        "activation_backward",
        dA=Arg(np.ones((2, 3)), array(shape_fixed=True)),
        cache=Arg((Z23, "tanh"), act_bad),
    )

    Lo = nnlib.losses
    add(Lo, "one_hot", y=Arg(Y4, labels(2, length_fixed=False)), n_classes=Arg(2, integer()))
    for f in ("mse", "mse_grad", "mae", "mae_grad"):
        add(Lo, f, y_hat=Arg(Z23, array(shape_fixed=True)), y=Arg(np.zeros((2, 3)), targets()))
    for f in ("gaussian_nll", "gaussian_nll_grad"):
        add(
            Lo,
            f,
            y_hat=Arg(Z23, array(shape_fixed=True)),
            y=Arg(np.zeros((2, 3)), targets()),
            sigma=Arg(0.5, POSITIVE),
        )
    p3 = np.array([0.25, 0.5, 0.75])
    for f in ("binary_cross_entropy", "binary_cross_entropy_grad"):
        add(
            Lo,
            f,
            p=Arg(p3, array(prob=True, shape_fixed=True)),
            y=Arg(np.array([0, 1, 1]), targets(2.0, -1.0, 0.5)),
        )
    for f in ("binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits_grad"):
        add(
            Lo,
            f,
            z=Arg(np.array([-1.0, 0.0, 2.0]), array(shape_fixed=True)),
            y=Arg(np.array([0, 1, 1]), targets(2.0, -1.0, 0.5)),
        )
    for f in ("hinge", "hinge_grad"):
        add(
            Lo,
            f,
            s=Arg(np.array([0.5, -1.0, 2.0]), array(shape_fixed=True)),
            y=Arg(np.array([1, -1, 1]), targets(0.0, 2.0)),
        )
    for f in ("cross_entropy", "cross_entropy_grad"):
        add(
            Lo,
            f,
            probs=Arg(probs, array(rank=2, prob=True)),
            y=Arg(np.array([2, 0]), labels(3)),
        )
    add(Lo, "log_softmax", scores=Arg(Z23, array()))
    for f in (
        "softmax_cross_entropy",
        "softmax_cross_entropy_grad",
        "multiclass_hinge",
        "multiclass_hinge_grad",
    ):
        add(Lo, f, scores=Arg(Z23, array(rank=2)), y=Arg(np.array([2, 0]), labels(3)))

    M = nnlib.model
    sizes_bad = only(
        *_none_text_object(),
        Bad("one size", [2]),
        Bad("zero width", [2, 0]),
        Bad("negative width", [2, -1]),
        Bad("float width", [2, 1.5]),
        Bad("bool width", [2, True]),
    )
    add(M, "count_parameters", sizes=Arg([2, 3, 1], sizes_bad))
    add(
        M,
        "init_mlp",
        sizes=Arg([2, 3, 2], sizes_bad),
        seed=Arg(0, seed()),
        init=Arg("he_normal", a_name()),
        std=Arg(None, number(low=0, optional=True)),
    )
    add(
        M,
        "mlp_forward",
        params=Arg(P, bad_params(P)),
        X=Arg(X4, array(rank=2, shape_fixed=True)),
        activation=Arg("tanh", a_name()),
        output_activation=Arg("identity", a_name()),
        dropout=Arg(0.5, FRACTION),
        rng=Arg(0, seed(optional=True)),
    )
    reversed_caches = caches[::-1]
    wrong_mask = [(caches[0][0], (*caches[0][1], np.ones(7))), caches[1]]
    add(
        M,
        "mlp_backward",
        d_out=Arg(np.ones((4, 2)), array(rank=2, shape_fixed=True)),
        caches=Arg(
            caches,
            only(
                *_none_text_object(),
                Bad("empty", []),
                Bad("only the first layer", caches[:1]),
                Bad("reversed", reversed_caches),
                Bad("not pairs", [caches[0][0], caches[1][0]]),
                Bad("wrong mask", wrong_mask),
            ),
        ),
    )

    Opt = nnlib.optim
    add(
        Opt,
        "tree_map",
        fn=Arg(lambda a, b: a + b, function),
        tree=Arg(
            tree,
            only(
                *_none_text_object(),
                Bad("empty", []),
                Bad("text leaf", [np.ones(2), {"x": "abc"}], True),
                Bad("mismatched", [np.ones(3), {"x": np.ones(1)}]),
            ),
        ),
        others=Arg(
            ([np.ones(2), {"x": np.ones(1)}],),
            only(
                Bad("None", (None,), True),
                Bad("text", ("abc",), True),
                Bad("shorter", ([np.ones(2)],)),
                Bad("other key", ([np.ones(2), {"y": np.ones(1)}],)),
            ),
        ),
    )
    upd_params = [{"W": np.ones((2, 2)), "b": np.zeros(2)}]
    upd = [{"W": np.full((2, 2), 0.1), "b": np.full(2, 0.1)}]
    add(
        Opt,
        "apply_updates",
        params=Arg(
            upd_params,
            only(
                *_none_text_object(),
                Bad("empty", []),
                Bad("NaN", [{"W": _with(np.ones((2, 2)), np.nan), "b": np.zeros(2)}]),
                Bad("text leaf", [{"W": "abc", "b": np.zeros(2)}], True),
            ),
        ),
        updates=Arg(
            upd,
            only(
                *_none_text_object(),
                Bad("NaN", [{"W": _with(upd[0]["W"], np.nan), "b": upd[0]["b"]}]),
                Bad("inf", [{"W": _with(upd[0]["W"], np.inf), "b": upd[0]["b"]}]),
                Bad("missing key", [{"W": upd[0]["W"]}]),
                Bad("wrong shape", [{"W": np.ones((3, 2)), "b": upd[0]["b"]}]),
            ),
        ),
    )
    grad_tree = [{"W": np.ones((2, 2)), "b": np.zeros(2)}]
    tree_bad = only(
        *_none_text_object(),
        Bad("empty", []),
        Bad("text leaf", [{"W": "abc", "b": np.zeros(2)}], True),
    )
    add(Opt, "global_norm", grads=Arg(grad_tree, tree_bad))
    add(Opt, "clip_by_global_norm", grads=Arg(grad_tree, tree_bad), max_norm=Arg(1.0, POSITIVE))
    add(Opt, "sgd", lr=Arg(0.1, POSITIVE))
    add(Opt, "momentum", lr=Arg(0.1, POSITIVE), beta=Arg(0.9, FRACTION))
    add(Opt, "adagrad", lr=Arg(0.1, POSITIVE), eps=Arg(1e-8, POSITIVE))
    add(Opt, "rmsprop", lr=Arg(0.1, POSITIVE), rho=Arg(0.9, FRACTION), eps=Arg(1e-8, POSITIVE))
    add(
        Opt,
        "adam",
        lr=Arg(0.1, POSITIVE),
        beta1=Arg(0.9, FRACTION),
        beta2=Arg(0.999, FRACTION),
        eps=Arg(1e-8, POSITIVE),
    )
    add(
        Opt,
        "minimize",
        grad_fn=Arg(
            nnlib.surfaces.elongated_bowl_grad,
            function,
            (
                Bad("returns None", lambda x: None, True),
                Bad("returns the wrong shape", lambda x: np.ones(3)),
            ),
        ),
        start=Arg(np.array([1.0, 1.0]), array()),
        optimizer=Arg(
            optim.sgd(0.1),
            only(*_none_text_object(), Bad("a JAX optimiser", nj.sgd(0.1)), Bad("pair", (1, 2))),
        ),
        steps=Arg(3, integer()),
    )

    Pe = nnlib.perceptron
    add(Pe, "step", z=Arg(Z23, array(empty_ok=True)))
    add(
        Pe,
        "perceptron_predict",
        X=Arg(X4, array(rank=2, shape_fixed=True)),
        w=Arg(np.array([1.0, 1.0]), array(rank=1, shape_fixed=True)),
        b=Arg(-1.5, NUMBER),
    )
    bit_bad = only(
        *_none_text_object(),
        Bad("2", 2),
        Bad("-1", -1),
        Bad("0.5", 0.5),
        Bad("list", [1], True),
        Bad("bool", True, True),
    )
    add(
        Pe,
        "perceptron_update",
        w=Arg(np.array([1.0, 0.0]), array(rank=1, shape_fixed=True)),
        b=Arg(0.0, NUMBER),
        x=Arg(np.array([1.0, 1.0]), array(rank=1, shape_fixed=True)),
        y=Arg(1, bit_bad),
        lr=Arg(1.0, POSITIVE),
    )
    binary = targets(2.0, -1.0, 0.5)
    add(
        Pe,
        "train_perceptron",
        X=Arg(X4, array(rank=2)),
        y=Arg(np.array([0, 1, 1, 1]), lambda v: [*binary(v), Bad("2-D", v[None])]),
        lr=Arg(1.0, POSITIVE),
        max_epochs=Arg(5, integer()),
        w_init=Arg(None, array(rank=1, shape_fixed=True, optional=True, template=np.zeros(2))),
        b_init=Arg(0.0, NUMBER),
        seed=Arg(None, seed(optional=True)),
    )
    add(
        Pe,
        "multiclass_predict",
        X=Arg(X4, array(rank=2, shape_fixed=True)),
        W=Arg(W23, array(rank=2, shape_fixed=True)),
        b=Arg(np.zeros(3), array(rank=1, shape_fixed=True)),
    )
    add(
        Pe,
        "train_multiclass_perceptron",
        X=Arg(X4, array(rank=2)),
        y=Arg(np.array([0, 1, 2, 0]), labels(3)),
        n_classes=Arg(3, integer()),
        lr=Arg(1.0, POSITIVE),
        max_epochs=Arg(5, integer()),
    )

    R = nnlib.regularization
    weights_bad = only(
        *_none_text_object(),
        Bad("empty list", []),
        Bad("text in the list", [W23, "abc"], True),
        Bad("NaN", [W23, _with(np.ones(3), np.nan)]),
        Bad("complex", W23 + 1j, True),
    )
    for f in ("l2_penalty", "l1_penalty"):
        add(R, f, weights=Arg([W23, np.ones(3)], weights_bad), lam=Arg(0.1, NONNEG))
    add(
        R,
        "elastic_net_penalty",
        weights=Arg([W23, np.ones(3)], weights_bad),
        lam=Arg(0.1, NONNEG),
        beta=Arg(0.5, NONNEG),
    )
    for f in ("l2_grad", "l1_grad"):
        add(R, f, W=Arg(W23, array(empty_ok=True)), lam=Arg(0.1, NONNEG))
    add(
        R,
        "elastic_net_grad",
        W=Arg(W23, array(empty_ok=True)),
        lam=Arg(0.1, NONNEG),
        beta=Arg(0.5, NONNEG),
    )
    # W: a matrix, or one unit's weights as a vector
    add(R, "max_norm", W=Arg(W23, array(), (Bad("3-D", W23[None]),)), c=Arg(1.0, POSITIVE))
    add(
        R,
        "dropout_forward",
        A=Arg(Z23, array(empty_ok=True)),
        p_drop=Arg(0.5, FRACTION),
        rng=Arg(0, seed()),
        training=Arg(True, flag),
    )
    mask = np.array([[0.0, 2.0, 2.0], [2.0, 0.0, 2.0]])
    add(
        R,
        "dropout_backward",
        d_out=Arg(np.ones((2, 3)), array(shape_fixed=True, empty_ok=True)),
        mask=Arg(mask, array(shape_fixed=True, empty_ok=True), (Bad("negative", -mask),)),
    )
    bn_X = np.array([[1.0, 2.0], [3.0, 5.0], [0.0, 1.0]])
    add(
        R,
        "batchnorm_forward",
        X=Arg(bn_X, array(rank=2, shape_fixed=True), (Bad("one row", bn_X[:1]),)),
        gamma=Arg(np.ones(2), array(rank=1, shape_fixed=True)),
        beta=Arg(np.zeros(2), array(rank=1, shape_fixed=True)),
        eps=Arg(1e-5, POSITIVE),
    )
    X_hat, inv_std, gamma = bn_cache
    add(
        R,
        "batchnorm_backward",
        d_out=Arg(np.ones((3, 2)), array(rank=2, shape_fixed=True)),
        cache=Arg(
            bn_cache,
            only(
                *_none_text_object(),
                Bad("two items", bn_cache[:2]),
                Bad("mismatched", (X_hat, inv_std[:1], gamma)),
                Bad("text X_hat", ("abc", inv_std, gamma)),
            ),
        ),
    )

    Init = nnlib.init
    for f in ("zeros", "lecun_normal", "xavier_normal", "xavier_uniform", "he_normal"):
        add(Init, f, n_in=Arg(3, integer()), n_out=Arg(2, integer()), rng=Arg(0, seed()))
    add(Init, "he_uniform", n_in=Arg(3, integer()), n_out=Arg(2, integer()), rng=Arg(0, seed()))
    add(
        Init,
        "normal",
        n_in=Arg(3, integer()),
        n_out=Arg(2, integer()),
        rng=Arg(0, seed()),
        std=Arg(0.5, NONNEG),
    )

    T = nnlib.train
    add(
        T,
        "predict_classes",
        params=Arg(P, bad_params(P)),
        X=Arg(X4, array(rank=2, shape_fixed=True)),
        activation=Arg("tanh", a_name()),
    )
    state = optim.adam(0.01).init(P)
    add(
        T,
        "train_mlp",
        params=Arg(P, bad_params(P)),
        X=Arg(X4, array(rank=2, shape_fixed=True)),
        y=Arg(Y4, labels(2)),
        activation=Arg("tanh", a_name()),
        loss=Arg("softmax_cross_entropy", a_name()),
        lr=Arg(0.1, POSITIVE),
        epochs=Arg(2, integer()),
        batch_size=Arg(2, integer(optional=True, too_large=5)),
        seed=Arg(0, seed()),
        progress=Arg(False, flag),
        optimizer=Arg(
            optim.adam(0.01),
            only(Bad("text", "abc", True), Bad("a JAX optimiser", nj.sgd(0.1), True)),
        ),
        l2=Arg(0.01, NONNEG),
        dropout=Arg(0.1, FRACTION),
        track_accuracy=Arg(True, flag),
        opt_state=Arg(
            state,
            only(
                Bad("text", "abc", True),
                Bad("empty dict", {}),
                Bad("momentum's state", optim.momentum(0.1).init(P)),
            ),
        ),
    )
    add(
        T,
        "fit_classifier",
        X=Arg(X4, array(rank=2)),
        y=Arg(Y4, labels()),
        hidden=Arg(
            (3,),
            only(*_none_text_object(), Bad("zero", [0]), Bad("float", [1.5]), Bad("bool", [True])),
        ),
        activation=Arg("tanh", a_name()),
        lr=Arg(0.5, POSITIVE),
        epochs=Arg(2, integer()),
        seed=Arg(0, seed()),
    )

    G = nnlib.gradcheck
    add(
        G,
        "numerical_gradient",
        f=Arg(
            lambda v: float(np.sum(v**2)),
            function,
            (
                Bad("returns None", lambda v: None, True),
                Bad("returns an array", lambda v: np.ones(3), True),
                Bad("returns NaN", lambda v: float("nan")),
            ),
        ),
        x=Arg(np.array([1.0, 2.0]), array()),
        h=Arg(1e-6, POSITIVE),
    )
    add(
        G,
        "relative_error",
        a=Arg(np.array([1.0, 2.0]), array(shape_fixed=True)),
        b=Arg(np.array([1.0, 2.5]), array(shape_fixed=True)),
    )
    add(
        G,
        "check_mlp_gradients",
        params=Arg(P, bad_params(P)),
        X=Arg(X4, array(rank=2, shape_fixed=True)),
        y=Arg(Y4, labels(2)),
        activation=Arg("tanh", a_name()),
        loss=Arg("softmax_cross_entropy", a_name()),
        h=Arg(1e-6, POSITIVE),
    )

    S = nnlib.surfaces
    surface_x = array(empty_ok=True, finite=False)
    for f in ("double_well", "double_well_grad"):
        add(S, f, x=Arg(np.array([0.5, 1.5]), surface_x))
    for f in ("elongated_bowl", "rosenbrock", "two_minima"):
        for g in (f, f"{f}_grad"):
            add(
                S,
                g,
                x=Arg(
                    np.array([[1.0, 2.0], [0.0, 1.0]]),
                    surface_x,
                    (Bad("three coordinates", np.ones((2, 3))), Bad("one number", 1.0)),
                ),
            )
    path = np.array([[0.0, 0.0], [0.5, 0.5]])
    add(
        S,
        "plot_descent",
        name=Arg("rosenbrock", a_name()),
        paths=Arg(
            [path],
            only(
                *_none_text_object(),
                Bad("three coordinates", [np.ones((2, 3))]),
                Bad("text path", ["abc"], True),
                Bad("an array, not a list", path, True),
            ),
        ),
        ax=Arg(None, axes),
        labels=Arg(["a"], only(Bad("text", "abc", True), Bad("two labels", ["a", "b"]))),
        colours=Arg(None, only(Bad("text", "abc", True), Bad("empty", []))),
        markers=Arg(None, only(Bad("text", "abc", True), Bad("empty", []))),
    )

    Pl = nnlib.plot
    names_bad = only(Bad("text", "abc", True), Bad("number", 3, True), Bad("too few", ["a"]))
    add(
        Pl,
        "plot_points",
        X=Arg(X4, array(rank=2, shape_fixed=True)),
        y=Arg(Y4, labels()),
        ax=Arg(None, axes),
        class_names=Arg(None, names_bad),
        size=Arg(40, POSITIVE),
    )
    limits = only(
        *_none_text_object(),
        Bad("reversed", (1.5, -0.5)),
        Bad("one number", (0.0,)),
        Bad("NaN", (0.0, float("nan"))),
    )
    optional_limits = lambda v: [b for b in limits(v) if b.value is not None]  # noqa: E731
    add(
        Pl,
        "plot_decision_line",
        w=Arg(np.array([1.0, 1.0]), array(rank=1, shape_fixed=True)),
        b=Arg(-1.5, NUMBER),
        ax=Arg(None, axes),
        xlim=Arg((-0.5, 1.5), limits),
        ylim=Arg((-0.5, 1.5), limits),
        shade=Arg(True, flag),
    )
    add(
        Pl,
        "plot_decision_regions",
        predict=Arg(
            lambda P: (P[:, 0] > 0.5).astype(int),
            function,
            (
                Bad("returns None", lambda P: None, True),
                Bad("returns the wrong length", lambda P: np.ones(3)),
                Bad("returns negative classes", lambda P: -np.ones(len(P))),
            ),
        ),
        X=Arg(X4, array(rank=2, shape_fixed=True, optional=True)),
        y=Arg(Y4, labels(optional=True)),
        ax=Arg(None, axes),
        xlim=Arg(None, optional_limits),
        ylim=Arg(None, optional_limits),
        resolution=Arg(10, integer(), (Bad("one point", 1),)),
        class_names=Arg(None, names_bad),
    )
    add(
        Pl,
        "plot_gate_unit",
        gate=Arg("AND", a_name()),
        w=Arg(np.array([1.0, 1.0]), array(rank=1, shape_fixed=True)),
        b=Arg(-1.5, NUMBER),
        ax=Arg(None, axes),
        lim=Arg((-0.5, 1.5), limits),
    )
    add(
        Pl,
        "plot_activation",
        f=Arg(np.tanh, function, (Bad("returns the wrong shape", lambda z: np.ones(2)),)),
        f_prime=Arg(lambda z: 1 - np.tanh(z) ** 2, function),
        axes=Arg(
            None,
            only(
                Bad("text", "abc", True),
                Bad("number", 3, True),
                Bad("pair of numbers", [1, 2], True),
                Bad("one axes", [OBJECT]),
            ),
        ),
        z=Arg(np.linspace(-2, 2, 5), array(rank=1, optional=True)),
        label=Arg("tanh", any_value),
    )
    digits = np.arange(2 * 64).reshape(2, 64) / 128
    add(
        Pl,
        "plot_digits",
        images=Arg(digits, array(), (Bad("not square", digits[:, :63]), Bad("1-D", digits[0]))),
        labels=Arg(np.array([1, 2]), labels(optional=True)),
        predictions=Arg(np.array([1, 3]), labels(optional=True)),
        confidences=Arg(np.array([0.9, 0.6]), array(prob=True, shape_fixed=True, optional=True)),
        ncols=Arg(2, integer()),
        axes=Arg(None, only(Bad("text", "abc", True), Bad("numbers", [1, 2], True))),
    )
    true, predicted = np.array([0, 1, 2, 1]), np.array([0, 2, 2, 1])
    for f in ("confusion_counts", "plot_confusion_matrix"):
        args = dict(
            true=Arg(true, labels(3)),
            predicted=Arg(predicted, labels(3)),
            n_classes=Arg(3, integer()),
        )
        if f == "plot_confusion_matrix":
            args["ax"] = Arg(None, axes)
        add(Pl, f, **args)

    D = nnlib.diagrams
    add(
        D,
        "draw_network",
        sizes=Arg([2, 3, 1], sizes_bad),
        ax=Arg(None, axes),
        weights=Arg(
            [np.ones((2, 3)), np.ones((3, 1))],
            only(
                Bad("text", "abc", True),
                Bad("one array", [np.ones((2, 3))]),
                Bad("wrong shape", [np.ones((3, 2)), np.ones((3, 1))]),
                Bad("NaN", [_with(np.ones((2, 3)), np.nan), np.ones((3, 1))]),
            ),
        ),
        layer_names=Arg(["in", "hidden", "out"], names_bad),
        unit_labels=Arg(True, flag),
    )
    nodes = {"a": (0, 0), "b": (1, 0), "c": (2, 0, "+")}
    numbers_bad = only(
        Bad("text", "abc", True),
        Bad("unknown node", {"zz": 1.0}),
        Bad("text value", {"a": "abc"}, True),
        Bad("NaN value", {"a": float("nan")}),
    )
    add(
        D,
        "draw_graph",
        nodes=Arg(
            nodes,
            only(
                *_none_text_object(),
                Bad("empty", {}),
                Bad("one coordinate", {"a": (0,)}),
                Bad("NaN position", {"a": (float("nan"), 0)}),
            ),
        ),
        edges=Arg(
            [("a", "c"), ("b", "c")],
            only(
                *_none_text_object(),
                Bad("unknown node", [("a", "zz")]),
                Bad("one name", [("a",)]),
                Bad("not a pair", [3]),
            ),
        ),
        values=Arg({"a": 1.0, "b": 2.0, "c": 3.0}, numbers_bad),
        grads=Arg({"a": 1.0, "b": 1.0, "c": 1.0}, numbers_bad),
        ax=Arg(None, axes),
        radius=Arg(0.28, POSITIVE),
        fmt=Arg(
            "{:g}",
            only(Bad("number", 3, True), Bad("two fields", "{} {}"), Bad("int field", "{:d}")),
        ),
        fontsize=Arg(10, POSITIVE),
    )

    add(nnlib.data.gates, "logic_gate", name=Arg("xor", a_name()))
    add(nnlib.data.gates, "coffee_menu")
    toy_seed = lambda v: [*seed()(v), Bad("a Generator", np.random.default_rng(0), True)]  # noqa: E731
    for f in ("make_blobs", "make_moons", "make_circles", "make_xor", "make_spirals"):
        add(
            nnlib.data.toy,
            f,
            n=Arg(10, integer()),
            noise=Arg(0.1, NONNEG),
            seed=Arg(0, toy_seed),
        )

    key_bad = only(
        *_none_text_object(),
        Bad("int", 0, True),
        Bad("floats", jnp.ones(2), True),
        Bad("three numbers", np.zeros(3, np.uint32), True),
    )
    optional_key = lambda v: [b for b in key_bad(v) if b.value is not None]  # noqa: E731
    dtype_bad = only(*_none_text_object(), Bad("int dtype", jnp.int32, True))
    add(nj, "jit", fun=Arg(lambda x: x + 1, function))
    add(
        nj,
        "init_mlp",
        key=Arg(KEY, key_bad),
        sizes=Arg([2, 3, 2], sizes_bad),
        dtype=Arg(jnp.float32, dtype_bad),
    )
    add(
        nj,
        "mlp_forward",
        params=Arg(JP, bad_params(JP)),
        X=Arg(JX, array(rank=2, shape_fixed=True)),
        activation=Arg("tanh", a_name()),
        dropout=Arg(0.5, FRACTION),
        key=Arg(jax.random.PRNGKey(1), optional_key),
    )
    add(
        nj,
        "softmax_cross_entropy",
        scores=Arg(jnp.asarray(Z23, jnp.float32), array(rank=2)),
        y=Arg(jnp.asarray([2, 0]), labels(3)),
    )
    # l2_penalty sums the squares of any weights: their shapes do not matter
    add(nj, "l2_penalty", params=Arg(JP, bad_params(JP, False)), l2=Arg(0.1, NONNEG))
    add(
        nj,
        "mlp_loss",
        params=Arg(JP, bad_params(JP)),
        X=Arg(JX, array(rank=2, shape_fixed=True)),
        y=Arg(JY, labels(4)),
        activation=Arg("tanh", a_name()),
        l2=Arg(0.1, NONNEG),
        dropout=Arg(0.5, FRACTION),
        key=Arg(jax.random.PRNGKey(1), optional_key),
    )
    add(nj, "sgd", lr=Arg(0.1, POSITIVE))
    add(
        nj,
        "adam",
        lr=Arg(0.01, POSITIVE),
        beta1=Arg(0.9, FRACTION),
        beta2=Arg(0.999, FRACTION),
        eps=Arg(1e-8, POSITIVE),
    )
    updates = jax.tree.map(lambda a: a * 0.1, JP)
    nan_updates = [{**updates[0], "W": _with(updates[0]["W"], np.nan)}, *updates[1:]]
    add(
        nj,
        "apply_updates",
        params=Arg(JP, bad_params(JP)),
        updates=Arg(
            updates,
            only(
                *_none_text_object(),
                Bad("one layer short", updates[:1]),
                Bad("NaN", nan_updates),
                Bad("wrong shape", [{**updates[0], "W": updates[0]["W"].T}, *updates[1:]]),
            ),
        ),
    )
    add(nj, "shuffled_order", key=Arg(KEY, key_bad), n=Arg(5, integer()))
    add(nj, "train_epoch", **jax_training())
    add(nj, "train_step", **jax_training(func_is_step=True))
    add(nj, "train_epoch_stepwise", **jax_training())
    predict_bad = (Bad("returns one number per row", lambda p, X: X[:, 0]),)
    for f in ("predict_scores", "accuracy"):
        args = dict(
            params=Arg(JP, bad_params(JP)),
            X=Arg(JX, array(rank=2)),
            predict_fn=Arg(jax_scores, function, predict_bad),
            batch_size=Arg(3, integer()),
        )
        if f == "accuracy":
            args["y"] = Arg(JY, labels(4))
        add(nj, f, **args)
    conv_X = jnp.ones((1, 4, 4, 1))
    add(
        nj,
        "conv2d",
        X=Arg(conv_X, array(rank=4, shape_fixed=True)),
        W=Arg(jnp.ones((3, 3, 1, 2)), array(rank=4, shape_fixed=True)),
        b=Arg(jnp.zeros(2), array(rank=1, shape_fixed=True)),
    )
    add(
        nj,
        "max_pool",
        X=Arg(jnp.arange(32.0).reshape(1, 4, 4, 2), array(rank=4)),
        size=Arg(2, integer(), (Bad("does not divide", 3),)),
    )
    add(
        nj,
        "init_cnn",
        key=Arg(KEY, key_bad),
        channels=Arg(
            (2,),
            only(*_none_text_object(), Bad("zero", (0,)), Bad("three blocks", (2, 2, 2))),
        ),
        hidden=Arg(4, integer()),
        n_classes=Arg(3, integer()),
        kernel=Arg(3, integer()),
        dtype=Arg(jnp.float32, dtype_bad),
    )
    cnn_bad = bad_params(CNN)
    add(
        nj,
        "cnn_forward",
        params=Arg(CNN, cnn_bad),
        X=Arg(images, array(rank=2), (Bad("not 28x28", images[:, :700]),)),
        dropout=Arg(0.5, FRACTION),
        key=Arg(jax.random.PRNGKey(1), optional_key),
    )
    add(
        nj,
        "cnn_loss",
        params=Arg(CNN, cnn_bad),
        X=Arg(images, array(rank=2), (Bad("not 28x28", images[:, :700]),)),
        y=Arg(jnp.asarray([0, 2]), labels(3)),
        l2=Arg(0.1, NONNEG),
        dropout=Arg(0.5, FRACTION),
        key=Arg(jax.random.PRNGKey(1), optional_key),
    )
    return calls


# --- running and classifying ------------------------------------------------------------------


class Hang(BaseException):
    """Raised by the alarm; a BaseException, so that `except Exception` cannot swallow it."""


@contextmanager
def time_limit(seconds):
    def alarm(signum, frame):
        raise Hang

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def call(function, args):
    """Call `function` with {name: value}; a *args parameter gets its tuple spread."""
    positional, keywords = [], {}
    parameters = inspect.signature(function).parameters
    spread = any(p.kind is p.VAR_POSITIONAL for p in parameters.values())
    for parameter in parameters.values():
        if parameter.name not in args:
            continue
        value = args[parameter.name]
        if parameter.kind is parameter.VAR_POSITIONAL:
            positional.extend(value)
        elif spread and parameter.kind is parameter.POSITIONAL_OR_KEYWORD:
            positional.append(value)
        else:
            keywords[parameter.name] = value
    try:
        with time_limit(TIME_LIMIT):
            return function(*positional, **keywords)
    finally:
        plt.close("all")


@dataclass
class Outcome:
    function: str
    argument: str
    label: str
    kind: str  # clear, raw, crash, hang, silent
    detail: str = ""


def classify(qualified, argument, bad, function, args):
    short = qualified.rsplit(".", 1)[1]
    where = (qualified, argument, bad.label)
    try:
        call(function, args | {argument: bad.value})
    except Hang:
        return Outcome(*where, "hang", f"ran past {TIME_LIMIT} s")
    except (MemoryError, SystemError, RecursionError) as error:
        return Outcome(*where, "crash", f"{type(error).__name__}: {error}")
    except (TypeError, ValueError) as error:
        message = str(error)
        names_it = re.search(rf"(?<!\w){re.escape(argument)}(?!\w)", message)
        if bad.type_error and not isinstance(error, TypeError):
            return Outcome(*where, "raw", f"expected TypeError, got ValueError: {message}")
        if message.startswith(f"{short}:") and names_it:
            return Outcome(*where, "clear", message)
        return Outcome(*where, "raw", f"{type(error).__name__}: {message}")
    except Exception as error:
        return Outcome(*where, "raw", f"{type(error).__name__}: {error}")
    except BaseException as error:  # SystemExit and the like: the interpreter was told to stop
        return Outcome(*where, "crash", f"{type(error).__name__}: {error}")
    return Outcome(*where, "silent", "returned a result")


def run_corpus(names=None):
    functions = public_functions()
    table = valid_calls()
    outcomes = []
    for qualified, spec in table.items():
        if names is not None and qualified not in names:
            continue
        function = functions[qualified]
        valid = {key: arg.value for key, arg in spec.items()}
        for argument, arg in spec.items():
            bads = ([] if arg.kind is None else arg.kind(arg.value)) + list(arg.extra)
            for bad in bads:
                outcomes.append(classify(qualified, argument, bad, function, valid))
    return outcomes


KINDS = ("clear", "raw", "crash", "hang", "silent")


def counts_table(outcomes):
    by_module = {}
    for outcome in outcomes:
        module = outcome.function.rsplit(".", 1)[0]
        by_module.setdefault(module, Counter())[outcome.kind] += 1
    total = Counter(o.kind for o in outcomes)
    lines = [f"{'module':24s}{'bad inputs':>11s}" + "".join(f"{k:>8s}" for k in KINDS)]
    for module, counter in [*sorted(by_module.items()), ("all", total)]:
        n = sum(counter.values())
        lines.append(f"{module:24s}{n:11d}" + "".join(f"{counter[k]:8d}" for k in KINDS))
    return "\n".join(lines)


# --- the tests --------------------------------------------------------------------------------


def test_every_public_function_has_a_valid_call():
    functions = set(public_functions())
    calls = valid_calls()
    table = set(calls)
    assert not (functions - table - SKIP), f"no valid call in the table: {functions - table}"
    unknown = table - functions
    assert not unknown, f"the table names functions that do not exist: {unknown}"
    assert SKIP <= functions, f"skip-list entries that are not public functions: {SKIP - functions}"
    for qualified in table:
        parameters = inspect.signature(public_functions()[qualified]).parameters
        missing = {p for p in calls[qualified] if p not in parameters}
        assert not missing, f"{qualified}: the table names no such arguments {missing}"


def test_the_valid_calls_succeed():
    functions = public_functions()
    failures = []
    for qualified, spec in valid_calls().items():
        try:
            call(functions[qualified], {key: arg.value for key, arg in spec.items()})
        except Exception as error:
            failures.append(f"{qualified}: {type(error).__name__}: {error}")
    assert not failures, "valid calls failed:\n" + "\n".join(failures)


def test_every_bad_input_gets_a_clear_error():
    outcomes = run_corpus()
    table = counts_table(outcomes)
    print("\n" + table)
    wrong = [o for o in outcomes if o.kind != "clear"]
    listing = "\n".join(
        f"  {o.kind:6s} {o.function}({o.argument}=<{o.label}>): {o.detail[:160]}"
        for o in wrong[:25]
    )
    assert not wrong, f"{len(wrong)} bad inputs without a clear error:\n{table}\n{listing}"


# --- valid variants: lists, integer dtypes, NumPy scalars, float32 -----------------------------

# Functions whose result keeps float32 when every float input is float32.
KEEPS_FLOAT32 = {
    f"nnlib.activations.{f}"
    for f in (
        "identity",
        "step",
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "softmax",
        "sigmoid_derivative",
        "tanh_derivative",
        "relu_derivative",
        "softmax_backward",
    )
} | {
    "nnlib.losses.mse_grad",
    "nnlib.losses.softmax_cross_entropy_grad",
    "nnlib.losses.binary_cross_entropy_with_logits_grad",
    "nnlib.layers.dense_forward",
    "nnlib.layers.activation_forward",
}


def variants(spec):
    """(label, args) pairs that must give the valid call's result."""
    valid = {key: arg.value for key, arg in spec.items()}
    out = []
    for key, value in valid.items():
        if isinstance(value, np.ndarray) and value.dtype.kind in "fiu":
            out.append((f"{key} as a list", valid | {key: value.tolist()}))
            if value.dtype.kind == "f" and np.all(value == np.round(value)):
                out.append((f"{key} as ints", valid | {key: value.astype(np.int64)}))
            if value.dtype.kind in "iu":
                out.append((f"{key} as int32", valid | {key: value.astype(np.int32)}))
        elif (
            isinstance(value, jax.Array)
            and not jax.dtypes.issubdtype(value.dtype, jax.dtypes.prng_key)
            and value.dtype != np.uint32
        ):
            out.append((f"{key} as NumPy", valid | {key: np.asarray(value)}))
        elif isinstance(value, float) and not isinstance(value, bool):
            out.append((f"{key} as np.float64", valid | {key: np.float64(value)}))
            if value == int(value):
                out.append((f"{key} as an int", valid | {key: int(value)}))
        elif isinstance(value, int) and not isinstance(value, bool):
            out.append((f"{key} as np.int64", valid | {key: np.int64(value)}))
    return out


def as_float32(valid):
    return {
        key: value.astype(np.float32)
        if isinstance(value, np.ndarray) and value.dtype == np.float64
        else value
        for key, value in valid.items()
    }


def comparable(result):
    """The result as nested lists, dicts and float arrays, comparable with `same`."""
    if isinstance(result, optim.Optimizer | nj.Optimizer):  # compare what one step does
        params = [{"W": np.ones((2, 2)), "b": np.zeros(2)}]
        grads = [{"W": np.full((2, 2), 0.5), "b": np.ones(2)}]
        if isinstance(result, nj.Optimizer):
            params, grads = jax.tree.map(jnp.asarray, params), jax.tree.map(jnp.asarray, grads)
            return comparable(result.update(grads, result.init(params))[0])
        return comparable(result.update(grads, result.init(params))[0])
    if isinstance(result, dict):
        return {key: comparable(value) for key, value in result.items()}
    if is_dataclass(result):
        return comparable(dict(vars(result)))
    if isinstance(result, list | tuple) or (
        isinstance(result, np.ndarray) and result.dtype == object
    ):
        return [comparable(item) for item in result]
    if isinstance(result, np.ndarray | jax.Array | np.generic | int | float):
        array = np.asarray(result)
        return array.astype(float) if array.dtype.kind in "biuf" else array
    if isinstance(result, str) or result is None:
        return result
    return type(result).__name__  # axes, compiled functions: drawn, not compared


def same(a, b, rtol):
    if isinstance(a, dict):
        keys_match = isinstance(b, dict) and a.keys() == b.keys()
        return keys_match and all(same(a[k], b[k], rtol) for k in a)
    if isinstance(a, list):
        pairs = zip(a, b, strict=False)
        return isinstance(b, list) and len(a) == len(b) and all(same(x, y, rtol) for x, y in pairs)
    if isinstance(a, np.ndarray):
        return (
            isinstance(b, np.ndarray)
            and a.shape == b.shape
            and np.allclose(a, b, rtol=rtol, atol=rtol * 1e-2, equal_nan=True)
        )
    return a == b


def test_valid_variants_give_the_same_result():
    functions = public_functions()
    failures = []
    for qualified, spec in valid_calls().items():
        function = functions[qualified]
        valid = {key: arg.value for key, arg in spec.items()}
        expected = comparable(call(function, valid))
        for label, args in variants(spec):
            try:
                got = comparable(call(function, args))
            except Exception as error:
                failures.append(f"{qualified} with {label}: {type(error).__name__}: {error}")
                continue
            # JAX computes in float32 (and in float64 for NumPy's float64 scalars when
            # another test module has switched on jax_enable_x64): compare to float32 precision.
            rtol = 1e-5 if qualified.startswith("nnlib.jax.") else 1e-12
            if not same(expected, got, rtol):
                failures.append(f"{qualified} with {label}: a different result")
        if any(isinstance(v, np.ndarray) and v.dtype == np.float64 for v in valid.values()):
            try:
                result = call(function, as_float32(valid))
            except Exception as error:
                failures.append(f"{qualified} in float32: {type(error).__name__}: {error}")
                continue
            if not same(expected, comparable(result), 1e-4):
                failures.append(f"{qualified} in float32: a different result")
            first = result[0] if isinstance(result, tuple) else result
            if qualified in KEEPS_FLOAT32 and np.asarray(first).dtype != np.float32:
                failures.append(f"{qualified} in float32: returned {np.asarray(first).dtype}")
    assert not failures, "\n".join(failures[:30])


# --- randomised bad values (hypothesis) ---------------------------------------------------------


@dataclass
class Numeric:
    """Where a random bad number can go: a function, an argument and its strategy."""

    function: str
    argument: str
    values: object = field(repr=False)


@cache
def shared_calls():
    """valid_calls() built once, for the randomised tests (they only pass bad values)."""
    return valid_calls()


@cache
def _numeric_targets():
    positive = st.floats(max_value=0.0) | st.sampled_from([np.nan, np.inf, -np.inf])
    non_negative = st.floats(max_value=-1e-300, exclude_max=False) | st.just(np.nan)
    fraction = st.floats(min_value=1.0) | st.floats(max_value=-1e-12) | st.just(np.nan)
    at_most_zero = st.integers(max_value=0)
    targets_ = []
    for qualified, spec in shared_calls().items():
        for argument, arg in spec.items():
            strategy = {
                POSITIVE: positive,
                NONNEG: non_negative,
                FRACTION: fraction,
            }.get(arg.kind)
            if strategy is None and arg.kind is not None and arg.value.__class__ is int:
                if any(b.label == "zero" for b in arg.kind(arg.value)):
                    strategy = at_most_zero
            if strategy is not None:
                targets_.append(Numeric(qualified, argument, strategy))
    return targets_


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_out_of_range_numbers_get_clear_errors(data):
    targets_ = _numeric_targets()
    target = targets_[data.draw(st.integers(0, len(targets_) - 1), label="where")]
    value = data.draw(target.values, label="value")
    spec = shared_calls()[target.function]
    valid = {key: arg.value for key, arg in spec.items()}
    function = public_functions()[target.function]
    outcome = classify(target.function, target.argument, Bad("random", value), function, valid)
    assert outcome.kind == "clear", outcome


@settings(max_examples=40, derandomize=True, deadline=None)
@given(data=st.data())
def test_random_labels_out_of_range_get_clear_errors(data):
    choices = [
        ("nnlib.losses.softmax_cross_entropy", "y", 3),
        ("nnlib.losses.one_hot", "y", 2),
        ("nnlib.train.train_mlp", "y", 2),
        ("nnlib.plot.confusion_counts", "true", 3),
        ("nnlib.perceptron.train_multiclass_perceptron", "y", 3),
        ("nnlib.jax.mlp_loss", "y", 4),
        ("nnlib.jax.softmax_cross_entropy", "y", 3),
    ]
    qualified, argument, n_classes = data.draw(st.sampled_from(choices), label="where")
    bad_label = data.draw(st.integers(n_classes, 10**6) | st.integers(-(10**6), -1), label="label")
    spec = shared_calls()[qualified]
    valid = {key: arg.value for key, arg in spec.items()}
    labels_ = np.array(valid[argument])
    position = data.draw(st.integers(0, len(labels_) - 1), label="position")
    labels_[position] = bad_label
    bad = Bad("random label", _like(valid[argument], labels_))
    outcome = classify(qualified, argument, bad, public_functions()[qualified], valid)
    assert outcome.kind == "clear", outcome


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float32_stays_float32_through_the_numpy_training_path(dtype):
    X = X4.astype(dtype)
    params = [{k: v.astype(dtype) for k, v in layer.items()} for layer in mlp()]
    out, caches = nnlib.model.mlp_forward(params, X, activation="relu")
    assert out.dtype == dtype
    grads = nnlib.model.mlp_backward(nnlib.losses.softmax_cross_entropy_grad(out, Y4), caches)
    assert all(g["W"].dtype == dtype for g in grads)
