"""Checkers for the backpropagation exercises (exercises/07_backprop.ipynb).

Usage in the notebook: `from nnlib.checks import backprop as check`, then for example
`check.dense_backward(dense_backward)`.

The checkers are declarations judged by nnlib.checks.engine (`CodeExercise`: the dense
layer's dX, dW and db judged part by part, the 2-layer network, the descent with
accumulators; `NumberExercise`), except where a declaration cannot say it: the hand-worked
graph (numbers), the autograd node (judged by the gradients it leaves behind) and the
gradient checker (judged by its relative error, with an input that must come back as it
was). A mistake is named only when it reproduces the student's numbers on every case.
"""

from __future__ import annotations

from functools import partial
from operator import itemgetter

import numpy as np

from nnlib.activations import relu, relu_derivative, sigmoid, sigmoid_derivative, softmax
from nnlib.autograd import Value
from nnlib.checks import (
    Reject,
    array_text,
    call_student,
    checker,
    explain_difference,
    kind_of,
    require_number,
    require_started,
    run_student,
    values_differ,
)
from nnlib.checks.engine import (
    CodeExercise,
    Piece,
    Variant,
    as_array,
    as_dict,
    as_parts,
    call_with_shape_hint,
    close,
    code_checker,
    finite,
    recoded,
    reject_match,
)
from nnlib.checks.numeric import Mistake, NumberExercise, number_checker
from nnlib.gradcheck import numerical_gradient as central_differences
from nnlib.gradcheck import relative_error
from nnlib.layers import dense_backward as _dense_backward
from nnlib.losses import one_hot

# np.isclose's tolerance, for the numbers of the hand-worked graph and the autograd node.
_LOOSE = {"rtol": 1e-5, "atol": 1e-8}


def _variants(compute, messages):
    """The typical mistakes `{code: message}` as Variants: `compute(*case, mistake=code)`
    computes what the mistaken answer returns."""
    return [Variant(code, text, partial(compute, mistake=code)) for code, text in messages.items()]


# 1. A small graph by hand -------------------------------------------------------------------

_GRAPH_INPUTS = {"a": 2.0, "b": -3.0, "c": 4.0, "d": 3.0}


def _graph_answer(a, b, c, d):
    """f = (a b + c) d and its four partial derivatives, by the rules of the chapter."""
    p = a * b
    q = p + c
    f = q * d
    df_dq = d  # × sends q the other factor
    return f, {"a": df_dq * b, "b": df_dq * a, "c": df_dq, "d": q}


_FORWARD_VALUES = (
    "These are forward values, not gradients. A gradient says how much f changes when an "
    "input moves a little: start at the output with ∂f/∂f = 1 and go back through the × "
    "and + nodes."
)

_GRAPH_MISTAKES = [  # whole answers, computed from (a, b, c, d)
    Variant("forward-value", _FORWARD_VALUES, lambda a, b, c, d: {"a": a, "b": b, "c": c, "d": d}),
    Variant(
        "forward-value",
        _FORWARD_VALUES,
        lambda *v: dict.fromkeys(_GRAPH_INPUTS, _graph_answer(*v)[0]),
    ),
    Variant(
        "sign-error",
        "Every gradient has the right size but the wrong sign. The local gradients of + are "
        "+1, and those of × are the other factor itself, with its own sign.",
        lambda *v: {k: -g for k, g in _graph_answer(*v)[1].items()},
    ),
]


@checker("The gradients of a small graph")
def graph_gradients(f_value, grads):
    """Check f = (a b + c) d at a=2, b=-3, c=4, d=3, and its gradients as a dict."""
    require_started(f_value, "f_value")
    require_started(grads, "grads")
    for key, value in grads.items() if isinstance(grads, dict) else ():
        require_started(value, f'grads["{key}"]')
    grads = as_dict(grads, _GRAPH_INPUTS, "`grads`")
    f_right, right = _graph_answer(**_GRAPH_INPUTS)
    f_value = require_number(f_value, "f_value")
    got = {k: require_number(v, f'grads["{k}"]') for k, v in grads.items()}
    if not np.isclose(f_value, f_right):
        p = _GRAPH_INPUTS["a"] * _GRAPH_INPUTS["b"]
        raise Reject(
            "forward-wrong",
            f"f_value = {f_value:g} is not the value of f. Go forward one node at a time: "
            f"p = a·b = {p:g}, then q = p + c, then f = q·d.",
        )
    if close(got, right, **_LOOSE):
        return (
            f"f = {f_right:g}, and ∂f/∂a = {right['a']:g}, ∂f/∂b = {right['b']:g}, "
            f"∂f/∂c = {right['c']:g}, ∂f/∂d = {right['d']:g}: each gradient is the one from "
            "above times the local one."
        )
    reject_match([got], [tuple(_GRAPH_INPUTS.values())], _GRAPH_MISTAKES, **_LOOSE)
    _graph_mistake(got, right)


