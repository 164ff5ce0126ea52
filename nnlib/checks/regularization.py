"""Checkers for the regularisation exercises (exercises/09_regularization.ipynb).

Usage in the notebook: `from nnlib.checks import regularization as check`, then for example
`check.max_norm_project(max_norm_project)`.

The checkers are declarations judged by nnlib.checks.engine: the cases, the right answer,
and the typical mistakes, each a `Variant` named only when it reproduces the student's
numbers on every case. The L2 penalty and its gradients are judged part by part (`Piece`).
"""

from __future__ import annotations

from dataclasses import replace
from operator import itemgetter

import numpy as np

from nnlib.checks import Reject, array_text, call_student, kind_of
from nnlib.checks.engine import (
    CodeExercise,
    Piece,
    Variant,
    as_array,
    as_number,
    close,
    code_checker,
    reject_match,
)
from nnlib.checks.numeric import Mistake, NumberExercise, number_checker
from nnlib.regularization import (
    batchnorm_forward,
    dropout_forward,
    l2_grad,
    l2_penalty,
    max_norm,
)


def _output_like(argument, what, also=None):
    """A reader for an answer that returns one array shaped like its first argument
    (named `argument`). With `also` (what nnlib's version returns besides), a pair returned
    instead gets its own verdict."""

    def read(got, case, right=None):
        if also and isinstance(got, tuple) and len(got) == 2:
            raise Reject(
                "returned-pair",
                "Your function returns a pair. This exercise asks for the output array only "
                f"({also}; yours need not).",
            )
        hint = f"It must keep the shape of {argument}."
        return as_array(got, what, np.shape(case[0]), hint=lambda _: hint)

    return read


# 1. The L2 penalty and its gradient --------------------------------------------------------


def _l2_cases():
    rng = np.random.default_rng(90)
    for sizes, lam in (([3, 4, 2], 0.1), ([2, 5, 3, 2], 0.03)):
        params = [
            {"W": rng.normal(size=(n_in, n_out)), "b": rng.normal(size=n_out)}
            for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)
        ]
        yield params, lam


_L2_CASES = list(_l2_cases())


def _squares(params, key):
    """The sum of the squares of `key` in each layer."""
    return [float(np.sum(layer[key] ** 2)) for layer in params]


def _sums(params, entry):
    """The sum over the layers of the sum of `entry(W)` over each weight matrix."""
    return sum(float(np.sum(entry(layer["W"]))) for layer in params)


# Wrong penalties, as functions of (params, lam).
_PENALTY_MISTAKES = [
    Variant(
        "penalised-bias",
        "Your penalty includes the biases. Sum the squares of the weight matrices W only: "
        "a bias shifts a unit's threshold without making the network more sensitive to its "
        "input, so it is not penalised.",
        lambda p, lam: lam * (sum(_squares(p, "W")) + sum(_squares(p, "b"))),
    ),
    Variant(
        "half-penalty",
        "Your penalty is (λ/2) Σ W², half of what the exercise asks. Here the penalty is "
        "λ Σ W², without the ½ (the ½ belongs to the other convention, and then the "
        "gradient would be λW).",
        lambda p, lam: lam / 2 * sum(_squares(p, "W")),
    ),
    Variant(
        "double-penalty",
        "Your penalty is 2λ Σ W², twice the exercise's λ Σ W². The factor 2 belongs to "
        "the gradient, not to the penalty itself.",
        lambda p, lam: 2 * lam * sum(_squares(p, "W")),
    ),
    Variant(
        "missing-lambda",
        "Your penalty is Σ W² without the strength λ: multiply by `lam`.",
        lambda p, lam: sum(_squares(p, "W")),
    ),
    Variant(
        "last-layer-only",
        "Your penalty counts only the last layer's weights. Sum the squares over the "
        "weights of every layer in the list.",
        lambda p, lam: lam * _squares(p, "W")[-1],
    ),
    Variant(
        "first-layer-only",
        "Your penalty counts only the first layer's weights (did the `return` end up "
        "inside the loop?). Sum over every layer in the list.",
        lambda p, lam: lam * _squares(p, "W")[0],
    ),
    Variant(
        "not-squared",
        "Your penalty sums the weights themselves, so positive and negative weights "
        "cancel. Square each weight first: λ Σ W².",
        lambda p, lam: lam * _sums(p, lambda W: W),
    ),
    Variant(
        "absolute-values",
        "Your penalty is λ Σ |W|, the L1 penalty. The L2 penalty squares the weights: λ Σ W².",
        lambda p, lam: lam * _sums(p, np.abs),
    ),
    Variant(
        "mean-not-sum",
        "Your penalty averages the squared weights within each layer. The L2 penalty "
        "sums them: every weight counts once, whatever the size of its layer.",
        lambda p, lam: lam * sum(float(np.mean(layer["W"] ** 2)) for layer in p),
    ),
    Variant(
        "norm-not-squared",
        "Your penalty adds up each layer's norm ‖W‖, the square root of its sum of "
        "squares. The penalty is the sum of squares itself, with no square root.",
        lambda p, lam: lam * sum(float(np.linalg.norm(layer["W"])) for layer in p),
    ),
]

