"""The training-recipe exercise checkers: each typical mistake gets its own diagnosis, and no
junk answer makes a checker raise. (That every reference solution passes and every stub
is rejected: test_exercise_contract.py.)"""

import numpy as np
import pytest
from exercise_harness import JUNK_ANSWERS, assert_rejected_calmly, exercise_notebook

from nnlib.checks import training_recipe as check

BOOK = exercise_notebook("10_training_recipe")

RATIOS = (
    "def update_ratios(params_before, params_after):\n"
    "    ratios = []\n"
    "    for before, after in zip(params_before, params_after):\n"
    "        W0, W1, b0, b1 = before['W'], after['W'], before['b'], after['b']\n"
    "        ratios.append({})\n"
    "    return ratios"
)


def ratios(formula):
    return RATIOS.format(formula)


RATE = "def suggest_rate(rates, losses):\n{}"


def rate(body):
    return RATE.format(body)


BASELINE = (
    "def baseline_loss(labels, n_classes):\n"
    "    f = np.bincount(labels, minlength=n_classes) / len(labels)\n"
    "{}"
)


def baseline(body):
    return BASELINE.format(body)


WHICH = (
    "def which_bug(initial_loss, n_classes, ratios):\n"
    "    if initial_loss > 1.5 * {baseline}:\n"
    "        return 'initialisation'\n"
    "    if {first} > 0.1:\n"
    "        return 'learning rate'\n"
    "    if {growth}(ratios[10:50]) > 3 * {first}:\n"
    "        return 'zero_grad'\n"
    "    return {healthy}"
)


def which(baseline="np.log(n_classes)", first="ratios[0]", growth="np.median", healthy="'healthy'"):
    return WHICH.format(baseline=baseline, first=first, growth=growth, healthy=healthy)


