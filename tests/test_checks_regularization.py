"""The regularisation exercise checkers: each typical mistake gets its own diagnosis, and no
junk answer makes a checker raise. (That every reference solution passes and every stub
is rejected: test_exercise_contract.py.)"""

import numpy as np
import pytest
from exercise_harness import JUNK_ANSWERS, assert_rejected_calmly, exercise_notebook

from nnlib.checks import regularization as check

BOOK = exercise_notebook("09_regularization")


def l2(penalty, grad_w, grad_b="np.zeros_like(layer['b'])"):
    return (
        "def l2_penalty_and_grads(params, lam):\n"
        f"    penalty = {penalty}\n"
        f"    grads = [{{'W': {grad_w}, 'b': {grad_b}}} for layer in params]\n"
        "    return penalty, grads"
    )


RIGHT_PENALTY = "lam * sum(np.sum(layer['W'] ** 2) for layer in params)"
RIGHT_GRAD = "2 * lam * layer['W']"


def dropout(training_body, eval_body="A"):
    return (
        "def inverted_dropout(A, p, u, training):\n"
        "    if not training:\n"
        f"        return {eval_body}\n"
        f"    return {training_body}"
    )


RIGHT_DROPOUT = "A * (u >= p) / (1 - p)"
MAXNORM = "def max_norm_project(W, c):\n{}"
EARLY = "def early_stopping_epoch(train_losses, val_losses, patience):\n{}"
PATIENT_LOOP = """\
    best_epoch, best = 0, float('inf')
    for epoch, loss in enumerate({losses}, start=1):
        if loss < best:
            best_epoch, best = epoch, loss
        elif epoch - best_epoch >= {patience}:
            {stop}
    return {result}
"""


def early(losses="val_losses", patience="patience", stop="break", result="best_epoch"):
    return EARLY.format(
        PATIENT_LOOP.format(losses=losses, patience=patience, stop=stop, result=result)
    )