# Wrong gradients of one layer, as functions of (layer, lam).
_GRAD_MISTAKES = [
    Variant(
        "missing-factor-2",
        "Your weight gradient is λW, but the derivative of λ W² is 2λW: the exponent "
        "comes down as a factor 2.",
        lambda layer, lam: lam * layer["W"],
    ),
    Variant(
        "gradient-sign",
        "Your weight gradient has the wrong sign: the derivative of λ W² is +2λW. (The "
        "minus sign belongs to the update step, W ← W − α·gradient, not to the gradient.)",
        lambda layer, lam: -2 * lam * layer["W"],
    ),
    Variant(
        "gradient-missing-lambda",
        "Your weight gradient is 2W: the strength λ is missing. It is 2λW.",
        lambda layer, lam: 2 * layer["W"],
    ),
    Variant(
        "stray-factor",
        "Your weight gradient is 4λW, twice too large. The derivative of λ W² is 2λW.",
        lambda layer, lam: 4 * lam * layer["W"],
    ),
    Variant(
        "gradient-is-penalty",
        "Your weight gradient is λW², the penalty of each weight, not its derivative. "
        "Differentiate: d(λ w²)/dw = 2λw.",
        lambda layer, lam: lam * layer["W"] ** 2,
    ),
]

_BIAS_MISTAKES = [
    Variant(
        "decayed-bias",
        "Your bias gradient is 2λb: the biases are being decayed. The penalty "
        "does not contain b, so its gradient with respect to b is zero.",
        lambda layer, lam: 2 * lam * layer["b"],
    ),
]


def _read_l2(got, case, right=None):
    """The student's (penalty, grads) as a number and a list of {"W", "b"} arrays."""
    params = case[0]
    if not isinstance(got, tuple | list) or len(got) != 2:
        raise Reject(
            "not-a-pair",
            f"`l2_penalty_and_grads` should return a pair (penalty, grads), got {kind_of(got)}.",
        )
    penalty = as_number(got[0], "The penalty (the first thing you return)")
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
    return penalty, [
        {key: as_array(g[key], f'The gradient "{key}" of layer {n}') for key in ("W", "b")}
        for n, g in enumerate(grads, start=1)
    ]


def _l2_right(params, lam):
    """The penalty and the gradients, {"W": 2λW, "b": 0} per layer."""
    grads = [{"W": l2_grad(layer["W"], lam), "b": 0 * layer["b"]} for layer in params]
    return l2_penalty([layer["W"] for layer in params], lam), grads


def _wrong_penalty(case, got, right):
    which = "first" if case is _L2_CASES[0] else "second"
    return (
        f"For the {which} case (λ = {case[1]}) the penalty should be {right:.6g}, yours is "
        f"{got:.6g}. It is λ times the sum of the squares of every weight of every layer, "
        "biases excluded."
    )


def _on_layer(compute, index):
    """`compute(layer, lam)` as a function of a case (params, lam): its value on the layer
    `index`, 0 for a network without it."""
    return lambda params, lam: compute(params[index], lam) if index < len(params) else 0.0


