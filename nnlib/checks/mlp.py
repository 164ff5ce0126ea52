"""Checkers for the exercises on multi-layer perceptrons (exercises/03_mlp.ipynb).

Usage in the notebook: `from nnlib.checks import mlp as check`, then for example
`check.two_layer_forward(two_layer_forward)`.

The forward pass is a declaration (`CodeExercise`) judged by nnlib.checks.engine. The others
stay checker functions using the engine's readers and `Variant`s: the counts and the merged
layer judge each number or part on its own (a miscount of the weights whatever the biases;
b's shape only once W is right), which as declarations came out 20 or more lines longer;
the XOR network is four arrays, not a function.
"""

from __future__ import annotations

import numpy as np

from nnlib.activations import relu
from nnlib.checks import Reject, call_student, checker, kind_of, require_started
from nnlib.checks.engine import (
    CodeExercise,
    Variant,
    as_array,
    as_parts,
    call_with_hint,
    code_checker,
    finite,
    judge_part,
    recoded,
)
from nnlib.checks.numeric import Mistake, NumberExercise, number_checker
from nnlib.data import GATES, logic_gate
from nnlib.layers import dense_forward
from nnlib.model import count_parameters
from nnlib.perceptron import step

_NUMPY_TOL = {"rtol": 1e-5, "atol": 1e-8}  # np.allclose's


def _no_hint(shape):
    return ""


def _forward_cases():
    """(X, W1, b1, W2, b2) cases: square weights (a transpose runs but gives other numbers)
    and rectangular ones (every shape different, as in real networks)."""
    rng = np.random.default_rng(3)
    yield (
        rng.normal(size=(4, 3)),
        rng.normal(size=(3, 3)),
        rng.normal(size=3),
        rng.normal(size=(3, 3)),
        rng.normal(size=3),
    )
    yield (
        rng.normal(size=(5, 2)),
        rng.normal(size=(2, 4)),
        rng.normal(size=4),
        rng.normal(size=(4, 3)),
        rng.normal(size=3),
    )


def _forward(X, W1, b1, W2, b2):
    return relu(X @ W1 + b1) @ W2 + b2


_FORWARD_MISTAKES = [
    Variant(
        "missing-hidden-activation",
        "Your output is (X W1 + b1) W2 + b2: the hidden layer has no activation. Apply ReLU, "
        "np.maximum(0, ...), to the hidden layer's weighted sums.",
        lambda X, W1, b1, W2, b2: (X @ W1 + b1) @ W2 + b2,
    ),
    Variant(
        "activation-on-output",
        "You applied ReLU to the output layer as well. The exercise asks for raw scores at "
        "the output: no activation after W2.",
        lambda *case: relu(_forward(*case)),
    ),
    Variant(
        "transposed-weights",
        "Your result matches X W1ᵀ and H W2ᵀ: the weight matrices are used transposed. In "
        "this book W has shape (inputs, outputs) and a layer is A @ W, with no transpose.",
        lambda X, W1, b1, W2, b2: _forward(X, W1.T, b1, W2.T, b2),
    ),
    Variant(
        "missing-bias",
        "Your result matches relu(X W1) W2 + b2: the hidden layer's bias b1 is missing.",
        lambda X, W1, b1, W2, b2: _forward(X, W1, 0.0, W2, b2),
    ),
    Variant(
        "missing-output-bias",
        "Your result matches relu(X W1 + b1) W2: the output bias b2 is missing.",
        lambda X, W1, b1, W2, b2: _forward(X, W1, b1, W2, 0.0),
    ),
    Variant(
        "min-not-max",
        "Your hidden layer keeps the negative part, min(z, 0): ReLU keeps the positive part, "
        "np.maximum(z, 0).",
        lambda X, W1, b1, W2, b2: np.minimum(X @ W1 + b1, 0) @ W2 + b2,
    ),
    Variant(
        "hidden-bias-subtracted",
        "Your result matches relu(X W1 − b1) W2 + b2: the hidden bias is subtracted; a layer "
        "adds its bias, X W1 + b1.",
        lambda X, W1, b1, W2, b2: _forward(X, W1, -b1, W2, b2),
    ),
    Variant(
        "output-bias-subtracted",
        "Your result matches relu(X W1 + b1) W2 − b2: the output bias is subtracted; a layer "
        "adds its bias, H W2 + b2.",
        lambda X, W1, b1, W2, b2: _forward(X, W1, b1, W2, -b2),
    ),
]


