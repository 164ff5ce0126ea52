"""Checkers for the perceptron exercises (exercises/02_perceptron.ipynb).

Usage in the notebook: `from nnlib.checks import perceptron as check`, then for example
`check.nand_weights(w1, w2, b)`.

The unit's output is a declaration (`CodeExercise`) judged by nnlib.checks.engine; the
others stay checker functions: their answers are numbers, or the step's mistakes depend on
the case (was the unit right, is z exactly 0) and on its weights whatever its bias.
"""

from __future__ import annotations

import itertools

import numpy as np

from nnlib.checks import (
    Reject,
    call_student,
    checker,
    explain_difference,
    kind_of,
    require_number,
    require_started,
    values_differ,
)
from nnlib.checks.engine import CodeExercise, Variant, as_array, call_with_hint, code_checker
from nnlib.data import GATES, logic_gate
from nnlib.perceptron import step, train_perceptron

_TWO_INPUT_ROWS = [(0, 0), (0, 1), (1, 0), (1, 1)]


def _gate_verdict(outputs, target, rows, w, b, wanted, known):
    """Compare a unit's outputs on a truth table with the target and name the mistake."""
    if np.array_equal(outputs, target):
        return
    for name, table in known.items():
        if name != wanted and np.array_equal(outputs, table):
            hint = (
                " Your unit says 1 exactly where it should say 0: multiply all your numbers "
                "by -1 to flip which side of the line outputs 1."
                if np.array_equal(outputs, 1 - target)
                else ""
            )
            raise Reject(
                f"built-{name.lower()}",
                f"These weights compute {name}, not {wanted}.{hint}",
            )
    z = np.asarray(rows, dtype=float) @ np.asarray(w) + b
    on_line = any(zi == 0 and o != t for zi, o, t in zip(z, outputs, target, strict=True))
    tip = (
        "\nA point with z exactly 0 lies on the line; the unit outputs 1 there (z >= 0). "
        "Move the line a little by changing b."
        if on_line
        else ""
    )
    if np.all(outputs == outputs[0]):
        sums = np.asarray(rows, dtype=float) @ np.asarray(w)
        raise Reject(
            "constant",
            f"Your unit outputs {outputs[0]} for every input: all the points lie on one side "
            "of the line w·x + b = 0. The line passes between them only when -b lies "
            "between the smallest and the largest weighted sum w·x over the inputs (with "
            f"your weights, {sums.min():g} and {sums.max():g}; yours puts -b at {-b:g})." + tip,
        )
    wrong = [
        f"  input {row}: z = {zi:g}, your unit gives {o}, {wanted} needs {t}"
        for row, zi, o, t in zip(rows, z, outputs, target, strict=True)
        if o != t
    ]
    raise Reject("wrong-rows", "Some rows of the truth table are wrong:\n" + "\n".join(wrong) + tip)


@checker("Weights for NAND")
def nand_weights(w1, w2, b):
    """Check that the threshold unit with these weights computes NAND."""
    w = [require_number(w1, "w1"), require_number(w2, "w2")]
    b = require_number(b, "b")
    X, target = logic_gate("NAND")
    outputs = step(X @ np.array(w) + b)
    _gate_verdict(outputs, target, _TWO_INPUT_ROWS, w, b, "NAND", GATES)
    return (
        f"w1={w[0]:g}, w2={w[1]:g}, b={b:g} compute NAND on all four inputs: the line leaves "
        "(1, 1) alone on the side that outputs 0."
    )


_THREE_INPUT_ROWS = list(itertools.product((0, 1), repeat=3))
_THREE_INPUT_GATES = {
    "MAJORITY": np.array([int(sum(r) >= 2) for r in _THREE_INPUT_ROWS]),
    "AND": np.array([int(sum(r) == 3) for r in _THREE_INPUT_ROWS]),
    "OR": np.array([int(sum(r) >= 1) for r in _THREE_INPUT_ROWS]),
    "MINORITY": np.array([int(sum(r) <= 1) for r in _THREE_INPUT_ROWS]),
}


