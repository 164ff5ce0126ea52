"""Checkers for the regularisation exercises (exercises/09_regularization.ipynb).

Usage in the notebook: `from nnlib.checks import regularization as check`, then for example
`check.max_norm_project(max_norm_project)`.

Each checker runs the student's answer on cases whose right answers nnlib computes. When an
answer is wrong it tries the typical mistakes one by one, and names a mistake only when it
reproduces the student's numbers on every case.
"""

from __future__ import annotations

import warnings

import numpy as np

from nnlib.checks import (
    Reject,
    array_text,
    call_student,
    checker,
    explain_by_arguments,
    kind_of,
    values_differ,
)
from nnlib.checks.numeric import Mistake, NumberExercise, number_checker
from nnlib.regularization import (
    batchnorm_forward,
    dropout_forward,
    l2_grad,
    l2_penalty,
    max_norm,
)

_RTOL, _ATOL = 1e-6, 1e-9


def _as_array(value, what):
    """The student's value as a float array, or a verdict naming what it should be."""
    if isinstance(value, str | bytes | dict | bool | complex | np.bool_) or value is None:
        raise Reject("wrong-type", f"{what} should be an array of numbers, got {kind_of(value)}.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Reject(
            "wrong-type", f"{what} should be an array of numbers, got {kind_of(value)}."
        ) from None


def _as_number(value, what):
    if isinstance(value, bool | np.bool_) or value is None or value is Ellipsis:
        raise Reject("wrong-type", f"{what} should be a single number, got {kind_of(value)}.")
    try:
        array = np.asarray(value, dtype=float)
        if array.ndim != 0:
            raise TypeError("not a single number")
        number = float(array)
    except (TypeError, ValueError):
        raise Reject(
            "wrong-type", f"{what} should be a single number, got {kind_of(value)}."
        ) from None
    if not np.isfinite(number):
        raise Reject("not-finite", f"{what} is {number}; it should be a finite number.")
    return number


def _close(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return False
    with np.errstate(all="ignore"):
        return bool(np.all(np.isfinite(a))) and np.allclose(a, b, rtol=_RTOL, atol=_ATOL)


def _diagnose(got, mistakes):
    """Raise the first mistake whose prediction matches `got` on every case.

    `got` is a list of the student's results, one per case; `mistakes` is a list of
    `(code, predictions, message)` with one prediction per case (a code may appear twice,
    for two ways of writing the same mistake)."""
    for code, predictions, message in mistakes:
        if all(_close(g, p) for g, p in zip(got, predictions, strict=True)):
            raise Reject(code, message)


# 1. The L2 penalty and its gradient --------------------------------------------------------


def _l2_cases():
    rng = np.random.default_rng(90)
    for sizes, lam in (([3, 4, 2], 0.1), ([2, 5, 3, 2], 0.03)):
        params = [
            {"W": rng.normal(size=(n_in, n_out)), "b": rng.normal(size=n_out)}
            for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)
        ]
        yield params, lam


def _penalty_mistakes(cases):
    """What the typical wrong penalties give on each case."""

    def each(formula):
        return [formula(params, lam) for params, lam in cases]

    def sq(params, key):
        return [float(np.sum(layer[key] ** 2)) for layer in params]

    return [
        (
            "penalised-bias",
            each(lambda p, lam: lam * (sum(sq(p, "W")) + sum(sq(p, "b")))),
            "Your penalty includes the biases. Sum the squares of the weight matrices W only: "
            "a bias shifts a unit's threshold without making the network more sensitive to its "
            "input, so it is not penalised.",
        ),
        (
            "half-penalty",
            each(lambda p, lam: lam / 2 * sum(sq(p, "W"))),
            "Your penalty is (λ/2) Σ W², half of what the exercise asks. Here the penalty is "
            "λ Σ W², without the ½ (the ½ belongs to the other convention, and then the "
            "gradient would be λW).",
        ),
        (
            "double-penalty",
            each(lambda p, lam: 2 * lam * sum(sq(p, "W"))),
            "Your penalty is 2λ Σ W², twice the exercise's λ Σ W². The factor 2 belongs to "
            "the gradient, not to the penalty itself.",
        ),
        (
            "missing-lambda",
            each(lambda p, lam: sum(sq(p, "W"))),
            "Your penalty is Σ W² without the strength λ: multiply by `lam`.",
        ),
        (
            "last-layer-only",
            each(lambda p, lam: lam * sq(p, "W")[-1]),
            "Your penalty counts only the last layer's weights. Sum the squares over the "
            "weights of every layer in the list.",
        ),
        (
            "first-layer-only",
            each(lambda p, lam: lam * sq(p, "W")[0]),
            "Your penalty counts only the first layer's weights (did the `return` end up "
            "inside the loop?). Sum over every layer in the list.",
        ),
        (
            "not-squared",
            each(lambda p, lam: lam * sum(float(np.sum(layer["W"])) for layer in p)),
            "Your penalty sums the weights themselves, so positive and negative weights "
            "cancel. Square each weight first: λ Σ W².",
        ),
        (
            "absolute-values",
            each(lambda p, lam: lam * sum(float(np.sum(np.abs(layer["W"]))) for layer in p)),
            "Your penalty is λ Σ |W|, the L1 penalty. The L2 penalty squares the weights: λ Σ W².",
        ),
        (
            "mean-not-sum",
            each(lambda p, lam: lam * sum(float(np.mean(layer["W"] ** 2)) for layer in p)),
            "Your penalty averages the squared weights within each layer. The L2 penalty "
            "sums them: every weight counts once, whatever the size of its layer.",
        ),
        (
            "norm-not-squared",
            each(lambda p, lam: lam * sum(float(np.linalg.norm(layer["W"])) for layer in p)),
            "Your penalty adds up each layer's norm ‖W‖, the square root of its sum of "
            "squares. The penalty is the sum of squares itself, with no square root.",
        ),
    ]


