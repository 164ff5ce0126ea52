"""Checkers for the gradient-descent exercises (exercises/06_gradient_descent.ipynb).

Usage in the notebook: `from nnlib.checks import gradient_descent as check`, then for
example `check.line_step(line_step)`.

The checkers are declarations judged by nnlib.checks.engine: the reference, the cases, and
the typical mistakes as `Variant`s, a mistake named only when it reproduces the student's
numbers on every case; a wrong stable rate no mistake names is judged against its limit
(`flaws`). Two checkers stay functions built from the engine's readers: the mini-batches of
an epoch are random and judged by their properties, and the rate for the bowl by a run.
"""

from __future__ import annotations

import numpy as np

from nnlib.checks import Reject, call_student, checker, require_number
from nnlib.checks.engine import (
    CodeExercise,
    Piece,
    Variant,
    as_array,
    as_number,
    as_parts,
    close,
    code_checker,
    finite,
    recoded,
    summary,
)
from nnlib.checks.numeric import Mistake, NumberExercise, number_checker
from nnlib.optim import minimize, sgd
from nnlib.surfaces import elongated_bowl_grad

_TOL = {"rtol": 1e-7, "atol": 1e-10}


def _number(value, what):
    """`value` as one finite float (`as_number`), under this page's verdict "not-a-number"."""
    return recoded("not-a-number", as_number, value, what)


# 1. One step of gradient descent for a line -----------------------------------------------


def _line_cases():
    rng = np.random.default_rng(6)
    yield (
        0.5,
        -0.2,
        np.array([0.3, 1.2, -0.7, 2.0, 0.9]),
        np.array([1.5, 3.1, -0.2, 5.2, 2.4]),
        0.1,
    )
    x = rng.uniform(0, 2, size=8)
    yield -1.0, 0.7, x, 2 * x + 1 + rng.normal(0, 0.3, size=8), 0.05


def _line_gradients(w, b, x, y):
    residual = x * w + b - y
    return np.mean(2 * residual * x), np.mean(2 * residual)


def _line_step(w, b, x, y, lr):
    """The right step: (new w, new b)."""
    dw, db = _line_gradients(w, b, x, y)
    return w - lr * dw, b - lr * db


def _scaled(factor, part=slice(None)):
    """A step `factor` times the right one (or `factor(x)` times, for len): the pair, or its
    part 0 (w) or 1 (b)."""
    scale = factor if callable(factor) else lambda x: factor
    return lambda w, b, x, y, lr: _line_step(w, b, x, y, scale(x) * lr)[part]


# Both parameters wrong in the same way, or the gradient returned instead of a step.
_LINE_MISTAKES = [
    Variant(
        "returned-gradient",
        "Your function returns the gradient (∂J/∂w, ∂J/∂b) itself. Take the step with it: "
        "return (w − lr ∂J/∂w, b − lr ∂J/∂b).",
        lambda w, b, x, y, lr: _line_gradients(w, b, x, y),
    ),
    Variant(
        "ascent",
        "Both parameters moved uphill: your step adds the gradient instead of subtracting "
        "it, which is gradient ascent and makes the loss larger. The rule is "
        "w := w − α ∂J/∂w (and the same for b). If you did subtract, look at the residual: "
        "with r = y − ŷ the gradient changes sign; it is mean(2 r x) for r = x w + b − y.",
        _scaled(-1.0),
    ),
    Variant(
        "missing-factor-2",
        "Both steps are half as large as they should be: the factor 2 from differentiating "
        "the square is missing. ∂(r²)/∂w = 2 r ∂r/∂w, so ∂J/∂w = mean(2 r x) and "
        "∂J/∂b = mean(2 r), with r = x w + b − y.",
        _scaled(0.5),
    ),
    Variant(
        "summed",
        "Both steps are m times too large (m is the number of examples): you summed the "
        "per-example gradients instead of averaging them. The cost J is the mean loss, so "
        "its gradient is the mean of the per-example gradients: use np.mean, or divide the "
        "sum by len(x).",
        _scaled(len),
    ),
]

