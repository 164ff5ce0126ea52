"""Checkers for the exercises on MNIST (exercises/12_mnist.ipynb).

Usage in the notebook: `from nnlib.checks import mnist as check`, then for example
`check.read_idx_images(read_idx_images)`.

The checkers are functions built on nnlib.checks.engine (named mistakes as `Variant`s),
not `CodeExercise` declarations: a reader's crash is diagnosed from its message, counts and
indices have their own verdicts, and the assignment is a training run.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import numpy as np

from nnlib.checks import Reject, call_student, checker, kind_of, require_started, run_student
from nnlib.checks.engine import Variant, finite, reject_match
from nnlib.checks.numeric import Mistake, NumberExercise, number_checker
from nnlib.data.mnist import IMAGES_MAGIC, LABELS_MAGIC, idx_bytes, load_mnist, to_float
from nnlib.data.mnist import train_validation_split as _split
from nnlib.model import mlp_forward
from nnlib.plot import confusion_counts as _confusion_counts

# --- reading an IDX file -------------------------------------------------------------------


def _idx_case(n, rows, cols, seed):
    images = np.random.default_rng(seed).integers(0, 256, size=(n, rows, cols), dtype=np.uint8)
    return images, idx_bytes(IMAGES_MAGIC, images.shape, images)


def _little_endian(value):
    return int.from_bytes(int(value).to_bytes(4, "big"), "little")


def _diagnose_idx_crash(verdict, images):
    """Turn a crash of the student's reader into the mistake it points at."""
    n, rows, cols = images.shape
    # The message quotes the call with the file's bytes: name the file in words instead.
    error = verdict.message.split("` raised ", 1)[-1]
    said = f"Given a file of {n} images of {rows} x {cols} pixels, `read_idx_images` raised {error}"
    numbers = {int(s) for s in re.findall(r"\d+", error)}
    if {_little_endian(v) for v in (IMAGES_MAGIC, n, rows, cols)} & numbers:
        raise Reject(
            "little-endian",
            said + f"\nThe header's numbers came out byte-reversed ({IMAGES_MAGIC} reads as "
            f"{_little_endian(IMAGES_MAGIC)}, {n} as {_little_endian(n)}): they were read with "
            "the least significant byte first. IDX stores them big-endian (most significant "
            "byte first): use int.from_bytes(..., 'big') or np.frombuffer(..., dtype='>u4').",
        )
    size = n * rows * cols
    reshaped = {int(s) for s in re.findall(r"array of size (\d+)", error)}  # NumPy's words
    for skipped in (0, 4, 8, 12):
        if size + 16 - skipped in reshaped:
            raise Reject(
                "header-not-skipped",
                said + f"\nThe file has {size} pixel bytes, but your array got "
                f"{size + 16 - skipped}: {16 - skipped} bytes of the header were taken for "
                "pixels. The header is 16 bytes (four 32-bit numbers); the pixels start at "
                "byte 16.",
            )
    if error.startswith("ValueError"):
        # Most often the student's own magic check, fed a byte-reversed header.
        raise Reject(
            "raised-on-valid-file",
            said + f"\nThis file is a valid IDX image file: its first four bytes hold the "
            f"magic number {IMAGES_MAGIC} (0x00000803). If your own magic check raised, the "
            "header was read with the wrong byte order (np.uint32 is little-endian on most "
            "machines, IDX is big-endian): use dtype='>u4' or int.from_bytes(..., 'big').",
        )
    raise Reject(verdict.code, said)