def _graph_mistake(got, right):
    """The verdict for gradients that are partly wrong: by the node whose rule they miss."""
    values = _GRAPH_INPUTS
    q = values["a"] * values["b"] + values["c"]
    if np.isclose(got["a"], right["b"]) and np.isclose(got["b"], right["a"]):
        raise Reject(
            "product-swapped",
            "∂f/∂a and ∂f/∂b are swapped. A × node sends each input the *other* factor: "
            "p = a·b gives ∂p/∂a = b and ∂p/∂b = a.",
        )
    if np.isclose(got["d"], values["d"]) and not np.isclose(right["d"], values["d"]):
        raise Reject(
            "product-swapped",
            f"∂f/∂d should be the other factor of f = q·d, which is q = {q:g}, not d itself.",
        )
    if np.isclose(got["a"], values["b"]) and np.isclose(got["b"], values["a"]):
        raise Reject(
            "missing-upstream",
            "∂f/∂a = b and ∂f/∂b = a are the local gradients of p = a·b only. Multiply by the "
            "gradient that arrives from above, ∂f/∂p (which equals ∂f/∂q, through the +).",
        )
    df_dp = values["d"]  # f = (p + c) d: the gradient that reaches the × node p = a b
    for k, other in (("a", "b"), ("b", "a")):
        if np.isclose(got[k], right[k]):
            continue
        if np.isclose(got[k], df_dp):
            raise Reject(
                "times-passes-through",
                f"∂f/∂{k} = {got[k]:g} is ∂f/∂p, the gradient that reaches the × node "
                f"p = a·b, passed on unchanged, as a + node would. A × node multiplies it by "
                f"the other factor: ∂f/∂{k} = ∂f/∂p · {other}.",
            )
        if np.isclose(got[k], values[other]):
            raise Reject(
                "missing-upstream",
                f"∂f/∂{k} = {other} is the local gradient of p = a·b only. Multiply it by the "
                "gradient that arrives from above, ∂f/∂p (which equals ∂f/∂q, through the +).",
            )
    if not np.isclose(got["c"], right["c"]) and (
        np.isclose(got["c"], 1.0) or np.isclose(got["c"], 0.0)
    ):
        raise Reject(
            "add-gate",
            f"∂f/∂c = {got['c']:g}? The + node q = p + c hands the gradient from above, "
            "∂f/∂q, unchanged to *both* of its inputs: c receives the same as p.",
        )
    flipped = [k for k in right if np.isclose(got[k], -right[k]) and not np.isclose(right[k], 0)]
    if flipped:
        raise Reject(
            "sign-error",
            f"The gradient for {', '.join(flipped)} has the right size but the wrong sign. "
            "Check the signs of the values you multiplied.",
        )
    wrong = [k for k in right if not np.isclose(got[k], right[k])]
    raise values_differ(
        f"The gradients for {', '.join(wrong)} are not right yet. Walk back from the output: "
        "∂f/∂q and ∂f/∂d from f = q·d, then through the + to p and c, then through the × "
        "to a and b.",
        [got[k] for k in wrong],
        [right[k] for k in wrong],
        what=f"your gradients for {', '.join(wrong)}",
    )


# 1b. The × node of an autograd engine ------------------------------------------------


def _run_backward(root, what):
    """root.backward() with the student's backward rules in the harness; a crash in them
    becomes a verdict."""
    try:
        run_student(root.backward, "the backward pass")
    except Reject:
        raise
    except Exception as err:
        raise Reject(
            "raised",
            f"The backward pass of {what} raised {type(err).__name__}: {err}. Your `backward` "
            "should only add numbers to `a.grad` and `b.grad`.",
        ) from None


def _student_product(func, a, b):
    """mul(a, b) from the student, checked to be a Value computed from a and b."""
    out = call_student(func, "mul", a, b)
    if not isinstance(out, Value):
        raise Reject(
            "not-a-value",
            f"`mul` should return a new `Value`, but it returned {kind_of(out)}. Keep the "
            'given first line, out = Value(a.data * b.data, (a, b), "×"), and return out.',
        )
    if not np.isclose(out.data, a.data * b.data):
        raise Reject(
            "forward-wrong",
            f"mul(Value({a.data:g}), Value({b.data:g})) holds {out.data:g}, not the product "
            f"{a.data * b.data:g}.",
        )
    if not any(p is a for p in out.parents) or not any(p is b for p in out.parents):
        raise Reject(
            "no-parents",
            "The Value that `mul` returns does not list a and b as its parents, so "
            "`backward()` cannot find them in the graph: create it with "
            'Value(a.data * b.data, (a, b), "×").',
        )
    return out


_MUL_MISTAKES = [  # (a.grad, b.grad) from (a.data, b.data, out.grad)
    Variant(
        "no-swap",
        "Each input received *itself* times the gradient from above. The × rule swaps: "
        "a receives b.data * out.grad, and b receives a.data * out.grad (the derivative "
        "of a·b with respect to a is b).",
        lambda a, b, upstream: (a * upstream, b * upstream),
    ),
    Variant(
        "no-upstream",
        "Your rule gives a the number b (and b the number a), which is right only where "
        "the product is the final output. Inside a graph the chain rule multiplies by "
        "the gradient that arrives from above: a.grad += b.data * out.grad.",
        lambda a, b, upstream: (b, a),
    ),
    Variant(
        "wrong-sign",
        "Both gradients have the wrong sign: add, do not subtract.",
        lambda a, b, upstream: (-b * upstream, -a * upstream),
    ),
]


