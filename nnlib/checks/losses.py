"""Checkers for the loss-function exercises (exercises/05_losses.ipynb).

Usage in the notebook: `from nnlib.checks import losses as check`, then for example
`check.binary_cross_entropy(binary_cross_entropy)`.

The checkers are declarations judged by nnlib.checks.engine: the reference in
`nnlib.losses`, the cases, and the typical mistakes, each named only when it reproduces the
student's numbers on every case. The two-class softmax's answer, a pair of weights, is read
as what it computes (`result`).
"""

from __future__ import annotations

import numpy as np

from nnlib import losses
from nnlib.activations import sigmoid, sigmoid_derivative, softmax
from nnlib.checks import Reject, array_text, call_student, explain_difference
from nnlib.checks.engine import (
    CodeExercise,
    Variant,
    all_close,
    as_array,
    as_float,
    as_parts,
    close,
    code_checker,
    recoded,
)
from nnlib.checks.numeric import Mistake, NumberExercise, number_checker

_ONE_NUMBER = "one number, the mean loss of the batch"


def _single(values, name, per_example=None, kind=_ONE_NUMBER):
    """The one number in `values` (nan kept); one loss per example gets its own hint."""
    if values.size == 1:
        return float(values.reshape(()))
    if per_example is not None and close(values, per_example):
        raise Reject(
            "per-example",
            f"`{name}` returned one loss per example (shape {values.shape}). The cost is "
            "their mean over the batch: finish with `np.mean(...)`.",
        )
    raise Reject(
        "not-a-number",
        f"`{name}` should return {kind}, but it returned an array of shape {values.shape}.",
    )


def _mean_loss(name, per_example=None):
    """The reader of a loss: one float, nan and inf kept for the exercise's own sentence.
    `per_example(*case)` gives the losses of the examples, for the hint when the student
    returns those instead of their mean."""
    what = f"What `{name}` returns"

    def read(got, case, right=None):
        if np.isscalar(got):
            return recoded("not-a-number", as_float, got, what)
        values = as_array(got, what, kind=_ONE_NUMBER)
        return _single(values, name, per_example(*case) if per_example else None)

    return read


def _run_loss(func, name, *case):
    """The student's loss on one more input (for a probe), read as one float."""
    return _mean_loss(name)(call_student(func, name, *case), case)


# 1. Binary cross-entropy --------------------------------------------------------------------


def _bce_terms(p, y, log=np.log):
    return -(y * log(p) + (1 - y) * log(1 - p))


def _bce_cases():
    rng = np.random.default_rng(5)
    yield np.array([0.9, 0.2, 0.6, 0.3]), np.array([1, 0, 0, 1])
    yield rng.uniform(0.05, 0.95, size=7), np.array([1, 1, 0, 1, 0, 0, 1])


def _clipped_bce(p, y, band):
    return np.mean(_bce_terms(np.clip(p, band, 1 - band), y))


def _clipped_too_wide(band):
    return Variant(
        "clipped-too-wide",
        f"Your loss is that of p clipped into [{band:g}, 1 - {band:g}]: a band that wide "
        f"changes ordinary probabilities ({1 - band / 2:g} becomes {1 - band:g}), so confident "
        "right "
        "answers cost too much and confident wrong ones too little. Clip only against log(0): "
        "eps = np.finfo(p.dtype).eps, np.clip(p, eps, 1 - eps).",
        lambda p, y: _clipped_bce(p, y, band),
    )


_BCE_MISTAKES = [
    *(_clipped_too_wide(band) for band in (0.1, 0.05, 0.01, 0.001)),
    Variant(
        "summed",
        "Your loss is m times too large (m is the number of examples): it looks like the sum "
        "of the per-example losses. The cost is their mean: use `np.mean`, or divide the sum "
        "by `len(y)`.",
        lambda p, y: np.sum(_bce_terms(p, y)),
    ),
    Variant(
        "missing-minus",
        "Your loss has the right size but the wrong sign: it is negative. The logarithm of a "
        "probability is at most 0, so the formula starts with a minus sign: "
        "-(y log p + (1 - y) log(1 - p)).",
        lambda p, y: -np.mean(_bce_terms(p, y)),
    ),
    Variant(
        "summed-and-negative",
        "Two things: your loss is negative (the formula starts with a minus sign) and m "
        "times too large (take the mean over the batch, not the sum).",
        lambda p, y: -np.sum(_bce_terms(p, y)),
    ),
    Variant(
        "swapped-terms",
        "y and 1 - y are swapped: your loss rewards p for being close to the wrong label. "
        "The term y log p belongs to class 1 (p is the probability of class 1), and "
        "(1 - y) log(1 - p) to class 0.",
        lambda p, y: np.mean(_bce_terms(p, 1 - y)),
    ),
    Variant(
        "missing-class-0-term",
        "Your loss only has the term for class 1, -y log p, so examples with y = 0 cost "
        "nothing. Add the term for class 0: -(1 - y) log(1 - p).",
        lambda p, y: np.mean(-y * np.log(p)),
    ),
    Variant(
        "missing-class-1-term",
        "Your loss only has the term for class 0, -(1 - y) log(1 - p), so examples with "
        "y = 1 cost nothing. Add the term for class 1: -y log p.",
        lambda p, y: np.mean(-(1 - y) * np.log(1 - p)),
    ),
    *(
        Variant(
            "wrong-log",
            "Your loss is the right one measured with a logarithm in another base (log10 or "
            "log2). Use the natural logarithm, `np.log`.",
            lambda p, y, log=log: np.mean(_bce_terms(p, y, log)),
        )
        for log in (np.log10, np.log2)
    ),
]


# The examples of each label on their own: each label uses one term of the loss.
_BCE_GROUPS = [
    (
        "wrong-term-y1",
        "the examples with y = 1",
        lambda p, y: y == 1,
        "for them the loss is -log p (the term y log p; the other is multiplied by 1 - y = 0).",
    ),
    (
        "wrong-term-y0",
        "the examples with y = 0",
        lambda p, y: y == 0,
        "for them the loss is -log(1 - p) (the term (1 - y) log(1 - p); the other is "
        "multiplied by y = 0).",
    ),
]