@checker("Reading an IDX image file")
def read_idx_images(func):
    """Check `func(raw) -> (n, rows, cols) uint8` on files made from known images, some not
    square (so that swapped rows and columns show), and that a wrong magic number raises
    ValueError."""
    for images, raw in (_idx_case(3, 4, 5, seed=0), _idx_case(2, 28, 28, seed=1)):
        try:
            got = call_student(func, "read_idx_images", raw)
        except Reject as verdict:
            if verdict.code == "raised":
                _diagnose_idx_crash(verdict, images)
            raise
        if not isinstance(got, np.ndarray):
            raise Reject(
                "not-an-array",
                f"`read_idx_images` should return a NumPy array, but it returned {kind_of(got)}.",
            )
        n, rows, cols = images.shape
        if rows != cols and got.shape == (n, cols, rows):
            raise Reject(
                "rows-columns-swapped",
                f"For images of {rows} rows and {cols} columns your array has shape "
                f"{got.shape}: rows and columns are swapped. The header gives the number of "
                "rows before the number of columns, and the pixels are stored row after row.",
            )
        if got.shape != images.shape:
            if got.size == images.size and np.array_equal(got.ravel(), images.ravel()):
                raise Reject(
                    "wrong-shape",
                    f"Your array has the right pixels but shape {got.shape}; it should be "
                    f"{images.shape}: (images, rows, columns), as the header says.",
                )
            raise Reject(
                "wrong-shape",
                f"The file holds {images.shape[0]} images of {images.shape[1]} x "
                f"{images.shape[2]} pixels, so the array should have shape {images.shape}; "
                f"yours has shape {got.shape}.",
            )
        if got.dtype != np.uint8:
            if np.allclose(got, images / 255):
                raise Reject(
                    "scaled",
                    "Your pixels are divided by 255. The reader should return the bytes as "
                    "they are stored (dtype uint8, 0..255): scaling to [0, 1] is a separate "
                    "step (nnlib.data.mnist.to_float), done once, just before training.",
                )
            raise Reject(
                "wrong-dtype",
                f"Your array has dtype {got.dtype}; the pixels are single bytes, so it should be "
                "uint8 (np.frombuffer(..., dtype=np.uint8)).",
            )
        if not np.array_equal(got, images):
            raise Reject(
                "wrong-pixels",
                f"The shape is right, but the pixels are not the file's: the first row of the "
                f"first image should be {images[0, 0, :5].tolist()}..., yours is "
                f"{got[0, 0, :5].tolist()}... The pixels start right after the 16-byte header.",
            )
    wrong = idx_bytes(LABELS_MAGIC, (1, 2, 2), bytes(4))
    try:
        result = run_student(func, "read_idx_images", wrong)
    except ValueError:
        return "Right: the header read big-endian, the pixels as bytes, a wrong file refused."
    except Exception as err:
        raise Reject(
            "wrong-error",
            f"Given a file whose magic number is {LABELS_MAGIC} (a label file), your function "
            f"raised {type(err).__name__}{f': {err}' if str(err) else ''}. Raise a "
            "ValueError that says the magic "
            f"number is not {IMAGES_MAGIC}.",
        ) from None
    raise Reject(
        "no-magic-check",
        f"Given a file whose magic number is {LABELS_MAGIC} (a label file, not images), your "
        f"function returned {kind_of(result)} instead of raising a ValueError. Check that "
        f"the first four bytes read {IMAGES_MAGIC} before reading the rest.",
    )


# --- the confusion matrix --------------------------------------------------------------------


def _as_count_matrix(got, n_classes):
    if not isinstance(got, np.ndarray | list | tuple):
        raise Reject(
            "not-an-array",
            f"`confusion_counts` should return an array of counts, got {kind_of(got)}.",
        )
    try:
        counts = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise Reject(
            "not-an-array", f"`confusion_counts` should return an array of counts, got {got!r}."
        ) from None
    if counts.shape != (n_classes, n_classes):
        raise Reject(
            "wrong-shape",
            f"With n_classes={n_classes} the matrix should have shape "
            f"({n_classes}, {n_classes}), one row and one column per class, even for a class "
            f"that never appears; yours has shape {counts.shape}.",
        )
    return counts


def _row_fractions(*case):
    counts = _confusion_counts(*case)
    return counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)


_CONFUSION_MISTAKES = [
    Variant(
        "transposed",
        "Your matrix is transposed: the rows should be the true classes and the columns "
        "the predictions, so that cell (i, j) counts the images of digit i read as j.",
        lambda *case: _confusion_counts(*case).T,
    ),
    Variant(
        "repeats-lost",
        "Each cell of yours is 0 or 1: a pair that occurs several times is counted once. "
        "`C[true, predicted] += 1` adds 1 once per distinct pair, because NumPy "
        "writes repeated indices only once; loop over the examples, or use "
        "np.add.at(C, (true, predicted), 1).",
        lambda *case: np.minimum(_confusion_counts(*case), 1),  # each pair counted once
    ),
    Variant(
        "normalised",
        "Your rows are fractions. The exercise asks for counts: how many images of "
        "class i were predicted as j.",
        _row_fractions,
    ),
]