@checker("The × node of an autograd engine")
def autograd_mul(func):
    """Check `func(a, b)`: a Value of a·b whose backward adds b·out.grad to a.grad and
    a·out.grad to b.grad."""
    # 1. One product inside a longer chain: f = tanh(x y + z), so out.grad is not 1.
    x, y, z = Value(0.5), Value(-1.5), Value(0.3)
    f = (_student_product(func, x, y) + z).tanh()
    _run_backward(f, "tanh(mul(x, y) + z)")
    upstream = 1 - np.tanh(x.data * y.data + z.data) ** 2  # what reaches the × node
    got = (x.grad, y.grad)
    right = (y.data * upstream, x.data * upstream)
    if got == (0.0, 0.0):
        raise Reject(
            "not-started",
            "After `backward()` both inputs of your × node still have gradient 0: replace the "
            "`...` in `backward` with two lines that add to `a.grad` and `b.grad`, run that "
            "cell, then run this check again.",
        )
    reject_match([got], [(x.data, y.data, upstream)], _MUL_MISTAKES, **_LOOSE)
    inputs = (("a", x.data, y.data), ("b", y.data, x.data))
    for index, (name, own, other) in enumerate(inputs):
        if np.isclose(got[index], right[index]):
            continue
        if np.isclose(got[index], other):
            raise Reject(
                "no-upstream",
                f"Your rule gives {name} the other input's value alone, which is right only "
                "where the product is the final output. Inside a graph the chain rule "
                f"multiplies by the gradient that arrives from above: {name}.grad += "
                f"(the other input).data * out.grad.",
            )
        if np.isclose(got[index], upstream):
            raise Reject(
                "passes-through",
                f"Your rule hands {name} the gradient from above unchanged, as a + node does. "
                f"A × node multiplies it by the other input: {name}.grad += "
                "(the other input).data * out.grad.",
            )
        if np.isclose(got[index], own * upstream):
            raise Reject(
                "no-swap",
                f"{name} received *itself* times the gradient from above. The × rule swaps: "
                "each input receives the other input's value times out.grad.",
            )
    if not np.allclose(got, right):
        raise Reject(
            "wrong-gradients",
            f"In f = tanh(x·y + z) at x = {x.data:g}, y = {y.data:g}, z = {z.data:g} the "
            f"gradients should be df/dx = {right[0]:.4f} and df/dy = {right[1]:.4f}; yours "
            f"are {got[0]:.4f} and {got[1]:.4f}.",
        )
    # 2. A value used twice: g = x·x must collect both contributions, 2x.
    w = Value(3.0)
    g = _student_product(func, w, w)
    _run_backward(g, "mul(x, x)")
    if np.isclose(w.grad, w.data):
        raise Reject(
            "overwrites",
            "For g = mul(x, x) at x = 3 your x.grad is 3, but dg/dx = 2x = 6. x is both "
            "inputs, so both lines of `backward` update the same `.grad`; with `=` the second "
            "overwrites the first. Add with `+=`, so that a value used twice collects both "
            "contributions.",
        )
    if not np.isclose(w.grad, 2 * w.data):
        raise Reject(
            "wrong-gradients",
            f"For g = mul(x, x) at x = 3, dg/dx should be 2x = 6; yours is {w.grad:g}.",
        )
    # 3. Inputs shared between products: h = (p·q)·(p·r).
    p_, q_, r_ = Value(1.5), Value(-0.5), Value(2.0)
    h = _student_product(func, _student_product(func, p_, q_), _student_product(func, p_, r_))
    _run_backward(h, "mul(mul(p, q), mul(p, r))")
    right = (2 * p_.data * q_.data * r_.data, p_.data**2 * r_.data, p_.data**2 * q_.data)
    got = (p_.grad, q_.grad, r_.grad)
    if not np.allclose(got, right):
        raise Reject(
            "wrong-gradients",
            f"For h = (p·q)·(p·r) at p = 1.5, q = -0.5, r = 2 the gradients should be "
            f"{array_text(right)}; yours are {array_text(got)}.",
        )
    return (
        "Right: the × node hands each input the other input times the gradient from above, "
        "and adds it, so a value used twice collects both contributions."
    )


# 2. The backward pass of a dense layer ------------------------------------------------------


def _dense_cases():
    """(dZ, X, W): square weights first (a missing transpose runs but gives other numbers),
    then rectangular ones, with every dimension different."""
    rng = np.random.default_rng(7)
    yield rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), rng.normal(size=(3, 3))
    yield rng.normal(size=(5, 4)), rng.normal(size=(5, 2)), rng.normal(size=(2, 4))


_DENSE_HINT = (
    "Let the shapes guide you: dW must have W's shape (n_in, n_out), which only X.T @ dZ "
    "gives; dX must have X's shape (m, n_in), which only dZ @ W.T gives."
)
_DB_HINT = "Sum dZ over its rows, axis=0: one entry per output unit."

_DENSE_RULES = {"dX": "dZ @ W.T", "dW": "X.T @ dZ", "db": "dZ.sum(axis=0)"}

