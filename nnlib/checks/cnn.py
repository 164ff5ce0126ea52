"""Checkers for the exercises on convolutional networks (exercises/11_cnn.ipynb).

Usage in the notebook: `from nnlib.checks import cnn as check`, then for example
`check.output_size(output_size)`.

Each checker runs the student's function on cases whose right answers `nnlib.conv`
computes: odd sizes, strides that do not divide, padding, several channels and images,
so that the typical mistakes give numbers of their own. When an answer is wrong, each
typical mistake is computed on the same cases, and the one that reproduces the student's
numbers on every case is named.
"""

from __future__ import annotations

import warnings

import numpy as np

from nnlib import conv
from nnlib.checks import Reject, call_student, checker, explain_by_arguments, kind_of, values_differ
from nnlib.checks.numeric import Mistake, NumberExercise, number_checker

_RTOL, _ATOL = 1e-6, 1e-9


def _as_array(got, name):
    """The student's result as a float array, or a verdict saying what it should be."""
    if isinstance(got, str | bytes | dict | bool | complex | np.bool_):
        raise Reject("wrong-type", f"`{name}` returned {kind_of(got)}; it should return an array.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise Reject(
            "wrong-type", f"`{name}` returned {kind_of(got)}; it should return an array."
        ) from None


def _close(a, b):
    a, b = np.asarray(a), np.asarray(b)
    with np.errstate(all="ignore"):
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=_RTOL, atol=_ATOL))


def _named(got, cases, mistakes):
    """The first (code, message) whose variant reproduces `got` on every case."""
    for code, message, variant in mistakes:
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                expected = [variant(*case) for case in cases]
        except (ValueError, IndexError):
            continue  # this variant cannot even run on these cases
        if all(_close(g, e) for g, e in zip(got, expected, strict=True)):
            return code, message
    return None


def _pad(X, p):
    return np.pad(X, ((0, 0), (0, 0), (p, p), (p, p)))


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
    (
        "stride-ignored",
        "Your sizes are right for stride 1 but not for larger strides: the stride is ignored. "
        "Windows s apart fit floor((n + 2p - k) / s) + 1 times.",
        lambda n, k, s, p: n + 2 * p - k + 1,
    ),
    (
        "padding-once",
        "Your sizes are too small whenever there is padding: you added p once, but the "
        "padding is a ring of p zeros on both sides, so the axis grows by 2p: "
        "floor((n + 2p - k) / s) + 1.",
        lambda n, k, s, p: (n + p - k) // s + 1,
    ),
    (
        "padding-ignored",
        "Your sizes are right without padding but ignore it when there is some: the axis "
        "grows by 2p before the windows are counted: floor((n + 2p - k) / s) + 1.",
        lambda n, k, s, p: (n - k) // s + 1,
    ),
    (
        "missing-plus-one",
        "Your sizes are one too small: (n + 2p - k) / s counts the steps between the first "
        "and the last window, and the windows are one more than the steps. Add 1.",
        lambda n, k, s, p: (n + 2 * p - k) // s,
    ),
    (
        "rounded-up",
        "Your sizes are one too large when the stride does not divide n + 2p - k: you "
        "rounded up. A window that would stick out past the edge does not count, so round "
        "down: (n + 2 * p - k) // s + 1.",
        lambda n, k, s, p: -(-(n + 2 * p - k) // s) + 1,
    ),
    (
        "plus-k",
        "Your sizes have + k where - k belongs: the last window must start at least k - 1 "
        "before the end, so the room to move is n + 2p - k.",
        lambda n, k, s, p: (n + 2 * p + k) // s + 1,
    ),
    (
        "k-ignored",
        "Your sizes ignore the kernel size k: the window needs k pixels, so it has room to "
        "move n + 2p - k, not n + 2p: floor((n + 2p - k) / s) + 1.",
        lambda n, k, s, p: (n + 2 * p) // s + 1,
    ),
    (
        "minus-one",
        "Your sizes are two too small: there is one more window than steps between the "
        "first and the last, so add 1 (you subtract it).",
        lambda n, k, s, p: (n + 2 * p - k) // s - 1,
    ),
    (
        "always-one",
        "Your function says 1 for every case: the count of the steps, (n + 2p - k) // s, "
        "is missing; the + 1 alone is the first window.",
        lambda n, k, s, p: 1,
    ),
]