WRONG_ANSWERS = [
    # 1. The loss of a network that knows nothing
    ("ex-recipe-baseline-loss", baseline("    return -np.sum(f * np.log(f))"), "empty-class"),
    (
        "ex-recipe-baseline-loss",
        baseline("    f = f[f > 0]\n    return -np.sum(f * np.log10(f))"),
        "log10",
    ),
    (
        "ex-recipe-baseline-loss",
        baseline("    f = f[f > 0]\n    return -np.sum(f * np.log2(f))"),
        "log2",
    ),
    (
        "ex-recipe-baseline-loss",
        baseline("    f = f[f > 0]\n    return np.sum(f * np.log(f))"),
        "sign",
    ),
    ("ex-recipe-baseline-loss", baseline("    return np.log(n_classes)"), "ln-k"),
    (
        "ex-recipe-baseline-loss",
        baseline("    f = f[f > 0]\n    return -len(labels) * np.sum(f * np.log(f))"),
        "summed-not-averaged",
    ),
    (
        "ex-recipe-baseline-loss",
        baseline("    f = f[f > 0]\n    return -np.sum(f * np.log(f)) / n_classes"),
        "mean-over-classes",
    ),
    (
        "ex-recipe-baseline-loss",
        baseline(
            "    n = np.bincount(labels, minlength=n_classes)\n"
            "    keep = n > 0\n"
            "    return -np.sum(f[keep] * np.log(n[keep]))"
        ),
        "counts-in-log",
    ),
    ("ex-recipe-baseline-loss", baseline("    return 'ln k'"), "wrong-type"),
    ("ex-recipe-baseline-loss", baseline("    return np.nan_to_num(f)"), "wrong-type"),
    (
        "ex-recipe-baseline-loss",
        baseline("    f = f[f > 0]\n    return -np.sum(np.log(f)) / len(f)"),
        "wrong-loss",
    ),
    (
        "ex-recipe-baseline-loss",
        "def baseline_loss(labels, n_classes):\n"
        "    labels.sort()\n"
        "    f = np.bincount(labels, minlength=n_classes) / len(labels)\n"
        "    f = f[f > 0]\n"
        "    return -np.sum(f * np.log(f))",
        "changed-input",
    ),
    # 3. The update-to-weight ratio
    (
        "ex-recipe-update-ratios",
        ratios("np.linalg.norm(W1 - W0) / np.linalg.norm(W1)"),
        "divided-by-new-weights",
    ),
    (
        "ex-recipe-update-ratios",
        ratios("np.sum((W1 - W0) ** 2) / np.sum(W0 ** 2)"),
        "squared-norms",
    ),
    (
        "ex-recipe-update-ratios",
        ratios("np.linalg.norm(W1 - W0) ** 2 / np.linalg.norm(W0) ** 2"),
        "squared-norms",
    ),
    ("ex-recipe-update-ratios", ratios("np.mean(np.abs((W1 - W0) / W0))"), "elementwise-ratio"),
    ("ex-recipe-update-ratios", ratios("np.mean((W1 - W0) / W0)"), "elementwise-ratio"),
    (
        "ex-recipe-update-ratios",
        ratios(
            "np.linalg.norm(np.concatenate([(W1 - W0).ravel(), b1 - b0]))"
            " / np.linalg.norm(np.concatenate([W0.ravel(), b0]))"
        ),
        "included-biases",
    ),
    (
        "ex-recipe-update-ratios",
        ratios(
            "np.linalg.norm(W1 - W0) / np.linalg.norm(W0)"
            " + np.linalg.norm(b1 - b0) / np.linalg.norm(b0)"
        ),
        "bias-ratio",
    ),
    (
        "ex-recipe-update-ratios",
        "def update_ratios(params_before, params_after):\n"
        "    out = []\n"
        "    for before, after in zip(params_before, params_after):\n"
        "        for key in ('W', 'b'):\n"
        "            step = np.linalg.norm(after[key] - before[key])\n"
        "            out.append(step / max(np.linalg.norm(before[key]), 1e-12))\n"
        "    return out",
        "two-per-layer",
    ),
    ("ex-recipe-update-ratios", ratios("np.linalg.norm(W0) / np.linalg.norm(W1 - W0)"), "inverted"),
    (
        "ex-recipe-update-ratios",
        ratios("np.linalg.norm(W1) / np.linalg.norm(W0)"),
        "ratio-of-norms",
    ),
    (
        "ex-recipe-update-ratios",
        ratios("(np.linalg.norm(W1) - np.linalg.norm(W0)) / np.linalg.norm(W0)"),
        "difference-of-norms",
    ),
    ("ex-recipe-update-ratios", ratios("np.linalg.norm(W1 - W0)"), "not-divided"),
    (
        "ex-recipe-update-ratios",
        ratios("np.linalg.norm(W1 - W0, 2) / np.linalg.norm(W0, 2)"),
        "spectral-norm",
    ),
    ("ex-recipe-update-ratios", ratios("np.std(W1 - W0) / np.std(W0)"), "standard-deviations"),
    (
        "ex-recipe-update-ratios",
        ratios("np.abs(W1 - W0).max() / np.abs(W0).max()"),
        "largest-entries",
    ),
    (
        "ex-recipe-update-ratios",
        ratios("np.abs(W1 - W0).sum() / np.abs(W0).sum()"),
        "absolute-sums",
    ),
    (
        "ex-recipe-update-ratios",
        "def update_ratios(params_before, params_after):\n"
        "    step = sum(np.sum((a['W'] - b['W']) ** 2)"
        " for b, a in zip(params_before, params_after))\n"
        "    size = sum(np.sum(b['W'] ** 2) for b in params_before)\n"
        "    return float(np.sqrt(step / size))",
        "whole-network",
    ),
    (
        "ex-recipe-update-ratios",
        "def update_ratios(params_before, params_after):\n"
        "    return np.linalg.norm(params_after[0]['W'] - params_before[0]['W'])",
        "one-number",
    ),
    (
        "ex-recipe-update-ratios",
        "def update_ratios(params_before, params_after):\n"
        "    b, a = params_before[-1], params_after[-1]\n"
        "    return [np.linalg.norm(a['W'] - b['W']) / np.linalg.norm(b['W'])]",
        "wrong-length",
    ),
    (
        "ex-recipe-update-ratios",
        "def update_ratios(params_before, params_after):\n"
        "    out = []\n"
        "    for before, after in zip(params_before, params_after):\n"
        "        after['W'] -= before['W']\n"
        "        out.append(np.linalg.norm(after['W']) / np.linalg.norm(before['W']))\n"
        "    return out",
        "changed-input",
    ),
    (
        "ex-recipe-update-ratios",
        ratios("np.linalg.norm(W1 - W0, axis=0) / np.linalg.norm(W0, axis=0)"),
        "wrong-type",
    ),
    ("ex-recipe-update-ratios", ratios("0.001"), "wrong-ratio"),
    # 2. Reading a learning-rate range test
    ("ex-recipe-range-test", rate("    return rates[np.argmin(losses)] / 10"), "nan-picked"),
    (
        "ex-recipe-range-test",
        rate("    return 0.1 * rates[losses.argmin()]"),
        "nan-picked",
    ),
    ("ex-recipe-range-test", rate("    return rates[np.nanargmin(losses)]"), "no-tenth"),
    ("ex-recipe-range-test", rate("    return rates[np.nanargmin(losses)] * 10"), "ten-times"),
    ("ex-recipe-range-test", rate("    return int(np.nanargmin(losses))"), "returned-index"),
    ("ex-recipe-range-test", rate("    return np.nanargmin(losses) / 10"), "returned-index"),
    ("ex-recipe-range-test", rate("    return np.nanmin(losses) / 10"), "returned-loss"),
    ("ex-recipe-range-test", rate("    return np.nanmin(losses)"), "returned-loss"),
    ("ex-recipe-range-test", rate("    return np.min(rates) / 10"), "smallest-rate"),
    ("ex-recipe-range-test", rate("    return rates[-1] / 10"), "last-rate"),
    ("ex-recipe-range-test", rate("    return rates[np.nanargmax(losses)] / 10"), "highest-loss"),
    (
        "ex-recipe-range-test",
        rate("    return float(f'{rates[np.nanargmin(losses)] / 10:.1g}')"),
        "rounded",
    ),
    (
        "ex-recipe-range-test",
        rate("    losses[np.isnan(losses)] = np.inf\n    return rates[np.argmin(losses)] / 10"),
        "changed-input",
    ),
    ("ex-recipe-range-test", rate("    return rates / 10"), "wrong-type"),
    ("ex-recipe-range-test", rate("    return np.nan"), "not-finite"),
    ("ex-recipe-range-test", rate("    return rates[np.nanargmin(losses) + 1] / 10"), "wrong-rate"),
    # 4. Which bug is this?
    ("ex-recipe-which-bug", which(baseline="np.log10(n_classes)"), "log10"),
    ("ex-recipe-which-bug", which(baseline="np.log(10)"), "ten-classes"),
    ("ex-recipe-which-bug", which(baseline="n_classes"), "no-log"),
    ("ex-recipe-which-bug", which(baseline="(1 / n_classes)"), "no-log"),
    (
        "ex-recipe-which-bug",
        "def which_bug(initial_loss, n_classes, ratios):\n"
        "    if ratios[0] > 0.1:\n"
        "        return 'learning rate'\n"
        "    if initial_loss > 1.5 * np.log(n_classes):\n"
        "        return 'initialisation'\n"
        "    if np.median(ratios[10:50]) > 3 * ratios[0]:\n"
        "        return 'zero_grad'\n"
        "    return 'healthy'",
        "rate-first",
    ),
    ("ex-recipe-which-bug", which(growth="np.mean"), "mean-not-median"),
    ("ex-recipe-which-bug", which(first="np.max(ratios)"), "largest-ratio"),
    ("ex-recipe-which-bug", which(healthy="'ok'"), "unknown-label"),
    ("ex-recipe-which-bug", which(healthy="'Healthy'"), "unknown-label"),
    ("ex-recipe-which-bug", which(healthy="0"), "wrong-type"),
    ("ex-recipe-which-bug", which(first="ratios[1]"), "wrong-diagnosis"),
    (
        "ex-recipe-which-bug",
        "def which_bug(initial_loss, n_classes, ratios):\n"
        "    ratios /= ratios[0]\n"
        "    return 'healthy'",
        "changed-input",
    ),
    ("ex-recipe-range-factor", "rate_factor = 1e5 ** (1 / 51)", "fencepost"),
    ("ex-recipe-range-factor", "rate_factor = (10 - 1e-4) / 50", "additive-step"),
    ("ex-recipe-range-factor", "rate_factor = 1e5 / 50", "ratio-over-steps"),
    ("ex-recipe-range-factor", "rate_factor = 0.1", "decades-per-step"),
    ("ex-recipe-range-factor", "rate_factor = 2", "wrong-number"),
    ("ex-recipe-predict-baseline", "predicted_accuracy = 0", "zero"),
    ("ex-recipe-predict-baseline", "predicted_accuracy = 0.5", "coin"),
    ("ex-recipe-predict-baseline", "predicted_accuracy = 0.9", "error-rate"),
    ("ex-recipe-predict-baseline", "predicted_accuracy = 0.3", "far-off"),
]