_DENSE_MISTAKES = {  # the typical mistakes in each part, computed from (dZ, X, W)
    "dX": [
        Variant(
            "dX-no-transpose",
            "Your dX is dZ @ W. Z = X W sends X through W, so the gradient comes back through "
            "Wᵀ: dX = dZ @ W.T. (dZ @ W only ran because this W is square.)",
            lambda dZ, X, W: dZ @ W,
        ),
        Variant(
            "averaged-twice",
            "Your dX is m times too small. dZ already holds the 1/m of the mean cost: do not "
            "divide by m again.",
            lambda dZ, X, W: dZ @ W.T / len(X),
        ),
    ],
    "dW": [
        Variant(
            "dW-transposed",
            lambda cases: (
                "Your dW is the transpose of the right one: dZᵀ X instead of Xᵀ dZ. dW must "
                f"have the shape of W, {cases[0][2].shape}, one row per input: dW = X.T @ dZ."
            ),
            lambda dZ, X, W: dZ.T @ X,
        ),
        Variant(
            "averaged-twice",
            "Your dW is m times too small: you divided by the batch size. dZ already holds "
            "the 1/m of the mean cost, so dW = X.T @ dZ sums over the batch without dividing "
            "again.",
            lambda dZ, X, W: X.T @ dZ / len(X),
        ),
    ],
    "db": [
        Variant(
            "db-not-summed",
            lambda cases: (
                f"Your db has shape {cases[0][0].shape}, one row per example: it is dZ itself. "
                "The same bias is added to every row, so its gradient adds up the rows: "
                "db = dZ.sum(axis=0)."
            ),
            lambda dZ, X, W: dZ,
        ),
        Variant(
            "averaged-twice",
            "Your db is m times too small: it looks like dZ.mean(axis=0). dZ already holds "
            "the 1/m of the mean cost, so db = dZ.sum(axis=0).",
            lambda dZ, X, W: dZ.sum(axis=0) / len(X),
        ),
    ],
}


def _read_dense(got, case, right):
    """(dX, dW, db) as arrays, a db of shape (1, n) as (n,); dX and dW swapped are named."""
    got = recoded("not-a-triple", as_parts, got, _DENSE_RULES, "`dense_backward`")
    dX, dW, db = (as_array(part, f"`{n}`") for part, n in zip(got, _DENSE_RULES, strict=True))
    if close(dX, right[1]) and close(dW, right[0]):
        raise Reject("wrong-order", "dX and dW are swapped: return them in the order (dX, dW, db).")
    return dX, dW, db.reshape(-1) if db.shape == (1, right[2].size) else db


def _dense_piece(index, name):
    """Part `name`: its typical mistakes, then a wrong shape with a hint, then its rule."""
    hint = _DB_HINT if name == "db" else _DENSE_HINT

    def mismatch(case, got, right):
        as_array(got, f"`{name}`", right.shape, hint=lambda _: hint)  # a wrong shape says so
        shapes = "dZ {}, X {} and W {}".format(*(a.shape for a in case))
        return f"{name} is not {_DENSE_RULES[name]} with {shapes}."

    return Piece(name, itemgetter(index), f"wrong-{name}", mismatch, _DENSE_MISTAKES[name])


dense_backward = code_checker(
    CodeExercise(
        title="The backward pass of a dense layer",
        name="dense_backward",
        reference=lambda dZ, X, W: _dense_backward(dZ, (X, W)),
        cases=_dense_cases,
        call=lambda func, case: call_with_shape_hint(
            func, "dense_backward", *case, hint=_DENSE_HINT
        ),
        result=_read_dense,
        per_case=True,
        pieces=[_dense_piece(index, name) for index, name in enumerate(_DENSE_RULES)],
        mismatch=lambda *_: "dX, dW and db are not all right yet.",  # the pieces say which
        success="dX = dZ Wᵀ, dW = Xᵀ dZ and db = the row sums of dZ, right for every shape.",
    )
)


# 3. Backpropagation through a 2-layer network --------------------------------------------


def _two_layer_cases():
    rng = np.random.default_rng(11)
    for m, n, hidden, k in ((6, 3, 5, 4), (8, 2, 3, 2)):
        X = rng.normal(size=(m, n))
        W1, b1 = rng.normal(size=(n, hidden)), 0.1 * rng.normal(size=hidden)
        W2, b2 = rng.normal(size=(hidden, k)), 0.1 * rng.normal(size=k)
        y = np.arange(m) % k
        yield X, y, W1, b1, W2, b2


def _two_layer_variant(X, y, W1, b1, W2, b2, mistake=None):
    """The gradients of the 2-layer network, right or with one typical mistake."""
    m = len(y)
    Z1 = X @ W1 + b1
    A1 = relu(Z1)
    Z2 = A1 @ W2 + b2
    P = softmax(Z2)
    target = 0.0 if mistake == "missing-one-hot" else one_hot(y, W2.shape[1])
    if mistake == "subtracted-whole-columns":
        # P[:, y] -= 1: every row loses 1 in each column named by any label.
        target = np.zeros_like(P)
        target[:, y] = 1.0
    dZ2 = (P - target) / (1 if mistake == "no-mean" else m)
    if mistake == "sign-of-error":
        dZ2 = -dZ2
    dW2 = (Z1 if mistake == "used-Z-not-A" else A1).T @ dZ2
    db2 = dZ2.sum(axis=0)
    if mistake == "averaged-twice":
        dW2, db2 = dW2 / m, db2 / m
    dA1 = dZ2 @ W2.T
    slope = {
        "sigmoid-derivative": sigmoid_derivative(Z1),
        "relu-not-derivative": relu(Z1),
        "missing-derivative": np.ones_like(Z1),
    }.get(mistake, relu_derivative(Z1))
    dZ1 = dA1 * slope
    dW1, db1 = X.T @ dZ1, dZ1.sum(axis=0)
    if mistake == "averaged-twice":
        dW1, db1 = dW1 / m, db1 / m
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


