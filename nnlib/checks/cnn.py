"""Checkers for the exercises on convolutional networks (exercises/11_cnn.ipynb).

Usage in the notebook: `from nnlib.checks import cnn as check`, then for example
`check.output_size(output_size)`.

The four code exercises are declarations judged by nnlib.checks.engine: cases whose right
answers `nnlib.conv` computes (odd sizes, strides that do not divide, padding, several
channels and images, so that the typical mistakes give numbers of their own), and the
typical mistakes as variants, the one that reproduces the student's numbers on every case
being named.
"""

from __future__ import annotations

import numpy as np

from nnlib import conv
from nnlib.checks import Reject, call_student, kind_of
from nnlib.checks.engine import CodeExercise, Variant, as_array, code_checker, worst
from nnlib.checks.numeric import Mistake, NumberExercise, number_checker


def _pad(X, p):
    return np.pad(X, ((0, 0), (0, 0), (p, p), (p, p)))


def _array_result(name, shapes, wrong_shape):
    """A reader for `CodeExercise.result`: the engine's `as_array`, with one of the shapes
    `shapes(case)` (the right one, and a wrong one that a variant names) or the verdict
    `wrong_shape(case, shape)`."""

    def read(got, case, right):
        array = as_array(got, f"What `{name}` returns")
        if array.shape not in shapes(case):
            raise Reject("wrong-shape", wrong_shape(case, array.shape))
        return array

    return read


def _first_result(func, name, cases, read, bad):
    """An `explain` helper: the first (case, result) of the student's function for which
    `bad(result, case)` holds, or None (the function is run again on the cases)."""
    for case in cases:
        result = read(call_student(func, name, *case), case, None)
        if bad(result, case):
            return case, result
    return None


# 1. The output size ---------------------------------------------------------------------

_SIZE_CASES = [
    (28, 3, 1, 0),
    (28, 3, 1, 1),
    (28, 5, 2, 2),
    (7, 3, 2, 0),
    (8, 3, 2, 0),
    (32, 5, 3, 1),
    (10, 4, 3, 2),
    (5, 5, 1, 0),
]