@checker("A majority vote of three inputs")
def majority_weights(w, b):
    """Check a unit with three weights that outputs 1 when at least two inputs are 1."""
    require_started(w, "w")
    try:
        w = np.asarray(w, dtype=float)
    except (TypeError, ValueError):
        raise Reject(
            "not-a-number", f"`w` should be three numbers like [1, 1, 1], got {w!r}."
        ) from None
    if w.shape != (3,):
        raise Reject(
            "wrong-shape",
            f"`w` should hold one weight per input, three in all (shape (3,)); "
            f"yours has shape {w.shape}.",
        )
    if not np.all(np.isfinite(w)):
        raise Reject(
            "not-a-number", f"`w` holds {w.tolist()}; every weight must be a finite number."
        )
    b = require_number(b, "b")
    rows = np.array(_THREE_INPUT_ROWS, dtype=float)
    outputs = step(rows @ w + b)
    _gate_verdict(
        outputs,
        _THREE_INPUT_GATES["MAJORITY"],
        _THREE_INPUT_ROWS,
        w,
        b,
        "MAJORITY",
        _THREE_INPUT_GATES,
    )
    return (
        f"w={w.tolist()}, b={b:g} output 1 exactly when two or three inputs are on: "
        "a vote, decided by one line (here a plane) through the cube."
    )


def _unit_cases(rng):
    """Batches on which to test a student's unit, with some points exactly on the line."""
    X_gate, _ = logic_gate("AND")
    yield X_gate, np.array([1.0, 1.0]), -1.5
    yield X_gate, np.array([1.0, 1.0]), -1.0  # (0,1) and (1,0) lie on the line: z = 0
    yield rng.normal(size=(7, 3)), rng.normal(size=3), 0.3
    yield np.array([[2.0, -1.0, 0.5]]), np.array([0.5, 1.0, 0.0]), 0.0  # z = 0 exactly
    # Weighted sums between -b and b: here b, no b and -b give three different answers.
    yield np.array([[0.2, 0.0], [-0.2, 0.0], [1.0, 0.0]]), np.array([1.0, 1.0]), 0.5


# Named only when it explains the answers on every batch: on one batch two mistakes can give
# the same outputs (AND's points, for one, give step(X @ w) and step(X @ w - b) alike).
_UNIT_MISTAKES = [
    Variant(
        "returned-z",
        "You returned the weighted sum z = X @ w + b itself. The unit's output is step(z): "
        "1 where z >= 0 and 0 elsewhere.",
        lambda X, w, b: X @ w + b,
    ),
    Variant(
        "plus-minus-one",
        "Your outputs are -1 and +1. In this chapter the unit outputs 0 or 1.",
        lambda X, w, b: np.where(X @ w + b >= 0, 1.0, -1.0),
    ),
    Variant(
        "strict-inequality",
        "Right everywhere except where z is exactly 0. The rule is `1 if z >= 0`: use "
        "`>=`, not `>`.",
        lambda X, w, b: (X @ w + b > 0).astype(float),
    ),
    Variant(
        "missing-bias",
        "Your outputs match step(X @ w): you left out the bias b.",
        lambda X, w, b: step(X @ w),
    ),
    Variant(
        "bias-sign",
        "Your outputs match step(X @ w - b): the bias is added, +b.",
        lambda X, w, b: step(X @ w - b),
    ),
]


def _call_unit(func, case):
    """`call_student`, with a hint on the order of the product when it crashes there."""
    hint = (
        "Each row of X is one example, so the weighted sums are X @ w, of shape (m,): check "
        "the order of the product."
    )
    return call_with_hint(func, "unit_output", *case, words=("matmul",), hint=hint)


def _unit_mismatch(case, got, right):
    X, w, b = case
    row = int(np.flatnonzero(~np.isclose(got, right, rtol=1e-6, atol=1e-9))[0])
    return (
        f"For row {row} of X, {X[row].tolist()}, with w = {w.tolist()} and b = {b:g}: z = "
        f"{(X @ w + b)[row]:g}, so the output should be {right[row]}, but yours is {got[row]:g}."
    )