@pytest.mark.parametrize("label, code, diagnosis", WRONG_ANSWERS)
def test_typical_wrong_answer_gets_its_diagnosis(label, code, diagnosis):
    BOOK.assert_diagnosis(label, code, diagnosis)


@pytest.mark.parametrize(
    "answer",
    [
        *JUNK_ANSWERS,
        lambda *a: [np.nan, np.inf, 1.0],
        lambda *a: [{"W": 1}, {"W": 2}, {"W": 3}],
        lambda *a: ["a", "b", "c"],
        lambda *a: np.zeros((3, 1)),
        lambda *a: [1e308 * 10, 1.0, 1.0],
        lambda *a: {"rate": 0.01},
        lambda *a: "zero grad",
        lambda *a: b"healthy",
    ],
)
def test_nothing_a_student_passes_makes_a_checker_raise(answer):
    for feedback in (
        check.baseline_loss(answer),
        check.suggest_rate(answer),
        check.update_ratios(answer),
        check.which_bug(answer),
    ):
        assert_rejected_calmly(feedback)


def test_answers_in_other_forms_are_accepted():
    # A NumPy array of ratios, or np.float64 entries, is as good as a list of floats;
    # a rate may come back as np.float64.
    for code in (
        "def update_ratios(params_before, params_after):\n"
        "    return np.array([np.linalg.norm(a['W'] - b['W']) / np.linalg.norm(b['W'])\n"
        "                     for b, a in zip(params_before, params_after)])",
        "def update_ratios(params_before, params_after):\n"
        "    return tuple(np.sqrt(np.sum((a['W'] - b['W']) ** 2) / np.sum(b['W'] ** 2))\n"
        "                 for b, a in zip(params_before, params_after))",
    ):
        feedback = BOOK.run("ex-recipe-update-ratios", code)
        assert feedback.passed, str(feedback)
    feedback = BOOK.run(
        "ex-recipe-range-test",
        rate(
            "    finite = np.where(np.isnan(losses), np.inf, losses)\n"
            "    return rates[np.argmin(finite)] / 10"
        ),
    )
    assert feedback.passed, str(feedback)