@checker("The confusion matrix")
def confusion_counts(func):
    """Check `func(true, predicted, n_classes)` counts (true i, predicted j) in cell (i, j),
    with repeated pairs, a lopsided pair of classes and a class that never appears."""
    true = np.array([0, 0, 1, 1, 1, 2, 2, 0, 1, 1])
    predicted = np.array([0, 1, 1, 1, 0, 2, 1, 0, 1, 1])
    cases = [(true, predicted, 4), (np.array([3, 3, 3]), np.array([3, 0, 3]), 5)]
    for case in cases:
        true, predicted, n_classes = case
        got = call_student(func, "confusion_counts", *case)
        counts = _as_count_matrix(got, n_classes)
        expected = _confusion_counts(*case)
        if np.array_equal(counts, expected):
            continue
        reject_match([counts], [case], _CONFUSION_MISTAKES, [expected])
        whole = np.all(np.isfinite(counts)) and np.all(counts == np.round(counts))
        shown = counts.astype(int) if whole else np.round(counts, 3)
        raise Reject(
            "wrong-counts",
            f"For true = {true.tolist()} and predicted = {predicted.tolist()}, the matrix "
            f"should be {expected.tolist()}; yours is {shown.tolist()}.",
        )
    return "Right: rows are true classes, columns predictions, every example counted once."


# --- the most confident mistakes --------------------------------------------------------------


def _mistakes_case():
    rng = np.random.default_rng(5)
    scores = rng.normal(scale=2.0, size=(12, 3))
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    labels = rng.integers(0, 3, size=12)
    return probs, labels


def _as_indices(got, m):
    """The student's answer as an array of example indices, or the verdict on it."""
    not_indices = Reject(
        "not-indices",
        f"`most_confident_mistakes` should return an array of example indices (whole "
        f"numbers 0..{m - 1}), got {kind_of(got)}.",
    )
    try:
        values = np.asarray(got)
    except (TypeError, ValueError):
        raise not_indices from None
    if values.ndim != 1 or values.dtype.kind not in "iuf":
        raise not_indices
    if values.dtype.kind == "f" and not np.all(values == np.round(values)):
        if np.all((values >= 0) & (values <= 1)):
            raise Reject(
                "values-not-indices",
                "Your answer holds probabilities, not positions: return the indices of the "
                "examples (np.argsort gives positions), so that X[indices] shows them.",
            )
        raise not_indices
    if values.size and (values.min() < 0 or values.max() >= m):
        raise not_indices
    return values.astype(int)


