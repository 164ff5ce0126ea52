"""The MNIST exercise checkers: each typical mistake gets its own diagnosis, and no junk
answer makes a checker raise. (That every reference solution passes and every stub is
rejected: test_exercise_contract.py.)"""

import numpy as np
import pytest
from exercise_harness import JUNK_ANSWERS, assert_rejected_calmly, exercise_notebook

from nnlib.checks import mnist as check

BOOK = exercise_notebook("12_mnist")

IDX = "def read_idx_images(raw):\n{}"
HEADER = "    magic, n, rows, cols = np.frombuffer(raw[:16], dtype='>u4')\n"
PIXELS = "np.frombuffer(raw[16:], dtype=np.uint8)"
CONFUSION = "def confusion_counts(true, predicted, n_classes):\n{}"
ZEROS = "    C = np.zeros((n_classes, n_classes), dtype=int)\n"
MISTAKES = (
    "def most_confident_mistakes(probs, labels, k):\n"
    "    predicted, confidence = probs.argmax(axis=1), probs.max(axis=1)\n"
    "    wrong = np.flatnonzero(predicted != labels)\n{}"
)


def layers(*sizes, value=0.0):
    """Source of a params list of zero-filled (or `value`-filled) layers of these sizes."""
    return (
        "["
        + ", ".join(
            f"{{'W': np.full(({a}, {b}), {value}), 'b': np.zeros({b})}}"
            for a, b in zip(sizes[:-1], sizes[1:], strict=True)
        )
        + "]"
    )


# A 3-layer network that classifies by the nearest class mean: well above chance, well below
# the target. Pixels are >= 0, so the first ReLU layer passes them unchanged; the offset
# keeps the second layer's scores positive through its ReLU.
NEAREST_MEAN = """means = np.stack([X_train[y_train == c].mean(axis=0) for c in range(10)])
params = [
    {"W": np.eye(784), "b": np.zeros(784)},
    {"W": means.T, "b": 100.0 - 0.5 * np.sum(means**2, axis=1)},
    {"W": np.eye(10), "b": np.zeros(10)},
]
losses = [2.3, 1.1]"""

