"""Checkers for the activation-function exercises (exercises/04_activations.ipynb).

Usage in the notebook: `from nnlib.checks import activations as check`, then for example
`check.softmax_rows(softmax_rows)`.

The code exercises are declarations judged by nnlib.checks.engine, except two functions
built from the engine's readers and named mistakes, much shorter so: ReLU's derivative
(any value in [0, 1] is right at its corner, and the success sentence quotes the student's)
and the maxout pieces (a pair judged by the maximum it computes, and by its W2 alone).
`half_dead_shift` judges a value the student found, and the numbers are `NumberExercise`s.
"""

from __future__ import annotations

import numpy as np

from nnlib import activations as act
from nnlib.activations import relu, sigmoid, softmax
from nnlib.checks import (
    Reject,
    call_student,
    checker,
    harness,
    require_number,
    require_started,
)
from nnlib.checks.engine import (
    CodeExercise,
    Variant,
    as_array,
    call_with_hint,
    code_checker,
    reject_match,
    summary,
    worst,
)
from nnlib.checks.numeric import Mistake, NumberExercise, number_checker
from nnlib.layers import activation_backward, activation_forward, dense_backward, dense_forward


def _nan_or_inf(why):
    """The sentence for an elementwise result with nan or inf in it: the inputs, the
    result, then `why` it cannot be so."""

    def sentence(case, got):
        return (
            f"For z = {case[0].ravel().tolist()} your result contains nan or inf: "
            f"{np.array2string(got.ravel(), precision=4)}. {why}"
        )

    return sentence


def _point_mismatch(what_at, rule):
    """The sentence for an elementwise function that is wrong at some point: the point
    where it is furthest off, with the right value and the student's."""

    def sentence(case, got, right):
        z = case[0]
        i = worst(got, right)
        return (
            f"{what_at(case)} z = {z.ravel()[i]:g} the {rule[0]} should be "
            f"{right.ravel()[i]:.6g}, but yours is {got.ravel()[i]:.6g}. {rule[1]}"
        )

    return sentence


# --- Exercise 1: a numerically stable softmax -------------------------------------------


_SOFTMAX_CASES = [  # (description, scores), from easy to hard: the order matters
    ("small random scores (3 rows, 4 classes)", np.random.default_rng(7).normal(size=(3, 4))),
    ("large float32 scores", np.float32([[1000.0, 999.0, 990.0], [1000.0, 1000.0, 1000.0]])),
    ("float32 rows far apart", np.float32([[1000.0, 999.0, 990.0], [-5.0, -6.0, -10.0]])),
    ("a float32 row spread wide", np.float32([[1000.0, 0.0, -1000.0]])),
]


def _described(S):
    """The description of the case whose scores are S."""
    return next(d for d, scores in _SOFTMAX_CASES if np.array_equal(scores, S))


_NAN_MEANS = {  # the verdict for a nan on a case; on the others, "overflow"
    "float32 rows far apart": (
        "global-max",
        "Right until two rows have very different scores: then a row comes out as nan. You "
        "subtracted the largest score of the whole batch; a row far below it underflows to "
        "exp(...) = 0 everywhere, and 0/0 = nan. Subtract each row's own maximum: "
        "S.max(axis=1, keepdims=True).",
    ),
    "a float32 row spread wide": (
        "shift-not-max",
        "Right until one row spans a wide range, {row}: then it comes out as nan. Your shift "
        "(the row's minimum or mean?) leaves some exponents far above 0, and exp(1000) "
        "overflows. Subtract the row's maximum, so that every exponent is at most 0: "
        "S.max(axis=1, keepdims=True).",
    ),
}
_OVERFLOW = (
    "overflow",
    "On {described} like {row} your result contains nan or inf. exp(1000) overflows (float32 "
    "overflows above about 88.7), and inf/inf is nan. Subtract each row's largest score before "
    "exponentiating: it changes nothing mathematically and keeps every exp between 0 and 1.",
)


def _unnormalised(shift):
    """The exponentials of S - shift(S), not divided by their row's total."""

    def compute(S):
        return np.exp(S.astype(float) - shift(S.astype(float)))

    def message(cases):
        return (
            f"Your rows sum to {np.round(compute(*cases[0]).sum(axis=1), 4).tolist()} instead "
            "of 1: the exponentials are right but not yet divided by their row's total. "
            "Divide by e.sum(axis=1, keepdims=True)."
        )

    return Variant("not-normalised", message, compute)


_SOFTMAX_MISTAKES = [
    Variant(
        "wrong-axis",
        "Your columns sum to 1, not your rows. Each row holds the scores of one example, so "
        "take the max and the sum along axis=1 (with keepdims=True).",
        lambda S: softmax(S.astype(float), axis=0),
    ),
    Variant(
        "log-probabilities",
        "These are the log-probabilities, log softmax(S): they are negative and do not sum "
        "to 1. Return the probabilities themselves, exp(shifted) / sum.",
        lambda S: np.log(softmax(S.astype(float), axis=1)),
    ),
    _unnormalised(lambda S: 0.0),
    _unnormalised(lambda S: S.max(axis=1, keepdims=True)),
    _unnormalised(lambda S: S.max()),
]


