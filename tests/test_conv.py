"""nnlib.conv: the output-size rule, a convolution worked by hand, the loop and im2col
versions equal on drawn shapes, strides and paddings, and every backward pass against
central differences and against jax.grad of JAX's own convolution and pooling (float64,
relative error <= 1e-7), with clear errors for shapes that do not fit."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import assert_close
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlib import conv
from nnlib.gradcheck import numerical_gradient, relative_error

jax.config.update("jax_enable_x64", True)

TOLERANCE = 1e-7  # relative error of a backward pass, float64


def test_output_size_rule():
    assert conv.conv_output_size(28, 3, padding=1) == 28  # "same" for a 3x3 filter
    assert conv.conv_output_size(28, 5) == 24
    assert conv.conv_output_size(7, 3, stride=2) == 3
    assert conv.conv_output_size(8, 3, stride=2) == 3  # the last column is never reached
    assert conv.conv_output_size(7, 3, stride=2, padding=1) == 4
    assert conv.conv_output_size(28, 2, stride=2) == 14  # 2x2 pooling
    with pytest.raises(
        ValueError, match=r"k spans 3, more than n \(2\) plus the padding on both sides \(2 x 0\)"
    ):
        conv.conv_output_size(2, 3)


def test_a_convolution_worked_by_hand():
    X = np.arange(16.0).reshape(1, 1, 4, 4)
    W = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])  # top-left minus bottom-right
    for forward in (conv.conv2d_forward, conv.conv2d_forward_loops):
        out, _ = forward(X, W, np.array([0.5]))
        assert_close(out, np.full((1, 1, 3, 3), -5 + 0.5))  # x[i, j] - x[i + 1, j + 1]
        # Stride 2 and a border of zeros: windows start at rows and columns -1, 1 and 3,
        # so a corner of a window often falls on the border (0): out[0, 1] = 0 - x[0, 2],
        # out[1, 2] = x[1, 3] - 0, out[2, 2] = x[3, 3] - 0.
        out, _ = forward(X, W, np.zeros(1), stride=2, padding=1)
        assert_close(out[0, 0], [[0, -2, 0], [-8, -5, 7], [0, 13, 15]])
    # Not flipped: the kernel [[1, 2]] on the row [1, 10] gives 1 + 20, not 2 + 10.
    out, _ = conv.conv2d_forward(np.array([[[[1.0, 10.0]]]]), np.array([[[[1.0, 2.0]]]]), [0.0])
    assert out.item() == 21.0


def test_im2col_lays_each_window_out_as_a_column():
    X = np.arange(9.0).reshape(1, 1, 3, 3)
    cols = conv.im2col(X, 2, 2)
    assert cols.shape == (1, 4, 4)
    assert_close(cols[0, :, 0], [0, 1, 3, 4])  # the top-left window
    assert_close(cols[0, :, 3], [4, 5, 7, 8])  # the bottom-right one
    # col2im adds overlapping windows back: the centre pixel is in all four.
    counts = conv.col2im(np.ones_like(cols), X.shape, 2, 2)
    assert_close(counts[0, 0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


@st.composite
def conv_problems(draw):
    """Images, filters, a stride and a padding that fit, with random float64 values."""
    m, c_in, c_out = (draw(st.integers(1, 3)) for _ in range(3))
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    padding = draw(st.integers(0, 2))
    kh = draw(st.integers(1, min(4, h + 2 * padding)))
    kw = draw(st.integers(1, min(4, w + 2 * padding)))
    stride = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X = rng.normal(size=(m, c_in, h, w))
    W = rng.normal(size=(c_out, c_in, kh, kw))
    b = rng.normal(size=c_out)
    return X, W, b, stride, padding, rng


def jax_conv(X, W, b, stride, padding):
    out = jax.lax.conv_general_dilated(
        X,
        W,
        window_strides=(stride, stride),
        padding=((padding, padding), (padding, padding)),
        dimension_numbers=("NCHW", "OIHW", "NCHW"),
        precision=jax.lax.Precision.HIGHEST,
    )
    return out + b.reshape(1, -1, 1, 1)


@given(conv_problems())
def test_loops_and_im2col_agree(problem):
    X, W, b, stride, padding, rng = problem
    out, cache = conv.conv2d_forward(X, W, b, stride, padding)
    out_loops, cache_loops = conv.conv2d_forward_loops(X, W, b, stride, padding)
    assert out.shape == (
        X.shape[0],
        W.shape[0],
        conv.conv_output_size(X.shape[2], W.shape[2], stride, padding),
        conv.conv_output_size(X.shape[3], W.shape[3], stride, padding),
    )
    assert_close(out, out_loops, rtol=1e-12, atol=1e-12)
    dout = rng.normal(size=out.shape)
    grads = conv.conv2d_backward(dout, cache)
    grads_loops = conv.conv2d_backward_loops(dout, cache_loops)
    for g, g_loops in zip(grads, grads_loops, strict=True):
        assert_close(g, g_loops, rtol=1e-12, atol=1e-12)


# JAX compiles its convolution anew for every shape (about a second each): a few draws,
# on top of the 60 that check the same code against central differences.
@settings(max_examples=8)
@given(conv_problems())
def test_conv_matches_jax_forward_and_backward(problem):
    X, W, b, stride, padding, rng = problem
    out, cache = conv.conv2d_forward(X, W, b, stride, padding)
    assert_close(out, np.asarray(jax_conv(X, W, b, stride, padding)), rtol=1e-12, atol=1e-12)
    dout = rng.normal(size=out.shape)

    # jax.grad of sum(out * dout) is the backward pass for the incoming gradient dout.
    def objective(X, W, b):
        return jnp.sum(jax_conv(X, W, b, stride, padding) * dout)

    expected = jax.grad(objective, argnums=(0, 1, 2))(X, W, b)
    for name, g, e in zip(
        ("dX", "dW", "db"), conv.conv2d_backward(dout, cache), expected, strict=True
    ):
        assert relative_error(g, np.asarray(e)) <= TOLERANCE, name


@given(conv_problems())
def test_conv_backward_matches_central_differences(problem):
    X, W, b, stride, padding, rng = problem
    out, cache = conv.conv2d_forward(X, W, b, stride, padding)
    dout = rng.normal(size=out.shape)
    dX, dW, db = conv.conv2d_backward(dout, cache)

    def objective(X, W, b):
        return float(np.sum(conv.conv2d_forward(X, W, b, stride, padding)[0] * dout))

    numeric = (
        numerical_gradient(lambda v: objective(v, W, b), X),
        numerical_gradient(lambda v: objective(X, v, b), W),
        numerical_gradient(lambda v: objective(X, W, v), b),
    )
    for name, g, n in zip(("dX", "dW", "db"), (dX, dW, db), numeric, strict=True):
        assert relative_error(g, n) <= TOLERANCE, name


@st.composite
def pool_problems(draw):
    m, c = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    size = draw(st.integers(1, 3))
    h, w = draw(st.integers(size, 8)), draw(st.integers(size, 8))
    stride = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    # Continuous random values: no two inputs of a window tie for the max.
    return rng.normal(size=(m, c, h, w)), size, stride, rng


def jax_pool(X, size, stride, kind):
    window, strides = (1, 1, size, size), (1, 1, stride, stride)
    if kind == "max":
        return jax.lax.reduce_window(X, -jnp.inf, jax.lax.max, window, strides, "VALID")
    return jax.lax.reduce_window(X, 0.0, jax.lax.add, window, strides, "VALID") / size**2


POOLS = {
    "max": (conv.max_pool_forward, conv.max_pool_backward),
    "avg": (conv.avg_pool_forward, conv.avg_pool_backward),
}


@pytest.mark.parametrize("kind", POOLS)
@given(problem=pool_problems())
def test_pooling_backward_matches_central_differences(kind, problem):
    X, size, stride, rng = problem
    forward, backward = POOLS[kind]
    out, cache = forward(X, size, stride)
    dout = rng.normal(size=out.shape)
    # The max has kinks where two inputs tie; a step of 1e-6 does not reach one here
    # unless two inputs of a window are that close, which these draws almost never are.
    numeric = numerical_gradient(lambda v: float(np.sum(forward(v, size, stride)[0] * dout)), X)
    assert relative_error(backward(dout, cache), numeric) <= TOLERANCE


@settings(max_examples=6)
@pytest.mark.parametrize("kind", POOLS)
@given(problem=pool_problems())
def test_pooling_matches_jax_forward_and_backward(kind, problem):
    X, size, stride, rng = problem
    forward, backward = POOLS[kind]
    out, cache = forward(X, size, stride)
    assert_close(out, np.asarray(jax_pool(X, size, stride, kind)), rtol=1e-12, atol=1e-12)
    dout = rng.normal(size=out.shape)
    expected = jax.grad(lambda v: jnp.sum(jax_pool(v, size, stride, kind) * dout))(X)
    assert relative_error(backward(dout, cache), np.asarray(expected)) <= TOLERANCE


def test_max_pool_routes_each_gradient_to_one_input():
    X = np.random.default_rng(0).normal(size=(2, 3, 6, 6))
    out, cache = conv.max_pool_forward(X, 2)
    dX = conv.max_pool_backward(np.ones_like(out), cache)
    assert np.count_nonzero(dX) == out.size  # one winner per window
    assert_close(np.sort(X[dX == 1]), np.sort(out.ravel()))  # the winners are the maxima
    # Average pooling shares every gradient equally instead.
    out, cache = conv.avg_pool_forward(X, 2)
    assert_close(conv.avg_pool_backward(np.ones_like(out), cache), np.full(X.shape, 0.25))


def test_float32_stays_float32():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2, 1, 5, 5)).astype(np.float32)
    W = rng.normal(size=(3, 1, 3, 3)).astype(np.float32)
    out, cache = conv.conv2d_forward(X, W, np.zeros(3, np.float32), padding=1)
    assert out.dtype == np.float32
    assert all(g.dtype == np.float32 for g in conv.conv2d_backward(np.ones_like(out), cache))
    pooled, cache = conv.max_pool_forward(out)
    assert conv.max_pool_backward(np.ones_like(pooled), cache).dtype == np.float32


X1 = np.zeros((2, 3, 5, 5))
W1 = np.zeros((4, 3, 3, 3))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: conv.conv2d_forward(np.zeros((3, 5, 5)), W1, np.zeros(4)), r"\(m, channels"),
        (lambda: conv.conv2d_forward(X1, np.zeros((4, 2, 3, 3)), np.zeros(4)), "c_in = 3"),
        (lambda: conv.conv2d_forward(X1, W1, np.zeros(3)), r"b must have shape \(4,\)"),
        (lambda: conv.conv2d_forward(X1, np.zeros((4, 3, 7, 7)), np.zeros(4)), "does not fit"),
        (lambda: conv.conv2d_forward(X1, W1, np.zeros(4), stride=0), "stride must be"),
        (lambda: conv.conv2d_forward(X1, W1, np.zeros(4), padding=-1), "padding must be"),
        (lambda: conv.conv2d_backward(np.zeros((2, 4, 5, 5)), (X1, W1, 1, 0)), r"\(2, 4, 3, 3\)"),
        (lambda: conv.conv2d_backward(np.zeros((2, 4, 3, 3)), (X1, W1)), "cache must be"),
        (lambda: conv.max_pool_forward(X1, 6), r"size\) spans 6, more than the height of X \(5\)"),
        (lambda: conv.max_pool_backward(np.zeros((2, 3, 3, 3)), (X1, 2, 2)), r"\(2, 3, 2, 2\)"),
        (lambda: conv.avg_pool_backward(np.zeros((2, 3, 2, 2)), X1), "cache must be"),
        (lambda: conv.conv2d_forward(np.full((1, 1, 3, 3), np.nan), W1[:1, :1], [0.0]), "NaN"),
    ],
)
def test_bad_arguments_get_clear_errors(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