_W_MISTAKES = [
    Variant(
        "ascent",
        "Your w moved uphill: subtract α ∂J/∂w from w, do not add it.",
        _scaled(-1.0, 0),
    ),
    Variant(
        "missing-factor-2",
        "Your step for w is half as large as it should be: ∂J/∂w = mean(2 (x w + b − y) x); "
        "the 2 comes from differentiating the square.",
        _scaled(0.5, 0),
    ),
    Variant(
        "summed",
        "Your step for w is m times too large: average the per-example gradients of w "
        "(np.mean), do not sum them.",
        _scaled(len, 0),
    ),
    Variant(
        "w-gradient-missing-x",
        "Your w moved by the gradient of b, mean(2 r): the gradient of w has an extra factor "
        "x, because ∂(x w + b − y)/∂w = x. Use mean(2 r x).",
        lambda w, b, x, y, lr: w - lr * _line_gradients(w, b, x, y)[1],
    ),
    Variant(
        "w-not-updated",
        "Your function returns w unchanged: apply w := w − α ∂J/∂w as well.",
        lambda w, b, x, y, lr: w,
    ),
]

_B_MISTAKES = [
    Variant(
        "ascent",
        "Your b moved uphill: subtract α ∂J/∂b from b, do not add it.",
        _scaled(-1.0, 1),
    ),
    Variant(
        "missing-factor-2",
        "Your step for b is half as large as it should be: ∂J/∂b = mean(2 (x w + b − y)); "
        "the 2 comes from differentiating the square.",
        _scaled(0.5, 1),
    ),
    Variant(
        "summed",
        "Your step for b is m times too large: average the per-example gradients of b "
        "(np.mean), do not sum them.",
        _scaled(len, 1),
    ),
    Variant(
        "b-not-updated",
        "Your w is right, but b comes back unchanged: the bias learns too. Apply "
        "b := b − α ∂J/∂b with ∂J/∂b = mean(2 (x w + b − y)).",
        lambda w, b, x, y, lr: b,
    ),
    Variant(
        "b-with-w-gradient",
        "Your b moved by the gradient of w. Each parameter has its own gradient: "
        "∂J/∂b = mean(2 r), without the factor x that ∂J/∂w has.",
        lambda w, b, x, y, lr: b - lr * _line_gradients(w, b, x, y)[0],
    ),
    Variant(
        "b-after-new-w",
        "Your b's gradient was computed with the already updated w. One step of gradient "
        "descent uses the gradient at the current point for every parameter: compute both "
        "gradients first, then change w and b.",
        lambda w, b, x, y, lr: b - lr * _line_gradients(_line_step(w, b, x, y, lr)[0], b, x, y)[1],
    ),
]


def _new_value(value, label):
    """One part of the pair `line_step` returns: a number, where an array of one value per
    example is named as such."""
    try:
        array = as_array(value, label)
    except Reject:
        array = None
    if array is not None and array.ndim == 1 and array.size > 1:
        raise Reject(
            "per-example",
            f"Your {label} is an array of {array.size} numbers, one per example. The step "
            "uses one gradient per parameter: the mean of the per-example gradients, "
            "np.mean(...).",
        )
    return _number(value, f"Your {label}")


def _line_pair(got, case, right):
    if isinstance(got, np.ndarray) and got.shape == (2,):
        got = tuple(got)  # two numbers in an array are a pair too
    labels = ("new_w", "new_b")
    parts = recoded("not-a-pair", as_parts, got, labels, "`line_step(w, b, x, y, lr)`")
    return [_new_value(value, label) for value, label in zip(parts, labels, strict=True)]


def _batch(case):
    return "the first batch" if len(case[2]) == 5 else "the second batch"  # of 5, 8 examples