def _softmax_nan(case, got):
    described = _described(case[0])
    code, sentence = _NAN_MEANS.get(described, _OVERFLOW)
    return code, sentence.format(described=described, row=case[0][0].tolist())


def _rows_scaled(cases, got, right):
    """The verdict for rows with the right proportions that do not sum to 1."""
    with np.errstate(all="ignore"):
        got, ratio = got[0], got[0] / right[0]
    if np.all(got > 0) and np.allclose(ratio, ratio[:, :1], rtol=1e-4):
        if np.isclose(got.sum(), 1.0):
            return "whole-batch-sum", (
                "The whole array sums to 1, but each row should. Divide by the sum of each "
                "row: e.sum(axis=1, keepdims=True)."
            )
        return "wrong-denominator", (
            f"Within each row the proportions are right, but the rows sum to "
            f"{np.round(got.sum(axis=1), 4).tolist()} instead of 1. Divide the exponentials "
            "by exactly their row's total, e.sum(axis=1, keepdims=True)."
        )


def _softmax_mismatch(case, got, right):
    S, row = case[0].astype(float), int(np.argmax(np.abs(got - right).max(axis=1)))
    return (
        f"On {_described(case[0])}, row {row}, {np.round(S[row], 4).tolist()}: the "
        f"probabilities should be {np.round(right[row], 4).tolist()}, but yours are "
        f"{np.round(got[row], 4).tolist()}."
    )


softmax_rows = code_checker(
    CodeExercise(
        title="A softmax that survives large scores",
        name="softmax_rows",
        reference=lambda S: softmax(S.astype(float), axis=1),
        cases=lambda: [(S,) for _, S in _SOFTMAX_CASES],
        call=lambda func, case: call_with_hint(
            func,
            "softmax_rows",
            *case,
            words=("broadcast",),
            code="missing-keepdims",
            hint="S.max(axis=1) has shape (m,), which does not line up with S of shape (m, k). "
            "Keep the axis: S.max(axis=1, keepdims=True) has shape (m, 1) and subtracts one "
            "number from each row (the same for .sum).",
        ),
        mistakes=_SOFTMAX_MISTAKES,
        per_case=True,
        rtol=1e-4,
        atol=1e-7,
        nonfinite=_softmax_nan,
        flaws=[_rows_scaled],
        mismatch=_softmax_mismatch,
        what="your probabilities",
        success=(
            "Right on small scores, on float32 scores near 1000, and on rows far apart: every "
            "row sums to 1 and nothing overflows."
        ),
    )
)


# --- Exercise 2: the sigmoid's derivative -----------------------------------------------

_SIGMOID_POINTS = np.array([-10.0, -3.0, -0.5, 0.0, 0.7, 2.0, 8.0])


_SIGMOID_MISTAKES = [
    Variant(
        "used-z-not-sigma",
        "You computed z (1 - z). The formula is σ(z) (1 - σ(z)): first compute "
        "s = sigmoid(z), then return s * (1 - s). (The product s (1 - s) is written in "
        "terms of the sigmoid's output, not of its input.)",
        lambda z: z * (1 - z),
    ),
    Variant(
        "returned-sigmoid",
        "You returned σ(z) itself. The derivative is the slope of σ: σ(z) (1 - σ(z)), "
        "which is 1/4 at z = 0 and small for large |z|.",
        sigmoid,
    ),
    Variant(
        "sign-error",
        "Right size, wrong sign. σ is increasing everywhere, so its slope is positive: "
        "σ(z) (1 - σ(z)), with no minus in front.",
        lambda z: -sigmoid(z) * (1 - sigmoid(z)),
    ),
    Variant(
        "tanh-formula",
        "You computed 1 - σ(z)², which is the pattern of tanh's derivative "
        "(1 - tanh²). The sigmoid's is σ(z) (1 - σ(z)).",
        lambda z: 1 - sigmoid(z) ** 2,
    ),
    Variant(
        "used-tanh",
        "That is the derivative of tanh, 1 - tanh(z)². This exercise asks for the "
        "sigmoid's: σ(z) (1 - σ(z)).",
        lambda z: 1 - np.tanh(z) ** 2,
    ),
]


def _sigmoid_mismatch(case, got, right):
    """The sentence for slopes that differ, or the verdict for a wrong slope at z = 0."""
    at_zero = got.ravel()[np.flatnonzero(case[0].ravel() == 0)]
    if at_zero.size and not np.isclose(at_zero[0], 0.25):
        raise Reject(
            "wrong-at-zero",
            "At z = 0, where σ = 1/2, the slope σ(1 - σ) is 1/4, the sigmoid's steepest; "
            f"yours is {at_zero[0]:.6g}. Check the product: with s = sigmoid(z), the "
            "derivative is s * (1 - s), never above 1/4.",
        )
    rule = ("slope", "The formula is σ(z) (1 - σ(z)).")
    return _point_mismatch(lambda case: "At", rule)(case, got, right)