def _grad_mistakes(cases, layer_of):
    """What the typical wrong weight gradients give, for the layer picked by `layer_of`."""

    def each(formula):
        return [formula(layer_of(params), lam) for params, lam in cases]

    return [
        (
            "missing-factor-2",
            each(lambda layer, lam: lam * layer["W"]),
            "Your weight gradient is λW, but the derivative of λ W² is 2λW: the exponent "
            "comes down as a factor 2.",
        ),
        (
            "gradient-sign",
            each(lambda layer, lam: -2 * lam * layer["W"]),
            "Your weight gradient has the wrong sign: the derivative of λ W² is +2λW. (The "
            "minus sign belongs to the update step, W ← W − α·gradient, not to the gradient.)",
        ),
        (
            "gradient-missing-lambda",
            each(lambda layer, lam: 2 * layer["W"]),
            "Your weight gradient is 2W: the strength λ is missing. It is 2λW.",
        ),
        (
            "stray-factor",
            each(lambda layer, lam: 4 * lam * layer["W"]),
            "Your weight gradient is 4λW, twice too large. The derivative of λ W² is 2λW.",
        ),
        (
            "gradient-is-penalty",
            each(lambda layer, lam: lam * layer["W"] ** 2),
            "Your weight gradient is λW², the penalty of each weight, not its derivative. "
            "Differentiate: d(λ w²)/dw = 2λw.",
        ),
    ]


@checker("The L2 penalty and its gradient")
def l2_penalty_and_grads(func):
    """Check `func(params, lam) -> (penalty, grads)` with penalty = λ Σ_l Σ W² and grads a
    list of {"W": 2λW, "b": zeros} per layer."""
    cases = list(_l2_cases())
    penalties, grads_list = [], []
    for params, lam in cases:
        got = call_student(func, "l2_penalty_and_grads", params, lam)
        if not isinstance(got, tuple | list) or len(got) != 2:
            raise Reject(
                "not-a-pair",
                "`l2_penalty_and_grads` should return a pair (penalty, grads), "
                f"got {kind_of(got)}.",
            )
        penalty = _as_number(got[0], "The penalty (the first thing you return)")
        grads = got[1]
        if not isinstance(grads, list | tuple) or len(grads) != len(params):
            raise Reject(
                "wrong-grads-structure",
                f"The gradients should be a list with one dict per layer ({len(params)} "
                f'here), each like {{"W": ..., "b": ...}}; got {kind_of(grads)}.',
            )
        for number, grad in enumerate(grads, start=1):
            if not isinstance(grad, dict) or "W" not in grad or "b" not in grad:
                raise Reject(
                    "wrong-grads-structure",
                    f'The gradient of layer {number} should be a dict with keys "W" and "b", '
                    f"got {kind_of(grad)}.",
                )
        penalties.append(penalty)
        grads_list.append(
            [
                {
                    "W": _as_array(g["W"], f'The gradient "W" of layer {n}'),
                    "b": _as_array(g["b"], f'The gradient "b" of layer {n}'),
                }
                for n, g in enumerate(grads, start=1)
            ]
        )

    # The penalty first: its mistakes are the easiest to see.
    right = [l2_penalty([layer["W"] for layer in params], lam) for params, lam in cases]
    if not all(np.isclose(p, r, rtol=_RTOL) for p, r in zip(penalties, right, strict=True)):
        _diagnose(penalties, _penalty_mistakes(cases))
        raise Reject(
            "wrong-penalty",
            f"For the first case (λ = {cases[0][1]}) the penalty should be {right[0]:.6g}, "
            f"yours is {penalties[0]:.6g}. It is λ times the sum of the squares of every "
            "weight of every layer, biases excluded.",
        )

    for index in range(len(cases[0][0])):
        layer_grads = [grads[index] for grads in grads_list]
        params_at = [params[index] for params, _ in cases]
        for got, layer in zip(layer_grads, params_at, strict=True):
            if got["b"].shape != layer["b"].shape:
                if got["b"].size == 1 and float(got["b"].ravel()[0]) == 0:
                    raise Reject(
                        "bias-grad-shape",
                        f"The bias gradient of layer {index + 1} is a single 0; make it an array "
                        f"of zeros shaped like b, {layer['b'].shape} (np.zeros_like(b)), so "
                        "that an optimiser can add it to b.",
                    )
                raise Reject(
                    "bias-grad-shape",
                    f'The gradient "b" of layer {index + 1} should have the shape of b, '
                    f"{layer['b'].shape}; yours has shape {got['b'].shape}.",
                )
        got_b = [g["b"] for g in layer_grads]
        if not all(_close(g, 0 * layer["b"]) for g, layer in zip(got_b, params_at, strict=True)):
            if all(
                _close(g, 2 * lam * layer["b"])
                for g, layer, (_, lam) in zip(got_b, params_at, cases, strict=True)
            ):
                raise Reject(
                    "decayed-bias",
                    "Your bias gradient is 2λb: the biases are being decayed. The penalty "
                    "does not contain b, so its gradient with respect to b is zero.",
                )
            raise Reject(
                "bias-gradient",
                f"The penalty λ Σ W² does not contain the biases, so its gradient with respect "
                f"to b is zero; for layer {index + 1} yours is {array_text(got_b[0])}.",
            )
        got_w = [g["W"] for g in layer_grads]
        for g, layer in zip(got_w, params_at, strict=True):
            if g.shape != layer["W"].shape:
                raise Reject(
                    "wrong-shape",
                    f'The gradient "W" of layer {index + 1} should have the shape of W, '
                    f"{layer['W'].shape}; yours has shape {g.shape}.",
                )
        right_w = [
            l2_grad(layer["W"], lam) for layer, (_, lam) in zip(params_at, cases, strict=True)
        ]
        if all(_close(g, r) for g, r in zip(got_w, right_w, strict=True)):
            continue
        _diagnose(got_w, _grad_mistakes(cases, lambda params, i=index: params[i]))
        raise Reject(
            "wrong-gradient",
            f"The weight gradient of layer {index + 1} is wrong. The derivative of λ Σ W² with "
            "respect to each weight w is 2λw, so the gradient is 2λW, an array shaped like W.",
        )
    return (
        "Right: the penalty λ Σ W² over the weights of every layer, the gradient 2λW for each "
        "weight matrix, and zero for every bias."
    )