def _bce_extremes(func):
    """Probabilities of exactly 0 and 1, in float64 and then in float32: perfect predictions
    first, then a certain mistake."""
    name = "binary_cross_entropy"
    for dtype in (np.float64, np.float32):
        perfect_p, perfect_y = np.array([1.0, 0.0, 0.7], dtype=dtype), np.array([1, 0, 1])
        value = _run_loss(func, name, perfect_p, perfect_y)
        if not np.isfinite(value):
            raise _bce_not_finite(
                perfect_p,
                perfect_y,
                value,
                "two perfect predictions and one of 0.7",
                "With p exactly 1, log(1 - p) is log(0) = -inf, and 0 * (-inf) is nan even "
                "though its factor is 0.",
            )
        if abs(value + np.log(0.7) / 3) > 1e-5:
            raise Reject(
                "wrong-values",
                f"For p = {array_text(perfect_p)} ({dtype.__name__}) and y = "
                f"{array_text(perfect_y)} the two perfect predictions should cost (almost) "
                f"nothing, so the mean is -log(0.7) / 3 = {-np.log(0.7) / 3:.6f}, but your "
                f"function returned {value:.6f}.",
            )
        wrong_p, wrong_y = np.array([0.0, 0.4], dtype=dtype), np.array([1, 0])
        value = _run_loss(func, name, wrong_p, wrong_y)
        if not np.isfinite(value):
            raise _bce_not_finite(
                wrong_p,
                wrong_y,
                value,
                "a certain mistake and a prediction of 0.4",
                "p = 0 for an example of class 1 gives -log(0) = inf.",
            )
        if value < 5:
            raise Reject(
                "clipped-too-far",
                f"For p = {array_text(wrong_p)} ({dtype.__name__}) and y = "
                f"{array_text(wrong_y)} your loss is only {value:.3f}: a certain mistake "
                "should cost a lot. Clip p into [eps, 1 - eps] with eps = "
                "np.finfo(p.dtype).eps, not into a wider band.",
            )


def _bce_not_finite(p, y, value, what, why):
    """The verdict for a loss that is not finite where p is exactly 0 or 1."""
    said = (
        f"For p = {array_text(p)} ({p.dtype.name}) and y = {array_text(y)} ({what}) your "
        f"function returned {value}."
    )
    if p.dtype == np.float32:
        # It was finite for the same probabilities in float64: the clip is there, but its
        # margin rounds away in float32.
        return Reject(
            "clip-lost-in-float32",
            f"{said} The same probabilities in float64 gave a finite loss, so you clip, but "
            "the clip does nothing in float32: a fixed margin such as 1e-12 (anything below "
            "about 3e-8) rounds away there, 1 - 1e-12 becomes exactly 1.0, and p = 1 stays "
            "1. Take the margin from p's own format: `eps = np.finfo(p.dtype).eps` (about "
            "1.2e-7 in float32), then `p = np.clip(p, eps, 1 - eps)`.",
        )
    return Reject(
        "no-clipping",
        f"{said} {why} Clip first: `eps = np.finfo(p.dtype).eps`, then "
        "`p = np.clip(p, eps, 1 - eps)`, so a certain mistake costs a large but finite "
        "amount.",
    )


binary_cross_entropy = code_checker(
    CodeExercise(
        title="Binary cross-entropy for a batch",
        name="binary_cross_entropy",
        reference=losses.binary_cross_entropy,
        cases=_bce_cases,
        result=_mean_loss("binary_cross_entropy", _bce_terms),
        nonfinite=lambda case, got: (
            f"For p = {array_text(case[0])} and y = {array_text(case[1])} your function "
            f"returned {got}, although no probability here is near 0 or 1."
        ),
        mistakes=_BCE_MISTAKES,
        groups=_BCE_GROUPS,
        subject="loss",
        arguments=("p", "y"),
        batch=(0, 1),
        mismatch=lambda case, got, right: (
            f"For p = {array_text(case[0])} and y = {array_text(case[1])} the mean binary "
            f"cross-entropy is {right:.6f}, but your function returned {got:.6f}. The loss of "
            "one example is -(y log p + (1 - y) log(1 - p)); the result is their mean. (Clip "
            "p into [eps, 1 - eps] with eps = np.finfo(p.dtype).eps only: a wider band "
            "changes ordinary probabilities.)"
        ),
        what="your losses",
        probes=[_bce_extremes],
        success=(
            "Right on every batch, and probabilities of exactly 0 and 1 give finite losses in "
            "float64 and in float32: perfect predictions cost nothing, a certain mistake "
            "costs a lot."
        ),
    )
)


# 2. Softmax cross-entropy ---------------------------------------------------------------


def _log_softmax_rows(scores):
    return losses.log_softmax(scores)


def _picked(values, y):
    return values[np.arange(len(y)), y]


def _sce_equal_scores(func, cases):
    """With every score equal, each of the k classes has probability 1/k and the loss is
    log k whatever the labels: a wrong value there points at the normaliser."""
    scores, y = np.full((3, 4), 2.5), np.array([0, 3, 1])
    try:
        value = _run_loss(func, "softmax_cross_entropy", scores, y)
    except Reject:
        return None
    if np.isfinite(value) and not close(value, np.log(4)):
        return (
            "wrong-normaliser",
            f"With all four scores equal every class has probability 1/4, so the loss is "
            f"log 4 = {np.log(4):.6f} for any label; yours is {value:.6f}. The normaliser is "
            "wrong: it is log Σ_j exp(s_j) over each row's k classes (after the shift by the "
            "row's max, added back or cancelled), with the natural log.",
        )
    return None


def _sce_cases():
    rng = np.random.default_rng(6)
    yield (
        np.array([[2.0, 1.0, -1.0], [0.5, 0.5, 3.0], [-1.0, 2.0, 0.0], [1.0, -2.0, 0.3]]),
        np.array([0, 2, 2, 1]),
    )
    yield rng.normal(size=(6, 5)) * 2, np.array([4, 0, 1, 1, 3, 2])