sigmoid_derivative = code_checker(
    CodeExercise(
        title="The sigmoid's derivative",
        name="sigmoid_derivative",
        reference=lambda z: sigmoid(z) * (1 - sigmoid(z)),
        cases=lambda: [(_SIGMOID_POINTS,), (_SIGMOID_POINTS[1:].reshape(2, 3),)],
        mistakes=_SIGMOID_MISTAKES,
        per_case=True,
        rtol=1e-4,
        atol=1e-7,
        nonfinite=_nan_or_inf("The derivative is a number between 0 and 1/4 everywhere."),
        mismatch=_sigmoid_mismatch,
        what="your slopes",
        success=(
            "Right everywhere, including the largest slope, 0.25 at z = 0, and the tiny "
            "slopes of a saturated unit at |z| = 10."
        ),
    )
)


# --- Exercise 3: ReLU's derivative ------------------------------------------------------

_RELU_POINTS = np.array([[-3.0, -0.2, 0.0, 0.1, 2.5], [4.0, 0.0, -1e-3, 1e-3, -7.0]])

_RETURNED_RELU = Variant(
    "returned-relu",
    "You returned ReLU itself, max(0, z). Its derivative is the slope: 1 where z > 0 and 0 "
    "where z < 0, e.g. (z > 0).astype(float).",
    relu,
)

_RELU_STEPS = [  # 0s, 1s and -1s, compared exactly (away from z = 0, like ReLU)
    Variant(
        "inverted",
        "Your 0s and 1s are swapped: you return 1 for negative inputs and 0 for positive "
        "ones. ReLU passes positive inputs through with slope 1 and flattens negative "
        "ones (slope 0).",
        lambda z: (z < 0).astype(float),
    ),
    Variant(
        "sign-function",
        "You return -1 for negative inputs (np.sign). ReLU is flat, slope 0, for z < 0, "
        "not decreasing.",
        np.sign,
    ),
]


@checker("ReLU's derivative")
def relu_derivative(func):
    """Check `func(z)`: 1 for z > 0, 0 for z < 0; at exactly z = 0 any value in [0, 1]."""
    z = _RELU_POINTS
    got = call_student(func, "relu_derivative", z)
    got = as_array(got, "What `relu_derivative` returns", z.shape)
    right = (z > 0).astype(float)
    away = z != 0
    at_zero = got[~away]
    if np.array_equal(got[away], right[away]):
        if np.all((at_zero >= 0) & (at_zero <= 1)):
            return (
                "1 for every positive input, 0 for every negative one, and a value in [0, 1] "
                f"at z = 0 (yours: {sorted(set(at_zero.tolist()))}; nnlib uses 0)."
            )
        raise Reject(
            "wrong-at-zero",
            f"Right away from 0, but at z = 0 you return {at_zero.tolist()}. ReLU has a "
            "corner there; any value between 0 and 1 is accepted (nnlib uses 0), but not "
            "nan or a value outside [0, 1]. Use a comparison such as z > 0.",
        )
    reject_match([got[away]], [(z[away],)], [_RETURNED_RELU], rtol=1e-5, atol=1e-8)
    reject_match([got[away]], [(z[away],)], _RELU_STEPS, rtol=0, atol=0)
    if np.all(got[away] == got[away].flat[0]):
        raise Reject(
            "constant",
            f"You return {got[away].flat[0]:g} for every input. The slope depends on the "
            "sign of z: 1 for z > 0, 0 for z < 0.",
        )
    index = int(np.flatnonzero(away.ravel() & (got.ravel() != right.ravel()))[0])
    raise Reject(
        "wrong-values",
        f"At z = {z.ravel()[index]:g} the slope should be {right.ravel()[index]:g}, but "
        f"yours is {got.ravel()[index]:g}.",
    )


# --- Exercise 4: the dead fraction of a ReLU layer --------------------------------------


def _dead_cases():
    """Pre-activation batches Z (m examples, n units) whose mistakes give distinct answers.

    In the first: units 0-2 are negative for every example, unit 3 is exactly 0 for every
    example (dead too: ReLU's slope is 0 there), unit 4 is negative except for one example
    (alive), units 5-7 are mixed, and example 2 is <= 0 at every unit.
    """
    Z = np.array(
        [
            [-1.0, -2.0, -0.5, 0.0, -1.0, 1.0, 2.0, -1.0],
            [-3.0, -1.0, -0.1, 0.0, -2.0, 0.5, -1.0, 1.0],
            [-0.5, -0.2, -2.0, 0.0, -0.3, -1.0, -2.0, -0.5],
            [-2.0, -4.0, -1.0, 0.0, 0.7, 2.0, 1.0, 3.0],
            [-1.0, -1.0, -3.0, 0.0, -1.0, -0.4, 0.2, 0.8],
        ]
    )
    yield Z
    rng = np.random.default_rng(11)
    X, W = rng.normal(size=(200, 6)), rng.normal(size=(6, 40)) / np.sqrt(6)
    yield X @ W - 2.5


def _expected_dead(Z):
    return float(np.mean(np.all(Z <= 0, axis=0)))