# 2. Inverted dropout -----------------------------------------------------------------------


def _dropout_cases():
    rng = np.random.default_rng(91)
    for shape, p in (((4, 5), 0.3), ((6, 3), 0.6)):
        A = rng.normal(size=shape)
        u = rng.random(shape)
        yield A, p, u


def _dropout_mistakes(cases):
    def each(formula):
        return [formula(A, p, u) for A, p, u in cases]

    return [
        (
            "not-masked",
            each(lambda A, p, u: A / (1 - p)),
            "Every unit is scaled by 1 / (1 − p), but none is dropped: the mask is missing. "
            "Keep an entry only where u >= p (multiply by the mask u >= p) and set the "
            "others to 0.",
        ),
        (
            "divided-by-1-plus-p",
            each(lambda A, p, u: A * (u >= p) / (1 + p)),
            "You divide the kept units by 1 + p. The probability of keeping a unit is "
            "1 − p: divide by that.",
        ),
        (
            "not-scaled",
            each(lambda A, p, u: A * (u >= p)),
            "You drop the right units but do not scale the kept ones. Divide them by 1 − p, "
            "so that each unit's expected output stays equal to its activation (that is what "
            "makes it *inverted* dropout, and lets evaluation use the plain activations).",
        ),
        (
            "scaled-by-p",
            each(lambda A, p, u: A * (u >= p) * p),
            "You multiply the kept units by p. The kept ones must be divided by the "
            "probability of keeping, 1 − p: E = (1 − p) · a / (1 − p) = a.",
        ),
        (
            "scaled-by-1-over-p",
            each(lambda A, p, u: A * (u >= p) / p),
            "You divide the kept units by p, the probability of dropping. Divide by the "
            "probability of keeping, 1 − p.",
        ),
        (
            "scaled-by-keep",
            each(lambda A, p, u: A * (u >= p) * (1 - p)),
            "You multiply the kept units by 1 − p, which makes the expected output (1 − p)² a. "
            "Inverted dropout *divides* by 1 − p.",
        ),
        (
            "drops-1-minus-p",
            each(lambda A, p, u: A * (u < p) / (1 - p)),
            "You keep the units where u < p, so each unit is kept with probability p and "
            "dropped with probability 1 − p: the reverse of what is asked. Keep a unit where "
            "u >= p.",
        ),
        (
            "drops-1-minus-p-scaled-by-p",
            each(lambda A, p, u: A * (u < p) / p),
            "You keep the units where u < p (so a unit is kept with probability p) and divide "
            "by p. In this exercise p is the probability of *dropping*: keep where u >= p and "
            "divide by 1 − p.",
        ),
        (
            "returned-mask",
            each(lambda A, p, u: (u >= p) / (1 - p)),
            "You return the scaled mask itself. Multiply the activations A by it and return "
            "the result.",
        ),
    ]