def _new_w_differs(case, got, right):
    w, b, x, y, lr = case
    return (
        f"For w = {w}, b = {b}, lr = {lr} and {_batch(case)}, the new w should be "
        f"{right:.6f}; yours is {got:.6f}. With r = x w + b − y, ∂J/∂w = mean(2 r x) and "
        "new_w = w − lr ∂J/∂w."
    )


def _new_b_differs(case, got, right):
    return (
        f"Your new w is right. For {_batch(case)} the new b should be {right:.6f}; yours is "
        f"{got:.6f}. ∂J/∂b = mean(2 (x w + b − y))."
    )


def _part(i, differs, mistakes):
    """New w (i = 0) or new b (1), judged on its own; w and b are the case's first two."""
    label = f"new {'wb'[i]}"
    pick, start = (lambda pair: pair[i]), (lambda case: case[i])
    return Piece(label, pick, None, differs, mistakes, what=f"your {label}", start=start)


# `line_step(w, b, x, y, lr) -> (new_w, new_b)`: one step on the mean of (x w + b − y)² over
# the batch. Past the mistakes of the pair, new w is judged, then new b: what no mistake of a
# part names goes to the inputs the answer ignores, then to the shared relations on that part.
line_step = code_checker(
    CodeExercise(
        title="One step of gradient descent for a line",
        name="line_step",
        reference=_line_step,
        cases=_line_cases,
        result=_line_pair,
        mistakes=_LINE_MISTAKES,
        pieces=[_part(0, _new_w_differs, _W_MISTAKES), _part(1, _new_b_differs, _B_MISTAKES)],
        arguments=("w", "b", "x", "y", "lr"),
        batch=(2, 3),
        parts=("new w", "new b"),
        mismatch=_new_w_differs,  # not reached: a wrong pair has a wrong part
        success="Right: both parameters step against the mean gradient of the batch.",
        **_TOL,
    )
)


# 2. The chain rule -------------------------------------------------------------------------


def _chain_rule(x):
    return float(np.exp(np.sin(x**2)) * np.cos(x**2) * 2 * x)


chain_rule_derivative = code_checker(
    CodeExercise(
        title="The chain rule on exp(sin x²)",
        name="chain_rule_derivative",
        reference=_chain_rule,
        cases=lambda: [(x,) for x in (0.3, 1.1, -0.8, 2.0, -1.7, 1.6)],
        result=lambda got, case, right: _number(got, f"`chain_rule_derivative({case[0]})`"),
        mistakes=[
            Variant(
                "missing-2x",
                "You have e^(sin x²) · cos(x²), but the chain does not stop there: the "
                "innermost function x² has its own derivative, 2x. Multiply by it.",
                lambda x: np.exp(np.sin(x**2)) * np.cos(x**2),
            ),
            Variant(
                "missing-factor-2",
                "Almost: your answer is half the right one. The derivative of x² is 2x, not x.",
                lambda x: np.exp(np.sin(x**2)) * np.cos(x**2) * x,
            ),
            Variant(
                "missing-cos",
                "Your answer is e^(sin x²) · 2x: the middle link is missing. The derivative "
                "of sin(u) is cos(u), so a factor cos(x²) belongs between the outer and "
                "inner derivatives.",
                lambda x: np.exp(np.sin(x**2)) * 2 * x,
            ),
            Variant(
                "sin-instead-of-cos",
                "You used sin(x²) where the derivative of sin belongs: d/du sin(u) = cos(u). "
                "The middle factor is cos(x²).",
                lambda x: np.exp(np.sin(x**2)) * np.sin(x**2) * 2 * x,
            ),
            Variant(
                "sign-error",
                "Your answer has the right size but the wrong sign. d/du sin(u) = +cos(u) (it "
                "is the derivative of cos that carries a minus), and the derivative of e^v is "
                "+e^v.",
                lambda x: -np.exp(np.sin(x**2)) * np.cos(x**2) * 2 * x,
            ),
            Variant(
                "cos-of-x",
                "The middle factor must be evaluated where sin was: at u = x². You wrote "
                "cos(x); use cos(x**2).",
                lambda x: np.exp(np.sin(x**2)) * np.cos(x) * 2 * x,
            ),
            Variant(
                "missing-exp",
                "Your answer is cos(x²) · 2x: the outermost link is missing. The derivative "
                "of e^v is e^v itself, evaluated at v = sin(x²): multiply by "
                "np.exp(np.sin(x**2)).",
                lambda x: np.cos(x**2) * 2 * x,
            ),
            Variant(
                "returned-function",
                "Your function returns y = e^(sin x²) itself, not its derivative.",
                lambda x: np.exp(np.sin(x**2)),
            ),
        ],
        mismatch=lambda case, got, right: (
            f"At x = {case[0]} the derivative is {right:.6f}, but your function returned "
            f"{got:.6f}. Write the chain u = x², v = sin(u), y = e^v and multiply the three "
            "local derivatives dy/dv · dv/du · du/dx."
        ),
        what="your derivatives",
        success=(
            "Right: e^(sin x²) · cos(x²) · 2x, one factor per link of the chain. "
            "(A finite difference agrees at every x tried.)"
        ),
        **_TOL,
    )
)


