"""The backpropagation exercise checkers: each typical mistake gets its own diagnosis, and
no junk answer makes a checker raise. (That every reference solution passes and every
stub is rejected: test_exercise_contract.py.)"""

import numpy as np
import pytest
from exercise_harness import JUNK_ANSWERS, assert_rejected_calmly, exercise_notebook

from nnlib.checks import backprop as check

BOOK = exercise_notebook("07_backprop")


def graph(f_value, a, b, c, d):
    return f"f_value = {f_value}\ngrads = {{'a': {a}, 'b': {b}, 'c': {c}, 'd': {d}}}"


DENSE = "def dense_backward(dZ, X, W):\n    return {}"

MUL = """def mul(a, b):
    out = Value(a.data * b.data, (a, b), "×")

    def backward():
        {}

    out._backward = backward
    return out
"""


def mul(body):
    return MUL.format(body.replace("\n", "\n        "))


TWO_LAYER = """def two_layer_backward(X, y, W1, b1, W2, b2):
    m = len(y)
    Z1 = X @ W1 + b1
    A1 = np.maximum(Z1, 0)
    Z2 = A1 @ W2 + b2
    P = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    dZ2 = P.copy()
    dZ2[np.arange(m), y] -= 1
    dZ2 /= m
    dW2 = A1.T @ dZ2
    db2 = dZ2.sum(axis=0)
    dA1 = dZ2 @ W2.T
    dZ1 = dA1 * (Z1 > 0)
    dW1 = X.T @ dZ1
    db1 = dZ1.sum(axis=0)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
"""


def two_layer(old, new):
    assert old in TWO_LAYER, old
    return TWO_LAYER.replace(old, new)


NUMGRAD = """def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + h
        f_plus = f(x)
        x[index] = saved - h
        f_minus = f(x)
        x[index] = saved
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad
"""


ONE_SIDED = """def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    f0 = f(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + h
        grad[index] = (f(x) - f0) / h
        x[index] = saved
    return grad
"""


def numgrad(old, new):
    assert old in NUMGRAD, old
    return NUMGRAD.replace(old, new)


ACCUMULATE = """def gradient_descent_accumulators(X, Y, W, b, lr, lam, iterations):
    m = len(X)
    dW = np.zeros_like(W)
    db = np.zeros_like(b)
    for _ in range(iterations):
        dW = np.zeros_like(W)
        db = np.zeros_like(b)
        for x, y in zip(X, Y):
            delta = x @ W + b - y
            dW += np.outer(x, delta)
            db += delta
        W = W - lr * (dW / m + lam * W)
        b = b - lr * db / m
    return W, b
"""


def accumulate(old, new):
    assert old in ACCUMULATE, old
    return ACCUMULATE.replace(old, new)