@checker("Inverted dropout")
def inverted_dropout(func):
    """Check `func(A, p, u, training)`: in training A ∘ (u >= p) / (1 − p); in evaluation A."""
    cases = list(_dropout_cases())
    got_all = []
    for A, p, u in cases:
        # Dropping and scaling A in place gives the right output too: a note, not a verdict.
        got = call_student(func, "inverted_dropout", A, p, u, True, changes="note")
        if isinstance(got, tuple) and len(got) == 2:
            raise Reject(
                "returned-pair",
                "Your function returns a pair. This exercise asks for the output array only "
                "(nnlib's `dropout_forward` also returns the mask; yours need not).",
            )
        got = _as_array(got, "The output")
        if got.shape != A.shape:
            raise Reject(
                "wrong-shape",
                f"For A of shape {A.shape} the output should have the same shape; yours has "
                f"shape {got.shape}.",
            )
        got_all.append(got)
    right = [A * (u >= p) / (1 - p) for A, p, u in cases]
    if not all(_close(g, r) for g, r in zip(got_all, right, strict=True)):
        _diagnose(got_all, _dropout_mistakes(cases))
        A, p, u = cases[0]
        found = explain_by_arguments(
            func,
            "inverted_dropout",
            [(*case, True) for case in cases],
            ("A", "p", "u", "training"),
            lambda A, p, u, training: A * (u >= p) / (1 - p),
            changes="note",
        )
        if found:
            raise Reject(*found)
        raise values_differ(
            f"In training mode, with p = {p}: keep each entry where u >= p, set the others to "
            f"0, and divide the kept ones by 1 − p = {1 - p:g}. For the first row of the "
            f"first case the answer is {array_text(right[0][0])}; yours is "
            f"{array_text(got_all[0][0])}.",
            got_all,
            right,
            what="your outputs",
        )
    for A, p, u in cases:
        got = _as_array(
            call_student(func, "inverted_dropout", A, p, u, False, changes="note"), "The output"
        )
        if _close(got, A):
            continue
        if _close(got, A / (1 - p)) or _close(got, A * (1 - p)):
            raise Reject(
                "scaled-in-evaluation",
                "Training mode is right, but in evaluation mode (training=False) you scale "
                "the activations. With inverted dropout the scaling already happened in "
                "training: evaluation returns A unchanged.",
            )
        if _close(got, A * (u >= p) / (1 - p)) or _close(got, A * (u >= p)):
            raise Reject(
                "dropped-in-evaluation",
                "Training mode is right, but in evaluation mode (training=False) you still "
                "drop units. At evaluation every unit is used: return A unchanged.",
            )
        raise Reject(
            "wrong-evaluation",
            "Training mode is right, but in evaluation mode (training=False) the function "
            "should return A unchanged: no units dropped, nothing scaled.",
        )
    return (
        "Right: in training each unit is dropped with probability p and the kept ones are "
        "divided by 1 − p; in evaluation the activations pass unchanged."
    )


# 3. Max-norm -------------------------------------------------------------------------------


def _max_norm_cases():
    # Columns longer and shorter than c in each case, and rows whose norms differ from the
    # columns', so that every mistake below gives numbers of its own.
    W1 = np.array(
        [
            [3.0, 0.2, -1.0, 0.5],
            [4.0, -0.1, 2.0, 0.3],
            [0.0, 0.3, 2.0, -0.4],
        ]
    )
    W2 = np.random.default_rng(92).normal(scale=[[0.3, 2.0, 1.0, 4.0, 0.2]], size=(6, 5))
    return [(W1, 1.5), (W2, 2.5)]


def _max_norm_mistakes(cases):
    def each(formula):
        return [formula(W, c) for W, c in cases]

    def col(W):
        return np.linalg.norm(W, axis=0, keepdims=True)

    def row(W):
        return np.linalg.norm(W, axis=1, keepdims=True)

    return [
        (
            "max-not-min",
            each(lambda W, c: W * np.maximum(1, c / col(W))),
            "You scale by max(1, c / norm): the long columns stay as they are and the short "
            "ones grow to norm c. Max-norm shrinks only the long ones: min(1, c / norm).",
        ),
        (
            "mean-not-sum",
            each(lambda W, c: W * np.minimum(1, c / np.sqrt(np.mean(W**2, axis=0, keepdims=True)))),
            "Your column norms are the root of the *mean* of the squares: a column's norm "
            "is the root of their sum, ‖w‖ = sqrt(Σ w²) (np.linalg.norm(W, axis=0)).",
        ),
        (
            "rows-not-columns",
            each(lambda W, c: W * np.minimum(1, c / row(W))),
            "You bound the norm of each *row* of W. A unit's incoming weights are a column "
            "of W (shape (n_in, n_out): one column per unit), so take the norms over axis 0.",
        ),
        (
            "every-column-to-c",
            each(lambda W, c: W * c / col(W)),
            "You rescale every column to norm c, the short ones too. Max-norm only shrinks "
            "the columns longer than c and leaves the others alone: multiply by "
            "min(1, c / norm).",
        ),
        (
            "unit-norm",
            each(lambda W, c: np.where(col(W) > c, W / col(W), W)),
            "You divide the long columns by their norm, which gives them norm 1, not c. "
            "Multiply by c as well: W[:, j] · c / ‖W[:, j]‖.",
        ),
        (
            "every-column-to-1",
            each(lambda W, c: W / col(W)),
            "You divide every column by its norm, so all have norm 1. Max-norm leaves "
            "columns shorter than c alone and scales the longer ones to norm c.",
        ),
        (
            "clipped-entries",
            each(lambda W, c: np.clip(W, -c, c)),
            "You clip each weight to [−c, c]. Max-norm bounds the *length* of each column "
            "and rescales the whole column, keeping its direction.",
        ),
        (
            "squared-norm",
            each(lambda W, c: W * np.minimum(1, c / col(W) ** 2)),
            "You compare c with the sum of squares of each column. The norm is the square "
            "root of that sum: np.linalg.norm(W, axis=0).",
        ),
        (
            "whole-matrix-norm",
            each(lambda W, c: W * min(1.0, c / np.linalg.norm(W))),
            "You rescale the whole matrix by its total norm. The bound is per unit: each "
            "column of W separately.",
        ),
    ]


