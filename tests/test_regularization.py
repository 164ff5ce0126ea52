"""nnlib.regularization: penalties and their gradients, dropout's scaling and modes,
max-norm, and batch normalisation's backward against finite differences and jax.grad."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import assert_close
from hypothesis import given, settings
from strategies import JAX_EXAMPLES, away_from_kinks, batches

from nnlib import regularization as reg
from nnlib.gradcheck import numerical_gradient

jax.config.update("jax_enable_x64", True)


def test_l2_prefers_spread_weights():
    x = np.array([1.0, 1.0, 1.0, 1.0])
    w1, w2 = np.array([1.0, 0.0, 0.0, 0.0]), np.full(4, 0.25)
    assert x @ w1 == x @ w2 == 1.0
    assert reg.l2_penalty(w1, 1.0) == 1.0
    assert reg.l2_penalty(w2, 1.0) == 0.25


@pytest.mark.parametrize(
    "penalty, grad",
    [
        (reg.l2_penalty, reg.l2_grad),
        (reg.l1_penalty, reg.l1_grad),
        (
            lambda W, lam: reg.elastic_net_penalty(W, lam, beta=0.3),
            lambda W, lam: reg.elastic_net_grad(W, lam, beta=0.3),
        ),
    ],
)
@given(W=batches(elements=away_from_kinks))
def test_penalty_gradients(penalty, grad, W):
    numeric = numerical_gradient(lambda v: penalty(v, 0.7), W)
    assert_close(grad(W, 0.7), numeric, rtol=1e-5, atol=1e-8)


def test_penalties_sum_over_layers_and_refuse_negative_strength():
    layers = [np.ones((2, 2)), np.full((3, 1), 2.0)]
    assert reg.l2_penalty(layers, 0.5) == pytest.approx(0.5 * (4 + 12))
    assert reg.l1_penalty(layers, 1.0) == pytest.approx(4 + 6)
    with pytest.raises(ValueError, match="lam must be zero or positive"):
        reg.l2_penalty(layers, -0.1)


def test_max_norm_rescales_only_long_columns():
    W = np.array([[3.0, 0.1], [4.0, 0.1]])  # column norms 5 and about 0.14
    out = reg.max_norm(W, 1.0)
    assert_close(np.linalg.norm(out, axis=0), [1.0, np.hypot(0.1, 0.1)])
    assert_close(out[:, 0], [0.6, 0.8])
    with pytest.raises(ValueError, match="c must be positive"):
        reg.max_norm(W, 0.0)


def test_inverted_dropout_keeps_the_expected_value():
    A = np.ones((2000, 50))
    out, mask = reg.dropout_forward(A, p_drop=0.4, rng=0)
    assert set(np.unique(mask)) == {0.0, 1 / 0.6}
    assert np.mean(mask == 0) == pytest.approx(0.4, abs=0.01)
    assert out.mean() == pytest.approx(1.0, abs=0.01)
    same, _ = reg.dropout_forward(A, p_drop=0.4, rng=0)
    assert np.array_equal(out, same)


def test_dropout_is_off_in_evaluation_and_its_gradient_follows_the_mask():
    A = np.arange(6.0).reshape(2, 3)
    out, mask = reg.dropout_forward(A, p_drop=0.5, rng=1, training=False)
    assert np.array_equal(out, A) and np.all(mask == 1)
    out, mask = reg.dropout_forward(A, p_drop=0.5, rng=1)
    assert_close(reg.dropout_backward(np.ones_like(A), mask), mask)


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5])
def test_dropout_probability_must_lie_in_zero_one(p):
    with pytest.raises(ValueError, match=r"p_drop must lie in \[0, 1\)"):
        reg.dropout_forward(np.ones(3), p, rng=0)


def test_batchnorm_standardises_each_column():
    X = np.random.default_rng(0).normal(5, 3, size=(64, 4))
    out, _ = reg.batchnorm_forward(X, np.ones(4), np.zeros(4))
    assert_close(out.mean(axis=0), np.zeros(4), atol=1e-12)
    assert_close(out.std(axis=0), np.ones(4), rtol=1e-4)


@settings(max_examples=JAX_EXAMPLES)
@given(X=batches(min_rows=2, max_rows=6))
def test_batchnorm_backward_matches_jax(X):
    rng = np.random.default_rng(0)
    gamma, beta = rng.normal(size=X.shape[1]), rng.normal(size=X.shape[1])
    R = rng.normal(size=X.shape)
    if np.any(X.var(axis=0) < 1e-3):
        return  # a nearly constant column makes the gradient huge and ill-conditioned
    out, cache = reg.batchnorm_forward(X, gamma, beta)
    dX, dgamma, dbeta = reg.batchnorm_backward(R, cache)

    def loss(X_, g_, b_):
        mu = X_.mean(axis=0)
        X_hat = (X_ - mu) / jnp.sqrt(X_.var(axis=0) + 1e-5)
        return jnp.sum(R * (g_ * X_hat + b_))

    jdX, jdg, jdb = jax.grad(loss, argnums=(0, 1, 2))(X, gamma, beta)
    assert_close(dX, np.asarray(jdX), rtol=1e-7, atol=1e-9, what="dX")
    assert_close(dgamma, np.asarray(jdg), rtol=1e-9, atol=1e-12, what="dgamma")
    assert_close(dbeta, np.asarray(jdb), rtol=1e-9, atol=1e-12, what="dbeta")


def test_batchnorm_refuses_a_single_example():
    with pytest.raises(ValueError, match="m >= 2 examples"):
        reg.batchnorm_forward(np.ones((1, 3)), np.ones(3), np.zeros(3))


def test_backward_passes_refuse_gradients_of_the_wrong_shape():
    out, cache = reg.batchnorm_forward(np.arange(6.0).reshape(3, 2), np.ones(2), np.zeros(2))
    message = r"batchnorm_backward: d_out must have the shape .*\(3, 2\), got \(2, 2\)"
    with pytest.raises(ValueError, match=message):
        reg.batchnorm_backward(np.ones((2, 2)), cache)
    _, mask = reg.dropout_forward(np.ones((2, 3)), 0.5, rng=0)
    message = r"dropout_backward: d_out must have the shape of mask, \(2, 3\)"
    with pytest.raises(ValueError, match=message):
        reg.dropout_backward(np.ones((3, 2)), mask)


def test_bad_rates_and_strengths_name_the_argument():
    with pytest.raises(ValueError, match=r"dropout_forward: p_drop must lie in \[0, 1\), got 1.0"):
        reg.dropout_forward(np.ones(3), 1.0, rng=0)
    with pytest.raises(TypeError, match="dropout_forward: training must be True or False"):
        reg.dropout_forward(np.ones(3), 0.5, rng=0, training="yes")
    with pytest.raises(ValueError, match="batchnorm_forward: eps must be positive, got -1"):
        reg.batchnorm_forward(np.ones((3, 2)), np.ones(2), np.zeros(2), eps=-1)
    with pytest.raises(TypeError, match="l2_penalty: weights must be an array or a non-empty list"):
        reg.l2_penalty(None, 0.1)