_DEAD_MISTAKES = [
    Variant(
        "count-not-fraction",
        lambda cases: (
            "You returned the number of dead units "
            f"({_expected_dead(cases[0][0]) * cases[0][0].shape[1]:g}); the exercise asks "
            f"for the fraction, the number divided by the {cases[0][0].shape[1]} units."
        ),
        lambda Z: _expected_dead(Z) * Z.shape[1],
    ),
    Variant(
        "divided-by-examples",
        lambda cases: (
            "You divided the number of dead units by the number of examples, "
            f"{cases[0][0].shape[0]} (len(Z)). The fraction is of the units: divide by "
            f"their number, Z.shape[1] = {cases[0][0].shape[1]}."
        ),
        lambda Z: _expected_dead(Z) * Z.shape[1] / Z.shape[0],
    ),
    Variant(
        "percent",
        "That is a percentage; return a fraction between 0 and 1 instead.",
        lambda Z: 100 * _expected_dead(Z),
    ),
    Variant(
        "alive-fraction",
        "That is the fraction of units that are *alive*: the dead ones are those whose "
        "pre-activation is <= 0 for every example.",
        lambda Z: 1 - _expected_dead(Z),
    ),
    Variant(
        "counted-entries",
        "You counted the entries of Z that are <= 0, but a unit is dead only when its "
        "whole column is <= 0: np.all(Z <= 0, axis=0) gives one True/False per unit.",
        lambda Z: float(np.mean(Z <= 0)),
    ),
    Variant(
        "per-example",
        "You looked along the wrong axis: that is the fraction of *examples* for which "
        "every unit is off. A unit is a column of Z, so test each column: "
        "np.all(Z <= 0, axis=0).",
        lambda Z: float(np.mean(np.all(Z <= 0, axis=1))),
    ),
    Variant(
        "any-not-all",
        "You counted units that are off for *some* example. That is normal for a ReLU unit; "
        "it is dead only when it is off for *every* example: use np.all, not np.any.",
        lambda Z: float(np.mean(np.any(Z <= 0, axis=0))),
    ),
    Variant(
        "strict-inequality",
        "Close: a unit whose pre-activation is exactly 0 for every example is dead too "
        "(ReLU's output and slope are 0 there). Use <= 0, not < 0.",
        lambda Z: float(np.mean(np.all(Z < 0, axis=0))),
    ),
]


def _read_fraction(got):
    """The student's dead fraction as a float (nan included), or the verdict."""
    try:
        array = np.asarray(got) if isinstance(got, np.ndarray | list | tuple) else None
    except ValueError:  # ragged nested lists
        raise Reject(
            "not-a-number",
            "`dead_fraction` should return one number between 0 and 1, but it returned "
            f"{summary(got)}.",
        ) from None
    if array is not None and array.ndim >= 1:
        raise Reject(
            "returned-array",
            "`dead_fraction` should return one number, the fraction of dead units, but it "
            f"returned an array of shape {array.shape}. Take the mean of your per-unit "
            "True/False answers.",
        )
    if isinstance(got, bool | np.bool_) or not isinstance(
        got, int | float | np.integer | np.floating | np.ndarray
    ):
        raise Reject(
            "not-a-number",
            "`dead_fraction` should return a number between 0 and 1, but it returned "
            f"{summary(got)} (of type {type(got).__name__}).",
        )
    return float(got)


dead_fraction = code_checker(
    CodeExercise(
        title="How many units are dead?",
        name="dead_fraction",
        reference=_expected_dead,
        cases=lambda: [(Z,) for Z in _dead_cases()],
        result=lambda got, case, right: _read_fraction(got),
        mistakes=_DEAD_MISTAKES,
        per_case=True,
        rtol=1e-5,
        atol=1e-8,
        unnamed="wrong-values",
        mismatch=lambda case, got, right: (
            f"For a batch of {case[0].shape[0]} examples and {case[0].shape[1]} units the dead "
            f"fraction is {right:g}, but yours is {got:g}. A unit (a column of Z) is dead when "
            "all its entries are <= 0."
        ),
        success=(
            "Right: a unit is dead when its whole column of Z is <= 0 (exact zeros included), "
            "and the answer is a fraction of the units."
        ),
    )
)