def _naive_log_softmax(scores, axis):
    e = np.exp(scores)
    return np.log(e / e.sum(axis=axis, keepdims=axis is not None))


_SCE_MISTAKES = [
    Variant(
        "summed",
        "Your loss is m times too large (m is the number of rows): it looks like the sum of "
        "the per-example losses. The cost is their mean: use `np.mean`.",
        lambda s, y: -np.sum(_picked(_log_softmax_rows(s), y)),
    ),
    Variant(
        "missing-minus",
        "Your loss has the right size but it is negative: a log-probability is at most 0, "
        "and the cross-entropy is *minus* the log-probability of the right class. Without "
        "the minus sign, minimising the loss would make the right class less likely.",
        lambda s, y: np.mean(_picked(_log_softmax_rows(s), y)),
    ),
    Variant(
        "probability-not-log",
        "You used the probability of the right class where its logarithm belongs. The loss "
        "of an example is -log p_y: take `np.log` of the probability (or, better, compute "
        "the log-probabilities directly with the log-sum-exp trick).",
        lambda s, y: -np.mean(_picked(softmax(s), y)),
    ),
    Variant(
        "probability-not-log",
        "You used 1 - p_y, the probability of the right class subtracted from 1, where the "
        "loss is -log p_y. Take the logarithm of the probability.",
        lambda s, y: np.mean(1 - _picked(softmax(s), y)),
    ),
    Variant(
        "probability-not-log",
        "You used the probability of the right class where minus its logarithm belongs. The "
        "loss of an example is -log p_y.",
        lambda s, y: np.mean(_picked(softmax(s), y)),
    ),
    Variant(
        "not-normalised",
        "Your loss is minus the score of the right class, -s_y: the scores were never turned "
        "into log-probabilities. Subtract log(sum_j exp(s_j)) from each row's scores first "
        "(log-softmax), then pick the right class.",
        lambda s, y: -np.mean(_picked(s, y)),
    ),
    Variant(
        "not-normalised",
        "You subtracted each row's maximum (good: that is the first half of the log-sum-exp "
        "trick) but forgot the second half: also subtract log(sum_j exp(s_j - max)).",
        lambda s, y: -np.mean(_picked(s - s.max(axis=1, keepdims=True), y)),
    ),
    Variant(
        "wrong-indexing",
        "You picked the wrong entries. `logp[:, y]` takes whole columns, an (m, m) block, "
        "not one entry per row. Pick the right class of each row with "
        "`logp[np.arange(len(y)), y]`.",
        lambda s, y: -np.mean(_log_softmax_rows(s)[:, y]),
    ),
    Variant(
        "wrong-axis",
        "Your softmax normalises down the columns (over the examples) instead of along each "
        "row (over the classes). Sum with `axis=1, keepdims=True`.",
        lambda s, y: -np.mean(_picked(_naive_log_softmax(s, 0), y)),
    ),
    Variant(
        "wrong-axis",
        "Your softmax divides by the sum over the whole batch. Each row (example) needs its "
        "own sum over the classes: `np.sum(..., axis=1, keepdims=True)`.",
        lambda s, y: -np.mean(_picked(_naive_log_softmax(s, None), y)),
    ),
]


def _sce_large_scores(func):
    """Scores of ±1000, where a naive softmax overflows and a probability underflows."""
    big = np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 990.0], [-1000.0, -1200.0, -1100.0]])
    y_big = np.array([1, 2, 0])
    value = _run_loss(func, "softmax_cross_entropy", big, y_big)
    right = losses.softmax_cross_entropy(big, y_big)
    if not np.isfinite(value):
        raise Reject(
            "overflow",
            f"For the large scores {array_text(big)} your function returned {value}. "
            "exp(1000) overflows to inf, and exp(-1000) underflows to 0, so a softmax "
            "becomes inf/inf = nan, or a probability that underflowed makes log(0) = -inf "
            "(even after shifting by the row maximum, if you take the log of the "
            "probabilities). Use the log-sum-exp trick: subtract each row's own maximum, "
            "`s - s.max(axis=1, keepdims=True)`, then take "
            "log-softmax = shifted - log(sum(exp(shifted))) directly.",
        )
    if not close(value, right):
        # One shift for the whole batch gives inf here; a finite wrong value on these
        # scores usually comes from a probability that underflowed to 0 and was then
        # clipped or given an epsilon before the log, which caps each row's loss.
        raise Reject(
            "wrong-values",
            f"Small scores work, but for the large scores {array_text(big)} with labels "
            f"{array_text(y_big)} the loss is {right:.4f} and yours is {value:.4f}. A "
            "probability here is far below anything a float can hold (e^-1000), so "
            "computing the softmax first and clipping it, or adding a small epsilon, "
            "before the log caps each row's loss (near 27.6 for 1e-12). Take "
            "log-softmax = shifted - log(sum(exp(shifted))) directly, with each row "
            "shifted by its own maximum.",
        )


softmax_cross_entropy = code_checker(
    CodeExercise(
        title="Softmax cross-entropy from scores",
        name="softmax_cross_entropy",
        reference=losses.softmax_cross_entropy,
        cases=_sce_cases,
        result=_mean_loss("softmax_cross_entropy", lambda s, y: -_picked(_log_softmax_rows(s), y)),
        nonfinite=lambda case, got: (
            f"For the scores {array_text(case[0])} and labels {array_text(case[1])} your "
            f"function returned {got}, although these scores are small."
        ),
        mistakes=_SCE_MISTAKES,
        explain=[_sce_equal_scores],
        arguments=("scores", "y"),
        batch=(0, 1),
        mismatch=lambda case, got, right: (
            f"For the scores {array_text(case[0])} and labels {array_text(case[1])} the loss "
            f"is {right:.6f}, but your function returned {got:.6f}. Each row's loss is "
            "-(s_y - log sum_j exp(s_j)); the result is their mean."
        ),
        what="your losses",
        probes=[_sce_large_scores],
        success=(
            "Right on every batch, including scores of ±1000 where a naive softmax overflows: "
            "the log-sum-exp trick keeps every exponent at most 0."
        ),
    )
)