# 3. The largest stable learning rate --------------------------------------------------------

_CURVATURES = (0.5, 2.0, 10.0, 3.7)

_INVERTED = (
    "Your answer grows with a, but a steeper bowl (larger a) needs smaller steps: the answer "
    "should shrink like 1/a."
)

_LR_MISTAKES = [
    Variant(
        "used-a-as-curvature",
        "Your answer is 2/a: the rule 2/curvature with a as the curvature. But the curvature "
        "of a w² is its second derivative, f''(w) = 2a, so the limit is 2/(2a).",
        lambda a: 2 / a,
    ),
    Variant(
        "one-step-rate",
        "Your answer is 1/(2a), the rate that lands on the minimum in a single step (the "
        "fastest one). Larger rates still converge, by overshooting less and less: the limit "
        "is twice as large.",
        lambda a: 1 / (2 * a),
    ),
    Variant("inverted", _INVERTED, lambda a: a),
    Variant("inverted", _INVERTED, lambda a: 2 * a),
]


def _diverges(a, lr, steps=400):
    """Whether gradient descent on f(w) = a w² from w = 1 fails to shrink w."""
    w = 1.0
    with np.errstate(all="ignore"):
        for _ in range(steps):
            w -= lr * 2 * a * w
    return not abs(w) < 1.0  # an overflow ends as inf or nan: diverged too


def _against_limit(cases, got, right):
    """A rate no variant names, against the limit 1/a: not positive, too large or too small."""
    wrong = [(a, v) for (a,), v in zip(cases, got, strict=True) if not close(v, 1 / a, **_TOL)]
    a, value = next(((a, v) for a, v in wrong if v <= 0), wrong[0])
    if value <= 0:
        return "not-positive", (
            f"For a = {a} you returned {value}. A learning rate must be positive: with "
            "α ≤ 0 the step goes uphill or nowhere."
        )
    if value > 1 / a:
        at = "already at 0.99 × that rate" if _diverges(a, 0.99 * value) else "at that rate"
        return "too-large", (
            f"For a = {a} you returned {value:.6g}, but {at} gradient descent does not "
            "converge: every rate from the limit up fails. Write one step as "
            "w := w − α · 2a w = (1 − 2aα) w and ask when |1 − 2aα| < 1."
        )
    return "too-small", (
        f"For a = {a} you returned {value:.6g}, but rates up to {1 / a:.6g} converge too. "
        "Write one step as w := (1 − 2aα) w and ask when |1 − 2aα| < 1."
    )


largest_stable_lr = code_checker(
    CodeExercise(
        title="The largest stable learning rate",
        name="largest_stable_lr",
        reference=lambda a: 1 / a,
        cases=lambda: [(a,) for a in _CURVATURES],
        result=lambda got, case, right: _number(got, f"`largest_stable_lr({case[0]})`"),
        mistakes=_LR_MISTAKES,
        flaws=[_against_limit],
        mismatch=None,  # `_against_limit` judges every rate no variant names
        success="Right: w is multiplied by 1 − 2aα each step, which shrinks it exactly when "
        "0 < α < 1/a. (At α = 1/a it flips sign for ever without shrinking.)",
        **_TOL,
    )
)