unit_output = code_checker(
    CodeExercise(
        title="The unit's output for a batch",
        name="unit_output",
        reference=lambda X, w, b: step(X @ w + b),
        cases=lambda: list(_unit_cases(np.random.default_rng(0))),
        call=_call_unit,
        result=lambda got, case, right: as_array(
            got,
            f"`unit_output`'s result for X of shape {case[0].shape}",
            right.shape,
            kind="an array of 0s and 1s",
            hint=lambda shape: (
                "There is one output per row of X"
                + (": flatten it, or use a 1-D w." if np.prod(shape) == right.size else ".")
            ),
        ),
        mistakes=_UNIT_MISTAKES,
        unnamed="wrong-values",
        mismatch=_unit_mismatch,
        success="Right on every batch, including points that lie exactly on the line (z = 0).",
    )
)


def _step_cases():
    """(w, b, x, y, lr) cases for one update: a miss on each side, a hit, a non-unit lr."""
    yield np.array([1.0, 1.0]), -1.5, np.array([1.0, 1.0]), 1, 1.0  # already right
    yield np.array([0.0, 0.0]), 0.0, np.array([1.0, 1.0]), 0, 1.0  # says 1, should say 0
    yield np.array([0.5, -1.0]), -1.0, np.array([1.0, 0.0]), 1, 0.5  # says 0, should say 1
    yield np.array([0.2, 0.3, -0.1]), 0.1, np.array([-1.0, 2.0, 0.5]), 0, 0.25


@checker("One step of the learning rule")
def perceptron_step(func):
    """Check `func(w, b, x, y, lr) -> (new_w, new_b)` against the perceptron rule."""
    for w, b, x, y, lr in _step_cases():
        got = call_student(func, "perceptron_step", w, b, x, y, lr)
        if not isinstance(got, tuple | list) or len(got) != 2:
            raise Reject(
                "not-a-pair",
                f"`perceptron_step` should return the pair (new_w, new_b), got {got!r}.",
            )
        try:
            new_w = np.asarray(got[0], dtype=float)
            new_b = float(np.asarray(got[1], dtype=float))
        except (TypeError, ValueError):
            raise Reject(
                "not-numbers",
                f"`perceptron_step` should return (new_w, new_b): an array of {len(w)} numbers "
                f"and one number, but it returned ({kind_of(got[0])}, {kind_of(got[1])}).",
            ) from None
        y_hat = int(x @ w + b >= 0)
        error = y - y_hat
        expected_w = w + lr * error * x
        expected_b = b + lr * error
        if new_w.shape != expected_w.shape:
            raise Reject(
                "wrong-shape",
                f"new_w should have the shape of w, {w.shape}, but it has shape {new_w.shape}.",
            )
        if np.allclose(new_w, expected_w) and np.isclose(new_b, expected_b):
            continue
        z = float(x @ w + b)
        if (
            y != z  # where y = z the update by y - z is no update, which is its own mistake
            and np.allclose(new_w, w + lr * (y - z) * x)
            and np.isclose(new_b, b + lr * (y - z))
        ):
            raise Reject(
                "no-step",
                f"Your step used y - z, with z = x·w + b = {z:g} itself as the answer. The "
                "unit's answer y_hat is step(z), 0 or 1: y_hat = 1 if z >= 0 else 0.",
            )
        if error != 0 and np.allclose(new_w, w) and np.isclose(new_b, b):
            at_zero = (
                " Here z = 0 exactly, and step(0) = 1: the rule is z >= 0, not z > 0."
                if z == 0
                else ""
            )
            raise Reject(
                "no-change",
                f"For x = {x.tolist()} with y = {y} the unit answers y_hat = {y_hat}, a mistake, "
                "but your step returned w and b unchanged. A mistake must move them by "
                "lr (y - y_hat) x and lr (y - y_hat)." + at_zero,
            )
        if error != 0 and np.allclose(new_w, w - lr * error * x):
            raise Reject(
                "sign-flipped",
                "Your update goes the wrong way: the rule adds lr (y - y_hat) x. "
                "Check that you wrote y - y_hat, not y_hat - y.",
            )
        if error != 0 and np.allclose(new_w, expected_w) and np.isclose(new_b, b):
            raise Reject(
                "bias-not-updated",
                "The weights are right but the bias did not move. The bias learns too: "
                "b + lr (y - y_hat), as if it were a weight on an input that is always 1.",
            )
        if error != 0 and np.allclose(new_w, w + error * x) and lr != 1:
            raise Reject(
                "ignores-lr",
                f"With lr = {lr} your step is as big as with lr = 1: multiply the change by lr.",
            )
        if error == 0 and not np.allclose(new_w, w):
            raise Reject(
                "updates-when-right",
                f"The unit already classifies x = {x.tolist()} correctly (y = y_hat = {y}), so "
                "nothing should change, but your weights moved. The change is "
                "lr (y - y_hat) x: did you use y instead of (y - y_hat)?",
            )
        parts = (
            ("weights", new_w, expected_w, w),
            ("bias", np.array([new_b]), np.array([expected_b]), np.array([b])),
        )
        for part, got_part, right_part, start_part in parts:
            found = not np.allclose(got_part, right_part) and explain_difference(
                got_part, right_part, start=start_part, what=f"your new {part}"
            )
            if found:
                raise Reject(*found)
        raise values_differ(
            f"For w = {w.tolist()}, b = {b:g}, x = {x.tolist()}, y = {y}, lr = {lr}: "
            f"the unit says y_hat = {y_hat}, so the new weights should be "
            f"{expected_w.tolist()} and the new bias {expected_b:g}; yours are "
            f"{new_w.tolist()} and {new_b:g}.",
            [new_w, new_b],
            [expected_w, expected_b],
            start=[w, b],
            what="your new weights and bias",
        )
    return "Your update matches the perceptron rule on every case, and leaves w untouched."