def _layer_pieces(index):
    """Layer `index`'s bias gradient, then its weight gradient, each with its mistakes (all
    0 in a network without that layer)."""
    number = index + 1

    def pick(key):
        return lambda result: result[1][index][key] if index < len(result[1]) else 0.0

    def on_layer(mistakes):
        return [replace(m, compute=_on_layer(m.compute, index)) for m in mistakes]

    def bias(case, got, right):
        if got.shape == right.shape:
            return (
                "The penalty λ Σ W² does not contain the biases, so its gradient with respect "
                f"to b is zero; for layer {number} yours is {array_text(got)}."
            )
        if got.size == 1 and float(got.ravel()[0]) == 0:
            raise Reject(
                "bias-grad-shape",
                f"The bias gradient of layer {number} is a single 0; make it an array of zeros "
                f"shaped like b, {right.shape} (np.zeros_like(b)), so that an optimiser can add "
                "it to b.",
            )
        raise Reject(
            "bias-grad-shape",
            f'The gradient "b" of layer {number} should have the shape of b, {right.shape}; '
            f"yours has shape {got.shape}.",
        )

    def weights(case, got, right):
        hint = "A gradient has the shape of its parameter, here W."
        as_array(got, f'The gradient "W" of layer {number}', right.shape, hint=lambda _: hint)
        return (
            f"The weight gradient of layer {number} is wrong. The derivative of λ Σ W² with "
            "respect to each weight w is 2λw, so the gradient is 2λW, an array shaped like W."
        )

    return [
        Piece(f"b{number}", pick("b"), "bias-gradient", bias, on_layer(_BIAS_MISTAKES)),
        Piece(f"W{number}", pick("W"), "wrong-gradient", weights, on_layer(_GRAD_MISTAKES)),
    ]


l2_penalty_and_grads = code_checker(
    CodeExercise(
        title="The L2 penalty and its gradient",
        name="l2_penalty_and_grads",
        reference=_l2_right,
        cases=lambda: _L2_CASES,
        result=_read_l2,
        # The penalty first: its mistakes are the easiest to see.
        pieces=[
            Piece("penalty", itemgetter(0), "wrong-penalty", _wrong_penalty, _PENALTY_MISTAKES),
            *(piece for index in range(3) for piece in _layer_pieces(index)),
        ],
        mismatch=None,  # the pieces judge every part
        success=(
            "Right: the penalty λ Σ W² over the weights of every layer, the gradient 2λW for "
            "each weight matrix, and zero for every bias."
        ),
    )
)


# 2. Inverted dropout -----------------------------------------------------------------------


def _dropout_cases():
    rng = np.random.default_rng(91)
    for shape, p in (((4, 5), 0.3), ((6, 3), 0.6)):
        A = rng.normal(size=shape)
        u = rng.random(shape)
        yield A, p, u


def _dropout(A, p, u, training=True):
    return A * (u >= p) / (1 - p) if training else A


# Wrong outputs in training mode, as functions of (A, p, u, training).
_DROPOUT_MISTAKES = [
    Variant(
        "not-masked",
        "Every unit is scaled by 1 / (1 − p), but none is dropped: the mask is missing. "
        "Keep an entry only where u >= p (multiply by the mask u >= p) and set the "
        "others to 0.",
        lambda A, p, u, t: A / (1 - p),
    ),
    Variant(
        "divided-by-1-plus-p",
        "You divide the kept units by 1 + p. The probability of keeping a unit is "
        "1 − p: divide by that.",
        lambda A, p, u, t: A * (u >= p) / (1 + p),
    ),
    Variant(
        "not-scaled",
        "You drop the right units but do not scale the kept ones. Divide them by 1 − p, "
        "so that each unit's expected output stays equal to its activation (that is what "
        "makes it *inverted* dropout, and lets evaluation use the plain activations).",
        lambda A, p, u, t: A * (u >= p),
    ),
    Variant(
        "scaled-by-p",
        "You multiply the kept units by p. The kept ones must be divided by the "
        "probability of keeping, 1 − p: E = (1 − p) · a / (1 − p) = a.",
        lambda A, p, u, t: A * (u >= p) * p,
    ),
    Variant(
        "scaled-by-1-over-p",
        "You divide the kept units by p, the probability of dropping. Divide by the "
        "probability of keeping, 1 − p.",
        lambda A, p, u, t: A * (u >= p) / p,
    ),
    Variant(
        "scaled-by-keep",
        "You multiply the kept units by 1 − p, which makes the expected output (1 − p)² a. "
        "Inverted dropout *divides* by 1 − p.",
        lambda A, p, u, t: A * (u >= p) * (1 - p),
    ),
    Variant(
        "drops-1-minus-p",
        "You keep the units where u < p, so each unit is kept with probability p and "
        "dropped with probability 1 − p: the reverse of what is asked. Keep a unit where "
        "u >= p.",
        lambda A, p, u, t: A * (u < p) / (1 - p),
    ),
    Variant(
        "drops-1-minus-p-scaled-by-p",
        "You keep the units where u < p (so a unit is kept with probability p) and divide "
        "by p. In this exercise p is the probability of *dropping*: keep where u >= p and "
        "divide by 1 − p.",
        lambda A, p, u, t: A * (u < p) / p,
    ),
    Variant(
        "returned-mask",
        "You return the scaled mask itself. Multiply the activations A by it and return "
        "the result.",
        lambda A, p, u, t: (u >= p) / (1 - p),
    ),
]

