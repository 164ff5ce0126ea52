"""The activation-function exercise checkers: each typical mistake gets its own diagnosis,
and no junk answer makes a checker raise. (That every reference solution passes and every
stub is rejected: test_exercise_contract.py.)"""

import numpy as np
import pytest
from exercise_harness import JUNK_ANSWERS, assert_rejected_calmly, exercise_notebook

from nnlib.checks import activations as check

BOOK = exercise_notebook("04_activations")


def test_the_half_dead_exercise_hands_over_its_layer():
    assert "X_layer" in BOOK.given["ex-activations-half-dead"]


def _softmax(body):
    return "def softmax_rows(S):\n" + body


def _sig(body):
    return "def sigmoid_derivative(z):\n    s = sigmoid(z)\n" + body


def _relu(body):
    return "def relu_derivative(z):\n" + body


def _dead(body):
    return "def dead_fraction(Z):\n" + body


def _tanh(body):
    return "def tanh_derivative(z):\n" + body


def _leaky(body):
    return "def leaky_relu(z, alpha):\n    return " + body


def _stable(body):
    return "def stable_sigmoid(z):\n" + body


def _pieces(body):
    return "def leaky_pieces(W1, b1, alpha):\n" + body


WRONG_ANSWERS = [
    # (exercise, the student's code, the diagnosis it must get)
    (
        "ex-activations-softmax",
        _softmax("    e = np.exp(S)\n    return e / e.sum(axis=1, keepdims=True)"),
        "overflow",
    ),
    (
        "ex-activations-softmax",
        _softmax(
            "    e = np.exp(S - S.max(axis=0, keepdims=True))\n"
            "    return e / e.sum(axis=0, keepdims=True)"
        ),
        "wrong-axis",
    ),
    (
        "ex-activations-softmax",
        _softmax("    return np.exp(S - S.max(axis=1, keepdims=True))"),
        "not-normalised",
    ),
    (
        "ex-activations-softmax",
        _softmax(
            "    e = np.exp(S - S.min(axis=1, keepdims=True))\n"
            "    return e / e.sum(axis=1, keepdims=True)"
        ),
        "shift-not-max",
    ),
    (
        "ex-activations-softmax",
        _softmax(
            "    e = np.exp(S - S.mean(axis=1, keepdims=True))\n"
            "    return e / e.sum(axis=1, keepdims=True)"
        ),
        "shift-not-max",
    ),
    (
        "ex-activations-softmax",
        _softmax(
            "    s = S - S.max(axis=1, keepdims=True)\n"
            "    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))"
        ),
        "log-probabilities",
    ),
    (
        "ex-activations-softmax",
        _softmax("    e = np.exp(S - S.max())\n    return e / e.sum(axis=1, keepdims=True)"),
        "global-max",
    ),
    (
        "ex-activations-softmax",
        _softmax("    e = np.exp(S - S.max(axis=1))\n    return e / e.sum(axis=1)"),
        "missing-keepdims",
    ),
    (
        "ex-activations-softmax",
        _softmax("    e = np.exp(S - S.max(axis=1, keepdims=True))\n    return e / e.sum()"),
        "whole-batch-sum",
    ),
    (
        "ex-activations-softmax",
        _softmax(
            "    S -= S.max(axis=1, keepdims=True)\n"
            "    return np.exp(S) / np.exp(S).sum(axis=1, keepdims=True)"
        ),
        "changed-input",
    ),
    (
        "ex-activations-softmax",
        _softmax(
            "    e = np.exp(S - S.max(axis=1, keepdims=True))\n"
            "    return (e / e.sum(axis=1, keepdims=True)).T"
        ),
        "wrong-shape",
    ),
    (
        "ex-activations-softmax",
        _softmax(
            "    e = np.exp(S - S.max(axis=1, keepdims=True))\n"
            "    return e / (e.sum(axis=1, keepdims=True) + 1)"
        ),
        "wrong-denominator",
    ),
    (
        "ex-activations-softmax",
        _softmax(
            "    e = np.exp(S - S.max(axis=1, keepdims=True)) ** 2\n"
            "    return e / e.sum(axis=1, keepdims=True)"
        ),
        "wrong-values",
    ),
    ("ex-activations-sigmoid-derivative", _sig("    return z * (1 - z)"), "used-z-not-sigma"),
    ("ex-activations-sigmoid-derivative", _sig("    return s"), "returned-sigmoid"),
    ("ex-activations-sigmoid-derivative", _sig("    return -s * (1 - s)"), "sign-error"),
    ("ex-activations-sigmoid-derivative", _sig("    return 1 - s**2"), "tanh-formula"),
    (
        "ex-activations-sigmoid-derivative",
        _sig("    return 1 - np.tanh(z) ** 2"),
        "used-tanh",
    ),
    ("ex-activations-sigmoid-derivative", _sig("    return s * (1 + s)"), "wrong-at-zero"),
    (
        "ex-activations-sigmoid-derivative",
        _sig("    return s * (1 - s) * (1 + z**2 / 50)"),
        "wrong-values",
    ),
    ("ex-activations-sigmoid-derivative", _sig("    return s.sum()"), "wrong-shape"),
    (
        "ex-activations-sigmoid-derivative",
        _sig("    return s * (1 - s) / (z != 0)"),
        "not-finite",
    ),
    ("ex-activations-relu-derivative", _relu("    return np.maximum(z, 0)"), "returned-relu"),
    ("ex-activations-relu-derivative", _relu("    return (z < 0).astype(float)"), "inverted"),
    ("ex-activations-relu-derivative", _relu("    return np.sign(z)"), "sign-function"),
    ("ex-activations-relu-derivative", _relu("    return np.ones_like(z)"), "constant"),
    (
        "ex-activations-relu-derivative",
        _relu("    return z / np.abs(z) / 2 + 0.5"),
        "wrong-at-zero",
    ),
    (
        "ex-activations-relu-derivative",
        _relu("    z[z > 0] = 1\n    z[z < 0] = 0\n    return z"),
        "changed-input",
    ),
    ("ex-activations-relu-derivative", _relu("    return (z > 1).astype(float)"), "wrong-values"),
    ("ex-activations-dead-fraction", _dead("    return float(np.mean(Z <= 0))"), "counted-entries"),
    (
        "ex-activations-dead-fraction",
        _dead("    return np.all(Z <= 0, axis=0).sum() / len(Z)"),
        "divided-by-examples",
    ),
    (
        "ex-activations-dead-fraction",
        _dead("    return float(np.mean(np.all(Z < 0, axis=0)))"),
        "strict-inequality",
    ),
    (
        "ex-activations-dead-fraction",
        _dead("    return float(np.mean(np.all(Z <= 0, axis=1)))"),
        "per-example",
    ),
    (
        "ex-activations-dead-fraction",
        _dead("    return float(np.mean(np.any(Z <= 0, axis=0)))"),
        "any-not-all",
    ),
    (
        "ex-activations-dead-fraction",
        _dead("    return int(np.sum(np.all(Z <= 0, axis=0)))"),
        "count-not-fraction",
    ),
    (
        "ex-activations-dead-fraction",
        _dead("    return float(np.mean(~np.all(Z <= 0, axis=0)))"),
        "alive-fraction",
    ),
    (
        "ex-activations-dead-fraction",
        _dead("    return 100 * np.mean(np.all(Z <= 0, axis=0))"),
        "percent",
    ),
    ("ex-activations-dead-fraction", _dead("    return np.all(Z <= 0, axis=0)"), "returned-array"),
    ("ex-activations-dead-fraction", _dead("    return 'half'"), "not-a-number"),
    ("ex-activations-half-dead", "half_dead_shift = 2.5", "too-small"),
    ("ex-activations-half-dead", "half_dead_shift = 4.0", "not-the-first"),
    ("ex-activations-half-dead", "half_dead_shift = -3.0", "wrong-direction"),
    ("ex-activations-half-dead", "half_dead_shift = 0", "zero-shift"),
    ("ex-activations-half-dead", "half_dead_shift = 2.8", "off-grid"),
    ("ex-activations-half-dead", "half_dead_shift = '3'", "not-a-number"),
    (
        "ex-activations-maxout-leaky",
        _pieces("    return np.zeros_like(W1), np.zeros_like(b1)"),
        "built-relu",
    ),
    ("ex-activations-maxout-leaky", _pieces("    return alpha * W1, b1"), "bias-not-scaled"),
    (
        "ex-activations-maxout-leaky",
        _pieces("    return -alpha * W1, -alpha * b1"),
        "sign-flipped",
    ),
    (
        "ex-activations-maxout-leaky",
        _pieces("    return W1 / alpha, b1 / alpha"),
        "slope-inverted",
    ),
    ("ex-activations-maxout-leaky", _pieces("    return alpha * W1"), "not-a-pair"),
    (
        "ex-activations-maxout-leaky",
        _pieces("    return alpha * W1.T, alpha * b1"),
        "wrong-shape",
    ),
    (
        "ex-activations-maxout-leaky",
        _pieces("    W1 *= alpha\n    b1 *= alpha\n    return W1, b1"),
        "changed-input",
    ),
    ("ex-activations-maxout-leaky", _pieces("    return 0.5 * W1, 0.5 * b1"), "wrong-values"),
    # tanh's derivative
    ("ex-activations-tanh-derivative", _tanh("    return np.tanh(z)"), "returned-tanh"),
    ("ex-activations-tanh-derivative", _tanh("    return 1 - np.tanh(z)"), "missing-square"),
    ("ex-activations-tanh-derivative", _tanh("    return np.tanh(z) ** 2"), "missing-one-minus"),
    (
        "ex-activations-tanh-derivative",
        _tanh("    t = np.tanh(z)\n    return t * (1 - t)"),
        "sigmoid-pattern",
    ),
    (
        "ex-activations-tanh-derivative",
        _tanh("    s = sigmoid(z)\n    return s * (1 - s)"),
        "sigmoid-derivative",
    ),
    ("ex-activations-tanh-derivative", _tanh("    return 1 / np.cosh(z)"), "sech-not-squared"),
    ("ex-activations-tanh-derivative", _tanh("    return 1 + np.tanh(z) ** 2"), "plus-not-minus"),
    ("ex-activations-tanh-derivative", _tanh("    return 2 - 2 * np.tanh(z) ** 2"), "scaled"),
    ("ex-activations-tanh-derivative", _tanh("    return 1 - np.tanh(z) ** 4"), "wrong-values"),
    ("ex-activations-tanh-derivative", _tanh("    return np.full_like(z, np.nan)"), "not-finite"),
    # Leaky ReLU
    ("ex-activations-leaky-relu", _leaky("np.maximum(0, z)"), "relu"),
    ("ex-activations-leaky-relu", _leaky("z.copy()"), "identity"),
    ("ex-activations-leaky-relu", _leaky("np.where(z, z >= 0, alpha * z)"), "where-arguments"),
    (
        "ex-activations-tanh-derivative",
        _tanh("    return 1 - sigmoid(z) ** 2"),
        "sigmoid-in-formula",
    ),
    (
        "ex-activations-tanh-derivative",
        _tanh("    return 1 - np.tanh(z) * 2"),
        "doubled-not-squared",
    ),
    ("ex-activations-leaky-relu", _leaky("np.maximum(alpha, z)"), "max-with-alpha"),
    ("ex-activations-leaky-relu", _leaky("np.where(z >= 0, z, alpha)"), "constant-alpha"),
    ("ex-activations-leaky-relu", _leaky("np.where(z >= 0, alpha * z, z)"), "swapped"),
    ("ex-activations-leaky-relu", _leaky("np.where(z >= 0, z, -alpha * z)"), "negative-slope"),
    ("ex-activations-leaky-relu", _leaky("np.where(z >= 0, z, 0.01 * z)"), "alpha-ignored"),
    ("ex-activations-leaky-relu", _leaky("np.where(z >= 0, z, z / alpha)"), "wrong-values"),
    # A sigmoid exact and quiet at ±1e4 in float32
    ("ex-activations-stable-sigmoid", _stable("    return 1 / (1 + np.exp(-z))"), "underflow"),
    (
        "ex-activations-stable-sigmoid",
        _stable("    return 0.5 * (1 + np.tanh(z / 2))"),
        "underflow",
    ),
    (
        "ex-activations-stable-sigmoid",
        _stable("    return np.exp(z) / (1 + np.exp(z))"),
        "not-finite",
    ),
    (
        # Both branches of np.where run on every entry: exp(-z) overflows where z << 0.
        "ex-activations-stable-sigmoid",
        _stable("    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))"),
        "overflow-warning",
    ),
    (
        "ex-activations-stable-sigmoid",
        _stable(
            "    e = np.exp(-np.abs(z.astype(np.float64)))\n"
            "    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))"
        ),
        "changed-dtype",
    ),
    (
        "ex-activations-stable-sigmoid",
        _stable(
            "    e = np.exp(-np.abs(z))\n    return np.where(z >= 0, 1 / (1 + e), 1 / (1 + e))"
        ),
        "wrong-for-negative",
    ),
    # Numbers: sigma'(2) by hand, and a prediction
    ("ex-activations-sigma-prime-2", "sigma_prime_at_2 = 2 * (1 - 2)", "used-z"),
    ("ex-activations-sigma-prime-2", "sigma_prime_at_2 = 1 / (1 + np.exp(-2))", "returned-sigmoid"),
    ("ex-activations-sigma-prime-2", "sigma_prime_at_2 = 0.25", "max-slope"),
    (
        "ex-activations-sigma-prime-2",
        "sigma_prime_at_2 = 1 - (1 / (1 + np.exp(-2))) ** 2",
        "tanh-pattern",
    ),
    ("ex-activations-sigma-prime-2", "sigma_prime_at_2 = 0.1192", "one-factor"),
    ("ex-activations-sigma-prime-2", "sigma_prime_at_2 = 0.8808 * 1.8808", "plus-not-minus"),
    ("ex-activations-sigma-prime-2", "sigma_prime_at_2 = -0.105", "sign-flipped"),
    ("ex-activations-sigma-prime-2", "sigma_prime_at_2 = 0.2", "wrong-number"),
    ("ex-activations-sigma-prime-2", "sigma_prime_at_2 = '0.105'", "not-a-number"),
    ("ex-activations-predict-vanishing", "predicted_factor = 0.25", "one-layer"),
    ("ex-activations-predict-vanishing", "predicted_factor = 9 / 4", "added-not-multiplied"),
    ("ex-activations-predict-vanishing", "predicted_factor = 0.25**10", "ten-layers"),
    ("ex-activations-predict-vanishing", "predicted_factor = 0.5**9", "half-per-layer"),
    ("ex-activations-predict-vanishing", "predicted_factor = 1", "no-change"),
    ("ex-activations-predict-vanishing", "predicted_factor = 0.01", "far-off"),
]


