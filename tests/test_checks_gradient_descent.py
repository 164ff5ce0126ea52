"""The gradient-descent exercise checkers: each typical mistake gets its own diagnosis, and
no junk answer makes a checker raise. (That every reference solution passes and every
stub is rejected: test_exercise_contract.py.)"""

import pytest
from exercise_harness import JUNK_ANSWERS, assert_rejected_calmly, exercise_notebook

from nnlib.checks import gradient_descent as check

BOOK = exercise_notebook("06_gradient_descent")


STEP = (
    "def line_step(w, b, x, y, lr):\n"
    "    r = x * w + b - y\n"
    "    dw, db = {dw}, {db}\n"
    "    return {ret}"
)


def step(dw="np.mean(2 * r * x)", db="np.mean(2 * r)", ret="w - lr * dw, b - lr * db"):
    return STEP.format(dw=dw, db=db, ret=ret)


CHAIN = "def chain_rule_derivative(x):\n    return {}"
MAX_LR = "def largest_stable_lr(a):\n    return {}"
BATCHES = "def minibatches(m, batch_size, seed):\n{}"
SHUFFLED = "    order = np.random.default_rng(seed).permutation(m)\n"

WRONG_ANSWERS = [
    # 1. one step for a line
    ("ex-gradient-descent-line-step", step(ret="w + lr * dw, b + lr * db"), "ascent"),
    (
        "ex-gradient-descent-line-step",
        step(dw="np.mean(r * x)", db="np.mean(r)"),
        "missing-factor-2",
    ),
    ("ex-gradient-descent-line-step", step(dw="np.sum(2 * r * x)", db="np.sum(2 * r)"), "summed"),
    ("ex-gradient-descent-line-step", step(ret="w - lr * dw, b"), "b-not-updated"),
    ("ex-gradient-descent-line-step", step(ret="w - lr * dw, b - lr * dw"), "b-with-w-gradient"),
    ("ex-gradient-descent-line-step", step(dw="np.mean(2 * r)"), "w-gradient-missing-x"),
    ("ex-gradient-descent-line-step", step(ret="w, b - lr * db"), "w-not-updated"),
    ("ex-gradient-descent-line-step", step(ret="w - lr * dw, b + lr * db"), "ascent"),
    ("ex-gradient-descent-line-step", step(ret="dw, db"), "returned-gradient"),
    ("ex-gradient-descent-line-step", step(dw="2 * r * x"), "per-example"),
    (
        "ex-gradient-descent-line-step",
        "def line_step(w, b, x, y, lr):\n"
        "    w = w - lr * np.mean(2 * (x * w + b - y) * x)\n"
        "    b = b - lr * np.mean(2 * (x * w + b - y))\n"
        "    return w, b",
        "b-after-new-w",
    ),
    ("ex-gradient-descent-line-step", step(ret="w - lr * dw"), "not-a-pair"),
    # 2. the chain rule
    (
        "ex-gradient-descent-chain-rule",
        CHAIN.format("np.exp(np.sin(x**2)) * np.cos(x**2)"),
        "missing-2x",
    ),
    (
        "ex-gradient-descent-chain-rule",
        CHAIN.format("np.exp(np.sin(x**2)) * np.cos(x**2) * x"),
        "missing-factor-2",
    ),
    ("ex-gradient-descent-chain-rule", CHAIN.format("np.exp(np.sin(x**2)) * 2 * x"), "missing-cos"),
    (
        "ex-gradient-descent-chain-rule",
        CHAIN.format("np.exp(np.sin(x**2)) * np.sin(x**2) * 2 * x"),
        "sin-instead-of-cos",
    ),
    (
        "ex-gradient-descent-chain-rule",
        CHAIN.format("-np.exp(np.sin(x**2)) * np.cos(x**2) * 2 * x"),
        "sign-error",
    ),
    (
        "ex-gradient-descent-chain-rule",
        CHAIN.format("np.exp(np.sin(x**2)) * np.cos(x) * 2 * x"),
        "cos-of-x",
    ),
    ("ex-gradient-descent-chain-rule", CHAIN.format("np.cos(x**2) * 2 * x"), "missing-exp"),
    ("ex-gradient-descent-chain-rule", CHAIN.format("np.exp(np.sin(x**2))"), "returned-function"),
    (
        "ex-gradient-descent-chain-rule",
        CHAIN.format("np.exp(np.cos(x**2)) * 2 * x"),
        "wrong-values",
    ),
    ("ex-gradient-descent-chain-rule", CHAIN.format("[1.0, 2.0]"), "not-a-number"),
    # 3. the largest stable learning rate
    ("ex-gradient-descent-max-lr", MAX_LR.format("2 / a"), "used-a-as-curvature"),
    ("ex-gradient-descent-max-lr", MAX_LR.format("1 / (2 * a)"), "one-step-rate"),
    ("ex-gradient-descent-max-lr", MAX_LR.format("2 * a"), "inverted"),
    ("ex-gradient-descent-max-lr", MAX_LR.format("-1 / a"), "not-positive"),
    ("ex-gradient-descent-max-lr", MAX_LR.format("0.0"), "not-positive"),
    ("ex-gradient-descent-max-lr", MAX_LR.format("1.5 / a"), "too-large"),
    ("ex-gradient-descent-max-lr", MAX_LR.format("1.005 / a"), "too-large"),
    ("ex-gradient-descent-max-lr", MAX_LR.format("0.1 / a"), "too-small"),
    # 4. a learning rate for the bowl
    ("ex-gradient-descent-bowl-lr", "lr = 0.25", "diverges"),
    ("ex-gradient-descent-bowl-lr", "lr = 0.2", "diverges"),
    ("ex-gradient-descent-bowl-lr", "lr = 0.195", "zig-zag-too-slow"),
    ("ex-gradient-descent-bowl-lr", "lr = 0.05", "too-slow"),
    ("ex-gradient-descent-bowl-lr", "lr = -0.1", "not-positive"),
    ("ex-gradient-descent-bowl-lr", "lr = '0.15'", "not-a-number"),
    # 5. the mini-batches of one epoch
    (
        "ex-gradient-descent-minibatches",
        BATCHES.format(
            SHUFFLED + "    return [order[s:s + batch_size] for s in range(0, m - batch_size + 1, "
            "batch_size)]"
        ),
        "dropped-last",
    ),
    (
        "ex-gradient-descent-minibatches",
        BATCHES.format(
            "    order = np.arange(m)\n"
            "    return [order[s:s + batch_size] for s in range(0, m, batch_size)]"
        ),
        "not-shuffled",
    ),
    (
        "ex-gradient-descent-minibatches",
        BATCHES.format(
            "    rng = np.random.default_rng(seed)\n"
            "    return [rng.integers(0, m, size=min(batch_size, m - s)) "
            "for s in range(0, m, batch_size)]"
        ),
        "repeats",
    ),
    (
        "ex-gradient-descent-minibatches",
        BATCHES.format(
            "    order = np.random.permutation(m)\n"
            "    return [order[s:s + batch_size] for s in range(0, m, batch_size)]"
        ),
        "not-seeded",
    ),
    (
        "ex-gradient-descent-minibatches",
        BATCHES.format(
            "    order = np.random.default_rng(0).permutation(m)\n"
            "    return [order[s:s + batch_size] for s in range(0, m, batch_size)]"
        ),
        "ignores-seed",
    ),
    (
        "ex-gradient-descent-minibatches",
        BATCHES.format(SHUFFLED + "    return np.array_split(order, int(np.ceil(m / batch_size)))"),
        "uneven-sizes",
    ),
    (
        "ex-gradient-descent-minibatches",
        BATCHES.format(
            SHUFFLED + "    return [order[s:s + batch_size] + 1 for s in range(0, m, batch_size)]"
        ),
        "out-of-range",
    ),
    (
        "ex-gradient-descent-minibatches",
        BATCHES.format(
            SHUFFLED + "    return [order[s:s + batch_size - 1] for s in range(0, m, batch_size)]"
        ),
        "misses",
    ),
    # Found by the relations and probes shared by the checkers (issue 19).
    ("ex-gradient-descent-line-step", step(ret="w - lr * dw, b - db"), "ignores-lr"),
    # Numbers
    ("ex-gradient-descent-step-by-hand", "w_after_one_step = -0.6", "ascent"),
    ("ex-gradient-descent-step-by-hand", "w_after_one_step = 0.3", "missing-factor-2"),
    ("ex-gradient-descent-step-by-hand", "w_after_one_step = 3", "jumped-to-minimum"),
    ("ex-gradient-descent-step-by-hand", "w_after_one_step = -6", "returned-gradient"),
    ("ex-gradient-descent-step-by-hand", "w_after_one_step = 0.06", "wrong-number"),
    ("ex-gradient-descent-predict-divergence", "predicted_distance = 0", "converges"),
    ("ex-gradient-descent-predict-divergence", "predicted_distance = 1", "oscillates"),
    ("ex-gradient-descent-predict-divergence", "predicted_distance = 1.1", "one-step"),
    ("ex-gradient-descent-predict-divergence", "predicted_distance = 3", "added-growth"),
    ("ex-gradient-descent-predict-divergence", "predicted_distance = 1e6", "far-off"),
]


