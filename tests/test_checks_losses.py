"""The loss-function exercise checkers: each typical mistake gets its own diagnosis, and no
junk answer makes a checker raise. (That every reference solution passes and every stub
is rejected: test_exercise_contract.py.)"""

import numpy as np
import pytest
from exercise_harness import JUNK_ANSWERS, assert_rejected_calmly, exercise_notebook

from nnlib.checks import losses as check

BOOK = exercise_notebook("05_losses")


def bce(body):
    return "def binary_cross_entropy(p, y):\n" + body


def sce(body):
    return "def softmax_cross_entropy(scores, y):\n" + body


def grad(body):
    return "def logistic_grad_z(X, w, b, y):\n    a = 1 / (1 + np.exp(-(X @ w + b)))\n" + body


def hinge(body):
    return "def multiclass_hinge_one(s, y):\n" + body


def two(body):
    return "def logistic_as_softmax(w, b):\n" + body


def gauss(terms, reduce="    t = t if t.ndim == 1 else t.sum(axis=1)\n    return np.mean(t)"):
    """gaussian_nll whose per-output terms are `terms`, reduced as the book does unless
    `reduce` says otherwise."""
    return "def gaussian_nll(y_hat, y, sigma):\n    e = y - y_hat\n    t = " + terms + "\n" + reduce


RIGHT_TERMS = "e**2 / (2 * sigma**2) + 0.5 * np.log(2 * np.pi * sigma**2)"
DENSITY = "np.exp(-(e**2) / (2 * sigma**2)) / np.sqrt(2 * np.pi * sigma**2)"


CLIP = "    eps = np.finfo(p.dtype).eps\n    p = np.clip(p, eps, 1 - eps)\n"
BCE_BODY = "    return np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)))"
LOG_SOFTMAX = (
    "    sh = scores - scores.max(axis=1, keepdims=True)\n"
    "    lp = sh - np.log(np.exp(sh).sum(axis=1, keepdims=True))\n"
)
NAIVE_PROBS = "    e = np.exp(scores)\n    pr = e / e.sum(axis=1, keepdims=True)\n"

