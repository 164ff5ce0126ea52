"""Checkers for the exercises on MNIST (exercises/12_mnist.ipynb).

Usage in the notebook: `from nnlib.checks import mnist as check`, then for example
`check.read_idx_images(read_idx_images)`.

The code exercises are declarations (`CodeExercise`) judged by nnlib.checks.engine: a reader's
crash is diagnosed from its message (`call`), and counts and indices are read with their own
verdicts (`result`). The assignment, a training run judged by its accuracy, stays a function.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import numpy as np

from nnlib.checks import Reject, call_student, checker, kind_of, require_started, run_student
from nnlib.checks.engine import CodeExercise, Variant, as_array, code_checker, finite, recoded
from nnlib.checks.numeric import Mistake, NumberExercise, number_checker
from nnlib.data.mnist import IMAGES_MAGIC, LABELS_MAGIC, idx_bytes, load_mnist, to_float
from nnlib.data.mnist import train_validation_split as _split
from nnlib.model import mlp_forward
from nnlib.plot import confusion_counts as _confusion_counts

# --- reading an IDX file -------------------------------------------------------------------


def _idx_cases():
    """(file, the images it holds): some not square, so that swapped rows and columns show."""
    for n, rows, cols, seed in ((3, 4, 5, 0), (2, 28, 28, 1)):
        images = np.random.default_rng(seed).integers(0, 256, size=(n, rows, cols), dtype=np.uint8)
        yield idx_bytes(IMAGES_MAGIC, images.shape, images), images


def _call_reader(func, case):
    """`read_idx_images(file)`, with a crash turned into the mistake it points at."""
    try:
        return call_student(func, "read_idx_images", case[0])
    except Reject as verdict:
        if verdict.code != "raised":
            raise
        error = verdict.message.split("` raised ", 1)[-1]  # without the call: it quotes the bytes
    n, rows, cols = shape = case[1].shape
    flipped = {v: int.from_bytes(v.to_bytes(4, "big"), "little") for v in (IMAGES_MAGIC, *shape)}
    said = f"Given a file of {n} images of {rows} x {cols} pixels, `read_idx_images` raised {error}"
    if set(flipped.values()) & {int(s) for s in re.findall(r"\d+", error)}:
        raise Reject(
            "little-endian",
            said + f"\nThe header's numbers came out byte-reversed ({IMAGES_MAGIC} reads as "
            f"{flipped[IMAGES_MAGIC]}, {n} as {flipped[n]}): they were read with the least "
            "significant byte first. IDX stores them big-endian (most significant byte first): "
            "use int.from_bytes(..., 'big') or np.frombuffer(..., dtype='>u4').",
        )
    size = n * rows * cols
    for skipped in (16, 12, 8, 4):
        if re.search(rf"array of size {size + skipped}\b", error):  # NumPy's words
            raise Reject(
                "header-not-skipped",
                said + f"\nThe file has {size} pixel bytes, but your array got {size + skipped}: "
                f"{skipped} bytes of the header were taken for pixels. The header is 16 bytes "
                "(four 32-bit numbers); the pixels start at byte 16.",
            )
    if error.startswith("ValueError"):  # often the student's own magic check, on a reversed header
        raise Reject(
            "raised-on-valid-file",
            said + f"\nThis file is a valid IDX image file: its first four bytes hold the magic "
            f"number {IMAGES_MAGIC} (0x00000803). If your own magic check raised, the header was "
            "read with the wrong byte order (np.uint32 is little-endian on most machines, IDX is "
            "big-endian): use dtype='>u4' or int.from_bytes(..., 'big').",
        )
    raise Reject("raised", said)


def _read_images(got, case, images):
    """The student's array, once its type, shape and dtype are those of the file's images."""
    n, rows, cols = images.shape
    if not isinstance(got, np.ndarray):
        raise Reject(
            "not-an-array",
            f"`read_idx_images` should return a NumPy array, but it returned {kind_of(got)}.",
        )
    if rows != cols and got.shape == (n, cols, rows):
        raise Reject(
            "rows-columns-swapped",
            f"For images of {rows} rows and {cols} columns your array has shape {got.shape}: rows "
            "and columns are swapped. The header gives the number of rows before the number of "
            "columns, and the pixels are stored row after row.",
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
            f"The file holds {n} images of {rows} x {cols} pixels, so the array should have "
            f"shape {images.shape}; yours has shape {got.shape}.",
        )
    if got.dtype != np.uint8 and np.allclose(got, images / 255):
        raise Reject(
            "scaled",
            "Your pixels are divided by 255. The reader should return the bytes as they are "
            "stored (dtype uint8, 0..255): scaling to [0, 1] is a separate step "
            "(nnlib.data.mnist.to_float), done once, just before training.",
        )
    if got.dtype != np.uint8:
        raise Reject(
            "wrong-dtype",
            f"Your array has dtype {got.dtype}; the pixels are single bytes, so it should be "
            "uint8 (np.frombuffer(..., dtype=np.uint8)).",
        )
    return got


def _refuses_other_files(func):
    """The success sentence, once a file with a label file's magic number raises ValueError."""
    try:
        result = run_student(func, "read_idx_images", idx_bytes(LABELS_MAGIC, (1, 2, 2), bytes(4)))
    except ValueError:
        return "Right: the header read big-endian, the pixels as bytes, a wrong file refused."
    except Exception as err:
        raise Reject(
            "wrong-error",
            f"Given a file whose magic number is {LABELS_MAGIC} (a label file), your function "
            f"raised {type(err).__name__}{f': {err}' if str(err) else ''}. Raise a ValueError "
            f"that says the magic number is not {IMAGES_MAGIC}.",
        ) from None
    raise Reject(
        "no-magic-check",
        f"Given a file whose magic number is {LABELS_MAGIC} (a label file, not images), your "
        f"function returned {kind_of(result)} instead of raising a ValueError. Check that the "
        f"first four bytes read {IMAGES_MAGIC} before reading the rest.",
    )