@checker("The max-norm projection")
def max_norm_project(func):
    """Check `func(W, c)`: columns of W with norm > c rescaled to norm c, the others kept."""
    cases = _max_norm_cases()
    got_all = []
    for W, c in cases:
        got = call_student(func, "max_norm_project", W, c)
        got = _as_array(got, "The projected matrix")
        if got.shape != W.shape:
            raise Reject(
                "wrong-shape",
                f"For W of shape {W.shape} the result should have the same shape; yours has "
                f"shape {got.shape}.",
            )
        got_all.append(got)
    right = [max_norm(W, c) for W, c in cases]
    if all(_close(g, r) for g, r in zip(got_all, right, strict=True)):
        return (
            "Right: every column longer than c now has norm exactly c, in its old direction, "
            "and the shorter columns are untouched."
        )
    _diagnose(got_all, _max_norm_mistakes(cases))
    W, c = cases[0]
    found = explain_by_arguments(func, "max_norm_project", cases, ("W", "c"), max_norm)
    if found:
        raise Reject(*found)
    raise values_differ(
        f"For the first case (c = {c}) the column norms should become "
        f"{array_text(np.linalg.norm(right[0], axis=0))}; yours are "
        f"{array_text(np.linalg.norm(got_all[0], axis=0))}. Multiply each column by "
        "min(1, c / its norm).",
        got_all,
        right,
        start=[W for W, _ in cases],
        what="your clipped weights",
    )


# 4. Early stopping -------------------------------------------------------------------------


def _stop(losses, patience, slack=0, strict=True):
    """The 1-based epoch of the lowest loss seen before `patience + slack` epochs in a row
    without a strictly lower one (with `strict=False`, a tie counts as lower: a mistake)."""
    best_epoch, best = 0, np.inf
    for epoch, loss in enumerate(losses, start=1):
        if loss < best or (not strict and loss == best):
            best_epoch, best = epoch, loss
        elif epoch - best_epoch >= patience + slack:
            break
    return best_epoch


def _stop_epoch(losses, patience, at_end=None):
    """The epoch in which training stops; if it never does, `at_end` (by default the last
    epoch)."""
    best_epoch, best = 0, np.inf
    for epoch, loss in enumerate(losses, start=1):
        if loss < best:
            best_epoch, best = epoch, loss
        elif epoch - best_epoch >= patience:
            return epoch
    return len(losses) if at_end is None else at_end


_EARLY_CASES = [
    # A dip right after patience runs out, and a lower one much later: neither is seen.
    (
        [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.4, 0.35, 0.3, 0.28, 0.25, 0.26],
        [1.0, 0.8, 0.6, 0.65, 0.62, 0.7, 0.5, 0.66, 0.68, 0.69, 0.7, 0.71, 0.3],
        3,
    ),
    # An improvement after patience − 1 bad epochs: stopping one epoch early misses it.
    (
        [2.0, 1.5, 1.2, 1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.35],
        [1.2, 1.0, 1.1, 1.05, 0.8, 0.85, 0.9, 0.86, 0.6, 0.7, 0.65],
        3,
    ),
    # The best epoch is the first one, and training runs to the end without stopping.
    ([0.9, 0.7, 0.5, 0.4, 0.45], [0.5, 0.6, 0.7, 0.55, 0.52], 5),
    # Patience 1: stop at the first epoch that is not an improvement.
    ([1.0, 0.8, 0.85, 0.5, 0.4, 0.3], [0.9, 0.7, 0.75, 0.4, 0.3, 0.2], 1),
    # A tie is not an improvement: epoch 1 stays the best, and patience keeps counting.
    ([0.9, 0.8, 0.7, 0.6], [0.5, 0.5, 0.6, 0.7], 2),
]