# 3. The gradient of logistic regression with respect to its scores -------------------------


def _logistic_grad(X, w, b, y):
    return losses.binary_cross_entropy_with_logits_grad(X @ w + b, y)


def _logistic_at_zero(func, cases):
    """With every z = 0 the sigmoid is exactly 1/2, so dJ/dz = (1/2 - y) / m: a wrong value
    for an example with y = 0 (dJ/dz = a / m there) is a wrong sigmoid."""
    name = "logistic_grad_z"
    X, w, b, y = np.zeros((4, 2)), np.array([0.7, -1.3]), 0.0, np.array([1, 0, 0, 1])
    try:
        got = as_array(call_student(func, name, X, w, b, y), f"What `{name}` returns")
    except Reject:
        return None
    right = (0.5 - y) / len(y)
    # Only the examples with y = 0, whose gradient is a / m: a term for y = 1 gone wrong
    # is not the sigmoid's fault.
    zeros = y == 0
    if got.shape == right.shape and not close(got[zeros], right[zeros]):
        return (
            "wrong-sigmoid",
            f"Where z = X w + b is 0 for every example, sigmoid(0) = 1/2 and the gradient is "
            f"(1/2 - y) / m = {array_text(right)}; yours is {array_text(got)}. Check the "
            "sigmoid: a = 1 / (1 + np.exp(-z)), with z = X @ w + b.",
        )
    return None


def _logistic_cases():
    rng = np.random.default_rng(7)
    yield rng.normal(size=(5, 3)), np.array([0.8, -1.2, 0.5]), 0.3, np.array([1, 0, 0, 1, 1])
    yield rng.normal(size=(4, 2)) * 2, np.array([-0.4, 1.1]), -0.7, np.array([0, 1, 0, 1])


def _a(X, w, b):
    return sigmoid(X @ w + b)


_LOGISTIC_MISTAKES = [
    Variant(
        "missing-1/m",
        "Your gradient is m times too large: it is a - y for each example, the gradient of "
        "the loss L. The exercise asks for the gradient of the cost J = (1/m) sum of L, so "
        "each entry is (a - y) / m.",
        lambda X, w, b, y: _a(X, w, b) - y,
    ),
    Variant(
        "sign-flipped",
        "Your gradient has the wrong sign: it is y - a, but the derivation gives "
        "dL/dz = a - y (the predicted probability minus the label).",
        lambda X, w, b, y: (y - _a(X, w, b)) / len(y),
    ),
    Variant(
        "sign-flipped",
        "Your gradient has the wrong sign (y - a instead of a - y) and it is m times too "
        "large (divide by m: the cost is the mean loss).",
        lambda X, w, b, y: y - _a(X, w, b),
    ),
    Variant(
        "extra-sigmoid-factor",
        "Your gradient carries an extra factor sigma'(z) = a (1 - a): that is the pattern of "
        "squared error through a sigmoid. With cross-entropy the factor cancels: "
        "dL/da = -y/a + (1 - y)/(1 - a) times da/dz = a (1 - a) is just a - y.",
        lambda X, w, b, y: (_a(X, w, b) - y) * sigmoid_derivative(X @ w + b) / len(y),
    ),
    Variant(
        "extra-sigmoid-factor",
        "Your gradient carries an extra factor sigma'(z) = a (1 - a) (and is not divided by "
        "m). With cross-entropy the factor cancels: dL/dz = a - y; for the cost, divide by m.",
        lambda X, w, b, y: (_a(X, w, b) - y) * sigmoid_derivative(X @ w + b),
    ),
    Variant(
        "mse-gradient",
        "This is the gradient of the squared error (a - y)^2 through the sigmoid, "
        "2 (a - y) a (1 - a) / m. The exercise's loss is the binary cross-entropy, whose "
        "gradient with respect to z is (a - y) / m.",
        lambda X, w, b, y: 2 * (_a(X, w, b) - y) * sigmoid_derivative(X @ w + b) / len(y),
    ),
    Variant(
        "gradient-wrt-a",
        "This is the gradient with respect to the output a, (-y/a + (1 - y)/(1 - a)) / m. "
        "Go one link further down the chain: multiply by da/dz = a (1 - a), and it "
        "simplifies to (a - y) / m.",
        lambda X, w, b, y: (-y / _a(X, w, b) + (1 - y) / (1 - _a(X, w, b))) / len(y),
    ),
    Variant(
        "returned-a",
        "You returned the outputs a = sigmoid(z) (perhaps divided by m) without subtracting "
        "the labels: the gradient is (a - y) / m.",
        lambda X, w, b, y: _a(X, w, b) / len(y),
    ),
    Variant(
        "returned-a",
        "You returned the outputs a = sigmoid(z) themselves. The gradient is (a - y) / m.",
        lambda X, w, b, y: _a(X, w, b),
    ),
    Variant(
        "missing-bias",
        "Your gradient matches z = X @ w without the bias. The score is z = X @ w + b.",
        lambda X, w, b, y: (sigmoid(X @ w) - y) / len(y),
    ),
    Variant(
        "returned-z",
        "You returned something built from the score z itself rather than from a = "
        "sigmoid(z). The gradient is (sigmoid(z) - y) / m.",
        lambda X, w, b, y: (X @ w + b - y) / len(y),
    ),
]


_LOGISTIC_GROUPS = [
    (
        "wrong-for-y1",
        "the examples with y = 1",
        lambda X, w, b, y: y == 1,
        "for them dJ/dz = (a - 1) / m, negative: raising z lowers the loss.",
    ),
    (
        "wrong-for-y0",
        "the examples with y = 0",
        lambda X, w, b, y: y == 0,
        "for them dJ/dz = a / m, positive: raising z raises the loss.",
    ),
]