@pytest.mark.parametrize("label, code, diagnosis", WRONG_ANSWERS)
def test_typical_wrong_answer_gets_its_diagnosis(label, code, diagnosis):
    BOOK.assert_diagnosis(label, code, diagnosis)


@pytest.mark.parametrize(
    "label, code",
    [
        (
            "ex-gradient-descent-line-step",
            "def line_step(w, b, x, y, lr):\n"
            "    m = len(x)\n"
            "    r = x * w + b - y\n"
            "    return w - lr * 2 * (r @ x) / m, b - lr * 2 * r.sum() / m",
        ),
        (
            "ex-gradient-descent-chain-rule",
            "import math\n"
            "def chain_rule_derivative(x):\n"
            "    return math.exp(math.sin(x * x)) * math.cos(x * x) * 2 * x",
        ),
        ("ex-gradient-descent-max-lr", MAX_LR.format("np.float64(1.0) / a")),
        ("ex-gradient-descent-bowl-lr", "lr = 0.15"),
        ("ex-gradient-descent-bowl-lr", "lr = np.float32(0.17)"),
        (
            "ex-gradient-descent-minibatches",
            BATCHES.format(
                "    order = np.arange(m)\n"
                "    np.random.default_rng(seed).shuffle(order)\n"
                "    return np.split(order, range(batch_size, m, batch_size))"
            ),
        ),
        (
            "ex-gradient-descent-minibatches",
            BATCHES.format(
                SHUFFLED + "    for s in range(0, m, batch_size):\n"
                "        yield order[s:s + batch_size].tolist()"
            ),
        ),
    ],
)
def test_other_right_answers_pass_too(label, code):
    feedback = BOOK.run(label, code)
    assert feedback.passed, str(feedback)


@pytest.mark.parametrize("answer", [*JUNK_ANSWERS, lambda *a: {"w": 1.0}])
def test_nothing_a_student_passes_makes_a_checker_raise(answer):
    for func in (
        check.line_step,
        check.chain_rule_derivative,
        check.largest_stable_lr,
        check.bowl_learning_rate,
        check.minibatches,
    ):
        assert_rejected_calmly(func(answer))


def test_feedback_names_the_cause_it_sees():
    # Windows that start one position apart repeat examples without any random draw.
    feedback = BOOK.run(
        "ex-gradient-descent-minibatches",
        BATCHES.format(
            SHUFFLED + "    return [order[i:i + batch_size] for i in range(m // batch_size)]"
        ),
    )
    assert feedback.code == "repeats" and "range(0, m, batch_size)" in feedback.message
    # At the limit rate itself y flips sign for ever: no "ever wider".
    feedback = BOOK.run("ex-gradient-descent-bowl-lr", "lr = 0.2")
    assert "without shrinking" in feedback.message
    # The right new_w and new_b, returned in an array of two, are a pair.
    feedback = BOOK.run(
        "ex-gradient-descent-line-step", step(ret="np.array([w - lr * dw, b - lr * db])")
    )
    assert feedback.passed, str(feedback)