# 4. Pick a learning rate ---------------------------------------------------------------------

BOWL_START = (-2.5, 1.0)
BOWL_STEPS = 60
BOWL_TOLERANCE = 1e-3


@checker("A learning rate for the elongated bowl")
def bowl_learning_rate(lr):
    """Check that `lr` takes gradient descent on the elongated bowl from BOWL_START to
    within BOWL_TOLERANCE of the minimum in BOWL_STEPS steps."""
    lr = require_number(lr, "lr")
    if lr <= 0:
        raise Reject(
            "not-positive",
            f"lr = {lr} does not go downhill: the learning rate must be a positive number.",
        )
    with np.errstate(all="ignore"):
        path = minimize(elongated_bowl_grad, BOWL_START, sgd(lr), BOWL_STEPS)
    distance = float(np.linalg.norm(path[-1]))
    x_factor, y_factor = abs(1 - lr), abs(1 - 10 * lr)
    if distance < BOWL_TOLERANCE:
        return (
            f"Right: after {BOWL_STEPS} steps the point is {distance:.1e} from the minimum. "
            f"Each step multiplies x by {1 - lr:.3f} and y by {1 - 10 * lr:.3f}; the best "
            "rate, 2/(1 + 10) ≈ 0.18, makes both shrink equally fast."
        )
    if np.isclose(y_factor, 1) and lr > 0.1:
        raise Reject(
            "diverges",
            f"With lr = {lr:g} the run never settles: each step multiplies y by 1 − 10·lr = "
            f"{1 - 10 * lr:.3f}, so y flips sign for ever without shrinking. That is the "
            "limit itself; the steep direction (curvature 10) needs lr below 2/10.",
        )
    if y_factor >= 1:
        raise Reject(
            "diverges",
            f"With lr = {lr:g} the run diverges: each step multiplies y by 1 − 10·lr = "
            f"{1 - 10 * lr:.3f}, which is at least 1 in size, so y zig-zags ever wider. The "
            "steep direction (curvature 10) needs lr < 2/10.",
        )
    if y_factor > x_factor:
        raise Reject(
            "zig-zag-too-slow",
            f"With lr = {lr:g} the run converges, but too slowly: after {BOWL_STEPS} steps it is "
            f"still {distance:.1e} from the minimum. Each step multiplies y by "
            f"{1 - 10 * lr:.3f}, so y zig-zags across the valley and shrinks only a little "
            "each time. A slightly smaller rate damps the zig-zag.",
        )
    raise Reject(
        "too-slow",
        f"With lr = {lr:g} the run is still {distance:.2g} from the minimum after "
        f"{BOWL_STEPS} steps: each step multiplies x by only {1 - lr:.3f}, so the run crawls "
        "along the flat direction of the valley. Take a larger rate, as large as the steep "
        "direction allows.",
    )


# 5. The mini-batches of one epoch ------------------------------------------------------------


def _minibatch_cases():
    return ((10, 3, 0), (12, 4, 1), (5, 8, 2), (7, 1, 3), (100, 32, 4))