_SCALED_IN_EVALUATION = (
    "Training mode is right, but in evaluation mode (training=False) you scale the "
    "activations. With inverted dropout the scaling already happened in training: "
    "evaluation returns A unchanged."
)
_DROPPED_IN_EVALUATION = (
    "Training mode is right, but in evaluation mode (training=False) you still drop "
    "units. At evaluation every unit is used: return A unchanged."
)

# Wrong outputs in evaluation mode, as functions of (A, p, u).
_EVALUATION_MISTAKES = [
    Variant("scaled-in-evaluation", _SCALED_IN_EVALUATION, lambda A, p, u: A / (1 - p)),
    Variant("scaled-in-evaluation", _SCALED_IN_EVALUATION, lambda A, p, u: A * (1 - p)),
    Variant("dropped-in-evaluation", _DROPPED_IN_EVALUATION, _dropout),
    Variant("dropped-in-evaluation", _DROPPED_IN_EVALUATION, lambda A, p, u: A * (u >= p)),
]


def _evaluation_mode(func):
    """With training=False the activations pass unchanged."""
    for case in _dropout_cases():
        answer = call_student(func, "inverted_dropout", *case, False, changes="note")
        got = as_array(answer, "The output in evaluation mode (training=False)")
        if close(got, case[0]):
            continue
        reject_match([got], [case], _EVALUATION_MISTAKES, [case[0]])
        raise Reject(
            "wrong-evaluation",
            "Training mode is right, but in evaluation mode (training=False) the function "
            "should return A unchanged: no units dropped, nothing scaled.",
        )


def _dropout_mismatch(case, got, right):
    A, p, u, _ = case
    return (
        f"In training mode, with p = {p}: keep each entry where u >= p, set the others to "
        f"0, and divide the kept ones by 1 − p = {1 - p:g}. For the first row the answer "
        f"is {array_text(right[0])}; yours is {array_text(got[0])}."
    )