@checker("How many epochs does AND take, the other way round?")
def and_epochs(answer):
    """Check the number of passes the rule needs on AND from w = (0, 0), b = 0, lr = 1,
    visiting the rows in the reverse of the truth table's order."""
    require_started(answer, "epochs_for_and")
    if isinstance(answer, bool) or not isinstance(answer, int | np.integer):
        raise Reject(
            "not-an-integer",
            f"`epochs_for_and` should be a whole number of passes, got {answer!r}.",
        )
    X, y = logic_gate("AND")
    run = train_perceptron(X[::-1], y[::-1], lr=1.0, max_epochs=100)
    table_order = train_perceptron(X, y, lr=1.0, max_epochs=100)
    if answer == run.epochs:
        return (
            f"{answer} passes: {sum(run.mistakes)} updates spread over the first "
            f"{run.epochs - 1}, then one clean pass that confirms there is nothing left to "
            f"fix. In the table's order it was {table_order.epochs}: the order of the "
            "examples changes the path the rule takes."
        )
    if answer == run.epochs - 1:
        raise Reject(
            "missed-clean-pass",
            "One short. The rule only knows it has converged after a whole pass with no "
            "mistake; that last pass counts too.",
        )
    if answer == sum(run.mistakes):
        raise Reject(
            "counted-updates",
            "That is the number of updates (mistakes), not of passes over the four examples.",
        )
    if answer in (table_order.epochs, table_order.epochs - 1):
        raise Reject(
            "table-order",
            "That is what the rule needs with the rows in the truth table's order, the "
            "chapter's run. Here they go the other way round: (1,1), (1,0), (0,1), (0,0) "
            "(`X[::-1]`, `y[::-1]`).",
        )
    raise Reject(
        "wrong-count",
        "Not quite. Run your loop again from w = (0, 0), b = 0, lr = 1, visiting the rows in "
        "the order (1,1), (1,0), (0,1), (0,0), and count every pass over all four rows until "
        "one pass makes no update.",
    )