WRONG_ANSWERS = [
    # (exercise, the student's code, the diagnosis it must get)
    ("ex-backprop-graph", graph(-6, 2, -3, 4, 3), "forward-value"),
    ("ex-backprop-graph", graph(-6, 9, -6, -3, 2), "sign-error"),
    ("ex-backprop-graph", graph(-6, -9, 6, 1, -2), "add-gate"),
    ("ex-backprop-graph", graph(-6, 6, -9, 3, -2), "product-swapped"),
    ("ex-backprop-graph", graph(-6, -9, 6, 3, 3), "product-swapped"),
    ("ex-backprop-graph", graph(-6, -3, 2, 3, -2), "missing-upstream"),
    ("ex-backprop-graph", graph(-2, -9, 6, 3, -2), "forward-wrong"),
    ("ex-backprop-graph", "f_value = -6\ngrads = {'a': -9, 'b': 6}", "missing-keys"),
    ("ex-backprop-graph", "f_value = -6\ngrads = [-9, 6, 3, -2]", "wrong-type"),
    ("ex-backprop-autograd", mul("pass"), "not-started"),
    (
        "ex-backprop-autograd",
        mul("a.grad += a.data * out.grad\nb.grad += b.data * out.grad"),
        "no-swap",
    ),
    ("ex-backprop-autograd", mul("a.grad += b.data\nb.grad += a.data"), "no-upstream"),
    (
        "ex-backprop-autograd",
        mul("a.grad = b.data * out.grad\nb.grad = a.data * out.grad"),
        "overwrites",
    ),
    (
        "ex-backprop-autograd",
        mul("a.grad -= b.data * out.grad\nb.grad -= a.data * out.grad"),
        "wrong-sign",
    ),
    (
        "ex-backprop-autograd",
        mul("a.grad += 2 * b.data * out.grad\nb.grad += a.data * out.grad"),
        "wrong-gradients",
    ),
    (
        "ex-backprop-autograd",
        mul("a.grad += b.data * out.grad\nb.grad += a.data * out.grad").replace(
            "return out", "return out.data"
        ),
        "not-a-value",
    ),
    (
        "ex-backprop-autograd",
        mul("a.grad += b.data * out.grad\nb.grad += a.data * out.grad").replace("(a, b), ", "(), "),
        "no-parents",
    ),
    ("ex-backprop-autograd", mul("raise ValueError('oops')"), "raised"),
    ("ex-backprop-dense", DENSE.format("dZ @ W.T, X @ dZ, dZ.sum(axis=0)"), "shape-error"),
    ("ex-backprop-dense", DENSE.format("dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)"), "dW-transposed"),
    ("ex-backprop-dense", DENSE.format("dZ @ W.T, X.T @ dZ, dZ"), "db-not-summed"),
    ("ex-backprop-dense", DENSE.format("dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)"), "averaged-twice"),
    (
        "ex-backprop-dense",
        DENSE.format("dZ @ W.T, X.T @ dZ / len(X), dZ.sum(axis=0)"),
        "averaged-twice",
    ),
    ("ex-backprop-dense", DENSE.format("dZ @ W, X.T @ dZ, dZ.sum(axis=0)"), "dX-no-transpose"),
    ("ex-backprop-dense", DENSE.format("X.T @ dZ, dZ @ W.T, dZ.sum(axis=0)"), "wrong-order"),
    ("ex-backprop-dense", DENSE.format("dZ @ W.T, X.T @ dZ"), "not-a-triple"),
    ("ex-backprop-two-layer", two_layer("    dZ2 /= m\n", ""), "no-mean"),
    (
        "ex-backprop-two-layer",
        two_layer("dZ2[np.arange(m), y] -= 1", "dZ2[:, y] -= 1"),
        "subtracted-whole-columns",
    ),
    (
        "ex-backprop-two-layer",
        two_layer(
            "    dW2 = A1.T @ dZ2\n    db2 = dZ2.sum(axis=0)\n",
            "    dW2 = A1.T @ dZ2 / m\n    db2 = dZ2.sum(axis=0) / m\n",
        ).replace(
            "    dW1 = X.T @ dZ1\n    db1 = dZ1.sum(axis=0)\n",
            "    dW1 = X.T @ dZ1 / m\n    db1 = dZ1.sum(axis=0) / m\n",
        ),
        "averaged-twice",
    ),
    ("ex-backprop-two-layer", two_layer("    dZ2 /= m\n", "    dZ2 /= -m\n"), "sign-of-error"),
    (
        "ex-backprop-two-layer",
        two_layer("dZ1 = dA1 * (Z1 > 0)", "s = 1 / (1 + np.exp(-Z1))\n    dZ1 = dA1 * s * (1 - s)"),
        "sigmoid-derivative",
    ),
    (
        "ex-backprop-two-layer",
        two_layer("dZ1 = dA1 * (Z1 > 0)", "dZ1 = dA1 * np.maximum(Z1, 0)"),
        "relu-not-derivative",
    ),
    ("ex-backprop-two-layer", two_layer("dZ1 = dA1 * (Z1 > 0)", "dZ1 = dA1"), "missing-derivative"),
    ("ex-backprop-two-layer", two_layer("dW2 = A1.T @ dZ2", "dW2 = Z1.T @ dZ2"), "used-Z-not-A"),
    ("ex-backprop-two-layer", two_layer("dA1 = dZ2 @ W2.T", "dA1 = dZ2 @ W2"), "shape-error"),
    ("ex-backprop-two-layer", two_layer("dW1 = X.T @ dZ1", "dW1 = dZ1.T @ X"), "wrong-shape"),
    (
        "ex-backprop-two-layer",
        two_layer("    dZ2[np.arange(m), y] -= 1\n", ""),
        "missing-one-hot",
    ),
    (
        "ex-backprop-two-layer",
        two_layer('return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}', "return dW1, db1"),
        "wrong-type",
    ),
    ("ex-backprop-numgrad", ONE_SIDED, "one-sided"),
    (
        "ex-backprop-numgrad",
        numgrad("(f_plus - f_minus) / (2 * h)", "(f_plus - f_minus) / h"),
        "divided-by-h",
    ),
    ("ex-backprop-numgrad", numgrad("        x[index] = saved\n", ""), "not-restored"),
    (
        "ex-backprop-numgrad",
        numgrad("    x = np.array(x, dtype=float)\n", "").replace("        x[index] = saved\n", ""),
        "not-restored",
    ),
    (
        "ex-backprop-numgrad",
        numgrad("(f_plus - f_minus) / (2 * h)", "(f_minus - f_plus) / (2 * h)"),
        "sign-flipped",
    ),
    ("ex-backprop-numgrad", numgrad("return grad", "return grad.ravel()"), "wrong-shape"),
    (
        "ex-backprop-accumulators",
        accumulate("        dW = np.zeros_like(W)\n        db = np.zeros_like(b)\n", ""),
        "no-reset",
    ),
    (
        "ex-backprop-accumulators",
        accumulate("b = b - lr * db / m", "b = b - lr * (db / m + lam * b)"),
        "bias-decayed",
    ),
    (
        "ex-backprop-accumulators",
        accumulate("W = W - lr * (dW / m + lam * W)", "W = W - lr * dW / m"),
        "no-decay",
    ),
    (
        "ex-backprop-accumulators",
        accumulate("(dW / m + lam * W)", "(dW + lam * W)").replace("db / m", "db"),
        "no-mean",
    ),
    (
        "ex-backprop-accumulators",
        accumulate("dW += np.outer(x, delta)", "dW += x * delta"),
        "shape-error",
    ),
    # Found by the relations and probes shared by the checkers (issue 19).
    (
        "ex-backprop-two-layer",
        two_layer("P /= P.sum(axis=1, keepdims=True)", "P /= P.sum()"),
        "softmax-not-normalised",
    ),
    ("ex-backprop-numgrad", numgrad("x[index] = saved + h", "x[index] = saved"), "one-point-at-x"),
    (
        "ex-backprop-numgrad",
        numgrad("(f_plus - f_minus)", "(f_plus + f_minus)"),
        "sum-not-difference",
    ),
    (
        "ex-backprop-accumulators",
        accumulate("b = b - lr * db / m", "b = b + lr * db / m"),
        "step-reversed",
    ),
    ("ex-backprop-graph", graph(-6, 3, 6, 3, -2), "times-passes-through"),
    ("ex-backprop-graph", graph(-6, -3, 6, 3, -2), "missing-upstream"),
    (
        "ex-backprop-autograd",
        mul("a.grad += out.grad\nb.grad += a.data * out.grad"),
        "passes-through",
    ),
    ("ex-backprop-autograd", mul("a.grad += b.data * out.grad\nb.grad += a.data"), "no-upstream"),
    ("ex-backprop-unit-by-hand", "dL_dw = -0.0544", "missing-x"),
    ("ex-backprop-unit-by-hand", "dL_dw = -1.0946", "missing-sigmoid-slope"),
    ("ex-backprop-unit-by-hand", "dL_dw = -0.0816", "missing-2"),
    ("ex-backprop-unit-by-hand", "dL_dw = 0.8209", "slope-of-z"),
    ("ex-backprop-unit-by-hand", "dL_dw = 0.1632", "sign-flipped"),
    ("ex-backprop-predict-gradcheck", "predicted_error = 1e-6", "step-size"),
    ("ex-backprop-predict-gradcheck", "predicted_error = 1e-16", "machine-epsilon"),
    ("ex-backprop-predict-gradcheck", "predicted_error = 1e-2", "bug-size"),
    ("ex-backprop-predict-gradcheck", "predicted_error = 0", "far-off"),
]