_TWO_LAYER_MISTAKES = _variants(
    _two_layer_variant,
    {
        "no-mean": "Every gradient is m times too large (m = the batch size): the cost is the "
        "mean loss, so the gradient of the scores is (softmax(Z2) − one-hot(y)) / m.",
        "missing-one-hot": "Your gradient of the scores looks like softmax(Z2) / m: subtract "
        "the one-hot targets, dZ2 = (softmax(Z2) − one_hot(y)) / m, so that the right class "
        "is pushed up and the others down.",
        "used-Z-not-A": "Your dW2 uses the hidden layer's pre-activation Z1. The second "
        "layer's input is the activation A1 = relu(Z1): dW2 = A1.T @ dZ2.",
        "sigmoid-derivative": "The hidden layer's slope is the sigmoid's, σ(Z1)(1 − σ(Z1)). "
        "The hidden units are ReLUs: their slope is 1 where Z1 > 0 and 0 elsewhere.",
        "relu-not-derivative": "You multiplied dA1 by relu(Z1), the activation itself. The "
        "backward step needs its derivative: (Z1 > 0), which is 1 or 0.",
        "missing-derivative": "dZ1 = dA1: the hidden layer's activation step is missing. "
        "Multiply by the ReLU's slope, dZ1 = dA1 * (Z1 > 0).",
        "subtracted-whole-columns": "Your gradient of the scores subtracts 1 from whole "
        "columns: P[:, y] -= 1 takes 1 off every row in each column that any label names. "
        "Each row loses 1 only at its own label: P[np.arange(m), y] -= 1 (or subtract "
        "one_hot(y)).",
        "averaged-twice": "Every gradient is m times too small: you divided by m twice, once "
        "in dZ2 and again in the weight and bias gradients. The 1/m belongs in dZ2 only; the "
        "products and sums after it must not divide again.",
        "sign-of-error": "Every gradient has the wrong sign: the gradient of the scores is "
        "(softmax(Z2) − one_hot(y)) / m, probabilities minus targets, not the other way round.",
    },
)

_TWO_LAYER_KEYS = ("W1", "b1", "W2", "b2")
_TWO_LAYER_HINT = (
    "Each weight gradient is (layer input).T @ (its δ), with the shape of the weights; the "
    "error goes back down through the transposed weights: dA1 = dZ2 @ W2.T."
)


def _read_gradients(got, case, right):
    """The student's dict of gradients as float arrays shaped like `right`'s (a bias of
    shape (1, n) counts as (n,)), or the verdict."""
    grads = as_dict(got, _TWO_LAYER_KEYS, "What `two_layer_backward` returns")
    grads = {k: as_array(v, f'The gradient "{k}"') for k, v in grads.items()}
    for k in ("b1", "b2"):
        if grads[k].ndim == 2 and grads[k].shape[0] == 1:
            grads[k] = grads[k].reshape(-1)
    for k, shape in ((k, right[k].shape) for k in _TWO_LAYER_KEYS):
        as_array(
            grads[k],
            f'The gradient "{k}"',
            shape,
            hint=lambda wrong, shape=shape: (
                "It looks transposed. " + _TWO_LAYER_HINT if wrong == shape[::-1] else ""
            ),
        )
    return grads


def _softmax_not_normalised(cases, got, right):
    """A wrong b2 gradient whose entries do not add up to 0, as the right one's always do."""
    b2_wrong = not all(close(g["b2"], r["b2"]) for g, r in zip(got, right, strict=True))
    if b2_wrong and any(abs(float(np.sum(g["b2"]))) > 1e-8 for g in got):
        return (
            "softmax-not-normalised",
            "Your b2 gradient does not add up to 0 over the classes, and the right one always "
            "does: each row of softmax(Z2) sums to 1 and so does each row of one_hot(y), so "
            "each row of dZ2 = (P − Y) / m sums to 0. Check the softmax: exponentials of the "
            "shifted scores (Z2 minus each row's max), each divided by its row's sum "
            "(axis=1, keepdims=True).",
        )
    return None


two_layer_backward = code_checker(
    CodeExercise(
        title="Backpropagation through a 2-layer network",
        name="two_layer_backward",
        reference=_two_layer_variant,
        cases=_two_layer_cases,
        call=lambda func, case: call_with_shape_hint(
            func, "two_layer_backward", *case, hint=_TWO_LAYER_HINT
        ),
        result=_read_gradients,
        mistakes=_TWO_LAYER_MISTAKES,
        flaws=[_softmax_not_normalised],
        arguments=("X", "y", "W1", "b1", "W2", "b2"),
        batch=(0, 1),
        parts=_TWO_LAYER_KEYS,
        by_part=True,
        what="your {parts}",
        mismatch=lambda case, got, right: (
            f"The gradients {', '.join(k for k in got if not close(got[k], right[k]))} are not "
            "right yet. Go backward one step at a time: dZ2 = (softmax(Z2) − one_hot(y)) / m, "
            "dW2 = A1.T @ dZ2, db2 = dZ2.sum(axis=0), dA1 = dZ2 @ W2.T, dZ1 = dA1 * (Z1 > 0), "
            "dW1 = X.T @ dZ1, db1 = dZ1.sum(axis=0)."
        ),
        success="All four gradients are right, for two networks of different shapes.",
    )
)