def _call_forward(func, case):
    """Run it; a crash in a product gets a hint on the shapes."""
    X, W1, _, W2, _ = case
    hint = (
        f"With X of shape {X.shape}, W1 {W1.shape} and W2 {W2.shape}, the products are X @ W1 "
        "and then H @ W2: each weight matrix has shape (inputs, outputs) and comes second."
    )
    return call_with_hint(func, "two_layer_forward", *case, words=("matmul", "shapes"), hint=hint)


two_layer_forward = code_checker(
    CodeExercise(
        title="The forward pass of a 2-layer network",
        name="two_layer_forward",
        reference=_forward,
        cases=_forward_cases,
        call=_call_forward,
        result=lambda got, case, right: as_array(
            got,
            f"For X of shape {case[0].shape}, your output",
            right.shape,
            kind="an array of output scores",
            hint=lambda shape: "One row per example, one column per output unit.",
        ),
        per_case=True,
        mistakes=_FORWARD_MISTAKES,
        mismatch=lambda case, got, right: (
            f"For X of shape {case[0].shape} your outputs differ from relu(X W1 + b1) W2 + b2; "
            f"the first row should be {np.round(right[0], 4).tolist()}, yours is "
            f"{np.round(got[0], 4).tolist()}."
        ),
        what="your outputs",
        **_NUMPY_TOL,
        success="Right for square and rectangular weight matrices alike.",
    )
)


@checker("Counting weights and biases")
def weights_and_biases(func):
    """Check `func(sizes) -> (n_weights, n_biases)` on several layer-size lists."""
    name = "weights_and_biases"
    for sizes in ([3, 4, 4, 1], [2, 3, 1], [784, 256, 128, 10], [5, 2]):
        got = call_student(func, name, list(sizes))
        got = recoded("not-a-pair", as_parts, got, ("n_weights", "n_biases"), f"`{name}`")
        if not all(
            isinstance(n, int | float | np.integer | np.floating) and not isinstance(n, bool)
            for n in got
        ):
            raise Reject(
                "not-counts",
                f"`{name}` should return two whole numbers (n_weights, n_biases), but it "
                f"returned ({kind_of(got[0])}, {kind_of(got[1])}).",
            )
        weights, biases = count_parameters(sizes)
        if tuple(got) == (weights, biases):
            continue
        if tuple(got) == (biases, weights):
            raise Reject("swapped", "The two numbers are swapped: return (weights, biases).")
        if got[0] == weights and got[1] == sum(sizes):
            raise Reject(
                "input-biases",
                f"For {sizes} you count {got[1]} biases, which includes the input layer. Input "
                "units only hold the data; only the units of the other layers have a bias.",
            )
        if got[0] == weights - sizes[-2] * sizes[-1] and len(sizes) > 2:
            raise Reject(
                "missed-a-layer",
                f"For {sizes} you count {got[0]} weights, missing the last layer's "
                f"{sizes[-2]} x {sizes[-1]}. Check the range of your loop over pairs of layers.",
            )
        if got[0] == sum(n * n for n in sizes[1:]) or got[0] == sum(sizes) ** 2:
            raise Reject(
                "wrong-weight-formula",
                "Each layer has one weight per connection between it and the layer before: "
                "n_(l-1) x n_l, summed over the layers.",
            )
        raise Reject(
            "wrong-count",
            f"For {sizes} the network has {weights} weights and {biases} biases; "
            f"you returned {tuple(got)}.",
        )
    return "Right, including the 784-256-128-10 network of the MNIST chapter."


_XOR_PARTS = (
    ("W1", "a 2 x 2 array", (2, 2), lambda shape: "W1 has one column of weights per hidden unit."),
    ("b1", "two numbers", (2,), _no_hint),
    ("w2", "two numbers", (2,), _no_hint),
    ("b2", "a number", (), _no_hint),
)