def _gradient_result(got, case, right):
    """The student's dJ/dz: one entry per example of the batch."""
    m = len(case[3])
    what = "What `logistic_grad_z` returns"
    values = as_array(got, what)
    if values.size == 1:
        raise Reject(
            "summed-over-batch",
            "You returned one number, but dJ/dz has one entry per example: "
            f"shape ({m},). Do not sum or average over the batch; divide each "
            "entry by m.",
        )

    def hint(shape):
        reshape = " Use a 1-D w and y, or `.ravel()` the result." if values.size == m else ""
        return f"dJ/dz has one entry per example of the batch (m = {m}).{reshape}"

    return as_array(values, what, (m,), hint=hint)


logistic_grad_z = code_checker(
    CodeExercise(
        title="The gradient of logistic regression",
        name="logistic_grad_z",
        reference=_logistic_grad,
        cases=_logistic_cases,
        result=_gradient_result,
        mistakes=_LOGISTIC_MISTAKES,
        explain=[_logistic_at_zero],
        groups=_LOGISTIC_GROUPS,
        subject="gradient",
        batch=(0, 3),
        arguments=("X", "w", "b", "y"),
        mismatch=lambda case, got, right: (
            f"For a test batch of m = {len(case[3])} examples with y = {array_text(case[3])} "
            f"the gradient is {array_text(right)}, but yours is {array_text(got)}. Compute "
            "z = X @ w + b, a = sigmoid(z), and return (a - y) / m."
        ),
        what="your gradients",
        success=(
            "Right: dJ/dz = (a - y) / m for every example of the batch. The chain rule's "
            "factors a (1 - a) cancel, which is why cross-entropy and the sigmoid go together."
        ),
    )
)


# 4. Multi-class hinge loss of one example -------------------------------------------------


def _hinge_cases():
    yield np.array([1.5, 2.0, -1.0]), 0
    yield np.array([0.2, 3.0, 2.9, -4.0]), 1
    yield np.array([-1.0, 0.5, 4.0]), 2
    yield np.array([2.0, -0.5, 2.0, 1.0]), 3


def _without(values, y):
    return np.delete(values, y)


_HINGE_MISTAKES = [
    Variant(
        "included-true-class",
        "Your loss is 1 too large on every example: the sum includes j = y, whose term is "
        "always max(0, s_y - s_y + 1) = 1. Leave the true class out of the sum.",
        lambda s, y: np.sum(np.maximum(0, s - s[y] + 1)),
    ),
    Variant(
        "missing-margin",
        "You left out the margin +1: your loss is zero as soon as the true class is ahead "
        "at all. The hinge asks for a lead of at least 1: max(0, s_j - s_y + 1).",
        lambda s, y: np.sum(_without(np.maximum(0, s - s[y]), y)),
    ),
    Variant(
        "sign-swapped",
        "Your terms are max(0, s_y - s_j + 1): they punish the true class for being ahead. "
        "A wrong class j should cost something when its score comes close to the true one: "
        "max(0, s_j - s_y + 1).",
        lambda s, y: np.sum(_without(np.maximum(0, s[y] - s + 1), y)),
    ),
    Variant(
        "no-max",
        "Your terms go negative: without the max(0, ...) a wrong class far below the true "
        "one lowers the loss. Each term is max(0, s_j - s_y + 1).",
        lambda s, y: np.sum(_without(s - s[y] + 1, y)),
    ),
    Variant(
        "max-not-sum",
        "You took the largest term instead of adding them up. This exercise's multi-class "
        "hinge adds max(0, s_j - s_y + 1) over every wrong class j.",
        lambda s, y: np.max(_without(np.maximum(0, s - s[y] + 1), y)),
    ),
]

_SLIDE_FORM = (
    "This looks like the form max(0, y - s_j + 1) that appears on some slides, with the "
    "label y where the true class's score s_y belongs. A class index is not a score: "
    "renaming the classes would change that loss. Compare each wrong class with the true "
    "class's score: max(0, s_j - s_y + 1), summed over j != y."
)
_HINGE_MISTAKES += [
    Variant("slide-form", _SLIDE_FORM, formula)
    for formula in (
        lambda s, y: np.sum(np.maximum(0, y - s + 1)),
        lambda s, y: np.sum(_without(np.maximum(0, y - s + 1), y)),
        lambda s, y: np.sum(np.maximum(0, np.eye(len(s))[y] - s + 1)),
        lambda s, y: np.sum(_without(np.maximum(0, np.eye(len(s))[y] - s + 1), y)),
    )
]


def _hinge_result(got, case, right):
    """The student's loss of one example: one number, not the terms of each class."""
    s, y = case
    name = "multiclass_hinge_one"
    kind = "one number, the loss of the example"
    values = as_array(got, f"What `{name}` returns", kind=kind)
    if values.shape == s.shape:
        terms = np.maximum(0, s - s[y] + 1)
        if close(np.delete(values, y), np.delete(terms, y)):
            raise Reject(
                "not-summed",
                f"You returned the terms for each class ({array_text(values)}) instead of "
                "their sum over the wrong classes. Add them up (leaving out the true "
                "class) and return one number.",
            )
    return _single(values, name, kind=kind)


multiclass_hinge_one = code_checker(
    CodeExercise(
        title="Multi-class hinge loss",
        name="multiclass_hinge_one",
        reference=lambda s, y: losses.multiclass_hinge(s[None], np.array([y])),
        cases=_hinge_cases,
        result=_hinge_result,
        mistakes=_HINGE_MISTAKES,
        arguments=("s", "y"),
        mismatch=lambda case, got, right: (
            f"For the scores {array_text(case[0])} with true class y = {case[1]} the loss is "
            f"{right:g}, but yours is {got:g}. Add max(0, s_j - s_y + 1) over every class j "
            "except y."
        ),
        what="your losses",
        success=(
            "Right on every example, including one where the true class already wins by more "
            "than the margin and the loss is 0."
        ),
    )
)


# 5. Logistic regression as a two-class softmax ---------------------------------------------


def _two_class_cases():
    rng = np.random.default_rng(8)  # the inputs X on which both classifiers must agree
    for w, b in ((np.array([1.5, -2.0, 0.5]), 0.25), (np.array([-0.7, 0.3]), -1.0)):
        yield w, b, rng.normal(size=(12, len(w)))