def _as_batches(got, name, m):
    """The student's batches as a list of 1-D integer arrays of indices 0..m-1."""
    if isinstance(got, np.ndarray) and got.ndim == 2:
        got = list(got)
    if isinstance(got, str | bytes | dict) or not hasattr(got, "__iter__"):
        raise Reject(
            "not-a-list",
            f"`{name}` should return a list of index arrays, one per mini-batch, but it "
            f"returned {summary(got)}.",
        )
    batches = []
    try:
        items = list(got)
    except Exception as err:
        raise Reject(
            "raised", f"Going through your batches raised {type(err).__name__}: {err}"
        ) from None
    what, kind = "One of your mini-batches", "a 1-D array of example indices"
    for batch in items:
        array = recoded("not-indices", as_array, batch, what, kind=kind)
        if array.ndim != 1 or not finite(array):
            raise Reject("not-indices", f"{what} should be {kind}, but it is {summary(batch)}.")
        if not np.all(array == np.round(array)):
            raise Reject(
                "not-indices",
                f"A mini-batch holds the indices (row numbers) of its examples, whole numbers; "
                f"one of yours is {np.round(array, 3).tolist()}.",
            )
        outside = array[(array < 0) | (array >= m)]
        if outside.size:
            raise Reject(
                "out-of-range",
                f"One of your batches contains the index {outside[0]:g}, but the {m} examples "
                f"are numbered 0 to {m - 1}.",
            )
        batches.append(array.astype(int))
    return batches


@checker("The mini-batches of one epoch")
def minibatches(func):
    """Check `func(m, batch_size, seed)`: a seeded shuffle of 0..m-1 cut into consecutive
    batches of `batch_size`, the last one possibly smaller."""
    name = "minibatches"
    for m, size, seed in _minibatch_cases():
        batches = _as_batches(call_student(func, name, m, size, seed), name, m)
        call = f"`{name}({m}, {size}, {seed})`"
        if not batches:
            raise Reject("empty", f"{call} returned no batches at all.")
        every = np.concatenate(batches)
        counts = np.bincount(every, minlength=m)
        missing = int(np.sum(counts == 0))
        full = len(every) == m - m % size and all(len(b) == size for b in batches)
        if missing and m % size and full and counts.max() == 1:
            raise Reject(
                "dropped-last",
                f"{call} covers only {len(every)} of the {m} examples: the last, smaller "
                f"batch of {m % size} is missing. An epoch visits every example once, so keep "
                "the leftover examples as a final batch.",
            )
        if counts.max() > 1:
            twice = int(np.argmax(counts > 1))
            # Windows that each start one position after the last: batch k + 1 is batch k
            # shifted by one, `order[i : i + batch_size]` for i = 0, 1, 2, ...
            sliding = len(batches) > 1 and all(
                len(later) > 1 and np.array_equal(later[:-1], earlier[1:])
                for earlier, later in zip(batches, batches[1:], strict=False)
                if len(earlier) == len(later)
            )
            cause = (
                ". Your batches start one position apart, so they overlap: step the start by "
                "the batch size, range(0, m, batch_size)."
                if sliding
                else ". Drawing each batch separately at random (with or without replacement) "
                "does that; shuffle one permutation of 0..m-1 (rng.permutation(m)) and cut it "
                "into pieces."
            )
            raise Reject(
                "repeats",
                f"In {call} the example {twice} appears {counts.max()} times"
                + (f" and {missing} examples never appear" if missing else "")
                + cause,
            )
        if missing:
            raise Reject(
                "misses",
                f"{call} leaves out {missing} of the {m} examples. One epoch must visit each "
                "example exactly once.",
            )
        sizes = [len(b) for b in batches]
        if any(s != size for s in sizes[:-1]) or not 1 <= sizes[-1] <= size:
            raise Reject(
                "uneven-sizes",
                f"{call} makes batches of sizes {sizes}. Every batch should hold exactly "
                f"batch_size = {size} examples, except the last, which holds what is left.",
            )
        if m >= 7 and np.array_equal(every, np.arange(m)):
            raise Reject(
                "not-shuffled",
                f"{call} visits the examples in their stored order. Shuffle them first "
                "(np.random.default_rng(seed).permutation(m)), so that each mini-batch is a "
                "random sample of the data.",
            )
        again = _as_batches(call_student(func, name, m, size, seed), name, m)
        if len(again) != len(batches) or not all(
            np.array_equal(a, b) for a, b in zip(again, batches, strict=True)
        ):
            raise Reject(
                "not-seeded",
                f"Calling {call} twice gives different batches. Make the shuffle depend on "
                "the seed only: rng = np.random.default_rng(seed), then rng.permutation(m).",
            )
    m, size, seed = _minibatch_cases()[-1]
    first = np.concatenate(_as_batches(call_student(func, name, m, size, seed), name, m))
    other = np.concatenate(_as_batches(call_student(func, name, m, size, seed + 1), name, m))
    if np.array_equal(first, other):
        raise Reject(
            "ignores-seed",
            f"Seeds {seed} and {seed + 1} give the same order of examples: your function "
            "ignores its `seed`. Create the generator from it: np.random.default_rng(seed).",
        )
    return (
        "Right: every example exactly once per epoch, in a shuffled order that the seed "
        "decides, cut into batches of batch_size with a smaller last one."
    )