inverted_dropout = code_checker(
    CodeExercise(
        title="Inverted dropout",
        name="inverted_dropout",
        reference=_dropout,
        cases=lambda: [(A, p, u, True) for A, p, u in _dropout_cases()],
        # Dropping and scaling A in place gives the right output too: a note, not a verdict.
        changes="note",
        result=_output_like("A", "The output", "nnlib's `dropout_forward` also returns the mask"),
        mistakes=_DROPOUT_MISTAKES,
        arguments=("A", "p", "u", "training"),
        probes=[_evaluation_mode],
        mismatch=_dropout_mismatch,
        what="your outputs",
        success=(
            "Right: in training each unit is dropped with probability p and the kept ones are "
            "divided by 1 − p; in evaluation the activations pass unchanged."
        ),
    )
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


def _col(W):
    return np.linalg.norm(W, axis=0, keepdims=True)


# Wrong projections, as functions of (W, c).
_MAX_NORM_MISTAKES = [
    Variant(
        "max-not-min",
        "You scale by max(1, c / norm): the long columns stay as they are and the short "
        "ones grow to norm c. Max-norm shrinks only the long ones: min(1, c / norm).",
        lambda W, c: W * np.maximum(1, c / _col(W)),
    ),
    Variant(
        "mean-not-sum",
        "Your column norms are the root of the *mean* of the squares: a column's norm "
        "is the root of their sum, ‖w‖ = sqrt(Σ w²) (np.linalg.norm(W, axis=0)).",
        lambda W, c: W * np.minimum(1, c / np.sqrt(np.mean(W**2, axis=0, keepdims=True))),
    ),
    Variant(
        "rows-not-columns",
        "You bound the norm of each *row* of W. A unit's incoming weights are a column "
        "of W (shape (n_in, n_out): one column per unit), so take the norms over axis 0.",
        lambda W, c: W * np.minimum(1, c / np.linalg.norm(W, axis=1, keepdims=True)),
    ),
    Variant(
        "every-column-to-c",
        "You rescale every column to norm c, the short ones too. Max-norm only shrinks "
        "the columns longer than c and leaves the others alone: multiply by "
        "min(1, c / norm).",
        lambda W, c: W * c / _col(W),
    ),
    Variant(
        "unit-norm",
        "You divide the long columns by their norm, which gives them norm 1, not c. "
        "Multiply by c as well: W[:, j] · c / ‖W[:, j]‖.",
        lambda W, c: np.where(_col(W) > c, W / _col(W), W),
    ),
    Variant(
        "every-column-to-1",
        "You divide every column by its norm, so all have norm 1. Max-norm leaves "
        "columns shorter than c alone and scales the longer ones to norm c.",
        lambda W, c: W / _col(W),
    ),
    Variant(
        "clipped-entries",
        "You clip each weight to [−c, c]. Max-norm bounds the *length* of each column "
        "and rescales the whole column, keeping its direction.",
        lambda W, c: np.clip(W, -c, c),
    ),
    Variant(
        "squared-norm",
        "You compare c with the sum of squares of each column. The norm is the square "
        "root of that sum: np.linalg.norm(W, axis=0).",
        lambda W, c: W * np.minimum(1, c / _col(W) ** 2),
    ),
    Variant(
        "whole-matrix-norm",
        "You rescale the whole matrix by its total norm. The bound is per unit: each "
        "column of W separately.",
        lambda W, c: W * min(1.0, c / np.linalg.norm(W)),
    ),
]


def _max_norm_mismatch(case, got, right):
    _, c = case
    return (
        f"For c = {c} the column norms should become "
        f"{array_text(np.linalg.norm(right, axis=0))}; yours are "
        f"{array_text(np.linalg.norm(got, axis=0))}. Multiply each column by "
        "min(1, c / its norm)."
    )


max_norm_project = code_checker(
    CodeExercise(
        title="The max-norm projection",
        name="max_norm_project",
        reference=max_norm,
        cases=_max_norm_cases,
        result=_output_like("W", "The projected matrix"),
        mistakes=_MAX_NORM_MISTAKES,
        arguments=("W", "c"),
        start=lambda case: case[0],
        mismatch=_max_norm_mismatch,
        what="your clipped weights",
        success=(
            "Right: every column longer than c now has norm exactly c, in its old direction, "
            "and the shorter columns are untouched."
        ),
    )
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


_STOP_EPOCH = (
    "You return the epoch in which training stops. Early stopping keeps the parameters of "
    "the *best* epoch, the one with the lowest validation loss before the stop."
)

# Wrong epochs, as functions of (train_losses, val_losses, patience).
_EARLY_MISTAKES = [
    Variant(
        "zero-based",
        "Each answer is one less than the right epoch: you return a Python index, which "
        "starts at 0. Epochs are counted from 1 (the loss after the first epoch is "
        "val_losses[0]).",
        lambda t, v, k: _stop(v, k) - 1,
    ),
    Variant(
        "ignores-patience",
        "You return the epoch with the lowest validation loss over the whole list. "
        "Training stops once `patience` epochs in a row bring no improvement; a lower "
        "loss after that point is never seen.",
        lambda t, v, k: int(np.argmin(v)) + 1,
    ),
    Variant(
        "ignores-patience-zero-based",
        "You return np.argmin of all the validation losses: that is a 0-based index, and "
        "it also looks past the point where training stops. Count epochs from 1, and stop "
        "once `patience` epochs in a row bring no improvement.",
        lambda t, v, k: int(np.argmin(v)),
    ),
    Variant("stop-epoch", _STOP_EPOCH, lambda t, v, k: _stop_epoch(v, k)),
    Variant("stop-epoch", _STOP_EPOCH, lambda t, v, k: _stop_epoch(v, k, at_end=_stop(v, k))),
    Variant(
        "last-epoch",
        "You return the last epoch. Early stopping keeps the epoch with the lowest "
        "validation loss, and may stop long before the end.",
        lambda t, v, k: len(v),
    ),
    Variant(
        "training-loss",
        "You watch the training loss. It keeps falling as the network overfits; early "
        "stopping watches the *validation* loss.",
        lambda t, v, k: _stop(t, k),
    ),
    Variant(
        "training-loss-argmin",
        "You return the epoch with the lowest training loss. Early stopping watches the "
        "*validation* loss, which turns up when overfitting starts.",
        lambda t, v, k: int(np.argmin(t)) + 1,
    ),
    Variant(
        "not-strict",
        "A tie counts as an improvement in your code (`<=`). An epoch that only equals "
        "the best loss so far is not better: use `<`, so that the earlier epoch is kept "
        "and patience keeps counting.",
        lambda t, v, k: _stop(v, k, strict=False),
    ),
    Variant(
        "stops-too-early",
        "You stop one epoch too early: after patience − 1 epochs without improvement. "
        "Training should go on until `patience` epochs in a row have brought no new "
        "lowest validation loss.",
        lambda t, v, k: _stop(v, k, slack=-1),
    ),
    Variant(
        "stops-too-late",
        "You stop one epoch too late: after patience + 1 epochs without improvement. "
        "Stop as soon as `patience` epochs in a row have brought no new lowest "
        "validation loss.",
        lambda t, v, k: _stop(v, k, slack=1),
    ),
]


def _read_epoch(got, case=None, right=None):
    """The student's answer as a whole epoch number, or the verdict saying why not."""
    if isinstance(got, bool | np.bool_) or not isinstance(got, int | float | np.number):
        raise Reject(
            "wrong-type",
            f"`early_stopping_epoch` should return an epoch number (an int), got {kind_of(got)}.",
        )
    if not np.isfinite(got) or got != int(got):
        raise Reject(
            "not-an-epoch",
            f"`early_stopping_epoch` returned {got!r}, which is not a whole number. Return "
            "the epoch, not a loss.",
        )
    return int(got)


early_stopping_epoch = code_checker(
    CodeExercise(
        title="Early stopping",
        name="early_stopping_epoch",
        reference=lambda train, val, patience: _stop(val, patience),
        cases=lambda: _EARLY_CASES,
        result=_read_epoch,
        mistakes=_EARLY_MISTAKES,
        mismatch=lambda case, got, right: (
            f"With validation losses {case[1]} and patience {case[2]}, the epoch to keep is "
            f"{right}; yours is {got}. Walk through the epochs from 1, remember the best "
            "validation loss so far, and stop after `patience` epochs in a row without a "
            "strictly lower one."
        ),
        unnamed="wrong-epoch",
        success=(
            "Right: the epoch with the lowest validation loss, counted from 1, among the "
            "epochs seen before patience ran out."
        ),
    )
)


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


_BN_CASES = list(_bn_cases())


def _batchnorm(Z, gamma, beta, eps):
    return batchnorm_forward(Z, gamma, beta, eps)[0]


def _standard(Z, axis=0, ddof=0, eps=1e-5):
    mu, var = Z.mean(axis=axis, keepdims=True), Z.var(axis=axis, ddof=ddof, keepdims=True)
    return (Z - mu) / np.sqrt(var + eps)


# Wrong outputs, as functions of (Z, gamma, beta, eps).
_BN_MISTAKES = [
    Variant(
        "over-features",
        "You standardise each *row* (one example over its units). Batch normalisation "
        "standardises each column, one unit over the batch: mean and variance with "
        "axis=0.",
        lambda Z, g, b, eps: g * _standard(Z, axis=1, eps=eps) + b,
    ),
    Variant(
        "no-gamma-beta",
        "You return the standardised values x̂ without the learned scale and shift. "
        "Finish with γ · x̂ + β.",
        lambda Z, g, b, eps: _standard(Z, eps=eps),
    ),
    Variant(
        "gamma-beta-swapped",
        "γ and β are swapped: γ scales (multiplies) x̂ and β shifts it: γ · x̂ + β.",
        lambda Z, g, b, eps: b * _standard(Z, eps=eps) + g,
    ),
    Variant(
        "missing-eps",
        "You divide by the standard deviation without ε. A unit that hardly varies over "
        "the batch then gets blown up to ±1 (or divided by zero). Divide by "
        "sqrt(σ² + ε).",
        lambda Z, g, b, eps: g * (Z - Z.mean(axis=0)) / Z.std(axis=0) + b,
    ),
    Variant(
        "eps-outside-sqrt",
        "You divide by σ + ε; the formula is sqrt(σ² + ε), with ε added to the variance "
        "inside the square root. The difference shows on units that hardly vary.",
        lambda Z, g, b, eps: g * (Z - Z.mean(axis=0)) / (Z.std(axis=0) + eps) + b,
    ),
    Variant(
        "unbiased-variance",
        "You use the unbiased variance (dividing by m − 1). Batch normalisation uses the "
        "batch's own variance, the mean of the squared deviations: np.var with the "
        "default ddof=0.",
        lambda Z, g, b, eps: g * _standard(Z, ddof=1, eps=eps) + b,
    ),
    Variant(
        "not-centred",
        "You divide by the spread but do not subtract the batch mean first: "
        "x̂ = (z − μ) / sqrt(σ² + ε).",
        lambda Z, g, b, eps: g * Z / np.sqrt(Z.var(axis=0) + eps) + b,
    ),
    Variant(
        "whole-batch-statistics",
        "You use one mean and one variance for the whole array. Each unit (column) gets "
        "its own: Z.mean(axis=0), Z.var(axis=0).",
        lambda Z, g, b, eps: g * (Z - Z.mean()) / np.sqrt(Z.var() + eps) + b,
    ),
]


def _bn_standardisation(func, cases):
    """With γ = 1 and β = 0 every column of the output has mean 0 and variance 1 (to ε):
    say which of the two fails."""
    Z = cases[0][0]
    n = Z.shape[1]
    try:
        out = as_array(
            call_student(func, "batchnorm", Z, np.ones(n), np.zeros(n), 1e-12),
            "The output",
            Z.shape,
        )
    except Reject:
        return None
    if not np.all(np.isfinite(out)):
        return None
    if not np.allclose(out.mean(axis=0), 0, atol=1e-6):
        return (
            "not-centred",
            "With γ = 1 and β = 0 your output's columns should have mean 0, and they have "
            f"means {array_text(out.mean(axis=0))}: the centring is wrong. Subtract each "
            "column's mean over the batch, μ = Z.mean(axis=0), from that column.",
        )
    right_var = _batchnorm(Z, np.ones(n), np.zeros(n), 1e-12).var(axis=0)
    if not np.allclose(out.var(axis=0), right_var, rtol=1e-4, atol=1e-8):
        return (
            "not-unit-variance",
            "With γ = 1 and β = 0 your output's columns have mean 0, as they should, but "
            f"variances {array_text(out.var(axis=0))} instead of 1 (ε aside): the scaling is "
            "wrong. Divide by sqrt(σ² + ε), σ² = Z.var(axis=0) the variance over the batch.",
        )
    return None


batchnorm = code_checker(
    CodeExercise(
        title="Batch normalisation, forward",
        name="batchnorm",
        reference=_batchnorm,
        cases=lambda: _BN_CASES,
        result=_output_like("Z", "The output", "nnlib's `batchnorm_forward` also returns a cache"),
        mistakes=_BN_MISTAKES,
        # Run once more with γ = 1 and β = 0, to tell the centring from the scaling.
        explain=[_bn_standardisation],
        arguments=("Z", "gamma", "beta", "eps"),
        mismatch=lambda case, got, right: (
            f"For the {'first' if case is _BN_CASES[0] else 'second'} case the first row "
            f"should be {array_text(right[0])}; yours is {array_text(got[0])}. Per column: "
            "μ = mean over the batch, σ² = variance over the batch, x̂ = (z − μ) / "
            "sqrt(σ² + ε), out = γ · x̂ + β."
        ),
        what="your outputs",
        success=(
            "Right: each column standardised with the batch's mean and variance (ε inside the "
            "square root), then scaled by γ and shifted by β."
        ),
    )
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