def _early_mistakes():
    cases = _EARLY_CASES

    def each(formula):
        return [formula(train, val, patience) for train, val, patience in cases]

    return [
        (
            "zero-based",
            each(lambda t, v, k: _stop(v, k) - 1),
            "Each answer is one less than the right epoch: you return a Python index, which "
            "starts at 0. Epochs are counted from 1 (the loss after the first epoch is "
            "val_losses[0]).",
        ),
        (
            "ignores-patience",
            each(lambda t, v, k: int(np.argmin(v)) + 1),
            "You return the epoch with the lowest validation loss over the whole list. "
            "Training stops once `patience` epochs in a row bring no improvement; a lower "
            "loss after that point is never seen.",
        ),
        (
            "ignores-patience-zero-based",
            each(lambda t, v, k: int(np.argmin(v))),
            "You return np.argmin of all the validation losses: that is a 0-based index, and "
            "it also looks past the point where training stops. Count epochs from 1, and stop "
            "once `patience` epochs in a row bring no improvement.",
        ),
        (
            "stop-epoch",
            each(lambda t, v, k: _stop_epoch(v, k)),
            "You return the epoch in which training stops. Early stopping keeps the "
            "parameters of the *best* epoch, the one with the lowest validation loss before "
            "the stop.",
        ),
        (
            "stop-epoch",
            each(lambda t, v, k: _stop_epoch(v, k, at_end=_stop(v, k))),
            "You return the epoch in which training stops. Early stopping keeps the "
            "parameters of the *best* epoch, the one with the lowest validation loss before "
            "the stop.",
        ),
        (
            "last-epoch",
            each(lambda t, v, k: len(v)),
            "You return the last epoch. Early stopping keeps the epoch with the lowest "
            "validation loss, and may stop long before the end.",
        ),
        (
            "training-loss",
            each(lambda t, v, k: _stop(t, k)),
            "You watch the training loss. It keeps falling as the network overfits; early "
            "stopping watches the *validation* loss.",
        ),
        (
            "training-loss-argmin",
            each(lambda t, v, k: int(np.argmin(t)) + 1),
            "You return the epoch with the lowest training loss. Early stopping watches the "
            "*validation* loss, which turns up when overfitting starts.",
        ),
        (
            "not-strict",
            each(lambda t, v, k: _stop(v, k, strict=False)),
            "A tie counts as an improvement in your code (`<=`). An epoch that only equals "
            "the best loss so far is not better: use `<`, so that the earlier epoch is kept "
            "and patience keeps counting.",
        ),
        (
            "stops-too-early",
            each(lambda t, v, k: _stop(v, k, slack=-1)),
            "You stop one epoch too early: after patience − 1 epochs without improvement. "
            "Training should go on until `patience` epochs in a row have brought no new "
            "lowest validation loss.",
        ),
        (
            "stops-too-late",
            each(lambda t, v, k: _stop(v, k, slack=1)),
            "You stop one epoch too late: after patience + 1 epochs without improvement. "
            "Stop as soon as `patience` epochs in a row have brought no new lowest "
            "validation loss.",
        ),
    ]


@checker("Early stopping")
def early_stopping_epoch(func):
    """Check `func(train_losses, val_losses, patience)` -> the 1-based epoch to keep."""
    got_all = []
    for train, val, patience in _EARLY_CASES:
        got = call_student(func, "early_stopping_epoch", list(train), list(val), patience)
        if isinstance(got, bool | np.bool_) or not isinstance(got, int | float | np.number):
            raise Reject(
                "wrong-type",
                "`early_stopping_epoch` should return an epoch number (an int), "
                f"got {kind_of(got)}.",
            )
        if not np.isfinite(got) or got != int(got):
            raise Reject(
                "not-an-epoch",
                f"`early_stopping_epoch` returned {got!r}, which is not a whole number. Return "
                "the epoch, not a loss.",
            )
        got_all.append(int(got))
    right = [_stop(val, patience) for _, val, patience in _EARLY_CASES]
    if got_all == right:
        return (
            "Right: the epoch with the lowest validation loss, counted from 1, among the "
            "epochs seen before patience ran out."
        )
    _diagnose(got_all, _early_mistakes())
    for (_, val, patience), g, r in zip(_EARLY_CASES, got_all, right, strict=True):
        if g != r:
            raise Reject(
                "wrong-epoch",
                f"With validation losses {val} and patience {patience}, the epoch to keep is "
                f"{r}; yours is {g}. Walk through the epochs from 1, remember the best "
                "validation loss so far, and stop after `patience` epochs in a row without a "
                "strictly lower one.",
            )
    raise Reject("wrong-epoch", "Some epochs are wrong.")  # unreachable: got_all != right


# 5. Batch normalisation --------------------------------------------------------------------


