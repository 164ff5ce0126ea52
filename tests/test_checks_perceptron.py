"""The perceptron exercise checkers: each typical mistake gets its own diagnosis, and no
junk answer makes a checker raise. (That every reference solution passes and every stub
is rejected: test_exercise_contract.py.)"""

import numpy as np
import pytest
from exercise_harness import JUNK_ANSWERS, assert_rejected_calmly, exercise_notebook

from nnlib.checks import perceptron as check

BOOK = exercise_notebook("02_perceptron")

WRONG_ANSWERS = [
    # (exercise, the student's code, the diagnosis it must get)
    ("ex-perceptron-majority", "w, b = [float('nan'), 1.0, 1.0], -1.5", "not-a-number"),
    ("ex-perceptron-nand", "w1, w2, b = 1.0, 1.0, -1.5", "built-and"),
    ("ex-perceptron-nand", "w1, w2, b = -1.0, -1.0, 0.5", "built-nor"),
    ("ex-perceptron-nand", "w1, w2, b = 1.0, 1.0, 5.0", "constant"),
    ("ex-perceptron-nand", "w1, w2, b = -1.0, -2.0, 1.5", "wrong-rows"),
    ("ex-perceptron-nand", "w1, w2, b = '-1', -1.0, 1.5", "not-a-number"),
    ("ex-perceptron-majority", "w, b = np.ones(3), -2.5", "built-and"),
    ("ex-perceptron-majority", "w, b = np.ones(3), -0.5", "built-or"),
    ("ex-perceptron-majority", "w, b = np.ones(2), -1.5", "wrong-shape"),
    ("ex-perceptron-unit-output", "def unit_output(X, w, b):\n    return X @ w + b", "returned-z"),
    (
        "ex-perceptron-unit-output",
        "def unit_output(X, w, b):\n    return (X @ w + b > 0).astype(int)",
        "strict-inequality",
    ),
    (
        "ex-perceptron-unit-output",
        "def unit_output(X, w, b):\n    return (X @ w >= 0).astype(int)",
        "missing-bias",
    ),
    (
        "ex-perceptron-unit-output",
        "def unit_output(X, w, b):\n    return np.sign(X @ w + b) + (X @ w + b == 0)",
        "plus-minus-one",
    ),
    (
        "ex-perceptron-unit-output",
        "def unit_output(X, w, b):\n    return (X @ w.reshape(-1, 1) + b >= 0).astype(int)",
        "wrong-shape",
    ),
    (
        "ex-perceptron-unit-output",
        "def unit_output(X, w, b):\n    return (X @ w - b >= 0).astype(int)",
        "bias-sign",
    ),
    ("ex-perceptron-unit-output", "def unit_output(X, w, b):\n    return w @ X + b", "raised"),
    (
        "ex-perceptron-unit-output",
        "def unit_output(X, w, b):\n    z = X @ w + b\n    (z >= 0).astype(int)",
        "returned-none",
    ),
    (
        "ex-perceptron-step",
        "def perceptron_step(w, b, x, y, lr):\n"
        "    e = (1 if x @ w + b >= 0 else 0) - y\n    return w + lr * e * x, b + lr * e",
        "sign-flipped",
    ),
    (
        "ex-perceptron-step",
        "def perceptron_step(w, b, x, y, lr):\n"
        "    e = y - (1 if x @ w + b >= 0 else 0)\n    return w + lr * e * x, b",
        "bias-not-updated",
    ),
    (
        "ex-perceptron-step",
        "def perceptron_step(w, b, x, y, lr):\n"
        "    e = y - (1 if x @ w + b >= 0 else 0)\n    return w + e * x, b + e",
        "ignores-lr",
    ),
    (
        "ex-perceptron-step",
        "def perceptron_step(w, b, x, y, lr):\n    return w + lr * y * x, b + lr * y",
        "updates-when-right",
    ),
    (
        "ex-perceptron-step",
        "def perceptron_step(w, b, x, y, lr):\n"
        "    e = y - (1 if x @ w + b >= 0 else 0)\n    w += lr * e * x\n    return w, b + lr * e",
        "changed-input",
    ),
    ("ex-perceptron-step", "def perceptron_step(w, b, x, y, lr):\n    return w", "not-a-pair"),
    ("ex-perceptron-step", "def perceptron_step(w, b, x, y, lr):\n    return w, b", "no-change"),
    (
        "ex-perceptron-step",
        "def perceptron_step(w, b, x, y, lr):\n"
        "    e = y - (x @ w + b)\n    return w + lr * e * x, b + lr * e",
        "no-step",
    ),
    ("ex-perceptron-epochs", "epochs_for_and = 7", "missed-clean-pass"),
    ("ex-perceptron-epochs", "epochs_for_and = 15", "counted-updates"),
    ("ex-perceptron-epochs", "epochs_for_and = 6", "table-order"),
    ("ex-perceptron-epochs", "epochs_for_and = 4", "wrong-count"),
    ("ex-perceptron-epochs", "epochs_for_and = 6.0", "not-an-integer"),
]


@pytest.mark.parametrize("label, code, diagnosis", WRONG_ANSWERS)
def test_typical_wrong_answer_gets_its_diagnosis(label, code, diagnosis):
    BOOK.assert_diagnosis(label, code, diagnosis)


@pytest.mark.parametrize("answer", [*JUNK_ANSWERS, np.zeros((2, 2))])
def test_nothing_a_student_passes_makes_a_checker_raise(answer):
    for func in (check.unit_output, check.and_epochs):
        assert_rejected_calmly(func(answer))
    for args in [(answer, 1.0, 1.0), (1.0, answer, 1.0)]:
        assert_rejected_calmly(check.nand_weights(*args))
    assert_rejected_calmly(check.majority_weights(answer, 0.0))
    assert_rejected_calmly(check.perceptron_step(answer))


def test_feedback_renders_as_text_and_html():
    feedback = check.nand_weights(-1.0, -1.0, 1.5)
    assert str(feedback).startswith("[PASSED]")
    assert "Passed" in feedback._repr_html_()
    bad = check.nand_weights("<b>", 1.0, 1.0)
    assert "&lt;b&gt;" in bad._repr_html_()


def test_feedback_points_at_what_the_answer_got_wrong():
    # A bias that keeps every point on one side: the message says where -b must lie, and
    # that (1, 1), at z = 0 exactly, sits on the line.
    feedback = BOOK.run("ex-perceptron-nand", "w1, w2, b = -1.0, -1.0, 2.0")
    assert feedback.code == "constant"
    assert "-2 and 0" in feedback.message and "z exactly 0" in feedback.message
    # Writing `>` for `>=` in the step: the one case it changes is the one where z = 0.
    feedback = BOOK.run(
        "ex-perceptron-step",
        "def perceptron_step(w, b, x, y, lr):\n"
        "    e = y - (1 if x @ w + b > 0 else 0)\n    return w + lr * e * x, b + lr * e",
    )
    assert feedback.code == "no-change" and "z >= 0, not z > 0" in feedback.message