# What softmax(X @ W + b2)[:, 1] comes out as for typical wrong (W, b2), from w, b and X.
_TWO_CLASS_MISTAKES = [
    Variant(
        "columns-swapped",
        "Your classifier gives class 1 the probability that logistic regression "
        "gives class 0: the two columns (and biases) are swapped. Class 1 is the "
        "second column, W[:, 1].",
        lambda w, b, X: 1 - sigmoid(X @ w + b),
    ),
    Variant(
        "same-columns",
        "Your classifier says 0.5 for every input: both classes get the same score. "
        "Softmax only sees the difference of the two scores, and that difference "
        "must be z = x w + b.",
        lambda w, b, X: np.full(len(X), 0.5),
    ),
    Variant(
        "missing-bias",
        "Right weights, but the biases do not carry b: the difference b2[1] - b2[0] must equal b.",
        lambda w, b, X: sigmoid(X @ w),
    ),
    Variant(
        "difference-doubled",
        "Your scores differ by 2 z instead of z: softmax only sees the difference "
        "s_1 - s_0. If you put -w in one column and w in the other, halve both "
        "(or put zeros in column 0).",
        lambda w, b, X: sigmoid(2 * (X @ w + b)),
    ),
]


def _class_one(got, case, right):
    """Read (W, b2), shaped for w's n inputs, as what it computes: softmax(X W + b2)[:, 1]."""
    n = len(case[0])
    W, b2 = recoded("not-a-pair", as_parts, got, ("W", "b2"), "`logistic_as_softmax(w, b)`")
    W, b2 = as_array(W, "`W`"), as_array(b2, "`b2`")
    if W.shape == (2, n) and n != 2:
        raise Reject(
            "transposed",
            f"W has shape (2, {n}); in this book W has one row per input and one column "
            f"per class, shape ({n}, 2), so that the scores are X @ W. Transpose it.",
        )
    if W.shape != (n, 2):
        raise Reject(
            "wrong-shape",
            f"For w with {n} entries, W should have shape ({n}, 2), one column of "
            f"weights per class; yours has shape {W.shape}.",
        )
    if b2.size != 2:
        raise Reject(
            "wrong-shape",
            f"b2 should hold one bias per class, two numbers; yours has shape {b2.shape}.",
        )
    with np.errstate(all="ignore"):
        return softmax(case[2] @ W + b2.reshape(2))[:, 1]


logistic_as_softmax = code_checker(
    CodeExercise(
        title="Logistic regression as a two-class softmax",
        name="logistic_as_softmax",
        reference=lambda w, b, X: sigmoid(X @ w + b),
        cases=_two_class_cases,
        call=lambda func, case: call_student(func, "logistic_as_softmax", *case[:2]),
        result=_class_one,
        per_case=True,
        mistakes=_TWO_CLASS_MISTAKES,
        unnamed="wrong-values",
        mismatch=lambda case, got, right: (
            f"For w = {array_text(case[0])} and b = {case[1]:g}, softmax(X @ W + b2)[:, 1] "
            "should equal sigmoid(X @ w + b) for every input x, but it does not. Hint: give "
            "class 0 the score 0 (zeros in its column and bias)."
        ),
        success="Right: softmax(X @ W + b2)[:, 1] equals sigmoid(X @ w + b). Any W whose "
        "columns differ by w (and biases that differ by b) works: adding the same vector to "
        "both columns changes no probability, which is the redundancy of the two-class softmax.",
    )
)


# 6. The negative log-likelihood of Gaussian noise --------------------------------------------


def _gauss_constant_term(func, cases):
    """Localise a wrong Gaussian NLL to its constant term or its error term, with a probe
    where the prediction is exact (y = ŷ): then only the constant ½ log(2πσ²) per output
    is left."""
    got, right = [], []
    for y_hat, _, s in cases:
        try:
            got.append(_run_loss(func, "gaussian_nll", y_hat, y_hat.copy(), s))
        except Reject:
            return None
        right.append(losses.gaussian_nll(y_hat, y_hat, s))
    if not all_close(got, right):
        relation = explain_difference(got, right, what="your losses for an exact prediction")
        return (
            "wrong-constant",
            "For an exact prediction (y = ŷ) the error term is 0 and the loss is the constant "
            "alone: ½ log(2πσ²) for each output, added over the k outputs of an example. "
            f"Yours gives {got[0]:.6g} instead of {right[0]:.6g} (σ = {cases[0][2]:g}): the "
            "constant term is wrong." + (f"\n{relation[1]}" if relation else ""),
        )
    return (
        "wrong-error-term",
        "Your constant term is right (an exact prediction, y = ŷ, gets ½ log(2πσ²) per "
        "output), so the error term is wrong: each output adds (y - ŷ)² / (2σ²), its "
        "squared error divided by twice the variance σ² (check the square, the σ², the ½).",
    )


def _gauss_cases():
    rng = np.random.default_rng(11)
    yield rng.normal(size=5), rng.normal(size=5), 2.0
    yield rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), 0.5
    yield rng.normal(size=(3, 2)), 2 * rng.normal(size=(3, 2)), 3.0


def _rows_mean(terms):
    """The book's convention: sum over a row's outputs, mean over the batch."""
    return float(np.mean(terms if terms.ndim == 1 else terms.sum(axis=1)))


def _gauss(y_hat, y, s, square=2.0, scale=0.5, log=np.log, var=None):
    """(ŷ − y)² / (square · var) + scale · log(2π var), row-summed and averaged; var = σ²."""
    var = s**2 if var is None else var
    return _rows_mean((y_hat - y) ** 2 / (square * var) + scale * log(2 * np.pi * var))


def _density(y_hat, y, s):
    return np.exp(-((y - y_hat) ** 2) / (2 * s**2)) / np.sqrt(2 * np.pi * s**2)