def _bn_cases():
    rng = np.random.default_rng(93)
    # Columns on very different scales, one of them almost constant (its variance, about
    # 1e-8, is far below eps), so that where eps goes makes a visible difference.
    Z1 = rng.normal(loc=[3.0, -1.0, 0.5], scale=[2.0, 0.5, 1e-4], size=(6, 3))
    Z2 = rng.normal(loc=[0.0, 10.0, -4.0, 1.0], scale=[1.0, 3.0, 0.2, 1e-4], size=(5, 4))
    for Z in (Z1, Z2):
        n = Z.shape[1]
        yield Z, rng.uniform(0.5, 2.0, size=n), rng.normal(size=n), 1e-5


def _bn_mistakes(cases):
    def each(formula):
        return [formula(Z, g, b, eps) for Z, g, b, eps in cases]

    def stats(Z, axis, ddof=0):
        return Z.mean(axis=axis, keepdims=True), Z.var(axis=axis, ddof=ddof, keepdims=True)

    def standard(Z, axis=0, ddof=0, eps=1e-5):
        mu, var = stats(Z, axis, ddof)
        return (Z - mu) / np.sqrt(var + eps)

    return [
        (
            "over-features",
            each(lambda Z, g, b, eps: g * standard(Z, axis=1, eps=eps) + b),
            "You standardise each *row* (one example over its units). Batch normalisation "
            "standardises each column, one unit over the batch: mean and variance with "
            "axis=0.",
        ),
        (
            "no-gamma-beta",
            each(lambda Z, g, b, eps: standard(Z, eps=eps)),
            "You return the standardised values x̂ without the learned scale and shift. "
            "Finish with γ · x̂ + β.",
        ),
        (
            "gamma-beta-swapped",
            each(lambda Z, g, b, eps: b * standard(Z, eps=eps) + g),
            "γ and β are swapped: γ scales (multiplies) x̂ and β shifts it: γ · x̂ + β.",
        ),
        (
            "missing-eps",
            each(lambda Z, g, b, eps: g * (Z - Z.mean(axis=0)) / Z.std(axis=0) + b),
            "You divide by the standard deviation without ε. A unit that hardly varies over "
            "the batch then gets blown up to ±1 (or divided by zero). Divide by "
            "sqrt(σ² + ε).",
        ),
        (
            "eps-outside-sqrt",
            each(lambda Z, g, b, eps: g * (Z - Z.mean(axis=0)) / (Z.std(axis=0) + eps) + b),
            "You divide by σ + ε; the formula is sqrt(σ² + ε), with ε added to the variance "
            "inside the square root. The difference shows on units that hardly vary.",
        ),
        (
            "unbiased-variance",
            each(lambda Z, g, b, eps: g * standard(Z, ddof=1, eps=eps) + b),
            "You use the unbiased variance (dividing by m − 1). Batch normalisation uses the "
            "batch's own variance, the mean of the squared deviations: np.var with the "
            "default ddof=0.",
        ),
        (
            "not-centred",
            each(lambda Z, g, b, eps: g * Z / np.sqrt(Z.var(axis=0) + eps) + b),
            "You divide by the spread but do not subtract the batch mean first: "
            "x̂ = (z − μ) / sqrt(σ² + ε).",
        ),
        (
            "whole-batch-statistics",
            each(lambda Z, g, b, eps: g * (Z - Z.mean()) / np.sqrt(Z.var() + eps) + b),
            "You use one mean and one variance for the whole array. Each unit (column) gets "
            "its own: Z.mean(axis=0), Z.var(axis=0).",
        ),
    ]


def _bn_standardisation(func, Z):
    """With γ = 1 and β = 0 every column of the output has mean 0 and variance 1 (to ε):
    say which of the two fails."""
    n = Z.shape[1]
    try:
        out = _as_array(
            call_student(func, "batchnorm", Z, np.ones(n), np.zeros(n), 1e-12), "The output"
        )
    except Reject:
        return None
    if out.shape != Z.shape or not np.all(np.isfinite(out)):
        return None
    if not np.allclose(out.mean(axis=0), 0, atol=1e-6):
        return (
            "not-centred",
            "With γ = 1 and β = 0 your output's columns should have mean 0, and they have "
            f"means {array_text(out.mean(axis=0))}: the centring is wrong. Subtract each "
            "column's mean over the batch, μ = Z.mean(axis=0), from that column.",
        )
    right_var = batchnorm_forward(Z, np.ones(n), np.zeros(n), 1e-12)[0].var(axis=0)
    if not np.allclose(out.var(axis=0), right_var, rtol=1e-4, atol=1e-8):
        return (
            "not-unit-variance",
            "With γ = 1 and β = 0 your output's columns have mean 0, as they should, but "
            f"variances {array_text(out.var(axis=0))} instead of 1 (ε aside): the scaling is "
            "wrong. "
            "Divide by sqrt(σ² + ε), σ² = Z.var(axis=0) the variance over the batch.",
        )
    return None