@checker("When is half of the layer dead?")
def half_dead_shift(answer, X, W, b):
    """Check the smallest bias shift (a multiple of 0.5) that kills at least half of the
    units of the layer (X, W, b)."""
    require_started(answer, "half_dead_shift")
    value = require_number(answer, "half_dead_shift")
    X, W, b = (np.asarray(a, dtype=float) for a in (X, W, b))
    Z = X @ W + b
    shifts = np.arange(0, 20.5, 0.5)
    fractions = np.array([_expected_dead(Z - shift) for shift in shifts])
    right = float(shifts[np.argmax(fractions >= 0.5)])
    if np.isclose(value, right):
        return (
            f"Lowering every bias by {right:g} leaves {fractions[shifts == right][0]:.0%} of "
            f"the units dead; by {right - 0.5:g}, only "
            f"{fractions[shifts == right - 0.5][0]:.0%}. A shift of a few units is enough to "
            "silence a ReLU layer."
        )
    if value < 0:
        raise Reject(
            "wrong-direction",
            "The shift is the amount by which every bias is *lowered*: use Z - shift with a "
            "positive shift. Raising the biases makes units more active, not dead.",
        )
    if not np.isclose(value * 2, round(value * 2)):
        raise Reject(
            "off-grid",
            f"Try the shifts 0, 0.5, 1, 1.5, ... in turn; {value:g} is not one of them.",
        )
    if value == 0:
        raise Reject(
            "zero-shift",
            "With the biases as they are (shift 0) no unit is dead: every unit is positive for "
            "some example. If your dead_fraction says otherwise, it probably counts entries of Z "
            "or uses np.any instead of np.all: check it with the exercise above.",
        )
    at_value = _expected_dead(Z - value)
    if at_value < 0.5:
        raise Reject(
            "too-small",
            f"At a shift of {value:g} only {at_value:.0%} of the units are dead, less than half. "
            "Lower the biases further.",
        )
    raise Reject(
        "not-the-first",
        f"At a shift of {value:g}, {at_value:.0%} of the units are dead, but a smaller shift "
        "already kills half of them. Look for the first shift, trying 0, 0.5, 1, ... in order.",
    )


# --- Exercise 5: maxout weights that make a Leaky ReLU ----------------------------------


def _maxout_cases():
    rng = np.random.default_rng(5)
    for alpha in (0.2, 0.01, 0.5):
        yield rng.normal(size=(4, 3)), rng.normal(size=3), alpha, rng.normal(size=(9, 4))


_PIECES_MISTAKES = [  # (W2, b2) from (W1, b1, alpha)
    Variant(
        "sign-flipped",
        "The second piece is -alpha z, so for negative z it wins with a positive value: "
        "max(z, -alpha z) is not Leaky ReLU. Drop the minus sign.",
        lambda W1, b1, alpha: (-alpha * W1, -alpha * b1),
    ),
    Variant(
        "slope-inverted",
        lambda cases: (
            f"The second piece is z / alpha, a slope of {1 / cases[0][2]:g}, which wins for "
            "positive z. Multiply by alpha instead of dividing."
        ),
        lambda W1, b1, alpha: (W1 / alpha, b1 / alpha),
    ),
]


def _read_piece(value, name, shape):
    """`W2` or `b2` as a float array of the shape of W1 or b1, or the verdict."""
    why = f"{name} has the shape of {name[0]}1: the second piece has one weighted sum per unit."
    return as_array(value, f"`{name}`", shape, hint=lambda _: why)


@checker("Maxout that computes a Leaky ReLU")
def leaky_pieces(func):
    """Check `func(W1, b1, alpha) -> (W2, b2)` with max(X W1 + b1, X W2 + b2) = leaky ReLU."""
    for W1, b1, alpha, X in _maxout_cases():
        got = call_student(func, "leaky_pieces", W1, b1, alpha)
        if not isinstance(got, tuple | list) or len(got) != 2:
            raise Reject(
                "not-a-pair",
                f"`leaky_pieces` should return the pair (W2, b2), but it returned "
                f"{summary(got)}. End it with `return W2, b2`.",
            )
        W2, b2 = _read_piece(got[0], "W2", W1.shape), _read_piece(got[1], "b2", b1.shape)
        Z1 = X @ W1 + b1
        out = np.maximum(Z1, X @ W2 + b2)
        if np.allclose(out, act.leaky_relu(Z1, alpha)):
            continue
        if np.allclose(out, relu(Z1)):
            raise Reject(
                "built-relu",
                "These pieces make a plain ReLU: the second piece is 0, so negative inputs "
                f"give 0 instead of alpha z. Scale the first piece by alpha = {alpha}: "
                "W2 = alpha W1 and b2 = alpha b1.",
            )
        if np.allclose(W2, alpha * W1) and not np.allclose(b2, alpha * b1):
            raise Reject(
                "bias-not-scaled",
                "W2 = alpha W1 is right, but the bias must be scaled too: the second piece "
                "has to be alpha (x W1 + b1) = x (alpha W1) + alpha b1, so b2 = alpha b1.",
            )
        reject_match([(W2, b2)], [(W1, b1, alpha)], _PIECES_MISTAKES, rtol=1e-5, atol=1e-8)
        raise Reject(
            "wrong-values",
            f"With alpha = {alpha} the maximum of your two pieces differs from Leaky ReLU of "
            "the first piece, z = X W1 + b1. The second piece must equal alpha z for every "
            "input x.",
        )
    return (
        "max(z, alpha z) with z = x W1 + b1 is Leaky ReLU for every slope 0 <= alpha <= 1: "
        "maxout contains it, at the price of a second set of weights."
    )


# --- Exercise 7: tanh's derivative ------------------------------------------------------

_TANH_POINTS = np.array([[-20.0, -2.0, -0.5, 0.0], [0.3, 1.0, 3.0, 20.0]])