BN = "def batchnorm(Z, gamma, beta, eps=1e-5):\n{}"
WRONG_ANSWERS = [
    # 1. The L2 penalty and its gradient
    (
        "ex-regularization-l2",
        l2(
            "lam * sum(np.sum(layer['W'] ** 2) + np.sum(layer['b'] ** 2) for layer in params)",
            RIGHT_GRAD,
            "2 * lam * layer['b']",
        ),
        "penalised-bias",
    ),
    ("ex-regularization-l2", l2(RIGHT_PENALTY, RIGHT_GRAD, "2 * lam * layer['b']"), "decayed-bias"),
    ("ex-regularization-l2", l2(RIGHT_PENALTY, "lam * layer['W']"), "missing-factor-2"),
    ("ex-regularization-l2", l2(RIGHT_PENALTY, "-2 * lam * layer['W']"), "gradient-sign"),
    ("ex-regularization-l2", l2(RIGHT_PENALTY, "4 * lam * layer['W']"), "stray-factor"),
    ("ex-regularization-l2", l2(RIGHT_PENALTY, "2 * layer['W']"), "gradient-missing-lambda"),
    ("ex-regularization-l2", l2(RIGHT_PENALTY, "lam * layer['W'] ** 2"), "gradient-is-penalty"),
    ("ex-regularization-l2", l2("lam / 2 * " + RIGHT_PENALTY[6:], RIGHT_GRAD), "half-penalty"),
    ("ex-regularization-l2", l2("2 * " + RIGHT_PENALTY, RIGHT_GRAD), "double-penalty"),
    ("ex-regularization-l2", l2(RIGHT_PENALTY[6:], RIGHT_GRAD), "missing-lambda"),
    (
        "ex-regularization-l2",
        l2("lam * np.sum(params[-1]['W'] ** 2)", RIGHT_GRAD),
        "last-layer-only",
    ),
    (
        "ex-regularization-l2",
        l2("lam * np.sum(params[0]['W'] ** 2)", RIGHT_GRAD),
        "first-layer-only",
    ),
    (
        "ex-regularization-l2",
        l2("lam * sum(np.sum(layer['W']) for layer in params)", RIGHT_GRAD),
        "not-squared",
    ),
    (
        "ex-regularization-l2",
        l2("lam * sum(np.sum(np.abs(layer['W'])) for layer in params)", RIGHT_GRAD),
        "absolute-values",
    ),
    (
        "ex-regularization-l2",
        l2("lam * sum(np.mean(layer['W'] ** 2) for layer in params)", RIGHT_GRAD),
        "mean-not-sum",
    ),
    (
        "ex-regularization-l2",
        l2("lam * sum(np.linalg.norm(layer['W']) for layer in params)", RIGHT_GRAD),
        "norm-not-squared",
    ),
    ("ex-regularization-l2", l2(RIGHT_PENALTY, RIGHT_GRAD, "0.0"), "bias-grad-shape"),
    (
        "ex-regularization-l2",
        "def l2_penalty_and_grads(params, lam):\n"
        "    for layer in params:\n"
        "        layer['W'] *= 1.0 - lam\n"
        "    return 0.0, []",
        "changed-input",
    ),
    (
        "ex-regularization-l2",
        "def l2_penalty_and_grads(params, lam):\n    return 1.0",
        "not-a-pair",
    ),
    # 2. Inverted dropout
    ("ex-regularization-dropout", dropout("A * (u >= p)"), "not-scaled"),
    ("ex-regularization-dropout", dropout("A * (u >= p) * p"), "scaled-by-p"),
    ("ex-regularization-dropout", dropout("A * (u >= p) / p"), "scaled-by-1-over-p"),
    ("ex-regularization-dropout", dropout("A * (u >= p) * (1 - p)"), "scaled-by-keep"),
    ("ex-regularization-dropout", dropout("A * (u < p) / (1 - p)"), "drops-1-minus-p"),
    ("ex-regularization-dropout", dropout("A * (u < p) / p"), "drops-1-minus-p-scaled-by-p"),
    ("ex-regularization-dropout", dropout("(u >= p) / (1 - p)"), "returned-mask"),
    ("ex-regularization-dropout", dropout(RIGHT_DROPOUT, "A / (1 - p)"), "scaled-in-evaluation"),
    ("ex-regularization-dropout", dropout(RIGHT_DROPOUT, "A * (1 - p)"), "scaled-in-evaluation"),
    ("ex-regularization-dropout", dropout(RIGHT_DROPOUT, RIGHT_DROPOUT), "dropped-in-evaluation"),
    ("ex-regularization-dropout", dropout(RIGHT_DROPOUT, "A * (u >= p)"), "dropped-in-evaluation"),
    ("ex-regularization-dropout", dropout(RIGHT_DROPOUT, "0 * A"), "wrong-evaluation"),
    (
        "ex-regularization-dropout",
        dropout("(A * (u >= p) / (1 - p), (u >= p) / (1 - p))"),
        "returned-pair",
    ),
    ("ex-regularization-dropout", dropout("(A * (u >= p)).ravel()"), "wrong-shape"),
    # 3. Max-norm
    (
        "ex-regularization-max-norm",
        MAXNORM.format(
            "    return W * np.minimum(1, c / np.linalg.norm(W, axis=1, keepdims=True))"
        ),
        "rows-not-columns",
    ),
    (
        "ex-regularization-max-norm",
        MAXNORM.format("    return W * c / np.linalg.norm(W, axis=0)"),
        "every-column-to-c",
    ),
    (
        "ex-regularization-max-norm",
        MAXNORM.format(
            "    norms = np.linalg.norm(W, axis=0)\n    return np.where(norms > c, W / norms, W)"
        ),
        "unit-norm",
    ),
    (
        "ex-regularization-max-norm",
        MAXNORM.format("    return W / np.linalg.norm(W, axis=0)"),
        "every-column-to-1",
    ),
    (
        "ex-regularization-max-norm",
        MAXNORM.format("    return np.clip(W, -c, c)"),
        "clipped-entries",
    ),
    (
        "ex-regularization-max-norm",
        MAXNORM.format("    return W * np.minimum(1, c / np.sum(W**2, axis=0))"),
        "squared-norm",
    ),
    (
        "ex-regularization-max-norm",
        MAXNORM.format("    return W * min(1, c / np.linalg.norm(W))"),
        "whole-matrix-norm",
    ),
    (
        "ex-regularization-max-norm",
        MAXNORM.format("    W *= np.minimum(1, c / np.linalg.norm(W, axis=0))\n    return W"),
        "changed-input",
    ),
    # 4. Early stopping
    ("ex-regularization-early-stopping", early(result="best_epoch - 1"), "zero-based"),
    (
        "ex-regularization-early-stopping",
        early().replace("if loss < best:", "if loss <= best:"),
        "not-strict",
    ),
    (
        "ex-regularization-early-stopping",
        EARLY.format("    return int(np.argmin(val_losses)) + 1"),
        "ignores-patience",
    ),
    (
        "ex-regularization-early-stopping",
        EARLY.format("    return int(np.argmin(val_losses))"),
        "ignores-patience-zero-based",
    ),
    ("ex-regularization-early-stopping", early(stop="return epoch"), "stop-epoch"),
    (
        "ex-regularization-early-stopping",
        EARLY.format("    return len(val_losses)"),
        "last-epoch",
    ),
    ("ex-regularization-early-stopping", early(losses="train_losses"), "training-loss"),
    (
        "ex-regularization-early-stopping",
        EARLY.format("    return int(np.argmin(train_losses)) + 1"),
        "training-loss-argmin",
    ),
    ("ex-regularization-early-stopping", early(patience="patience - 1"), "stops-too-early"),
    ("ex-regularization-early-stopping", early(patience="patience + 1"), "stops-too-late"),
    (
        "ex-regularization-early-stopping",
        EARLY.format("    return min(val_losses)"),
        "not-an-epoch",
    ),
    ("ex-regularization-early-stopping", EARLY.format("    return 'epoch 3'"), "wrong-type"),
    # 5. Batch normalisation
    (
        "ex-regularization-batchnorm",
        BN.format(
            "    mu, var = Z.mean(axis=1, keepdims=True), Z.var(axis=1, keepdims=True)\n"
            "    return gamma * (Z - mu) / np.sqrt(var + eps) + beta"
        ),
        "over-features",
    ),
    (
        "ex-regularization-batchnorm",
        BN.format("    return (Z - Z.mean(axis=0)) / np.sqrt(Z.var(axis=0) + eps)"),
        "no-gamma-beta",
    ),
    (
        "ex-regularization-batchnorm",
        BN.format("    return beta * (Z - Z.mean(axis=0)) / np.sqrt(Z.var(axis=0) + eps) + gamma"),
        "gamma-beta-swapped",
    ),
    (
        "ex-regularization-batchnorm",
        BN.format("    return gamma * (Z - Z.mean(axis=0)) / Z.std(axis=0) + beta"),
        "missing-eps",
    ),
    (
        "ex-regularization-batchnorm",
        BN.format("    return gamma * (Z - Z.mean(axis=0)) / (Z.std(axis=0) + eps) + beta"),
        "eps-outside-sqrt",
    ),
    (
        "ex-regularization-batchnorm",
        BN.format(
            "    return gamma * (Z - Z.mean(axis=0)) / np.sqrt(Z.var(axis=0, ddof=1) + eps) + beta"
        ),
        "unbiased-variance",
    ),
    (
        "ex-regularization-batchnorm",
        BN.format("    return gamma * Z / np.sqrt(Z.var(axis=0) + eps) + beta"),
        "not-centred",
    ),
    (
        "ex-regularization-batchnorm",
        BN.format("    return gamma * (Z - Z.mean()) / np.sqrt(Z.var() + eps) + beta"),
        "whole-batch-statistics",
    ),
    (
        "ex-regularization-batchnorm",
        BN.format(
            "    Z -= Z.mean(axis=0)\n    return gamma * Z / np.sqrt(Z.var(axis=0) + eps) + beta"
        ),
        "changed-input",
    ),
    # Found by the relations and probes shared by the checkers (issue 19).
    (
        "ex-regularization-batchnorm",
        BN.format("    return gamma * (Z - Z.mean()) / np.sqrt(Z.var(axis=0) + eps) + beta"),
        "not-centred",
    ),
    (
        "ex-regularization-batchnorm",
        BN.format("    return gamma * (Z - Z.mean(axis=0)) / np.sqrt(Z.var() + eps) + beta"),
        "not-unit-variance",
    ),
    ("ex-regularization-dropout", dropout("A / (1 - p)"), "not-masked"),
    ("ex-regularization-dropout", dropout("A * (u >= p) / (1 + p)"), "divided-by-1-plus-p"),
    (
        "ex-regularization-max-norm",
        MAXNORM.format(
            "    return W * np.maximum(1, c / np.linalg.norm(W, axis=0, keepdims=True))"
        ),
        "max-not-min",
    ),
    (
        "ex-regularization-max-norm",
        MAXNORM.format(
            "    rms = np.sqrt(np.mean(W**2, axis=0, keepdims=True))\n"
            "    return W * np.minimum(1, c / rms)"
        ),
        "mean-not-sum",
    ),
    ("ex-regularization-dropout-scale", "kept_scale = 0.8", "keep-probability"),
    ("ex-regularization-dropout-scale", "kept_scale = 1 / 0.2", "one-over-p"),
    ("ex-regularization-dropout-scale", "kept_scale = 0.2", "drop-probability"),
    ("ex-regularization-dropout-scale", "kept_scale = 1.2", "one-plus-p"),
    ("ex-regularization-dropout-scale", "kept_scale = 2", "wrong-number"),
    ("ex-regularization-predict-decay", "predicted_weight = 0.95**10", "half-penalty"),
    ("ex-regularization-predict-decay", "predicted_weight = 0.9", "one-step"),
    ("ex-regularization-predict-decay", "predicted_weight = 1", "no-change"),
    ("ex-regularization-predict-decay", "predicted_weight = 0", "linear-decay"),
    ("ex-regularization-predict-decay", "predicted_weight = 0.01", "far-off"),
]