_SIGMA_SQUARED = (
    "σ² is the variance of the noise and σ its standard deviation (the argument `sigma`): "
    "-log p = (y - ŷ)² / (2σ²) + ½ log(2πσ²), with `sigma**2` in both places."
)
_GAUSS_MISTAKES = [
    Variant(
        "constant-dropped",
        "Your value is the squared-error part alone: you dropped ½ log(2πσ²). It does not "
        "move the best ŷ, which is why least squares can leave it out, but without it the "
        "number is not -log p: add ½ log(2πσ²) for every output of every example.",
        lambda y_hat, y, s: _rows_mean((y_hat - y) ** 2 / (2 * s**2)),
    ),
    Variant(
        "sigma-for-variance",
        "You used σ where σ² belongs, in both terms, as though `sigma` were the variance. "
        + _SIGMA_SQUARED,
        lambda y_hat, y, s: _gauss(y_hat, y, s, var=s),
    ),
    Variant(
        "sigma-not-squared",
        "The squared error is divided by 2σ instead of 2σ². " + _SIGMA_SQUARED,
        lambda y_hat, y, s: _rows_mean((y_hat - y) ** 2 / (2 * s) + 0.5 * np.log(2 * np.pi * s**2)),
    ),
    Variant(
        "sigma-not-squared",
        "The logarithm is of 2πσ instead of 2πσ². " + _SIGMA_SQUARED,
        lambda y_hat, y, s: _rows_mean((y_hat - y) ** 2 / (2 * s**2) + 0.5 * np.log(2 * np.pi * s)),
    ),
    Variant(
        "precedence",
        "Your squared error is multiplied by σ²/2 instead of divided by 2σ²: in Python, "
        "`e**2 / 2 * sigma**2` means (e²/2)·σ². Put the denominator in parentheses: "
        "`e**2 / (2 * sigma**2)`.",
        lambda y_hat, y, s: _rows_mean(
            (y_hat - y) ** 2 / 2 * s**2 + 0.5 * np.log(2 * np.pi * s**2)
        ),
    ),
    Variant(
        "missing-half",
        "The squared error is divided by σ² instead of 2σ²: the ½ in the exponent of the "
        "Gaussian, e^(-(y - ŷ)² / 2σ²), is missing.",
        lambda y_hat, y, s: _gauss(y_hat, y, s, square=1.0),
    ),
    Variant(
        "missing-half",
        "The constant is log(2πσ²) instead of ½ log(2πσ²): the density's factor is "
        "1 / √(2πσ²), and the square root becomes the ½.",
        lambda y_hat, y, s: _gauss(y_hat, y, s, scale=1.0),
    ),
    Variant(
        "missing-2pi",
        "The constant is ½ log σ² instead of ½ log(2πσ²): the 2π of the density's "
        "normalising factor 1 / √(2πσ²) is missing.",
        lambda y_hat, y, s: _rows_mean((y_hat - y) ** 2 / (2 * s**2) + 0.5 * np.log(s**2)),
    ),
    Variant(
        "log-likelihood",
        "Your value has the right size but the wrong sign: it is the log-likelihood. The "
        "loss is the *negative* log-likelihood, so that minimising it maximises the "
        "likelihood.",
        lambda y_hat, y, s: -_gauss(y_hat, y, s),
    ),
    Variant(
        "likelihood-not-log",
        "You averaged the densities p(y | x) themselves. The loss is minus their logarithm: "
        "(y - ŷ)² / (2σ²) + ½ log(2πσ²) for each output.",
        lambda y_hat, y, s: _rows_mean(_density(y_hat, y, s)),
    ),
    Variant(
        "likelihood-not-log",
        "You averaged minus the densities p(y | x). The loss is minus their *logarithm*: "
        "(y - ŷ)² / (2σ²) + ½ log(2πσ²) for each output.",
        lambda y_hat, y, s: -_rows_mean(_density(y_hat, y, s)),
    ),
    Variant(
        "summed",
        "Your value is m times too large (m is the number of examples): it is the sum over "
        "the batch. The cost is the mean over the examples.",
        lambda y_hat, y, s: float(
            np.sum((y_hat - y) ** 2 / (2 * s**2) + 0.5 * np.log(2 * np.pi * s**2))
        ),
    ),
    Variant(
        "mean-over-entries",
        "Right for one output per example, but for y of shape (m, k) your value is k times "
        "too small: you took the mean over all m·k entries. As in `nnlib.losses.mse`, the "
        "loss of one example adds up its k outputs (they are independent, so their "
        "log-densities add); then take the mean over the m examples.",
        lambda y_hat, y, s: float(
            np.mean((y_hat - y) ** 2 / (2 * s**2) + 0.5 * np.log(2 * np.pi * s**2))
        ),
    ),
    Variant(
        "squared-error",
        "This is the squared error (y - ŷ)², without σ. Under Gaussian noise it becomes "
        "(y - ŷ)² / (2σ²) + ½ log(2πσ²): scaled by 1 / (2σ²) and shifted by a constant.",
        lambda y_hat, y, s: _rows_mean((y_hat - y) ** 2),
    ),
    Variant(
        "laplace",
        "This is the negative log-likelihood of Laplace noise, |y - ŷ| / σ + log(2σ), which "
        "leads to the absolute error. Gaussian noise squares the error: "
        "(y - ŷ)² / (2σ²) + ½ log(2πσ²).",
        lambda y_hat, y, s: _rows_mean(np.abs(y_hat - y) / s + np.log(2 * s)),
    ),
    *(
        Variant(
            "wrong-log",
            "Your constant uses a logarithm in another base (log10 or log2). The density's "
            "exponential pairs with the natural logarithm, `np.log`.",
            lambda y_hat, y, s, log=log: _gauss(y_hat, y, s, log=log),
        )
        for log in (np.log10, np.log2)
    ),
]


def _gauss_per_example(y_hat, y, s):
    terms = (y_hat - y) ** 2 / (2 * s**2) + 0.5 * np.log(2 * np.pi * s**2)
    return terms if terms.ndim == 1 else terms.sum(axis=1)