WRONG_ANSWERS = [
    # (exercise, the student's code, the diagnosis it must get)
    (
        "ex-losses-bce",
        bce(CLIP + "    return np.sum(-(y * np.log(p) + (1 - y) * np.log(1 - p)))"),
        "summed",
    ),
    (
        "ex-losses-bce",
        bce(CLIP + "    return np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))"),
        "missing-minus",
    ),
    (
        "ex-losses-bce",
        bce(CLIP + "    return np.mean(-((1 - y) * np.log(p) + y * np.log(1 - p)))"),
        "swapped-terms",
    ),
    (
        "ex-losses-bce",
        bce("    return np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)))"),
        "no-clipping",
    ),
    (
        "ex-losses-bce",
        bce("    return np.mean(np.where(y == 1, -np.log(p), -np.log(1 - p)))"),
        "no-clipping",
    ),
    # A fixed margin is finite in float64 but rounds away in float32: p = 1 gives nan.
    (
        "ex-losses-bce",
        bce("    p = np.clip(p, 1e-12, 1 - 1e-12)\n" + BCE_BODY),
        "clip-lost-in-float32",
    ),
    ("ex-losses-bce", bce(CLIP + "    return np.mean(-y * np.log(p))"), "missing-class-0-term"),
    (
        "ex-losses-bce",
        bce(CLIP + "    return np.mean(-(y * np.log10(p) + (1 - y) * np.log10(1 - p)))"),
        "wrong-log",
    ),
    (
        "ex-losses-bce",
        bce(CLIP + "    return -(y * np.log(p) + (1 - y) * np.log(1 - p))"),
        "per-example",
    ),
    (
        "ex-losses-bce",
        bce(
            "    p = np.clip(p, 0.1, 0.9)\n"
            "    return np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)))"
        ),
        "clipped-too-wide",
    ),
    (
        "ex-losses-bce",
        bce(
            "    p = np.clip(p, 0.02, 0.98)\n"
            "    return np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)))"
        ),
        "wrong-values",
    ),
    ("ex-losses-bce", bce("    return 'loss'"), "not-a-number"),
    (
        "ex-losses-softmax-ce",
        sce(NAIVE_PROBS + "    return -np.mean(np.log(pr[np.arange(len(y)), y]))"),
        "overflow",
    ),
    (
        "ex-losses-softmax-ce",
        sce(LOG_SOFTMAX + "    return np.mean(lp[np.arange(len(y)), y])"),
        "missing-minus",
    ),
    (
        # A stable softmax, then the log of clipped probabilities: finite, but capped.
        "ex-losses-softmax-ce",
        sce(
            "    sh = scores - scores.max(axis=1, keepdims=True)\n"
            "    pr = np.exp(sh) / np.exp(sh).sum(axis=1, keepdims=True)\n"
            "    return -np.mean(np.log(np.clip(pr[np.arange(len(y)), y], 1e-12, 1)))"
        ),
        "wrong-values",
    ),
    (
        "ex-losses-softmax-ce",
        sce(LOG_SOFTMAX + "    return -np.sum(lp[np.arange(len(y)), y])"),
        "summed",
    ),
    (
        "ex-losses-softmax-ce",
        sce(NAIVE_PROBS + "    return -np.mean(pr[np.arange(len(y)), y])"),
        "probability-not-log",
    ),
    (
        "ex-losses-softmax-ce",
        sce(LOG_SOFTMAX + "    return -np.mean(lp[:, y])"),
        "wrong-indexing",
    ),
    (
        "ex-losses-softmax-ce",
        sce("    return -np.mean(scores[np.arange(len(y)), y])"),
        "not-normalised",
    ),
    (
        "ex-losses-softmax-ce",
        sce(
            "    e = np.exp(scores)\n    return -np.mean(np.log(e / e.sum())[np.arange(len(y)), y])"
        ),
        "wrong-axis",
    ),
    (
        "ex-losses-softmax-ce",
        sce(
            "    sh = scores - scores.max()\n"
            "    lp = np.log(np.exp(sh) / np.exp(sh).sum(axis=1, keepdims=True))\n"
            "    return -np.mean(lp[np.arange(len(y)), y])"
        ),
        "overflow",
    ),
    (
        "ex-losses-softmax-ce",
        sce(LOG_SOFTMAX + "    return -lp[np.arange(len(y)), y]"),
        "per-example",
    ),
    ("ex-losses-logistic-grad", grad("    return a - y"), "missing-1/m"),
    ("ex-losses-logistic-grad", grad("    return (y - a) / len(y)"), "sign-flipped"),
    (
        "ex-losses-logistic-grad",
        grad("    return (a - y) * a * (1 - a) / len(y)"),
        "extra-sigmoid-factor",
    ),
    (
        "ex-losses-logistic-grad",
        grad("    return 2 * (a - y) * a * (1 - a) / len(y)"),
        "mse-gradient",
    ),
    (
        "ex-losses-logistic-grad",
        grad("    return (-y / a + (1 - y) / (1 - a)) / len(y)"),
        "gradient-wrt-a",
    ),
    (
        "ex-losses-logistic-grad",
        "def logistic_grad_z(X, w, b, y):\n    a = 1 / (1 + np.exp(-(X @ w)))\n"
        "    return (a - y) / len(y)",
        "missing-bias",
    ),
    ("ex-losses-logistic-grad", grad("    return np.mean(a - y)"), "summed-over-batch"),
    (
        "ex-losses-logistic-grad",
        grad("    return ((a - y) / len(y)).reshape(-1, 1)"),
        "wrong-shape",
    ),
    (
        "ex-losses-hinge",
        hinge("    return np.sum(np.maximum(0, s - s[y] + 1))"),
        "included-true-class",
    ),
    (
        "ex-losses-hinge",
        hinge("    return np.sum(np.maximum(0, y - s + 1))"),
        "slide-form",
    ),
    (
        "ex-losses-hinge",
        hinge("    t = np.maximum(0, np.eye(len(s))[y] - s + 1)\n    t[y] = 0\n    return t.sum()"),
        "slide-form",
    ),
    (
        "ex-losses-hinge",
        hinge("    t = np.maximum(0, s - s[y])\n    t[y] = 0\n    return t.sum()"),
        "missing-margin",
    ),
    (
        "ex-losses-hinge",
        hinge("    t = np.maximum(0, s[y] - s + 1)\n    t[y] = 0\n    return t.sum()"),
        "sign-swapped",
    ),
    (
        "ex-losses-hinge",
        hinge("    t = s - s[y] + 1\n    t[y] = 0\n    return t.sum()"),
        "no-max",
    ),
    (
        "ex-losses-hinge",
        hinge("    t = np.maximum(0, s - s[y] + 1)\n    t[y] = 0\n    return t.max()"),
        "max-not-sum",
    ),
    (
        "ex-losses-hinge",
        hinge("    t = np.maximum(0, s - s[y] + 1)\n    t[y] = 0\n    return t"),
        "not-summed",
    ),
    (
        "ex-losses-two-class",
        two("    return np.column_stack([w, np.zeros_like(w)]), np.array([b, 0.0])"),
        "columns-swapped",
    ),
    (
        "ex-losses-two-class",
        two("    return np.column_stack([w, w]), np.array([b, b])"),
        "same-columns",
    ),
    (
        "ex-losses-two-class",
        two("    return np.column_stack([-w, w]), np.array([-b, b])"),
        "difference-doubled",
    ),
    (
        "ex-losses-two-class",
        two("    return np.column_stack([np.zeros_like(w), w]), np.zeros(2)"),
        "missing-bias",
    ),
    (
        "ex-losses-two-class",
        two("    return np.vstack([np.zeros_like(w), w]), np.array([0.0, b])"),
        "transposed",
    ),
    ("ex-losses-two-class", two("    return np.zeros((len(w), 2))"), "not-a-pair"),
    ("ex-losses-gaussian-nll", gauss("e**2 / (2 * sigma**2)"), "constant-dropped"),
    (
        "ex-losses-gaussian-nll",
        gauss("e**2 / (2 * sigma) + 0.5 * np.log(2 * np.pi * sigma)"),
        "sigma-for-variance",
    ),
    (
        "ex-losses-gaussian-nll",
        gauss("e**2 / (2 * sigma) + 0.5 * np.log(2 * np.pi * sigma**2)"),
        "sigma-not-squared",
    ),
    (
        "ex-losses-gaussian-nll",
        gauss("e**2 / 2 * sigma**2 + 0.5 * np.log(2 * np.pi * sigma**2)"),
        "precedence",
    ),
    (
        "ex-losses-gaussian-nll",
        gauss("e**2 / sigma**2 + 0.5 * np.log(2 * np.pi * sigma**2)"),
        "missing-half",
    ),
    (
        "ex-losses-gaussian-nll",
        gauss("e**2 / (2 * sigma**2) + np.log(2 * np.pi * sigma**2)"),
        "missing-half",
    ),
    (
        "ex-losses-gaussian-nll",
        gauss("e**2 / (2 * sigma**2) + np.log(sigma)"),
        "missing-2pi",
    ),
    ("ex-losses-gaussian-nll", gauss("-(" + RIGHT_TERMS + ")"), "log-likelihood"),
    ("ex-losses-gaussian-nll", gauss(DENSITY), "likelihood-not-log"),
    ("ex-losses-gaussian-nll", gauss(RIGHT_TERMS, "    return np.sum(t)"), "summed"),
    ("ex-losses-gaussian-nll", gauss(RIGHT_TERMS, "    return np.mean(t)"), "mean-over-entries"),
    ("ex-losses-gaussian-nll", gauss("e**2"), "squared-error"),
    ("ex-losses-gaussian-nll", gauss("np.abs(e) / sigma + np.log(2 * sigma)"), "laplace"),
    (
        "ex-losses-gaussian-nll",
        gauss("e**2 / (2 * sigma**2) + 0.5 * np.log10(2 * np.pi * sigma**2)"),
        "wrong-log",
    ),
    ("ex-losses-gaussian-nll", gauss("-np.log(" + DENSITY + ")"), "density-underflow"),
    (
        "ex-losses-gaussian-nll",
        gauss(DENSITY, "    return -np.log(np.prod(t)) / len(y)"),
        "density-underflow",
    ),
    (
        "ex-losses-gaussian-nll",
        gauss(RIGHT_TERMS, "    return t if t.ndim == 1 else t.sum(axis=1)"),
        "per-example",
    ),
    # Found by the relations and probes shared by the checkers (issue 19).
    (
        "ex-losses-bce",
        bce(CLIP + "    return np.mean(-(y * np.log(p) + (1 - y) * np.log(p)))"),
        "wrong-term-y0",
    ),
    (
        "ex-losses-bce",
        bce(CLIP + "    return np.mean(-(y * np.log(1 - p) + (1 - y) * np.log(1 - p)))"),
        "wrong-term-y1",
    ),
    ("ex-losses-logistic-grad", grad("    return (a - y * a) / len(y)"), "wrong-for-y1"),
    (
        "ex-losses-gaussian-nll",
        gauss("e**2 / (2 * sigma**2) + 0.5 * np.log(2 * np.pi + sigma**2)"),
        "wrong-constant",
    ),
    (
        "ex-losses-gaussian-nll",
        gauss("np.abs(e) / (2 * sigma**2) + 0.5 * np.log(2 * np.pi * sigma**2)"),
        "wrong-error-term",
    ),
    (
        "ex-losses-softmax-ce",
        sce(
            "    sh = scores - scores.max(axis=1, keepdims=True)\n"
            "    lp = sh - np.log(np.exp(sh).sum())\n"
            "    return -np.mean(lp[np.arange(len(y)), y])"
        ),
        "wrong-normaliser",
    ),
    (
        "ex-losses-logistic-grad",
        "def logistic_grad_z(X, w, b, y):\n    a = 1 / (1 - np.exp(-(X @ w + b)))\n"
        "    return (a - y) / len(y)",
        "wrong-sigmoid",
    ),
    # Numbers: a prediction, and a gradient entry by hand
    ("ex-losses-predict-initial-loss", "predicted_loss = 0", "zero"),
    ("ex-losses-predict-initial-loss", "predicted_loss = 0.1", "probability"),
    ("ex-losses-predict-initial-loss", "predicted_loss = np.log10(10)", "log10"),
    ("ex-losses-predict-initial-loss", "predicted_loss = np.log2(10)", "log2"),
    ("ex-losses-predict-initial-loss", "predicted_loss = 0.9", "error-rate"),
    ("ex-losses-predict-initial-loss", "predicted_loss = 10", "far-off"),
    ("ex-losses-softmax-grad-entry", "dL_ds1 = 0.2312 - 1", "one-subtracted"),
    ("ex-losses-softmax-grad-entry", "dL_ds1 = 0.6285 - 1", "label-entry"),
    ("ex-losses-softmax-grad-entry", "dL_ds1 = np.exp(1)", "unnormalised"),
    ("ex-losses-softmax-grad-entry", "dL_ds1 = 1 / 3", "uniform"),
    ("ex-losses-softmax-grad-entry", "dL_ds1 = np.log(0.2312)", "log-probability"),
    ("ex-losses-softmax-grad-entry", "dL_ds1 = -0.2312", "sign-flipped"),
    ("ex-losses-softmax-grad-entry", "dL_ds1 = 0.5", "wrong-number"),
]


