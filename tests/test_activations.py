"""nnlib.activations: each function, its derivative (against finite differences and
jax.grad), and finite values at extreme inputs in float32."""

import jax
import numpy as np
import pytest
from conftest import assert_close
from hypothesis import given, settings
from strategies import JAX_EXAMPLES, away_from_kinks, batches

from nnlib import activations as act
from nnlib.gradcheck import numerical_gradient

jax.config.update("jax_enable_x64", True)

SMOOTH = ["identity", "sigmoid", "tanh"]
KINKED = ["relu", "leaky_relu"]  # derivative undefined at 0 only
JAX_FORMS = {
    "identity": lambda z: z,
    "sigmoid": jax.nn.sigmoid,
    "tanh": jax.numpy.tanh,
    "relu": jax.nn.relu,
    "leaky_relu": lambda z: jax.nn.leaky_relu(z, 0.01),
}


@pytest.mark.parametrize("name", SMOOTH + KINKED)
@given(z=batches(elements=away_from_kinks))
def test_derivative_matches_finite_differences(name, z):
    f, f_prime = act.get_activation(name)
    numeric = numerical_gradient(lambda v: f(v).sum(), z)
    assert_close(f_prime(z), numeric, rtol=1e-5, atol=1e-8, what=f"{name}'")


@pytest.mark.parametrize("name", SMOOTH + KINKED)
@settings(max_examples=JAX_EXAMPLES)
@given(z=batches(elements=away_from_kinks))
def test_function_and_derivative_match_jax(name, z):
    f, f_prime = act.get_activation(name)
    jax_f = JAX_FORMS[name]
    assert_close(f(z), np.asarray(jax_f(z)), rtol=1e-12, atol=1e-15, what=name)
    slope = np.asarray(jax.vmap(jax.vmap(jax.grad(jax_f)))(z))
    assert_close(f_prime(z), slope, rtol=1e-12, atol=1e-15, what=f"{name}'")


def test_known_values():
    assert act.sigmoid(0.0) == 0.5
    assert act.sigmoid_derivative(0.0) == 0.25
    assert act.tanh_derivative(0.0) == 1.0
    assert act.relu([-2.0, 0.0, 3.0]).tolist() == [0.0, 0.0, 3.0]
    assert act.relu_derivative([-2.0, 0.0, 3.0]).tolist() == [0.0, 0.0, 1.0]
    assert_close(act.leaky_relu([-2.0, 3.0], alpha=0.1), [-0.2, 3.0])
    assert act.step([-1.0, 0.0]).tolist() == [0.0, 1.0]
    assert act.step_derivative([-1.0, 0.0, 2.0]).tolist() == [0.0, 0.0, 0.0]


def test_sigmoid_slope_is_at_most_a_quarter():
    z = np.linspace(-20, 20, 4001)
    assert act.sigmoid_derivative(z).max() == pytest.approx(0.25)


@pytest.mark.parametrize("name", SMOOTH + KINKED + ["step"])
def test_finite_and_float32_at_extreme_inputs(name):
    f, f_prime = act.get_activation(name)
    z = np.array([-1e4, -88.0, 0.0, 88.0, 1e4], dtype=np.float32)
    for out in (f(z), f_prime(z)):
        assert out.dtype == np.float32
        assert np.all(np.isfinite(out))
    if name == "sigmoid":
        assert f(z)[0] == 0.0 and f(z)[-1] == 1.0


def test_softmax_rows_sum_to_one_and_survive_huge_scores():
    s = np.array([[1e4, 0.0, -1e4], [3.0, 3.0, 3.0]], dtype=np.float32)
    p = act.softmax(s)
    assert p.dtype == np.float32
    assert np.all(np.isfinite(p))
    assert_close(p.sum(axis=1), [1.0, 1.0], rtol=1e-6)
    assert_close(p[1], [1 / 3] * 3, rtol=1e-6)


@given(batches(min_cols=2))
def test_softmax_ignores_a_constant_shift(s):
    assert_close(act.softmax(s), act.softmax(s + 100.0), rtol=1e-9, atol=1e-12)


@given(s=batches(min_cols=2), weights=batches(min_cols=2))
def test_softmax_backward_matches_finite_differences(s, weights):
    if weights.shape != s.shape:
        weights = np.resize(weights, s.shape)
    loss = lambda v: float((act.softmax(v) * weights).sum())  # noqa: E731
    numeric = numerical_gradient(loss, s)
    assert_close(act.softmax_backward(weights, act.softmax(s)), numeric, rtol=1e-5, atol=1e-8)


def test_maxout_picks_the_larger_piece_and_generalises_relu():
    z = np.linspace(-3, 3, 13)
    pieces = np.stack([z, np.zeros_like(z)], axis=-1)  # max(z, 0) is ReLU
    assert_close(act.maxout(pieces), act.relu(z))
    leaky = np.stack([z, 0.1 * z], axis=-1)  # max(z, 0.1 z) is leaky ReLU with alpha 0.1
    assert_close(act.maxout(leaky), act.leaky_relu(z, alpha=0.1))
    grad = act.maxout_derivative(np.array([[1.0, 2.0], [5.0, -1.0]]))
    assert grad.tolist() == [[0.0, 1.0], [1.0, 0.0]]


def test_unknown_activation_lists_the_choices():
    with pytest.raises(ValueError, match=r"unknown activation 'selu'.*'relu'"):
        act.get_activation("selu")


# --- bad arguments: a clear error naming the function and the argument ------------------------


@pytest.mark.parametrize("name", ["identity", "step", "sigmoid", "tanh", "relu", "leaky_relu"])
@pytest.mark.parametrize("bad", [None, "abc", object(), [[1.0], [2.0, 3.0]], np.array([1j])])
def test_none_text_and_objects_are_refused_not_turned_into_nan(name, bad):
    f, f_prime = act.get_activation(name)
    for func in (f, f_prime):
        with pytest.raises(TypeError, match=rf"^{func.__name__}: z must be a number or an array"):
            func(bad)


def test_nan_and_inf_are_refused_and_empty_arrays_pass():
    with pytest.raises(ValueError, match=r"sigmoid: z contains NaN or infinite values \(nan at"):
        act.sigmoid([0.0, np.nan])
    assert act.relu(np.array([])).shape == (0,)
    assert act.sigmoid(np.zeros((0, 3), np.float32)).dtype == np.float32


def test_an_infinite_score_is_refused_by_softmax_rather_than_giving_nan():
    with pytest.raises(ValueError, match="softmax: scores contains NaN or infinite values"):
        act.softmax([[np.inf, 0.0]])
    with pytest.raises(ValueError, match=r"softmax: axis 2 does not exist"):
        act.softmax(np.zeros((2, 3)), axis=2)


def test_softmax_backward_refuses_mismatched_shapes_and_non_probabilities():
    probs = act.softmax(np.zeros((2, 3)))
    message = r"d_probs must have the shape of probs, \(2, 3\), got \(3, 3\)"
    with pytest.raises(ValueError, match=message):
        act.softmax_backward(np.ones((3, 3)), probs)
    with pytest.raises(ValueError, match="probs must be softmax's output"):
        act.softmax_backward(np.ones((2, 3)), np.full((2, 3), 0.5))


def test_valid_inputs_keep_working_lists_ints_and_float32():
    assert act.relu([-1, 2]).tolist() == [0.0, 2.0]
    assert act.sigmoid(np.float32(0.0)).dtype == np.float32
    assert act.tanh(np.arange(3, dtype=np.int32)).dtype == np.float64