_TANH_MISTAKES = [
    Variant(
        "returned-tanh",
        "You returned tanh itself. Its derivative is its slope: 1 - tanh(z)², which is 1 at "
        "z = 0 and falls to 0 as |z| grows.",
        np.tanh,
    ),
    Variant(
        "missing-square",
        "You computed 1 - tanh(z): the square is missing. The slope is 1 - tanh(z)², even "
        "in z (the same for z and -z), while 1 - tanh(z) reaches 2 for very negative z.",
        lambda z: 1 - np.tanh(z),
    ),
    Variant(
        "missing-one-minus",
        "You returned tanh(z)²: the slope is 1 minus that, 1 - tanh(z)², largest (1) at "
        "z = 0 where tanh² is 0.",
        lambda z: np.tanh(z) ** 2,
    ),
    Variant(
        "sigmoid-pattern",
        "You used the sigmoid's pattern, t (1 - t) with t = tanh(z). For tanh the slope is "
        "1 - t² = (1 - t)(1 + t).",
        lambda z: np.tanh(z) * (1 - np.tanh(z)),
    ),
    Variant(
        "sigmoid-derivative",
        "That is the sigmoid's derivative, σ(z)(1 - σ(z)), at most 1/4. tanh's is "
        "1 - tanh(z)², which is 1 at z = 0: tanh is four times steeper there.",
        lambda z: sigmoid(z) * (1 - sigmoid(z)),
    ),
    Variant(
        "sech-not-squared",
        "You returned 1 / cosh(z). The derivative of tanh is 1 / cosh(z)², the square of "
        "that, which equals 1 - tanh(z)².",
        lambda z: 1 / np.cosh(z),
    ),
    Variant(
        "sigmoid-in-formula",
        "You computed 1 - σ(z)², with the sigmoid where tanh belongs: the slope of tanh is "
        "1 - tanh(z)², with t = np.tanh(z).",
        lambda z: 1 - sigmoid(z) ** 2,
    ),
    Variant(
        "doubled-not-squared",
        "You computed 1 - 2 tanh(z): t * 2 where t ** 2 belongs. The slope is 1 - tanh(z)².",
        lambda z: 1 - 2 * np.tanh(z),
    ),
    Variant(
        "plus-not-minus",
        "You computed 1 + tanh(z)², which is at least 1 everywhere. The slope is "
        "1 - tanh(z)², at most 1.",
        lambda z: 1 + np.tanh(z) ** 2,
    ),
]


_TANH = CodeExercise(
    title="tanh's derivative",
    name="tanh_derivative",
    reference=lambda z: 1 - np.tanh(z) ** 2,
    cases=lambda: [(_TANH_POINTS.ravel(),), (_TANH_POINTS,)],
    mistakes=_TANH_MISTAKES,
    per_case=True,
    rtol=1e-4,
    atol=1e-7,
    nonfinite=_nan_or_inf(
        "The slope of tanh lies between 0 and 1 everywhere; 1 - np.tanh(z)**2 never overflows."
    ),
    mismatch=_point_mismatch(lambda case: "At", ("slope", "The formula is 1 - tanh(z)².")),
    what="your slopes",
    success=(
        "Right: 1 at z = 0, where tanh is steepest (four times the sigmoid's 1/4), and "
        "vanishing for |z| = 20, where the unit is saturated."
    ),
)
tanh_derivative = code_checker(_TANH)


# --- Exercise 8: Leaky ReLU ------------------------------------------------------------

_LEAKY_CASES = [
    (np.array([-3.0, -0.5, 0.0, 0.5, 2.0]), 0.01),
    (np.array([[-4.0, 1.5, -0.2], [0.0, -1.0, 3.0]]), 0.2),
]

_LEAKY_MISTAKES = [
    Variant(
        "relu",
        "Your outputs are ReLU's: 0 for every negative input. Leaky ReLU lets a little "
        "through there: alpha * z, a small negative number.",
        lambda z, a: np.maximum(0, z),
    ),
    Variant(
        "max-with-alpha",
        "You computed max(alpha, z), which floors the output at alpha. Leaky ReLU is "
        "max(z, alpha z): the slope alpha multiplies z.",
        lambda z, a: np.maximum(a, z),
    ),
    Variant(
        "constant-alpha",
        "For negative z you return alpha itself. The negative side is a line of slope "
        "alpha: alpha * z.",
        lambda z, a: np.where(z >= 0, z, a),
    ),
    Variant(
        "swapped",
        "Your two sides are swapped: positive inputs get the slope alpha and negative ones "
        "pass unchanged. Leaky ReLU passes z >= 0 unchanged and multiplies z < 0 by alpha.",
        lambda z, a: np.where(z >= 0, a * z, z),
    ),
    Variant(
        "negative-slope",
        "For negative z your outputs are positive: you multiplied by -alpha. The negative "
        "side is alpha * z, which stays negative (a small slope, not a reflection).",
        lambda z, a: np.where(z >= 0, z, -a * z),
    ),
    Variant(
        "identity",
        "You return z unchanged on both sides: the negative side must be multiplied by "
        "the slope alpha.",
        lambda z, a: z,
    ),
    Variant(
        "where-arguments",
        "np.where(condition, a, b) takes the condition first: np.where(z >= 0, z, alpha * z). "
        "Yours passes z as the condition.",
        lambda z, a: np.where(z, z >= 0, a * z),
    ),
    Variant(
        "alpha-ignored",
        "Your negative side always has the slope 0.01, whatever alpha is: use the argument "
        "`alpha`.",
        lambda z, a: np.where(z >= 0, z, 0.01 * z),
    ),
]