read_idx_images = code_checker(
    CodeExercise(
        title="Reading an IDX image file",
        name="read_idx_images",
        reference=lambda raw, images: images,  # a case is a file and the images it holds
        cases=_idx_cases,
        call=_call_reader,
        result=_read_images,
        per_case=True,
        unnamed="wrong-pixels",
        mismatch=lambda case, got, right: (
            "The shape is right, but the pixels are not the file's: the first row of the first "
            f"image should be {right[0, 0, :5].tolist()}..., yours is {got[0, 0, :5].tolist()}"
            "... The pixels start right after the 16-byte header."
        ),
        success=_refuses_other_files,
    )
)


# --- the confusion matrix --------------------------------------------------------------------


def _read_counts(got, case, right):
    """The student's matrix of counts, or the verdict: not an array, or not one row and one
    column per class."""
    what = "What `confusion_counts` returns"
    if not isinstance(got, np.ndarray | list | tuple):  # a number is no matrix
        raise Reject(
            "not-an-array", f"{what} should be an array of counts, but it is {kind_of(got)}."
        )
    counts = recoded("not-an-array", as_array, got, what, kind="an array of counts")
    return as_array(
        counts,
        f"With n_classes={case[2]} the matrix",
        right.shape,
        hint=lambda _: (
            "It needs one row and one column per class, even for a class that never appears."
        ),
    )


def _row_fractions(*case):
    counts = _confusion_counts(*case)
    return counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)


def _counts_differ(case, counts, right):
    whole = np.all(np.isfinite(counts)) and np.all(counts == np.round(counts))
    shown = counts.astype(int) if whole else np.round(counts, 3)
    return (
        f"For true = {case[0].tolist()} and predicted = {case[1].tolist()}, the matrix "
        f"should be {right.tolist()}; yours is {shown.tolist()}."
    )


confusion_counts = code_checker(
    CodeExercise(
        title="The confusion matrix",
        name="confusion_counts",
        reference=_confusion_counts,
        # Repeated pairs, a lopsided pair of classes and a class that never appears.
        cases=lambda: [
            (np.array([0, 0, 1, 1, 1, 2, 2, 0, 1, 1]), np.array([0, 1, 1, 1, 0, 2, 1, 0, 1, 1]), 4),
            (np.array([3, 3, 3]), np.array([3, 0, 3]), 5),
        ],
        result=_read_counts,
        rtol=0.0,  # counts are whole numbers: equal, not close
        atol=0.0,
        per_case=True,
        mistakes=[
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
        ],
        unnamed="wrong-counts",
        mismatch=_counts_differ,
        success="Right: rows are true classes, columns predictions, every example counted once.",
    )
)