@checker("The output size of a convolution")
def output_size(func):
    """Check `func(n, k, stride, padding)`: floor((n + 2p - k) / s) + 1, an integer."""
    name = "output_size"
    got = []
    for n, k, s, p in _SIZE_CASES:
        value = call_student(func, name, n, k, s, p)
        if isinstance(value, float | np.floating) and not float(value).is_integer():
            raise Reject(
                "not-an-integer",
                f"`{name}({n}, {k}, {s}, {p})` returned {value}, a fraction: a number of "
                "windows is a whole number. Use integer division, `//`, which rounds down.",
            )
        if isinstance(value, bool | np.bool_) or not isinstance(
            value, int | np.integer | float | np.floating
        ):
            raise Reject(
                "wrong-type",
                f"`{name}({n}, {k}, {s}, {p})` returned {kind_of(value)}; it should return "
                "an integer.",
            )
        got.append(int(value))
    expected = [conv.conv_output_size(*case) for case in _SIZE_CASES]
    if got == expected:
        return (
            "Right for every case, including strides that do not divide n + 2p - k (the "
            "last pixels are then never covered) and 'same' padding."
        )
    found = _named(got, _SIZE_CASES, _SIZE_MISTAKES)
    if found:
        raise Reject(*found)
    for (n, k, s, p), value in zip(_SIZE_CASES, got, strict=True):
        if value < 1:
            raise Reject(
                "not-positive",
                f"For n = {n}, k = {k}, stride {s} and padding {p} your function says "
                f"{value}, but an output always has at least one position when the window "
                "fits. Check the order of the subtraction: the room to move is n + 2p - k.",
            )
    i = next(i for i, (g, e) in enumerate(zip(got, expected, strict=True)) if g != e)
    n, k, s, p = _SIZE_CASES[i]
    raise values_differ(
        f"For n = {n}, k = {k}, stride {s} and padding {p} the output has {expected[i]} "
        f"positions, but your function says {got[i]}. Pad first (n + 2p), then count the "
        "window's positions: floor((n + 2p - k) / s) + 1.",
        got,
        expected,
        what="your sizes",
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


def _stride_ignored(X, W, b, s, p):
    """A loop of the right size whose windows start one pixel apart: the first outputs of
    the stride-1 convolution."""
    _, _, h_out, w_out = _conv_shape(X, W.shape, s, p)
    return _reference_conv(X, W, b, 1, p)[:, :, :h_out, :w_out]


def _window_start(index, stride, how):
    """Where window `index` starts along one axis: right (index * stride), one pixel apart
    (the stride forgotten there), or always at 0 (the index forgotten there)."""
    return {"right": index * stride, "one-apart": index, "fixed": 0}[how]


def _conv_windows(X, W, b, s, p, rows="right", cols="right", reduce=np.sum):
    """The loop convolution with each axis's window placement chosen, for the mistakes
    that get the windows of one axis wrong."""
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


def _axis_mistakes(name, what):
    """(code, message, rows, cols) for the window mistakes confined to one axis."""
    return [
        (
            f"{name}-stride-ignored-rows",
            f"Your {what} takes the windows one row apart instead of `stride` rows apart (the "
            "columns are right): window (i, j) starts at row i * stride.",
            "one-apart",
            "right",
        ),
        (
            f"{name}-stride-ignored-columns",
            f"Your {what} takes the windows one column apart instead of `stride` columns "
            "apart (the rows are right): window (i, j) starts at column j * stride.",
            "right",
            "one-apart",
        ),
        (
            f"{name}-rows-fixed",
            f"In your {what} every output row uses the top rows of the image: the window does "
            "not move down with i. It starts at row i * stride.",
            "fixed",
            "right",
        ),
        (
            f"{name}-columns-fixed",
            f"In your {what} every output column uses the leftmost columns of the image: the "
            "window does not move right with j. It starts at column j * stride.",
            "right",
            "fixed",
        ),
    ]


_FORWARD_MISTAKES = [
    (
        "flipped",
        "Your outputs are those of the filter turned by 180 degrees: you flipped it, as the "
        "convolution of mathematics does. Deep-learning layers do not flip: output (i, j) is "
        "the window starting at (i s, j s) times W[o], entry by entry.",
        lambda X, W, b, s, p: _reference_conv(X, W[:, :, ::-1, ::-1], b, s, p),
    ),
    (
        "stride-ignored",
        "Your output has the right size, but the windows are taken one pixel apart instead "
        "of `stride` apart: window (i, j) starts at row i * stride and column j * stride.",
        _stride_ignored,
    ),
    (
        "no-bias",
        "Right except for the bias: each output channel o adds b[o] once per position.",
        lambda X, W, b, s, p: _reference_conv(X, W, 0 * b, s, p),
    ),
    (
        "one-channel",
        "Your outputs only use the first input channel: a filter reaches through all "
        "c_in channels at once, so sum the products over the channels too "
        "(np.sum(window * W[o]) with window = Xpad[n, :, rows, cols]).",
        lambda X, W, b, s, p: _reference_conv(X[:, :1], W[:, :1], b, s, p),
    ),
    (
        "mean-not-sum",
        "Your outputs are the mean of window × filter instead of the sum: each output adds "
        "up all c_in × kh × kw products (np.sum), then b[o].",
        lambda X, W, b, s, p: _conv_windows(X, W, b, s, p, reduce=np.mean),
    ),
    (
        "bias-subtracted",
        "Right except for the bias, which you subtracted: each output channel o adds b[o].",
        lambda X, W, b, s, p: _reference_conv(X, W, -b, s, p),
    ),
    *[
        (code, message, lambda X, W, b, s, p, r=rows, c=cols: _conv_windows(X, W, b, s, p, r, c))
        for code, message, rows, cols in _axis_mistakes("forward", "convolution")
    ],
]


@checker("A convolution, with loops")
def conv2d_forward(func):
    """Check `func(X, W, b, stride, padding)` against nnlib.conv.conv2d_forward."""
    name = "conv2d_forward"
    cases = list(_conv_cases())
    got = []
    for X, W, b, s, p in cases:
        out = _as_array(call_student(func, name, X, W, b, s, p), name)
        right = _reference_conv(X, W, b, s, p)
        if out.shape != right.shape:
            m, c_out, h_out, w_out = right.shape
            raise Reject(
                "wrong-shape",
                f"For X {X.shape}, W {W.shape}, stride {s} and padding {p} the output should "
                f"have shape {right.shape}: (m, c_out, h_out, w_out), with h_out = "
                f"({X.shape[2]} + 2*{p} - {W.shape[2]}) // {s} + 1 = {h_out} and w_out = "
                f"({X.shape[3]} + 2*{p} - {W.shape[3]}) // {s} + 1 = {w_out}. Yours has shape "
                f"{out.shape}.",
            )
        got.append(out)
    expected = [_reference_conv(*case) for case in cases]
    if all(_close(g, e) for g, e in zip(got, expected, strict=True)):
        return (
            "Right for every case: several images and channels, non-square filters, "
            "stride 2 and padding."
        )
    found = _named(got, cases, _FORWARD_MISTAKES)
    if found:
        raise Reject(*found)
    i = next(i for i, (g, e) in enumerate(zip(got, expected, strict=True)) if not _close(g, e))
    X, W, b, s, p = cases[i]
    where = np.unravel_index(np.argmax(np.abs(got[i] - expected[i])), got[i].shape)
    found = explain_by_arguments(
        func, name, cases, ("X", "W", "b", "stride", "padding"), _reference_conv
    )
    if found:
        raise Reject(*found)
    raise values_differ(
        f"For X {X.shape}, W {W.shape}, stride {s} and padding {p}, out{list(where)} should "
        f"be {expected[i][where]:.6g}, but yours is {got[i][where]:.6g}. Each output is "
        "b[o] + the sum of Xpad[n, :, i*s : i*s + kh, j*s : j*s + kw] * W[o].",
        got,
        expected,
        what="your outputs",
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


_DW_MISTAKES = [
    (
        "first-image-only",
        "Your dW only uses the first image of the batch. A weight is used on every image, so "
        "its gradient sums over the images as well as over the positions.",
        lambda d, X, kh, kw, s, p: _reference_dW(d[:1], X[:1], kh, kw, s, p),
    ),
    (
        "averaged",
        "Your dW is m times too small (m images): you took the mean over the batch. dout "
        "already holds the 1/m of the mean cost; sum over the images.",
        lambda d, X, kh, kw, s, p: _reference_dW(d, X, kh, kw, s, p) / X.shape[0],
    ),
    (
        "flipped",
        "Your dW is the right one turned by 180 degrees: the forward pass does not flip the "
        "filter, so neither does its weight gradient. dW[o, c, p, q] adds up "
        "dout[n, o, i, j] * Xpad[n, c, i*s + p, j*s + q].",
        lambda d, X, kh, kw, s, p: _reference_dW(d, X, kh, kw, s, p)[:, :, ::-1, ::-1],
    ),
    (
        "stride-ignored",
        "Your dW takes the windows one pixel apart instead of `stride` apart: the output "
        "(i, j) came from the window starting at (i * stride, j * stride).",
        lambda d, X, kh, kw, s, p: _dW_stride_one(d, X, kh, kw, p),
    ),
    (
        "channels-swapped",
        "Your dW has its two channel axes in the wrong order: it should have the shape of W, "
        "(c_out, c_in, kh, kw), with dW[o, c] pairing dout's channel o with X's channel c.",
        lambda d, X, kh, kw, s, p: _reference_dW(d, X, kh, kw, s, p).transpose(1, 0, 2, 3),
    ),
    *[
        (
            code,
            message,
            lambda d, X, kh, kw, s, p, r=rows, c=cols: _dW_windows(d, X, kh, kw, s, p, r, c),
        )
        for code, message, rows, cols in _axis_mistakes("dW", "dW")
    ],
]


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


def _dW_stride_one(d, X, kh, kw, p):
    Xp = _pad(X, p)
    dW = np.zeros((d.shape[1], X.shape[1], kh, kw))
    for i in range(d.shape[2]):
        for j in range(d.shape[3]):
            dW += np.einsum("no,nchw->ochw", d[:, :, i, j], Xp[:, :, i : i + kh, j : j + kw])
    return dW


@checker("The weight gradient of a convolution")
def conv2d_weight_grad(func):
    """Check `func(dout, X, kh, kw, stride, padding) -> dW` of shape (c_out, c_in, kh, kw)."""
    name = "conv2d_weight_grad"
    cases = list(_dW_cases())
    got = []
    for d, X, kh, kw, s, p in cases:
        dW = _as_array(call_student(func, name, d, X, kh, kw, s, p), name)
        right_shape = (d.shape[1], X.shape[1], kh, kw)
        if dW.shape != right_shape and dW.shape != (X.shape[1], d.shape[1], kh, kw):
            raise Reject(
                "wrong-shape",
                f"For dout {d.shape} and X {X.shape} with {kh} x {kw} filters, dW should have "
                f"the shape of W, {right_shape} (c_out, c_in, kh, kw); yours has shape "
                f"{dW.shape}.",
            )
        got.append(dW)
    expected = [_reference_dW(*case) for case in cases]
    if all(_close(g, e) for g, e in zip(got, expected, strict=True)):
        return (
            "Right: every weight's gradient sums incoming gradient times input over all "
            "images and positions, with stride and padding as in the forward pass."
        )
    found = _named(got, cases, _DW_MISTAKES)
    if found:
        raise Reject(*found)
    i = next(i for i, (g, e) in enumerate(zip(got, expected, strict=True)) if not _close(g, e))
    d, X, kh, kw, s, p = cases[i]
    found = explain_by_arguments(
        func, name, cases, ("dout", "X", "kh", "kw", "stride", "padding"), _reference_dW
    )
    if found:
        raise Reject(*found)
    raise values_differ(
        f"For dout {d.shape}, X {X.shape}, stride {s} and padding {p} your dW differs from "
        "the right one. dW[o, c, p, q] = the sum over n, i, j of dout[n, o, i, j] * "
        "Xpad[n, c, i*s + p, j*s + q].",
        got,
        expected,
        what="your dW",
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
    (
        "to-every-input",
        "Your gradient reaches every input of each window. The max depends only on its "
        "winner: moving any other input a little changes nothing. So each window's gradient "
        "goes, whole, to the position of the max (np.argmax of the window), and 0 to the "
        "others.",
        lambda d, X, size: _spread(d, size),
    ),
    (
        "averaged",
        "Your gradient is shared equally, dout / size², over each window: that is the "
        "backward pass of *average* pooling. The max passes the whole gradient to its "
        "winner only.",
        lambda d, X, size: _spread(d, size) / size**2,
    ),
    (
        "first-position",
        "Your gradient always goes to the top-left input of each window. It belongs to the "
        "input that won the max: find it with np.argmax(window) (and np.unravel_index for "
        "its row and column).",
        lambda d, X, size: _pool_variant(d, X, size, lambda w: 0),
    ),
    (
        "argmin",
        "Your gradient goes to the smallest input of each window. Max pooling kept the "
        "largest, so that is where the gradient goes: np.argmax, not np.argmin.",
        lambda d, X, size: _pool_variant(d, X, size, np.argmin),
    ),
    (
        "mask-times-input",
        "Your dX holds the winning input values instead of the incoming gradient: the "
        "winner's entry is dout for its window (1 times dout), not X.",
        lambda d, X, size: _reference_pool_back(np.ones_like(d), X, size) * X,
    ),
    (
        "mask-only",
        "Your dX marks the winners with 1 but leaves out the incoming gradient: multiply by "
        "dout, so the winner of window (i, j) gets dout[n, c, i, j].",
        lambda d, X, size: _reference_pool_back(np.ones_like(d), X, size),
    ),
]


@checker("The backward pass of max pooling")
def max_pool_backward(func):
    """Check `func(dout, X, size) -> dX` for max pooling with size x size windows, stride
    size."""
    name = "max_pool_backward"
    cases = list(_pool_cases())
    got = []
    for d, X, size in cases:
        dX = _as_array(call_student(func, name, d, X, size), name)
        if dX.shape != X.shape:
            raise Reject(
                "wrong-shape",
                f"dX should have the shape of X, {X.shape}, one gradient per input; yours has "
                f"shape {dX.shape}.",
            )
        got.append(dX)
    expected = [_reference_pool_back(*case) for case in cases]
    if all(_close(g, e) for g, e in zip(got, expected, strict=True)):
        return (
            "Right: each window's gradient goes, whole, to the input that won its max, and "
            "every other input gets 0."
        )
    found = _named(got, cases, _POOL_MISTAKES)
    if found:
        raise Reject(*found)
    for g, (d, X, size) in zip(got, cases, strict=True):
        winners = _reference_pool_back(np.ones_like(d), X, size) != 0
        if np.any((g != 0) & ~winners):
            raise Reject(
                "not-at-winner",
                "Your dX puts gradient on inputs that won no window's max. Only each window's "
                "winner gets its window's dout; check the row and column you write to: "
                "window (i, j) starts at row i * size and column j * size, and its winner "
                "sits at offset np.unravel_index(np.argmax(window), window.shape) from there.",
            )
    found = explain_by_arguments(func, name, cases, ("dout", "X", "size"), _reference_pool_back)
    if found:
        raise Reject(*found)
    raise values_differ(
        "Your dX differs from the right one. For each window, find the position of its "
        "largest input and add that window's dout there; every other position stays 0.",
        got,
        expected,
        what="your dX",
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
