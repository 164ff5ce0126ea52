"""Convolution and pooling layers as forward/backward pairs with an explicit cache.

Derived in: Convolutional networks (chapters/11_cnn).

    out, cache = conv2d_forward(X, W, b, stride=1, padding=0)
    dX, dW, db = conv2d_backward(dout, cache)
    out, cache = max_pool_forward(X, size=2)          # and avg_pool_forward
    dX = max_pool_backward(dout, cache)               # and avg_pool_backward

Shapes follow the batch-first, channels-first convention: images X (m, c_in, h, w),
filters W (c_out, c_in, kh, kw), biases b (c_out,), and outputs (m, c_out, h_out, w_out)
with `h_out = (h + 2 padding - kh) // stride + 1` (`conv_output_size`).

"Convolution" here is what every deep-learning library computes under that name, a
cross-correlation: output (i, j) is the sum of the window starting at (i stride, j stride)
times the filter, not flipped. A learned filter does not care which: flipping it is
just another filter.

The convolution comes twice. `conv2d_forward_loops` and `conv2d_backward_loops` visit
one output at a time and read like the formula. `conv2d_forward` and `conv2d_backward`
compute the same numbers by copying every window into a column of a matrix (`im2col`),
so that the whole layer is one matrix product; `col2im` adds columns back into images,
which is what the backward pass needs. Both take and give the same cache.
"""

from __future__ import annotations

import numpy as np

from nnlib._validate import as_array, describe, integer, positive_int

# --- shapes ---------------------------------------------------------------------------


def conv_output_size(n, k, stride=1, padding=0):
    """How many positions a window of size k takes along an axis of size n:
    `(n + 2 padding - k) // stride + 1`. Also right for pooling (padding 0)."""
    func = "conv_output_size"
    n = positive_int(func, "n", n)
    k = positive_int(func, "k", k)
    stride = positive_int(func, "stride", stride)
    padding = integer(func, "padding", padding, minimum=0)
    return _output_size(func, n, k, stride, padding, kernel="k")


def _output_size(func, n, k, stride, padding, axis="n", kernel="the window"):
    if k > n + 2 * padding:
        raise ValueError(
            f"{func}: {kernel} spans {k}, more than {axis} ({n}) plus the padding on both "
            f"sides (2 x {padding}): it does not fit"
        )
    return (n + 2 * padding - k) // stride + 1


def _images(func, name, X):
    X = as_array(func, name, X)
    if X.ndim != 4 or 0 in X.shape:
        raise ValueError(
            f"{func}: {name} must hold images of shape (m, channels, height, width), none of "
            f"them 0, got {X.shape}"
        )
    return X


def _conv_arguments(func, X, W, b, stride, padding):
    X, W, stride, padding = _conv_geometry(func, X, W, stride, padding)
    b = as_array(func, "b", b)
    if b.shape != (W.shape[0],):
        raise ValueError(
            f"{func}: b must have shape ({W.shape[0]},), one bias per filter (the first axis "
            f"of W {W.shape}), got {b.shape}"
        )
    return X, W, b, stride, padding


def _conv_geometry(func, X, W, stride, padding, names=("X", "W", "stride", "padding")):
    """Images, filters that fit them, a stride and a padding, checked."""
    X = _images(func, names[0], X)
    W = as_array(func, names[1], W)
    if W.ndim != 4 or 0 in W.shape or W.shape[1] != X.shape[1]:
        raise ValueError(
            f"{func}: {names[1]} must hold filters of shape (c_out, c_in, kh, kw) with c_in = "
            f"{X.shape[1]}, the channels of {names[0]} {X.shape}, got {W.shape}"
        )
    stride = positive_int(func, names[2], stride)
    padding = integer(func, names[3], padding, minimum=0)
    for axis, n, k in (("height", X.shape[2], W.shape[2]), ("width", X.shape[3], W.shape[3])):
        kernel = f"a filter of {names[1]} {W.shape}"
        _output_size(func, n, k, stride, padding, f"the {axis} of {names[0]}", kernel)
    return X, W, stride, padding


def _conv_out_shape(X, W, stride, padding):
    m, _, h, w = X.shape
    c_out, _, kh, kw = W.shape
    return m, c_out, (h + 2 * padding - kh) // stride + 1, (w + 2 * padding - kw) // stride + 1


