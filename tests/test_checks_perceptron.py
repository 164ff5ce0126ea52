"""The perceptron exercise checkers: they accept the reference solution, reject the stub
with a helpful message, and name each typical mistake correctly."""

import numpy as np
import pytest
from exercise_harness import ExerciseNotebook

from nnlib.checks import perceptron as check

BOOK = ExerciseNotebook("02_perceptron.ipynb")
EXERCISES = BOOK.exercises
run_exercise = BOOK.run


def test_every_exercise_is_parsed():
    assert list(EXERCISES) == [
        "ex-perceptron-nand",
        "ex-perceptron-majority",
        "ex-perceptron-unit-output",
        "ex-perceptron-step",
        "ex-perceptron-epochs",
    ]


@pytest.mark.parametrize("label", list(EXERCISES))
def test_reference_solution_passes(label):
    prefix = EXERCISES["ex-perceptron-step"].solution if label == "ex-perceptron-epochs" else ""
    feedback = run_exercise(label, prefix + EXERCISES[label].solution)
    assert feedback.passed, str(feedback)
    assert feedback.code == "ok"


@pytest.mark.parametrize("label", list(EXERCISES))
def test_untouched_stub_is_rejected_with_a_pointer_to_the_cell(label):
    feedback = run_exercise(label, EXERCISES[label].stub)
    assert not feedback.passed
    assert feedback.code == "not-started", str(feedback)
    assert "`...`" in feedback.message and "run this check again" in feedback.message


WRONG_ANSWERS = [
    # (exercise, the student's code, the diagnosis it must get)
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
        "in-place",
    ),
    ("ex-perceptron-step", "def perceptron_step(w, b, x, y, lr):\n    return w", "not-a-pair"),
    ("ex-perceptron-step", "def perceptron_step(w, b, x, y, lr):\n    return w, b", "no-change"),
    ("ex-perceptron-epochs", "epochs_for_and = 5", "missed-clean-pass"),
    ("ex-perceptron-epochs", "epochs_for_and = 11", "counted-updates"),
    ("ex-perceptron-epochs", "epochs_for_and = 4", "wrong-count"),
    ("ex-perceptron-epochs", "epochs_for_and = 6.0", "not-an-integer"),
]


@pytest.mark.parametrize("label, code, diagnosis", WRONG_ANSWERS)
def test_typical_wrong_answer_gets_its_diagnosis(label, code, diagnosis):
    feedback = run_exercise(label, code)
    assert not feedback.passed, f"accepted a wrong answer:\n{code}"
    assert feedback.code == diagnosis, f"expected {diagnosis!r}, got:\n{feedback}"
    assert feedback.message.strip()


@pytest.mark.parametrize("label", list(EXERCISES))
def test_every_exercise_has_at_least_two_named_mistakes(label):
    diagnoses = {d for lab, _, d in WRONG_ANSWERS if lab == label}
    assert len(diagnoses) >= 2


@pytest.mark.parametrize(
    "answer",
    [
        None,
        "text",
        3,
        [1, 2],
        np.zeros((2, 2)),
        lambda *a: 1 / 0,
        lambda *a: "oops",
        lambda *a: (None, None),
        lambda *a: (np.zeros(2), "b"),
    ],
)
def test_nothing_a_student_passes_makes_a_checker_raise(answer):
    for func in (check.unit_output, check.perceptron_step, check.and_epochs):
        feedback = func(answer)
        assert not feedback.passed
        assert feedback.message
    for args in [(answer, 1.0, 1.0), (1.0, answer, 1.0)]:
        assert not check.nand_weights(*args).passed
    assert not check.majority_weights(answer, 0.0).passed


def test_feedback_renders_as_text_and_html():
    feedback = check.nand_weights(-1.0, -1.0, 1.5)
    assert str(feedback).startswith("[PASSED]")
    assert "Passed" in feedback._repr_html_()
    bad = check.nand_weights("<b>", 1.0, 1.0)
    assert "&lt;b&gt;" in bad._repr_html_()