WRONG_ANSWERS = [
    # 1. IDX
    (
        "ex-mnist-idx",
        IDX.format(
            "    magic, n, rows, cols = np.frombuffer(raw[:16], dtype='<u4')\n"
            f"    return {PIXELS}.reshape(n, rows, cols)"
        ),
        "little-endian",
    ),
    (
        "ex-mnist-idx",
        IDX.format(
            "    magic, n, rows, cols = np.frombuffer(raw[:16], dtype='<u4')\n"
            "    if magic != 2051:\n        raise ValueError(f'magic {magic}')\n"
            f"    return {PIXELS}.reshape(n, rows, cols)"
        ),
        "little-endian",
    ),
    (
        "ex-mnist-idx",
        IDX.format(HEADER + "    return np.frombuffer(raw, dtype=np.uint8).reshape(n, rows, cols)"),
        "header-not-skipped",
    ),
    (
        "ex-mnist-idx",
        IDX.format(
            HEADER + "    return np.frombuffer(raw[8:], dtype=np.uint8).reshape(n, rows, cols)"
        ),
        "header-not-skipped",
    ),
    (
        "ex-mnist-idx",
        IDX.format(HEADER + f"    return {PIXELS}.reshape(n, cols, rows)"),
        "rows-columns-swapped",
    ),
    (
        "ex-mnist-idx",
        IDX.format(HEADER + f"    return {PIXELS}.reshape(n, rows * cols)"),
        "wrong-shape",
    ),
    (
        "ex-mnist-idx",
        IDX.format(HEADER + f"    return {PIXELS}.reshape(n, rows, cols) / 255"),
        "scaled",
    ),
    (
        "ex-mnist-idx",
        IDX.format(HEADER + f"    return {PIXELS}.reshape(n, rows, cols).astype(int)"),
        "wrong-dtype",
    ),
    (
        "ex-mnist-idx",
        IDX.format(HEADER + f"    return {PIXELS}.reshape(n, rows, cols)"),
        "no-magic-check",
    ),
    (
        "ex-mnist-idx",
        IDX.format(
            HEADER + f"    assert magic == 2051\n    return {PIXELS}.reshape(n, rows, cols)"
        ),
        "wrong-error",
    ),
    (  # the student's own magic check, on a header read little-endian, words only
        "ex-mnist-idx",
        IDX.format(
            "    header = np.frombuffer(raw[:16], dtype=np.uint32)\n"
            "    if header[0] != 2051:\n"
            "        raise ValueError('This is not an IDX image file')\n"
            f"    return {PIXELS}.reshape(*header[1:])"
        ),
        "raised-on-valid-file",
    ),
    (  # an error that happens to quote a number is not taken for a header mistake
        "ex-mnist-idx",
        IDX.format("    raise TypeError('wanted 64 bytes as int64')"),
        "raised",
    ),
    # 2. The confusion matrix
    (
        "ex-mnist-confusion",
        CONFUSION.format(ZEROS + "    np.add.at(C, (predicted, true), 1)\n    return C"),
        "transposed",
    ),
    (
        "ex-mnist-confusion",
        CONFUSION.format(ZEROS + "    C[true, predicted] += 1\n    return C"),
        "repeats-lost",
    ),
    (
        "ex-mnist-confusion",
        CONFUSION.format(
            ZEROS + "    np.add.at(C, (true, predicted), 1)\n"
            "    return C / np.maximum(C.sum(axis=1, keepdims=True), 1)"
        ),
        "normalised",
    ),
    (
        "ex-mnist-confusion",
        CONFUSION.format(
            "    n = max(true.max(), predicted.max()) + 1\n"
            "    C = np.zeros((n, n), dtype=int)\n"
            "    np.add.at(C, (true, predicted), 1)\n    return C"
        ),
        "wrong-shape",
    ),
    (
        "ex-mnist-confusion",
        CONFUSION.format(ZEROS + "    np.add.at(C, (true, predicted), 2)\n    return C"),
        "wrong-counts",
    ),
    # 3. The most confident mistakes
    (
        "ex-mnist-confident-mistakes",
        MISTAKES.format("    return np.argsort(-confidence)[:k]"),
        "includes-correct",
    ),
    (
        "ex-mnist-confident-mistakes",
        MISTAKES.format("    return wrong[np.argsort(confidence[wrong])][:k]"),
        "least-confident-first",
    ),
    (
        "ex-mnist-confident-mistakes",
        MISTAKES.format("    return np.argsort(-confidence[wrong])[:k]"),
        "positions-not-indices",
    ),
    (
        "ex-mnist-confident-mistakes",
        MISTAKES.format("    return wrong[np.argsort(probs[wrong, labels[wrong]])][:k]"),
        "true-class-probability",
    ),
    (
        "ex-mnist-confident-mistakes",
        MISTAKES.format("    return np.sort(confidence[wrong])[::-1][:k]"),
        "values-not-indices",
    ),
    (
        "ex-mnist-confident-mistakes",
        MISTAKES.format(
            "    if len(wrong) < k:\n        return np.array([], dtype=int)\n"
            "    return wrong[np.argsort(-confidence[wrong])][:k]"
        ),
        "too-few-mistakes",
    ),
    (
        "ex-mnist-confident-mistakes",
        MISTAKES.format("    return wrong[np.argsort(-confidence[wrong])][: k + 1]"),
        "wrong-length",
    ),
    # 4. The assignment
    (
        "ex-mnist-assignment",
        f"params = {layers(784, 64, 10)}\nlosses = [1.0, 0.5]",
        "too-few-layers",
    ),
    (
        "ex-mnist-assignment",
        f"params = {layers(28, 64, 64, 10)}\nlosses = [1.0, 0.5]",
        "wrong-sizes",
    ),
    (
        "ex-mnist-assignment",
        f"params = {layers(784, 64, 32, 10)[:-1]}, {{'W': np.zeros((64, 10)), 'b': np.zeros(10)}}]"
        "\nlosses = [1.0, 0.5]",
        "wrong-sizes",
    ),
    (
        "ex-mnist-assignment",
        "params = {'W': np.zeros((784, 10)), 'b': np.zeros(10)}\nlosses = [1.0, 0.5]",
        "wrong-structure",
    ),
    (
        "ex-mnist-assignment",
        f"params = {layers(784, 64, 64, 10)}\nlosses = list(np.linspace(2.3, 0.1, 429))",
        "not-per-epoch",
    ),
    ("ex-mnist-assignment", f"params = {layers(784, 64, 64, 10)}\nlosses = [0.4]", "not-per-epoch"),
    (
        "ex-mnist-assignment",
        f"params = {layers(784, 64, 64, 10)}\nlosses = [2.3, float('nan')]",
        "diverged",
    ),
    (
        "ex-mnist-assignment",
        f"params = {layers(784, 64, 64, 10)}\nlosses = [0.5, 0.7]",
        "not-learning",
    ),
    (
        "ex-mnist-assignment",
        f"params = {layers(784, 64, 64, 10)}\nlosses = [2.3, 2.2]",
        "chance-level",
    ),
    ("ex-mnist-assignment", NEAREST_MEAN, "below-target"),
    ("ex-mnist-steps-by-hand", "steps_per_epoch = 430", "rounded-up"),
    ("ex-mnist-steps-by-hand", "steps_per_epoch = 55_000 / 128", "fraction"),
    ("ex-mnist-steps-by-hand", "steps_per_epoch = 55_000", "one-per-image"),
    ("ex-mnist-steps-by-hand", "steps_per_epoch = 55_000 * 128", "multiplied"),
    ("ex-mnist-steps-by-hand", "steps_per_epoch = 400", "wrong-number"),
    ("ex-mnist-predict-blank", "predicted_blank = 0.5", "half"),
    ("ex-mnist-predict-blank", "predicted_blank = 0.19", "ink-share"),
    ("ex-mnist-predict-blank", "predicted_blank = 0.99", "almost-all"),
    ("ex-mnist-predict-blank", "predicted_blank = 0.05", "far-off"),
]