# 6 and 7. A step by hand, and a prediction -------------------------------------------------


def _parabola_step(w=0.0, lr=0.1):
    """One gradient step on f(w) = (w - 3)², run with nnlib's sgd."""
    path = minimize(lambda v: 2 * (v - 3), np.array([w]), sgd(lr), 1)
    return float(path[-1, 0])


one_step_by_hand = number_checker(
    NumberExercise(
        title="One step by hand",
        name="w_after_one_step",
        right=_parabola_step,
        why="f'(w) = 2(w - 3) = -6 at w = 0, so the step is -lr · (-6) = +0.6: the "
        "parameter moves towards the minimum at 3, by a tenth of the slope.",
        mistakes=(
            Mistake(
                "ascent",
                lambda: 0.0 + 0.1 * 2 * (0 - 3),
                "-0.6 goes uphill: you added lr · f'(w). Gradient descent subtracts it, "
                "w - lr · f'(w).",
            ),
            Mistake(
                "missing-factor-2",
                lambda: 0.0 - 0.1 * (0 - 3),
                "You used f'(w) = w - 3; the derivative of (w - 3)² is 2(w - 3).",
            ),
            Mistake(
                "jumped-to-minimum",
                lambda: 3.0,
                "3 is where f is smallest, but one step moves only lr times the slope from w = 0.",
            ),
            Mistake(
                "returned-gradient",
                lambda: 2 * (0 - 3),
                "-6 is the slope f'(0) itself. The step is w - lr · f'(w).",
            ),
        ),
    )
)


def _diverging_run(lr=1.05, steps=20):
    """Gradient descent on f(x) = x² from x = 1 with nnlib's sgd: |x| after `steps`."""
    path = minimize(lambda v: 2 * v, np.array([1.0]), sgd(lr), steps)
    return float(abs(path[-1, 0]))


diverging_prediction = number_checker(
    NumberExercise(
        title="Predict: a learning rate just past the limit",
        name="predicted_distance",
        right=_diverging_run,
        why="Each step multiplies x by 1 - 2 lr = -1.1: the sign flips and the distance grows "
        "by 10 % a step, 1.1^20 ≈ 6.7 after 20. On f = x² (curvature 2) the limit is "
        "lr < 2/2 = 1; just past it, descent does not slow down, it diverges.",
        mistakes=(
            Mistake(
                "converges",
                lambda: 0.0,
                "0 would be a run that converges. With lr above 2 / curvature = 1 each step "
                "overshoots the minimum by more than it started from.",
            ),
            Mistake(
                "oscillates",
                lambda: 1.0,
                "1 is what lr = 1 exactly gives: x jumps between 1 and -1 for ever. At 1.05 "
                "each jump is 10 % longer than the last.",
            ),
            Mistake(
                "one-step",
                lambda: 1.1,
                "1.1 is the distance after one step: each of the 20 steps multiplies it by "
                "1.1 again.",
            ),
            Mistake(
                "added-growth",
                lambda: 1 + 20 * 0.1,
                "You added 10 % per step (1 + 20 · 0.1). The growth compounds: 1.1^20.",
            ),
        ),
        rtol=0.1,
        prediction=True,
    )
)