_SIZE_MISTAKES = [
    Variant(
        "stride-ignored",
        "Your sizes are right for stride 1 but not for larger strides: the stride is ignored. "
        "Windows s apart fit floor((n + 2p - k) / s) + 1 times.",
        lambda n, k, s, p: n + 2 * p - k + 1,
    ),
    Variant(
        "padding-once",
        "Your sizes are too small whenever there is padding: you added p once, but the "
        "padding is a ring of p zeros on both sides, so the axis grows by 2p: "
        "floor((n + 2p - k) / s) + 1.",
        lambda n, k, s, p: (n + p - k) // s + 1,
    ),
    Variant(
        "padding-ignored",
        "Your sizes are right without padding but ignore it when there is some: the axis "
        "grows by 2p before the windows are counted: floor((n + 2p - k) / s) + 1.",
        lambda n, k, s, p: (n - k) // s + 1,
    ),
    Variant(
        "missing-plus-one",
        "Your sizes are one too small: (n + 2p - k) / s counts the steps between the first "
        "and the last window, and the windows are one more than the steps. Add 1.",
        lambda n, k, s, p: (n + 2 * p - k) // s,
    ),
    Variant(
        "rounded-up",
        "Your sizes are one too large when the stride does not divide n + 2p - k: you "
        "rounded up. A window that would stick out past the edge does not count, so round "
        "down: (n + 2 * p - k) // s + 1.",
        lambda n, k, s, p: -(-(n + 2 * p - k) // s) + 1,
    ),
    Variant(
        "plus-k",
        "Your sizes have + k where - k belongs: the last window must start at least k - 1 "
        "before the end, so the room to move is n + 2p - k.",
        lambda n, k, s, p: (n + 2 * p + k) // s + 1,
    ),
    Variant(
        "k-ignored",
        "Your sizes ignore the kernel size k: the window needs k pixels, so it has room to "
        "move n + 2p - k, not n + 2p: floor((n + 2p - k) / s) + 1.",
        lambda n, k, s, p: (n + 2 * p) // s + 1,
    ),
    Variant(
        "minus-one",
        "Your sizes are two too small: there is one more window than steps between the "
        "first and the last, so add 1 (you subtract it).",
        lambda n, k, s, p: (n + 2 * p - k) // s - 1,
    ),
    Variant(
        "always-one",
        "Your function says 1 for every case: the count of the steps, (n + 2p - k) // s, "
        "is missing; the + 1 alone is the first window.",
        lambda n, k, s, p: 1,
    ),
]


def _read_size(value, case, right):
    """The student's size as an int, or the verdict for a fraction or a non-number."""
    call = f"`output_size({', '.join(map(str, case))})`"
    if isinstance(value, float | np.floating) and not float(value).is_integer():
        raise Reject(
            "not-an-integer",
            f"{call} returned {value}, a fraction: a number of windows is a whole number. Use "
            "integer division, `//`, which rounds down.",
        )
    if isinstance(value, bool | np.bool_) or not isinstance(
        value, int | np.integer | float | np.floating
    ):
        raise Reject(
            "wrong-type", f"{call} returned {kind_of(value)}; it should return an integer."
        )
    return int(value)


def _not_positive(func, cases):
    """("not-positive", ...) for a size below 1, the subtraction the wrong way round."""
    found = _first_result(func, "output_size", cases, _read_size, lambda size, case: size < 1)
    if found:
        (n, k, s, p), size = found
        return (
            "not-positive",
            f"For n = {n}, k = {k}, stride {s} and padding {p} your function says {size}, "
            "but an output always has at least one position when the window fits. Check "
            "the order of the subtraction: the room to move is n + 2p - k.",
        )
    return None


output_size = code_checker(
    CodeExercise(
        title="The output size of a convolution",
        name="output_size",
        reference=conv.conv_output_size,
        cases=lambda: _SIZE_CASES,
        result=_read_size,
        mistakes=_SIZE_MISTAKES,
        explain=[_not_positive],
        mismatch=lambda case, got, right: (
            f"For n = {case[0]}, k = {case[1]}, stride {case[2]} and padding {case[3]} the "
            f"output has {right} positions, but your function says {got}. Pad first "
            "(n + 2p), then count the window's positions: floor((n + 2p - k) / s) + 1."
        ),
        what="your sizes",
        success=(
            "Right for every case, including strides that do not divide n + 2p - k (the "
            "last pixels are then never covered) and 'same' padding."
        ),
    )
)


# 2. The forward pass, with loops --------------------------------------------------------


def _conv_cases():
    """(X, W, b, stride, padding): non-square images and filters, several channels."""
    rng = np.random.default_rng(21)
    yield rng.normal(size=(1, 1, 5, 6)), rng.normal(size=(1, 1, 3, 2)), np.array([0.5]), 1, 0
    yield rng.normal(size=(2, 3, 7, 6)), rng.normal(size=(4, 3, 3, 3)), rng.normal(size=4), 2, 1
    yield rng.normal(size=(2, 2, 6, 7)), rng.normal(size=(3, 2, 2, 3)), rng.normal(size=3), 1, 2


def _reference_conv(X, W, b, stride, padding):
    return conv.conv2d_forward(X, W, b, stride, padding)[0]


def _conv_shape(X, W_shape, stride, padding):
    """The output shape (m, c_out, h_out, w_out) of a convolution, by the output-size rule."""
    m, _, h, w = X.shape
    c_out, _, kh, kw = W_shape
    size = conv.conv_output_size
    return m, c_out, size(h, kh, stride, padding), size(w, kw, stride, padding)


def _window_start(index, stride, how):
    """Where window `index` starts along one axis: right (index * stride), one pixel apart
    (the stride forgotten there), or always at 0 (the index forgotten there)."""
    return {"right": index * stride, "one-apart": index, "fixed": 0}[how]


def _conv_windows(X, W, b, s, p, rows="right", cols="right", reduce=np.sum):
    """The loop convolution with each axis's window placement chosen, for the mistakes
    that get the windows wrong."""
    Xp = _pad(X, p)
    m, c_out, h_out, w_out = _conv_shape(X, W.shape, s, p)
    kh, kw = W.shape[2:]
    out = np.zeros((m, c_out, h_out, w_out))
    for i in range(h_out):
        top = _window_start(i, s, rows)
        for j in range(w_out):
            left = _window_start(j, s, cols)
            window = Xp[:, None, :, top : top + kh, left : left + kw]
            out[:, :, i, j] = reduce(window * W[None], axis=(2, 3, 4)) + b
    return out


def _axis_mistakes(name, what, windows):
    """The window mistakes confined to one axis, as variants of `windows(*case, rows,
    cols)` (see `_window_start`)."""
    mistakes = [
        (
            "stride-ignored-rows",
            f"Your {what} takes the windows one row apart instead of `stride` rows apart (the "
            "columns are right): window (i, j) starts at row i * stride.",
            "one-apart",
            "right",
        ),
        (
            "stride-ignored-columns",
            f"Your {what} takes the windows one column apart instead of `stride` columns "
            "apart (the rows are right): window (i, j) starts at column j * stride.",
            "right",
            "one-apart",
        ),
        (
            "rows-fixed",
            f"In your {what} every output row uses the top rows of the image: the window does "
            "not move down with i. It starts at row i * stride.",
            "fixed",
            "right",
        ),
        (
            "columns-fixed",
            f"In your {what} every output column uses the leftmost columns of the image: the "
            "window does not move right with j. It starts at column j * stride.",
            "right",
            "fixed",
        ),
    ]
    return [
        Variant(f"{name}-{code}", message, lambda *case, r=rows, c=cols: windows(*case, r, c))
        for code, message, rows, cols in mistakes
    ]


_FORWARD_MISTAKES = [
    Variant(
        "flipped",
        "Your outputs are those of the filter turned by 180 degrees: you flipped it, as the "
        "convolution of mathematics does. Deep-learning layers do not flip: output (i, j) is "
        "the window starting at (i s, j s) times W[o], entry by entry.",
        lambda X, W, b, s, p: _reference_conv(X, W[:, :, ::-1, ::-1], b, s, p),
    ),
    Variant(
        "stride-ignored",
        "Your output has the right size, but the windows are taken one pixel apart instead "
        "of `stride` apart: window (i, j) starts at row i * stride and column j * stride.",
        lambda X, W, b, s, p: _conv_windows(X, W, b, s, p, "one-apart", "one-apart"),
    ),
    Variant(
        "no-bias",
        "Right except for the bias: each output channel o adds b[o] once per position.",
        lambda X, W, b, s, p: _reference_conv(X, W, 0 * b, s, p),
    ),
    Variant(
        "one-channel",
        "Your outputs only use the first input channel: a filter reaches through all "
        "c_in channels at once, so sum the products over the channels too "
        "(np.sum(window * W[o]) with window = Xpad[n, :, rows, cols]).",
        lambda X, W, b, s, p: _reference_conv(X[:, :1], W[:, :1], b, s, p),
    ),
    Variant(
        "mean-not-sum",
        "Your outputs are the mean of window × filter instead of the sum: each output adds "
        "up all c_in × kh × kw products (np.sum), then b[o].",
        lambda X, W, b, s, p: _conv_windows(X, W, b, s, p, reduce=np.mean),
    ),
    Variant(
        "bias-subtracted",
        "Right except for the bias, which you subtracted: each output channel o adds b[o].",
        lambda X, W, b, s, p: _reference_conv(X, W, -b, s, p),
    ),
    *_axis_mistakes("forward", "convolution", _conv_windows),
]


def _forward_shape_sentence(case, shape):
    X, W, b, s, p = case
    right = _conv_shape(X, W.shape, s, p)
    return (
        f"For X {X.shape}, W {W.shape}, stride {s} and padding {p} the output should have "
        f"shape {right}: (m, c_out, h_out, w_out), with h_out = ({X.shape[2]} + 2*{p} - "
        f"{W.shape[2]}) // {s} + 1 = {right[2]} and w_out = ({X.shape[3]} + 2*{p} - "
        f"{W.shape[3]}) // {s} + 1 = {right[3]}. Yours has shape {shape}."
    )


def _forward_mismatch(case, got, right):
    X, W, b, s, p = case
    where = np.unravel_index(worst(got, right), got.shape)
    at = [int(i) for i in where]
    return (
        f"For X {X.shape}, W {W.shape}, stride {s} and padding {p}, out{at} should "
        f"be {right[where]:.6g}, but yours is {got[where]:.6g}. Each output is b[o] + the sum "
        "of Xpad[n, :, i*s : i*s + kh, j*s : j*s + kw] * W[o]."
    )


conv2d_forward = code_checker(
    CodeExercise(
        title="A convolution, with loops",
        name="conv2d_forward",
        reference=_reference_conv,
        cases=_conv_cases,
        result=_array_result(
            "conv2d_forward",
            lambda case: [_conv_shape(case[0], case[1].shape, *case[3:])],
            _forward_shape_sentence,
        ),
        mistakes=_FORWARD_MISTAKES,
        arguments=("X", "W", "b", "stride", "padding"),
        mismatch=_forward_mismatch,
        what="your outputs",
        success=(
            "Right for every case: several images and channels, non-square filters, "
            "stride 2 and padding."
        ),
    )
)


# 3. The weight gradient -------------------------------------------------------------------


def _dW_cases():
    """(dout, X, kh, kw, stride, padding), with dout of the right shape for each."""
    rng = np.random.default_rng(22)
    for shape_X, shape_W, s, p in (
        ((1, 1, 5, 6), (2, 1, 3, 2), 1, 0),
        ((3, 2, 7, 6), (4, 2, 3, 3), 2, 1),
        ((2, 3, 6, 5), (2, 3, 2, 2), 1, 1),
    ):
        X = rng.normal(size=shape_X)
        yield rng.normal(size=_conv_shape(X, shape_W, s, p)), X, shape_W[2], shape_W[3], s, p


def _reference_dW(dout, X, kh, kw, s, p):
    W = np.zeros((dout.shape[1], X.shape[1], kh, kw))
    _, cache = conv.conv2d_forward(X, W, np.zeros(dout.shape[1]), s, p)
    return conv.conv2d_backward(dout, cache)[1]


def _dW_windows(d, X, kh, kw, s, p, rows="right", cols="right"):
    """dW with each axis's window placement chosen (see `_window_start`)."""
    Xp = _pad(X, p)
    dW = np.zeros((d.shape[1], X.shape[1], kh, kw))
    for i in range(d.shape[2]):
        top = _window_start(i, s, rows)
        for j in range(d.shape[3]):
            left = _window_start(j, s, cols)
            window = Xp[:, :, top : top + kh, left : left + kw]
            dW += np.einsum("no,nchw->ochw", d[:, :, i, j], window)
    return dW


_DW_MISTAKES = [
    Variant(
        "first-image-only",
        "Your dW only uses the first image of the batch. A weight is used on every image, so "
        "its gradient sums over the images as well as over the positions.",
        lambda d, X, kh, kw, s, p: _reference_dW(d[:1], X[:1], kh, kw, s, p),
    ),
    Variant(
        "averaged",
        "Your dW is m times too small (m images): you took the mean over the batch. dout "
        "already holds the 1/m of the mean cost; sum over the images.",
        lambda d, X, kh, kw, s, p: _reference_dW(d, X, kh, kw, s, p) / X.shape[0],
    ),
    Variant(
        "flipped",
        "Your dW is the right one turned by 180 degrees: the forward pass does not flip the "
        "filter, so neither does its weight gradient. dW[o, c, p, q] adds up "
        "dout[n, o, i, j] * Xpad[n, c, i*s + p, j*s + q].",
        lambda d, X, kh, kw, s, p: _reference_dW(d, X, kh, kw, s, p)[:, :, ::-1, ::-1],
    ),
    Variant(
        "stride-ignored",
        "Your dW takes the windows one pixel apart instead of `stride` apart: the output "
        "(i, j) came from the window starting at (i * stride, j * stride).",
        lambda d, X, kh, kw, s, p: _dW_windows(d, X, kh, kw, s, p, "one-apart", "one-apart"),
    ),
    Variant(
        "channels-swapped",
        "Your dW has its two channel axes in the wrong order: it should have the shape of W, "
        "(c_out, c_in, kh, kw), with dW[o, c] pairing dout's channel o with X's channel c.",
        lambda d, X, kh, kw, s, p: _reference_dW(d, X, kh, kw, s, p).transpose(1, 0, 2, 3),
    ),
    *_axis_mistakes("dW", "dW", _dW_windows),
]


def _dW_shapes(case):
    """The shape of W, and the one with the channel axes swapped (a mistake named)."""
    d, X, kh, kw, s, p = case
    return [(d.shape[1], X.shape[1], kh, kw), (X.shape[1], d.shape[1], kh, kw)]


def _dW_shape_sentence(case, shape):
    d, X, kh, kw, s, p = case
    return (
        f"For dout {d.shape} and X {X.shape} with {kh} x {kw} filters, dW should have the "
        f"shape of W, {_dW_shapes(case)[0]} (c_out, c_in, kh, kw); yours has shape {shape}."
    )


conv2d_weight_grad = code_checker(
    CodeExercise(
        title="The weight gradient of a convolution",
        name="conv2d_weight_grad",
        reference=_reference_dW,
        cases=_dW_cases,
        result=_array_result("conv2d_weight_grad", _dW_shapes, _dW_shape_sentence),
        mistakes=_DW_MISTAKES,
        arguments=("dout", "X", "kh", "kw", "stride", "padding"),
        mismatch=lambda case, got, right: (
            f"For dout {case[0].shape}, X {case[1].shape}, stride {case[4]} and padding "
            f"{case[5]} your dW differs from the right one. dW[o, c, p, q] = the sum over n, "
            "i, j of dout[n, o, i, j] * Xpad[n, c, i*s + p, j*s + q]."
        ),
        what="your dW",
        success=(
            "Right: every weight's gradient sums incoming gradient times input over all "
            "images and positions, with stride and padding as in the forward pass."
        ),
    )
)


# 4. The backward pass of max pooling ----------------------------------------------------


def _pool_cases():
    """(dout, X, size): distinct values, so every window has one winner."""
    rng = np.random.default_rng(23)
    for shape, size in (((1, 1, 4, 4), 2), ((2, 3, 6, 4), 2), ((2, 2, 6, 6), 3)):
        X = rng.permutation(np.prod(shape)).reshape(shape).astype(float) / 10 - 3
        out_shape = conv.max_pool_forward(X, size)[0].shape
        yield rng.normal(size=out_shape), X, size


def _reference_pool_back(d, X, size):
    _, cache = conv.max_pool_forward(X, size)
    return conv.max_pool_backward(d, cache)


def _spread(d, size):
    return np.repeat(np.repeat(d, size, axis=2), size, axis=3)


def _pool_variant(d, X, size, pick):
    """dX when each window's gradient goes to the input chosen by `pick(window) -> flat
    index`."""
    dX = np.zeros_like(X)
    m, c, h_out, w_out = d.shape
    for n in range(m):
        for ch in range(c):
            for i in range(h_out):
                for j in range(w_out):
                    window = X[n, ch, i * size : (i + 1) * size, j * size : (j + 1) * size]
                    a, b = np.unravel_index(pick(window), window.shape)
                    dX[n, ch, i * size + a, j * size + b] += d[n, ch, i, j]
    return dX


_POOL_MISTAKES = [
    Variant(
        "to-every-input",
        "Your gradient reaches every input of each window. The max depends only on its "
        "winner: moving any other input a little changes nothing. So each window's gradient "
        "goes, whole, to the position of the max (np.argmax of the window), and 0 to the "
        "others.",
        lambda d, X, size: _spread(d, size),
    ),
    Variant(
        "averaged",
        "Your gradient is shared equally, dout / size², over each window: that is the "
        "backward pass of *average* pooling. The max passes the whole gradient to its "
        "winner only.",
        lambda d, X, size: _spread(d, size) / size**2,
    ),
    Variant(
        "first-position",
        "Your gradient always goes to the top-left input of each window. It belongs to the "
        "input that won the max: find it with np.argmax(window) (and np.unravel_index for "
        "its row and column).",
        lambda d, X, size: _pool_variant(d, X, size, lambda w: 0),
    ),
    Variant(
        "argmin",
        "Your gradient goes to the smallest input of each window. Max pooling kept the "
        "largest, so that is where the gradient goes: np.argmax, not np.argmin.",
        lambda d, X, size: _pool_variant(d, X, size, np.argmin),
    ),
    Variant(
        "mask-times-input",
        "Your dX holds the winning input values instead of the incoming gradient: the "
        "winner's entry is dout for its window (1 times dout), not X.",
        lambda d, X, size: _reference_pool_back(np.ones_like(d), X, size) * X,
    ),
    Variant(
        "mask-only",
        "Your dX marks the winners with 1 but leaves out the incoming gradient: multiply by "
        "dout, so the winner of window (i, j) gets dout[n, c, i, j].",
        lambda d, X, size: _reference_pool_back(np.ones_like(d), X, size),
    ),
]

_read_dX = _array_result(
    "max_pool_backward",
    lambda case: [case[1].shape],
    lambda case, shape: (
        f"dX should have the shape of X, {case[1].shape}, one gradient per input; yours has "
        f"shape {shape}."
    ),
)


def _off_winners(func, cases):
    """("not-at-winner", ...) for gradient on an input that won no window's max."""

    def off(dX, case):
        d, X, size = case
        return np.any((dX != 0) & (_reference_pool_back(np.ones_like(d), X, size) == 0))

    if _first_result(func, "max_pool_backward", cases, _read_dX, off):
        return (
            "not-at-winner",
            "Your dX puts gradient on inputs that won no window's max. Only each window's "
            "winner gets its window's dout; check the row and column you write to: window "
            "(i, j) starts at row i * size and column j * size, and its winner sits at offset "
            "np.unravel_index(np.argmax(window), window.shape) from there.",
        )
    return None


max_pool_backward = code_checker(
    CodeExercise(
        title="The backward pass of max pooling",
        name="max_pool_backward",
        reference=_reference_pool_back,
        cases=_pool_cases,
        result=_read_dX,
        mistakes=_POOL_MISTAKES,
        explain=[_off_winners],
        arguments=("dout", "X", "size"),
        mismatch=lambda case, got, right: (
            "Your dX differs from the right one. For each window, find the position of its "
            "largest input and add that window's dout there; every other position stays 0."
        ),
        what="your dX",
        success=(
            "Right: each window's gradient goes, whole, to the input that won its max, and "
            "every other input gets 0."
        ),
    )
)


# A count by hand, and a prediction -----------------------------------------------------------


def _conv_layer_size(c_in=3, c_out=16, k=5):
    """Run it: the number of values in a convolution layer's W and b, as nnlib.conv uses
    them (one forward pass checks that they fit an image of c_in channels)."""
    W, b = np.zeros((c_out, c_in, k, k)), np.zeros(c_out)
    out, _ = conv.conv2d_forward(np.zeros((1, c_in, 8, 8)), W, b)
    assert out.shape == (1, c_out, 8 - k + 1, 8 - k + 1)
    return W.size + b.size


conv_parameters_by_hand = number_checker(
    NumberExercise(
        title="The parameters of a convolution layer, by hand",
        name="n_conv_params",
        right=_conv_layer_size,
        why="Each of the 16 filters reaches through all 3 input channels: 3 · 5 · 5 = 75 "
        "weights, plus its bias, 76; 16 filters hold 1,216 numbers, whatever the size of "
        "the image.",
        mistakes=(
            Mistake(
                "no-biases",
                lambda: 16 * 3 * 5 * 5,
                "1,200 counts the weights only: each filter has a bias too.",
            ),
            Mistake(
                "one-channel",
                lambda: 16 * 5 * 5 + 16,
                "416 treats each filter as 5 × 5: it spans all 3 input channels, 3 · 5 · 5 "
                "weights.",
            ),
            Mistake(
                "one-filter",
                lambda: 3 * 5 * 5 + 1,
                "76 is one filter; the layer has 16.",
            ),
            Mistake(
                "dense-count",
                lambda: (3 * 32 * 32) * 16 + 16,
                "That counts a dense layer from a 32 × 32 × 3 image to 16 units. A "
                "convolution shares each filter over every position: its size does not "
                "depend on the image.",
            ),
        ),
    )
)


def _receptive_field():
    """Run it: conv 3x3 -> pool 2x2 -> conv 3x3 -> pool 2x2 -> conv 3x3 on a 40 x 40
    image, with nnlib.conv (average pooling, all-ones filters, so no gradient is 0 by
    accident); backpropagate 1 from one output unit and measure the width of the input
    rows that receive gradient."""
    X = np.ones((1, 1, 40, 40))
    ones = np.ones((1, 1, 3, 3))
    A1, c1 = conv.conv2d_forward(X, ones, np.zeros(1))
    P1, p1 = conv.avg_pool_forward(A1, 2)
    A2, c2 = conv.conv2d_forward(P1, ones, np.zeros(1))
    P2, p2 = conv.avg_pool_forward(A2, 2)
    A3, c3 = conv.conv2d_forward(P2, ones, np.zeros(1))
    d = np.zeros_like(A3)
    d[0, 0, 1, 1] = 1.0
    d = conv.conv2d_backward(d, c3)[0]
    d = conv.avg_pool_backward(d, p2)
    d = conv.conv2d_backward(d, c2)[0]
    d = conv.avg_pool_backward(d, p1)
    d = conv.conv2d_backward(d, c1)[0]
    rows = np.flatnonzero(np.abs(d[0, 0]).sum(axis=1) > 0)
    return int(rows[-1] - rows[0] + 1)


receptive_field_prediction = number_checker(
    NumberExercise(
        title="Predict: the receptive field of a deeper CNN",
        name="predicted_field",
        right=_receptive_field,
        why="Going back from one output: 3 pixels of the last conv's input; the pool doubles "
        "them (2 · 3 = 6); the middle conv adds 2 (8); the next pool doubles (16); the first "
        "conv adds 2: 18 × 18 pixels. Each layer adds (k - 1) times the product of the "
        "strides below it.",
        mistakes=(
            Mistake(
                "added-kernels",
                lambda: 3 + 2 + 3 + 2 + 3,
                "Adding the kernel sizes (3 + 2 + 3 + 2 + 3) ignores that every pool "
                "doubles the spacing of what comes after it.",
            ),
            Mistake(
                "multiplied-kernels",
                lambda: 3 * 2 * 3 * 2 * 3,
                "Multiplying every size overcounts: a 3 × 3 conv widens the field by 2 steps "
                "of its input's spacing, it does not triple it.",
            ),
            Mistake(
                "pools-ignored",
                lambda: 3 + 2 + 2,
                "7 is three stacked 3 × 3 convs without the pools; each pool doubles the "
                "field of everything after it.",
            ),
            Mistake(
                "last-layer-only",
                lambda: 3,
                "3 is the last conv's window, measured in its own input. Back in the image "
                "each of those pixels stands for a larger patch.",
            ),
        ),
        rtol=1e-9,
        prediction=True,
    )
)