leaky_relu = code_checker(
    CodeExercise(
        title="Leaky ReLU",
        name="leaky_relu",
        reference=lambda z, alpha: np.where(z >= 0, z, alpha * z),
        cases=lambda: _LEAKY_CASES,
        mistakes=_LEAKY_MISTAKES,
        per_case=True,
        rtol=1e-4,
        atol=1e-7,
        mismatch=_point_mismatch(
            lambda case: f"With alpha = {case[1]}, at",
            (
                "output",
                "It is z for z >= 0 and alpha * z for z < 0, e.g. np.where(z >= 0, z, alpha * z).",
            ),
        ),
        what="your outputs",
        success=(
            "Right for both slopes: negative inputs keep a small slope alpha, so a unit that "
            "is pushed below 0 still gets a gradient and can recover."
        ),
    )
)


# --- Exercise 9: a sigmoid that is exact at ±1e4 in float32 -----------------------------

_STABLE_POINTS = np.array([-1e4, -100.0, -30.0, -2.0, 0.0, 0.5, 3.0, 40.0, 1e4], np.float32)


def _sigmoid_exact(z):
    """σ(z) computed in float64 by nnlib (stable at any z), rounded to float32 at the end."""
    return sigmoid(z.astype(np.float64)).astype(np.float32)


def _no_overflow(func):
    """Raise "overflow-warning" where the right values come out of an overflow on the way."""
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            harness.run_guarded(func, [_STABLE_POINTS.copy()])
    except FloatingPointError as error:
        raise Reject(
            "overflow-warning",
            f"Your values are right, but computing them overflows ({error}): NumPy warns "
            "with a RuntimeWarning each time, and the right answer comes out only because "
            "1 / (1 + inf) happens to be 0. A common cause is np.where(z >= 0, f(z), g(z)), "
            "which evaluates both formulas on every entry, the one that overflows included. "
            "Compute each formula only on its own entries (out[pos] = ...; out[~pos] = ...) "
            "or on -|z|, which is never positive: e = np.exp(-np.abs(z)).",
        ) from None
    except (Exception, harness.OutOfTime):  # anything else was judged by the first run
        pass


_SIGN_GROUPS = [
    (
        "wrong-for-positive",
        "the inputs z >= 0",
        lambda z: z >= 0,
        "there σ(z) = 1 / (1 + e^-z), with e^-z = e^-|z| between 0 and 1.",
    ),
    (
        "wrong-for-negative",
        "the inputs z < 0",
        lambda z: z < 0,
        "there σ(z) = e^z / (1 + e^z), with e^z = e^-|z| between 0 and 1: the same value "
        "as 1 / (1 + e^-z), top and bottom multiplied by e^z.",
    ),
]


def _read_float32(got, case, right):
    """The student's sigmoid as a float array, or the verdict: float32 in, float32 out."""
    if isinstance(got, np.ndarray) and got.shape == case[0].shape and got.dtype != np.float32:
        raise Reject(
            "changed-dtype",
            f"Given float32 inputs, your function returns {got.dtype}. Keep the dtype the "
            "caller chose (a float64 result doubles the memory of every layer): build the "
            "result from z itself, or cast back with .astype(z.dtype).",
        )
    return as_array(got, "What `stable_sigmoid` returns", case[0].shape)


def _underflow(cases, got, right):
    """The verdict for values right but 0 where σ is a subnormal float32 (z <= -50)."""
    (z,), got, right = cases[0], got[0], right[0]
    if np.allclose(got[z > -50], right[z > -50], rtol=2e-6) and np.all(got[z <= -50] == 0):
        return "underflow", (
            f"Right except far on the negative side: at z = -100 σ is {right[1]:.3g}, which "
            "float32 can still hold (as a subnormal number), but yours is 0. A form that ends "
            "in 1 / (1 + inf) (the plain formula: exp(100) = inf) or in 1 - (a number near 1) "
            "(0.5 (1 + tanh(z / 2))) loses it. For z < 0 compute exp(z) / (1 + exp(z)), whose "
            "exp(z) is tiny but not 0."
        )


def _stable_mismatch(case, got, right):
    i = int(np.flatnonzero(~np.isclose(got, right, rtol=2e-6, atol=3e-45))[0])
    return (
        f"At z = {case[0][i]:g} the sigmoid is {right[i]:.7g} (rounded to float32), but yours "
        f"is {got[i]:.7g}."
    )