# 4. A central-difference gradient ----------------------------------------------------------


def _smooth(x):
    """Σ sin(x) x² + ½ (Σ x)²: the last term couples the entries, so a nudge left in one
    entry shows in the others' derivatives."""
    return float(np.sum(np.sin(x) * x**2) + 0.5 * np.sum(x) ** 2)


def _smooth_gradient(x):
    return np.cos(x) * x**2 + 2 * x * np.sin(x) + np.sum(x)


def _numgrad_cases():
    rng = np.random.default_rng(13)
    yield rng.uniform(-2, 2, size=4)
    yield rng.uniform(-2, 2, size=(2, 3))


_H = 1e-5


def _entrywise(rule, restore=True):
    """The gradient `rule(f(x + h), f(x − h), f(x))` takes, nudging one entry of x at a time
    (f = `_smooth`): central differences and their typical mistakes. With restore=False
    each entry is left where its last nudge put it."""

    def gradient(x):
        x = np.array(x, dtype=float)
        grad, f_x = np.zeros_like(x), _smooth(x)
        for index in np.ndindex(x.shape):
            saved = x[index]
            x[index] = saved + _H
            f_plus = _smooth(x)
            x[index] = saved - _H
            f_minus = _smooth(x)
            if restore:
                x[index] = saved
            grad[index] = rule(f_plus, f_minus, f_x)
        return grad

    return gradient


def _one_sided(rule):
    gradient = _entrywise(rule)

    def message(cases):
        error = relative_error(gradient(*cases[0]), _smooth_gradient(*cases[0]))
        return (
            f"This is the one-sided difference (f(x ± h) − f(x)) / h; its relative error here "
            f"is {error:.0e}, while the central difference would give about 1e-10. Use both "
            "sides: (f(x + h) − f(x − h)) / (2h)."
        )

    return Variant("one-sided", message, gradient)


_NOT_RESTORED = (
    "After nudging an entry you do not put it back, so the next entries are measured at a "
    "shifted point (and the caller's x may be changed). Save the entry, set x[i] = saved + h, "
    "then saved - h, and finally x[i] = saved."
)
_ONE_POINT_AT_X = (
    "One of your two points is x itself: you divide by 2h, but the points are x and x ± h, "
    "only h apart. Move the entry up by h for f_plus and down by h for f_minus (saved + h "
    "and saved - h)."
)

_NUMGRAD_MISTAKES = [  # gradients computed from (x,)
    Variant("not-restored", _NOT_RESTORED, _entrywise(lambda p, m, f: (p - m) / (2 * _H), False)),
    _one_sided(lambda p, m, f: (p - f) / _H),
    _one_sided(lambda p, m, f: (f - m) / _H),
    Variant("one-point-at-x", _ONE_POINT_AT_X, _entrywise(lambda p, m, f: (p - f) / (2 * _H))),
    Variant("one-point-at-x", _ONE_POINT_AT_X, _entrywise(lambda p, m, f: (f - m) / (2 * _H))),
    Variant(
        "sum-not-difference",
        "You add f(x + h) and f(x − h) where the formula subtracts them: the gradient is the "
        "change of f across the two points, (f(x + h) − f(x − h)) / (2h).",
        _entrywise(lambda p, m, f: (p + m) / (2 * _H)),
    ),
    Variant(
        "divided-by-h",
        "Your gradient is twice too large: the two points x + h and x − h are 2h apart, so "
        "divide their difference by 2 * h.",
        lambda x: 2 * _smooth_gradient(x),
    ),
    Variant(
        "sign-flipped",
        "Your gradient has the wrong sign: it is (f(x + h) − f(x − h)) / (2h), the upper "
        "point first.",
        lambda x: -_smooth_gradient(x),
    ),
]


@checker("A gradient checker of your own")
def numerical_gradient(func):
    """Check `func(f, x, h)`: the central-difference gradient of f at x, shaped like x."""
    largest = 0.0
    for x in _numgrad_cases():
        x_given = x.copy()
        got = call_student(func, "numerical_gradient", _smooth, x_given, _H, changes="own")
        got = as_array(
            got,
            "What `numerical_gradient` returns",
            x.shape,
            hint=lambda _: (
                "That is x's shape: loop over every entry of x, e.g. with "
                "`for index in np.ndindex(x.shape):`, and store one number per entry."
            ),
        )
        if not finite(got):
            raise Reject("not-finite", "Your gradient contains inf or nan.")
        exact = _smooth_gradient(x)
        changed = not np.allclose(x_given, x, rtol=0, atol=1e-12)
        error = relative_error(got, exact)
        if error < 1e-8:
            largest = max(largest, error)
            if changed:
                raise Reject(
                    "modified-input",
                    "The numbers are right, but the x you were given has changed after the "
                    "call. Work on a copy, x = np.array(x, dtype=float), or put every entry "
                    "back exactly.",
                )
            continue
        if changed:
            raise Reject("not-restored", _NOT_RESTORED)
        reject_match([got], [(x,)], _NUMGRAD_MISTAKES, [exact])
        raise values_differ(
            f"For x = {array_text(x)} the gradient of f(x) = Σ sin(x) x² + ½(Σ x)² is about "
            f"{array_text(exact)}, but yours is {array_text(got)}.",
            got,
            exact,
            what="your gradient",
        )
    return (
        f"Central differences, entry by entry, shaped like x: with h = {_H:g} they agree with "
        f"the exact gradient of Σ sin(x) x² + ½(Σ x)² to a relative error of {largest:.0e}."
    )