@checker("Batch normalisation, forward")
def batchnorm(func):
    """Check `func(Z, gamma, beta, eps)` = γ (Z − μ) / sqrt(σ² + ε) + β, per column."""
    cases = list(_bn_cases())
    got_all = []
    for Z, gamma, beta, eps in cases:
        got = call_student(func, "batchnorm", Z, gamma, beta, eps)
        if isinstance(got, tuple) and len(got) == 2:
            raise Reject(
                "returned-pair",
                "Your function returns a pair. This exercise asks for the output array only "
                "(nnlib's `batchnorm_forward` also returns a cache; yours need not).",
            )
        got = _as_array(got, "The output")
        if got.shape != Z.shape:
            raise Reject(
                "wrong-shape",
                f"For Z of shape {Z.shape} the output should have the same shape; yours has "
                f"shape {got.shape}.",
            )
        got_all.append(got)
    right = [batchnorm_forward(Z, g, b, eps)[0] for Z, g, b, eps in cases]
    if all(_close(g, r) for g, r in zip(got_all, right, strict=True)):
        return (
            "Right: each column standardised with the batch's mean and variance (ε inside the "
            "square root), then scaled by γ and shifted by β."
        )
    _diagnose(got_all, _bn_mistakes(cases))
    found = _bn_standardisation(func, cases[0][0]) or explain_by_arguments(
        func,
        "batchnorm",
        cases,
        ("Z", "gamma", "beta", "eps"),
        lambda Z, g, b, eps: batchnorm_forward(Z, g, b, eps)[0],
    )
    if found:
        raise Reject(*found)
    raise values_differ(
        f"For the first case the first row should be {array_text(right[0][0])}; yours is "
        f"{array_text(got_all[0][0])}. Per column: μ = mean over the batch, σ² = variance over "
        "the batch, x̂ = (z − μ) / sqrt(σ² + ε), out = γ · x̂ + β.",
        got_all,
        right,
        what="your outputs",
    )


# A number by hand, and a prediction ---------------------------------------------------------


dropout_scale_by_hand = number_checker(
    NumberExercise(
        title="Inverted dropout's scale, by hand",
        name="kept_scale",
        right=lambda: float(np.mean(_dropout_kept_ratio(0.2))),
        why="With p = 0.2 a unit is kept with probability 0.8, so its expected output is "
        "0.8 · scale · a; for that to equal a, the kept units are multiplied by "
        "1 / 0.8 = 1.25.",
        mistakes=(
            Mistake(
                "keep-probability",
                lambda: 0.8,
                "0.8 is the probability of keeping a unit. Multiplying by it shrinks the "
                "expected output to 0.64 a; inverted dropout divides by it.",
            ),
            Mistake(
                "one-over-p",
                lambda: 5.0,
                "1 / p divides by the probability of *dropping*. Divide by the probability "
                "of keeping, 1 - p = 0.8.",
            ),
            Mistake(
                "drop-probability",
                lambda: 0.2,
                "0.2 is p, the probability of dropping a unit, not the scale of the kept ones.",
            ),
            Mistake(
                "one-plus-p",
                lambda: 1.2,
                "1 + p = 1.2 is close but not it: the scale must make 0.8 · scale = 1, so "
                "scale = 1 / 0.8 = 1.25.",
            ),
        ),
    )
)


def _dropout_kept_ratio(p):
    """Run it: inverted dropout from the chapter's rule on a batch of ones, with nnlib's
    dropout_forward; the value of the kept entries (all equal)."""
    out, mask = dropout_forward(np.ones((200, 50)), p, np.random.default_rng(0))
    return out[mask != 0]


def _decayed_weight(lam=0.1, lr=0.5, steps=10):
    """Run it: `steps` gradient steps on the L2 penalty λ Σ w² alone, from w = 1, with
    nnlib's l2_grad."""
    W = np.ones((1, 1))
    for _ in range(steps):
        W = W - lr * l2_grad(W, lam)
    return float(W[0, 0])


weight_decay_prediction = number_checker(
    NumberExercise(
        title="Predict: ten steps of weight decay",
        name="predicted_weight",
        right=_decayed_weight,
        why="The penalty λ Σ w² has the gradient 2 λ w, so each step multiplies w by "
        "1 - 2 · lr · λ = 0.9: after ten steps w = 0.9^10 ≈ 0.35. That is why L2 is "
        "called weight decay: without a data gradient to push back, weights shrink "
        "geometrically, never quite to 0.",
        mistakes=(
            Mistake(
                "half-penalty",
                lambda: 0.95**10,
                "0.95^10 is the decay for the penalty (λ/2) Σ w², whose gradient is λ w. "
                "This chapter's penalty is λ Σ w², with gradient 2 λ w: 0.9 a step.",
            ),
            Mistake(
                "linear-decay",
                lambda: 1 - 10 * 0.1,
                "Subtracting the same amount every step would be L1's pull (a constant). "
                "L2's pull is proportional to w, so the steps shrink with it: 0.9^10.",
            ),
            Mistake(
                "one-step",
                lambda: 0.9,
                "0.9 is w after one step; each of the ten multiplies by 0.9 again.",
            ),
            Mistake(
                "no-change",
                lambda: 1.0,
                "Even without any data the penalty's own gradient, 2 λ w, pulls w towards 0 "
                "at every step.",
            ),
        ),
        rtol=0.05,
        prediction=True,
    )
)
