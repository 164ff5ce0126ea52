"""The MLP exercise checkers: each typical mistake gets its own diagnosis, and no junk
answer makes a checker raise. (That every reference solution passes and every stub is
rejected: test_exercise_contract.py.)"""

import numpy as np
import pytest
from exercise_harness import JUNK_ANSWERS, assert_rejected_calmly, exercise_notebook

from nnlib.checks import mlp as check

BOOK = exercise_notebook("03_mlp")


FORWARD = "def two_layer_forward(X, W1, b1, W2, b2):\n    return {}"
COUNT = "def weights_and_biases(sizes):\n{}"
COLLAPSE = "def collapse(W1, b1, W2, b2):\n    return {}"
WRONG_ANSWERS = [
    ("ex-mlp-forward", FORWARD.format("(X @ W1 + b1) @ W2 + b2"), "missing-hidden-activation"),
    (
        "ex-mlp-forward",
        FORWARD.format("np.maximum(0, np.maximum(0, X @ W1 + b1) @ W2 + b2)"),
        "activation-on-output",
    ),
    (
        "ex-mlp-forward",
        FORWARD.format("np.maximum(0, X @ W1.T + b1) @ W2.T + b2"),
        "transposed-weights",
    ),
    ("ex-mlp-forward", FORWARD.format("np.maximum(0, X @ W1) @ W2 + b2"), "missing-bias"),
    ("ex-mlp-forward", FORWARD.format("np.maximum(0, X @ W1 + b1) @ W2"), "missing-output-bias"),
    ("ex-mlp-forward", FORWARD.format("np.maximum(0, W1 @ X + b1) @ W2 + b2"), "raised"),
    (
        "ex-mlp-forward",
        FORWARD.format("(np.maximum(0, X @ W1 + b1) @ W2 + b2).ravel()"),
        "wrong-shape",
    ),
    ("ex-mlp-count", COUNT.format("    return sum(sizes[1:]), 0"), "wrong-count"),
    (
        "ex-mlp-count",
        COUNT.format(
            "    w = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))\n    return w, sum(sizes)"
        ),
        "input-biases",
    ),
    (
        "ex-mlp-count",
        COUNT.format(
            "    w = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))\n"
            "    return sum(sizes[1:]), w"
        ),
        "swapped",
    ),
    (
        "ex-mlp-count",
        COUNT.format(
            "    w = sum(sizes[i] * sizes[i + 1] for i in range(len(sizes) - 2))\n"
            "    return w, sum(sizes[1:])"
        ),
        "missed-a-layer",
    ),
    (
        "ex-mlp-count",
        COUNT.format("    return sum(n * n for n in sizes[1:]), sum(sizes[1:])"),
        "wrong-weight-formula",
    ),
    (
        "ex-mlp-xor",
        "W1 = np.array([[1.0, 1.0], [1.0, 1.0]])\nb1 = np.array([-0.5, -0.5])\n"
        "w2 = np.array([1.0, 1.0])\nb2 = -0.5",
        "identical-hidden-units",
    ),
    (
        "ex-mlp-xor",
        "W1 = np.array([[1.0, 0.0], [0.0, 1.0]])\nb1 = np.array([-0.5, -0.5])\n"
        "w2 = np.array([1.0, 1.0])\nb2 = -0.5",
        "computes-or",
    ),
    (
        "ex-mlp-xor",
        "W1 = np.array([[1.0, 1.0], [-1.0, -1.0]])\nb1 = np.array([-0.5, 1.5])\n"
        "w2 = np.array([1.0, 1.0])\nb2 = -1.5",
        "transposed-W1",
    ),
    (
        "ex-mlp-xor",
        "W1 = np.array([[1.0, -1.0], [-1.0, 1.0]])\nb1 = np.array([-0.5, -0.5])\n"
        "w2 = np.array([-1.0, -1.0])\nb2 = 0.5",
        "computes-xnor",
    ),
    (
        "ex-mlp-xor",
        "W1 = np.array([[1.0, 1.0], [-1.0, -1.0]])\nb1 = np.array([-0.5, -0.5])\n"
        "w2 = np.array([1.0, 1.0])\nb2 = -1.5",
        "identical-hidden-units",
    ),
    (
        "ex-mlp-xor",
        "W1 = np.ones((3, 2))\nb1 = np.zeros(2)\nw2 = np.ones(2)\nb2 = 0.0",
        "wrong-shape",
    ),
    ("ex-mlp-collapse", COLLAPSE.format("W2 @ W1, b1 @ W2 + b2"), "wrong-order"),
    ("ex-mlp-collapse", COLLAPSE.format("W1 @ W2, b1 + b2"), "bias-not-through-w2"),
    ("ex-mlp-collapse", COLLAPSE.format("W1 @ W2, b2"), "dropped-b1"),
    ("ex-mlp-collapse", COLLAPSE.format("W1 @ W2, b1 @ W2"), "dropped-b2"),
    ("ex-mlp-forward", FORWARD.format("np.minimum(X @ W1 + b1, 0) @ W2 + b2"), "min-not-max"),
    (
        "ex-mlp-forward",
        FORWARD.format("np.maximum(X @ W1 - b1, 0) @ W2 + b2"),
        "hidden-bias-subtracted",
    ),
    (
        "ex-mlp-forward",
        FORWARD.format("np.maximum(X @ W1 + b1, 0) @ W2 - b2"),
        "output-bias-subtracted",
    ),
    ("ex-mlp-forward-by-hand", "y_hat = 5.5", "no-relu"),
    ("ex-mlp-forward-by-hand", "y_hat = 0.0", "transposed"),
    ("ex-mlp-forward-by-hand", "y_hat = 1.5", "no-hidden-bias"),
    ("ex-mlp-forward-by-hand", "y_hat = 4", "no-output-bias"),
    ("ex-mlp-forward-by-hand", "y_hat = -4.5", "sign-flipped"),
    ("ex-mlp-forward-by-hand", "y_hat = 2", "wrong-number"),
    ("ex-mlp-predict-collapse", "predicted_numbers = 51", "deep-count"),
    ("ex-mlp-predict-collapse", "predicted_numbers = 2", "weights-only"),
    ("ex-mlp-predict-collapse", "predicted_numbers = 15", "hidden-width"),
    ("ex-mlp-predict-collapse", "predicted_numbers = 26", "far-off"),
]


@pytest.mark.parametrize("label, code, diagnosis", WRONG_ANSWERS)
def test_typical_wrong_answer_gets_its_diagnosis(label, code, diagnosis):
    BOOK.assert_diagnosis(label, code, diagnosis)


@pytest.mark.parametrize("answer", JUNK_ANSWERS)
def test_nothing_a_student_passes_makes_a_checker_raise(answer):
    for feedback in (
        check.two_layer_forward(answer),
        check.collapse(answer),
        check.xor_network(answer, answer, answer, answer),
        check.xor_network(np.eye(2), answer, np.ones(2), 0.0),
    ):
        assert_rejected_calmly(feedback)
    assert_rejected_calmly(check.weights_and_biases(answer))


def test_np_max_for_relu_gets_a_hint():
    # np.max(0, Z) fails with NumPy's words about scalar indices; the hint names the fix.
    feedback = BOOK.run("ex-mlp-forward", FORWARD.format("np.max(0, X @ W1 + b1) @ W2 + b2"))
    assert feedback.code == "raised" and "np.maximum(0, Z)" in feedback.message
