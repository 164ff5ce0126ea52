"""nnlib.jax: the same gradients and optimiser steps as the NumPy path, a compiled epoch
that learns, and a CNN whose pieces do what they say."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import assert_close

import nnlib.jax as nj
from nnlib import optim
from nnlib.data import make_moons
from nnlib.losses import softmax_cross_entropy_grad
from nnlib.model import mlp_backward, mlp_forward

jax.config.update("jax_enable_x64", True)


def _numpy_params(params):
    return [{k: np.asarray(v, dtype=np.float64) for k, v in layer.items()} for layer in params]


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_gradients_equal_the_numpy_backward_pass(activation):
    key = jax.random.PRNGKey(0)
    params = nj.init_mlp(key, [6, 7, 5, 3], dtype=jnp.float64)
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(9, 6)), rng.integers(0, 3, size=9)
    jax_grads = jax.grad(nj.mlp_loss)(params, jnp.asarray(X), jnp.asarray(y), activation)
    np_params = _numpy_params(params)
    out, caches = mlp_forward(np_params, X, activation=activation)
    np_grads = mlp_backward(softmax_cross_entropy_grad(out, y), caches)
    for ours, theirs in zip(np_grads, jax_grads, strict=True):
        assert_close(ours["W"], np.asarray(theirs["W"]), rtol=1e-10, atol=1e-13, what="dW")
        assert_close(ours["b"], np.asarray(theirs["b"]), rtol=1e-10, atol=1e-13, what="db")


def test_l2_term_matches_the_numpy_penalty_gradient():
    params = nj.init_mlp(jax.random.PRNGKey(2), [3, 4, 2], dtype=jnp.float64)
    X, y = jnp.ones((2, 3)), jnp.array([0, 1])
    plain = jax.grad(nj.mlp_loss)(params, X, y)
    decayed = jax.grad(nj.mlp_loss)(params, X, y, l2=0.1)
    for p, g0, g1 in zip(params, plain, decayed, strict=True):
        assert_close(np.asarray(g1["W"] - g0["W"]), 0.2 * np.asarray(p["W"]), rtol=1e-10)
        assert_close(np.asarray(g1["b"]), np.asarray(g0["b"]))  # biases are not decayed


def test_a_zero_l2_leaves_the_penalty_out_of_the_compiled_gradient():
    # Computing 0 · Σ W² (and its gradient) every step cost the MNIST MLP about 12%.
    params = nj.init_mlp(jax.random.PRNGKey(0), [4, 3, 2])
    X, y = jnp.ones((2, 4)), jnp.array([0, 1])

    def gradient_program(l2):
        return str(jax.make_jaxpr(jax.grad(lambda p: nj.mlp_loss(p, X, y, l2=l2)))(params))

    assert "integer_pow" not in gradient_program(0.0)
    assert "integer_pow" not in gradient_program(0)
    assert "integer_pow" in gradient_program(0.1)
    # A traced l2 (an array under jit) keeps the term, whatever its value.
    traced = jax.jit(jax.grad(nj.mlp_loss), static_argnames="activation")
    assert_close(
        np.asarray(traced(params, X, y, "relu", jnp.asarray(0.0))[0]["W"]),
        np.asarray(jax.grad(nj.mlp_loss)(params, X, y)[0]["W"]),
    )


def test_nnlib_jit_sends_cpu_products_to_eigen_and_computes_the_same():
    # nnlib.jax.COMPILER_OPTIONS must be an option this jaxlib knows (else compiling fails)
    # and must change the kernels: no YNNPACK fusion is left in the compiled program.
    if jax.default_backend() != "cpu":
        pytest.skip("the option chooses CPU kernels")
    rng = np.random.default_rng(0)
    a = jnp.asarray(rng.normal(size=(64, 48)), jnp.float32)
    b = jnp.asarray(rng.normal(size=(48, 16)), jnp.float32)

    def layer(a, b):
        return jax.nn.relu(a @ b)

    default = jax.jit(layer).lower(a, b).compile()
    ours = nj.jit(layer).lower(a, b).compile()
    assert "ynn" in default.as_text().lower()  # the default this test is about
    assert "ynn" not in ours.as_text().lower()
    assert_close(np.asarray(ours(a, b)), np.asarray(default(a, b)), rtol=1e-5, atol=1e-5)


def test_shuffled_order_is_a_seeded_uniform_permutation():
    order = np.asarray(nj.shuffled_order(jax.random.PRNGKey(0), 1000))
    assert sorted(order) == list(range(1000))
    assert np.array_equal(order, nj.shuffled_order(jax.random.PRNGKey(0), 1000))
    assert not np.array_equal(order, nj.shuffled_order(jax.random.PRNGKey(1), 1000))
    # All 24 orders of 4 items, equally often: a chi-square test over 24,000 draws.
    keys = jax.random.split(jax.random.PRNGKey(2), 24_000)
    orders = np.asarray(jax.vmap(lambda k: nj.shuffled_order(k, 4))(keys))
    codes = orders @ np.array([64, 16, 4, 1])
    counts = np.unique(codes, return_counts=True)[1]
    assert len(counts) == 24
    chi2 = np.sum((counts - 1000) ** 2 / 1000)
    assert chi2 < 49.7  # the 99.9th percentile of chi-square with 23 degrees of freedom


def test_adam_steps_equal_nnlib_optim():
    rng = np.random.default_rng(3)
    params = [{"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}]
    ours, theirs = optim.adam(0.01), nj.adam(0.01)
    s_np, s_jax = ours.init(params), theirs.init(jax.tree.map(jnp.asarray, params))
    for _ in range(10):
        grads = [{"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}]
        u_np, s_np = ours.update(grads, s_np)
        u_jax, s_jax = theirs.update(jax.tree.map(jnp.asarray, grads), s_jax)
        for a, b in zip(jax.tree.leaves(u_np), jax.tree.leaves(u_jax), strict=True):
            assert_close(a, np.asarray(b), rtol=1e-10, atol=1e-14)


def test_a_compiled_epoch_learns_and_is_reproducible():
    X, y = make_moons(n=256, noise=0.1, seed=0)
    X, y = jnp.asarray(X, jnp.float32), jnp.asarray(y)
    params = nj.init_mlp(jax.random.PRNGKey(0), [2, 16, 2])
    opt = nj.adam(0.01)

    def loss(p, xb, yb, key):
        return nj.mlp_loss(p, xb, yb, "tanh")

    def run(epochs):
        p, s, losses = params, opt.init(params), []
        for e in range(epochs):
            p, s, mean_loss = nj.train_epoch(
                p, s, X, y, jax.random.PRNGKey(e), 1.0, loss_fn=loss, optimizer=opt, batch_size=32
            )
            losses.append(float(mean_loss))
        return p, losses

    p, losses = run(60)
    assert losses[-1] < 0.3 * losses[0]
    assert run(60)[1] == losses
    acc = nj.accuracy(p, X, np.asarray(y), lambda q, xb: nj.mlp_forward(q, xb, "tanh"), 100)
    assert acc > 0.95


def test_dropout_in_training_mode_keeps_the_expected_value():
    params = [
        {"W": jnp.eye(1000), "b": jnp.zeros(1000)},
        {"W": jnp.ones((1000, 1)), "b": jnp.zeros(1)},
    ]
    X = jnp.ones((50, 1000))
    full = nj.mlp_forward(params, X)
    dropped = nj.mlp_forward(params, X, dropout=0.5, key=jax.random.PRNGKey(0))
    assert float(jnp.mean(dropped)) == pytest.approx(float(jnp.mean(full)), rel=0.02)
    assert not np.allclose(np.asarray(dropped), np.asarray(full))


def test_conv_and_pool_do_what_they_say():
    X = jnp.arange(16.0).reshape(1, 4, 4, 1)
    centre = jnp.zeros((3, 3, 1, 1)).at[1, 1, 0, 0].set(1.0)
    assert_close(np.asarray(nj.conv2d(X, centre, jnp.zeros(1))), np.asarray(X))  # identity
    pooled = nj.max_pool(X)
    assert pooled.shape == (1, 2, 2, 1)
    assert np.asarray(pooled).ravel().tolist() == [5.0, 7.0, 13.0, 15.0]


def test_cnn_scores_and_gradients_have_the_right_shapes():
    params = nj.init_cnn(jax.random.PRNGKey(0), channels=(4, 8), hidden=16)
    X = jnp.zeros((3, 784))
    assert nj.cnn_forward(params, X).shape == (3, 10)
    # Compiled: one trace of the whole gradient, not one compilation per operation (7 s).
    grads = jax.jit(jax.grad(nj.cnn_loss))(params, X, jnp.array([1, 2, 3]))
    assert [g["W"].shape for g in grads] == [p["W"].shape for p in params]


def test_stepwise_epoch_equals_the_scanned_epoch():
    X, y = make_moons(n=96, noise=0.1, seed=1)
    X, y = jnp.asarray(X, jnp.float32), jnp.asarray(y)
    params = nj.init_mlp(jax.random.PRNGKey(3), [2, 8, 2])
    opt = nj.adam(0.01)

    def loss(p, xb, yb, key):
        return nj.mlp_loss(p, xb, yb, "relu", dropout=0.2, key=key)

    results = [
        epoch(
            params,
            opt.init(params),
            X,
            y,
            jax.random.PRNGKey(7),
            0.5,
            loss_fn=loss,
            optimizer=opt,
            batch_size=16,
        )
        for epoch in (nj.train_epoch, nj.train_epoch_stepwise)
    ]
    (p_scan, _, loss_scan), (p_loop, _, loss_loop) = results
    assert float(loss_scan) == pytest.approx(float(loss_loop), rel=1e-5)
    for a, b in zip(jax.tree.leaves(p_scan), jax.tree.leaves(p_loop), strict=True):
        assert_close(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)


def test_equal_optimiser_settings_share_one_compiled_epoch():
    assert nj.adam(0.01) is nj.adam(0.01) and nj.sgd(0.1) is nj.sgd(0.1)
    assert nj.adam(0.01) is not nj.adam(0.02)
    X = jnp.ones((8, 3))
    y = jnp.zeros(8, jnp.int32)
    params = nj.init_mlp(jax.random.PRNGKey(0), [3, 2])

    def loss(p, X_batch, y_batch, key):
        return nj.mlp_loss(p, X_batch, y_batch)

    compiled_before = nj.train_epoch.compiled._cache_size()
    for _ in range(2):
        opt = nj.adam(0.01)
        nj.train_epoch(
            params,
            opt.init(params),
            X,
            y,
            jax.random.PRNGKey(0),
            1.0,
            loss_fn=loss,
            optimizer=opt,
            batch_size=4,
        )
    assert nj.train_epoch.compiled._cache_size() == compiled_before + 1


# --- checks: in Python, before compiling, with messages naming the function called ---------


def _small_run():
    params = nj.init_mlp(jax.random.PRNGKey(0), [2, 3, 4])
    opt = nj.sgd(0.1)
    X, y = jnp.ones((6, 2)), jnp.array([0, 1, 2, 3, 0, 1])

    def loss(p, X_batch, y_batch, key):
        return nj.mlp_loss(p, X_batch, y_batch)

    kwargs = dict(loss_fn=loss, optimizer=opt, batch_size=2)
    return params, opt.init(params), X, y, kwargs


@pytest.mark.parametrize("epoch", [nj.train_epoch, nj.train_epoch_stepwise])
def test_labels_out_of_range_are_refused_not_wrapped_or_clamped(epoch):
    params, state, X, _, kwargs = _small_run()
    key = jax.random.PRNGKey(0)
    for bad in (-1, 4, 9):  # -1 would train as class 3, 9 would be clamped to 3
        y = jnp.array([0, 1, 2, bad, 0, 1])
        message = rf"^{epoch.__name__}: y must hold class labels 0\.\.3"
        with pytest.raises(ValueError, match=message):
            epoch(params, state, X, y, key, 1.0, **kwargs)
    with pytest.raises(ValueError, match=r"mlp_loss: y must hold class labels 0\.\.3, found \[-1"):
        nj.mlp_loss(params, X, jnp.array([0, 1, 2, -1, 0, 1]))


def test_a_batch_larger_than_the_data_is_refused_instead_of_taking_no_step():
    params, state, X, y, kwargs = _small_run()
    message = "train_epoch: batch_size must be at most the number of examples, 6, got 7"
    too_large = kwargs | {"batch_size": 7}
    with pytest.raises(ValueError, match=message):
        nj.train_epoch(params, state, X, y, jax.random.PRNGKey(0), 1.0, **too_large)


def test_training_arguments_are_checked_before_compiling():
    params, state, X, y, kwargs = _small_run()
    key = jax.random.PRNGKey(0)
    with pytest.raises(TypeError, match="train_epoch: optimizer must be an optimiser of nnlib.jax"):
        nj.train_epoch(params, state, X, y, key, 1.0, **kwargs | {"optimizer": optim.sgd(0.1)})
    with pytest.raises(ValueError, match="train_epoch: opt_state does not fit params"):
        nj.train_epoch(params, nj.adam(0.1).init(params), X, y, key, 1.0, **kwargs)
    step_kwargs = {k: kwargs[k] for k in ("loss_fn", "optimizer")}
    with pytest.raises(TypeError, match="train_step: key must be a JAX random key"):
        nj.train_step(params, state, X, y, 0, 1.0, **step_kwargs)
    with pytest.raises(ValueError, match="train_epoch: X contains NaN or infinite values"):
        nj.train_epoch(params, state, X.at[0, 0].set(jnp.nan), y, key, 1.0, **kwargs)
    for bad in ({"eps": float("nan")}, {"eps": -1e-8}, {"beta1": 1.0}, {"lr": 0}):
        with pytest.raises(ValueError, match="^adam: "):
            nj.adam(**{"lr": 0.01} | bad)
    assert nj.adam(0.01) is nj.adam(lr=0.01)  # still one cached optimiser per setting


def test_under_jit_only_shapes_are_checked_and_values_pass_through():
    params = nj.init_mlp(jax.random.PRNGKey(0), [2, 3])
    X = jnp.ones((4, 2))
    # Traced labels: their values are unknown when the checks run, so nothing is refused...
    traced = jax.jit(nj.mlp_loss)(params, X, jnp.array([0, 1, 2, 2]))
    assert np.isfinite(float(traced))
    # ...but shapes are known, and a mismatch is an error from the function called.
    with pytest.raises(ValueError, match=r"mlp_loss: y must hold one class label per example"):
        jax.jit(nj.mlp_loss)(params, X, jnp.array([0, 1, 2]))
    message = r"mlp_loss: params\[0\]\[\"W\"\] must have shape \(3, n_out\)"
    with pytest.raises(ValueError, match=message):
        jax.grad(nj.mlp_loss)(params, jnp.ones((4, 3)), jnp.array([0, 1, 2, 2]))


def test_data_on_the_device_is_checked_once_and_the_epoch_has_no_checks():
    params, state, X, y, kwargs = _small_run()
    key = jax.random.PRNGKey(0)
    nj.train_epoch(params, state, X, y, key, 1.0, **kwargs)
    assert ("finite", id(X)) in nj._PASSED and ("labels", 4, id(y)) in nj._PASSED
    program = nj.train_epoch.compiled.lower(params, state, X, y, key, 1.0, **kwargs).as_text()
    assert "is_finite" not in program and "check" not in program


def test_an_infinite_score_is_refused_where_the_scores_are_known():
    with pytest.raises(ValueError, match="softmax_cross_entropy: scores contains NaN or infinite"):
        nj.softmax_cross_entropy(jnp.array([[jnp.inf, 0.0]]), jnp.array([0]))


def test_predict_and_accuracy_check_their_labels_and_batches():
    params = nj.init_mlp(jax.random.PRNGKey(0), [2, 3])
    X = np.ones((5, 2), np.float32)

    def scores(p, rows):
        return nj.mlp_forward(p, rows)

    assert nj.predict_scores(params, X, scores, batch_size=2).shape == (5, 3)
    with pytest.raises(ValueError, match=r"accuracy: y must hold class labels 0\.\.2, found \[3\]"):
        nj.accuracy(params, X, np.array([0, 1, 2, 3, 0]), scores)
    with pytest.raises(ValueError, match="predict_scores: X must hold one example per row"):
        nj.predict_scores(params, np.ones((0, 2)), scores)