def _conv_cache(func, cache):
    """The cache (X, W, stride, padding) that a convolution's forward pass returned."""
    if not isinstance(cache, tuple | list) or len(cache) != 4:
        raise TypeError(
            f"{func}: cache must be the cache (X, W, stride, padding) that conv2d_forward "
            f"returned, got {describe(cache)}"
        )
    names = ("cache[0] (X)", "cache[1] (W)", "cache[2] (stride)", "cache[3] (padding)")
    return _conv_geometry(func, *cache, names=names)


def _gradient_of_output(func, dout, shape):
    dout = as_array(func, "dout", dout)
    if dout.shape != shape:
        raise ValueError(
            f"{func}: dout must have the shape of the layer's output, {shape}, got {dout.shape}"
        )
    return dout


def _pad(X, padding):
    if padding == 0:
        return X
    return np.pad(X, ((0, 0), (0, 0), (padding, padding), (padding, padding)))


# --- convolution, one output at a time --------------------------------------------------


def conv2d_forward_loops(X, W, b, stride=1, padding=0):
    """`out[n, o, i, j] = b[o] + Σ_c Σ_p Σ_q Xpad[n, c, i·stride + p, j·stride + q] W[o, c, p, q]`,
    one output at a time. Returns out and the cache (X, W, stride, padding)."""
    X, W, b, stride, padding = _conv_arguments("conv2d_forward_loops", X, W, b, stride, padding)
    return _conv2d_forward_loops(X, W, b, stride, padding)


def _conv2d_forward_loops(X, W, b, stride, padding):
    m, c_out, h_out, w_out = _conv_out_shape(X, W, stride, padding)
    kh, kw = W.shape[2:]
    Xp = _pad(X, padding)
    out = np.zeros((m, c_out, h_out, w_out), dtype=np.result_type(X, W))
    for n in range(m):
        for o in range(c_out):
            for i in range(h_out):
                for j in range(w_out):
                    top, left = i * stride, j * stride
                    window = Xp[n, :, top : top + kh, left : left + kw]  # (c_in, kh, kw)
                    out[n, o, i, j] = np.sum(window * W[o]) + b[o]
    return out, (X, W, stride, padding)


def conv2d_backward_loops(dout, cache):
    """Gradients of the convolution, one output at a time: each output's gradient
    `g = dout[n, o, i, j]` adds `g · window` to dW[o] and `g · W[o]` to the window of dX
    it came from, and g to db[o]. Returns (dX, dW, db)."""
    X, W, stride, padding = _conv_cache("conv2d_backward_loops", cache)
    shape = _conv_out_shape(X, W, stride, padding)
    dout = _gradient_of_output("conv2d_backward_loops", dout, shape)
    return _conv2d_backward_loops(dout, (X, W, stride, padding))


def _conv2d_backward_loops(dout, cache):
    X, W, stride, padding = cache
    m, c_out, h_out, w_out = dout.shape
    kh, kw = W.shape[2:]
    Xp = _pad(X, padding)
    dXp = np.zeros(Xp.shape, dtype=np.result_type(X, dout))
    dW = np.zeros(W.shape, dtype=np.result_type(W, dout))
    for n in range(m):
        for o in range(c_out):
            for i in range(h_out):
                for j in range(w_out):
                    top, left = i * stride, j * stride
                    g = dout[n, o, i, j]
                    dW[o] += g * Xp[n, :, top : top + kh, left : left + kw]
                    dXp[n, :, top : top + kh, left : left + kw] += g * W[o]
    db = dout.sum(axis=(0, 2, 3))
    h, w = X.shape[2:]
    return dXp[:, :, padding : padding + h, padding : padding + w], dW, db


# --- convolution as one matrix product ------------------------------------------------


def im2col(X, kh, kw, stride=1, padding=0):
    """Every (c_in, kh, kw) window of the padded images X (m, c_in, h, w), as the columns of
    one matrix per image: shape (m, c_in·kh·kw, h_out·w_out). Row r = (c, p, q) of column
    (i, j) is Xpad[c, i·stride + p, j·stride + q]."""
    func = "im2col"
    X = _images(func, "X", X)
    kh, kw = positive_int(func, "kh", kh), positive_int(func, "kw", kw)
    stride = positive_int(func, "stride", stride)
    padding = integer(func, "padding", padding, minimum=0)
    _output_size(func, X.shape[2], kh, stride, padding, "the height of X", "the window kh")
    _output_size(func, X.shape[3], kw, stride, padding, "the width of X", "the window kw")
    return _im2col(X, kh, kw, stride, padding)