@pytest.mark.parametrize("label, code, diagnosis", WRONG_ANSWERS)
def test_typical_wrong_answer_gets_its_diagnosis(label, code, diagnosis):
    BOOK.assert_diagnosis(label, code, diagnosis)


@pytest.mark.parametrize(
    "body",
    [
        "    return (z >= 0).astype(float)",  # the other convention at exactly 0
        "    return (np.sign(z) + 1) / 2",  # 1/2 at 0: a valid subgradient
        "    return z > 0",  # booleans are 0/1
    ],
)
def test_relu_derivative_accepts_any_value_in_0_1_at_zero(body):
    feedback = BOOK.run("ex-activations-relu-derivative", _relu(body))
    assert feedback.passed, str(feedback)


def test_softmax_accepts_float32_output_and_other_correct_forms():
    code = _softmax(
        "    shifted = S - np.max(S, axis=-1, keepdims=True)\n"
        "    return np.exp(shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True)))"
    )
    assert BOOK.run("ex-activations-softmax", code).passed


def test_softmax_feedback_prints_no_numpy_warning(recwarn):
    BOOK.run("ex-activations-softmax", WRONG_ANSWERS[0][1])
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


@pytest.mark.parametrize(
    "answer",
    [
        *JUNK_ANSWERS,
        np.zeros((2, 2)),
        lambda *a: np.full((2, 2), np.nan),
        lambda *a: {"W2": 0},
    ],
)
def test_nothing_a_student_passes_makes_a_checker_raise(answer):
    for func in (
        check.softmax_rows,
        check.sigmoid_derivative,
        check.relu_derivative,
        check.leaky_pieces,
        check.tanh_derivative,
        check.stable_sigmoid,
        check.sigma_prime_at_2,
        check.sigmoid_chain_prediction,
    ):
        assert_rejected_calmly(func(answer))
    for func in (check.leaky_relu,):
        assert_rejected_calmly(func(answer))
    X, W, b = np.ones((3, 2)), np.ones((2, 4)), np.zeros(4)
    assert_rejected_calmly(check.half_dead_shift(answer, X, W, b))
    assert_rejected_calmly(check.dead_fraction(answer))
    # Junk in place of the layer the page hands over still reaches the catch-all verdict.
    for args in [(1.0, answer, W, b), (1.0, X, answer, b)]:
        assert_rejected_calmly(check.half_dead_shift(*args), catch_all=True)


