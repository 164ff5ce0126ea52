"""nnlib.losses: values, gradients against finite differences and jax.grad, stability in
float32 for huge logits and probabilities of exactly 0 or 1, and clear errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import assert_close, roundoff_atol
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from strategies import JAX_EXAMPLES, batches, scores_and_labels

from nnlib import losses
from nnlib.gradcheck import numerical_gradient

jax.config.update("jax_enable_x64", True)


def test_the_mnist_squared_error_example():
    prediction = np.array([0.1, 0.5, 0.3, 0.2, 0.1, 0.8, 0.1, 0.2, 0.3, 0.1])
    target = np.eye(10)[1]
    assert_close(
        (prediction - target) ** 2, [0.01, 0.25, 0.09, 0.04, 0.01, 0.64, 0.01, 0.04, 0.09, 0.01]
    )
    assert losses.mse(prediction[None], target[None]) == pytest.approx(1.19)


def test_hand_computed_values():
    assert losses.mae(np.array([1.0, -1.0]), np.array([0.0, 0.0])) == 1.0
    assert losses.hinge(np.array([2.0, 0.5, -1.0]), np.array([1, 1, 1])) == pytest.approx(2.5 / 3)
    # Multi-class hinge for one example with scores (3.2, 5.1, -1.7), right class 0:
    # max(0, 5.1 - 3.2 + 1) + max(0, -1.7 - 3.2 + 1) = 2.9 + 0
    assert losses.multiclass_hinge(np.array([[3.2, 5.1, -1.7]]), np.array([0])) == pytest.approx(
        2.9
    )
    assert losses.cross_entropy(np.array([[0.2, 0.7, 0.1]]), np.array([1])) == pytest.approx(
        -np.log(0.7)
    )
    assert losses.binary_cross_entropy(np.array([0.9]), np.array([1])) == pytest.approx(
        -np.log(0.9)
    )


def test_one_hot():
    assert losses.one_hot(np.array([2, 0]), 3).tolist() == [[0, 0, 1], [1, 0, 0]]
    message = r"one_hot: y must hold integer class indices 0\.\.2, found \[3\]"
    with pytest.raises(ValueError, match=message):
        losses.one_hot(np.array([3]), 3)


def test_gaussian_nll_is_scaled_squared_error_plus_a_constant():
    # One example, two outputs, sigma = 2: each output costs e² / 8 + ½ log(8π).
    y_hat, y = np.array([[1.0, -1.0]]), np.array([[3.0, -1.0]])
    assert losses.gaussian_nll(y_hat, y, 2.0) == pytest.approx(4 / 8 + np.log(8 * np.pi))
    rng = np.random.default_rng(0)
    y_hat, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    for sigma in (0.3, 1.0, 4.0):
        constant = 3 * 0.5 * np.log(2 * np.pi * sigma**2)
        expected = losses.mse(y_hat, y) / (2 * sigma**2) + constant
        assert losses.gaussian_nll(y_hat, y, sigma) == pytest.approx(expected)
        density = np.exp(-((y - y_hat) ** 2) / (2 * sigma**2)) / np.sqrt(2 * np.pi * sigma**2)
        assert losses.gaussian_nll(y_hat, y, sigma) == pytest.approx(
            -np.log(density).sum(axis=1).mean()
        )


def test_gaussian_nll_stays_finite_where_the_density_underflows():
    y_hat, y = np.zeros(2), np.array([100.0, -300.0])  # errors of 100 and 300 sigma
    with np.errstate(divide="ignore"):
        assert np.isinf(-np.log(np.exp(-(y**2) / 2) / np.sqrt(2 * np.pi))).any()
    assert losses.gaussian_nll(y_hat, y) == pytest.approx(
        (100.0**2 + 300.0**2) / 4 + 0.5 * np.log(2 * np.pi)
    )
    # Tiny sigma, whose square underflows: the value is huge but still a number.
    assert np.isfinite(losses.gaussian_nll(np.zeros(2), np.full(2, 1e-160), 1e-160))


REGRESSION = [
    (losses.mse, losses.mse_grad),
    (losses.mae, losses.mae_grad),
    (
        lambda y_hat, y: losses.gaussian_nll(y_hat, y, 0.7),
        lambda y_hat, y: losses.gaussian_nll_grad(y_hat, y, 0.7),
    ),
]


@pytest.mark.parametrize("loss, grad", REGRESSION)
@given(y_hat=batches(), data=st.data())
def test_regression_gradients_match_finite_differences(loss, grad, y_hat, data):
    y = data.draw(arrays(np.float64, y_hat.shape, elements=st.floats(-5, 5)))
    if loss is losses.mae and np.any(np.abs(y_hat - y) < 1e-3):
        return  # |.| has a kink where y_hat = y
    numeric = numerical_gradient(lambda v: loss(v, y), y_hat)
    atol = roundoff_atol(loss(y_hat, y))
    assert_close(grad(y_hat, y), numeric, rtol=1e-5, atol=atol)


@given(p=batches(max_cols=1, elements=st.floats(0.01, 0.99)), data=st.data())
def test_binary_cross_entropy_gradient(p, data):
    y = data.draw(arrays(np.int64, p.shape, elements=st.integers(0, 1)))
    numeric = numerical_gradient(lambda v: losses.binary_cross_entropy(v, y), p)
    atol = roundoff_atol(losses.binary_cross_entropy(p, y))
    assert_close(losses.binary_cross_entropy_grad(p, y), numeric, rtol=1e-5, atol=atol)


@settings(max_examples=JAX_EXAMPLES)
@given(z=batches(max_cols=1), data=st.data())
def test_logit_losses_match_jax(z, data):
    y = data.draw(arrays(np.int64, z.shape, elements=st.integers(0, 1)))

    def jax_bce(v):
        return jnp.mean(jnp.sum(jnp.logaddexp(0.0, v) - y * v, axis=1))

    assert losses.binary_cross_entropy_with_logits(z, y) == pytest.approx(float(jax_bce(z)))
    assert_close(
        losses.binary_cross_entropy_with_logits_grad(z, y),
        np.asarray(jax.grad(jax_bce)(z)),
        rtol=1e-10,
        atol=1e-14,
    )
    # The logit form equals the probability form applied to sigmoid(z).
    p = 1 / (1 + np.exp(-z))
    assert losses.binary_cross_entropy_with_logits(z, y) == pytest.approx(
        losses.binary_cross_entropy(p, y), rel=1e-6
    )


@settings(max_examples=JAX_EXAMPLES)
@given(scores_and_labels())
def test_softmax_cross_entropy_matches_jax(case):
    s, y = case

    def jax_ce(v):
        return -jnp.mean(jax.nn.log_softmax(v)[jnp.arange(len(y)), y])

    assert losses.softmax_cross_entropy(s, y) == pytest.approx(float(jax_ce(s)))
    assert_close(
        losses.softmax_cross_entropy_grad(s, y),
        np.asarray(jax.grad(jax_ce)(s)),
        rtol=1e-10,
        atol=1e-14,
    )


@given(scores_and_labels())
def test_cross_entropy_of_probabilities_gradient(case):
    s, y = case
    p = np.exp(s / 5) / np.exp(s / 5).sum(axis=1, keepdims=True)  # no p near 0: 1/p is steep
    numeric = numerical_gradient(lambda v: losses.cross_entropy(v, y), p)
    atol = roundoff_atol(losses.cross_entropy(p, y))
    assert_close(losses.cross_entropy_grad(p, y), numeric, rtol=1e-5, atol=atol)


@given(scores_and_labels())
def test_multiclass_hinge_gradient(case):
    s, y = case
    rows = np.arange(len(y))
    margins = s - s[rows, y][:, None] + 1
    margins[rows, y] = 5.0
    if np.any(np.abs(margins) < 1e-3):
        return  # on a hinge kink the derivative is undefined
    numeric = numerical_gradient(lambda v: losses.multiclass_hinge(v, y), s)
    atol = roundoff_atol(losses.multiclass_hinge(s, y))
    assert_close(losses.multiclass_hinge_grad(s, y), numeric, rtol=1e-5, atol=atol)


@given(
    s=batches(max_cols=1, elements=st.floats(-5, 5).filter(lambda v: abs(abs(v) - 1) > 1e-3)),
    data=st.data(),
)
def test_binary_hinge_gradient(s, data):
    y = data.draw(arrays(np.int64, s.shape, elements=st.sampled_from([-1, 1])))
    numeric = numerical_gradient(lambda v: losses.hinge(v, y), s)
    atol = roundoff_atol(losses.hinge(s, y))
    assert_close(losses.hinge_grad(s, y), numeric, rtol=1e-5, atol=atol)


def test_float32_logits_of_ten_thousand_stay_finite():
    s = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]], dtype=np.float32)
    y = np.array([1, 1])
    value = losses.softmax_cross_entropy(s, y)
    grad = losses.softmax_cross_entropy_grad(s, y)
    assert np.isfinite(value) and value == pytest.approx(1e4, rel=1e-6)
    assert grad.dtype == np.float32 and np.all(np.isfinite(grad))
    z = np.array([1e4, -1e4], dtype=np.float32)
    for y_bin in (np.array([0, 1]), np.array([1, 0])):
        assert np.isfinite(losses.binary_cross_entropy_with_logits(z, y_bin))
        g = losses.binary_cross_entropy_with_logits_grad(z, y_bin)
        assert g.dtype == np.float32 and np.all(np.isfinite(g))


def test_probabilities_of_exactly_zero_and_one_stay_finite():
    p = np.array([0.0, 1.0, 0.0, 1.0], dtype=np.float32)
    y = np.array([0, 1, 1, 0])
    assert np.isfinite(losses.binary_cross_entropy(p, y))
    assert np.all(np.isfinite(losses.binary_cross_entropy_grad(p, y)))
    probs = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    assert np.isfinite(losses.cross_entropy(probs, np.array([1, 0])))
    assert np.all(np.isfinite(losses.cross_entropy_grad(probs, np.array([1, 0]))))
    # A right and certain prediction costs (almost) nothing.
    assert losses.cross_entropy(probs, np.array([0, 1])) < 1e-6


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: losses.mse(np.zeros((3, 2)), np.zeros((2, 3))), "same shape"),
        (lambda: losses.gaussian_nll(np.zeros(2), np.zeros(2), 0.0), "sigma must be positive"),
        (lambda: losses.binary_cross_entropy(np.full(2, 0.5), np.array([0, 2])), "0 or 1"),
        (lambda: losses.hinge(np.zeros(2), np.array([0, 1])), "-1 or 1"),
        (lambda: losses.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3])), r"0\.\.2"),
        (lambda: losses.softmax_cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0])), "integer"),
        (lambda: losses.softmax_cross_entropy(np.zeros((2, 3)), np.array([0])), "one class index"),
        (lambda: losses.cross_entropy(np.zeros(3), np.array([0])), r"shape \(m, k\)"),
    ],
)
def test_bad_arguments_get_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