# 5. Full-batch descent with accumulators -------------------------------------------------


def _accumulator_cases():
    rng = np.random.default_rng(17)
    X = rng.normal(size=(5, 3))
    Y = rng.normal(size=(5, 2))
    yield X, Y, rng.normal(size=(3, 2)), rng.normal(size=2), 0.1, 0.05, 4
    X = rng.normal(size=(7, 2))
    Y = rng.normal(size=(7, 3))
    yield X, Y, rng.normal(size=(2, 3)), rng.normal(size=3), 0.2, 0.1, 3


def _accumulator_variant(X, Y, W, b, lr, lam, iterations, mistake=None):
    """Batch descent on ½‖x W + b − y‖² + (λ/2)‖W‖² with accumulators, right or with one
    typical mistake."""
    W, b = np.array(W, dtype=float), np.array(b, dtype=float)
    m = len(X)
    dW, db = np.zeros_like(W), np.zeros_like(b)
    for _ in range(iterations):
        if mistake != "no-reset":
            dW, db = np.zeros_like(W), np.zeros_like(b)
        for x, y in zip(X, Y, strict=True):
            delta = x @ W + b - y
            dW = dW + np.outer(x, delta)
            db = db + delta
        scale = 1 if mistake == "no-mean" else 1 / m
        decay = 0 if mistake == "no-decay" else lam
        new_W = W - lr * (scale * dW + decay * W)
        b = b - lr * (scale * db + (lam * b if mistake == "bias-decayed" else 0))
        W = new_W
    return W, b


_ACCUMULATOR_MISTAKES = _variants(
    _accumulator_variant,
    {
        "no-reset": "Your accumulators are set to zero only once, before the loop over the "
        "iterations, so each step adds up the gradients of all earlier iterations too. Reset "
        "ΔW and Δb to zero at the start of every iteration.",
        "bias-decayed": "Your bias is decayed too (b − α[(1/m)Δb + λb]). The penalty covers "
        "only the weights: b := b − α (1/m) Δb.",
        "no-decay": "The weight decay is missing: the step for W is α[(1/m)ΔW + λW], the λW "
        "being the gradient of the penalty (λ/2)ΣW².",
        "no-mean": "Your steps are m times too large: the accumulators hold sums over the m "
        "examples, and the cost is the mean, so use (1/m)ΔW and (1/m)Δb.",
    },
)


def _accumulator_one_step(func, cases):
    """With iterations=1 the answer is one step from W and b: compare each step with the
    right one (reversed, scaled, missing), which the later iterations would blur."""
    for X, Y, W, b, lr, lam, _ in cases:
        try:
            got = call_student(
                func, "gradient_descent_accumulators", X, Y, W, b, lr, lam, 1, changes="note"
            )
            pieces = [np.asarray(got[0], dtype=float), np.asarray(got[1], dtype=float)]
        except (Reject, TypeError, ValueError, IndexError, KeyError):
            return None
        right = _accumulator_variant(X, Y, W, b, lr, lam, 1)
        for name, got_part, right_part, start in zip(
            ("W", "b"), pieces, right, (W, b), strict=True
        ):
            if got_part.shape != right_part.shape or close(got_part, right_part):
                continue
            found = explain_difference(
                got_part, right_part, start=start, what=f"your {name} after one iteration"
            )
            if found:
                return found[0], f"With iterations=1, a single step: {found[1]}"
    return None


def _read_trained(got, case, right):
    """The trained (W, b) as arrays of the shapes they started with (b flattened)."""
    W, b = case[2], case[3]
    got = recoded("not-a-pair", as_parts, got, ("W", "b"), "`gradient_descent_accumulators`")
    new_W = as_array(got[0], "`W`")
    new_b = as_array(got[1], "`b`").reshape(-1) if np.size(got[1]) == b.size else None
    if new_W.shape != W.shape or new_b is None:
        raise Reject(
            "wrong-shape",
            f"W should keep its shape {W.shape} and b its shape {b.shape}; you returned "
            f"shapes {new_W.shape} and {np.shape(got[1])}.",
        )
    return new_W, new_b


_ACCUMULATOR_HINT = (
    "For one example x (n_in,) with error delta = x @ W + b − y (n_out,), the gradient of "
    "½‖x W + b − y‖² with respect to W is np.outer(x, delta), of W's shape."
)