# --- the most confident mistakes --------------------------------------------------------------


def _confident_cases():
    """The same probabilities with k = 3 and with k above the number of mistakes."""
    rng = np.random.default_rng(5)
    scores = rng.normal(scale=2.0, size=(12, 3))
    probs = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    labels = rng.integers(0, 3, size=12)
    return [(probs, labels, 3), (probs, labels, int(np.sum(probs.argmax(1) != labels)) + 2)]


def _mistakes_by(score, probs, labels, k):
    """The first k mistakes (rows whose argmax is not the label) by `score`, lowest first."""
    wrong = np.flatnonzero(probs.argmax(axis=1) != labels)
    return wrong[np.argsort(score[wrong], kind="stable")][:k]


def _as_indices(got, case, right):
    """The student's answer as an array of example indices, or the verdict on it."""
    not_indices = Reject(
        "not-indices",
        f"`most_confident_mistakes` should return an array of example indices (whole "
        f"numbers 0..{len(case[0]) - 1}), got {kind_of(got)}.",
    )
    try:
        values = np.asarray(got)
    except (TypeError, ValueError):
        raise not_indices from None
    if values.ndim != 1 or values.dtype.kind not in "iuf":
        raise not_indices
    fractions = values.dtype.kind == "f" and not np.all(values == np.round(values))
    if fractions and np.all((values >= 0) & (values <= 1)):
        raise Reject(
            "values-not-indices",
            "Your answer holds probabilities, not positions: return the indices of the "
            "examples (np.argsort gives positions), so that X[indices] shows them.",
        )
    if fractions or (values.size and (values.min() < 0 or values.max() >= len(case[0]))):
        raise not_indices
    return values.astype(int)


def _not_only_mistakes(cases, got, right):
    """An answer with a correctly classified example in it, or of the wrong length."""
    (probs, labels, k), indices, n = cases[0], got[0], len(right[0])
    if np.any(probs.argmax(axis=1)[indices] == labels[indices]):
        return "includes-correct", (
            "Some of your indices are examples the network classified correctly (its "
            "prediction, the argmax of the row, equals the label). Keep only the mistakes."
        )
    if len(indices) == n:
        return None
    if k > n:
        return "too-few-mistakes", (
            f"There are only {n} mistakes and k = {k}: return all {n} of them, most confident "
            f"first; you returned {len(indices)} indices."
        )
    return "wrong-length", f"With k = {k} there should be {n} indices; you returned {len(indices)}."


most_confident_mistakes = code_checker(
    CodeExercise(
        title="The most confident mistakes",
        name="most_confident_mistakes",
        reference=lambda probs, labels, k: _mistakes_by(-probs.max(axis=1), probs, labels, k),
        cases=_confident_cases,
        result=_as_indices,
        per_case=True,
        mistakes=[
            Variant(
                "positions-not-indices",
                "Your numbers are positions in the list of mistakes, not rows of `probs`: "
                "after sorting `confidence[wrong]`, index back into the array of mistakes' "
                "rows, `wrong[order]`, to get the examples' own indices.",
                lambda probs, labels, k: np.argsort(-probs.max(1)[probs.argmax(1) != labels])[:k],
            ),
            *(
                Variant(
                    "least-confident-first",
                    "Your order runs from the least confident up. The most confident mistake "
                    "comes first: sort by minus the confidence (np.argsort(-confidence)).",
                    least_first,
                )
                for least_first in (
                    lambda probs, labels, k: _mistakes_by(probs.max(1), probs, labels, k),
                    lambda probs, labels, k: _mistakes_by(-probs.max(1), probs, labels, k)[::-1],
                )
            ),
            Variant(
                "true-class-probability",
                "You ranked the mistakes by the probability of the true class. The confidence "
                "of a mistake is the probability the network gave to its own (wrong) "
                "prediction, the largest entry of the row.",
                lambda probs, labels, k: _mistakes_by(
                    probs[np.arange(len(labels)), labels], probs, labels, k
                ),
            ),
        ],
        flaws=[_not_only_mistakes],
        unnamed="wrong-indices",
        mismatch=lambda case, got, right: (
            f"For k = {case[2]} the answer is {right.tolist()}; you returned {got.tolist()}."
        ),
        success="Right, including when there are fewer mistakes than k.",
    )
)


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