@checker("XOR with weights of your own")
def xor_network(W1, b1, w2, b2):
    """Check a 2-2-1 network of step units, step(step(X W1 + b1) w2 + b2), computes XOR."""
    values = (W1, b1, w2, b2)
    for value, (name, *_) in zip(values, _XOR_PARTS, strict=True):
        require_started(value, name)
    arrays = [
        as_array(value, f"`{name}`", kind=kind)
        for value, (name, kind, _, _) in zip(values, _XOR_PARTS, strict=True)
    ]
    for array, (name, kind, shape, hint) in zip(arrays, _XOR_PARTS, strict=True):
        as_array(array, f"`{name}`", shape, kind=kind, hint=hint)
    if not finite(arrays):
        raise Reject("not-a-number", "Every weight and bias must be a finite number.")
    W1, b1, w2, b2 = arrays
    X, target = logic_gate("XOR")
    hidden = step(X @ W1 + b1)
    out = step(hidden @ w2 + b2)
    if np.array_equal(out, target):
        return "Your network computes XOR on all four inputs."
    if np.array_equal(step(step(X @ W1.T + b1) @ w2 + b2), target):
        raise Reject(
            "transposed-W1",
            "Your W1 holds one hidden unit per row; in this book it holds one per column "
            "(H = step(X W1 + b1), W1 of shape n_in x n_hidden). Transpose it and the "
            "network computes XOR.",
        )
    if np.array_equal(hidden[:, 0], hidden[:, 1]):
        raise Reject(
            "identical-hidden-units",
            "Your two hidden units give the same outputs on all four inputs, so together they "
            "still draw only one line. Make them different, e.g. one unit that fires for "
            "'only x1 on' and one for 'only x2 on'.",
        )
    known = dict(GATES, XNOR=1 - GATES["XOR"])
    for name, table in known.items():
        if name != "XOR" and np.array_equal(out, table):
            hint = (
                " Your output is exactly inverted: flip the signs of w2 and b2."
                if name == "XNOR"
                else ""
            )
            raise Reject(f"computes-{name.lower()}", f"Your network computes {name}.{hint}")
    rows = [
        f"  input {tuple(int(v) for v in x)}: hidden {h.astype(int).tolist()}, output {o}, "
        f"XOR needs {t}"
        for x, h, o, t in zip(X, hidden, out, target, strict=True)
        if o != t
    ]
    raise Reject("wrong-rows", "Some rows are wrong:\n" + "\n".join(rows))


_ORDER_MISTAKES = [
    Variant(
        "wrong-order",
        "Your W is W2 W1, the order of the column-vector convention. With rows, X passes W1 "
        "first: (X W1) W2 = X (W1 W2).",
        lambda W1, b1, W2, b2: W2 @ W1,
    ),
]

_BIAS_MISTAKES = [
    Variant(
        "bias-not-through-w2",
        "b1 + b2 adds the first bias as it is, but b1 also passes through the second layer: "
        "it becomes b1 W2.",
        lambda W1, b1, W2, b2: b1 + b2,
    ),
    Variant(
        "dropped-b1",
        "Your b leaves out the first layer's bias (as b1 W2).",
        lambda W1, b1, W2, b2: b2,
    ),
    Variant(
        "dropped-b2",
        "Your b leaves out the second layer's bias b2.",
        lambda W1, b1, W2, b2: b1 @ W2,
    ),
]


@checker("Two linear layers are one")
def collapse(func):
    """Check `func(W1, b1, W2, b2) -> (W, b)` with X W + b = (X W1 + b1) W2 + b2: W is
    judged first, then b."""
    rng = np.random.default_rng(4)
    cases = [
        (rng.normal(size=(3, 3)), rng.normal(size=3), rng.normal(size=(3, 3)), rng.normal(size=3)),
        (rng.normal(size=(2, 4)), rng.normal(size=4), rng.normal(size=(4, 3)), rng.normal(size=3)),
    ]
    for case in cases:
        W1, b1, W2, b2 = case
        got = call_student(func, "collapse", *case)
        W, b = recoded("not-a-pair", as_parts, got, ("W", "b"), "`collapse`")
        W = as_array(W, "`W`", kind="a matrix")
        b = as_array(b, "`b`", kind="a vector")
        n_in, n_out = W1.shape[0], W2.shape[1]
        maps = f"With W1 {W1.shape} and W2 {W2.shape}, it maps {n_in} inputs to {n_out} outputs."
        as_array(W, "The merged `W`", (n_in, n_out), hint=lambda shape, text=maps: text)
        judge_part(
            [W],
            [W1 @ W2],
            [case],
            _ORDER_MISTAKES,
            "wrong-weights",
            "The merged weights are W1 @ W2.",
            **_NUMPY_TOL,
        )
        b_right = b1 @ W2 + b2
        as_array(b, "`b`", b_right.shape, hint=_no_hint)
        judge_part(
            [b],
            [b_right],
            [case],
            _BIAS_MISTAKES,
            "wrong-bias",
            "Expand (X W1 + b1) W2 + b2 and collect what does not involve X: that is the "
            "merged bias.",
            **_NUMPY_TOL,
        )
    return "Right: W = W1 W2 and b = b1 W2 + b2, one linear layer doing the work of two."