def _im2col(X, kh, kw, stride, padding):
    m, c, h, w = X.shape
    h_out = (h + 2 * padding - kh) // stride + 1
    w_out = (w + 2 * padding - kw) // stride + 1
    Xp = _pad(X, padding)
    cols = np.empty((m, c, kh, kw, h_out, w_out), dtype=X.dtype)
    # One strided slice per position (p, q) in the window, rather than one per output:
    # kh·kw copies of the whole batch instead of m·h_out·w_out small ones.
    for p in range(kh):
        for q in range(kw):
            cols[:, :, p, q] = Xp[
                :, :, p : p + stride * h_out : stride, q : q + stride * w_out : stride
            ]
    return cols.reshape(m, c * kh * kw, h_out * w_out)


def col2im(cols, shape, kh, kw, stride=1, padding=0):
    """The adjoint of `im2col`: add each column's entries back where they came from in
    images of `shape` (m, c_in, h, w). Windows overlap when stride < kernel, so a pixel
    collects the sum over every window that contains it."""
    func = "col2im"
    if not isinstance(shape, tuple | list) or len(shape) != 4:
        raise TypeError(
            f"{func}: shape must be the images' shape (m, c_in, h, w), got {describe(shape)}"
        )
    m, c, h, w = (positive_int(func, "shape", n) for n in shape)
    kh, kw = positive_int(func, "kh", kh), positive_int(func, "kw", kw)
    stride = positive_int(func, "stride", stride)
    padding = integer(func, "padding", padding, minimum=0)
    h_out = _output_size(func, h, kh, stride, padding, "the height", "the window kh")
    w_out = _output_size(func, w, kw, stride, padding, "the width", "the window kw")
    cols = as_array(func, "cols", cols)
    if cols.shape != (m, c * kh * kw, h_out * w_out):
        raise ValueError(
            f"{func}: cols must have the shape im2col gives for images {tuple(shape)}, "
            f"{(m, c * kh * kw, h_out * w_out)}, got {cols.shape}"
        )
    return _col2im(cols, (m, c, h, w), kh, kw, stride, padding)


def _col2im(cols, shape, kh, kw, stride, padding):
    m, c, h, w = shape
    h_out = (h + 2 * padding - kh) // stride + 1
    w_out = (w + 2 * padding - kw) // stride + 1
    cols = cols.reshape(m, c, kh, kw, h_out, w_out)
    Xp = np.zeros((m, c, h + 2 * padding, w + 2 * padding), dtype=cols.dtype)
    for p in range(kh):
        for q in range(kw):
            Xp[:, :, p : p + stride * h_out : stride, q : q + stride * w_out : stride] += cols[
                :, :, p, q
            ]
    return Xp[:, :, padding : padding + h, padding : padding + w]


def conv2d_forward(X, W, b, stride=1, padding=0):
    """The convolution as one matrix product: the filters as rows of a (c_out, c_in·kh·kw)
    matrix times `im2col(X)`. Same result and cache as `conv2d_forward_loops`."""
    X, W, b, stride, padding = _conv_arguments("conv2d_forward", X, W, b, stride, padding)
    return _conv2d_forward(X, W, b, stride, padding)


def _conv2d_forward(X, W, b, stride, padding):
    m, c_out, h_out, w_out = _conv_out_shape(X, W, stride, padding)
    cols = _im2col(X, W.shape[2], W.shape[3], stride, padding)  # (m, K, h_out·w_out)
    out = W.reshape(c_out, -1) @ cols + b.reshape(c_out, 1)  # (m, c_out, h_out·w_out)
    return out.reshape(m, c_out, h_out, w_out), (X, W, stride, padding)


def conv2d_backward(dout, cache):
    """Gradients of the convolution through its matrix product, as for a dense layer:
    `dW = Σ_n dout_n colsₙᵀ`, `dcols = W_rowsᵀ dout_n`, then `dX = col2im(dcols)`;
    `db` sums dout over the batch and the positions. Returns (dX, dW, db)."""
    X, W, stride, padding = _conv_cache("conv2d_backward", cache)
    shape = _conv_out_shape(X, W, stride, padding)
    dout = _gradient_of_output("conv2d_backward", dout, shape)
    return _conv2d_backward(dout, (X, W, stride, padding))