@pytest.mark.parametrize("label, code, diagnosis", WRONG_ANSWERS)
def test_typical_wrong_answer_gets_its_diagnosis(label, code, diagnosis):
    BOOK.assert_diagnosis(label, code, diagnosis)


def test_the_one_sided_diagnosis_quotes_a_much_larger_error():
    feedback = BOOK.run("ex-backprop-numgrad", ONE_SIDED)
    assert feedback.code == "one-sided" and "1e-10" in feedback.message


@pytest.mark.parametrize(
    "answer",
    [
        *JUNK_ANSWERS,
        {"a": 1},
        {"a": "x", "b": None, "c": [1], "d": {}},
        lambda *a: (None, None, None),
        lambda *a: {"W1": "x", "b1": None, "W2": 1, "b2": [1, [2]]},
        lambda *a: np.full((4, 3), np.nan),
        lambda f, x, h: f(None),
    ],
)
def test_nothing_a_student_passes_makes_a_checker_raise(answer):
    for feedback in (
        check.graph_gradients(answer, answer),
        check.graph_gradients(-6.0, answer),
        check.autograd_mul(answer),
        check.dense_backward(answer),
        check.two_layer_backward(answer),
        check.numerical_gradient(answer),
        check.accumulator_descent(answer),
    ):
        assert_rejected_calmly(feedback)