accumulator_descent = code_checker(
    CodeExercise(
        title="Full-batch descent with accumulators",
        name="gradient_descent_accumulators",
        reference=_accumulator_variant,
        cases=_accumulator_cases,
        call=lambda func, case: call_with_shape_hint(
            func, "gradient_descent_accumulators", *case, hint=_ACCUMULATOR_HINT, changes="note"
        ),
        result=_read_trained,
        mistakes=_ACCUMULATOR_MISTAKES,
        explain=[_accumulator_one_step],
        arguments=("X", "Y", "W", "b", "lr", "lam", "iterations"),
        batch=(0, 1),
        changes="note",
        parts=("W", "b"),
        by_part=True,
        start=lambda case: (case[2], case[3]),
        what="your trained {parts}",
        mismatch=lambda case, got, right: (
            f"After {case[6]} iterations from the given W and b, W should be "
            f"{array_text(right[0])} and b {array_text(right[1])}; yours are "
            f"{array_text(got[0])} and {array_text(got[1])}. Per iteration: reset ΔW, Δb; add "
            "np.outer(x, delta) and delta for every example; then W -= lr * (ΔW/m + lam W) and "
            "b -= lr * Δb/m."
        ),
        success="Right: fresh accumulators every iteration, the mean gradient, weight decay on "
        "W and none on b.",
    )
)


# A chain-rule derivative by hand, and a prediction -----------------------------------------

_W, _X, _Y = 0.5, 3.0, 1.0


def _unit_loss(w):
    """L(w) = (σ(w x) - y)² for one sigmoid unit (w a Value), with nnlib's autograd."""
    return ((w * Value(_X)).sigmoid() - Value(_Y)) ** 2


def _unit_grad():
    """Run it: dL/dw by nnlib's autograd, checked against central differences."""
    w = Value(_W)
    _unit_loss(w).backward()
    h = 1e-6
    numeric = (_unit_loss(Value(_W + h)).data - _unit_loss(Value(_W - h)).data) / (2 * h)
    assert abs(numeric - w.grad) < 1e-6
    return w.grad


_A = float(sigmoid(np.array(_W * _X)))

unit_gradient_by_hand = number_checker(
    NumberExercise(
        title="dL/dw through a sigmoid, by hand",
        name="dL_dw",
        right=_unit_grad,
        why="Three links: dL/da = 2(a - y), da/dz = a(1 - a), dz/dw = x. With "
        "a = σ(1.5) ≈ 0.8176: 2(-0.1824) · 0.1491 · 3 ≈ -0.163. Negative: raising w "
        "raises a towards y = 1 and lowers the loss.",
        mistakes=(
            Mistake(
                "missing-x",
                lambda: 2 * (_A - _Y) * _A * (1 - _A),
                "The last link is missing: z = w x, so dz/dw = x = 3.",
            ),
            Mistake(
                "missing-sigmoid-slope",
                lambda: 2 * (_A - _Y) * _X,
                "The sigmoid's own slope, a(1 - a), is missing between dL/da and dz/dw.",
            ),
            Mistake(
                "missing-2",
                lambda: (_A - _Y) * _A * (1 - _A) * _X,
                "The derivative of (a - y)² is 2(a - y): the 2 is missing.",
            ),
            Mistake(
                "slope-of-z",
                lambda: 2 * (_A - _Y) * (_W * _X) * (1 - _W * _X) * _X,
                "You put z = 1.5 into s(1 - s): the sigmoid's slope is a(1 - a) with "
                "a = σ(z) ≈ 0.8176.",
            ),
        ),
    )
)


def _gradcheck_error():
    """Run it: the relative error between central differences (h = 1e-6) and the
    backward pass of a small two-layer network, as the chapter measured it."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((5, 4)), np.arange(5) % 3
    W1, b1 = rng.standard_normal((4, 6)), rng.standard_normal(6) * 0.1
    W2, b2 = rng.standard_normal((6, 3)), rng.standard_normal(3) * 0.1

    def cost(W):
        P = softmax(relu(X @ W + b1) @ W2 + b2)
        return -np.mean(np.log(P[np.arange(5), y]))

    exact = _two_layer_variant(X, y, W1, b1, W2, b2)["W1"]
    return relative_error(central_differences(cost, W1), exact)


gradcheck_prediction = number_checker(
    NumberExercise(
        title="Predict: how well a gradient check agrees",
        name="predicted_error",
        right=_gradcheck_error,
        why="Central differences are off by about h² ≈ 1e-12 in theory, but each f(x ± h) "
        "carries float64 rounding of about 1e-16 · |f|, divided by 2h = 2e-6: some 1e-10 "
        "to 1e-9 relative. A correct backward pass agrees to that; a bug shows as 1e-3 or "
        "more.",
        mistakes=(
            Mistake(
                "step-size",
                lambda: 1e-6,
                "1e-6 is h itself. The central difference's error shrinks like h², and "
                "rounding keeps it near 1e-10: far below h.",
            ),
            Mistake(
                "machine-epsilon",
                lambda: 1e-16,
                "1e-16 is float64's rounding of one number; dividing a difference of two "
                "rounded values by 2h = 2e-6 magnifies it to about 1e-10.",
            ),
            Mistake(
                "bug-size",
                lambda: 1e-2,
                "1e-2 is what a *bug* looks like (a missing factor, a wrong transpose). A "
                "right backward pass agrees to about 1e-10.",
            ),
        ),
        decades=1.0,
        prediction=True,
    )
)