def _gauss_far_errors(func):
    """Errors of 100 and 300 σ: the density e^(-e²/2σ²) is 0 in float64 beyond about 38 σ."""
    y_hat, y, s = np.zeros(2), np.array([150.0, -450.0]), 1.5
    value = _run_loss(func, "gaussian_nll", y_hat, y, s)
    expected = losses.gaussian_nll(y_hat, y, s)
    if not np.isfinite(value):
        raise Reject(
            "density-underflow",
            f"Right on ordinary errors, but for y_hat = {array_text(y_hat)}, y = "
            f"{array_text(y)} and sigma = {s:g} (errors of 100σ and 300σ) your function "
            f"returned {value} instead of {expected:.6g}. You compute the density (or the "
            "likelihood, a product of densities) and then its logarithm: e^(-e²/2σ²) "
            "underflows to exactly 0 for an error beyond about 38σ, and log(0) = -inf. Take "
            "the logarithm on paper first, as the chapter did: -log p = (y - ŷ)² / (2σ²) "
            "+ ½ log(2πσ²) needs no exponential at all.",
        )
    if not close(value, expected):
        raise Reject(
            "wrong-values",
            f"For y_hat = {array_text(y_hat)}, y = {array_text(y)} and sigma = {s:g} the "
            f"negative log-likelihood is {expected:.6g}, but your function returned "
            f"{value:.6g}.",
        )


gaussian_nll = code_checker(
    CodeExercise(
        title="Squared error from Gaussian noise",
        name="gaussian_nll",
        reference=losses.gaussian_nll,
        cases=_gauss_cases,
        result=_mean_loss("gaussian_nll", _gauss_per_example),
        nonfinite=lambda case, got: (
            f"For y_hat and y of shape {case[1].shape} with sigma = {case[2]:g} your function "
            f"returned {got}, although every error here is within a few σ."
        ),
        mistakes=_GAUSS_MISTAKES,
        explain=[_gauss_constant_term],
        arguments=("y_hat", "y", "sigma"),
        batch=(0, 1),
        mismatch=lambda case, got, right: (
            f"For y_hat and y of shape {case[1].shape} with sigma = {case[2]:g} the negative "
            f"log-likelihood is {right:.6f}, but your function returned {got:.6f}. Each "
            "output costs (y - ŷ)² / (2σ²) + ½ log(2πσ²); add them over an example's "
            "outputs and take the mean over the examples."
        ),
        what="your losses",
        probes=[_gauss_far_errors],
        success=(
            "Right for one output and for several per example, for σ below and above 1, and "
            "still finite for errors of 300σ, where the density itself is 0 in float64. With "
            "σ fixed your loss is the squared error divided by 2σ², plus a constant."
        ),
    )
)


# 7 and 8. A prediction, and a gradient worked out by hand ----------------------------------


def _initial_loss():
    """Run it: the mean cross-entropy of 10-class scores that all start near 0 (a network
    with small random weights), on 2,000 examples with random labels."""
    rng = np.random.default_rng(0)
    scores = 0.01 * rng.standard_normal((2000, 10))
    return losses.softmax_cross_entropy(scores, rng.integers(0, 10, 2000))


initial_loss_prediction = number_checker(
    NumberExercise(
        title="Predict: the loss before any training",
        name="predicted_loss",
        right=_initial_loss,
        why="Scores near 0 give every class a probability near 1/10, so each example "
        "costs -log(1/10) = log 10 ≈ 2.303. A first epoch that does not start near log k "
        "(k classes) points to a bug: scores that are too large at initialisation, or a loss "
        "computed wrongly.",
        mistakes=(
            Mistake(
                "zero",
                lambda: 0.0,
                "An untrained network is not right about everything: its loss is largest at "
                "the start, not 0.",
            ),
            Mistake(
                "probability",
                lambda: 0.1,
                "0.1 is the probability each class gets. The loss is minus its logarithm.",
            ),
            Mistake(
                "log10",
                lambda: 1.0,
                "log10(10) = 1: the cross-entropy uses the natural logarithm.",
            ),
            Mistake(
                "log2",
                lambda: np.log2(10),
                "log2(10) ≈ 3.32 counts bits: the book's cross-entropy uses the natural logarithm.",
            ),
            Mistake(
                "error-rate",
                lambda: 0.9,
                "0.9 is the error rate of guessing, not the cross-entropy.",
            ),
        ),
        rtol=0.02,
        prediction=True,
    )
)


_GRAD_SCORES, _GRAD_LABEL = np.array([[2.0, 1.0, 0.5]]), np.array([0])


def _softmax_row():
    return softmax(_GRAD_SCORES, axis=1)[0]


softmax_gradient_entry = number_checker(
    NumberExercise(
        title="∂L/∂s₁ for one example, by hand",
        name="dL_ds1",
        right=lambda: losses.softmax_cross_entropy_grad(_GRAD_SCORES, _GRAD_LABEL)[0, 1],
        why="∂L/∂s = softmax(s) - one_hot(y): class 1 is not the label, so its entry is its "
        "probability, e^1 / (e^2 + e^1 + e^0.5) ≈ 0.231, positive: raising a wrong class's "
        "score raises the loss.",
        mistakes=(
            Mistake(
                "one-subtracted",
                lambda: _softmax_row()[1] - 1,
                "You subtracted 1 at class 1, but the one-hot vector has its 1 at the label, "
                "class 0. For a wrong class the entry is its probability alone.",
            ),
            Mistake(
                "label-entry",
                lambda: _softmax_row()[0] - 1,
                "That is the entry for class 0, the label: p₀ - 1. The exercise asks for "
                "class 1 (the second score).",
            ),
            Mistake(
                "unnormalised",
                lambda: np.exp(1.0),
                "e^1 is the unnormalised score: divide by the sum over all three classes, "
                "e^2 + e^1 + e^0.5.",
            ),
            Mistake(
                "uniform",
                lambda: 1 / 3,
                "1/3 would be class 1's probability if all scores were equal; here they "
                "differ: p₁ = e^1 / (e^2 + e^1 + e^0.5).",
            ),
            Mistake(
                "log-probability",
                lambda: np.log(_softmax_row()[1]),
                "That is log p₁. The gradient of the cross-entropy with respect to a score is "
                "the probability itself minus the one-hot entry: p₁ - 0.",
            ),
        ),
    )
)