@pytest.mark.parametrize("label, code, diagnosis", WRONG_ANSWERS)
def test_typical_wrong_answer_gets_its_diagnosis(label, code, diagnosis):
    BOOK.assert_diagnosis(label, code, diagnosis)


def test_the_assignment_check_reports_the_accuracy_it_measured():
    feedback = BOOK.run("ex-mnist-assignment", NEAREST_MEAN)
    accuracy = float(feedback.message.split("validation accuracy ")[1].split("%")[0])
    assert 70 < accuracy < 100 * check.TARGET_ACCURACY  # nearest class mean: about 80%


def test_an_activation_the_checker_does_not_know_is_named_in_the_feedback():
    params = [{"W": np.zeros((784, 16)), "b": np.zeros(16)}] + [
        {"W": np.zeros((16, n)), "b": np.zeros(n)} for n in (16, 10)
    ]
    feedback = check.assignment(params, [1.0, 0.5], activation="softplus")
    assert not feedback.passed and feedback.code == "wrong-activation"
    assert "softplus" in feedback.message


def test_the_assignment_check_takes_jax_arrays_as_training_leaves_them():
    import jax.numpy as jnp

    sizes = (784, 16, 16, 10)
    params = [
        {"W": jnp.zeros((a, b)), "b": jnp.zeros(b)} for a, b in zip(sizes, sizes[1:], strict=False)
    ]
    feedback = check.assignment(params, jnp.array([2.3, 2.2]))
    assert feedback.code == "chance-level", str(feedback)  # read, measured, judged


@pytest.mark.parametrize(
    "answer",
    [
        *JUNK_ANSWERS,
        lambda *a: np.zeros((3, 5, 4), dtype=np.uint8),
        lambda *a: np.array(["a", "b"]),
        lambda *a: np.array([0.5, 2.5]),
        lambda *a: np.array([-1, 99]),
        lambda *a: [{"W": np.zeros((2, 2))}],
        lambda *a: [{"x": 1}],
        lambda *a: np.full((4, 4), np.nan),
    ],
)
def test_nothing_a_student_passes_makes_a_checker_raise(answer):
    for feedback in (
        check.read_idx_images(answer),
        check.confusion_counts(answer),
        check.most_confident_mistakes(answer),
        check.assignment(answer, answer),
        check.assignment(answer, [1.0, 0.5]),
    ):
        assert_rejected_calmly(feedback)