@pytest.mark.parametrize(
    "label, code",
    [
        ("ex-activations-tanh-derivative", _tanh("    return 1 / np.cosh(z) ** 2")),
        ("ex-activations-tanh-derivative", _tanh("    return (1 - np.tanh(z)) * (1 + np.tanh(z))")),
        ("ex-activations-leaky-relu", _leaky("np.maximum(z, alpha * z)")),
        ("ex-activations-leaky-relu", _leaky("np.where(z > 0, z, alpha * z)")),
        (
            "ex-activations-stable-sigmoid",
            _stable(
                "    out = np.empty_like(z)\n    pos = z >= 0\n"
                "    out[pos] = 1 / (1 + np.exp(-z[pos]))\n"
                "    e = np.exp(z[~pos])\n    out[~pos] = e / (1 + e)\n    return out"
            ),
        ),
        ("ex-activations-stable-sigmoid", _stable("    return sigmoid(z)")),
    ],
)
def test_other_right_answers_of_the_new_exercises_pass(label, code):
    feedback = BOOK.run(label, code)
    assert feedback.passed, str(feedback)


def test_feedback_renders_as_text_and_html():
    feedback = check.relu_derivative(lambda z: (z > 0).astype(float))
    assert str(feedback).startswith("[PASSED]")
    assert "Passed" in feedback._repr_html_()