def _conv2d_backward(dout, cache):
    X, W, stride, padding = cache
    m, c_out = dout.shape[:2]
    kh, kw = W.shape[2:]
    cols = _im2col(X, kh, kw, stride, padding)
    d = dout.reshape(m, c_out, -1)  # (m, c_out, h_out·w_out)
    dW = np.einsum("nop,nkp->ok", d, cols).reshape(W.shape)
    dcols = W.reshape(c_out, -1).T @ d  # (m, K, h_out·w_out)
    dX = _col2im(dcols, X.shape, kh, kw, stride, padding)
    return dX, dW, dout.sum(axis=(0, 2, 3))


# --- pooling ----------------------------------------------------------------------------


def _pool_arguments(func, X, size, stride, names=("X", "size", "stride")):
    X = _images(func, names[0], X)
    size = positive_int(func, names[1], size)
    stride = size if stride is None else positive_int(func, names[2], stride)
    for axis, n in (("height", X.shape[2]), ("width", X.shape[3])):
        window = f"the window ({names[1]})"
        _output_size(func, n, size, stride, 0, f"the {axis} of {names[0]}", window)
    return X, size, stride


def _windows(X, size, stride):
    """The size x size windows of X as an axis: (m, c, size·size, h_out, w_out)."""
    return _im2col(X, size, size, stride, 0).reshape(
        X.shape[0], X.shape[1], size * size, *_pool_out_shape(X, size, stride)[2:]
    )


def _pool_out_shape(X, size, stride):
    m, c, h, w = X.shape
    return m, c, (h - size) // stride + 1, (w - size) // stride + 1


def _pool_cache(func, cache, kind):
    if not isinstance(cache, tuple | list) or len(cache) != 3:
        raise TypeError(
            f"{func}: cache must be the cache (X, size, stride) that {kind}_forward returned, "
            f"got {describe(cache)}"
        )
    names = ("cache[0] (X)", "cache[1] (size)", "cache[2] (stride)")
    X, size, stride = _pool_arguments(func, *cache, names=names)
    return X, size, stride


def max_pool_forward(X, size=2, stride=None):
    """The largest value of every size x size window, the windows `stride` apart (by
    default `size`: side by side). Returns out (m, c, h_out, w_out) and the cache
    (X, size, stride)."""
    X, size, stride = _pool_arguments("max_pool_forward", X, size, stride)
    return _max_pool_forward(X, size, stride)


def _max_pool_forward(X, size, stride):
    return _windows(X, size, stride).max(axis=2), (X, size, stride)


def max_pool_backward(dout, cache):
    """The max is a switch: each window's gradient goes, whole, to the one input that won
    (the first, if several tie); the others get nothing. Where windows overlap, an input
    that wins several collects each of their gradients."""
    X, size, stride = _pool_cache("max_pool_backward", cache, "max_pool")
    dout = _gradient_of_output("max_pool_backward", dout, _pool_out_shape(X, size, stride))
    return _max_pool_backward(dout, (X, size, stride))


def _max_pool_backward(dout, cache):
    X, size, stride = cache
    winner = _windows(X, size, stride).argmax(axis=2)  # (m, c, h_out, w_out)
    m, c, h_out, w_out = dout.shape
    dcols = np.zeros((m, c, size * size, h_out, w_out), dtype=np.result_type(X, dout))
    np.put_along_axis(dcols, winner[:, :, None], dout[:, :, None], axis=2)
    return _col2im(dcols.reshape(m, -1, h_out * w_out), X.shape, size, size, stride, 0)


def avg_pool_forward(X, size=2, stride=None):
    """The mean of every size x size window, the windows `stride` apart (by default
    `size`). Returns out and the cache (X, size, stride)."""
    X, size, stride = _pool_arguments("avg_pool_forward", X, size, stride)
    return _avg_pool_forward(X, size, stride)


def _avg_pool_forward(X, size, stride):
    return _windows(X, size, stride).mean(axis=2), (X, size, stride)


def avg_pool_backward(dout, cache):
    """Each window's gradient, shared equally: every input of the window gets
    dout / size²."""
    X, size, stride = _pool_cache("avg_pool_backward", cache, "avg_pool")
    dout = _gradient_of_output("avg_pool_backward", dout, _pool_out_shape(X, size, stride))
    return _avg_pool_backward(dout, (X, size, stride))


def _avg_pool_backward(dout, cache):
    X, size, stride = cache
    m, c, h_out, w_out = dout.shape
    share = np.broadcast_to(dout[:, :, None] / size**2, (m, c, size * size, h_out, w_out))
    return _col2im(share.reshape(m, -1, h_out * w_out), X.shape, size, size, stride, 0)