@pytest.mark.parametrize("label, code, diagnosis", WRONG_ANSWERS)
def test_typical_wrong_answer_gets_its_diagnosis(label, code, diagnosis):
    BOOK.assert_diagnosis(label, code, diagnosis)


@pytest.mark.parametrize(
    "label, code",
    [
        (
            "ex-losses-two-class",
            two("    return np.column_stack([-w / 2, w / 2]), np.array([-b / 2, b / 2])"),
        ),
        (
            "ex-losses-two-class",
            two("    return np.column_stack([w - 3, 2 * w - 3]), np.array([1.0, 1.0 + b])"),
        ),
        (
            # Computing in float64 whatever p's dtype: a fixed margin is then enough.
            "ex-losses-bce",
            bce("    p = np.clip(np.asarray(p, dtype=float), 1e-12, 1 - 1e-12)\n" + BCE_BODY),
        ),
        (
            "ex-losses-bce",
            bce("    p = np.clip(p, 1e-7, 1 - 1e-7)\n" + BCE_BODY),
        ),
        (
            "ex-losses-hinge",
            hinge("    return sum(max(0, s[j] - s[y] + 1) for j in range(len(s)) if j != y)"),
        ),
        (
            # The squared error divided by 2σ², plus k constants per example.
            "ex-losses-gaussian-nll",
            "def gaussian_nll(y_hat, y, sigma):\n"
            "    k = 1 if np.ndim(y) == 1 else np.shape(y)[1]\n"
            "    sq = np.sum((y - y_hat) ** 2) / len(y)\n"
            "    return sq / (2 * sigma**2) + k * (0.5 * np.log(2 * np.pi) + np.log(sigma))",
        ),
    ],
)
def test_other_right_answers_pass_too(label, code):
    feedback = BOOK.run(label, code)
    assert feedback.passed, str(feedback)


@pytest.mark.parametrize(
    "answer",
    [
        *JUNK_ANSWERS,
        np.zeros((2, 2)),
        lambda *a: ("W", np.zeros(2)),
        lambda *a: {"loss": 1.0},
    ],
)
def test_nothing_a_student_passes_makes_a_checker_raise(answer):
    for func in (
        check.binary_cross_entropy,
        check.softmax_cross_entropy,
        check.logistic_grad_z,
        check.multiclass_hinge_one,
        check.logistic_as_softmax,
        check.gaussian_nll,
        check.initial_loss_prediction,
        check.softmax_gradient_entry,
    ):
        assert_rejected_calmly(func(answer))