# A forward pass by hand, and a prediction ---------------------------------------------------

_HAND_X = np.array([[1.0, 2.0]])
_HAND_W1 = np.array([[1.0, -1.0], [0.5, 2.0]])
_HAND_B1 = np.array([0.0, -4.0])
_HAND_W2 = np.array([[2.0], [-1.0]])
_HAND_B2 = np.array([0.5])


def _hand_output(W1=_HAND_W1, b1=_HAND_B1, hidden=relu, b2=_HAND_B2):
    """The network's output with nnlib's layers (or with one part changed, for the typical
    mistakes)."""
    Z1, _ = dense_forward(_HAND_X, W1, b1)
    Z2, _ = dense_forward(hidden(Z1), _HAND_W2, b2)
    return float(Z2[0, 0])


forward_by_hand = number_checker(
    NumberExercise(
        title="A forward pass by hand",
        name="y_hat",
        right=_hand_output,
        why="z1 = x W1 + b1 = (2, -1), ReLU makes it h = (2, 0), and "
        "y = h w2 + b2 = 2·2 + 0·(-1) + 0.5 = 4.5: the second hidden unit is off, so its "
        "weight plays no part for this input.",
        mistakes=(
            Mistake(
                "no-relu",
                lambda: _hand_output(hidden=lambda Z: Z),
                "You skipped the ReLU: the second hidden unit's -1 must become 0 before the "
                "output layer sees it.",
            ),
            Mistake(
                "transposed",
                lambda: _hand_output(W1=_HAND_W1.T),
                "You used W1's rows as the units. In this book W has shape (inputs, "
                "outputs): hidden unit j takes column j, x1 · W1[0, j] + x2 · W1[1, j].",
            ),
            Mistake(
                "no-hidden-bias",
                lambda: _hand_output(b1=np.zeros(2)),
                "You left out b1: the second unit's -4 is what switches it off.",
            ),
            Mistake(
                "no-output-bias",
                lambda: _hand_output(b2=np.zeros(1)),
                "Right up to the output's bias: add b2 = 0.5.",
            ),
        ),
    )
)


def _collapsed_size(sizes=(2, 5, 5, 1)):
    """Run it: multiply out a random linear network of these sizes into one layer, check
    that the layer computes what the network does, and count its numbers."""
    rng = np.random.default_rng(0)
    layers = [
        (rng.standard_normal((n_in, n_out)), rng.standard_normal(n_out))
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    W, b = np.eye(sizes[0]), np.zeros(sizes[0])
    X = deep = rng.standard_normal((4, sizes[0]))
    for W_layer, b_layer in layers:
        W, b = W @ W_layer, b @ W_layer + b_layer
        deep = deep @ W_layer + b_layer
    assert np.allclose(deep, X @ W + b)
    return W.size + b.size


collapse_prediction = number_checker(
    NumberExercise(
        title="Predict: a deep network without activations",
        name="predicted_numbers",
        right=_collapsed_size,
        why="Without activations every layer is linear, and linear maps compose into one: "
        "x W1 W2 W3 + (…) is a single layer from 2 inputs to 1 output, which needs 2 weights "
        "and 1 bias. The 51 parameters of the deep network buy nothing.",
        mistakes=(
            Mistake(
                "deep-count",
                lambda: sum(count_parameters([2, 5, 5, 1])),
                "51 is what the deep network stores. Multiplied out, its three linear layers "
                "are one layer from 2 inputs to 1 output.",
            ),
            Mistake(
                "weights-only",
                lambda: 2,
                "2 weights, but the collapsed layer keeps a bias too, built from all the "
                "layers' biases.",
            ),
            Mistake(
                "hidden-width",
                lambda: 5 * 2 + 5,
                "A collapsed network has no hidden layer left: one layer from 2 inputs to 1 "
                "output.",
            ),
        ),
        rtol=1e-9,
        prediction=True,
    )
)