@checker("The most confident mistakes")
def most_confident_mistakes(func):
    """Check `func(probs, labels, k)`: the indices of the k misclassified examples with the
    highest predicted probability, most confident first; all of them if fewer than k."""
    probs, labels = _mistakes_case()
    predicted = probs.argmax(axis=1)
    confidence = probs.max(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    ranked = wrong[np.argsort(-confidence[wrong], kind="stable")]
    for k in (3, len(wrong) + 2):
        got = call_student(func, "most_confident_mistakes", probs.copy(), labels.copy(), k)
        indices = _as_indices(got, len(probs))
        expected = ranked[:k]
        if np.array_equal(indices, expected):
            continue
        # Positions in the list of mistakes (argsort of confidence[wrong]) rather than
        # rows of probs: the indexing back through `wrong` is missing.
        positions = np.argsort(-confidence[wrong], kind="stable")[:k]
        if len(indices) == len(positions) and (
            np.array_equal(indices, positions)
            or np.array_equal(indices, np.argsort(confidence[wrong], kind="stable")[::-1][:k])
        ):
            raise Reject(
                "positions-not-indices",
                "Your numbers are positions in the list of mistakes, not rows of `probs`: "
                "after sorting `confidence[wrong]`, index back into the array of mistakes' "
                "rows, `wrong[order]`, to get the examples' own indices.",
            )
        if np.any(predicted[indices] == labels[indices]):
            raise Reject(
                "includes-correct",
                "Some of your indices are examples the network classified correctly (its "
                "prediction, the argmax of the row, equals the label). Keep only the mistakes.",
            )
        if k > len(wrong) and len(indices) != len(wrong):
            raise Reject(
                "too-few-mistakes",
                f"There are only {len(wrong)} mistakes and k = {k}: return all {len(wrong)} of "
                f"them, most confident first; you returned {len(indices)} indices.",
            )
        if len(indices) != len(expected):
            raise Reject(
                "wrong-length",
                f"With k = {k} there should be {len(expected)} indices; you returned "
                f"{len(indices)}.",
            )
        if np.array_equal(indices, ranked[::-1][:k]) or np.array_equal(indices, expected[::-1]):
            raise Reject(
                "least-confident-first",
                "Your order runs from the least confident up. The most confident mistake "
                "comes first: sort by minus the confidence (np.argsort(-confidence)).",
            )
        by_true = wrong[np.argsort(probs[wrong, labels[wrong]], kind="stable")][:k]
        if np.array_equal(indices, by_true):
            raise Reject(
                "true-class-probability",
                "You ranked the mistakes by the probability of the true class. The confidence "
                "of a mistake is the probability the network gave to its own (wrong) "
                "prediction, the largest entry of the row.",
            )
        raise Reject(
            "wrong-indices",
            f"For k = {k} the answer is {expected.tolist()}; you returned {indices.tolist()}.",
        )
    return "Right, including when there are fewer mistakes than k."


# --- the assignment --------------------------------------------------------------------------

TARGET_ACCURACY = 0.975  # validation accuracy the assignment asks for


@functools.cache
def _validation_set():
    """The 5,000 validation images of the book's 55,000/5,000 split (seed 0)."""
    mnist = load_mnist(progress=False)
    _, _, X_val, y_val = _split(to_float(mnist.train_images), mnist.train_labels, 5000, seed=0)
    return X_val, y_val.astype(np.int64)


def _numpy_params(params):
    if not isinstance(params, Sequence) or isinstance(params, str) or not params:
        raise Reject(
            "wrong-structure",
            "`params` should be the list of layers that training returned, one dict "
            f"{{'W': ..., 'b': ...}} per layer; got {kind_of(params)}.",
        )
    layers = []
    for index, layer in enumerate(params):
        if not isinstance(layer, dict) or not {"W", "b"} <= set(layer):
            raise Reject(
                "wrong-structure",
                f"Layer {index} of `params` should be a dict with keys 'W' and 'b'; it is "
                f"{kind_of(layer)}.",
            )
        try:
            W, b = np.asarray(layer["W"], dtype=float), np.asarray(layer["b"], dtype=float)
        except (TypeError, ValueError):
            raise Reject(
                "wrong-structure", f"Layer {index}'s W and b should be arrays of numbers."
            ) from None
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise Reject(
                "wrong-structure",
                f"Layer {index} has W of shape {W.shape} and b of shape {b.shape}; W should be "
                "(inputs, outputs) and b one number per output.",
            )
        layers.append({"W": W, "b": b})
    return layers


def _losses(losses):
    # A list, a NumPy array, or anything NumPy reads as one (a JAX array).
    readable = isinstance(losses, Sequence) or hasattr(losses, "__array__")
    if not readable or isinstance(losses, str):
        raise Reject(
            "not-per-epoch",
            f"`losses` should be a list with the training loss of every epoch; got "
            f"{kind_of(losses)}.",
        )
    try:
        values = np.asarray(losses, dtype=float).ravel()
    except (TypeError, ValueError):
        raise Reject("not-per-epoch", "`losses` should hold one number per epoch.") from None
    if len(values) < 2:
        raise Reject(
            "not-per-epoch",
            f"`losses` holds {len(values)} number(s). Train for several epochs and append "
            "the loss of each one, so that you can see it fall.",
        )
    if len(values) > 200:
        raise Reject(
            "not-per-epoch",
            f"`losses` holds {len(values)} numbers, which looks like one per mini-batch. The "
            "assignment asks for one per epoch: the mean loss of the epoch's steps.",
        )
    if not np.all(np.isfinite(values)):
        raise Reject(
            "diverged",
            f"The losses became {values[~np.isfinite(values)][0]}: training diverged. Lower "
            "the learning rate (Adam's 1e-3 is a safe start) and train again.",
        )
    if values[-1] >= values[0]:
        raise Reject(
            "not-learning",
            f"The loss went from {values[0]:.4f} to {values[-1]:.4f}: it did not fall. Check "
            "that every epoch continues from the previous one's parameters and optimiser "
            "state, and try a smaller learning rate.",
        )
    return values


@checker("The assignment: a network of your own on MNIST")
def assignment(params, losses, activation="relu"):
    """Check the trained network: at least three layers from 784 pixels to 10 scores, one
    falling, finite loss per epoch, and a validation accuracy of at least TARGET_ACCURACY,
    measured here on the validation images (in evaluation mode, without dropout)."""
    require_started(params, "params")
    require_started(losses, "losses")
    layers = _numpy_params(params)
    sizes = [layers[0]["W"].shape[0]] + [layer["W"].shape[1] for layer in layers]
    for index in range(1, len(layers)):
        if layers[index]["W"].shape[0] != layers[index - 1]["W"].shape[1]:
            raise Reject(
                "wrong-sizes",
                f"Layer {index - 1} has {layers[index - 1]['W'].shape[1]} outputs but layer "
                f"{index} expects {layers[index]['W'].shape[0]} inputs.",
            )
    if sizes[0] != 784 or sizes[-1] != 10:
        raise Reject(
            "wrong-sizes",
            f"Your network is {'-'.join(map(str, sizes))}. An MNIST network takes the 784 "
            "pixels of an image and gives 10 scores, one per digit.",
        )
    if len(layers) < 3:
        raise Reject(
            "too-few-layers",
            f"Your network {'-'.join(map(str, sizes))} has {len(layers)} layer(s) of "
            "weights. The assignment asks for at least three, such as 784-512-256-10.",
        )
    values = _losses(losses)
    if activation not in ("relu", "tanh", "sigmoid", "leaky_relu"):
        raise Reject(
            "wrong-activation",
            f"activation={activation!r}: pass the hidden layers' activation by name, "
            "'relu', 'tanh', 'sigmoid' or 'leaky_relu'.",
        )
    if not finite([layer["W"] for layer in layers]):
        raise Reject("diverged", "Some weights are nan or infinite: training diverged.")
    X_val, y_val = _validation_set()
    with np.errstate(all="ignore"):
        scores, _ = mlp_forward(layers, X_val, activation=activation)
    accuracy = float(np.mean(scores.argmax(axis=1) == y_val))
    summary = (
        f"network {'-'.join(map(str, sizes))}, {len(values)} epochs, loss "
        f"{values[0]:.4f} → {values[-1]:.4f}, validation accuracy {accuracy:.2%}"
    )
    if accuracy < 0.2:
        raise Reject(
            "chance-level",
            f"{summary}: no better than guessing. Are these the trained parameters, and is "
            "the activation the one you trained with?",
        )
    if accuracy < TARGET_ACCURACY:
        raise Reject(
            "below-target",
            f"{summary}. The target is {TARGET_ACCURACY:.1%}. Try what the chapter did: He "
            "initialisation for ReLU, Adam, a few more epochs, a learning-rate schedule, "
            "dropout.",
        )
    return f"{summary}. Now try to raise it further; measure on the test set only once, at the end."


# A count by hand, and a prediction ---------------------------------------------------------


def _steps_per_epoch(m=55_000, batch_size=128):
    """Run it: the number of batches nnlib.jax cuts one epoch of `m` images into."""
    import jax

    from nnlib import jax as nj

    batches, _ = nj._epoch_batches(jax.random.PRNGKey(0), m, batch_size)
    return int(batches.shape[0])


steps_by_hand = number_checker(
    NumberExercise(
        title="Steps in an epoch, by hand",
        name="steps_per_epoch",
        right=_steps_per_epoch,
        why="55,000 / 128 = 429.7: 429 full batches, and the remaining 88 images wait for "
        "the next epoch's shuffle (nnlib.jax drops the remainder so that every step has "
        "the same shape and compiles once).",
        mistakes=(
            Mistake(
                "rounded-up",
                lambda: int(np.ceil(55_000 / 128)),
                "430 counts a last, partial batch of 88 images; nnlib.jax.train_epoch "
                "leaves it out (floor division, 55_000 // 128).",
            ),
            Mistake(
                "fraction",
                lambda: 55_000 / 128,
                "A number of steps is a whole number: 55_000 // 128.",
            ),
            Mistake(
                "one-per-image",
                lambda: 55_000,
                "55,000 is one step per image. A mini-batch step uses 128 images at once.",
            ),
            Mistake(
                "multiplied",
                lambda: 55_000 * 128,
                "Divide the images by the batch size; multiplying counts image-batch pairs.",
            ),
        ),
        rtol=1e-9,
    )
)


def _zero_pixel_fraction():
    """Run it: the share of MNIST's test pixels that are exactly 0."""
    return float(np.mean(load_mnist(progress=False).test_images == 0))


blank_pixels_prediction = number_checker(
    NumberExercise(
        title="Predict: how much of a digit is blank",
        name="predicted_blank",
        right=_zero_pixel_fraction,
        why="About four pixels in five are exactly 0: a digit's strokes cover a small part "
        "of the 28 × 28 square. For any one image, most first-layer weights of an MLP "
        "multiply a 0, add nothing to the sum and get no gradient from that image.",
        mistakes=(
            Mistake("half", lambda: 0.5, "Digits are thin strokes: far less than half is ink."),
            Mistake(
                "ink-share",
                lambda: 1 - _zero_pixel_fraction(),
                "That is about the share of pixels with *some* ink; the blank ones are the rest.",
            ),
            Mistake(
                "almost-all",
                lambda: 0.99,
                "A digit is more than a dot: a 7 or an 8 covers around a hundred pixels of "
                "the 784.",
            ),
        ),
        rtol=0.08,
        prediction=True,
    )
)