@pytest.mark.parametrize("label, code, diagnosis", WRONG_ANSWERS)
def test_typical_wrong_answer_gets_its_diagnosis(label, code, diagnosis):
    BOOK.assert_diagnosis(label, code, diagnosis)


@pytest.mark.parametrize(
    "answer",
    [
        *JUNK_ANSWERS,
        lambda *a: (np.nan, [{"W": "w", "b": None}]),
        lambda *a: (1.0, [{"W": np.zeros(2)}]),
        lambda *a: np.full((6, 3), np.nan),
        lambda *a: {"W": 1},
    ],
)
def test_nothing_a_student_passes_makes_a_checker_raise(answer):
    for feedback in (
        check.l2_penalty_and_grads(answer),
        check.inverted_dropout(answer),
        check.max_norm_project(answer),
        check.early_stopping_epoch(answer),
        check.batchnorm(answer),
    ):
        assert_rejected_calmly(feedback)


def test_dropout_done_in_place_is_right():
    # Dropping and scaling the given A in place returns the right array; the checker must
    # judge it against the untouched A, not call it "not scaled".
    code = (
        "def inverted_dropout(A, p, u, training):\n"
        "    if not training:\n        return A\n"
        "    A[u < p] = 0\n    A /= 1 - p\n    return A"
    )
    feedback = BOOK.run("ex-regularization-dropout", code)
    assert feedback.passed, str(feedback)
