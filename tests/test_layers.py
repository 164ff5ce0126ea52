"""nnlib.layers and nnlib.model: shapes, parameter counts, and backward passes against
finite differences and jax.grad of the same forward."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import assert_close
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import JAX_EXAMPLES, batches

from nnlib.gradcheck import numerical_gradient
from nnlib.layers import activation_backward, activation_forward, dense_backward, dense_forward
from nnlib.losses import mse, mse_grad
from nnlib.model import count_parameters, init_mlp, mlp_backward, mlp_forward

jax.config.update("jax_enable_x64", True)


def test_parameter_counts():
    assert count_parameters([3, 4, 4, 1]) == (32, 9)
    assert count_parameters([2, 3, 1]) == (9, 4)
    assert count_parameters([784, 256, 128, 10]) == (784 * 256 + 256 * 128 + 128 * 10, 394)
    with pytest.raises(ValueError, match="at least two positive integers"):
        count_parameters([3])
    with pytest.raises(ValueError, match="at least two positive integers"):
        count_parameters([3, 0, 1])


def test_init_is_seeded_and_shaped():
    a, b = init_mlp([3, 4, 2], seed=1), init_mlp([3, 4, 2], seed=1)
    assert [p["W"].shape for p in a] == [(3, 4), (4, 2)]
    assert [p["b"].shape for p in a] == [(4,), (2,)]
    assert all(np.array_equal(p["W"], q["W"]) for p, q in zip(a, b, strict=True))
    assert not np.array_equal(a[0]["W"], init_mlp([3, 4, 2], seed=2)[0]["W"])


def test_dense_forward_is_the_matrix_product_and_names_shape_mistakes():
    X, W, b = np.ones((5, 3)), np.arange(6.0).reshape(3, 2), np.array([1.0, -1.0])
    Z, cache = dense_forward(X, W, b)
    assert_close(Z, X @ W + b)
    assert cache[0] is X and cache[1] is W
    with pytest.raises(ValueError, match=r"X must have shape \(m, 3\).*got \(5, 2\)"):
        dense_forward(np.ones((5, 2)), W, b)
    with pytest.raises(ValueError, match=r"b must have shape \(2,\)"):
        dense_forward(X, W, np.ones(3))
    with pytest.raises(ValueError, match=r"dZ must have the shape of Z"):
        dense_backward(np.ones((2, 5)), cache)


@given(X=batches(), data=st.data())
def test_dense_backward_matches_finite_differences(X, data):
    n_out = data.draw(st.integers(1, 4))
    rng = np.random.default_rng(data.draw(st.integers(0, 10_000)))
    W, b = rng.standard_normal((X.shape[1], n_out)), rng.standard_normal(n_out)
    R = rng.standard_normal((X.shape[0], n_out))  # J = Σ R ∘ Z, so dJ/dZ = R
    Z, cache = dense_forward(X, W, b)
    dX, dW, db = dense_backward(R, cache)
    assert_close(
        dX,
        numerical_gradient(lambda v: (dense_forward(v, W, b)[0] * R).sum(), X),
        rtol=1e-6,
        atol=1e-8,
        what="dX",
    )
    assert_close(
        dW,
        numerical_gradient(lambda v: (dense_forward(X, v, b)[0] * R).sum(), W),
        rtol=1e-6,
        atol=1e-8,
        what="dW",
    )
    assert_close(
        db,
        numerical_gradient(lambda v: (dense_forward(X, W, v)[0] * R).sum(), b),
        rtol=1e-6,
        atol=1e-8,
        what="db",
    )


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "identity"])
def test_activation_backward_is_the_local_slope_times_the_incoming_gradient(name):
    Z = np.array([[-2.0, -0.5, 0.3, 1.7]])
    dA = np.array([[1.0, 2.0, -1.0, 0.5]])
    A, cache = activation_forward(Z, name)
    numeric = numerical_gradient(lambda v: (activation_forward(v, name)[0] * dA).sum(), Z)
    assert_close(activation_backward(dA, cache), numeric, rtol=1e-6, atol=1e-9)


def _jax_mlp_loss(flat_params, X, Y, activation):
    fn = {"relu": jax.nn.relu, "tanh": jnp.tanh, "sigmoid": jax.nn.sigmoid}[activation]
    A = X
    for index, (W, b) in enumerate(flat_params):
        Z = A @ W + b
        A = Z if index == len(flat_params) - 1 else fn(Z)
    return jnp.mean(jnp.sum((A - Y) ** 2, axis=1))


@settings(max_examples=JAX_EXAMPLES)
@given(
    st.integers(0, 10_000),
    st.sampled_from(["relu", "tanh", "sigmoid"]),
    st.lists(st.integers(1, 5), min_size=2, max_size=4),
    st.integers(1, 6),
)
def test_mlp_backward_matches_jax_grad(seed, activation, sizes, m):
    rng = np.random.default_rng(seed)
    params = init_mlp(sizes, seed=seed)
    for layer in params:
        layer["b"] = rng.standard_normal(layer["b"].shape)
    X = rng.standard_normal((m, sizes[0]))
    Y = rng.standard_normal((m, sizes[-1]))
    out, caches = mlp_forward(params, X, activation=activation)
    grads = mlp_backward(mse_grad(out, Y), caches)
    flat = [(p["W"], p["b"]) for p in params]
    assert mse(out, Y) == pytest.approx(float(_jax_mlp_loss(flat, X, Y, activation)))
    jax_grads = jax.grad(_jax_mlp_loss)(flat, X, Y, activation)
    for ours, (jW, jb) in zip(grads, jax_grads, strict=True):
        assert_close(ours["W"], np.asarray(jW), rtol=1e-9, atol=1e-12, what="dW")
        assert_close(ours["b"], np.asarray(jb), rtol=1e-9, atol=1e-12, what="db")


def test_mlp_forward_rejects_an_unknown_activation():
    with pytest.raises(ValueError, match="unknown activation 'rleu'"):
        mlp_forward(init_mlp([2, 2]), np.zeros((1, 2)), activation="rleu")


def test_dropout_in_the_forward_pass_and_its_backward_match_finite_differences():
    rng = np.random.default_rng(5)
    params = init_mlp([3, 6, 5, 2], seed=5)
    X, Y = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    out, caches = mlp_forward(params, X, activation="tanh", dropout=0.5, rng=11)
    masks = [act_cache[2] for _, act_cache in caches[:-1]]
    assert len(caches[-1][1]) == 2  # no dropout on the output layer
    assert all(set(np.unique(mask)) <= {0.0, 2.0} for mask in masks)
    grads = mlp_backward(mse_grad(out, Y), caches)

    def cost(W, layer):
        saved = params[layer]["W"]
        params[layer]["W"] = W
        try:  # the same seed draws the same masks, so the cost is a fixed function of W
            return mse(mlp_forward(params, X, activation="tanh", dropout=0.5, rng=11)[0], Y)
        finally:
            params[layer]["W"] = saved

    for layer in range(3):
        numeric = numerical_gradient(lambda W, layer=layer: cost(W, layer), params[layer]["W"])
        assert_close(grads[layer]["W"], numeric, rtol=1e-6, atol=1e-9, what=f"dW{layer + 1}")


def test_dropout_needs_a_random_generator():
    with pytest.raises(ValueError, match="dropout needs rng"):
        mlp_forward(init_mlp([2, 2, 2]), np.zeros((1, 2)), dropout=0.5)


def test_backward_functions_refuse_mismatched_shapes_with_the_expected_shape():
    Z = np.ones((2, 3))
    message = r"activation_backward: dA must have the shape of Z .*\(2, 3\), got \(3, 2\)"
    with pytest.raises(ValueError, match=message):
        activation_backward(np.ones((3, 2)), (Z, "relu"))
    with pytest.raises(TypeError, match=r"activation_backward: cache must be the cache \(Z,"):
        activation_backward(np.ones((2, 3)), Z)
    X, W = np.ones((4, 2)), np.ones((2, 3))
    with pytest.raises(ValueError, match=r"dense_backward: dZ must have the shape of Z, \(4, 3\)"):
        dense_backward(np.ones((3, 3)), (X, W))
    out, caches = mlp_forward(init_mlp([2, 3, 2]), X, activation="tanh")
    message = r"mlp_backward: d_out must have the shape .*\(4, 2\), got \(4, 3\)"
    with pytest.raises(ValueError, match=message):
        mlp_backward(np.ones((4, 3)), caches)
    _, caches = mlp_forward(init_mlp([2, 3, 4]), X, activation="tanh")
    with pytest.raises(ValueError, match=r"mlp_backward: caches\[1\] does not follow caches\[0\]"):
        mlp_backward(np.ones((4, 4)), caches[::-1])


def test_mlp_forward_names_itself_not_the_layer_it_calls():
    params = init_mlp([2, 3, 2])
    with pytest.raises(TypeError, match=r"^mlp_forward: X must be an array of numbers, got None"):
        mlp_forward(params, None)
    with pytest.raises(ValueError, match=r"^mlp_forward: X must have 2 columns"):
        mlp_forward(params, np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"^mlp_forward: params\[0\]\[\"W\"\] contains NaN"):
        mlp_forward([{"W": np.full((2, 2), np.nan), "b": np.zeros(2)}], np.ones((1, 2)))
    with pytest.raises(ValueError, match=r"^mlp_forward: X must hold at least one example"):
        mlp_forward(params, np.ones((0, 2)))