stable_sigmoid = code_checker(
    CodeExercise(
        title="A sigmoid that survives ±10,000 in float32",
        name="stable_sigmoid",
        reference=_sigmoid_exact,
        cases=lambda: [(_STABLE_POINTS,)],
        result=_read_float32,
        rtol=2e-6,
        atol=3e-45,
        nonfinite=lambda case, got: (
            f"At z = {case[0][~np.isfinite(got)].tolist()} your result is nan or inf. In float32 "
            "exp(z) overflows to inf beyond z = 88.7, and inf / inf is nan (e^z / (1 + e^z) for "
            "large z). Compute each side with an exponent that is never positive: "
            "1 / (1 + exp(-z)) for z >= 0 and exp(z) / (1 + exp(z)) for z < 0."
        ),
        flaws=[_underflow],
        groups=_SIGN_GROUPS,
        batch=(0,),
        subject="sigmoid",
        mismatch=_stable_mismatch,
        probes=[_no_overflow],
        success=(
            "Exact at every z from -10,000 to 10,000 in float32, subnormal tail included, and "
            "no overflow on the way."
        ),
    )
)


# --- Exercises 10 and 11: a number worked out on paper, and a prediction ----------------


def _sig(z):
    return float(sigmoid(np.array(float(z))))


sigma_prime_at_2 = number_checker(
    NumberExercise(
        title="σ'(2), by hand",
        name="sigma_prime_at_2",
        right=lambda: _sig(2) * (1 - _sig(2)),
        why="σ(2) = 1 / (1 + e^-2) ≈ 0.8808, so σ'(2) = σ(2)(1 - σ(2)) ≈ 0.8808 · 0.1192: "
        "already less than half of the largest slope, 1/4 at z = 0.",
        mistakes=(
            Mistake(
                "used-z",
                lambda: 2 * (1 - 2),
                "You put z = 2 into s(1 - s). The formula is written in the sigmoid's "
                "*output*: first s = σ(2) = 1 / (1 + e^-2), then s(1 - s).",
            ),
            Mistake(
                "returned-sigmoid",
                lambda: _sig(2),
                "That is σ(2) itself, the unit's output. Its slope is σ(2)(1 - σ(2)).",
            ),
            Mistake(
                "max-slope",
                lambda: 0.25,
                "1/4 is the slope at z = 0, the steepest point. At z = 2 the sigmoid has "
                "started to flatten: compute σ(2)(1 - σ(2)).",
            ),
            Mistake(
                "tanh-pattern",
                lambda: 1 - _sig(2) ** 2,
                "You computed 1 - σ(2)², the pattern of tanh's derivative. The sigmoid's is "
                "σ(2)(1 - σ(2)).",
            ),
            Mistake(
                "one-factor",
                lambda: 1 - _sig(2),
                "That is 1 - σ(2) alone: multiply by σ(2) as well.",
            ),
            Mistake(
                "plus-not-minus",
                lambda: _sig(2) * (1 + _sig(2)),
                "You computed σ(2)(1 + σ(2)); the second factor is 1 - σ(2).",
            ),
        ),
    )
)


def _sigmoid_chain_ratio(units=10):
    """Run it: a chain of `units` sigmoid units, each a dense layer of one weight 1 and
    bias -1/2, so that every unit sits at z = 0 (its steepest point) when the first is fed
    0. Backpropagate 1 from the last unit's output with nnlib's layers and return the
    gradient that reaches the first unit's output."""
    A, caches = np.zeros((1, 1)), []
    W, b = np.ones((1, 1)), np.array([-0.5])
    for index in range(units):
        Z, dense_cache = dense_forward(A, W, b if index else np.zeros(1))
        A, act_cache = activation_forward(Z, "sigmoid")
        caches.append((dense_cache, act_cache))
    grad = np.ones((1, 1))
    for dense_cache, act_cache in reversed(caches[1:]):  # back to the first unit's output
        grad, _, _ = dense_backward(activation_backward(grad, act_cache), dense_cache)
    return float(grad[0, 0])


sigmoid_chain_prediction = number_checker(
    NumberExercise(
        title="Predict: a gradient through nine sigmoids",
        name="predicted_factor",
        right=_sigmoid_chain_ratio,
        why="Each sigmoid multiplies the gradient by its slope, at most 1/4 (at z = 0), so "
        "nine of them multiply it by at most (1/4)^9 ≈ 3.8e-6 (here exactly that: every unit sits "
        "at z = 0). That is the vanishing "
        "gradient: the first layers of a deep sigmoid network hardly learn.",
        mistakes=(
            Mistake(
                "one-layer",
                lambda: 0.25,
                "1/4 is what *one* sigmoid does. The gradient passes through nine, and the "
                "chain rule multiplies their slopes.",
            ),
            Mistake(
                "added-not-multiplied",
                lambda: 9 * 0.25,
                "You added the slopes (9 × 1/4). The chain rule multiplies them: (1/4)^9.",
            ),
            Mistake(
                "ten-layers",
                lambda: 0.25**10,
                "(1/4)^10 counts ten slopes. From the last unit's output back to the first "
                "unit's output the gradient passes through the other nine units: nine "
                "slopes.",
            ),
            Mistake(
                "half-per-layer",
                lambda: 0.5**9,
                "1/2 is the sigmoid's *value* at 0, not its slope; the slope there is 1/4.",
            ),
            Mistake(
                "no-change",
                lambda: 1.0,
                "With weights of 1 nothing scales the gradient up again, and every "
                "sigmoid's slope is below 1: it shrinks at every layer.",
            ),
        ),
        rtol=0.05,
        prediction=True,
    )
)
