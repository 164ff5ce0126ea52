"""nnlib.optim: plain gradient descent, the tree helpers and the path follower."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from conftest import assert_close

from nnlib import optim
from nnlib.optim import apply_updates, minimize, sgd, tree_map

jax.config.update("jax_enable_x64", True)


def test_tree_map_keeps_the_structure_of_an_mlp():
    params = [{"W": np.ones((2, 3)), "b": np.zeros(3)}, {"W": np.ones((3, 1)), "b": np.ones(1)}]
    doubled = tree_map(lambda a: 2 * a, params)
    assert [sorted(layer) for layer in doubled] == [["W", "b"], ["W", "b"]]
    assert_close(doubled[1]["b"], [2.0])
    summed = tree_map(lambda a, b: a + b, params, doubled)
    assert_close(summed[0]["W"], np.full((2, 3), 3.0))


def test_sgd_steps_against_the_gradient():
    opt = sgd(lr=0.1)
    params = {"w": np.array([1.0, -2.0])}
    state = opt.init(params)
    updates, state = opt.update({"w": np.array([10.0, -10.0])}, state)
    assert_close(apply_updates(params, updates)["w"], [0.0, -1.0])


def test_minimize_converges_on_a_bowl_and_diverges_with_a_large_rate():
    def grad(x):
        return np.array([2 * x[0], 20 * x[1]])  # f = x0^2 + 10 x1^2

    path = minimize(grad, [3.0, 1.0], sgd(0.04), steps=200)
    assert path.shape == (201, 2)
    assert np.linalg.norm(path[-1]) < 1e-6
    too_far = minimize(grad, [3.0, 1.0], sgd(0.11), steps=50)  # 1 - 0.11*20 = -1.2: grows
    assert abs(too_far[-1, 1]) > 100


@pytest.mark.parametrize("lr", [0, -0.1])
def test_non_positive_rates_are_refused(lr):
    with pytest.raises(ValueError, match="sgd: the learning rate lr must be positive"):
        sgd(lr)


# --- every optimiser against optax, update by update -------------------------------------

OPTAX_TWINS = {
    "sgd": (lambda: optim.sgd(0.1), lambda: optax.sgd(0.1)),
    "momentum": (
        lambda: optim.momentum(0.1, beta=0.8),
        lambda: optax.chain(optax.ema(decay=0.8, debias=False), optax.scale(-0.1)),
    ),
    "adagrad": (
        lambda: optim.adagrad(0.1, eps=1e-12),
        lambda: optax.chain(
            optax.scale_by_rss(initial_accumulator_value=0.0, eps=0.0), optax.scale(-0.1)
        ),
    ),
    "rmsprop": (
        lambda: optim.rmsprop(0.01, rho=0.9, eps=1e-8),
        lambda: optax.chain(
            optax.scale_by_rms(decay=0.9, eps=1e-8, eps_in_sqrt=False), optax.scale(-0.01)
        ),
    ),
    "adam": (
        lambda: optim.adam(0.01, beta1=0.9, beta2=0.999, eps=1e-8),
        lambda: optax.adam(0.01, b1=0.9, b2=0.999, eps=1e-8),
    ),
}


@pytest.mark.parametrize("name", sorted(OPTAX_TWINS))
def test_every_update_matches_optax(name):
    make_ours, make_theirs = OPTAX_TWINS[name]
    rng = np.random.default_rng(0)
    params = [
        {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)},
        {"W": rng.normal(size=(2, 1))},
    ]
    ours, theirs = make_ours(), make_theirs()
    our_state = ours.init(params)
    their_params = jax.tree.map(jnp.asarray, params)
    their_state = theirs.init(their_params)
    for _ in range(25):
        # gradients of both signs, none near zero (AdaGrad's eps sits differently in optax)
        grads = tree_map(
            lambda p: rng.choice([-1, 1], p.shape) * rng.uniform(0.1, 2, p.shape), params
        )
        our_updates, our_state = ours.update(grads, our_state)
        their_updates, their_state = theirs.update(
            jax.tree.map(jnp.asarray, grads), their_state, their_params
        )
        for a, b in zip(jax.tree.leaves(our_updates), jax.tree.leaves(their_updates), strict=True):
            assert_close(a, np.asarray(b), rtol=1e-9, atol=1e-12, what=f"{name} update")
        params = apply_updates(params, our_updates)


def test_adam_bias_correction_makes_the_first_step_lr_sized():
    opt = optim.adam(0.01)
    updates, _ = opt.update(np.array([1e-3, -5.0]), opt.init(np.zeros(2)))
    assert_close(updates, [-0.01, 0.01], rtol=1e-4)  # m̂/√v̂ = sign(g) at t = 1


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: optim.momentum(0.1, beta=1.0), r"beta must lie in \[0, 1\)"),
        (lambda: optim.rmsprop(0.1, rho=-0.1), r"rho must lie in \[0, 1\)"),
        (lambda: optim.adam(-1.0), "adam: the learning rate lr must be positive"),
        (lambda: optim.adagrad(float("nan")), "lr must be finite"),
    ],
)
def test_bad_hyper_parameters_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("eps", [float("nan"), -1e-8, 0.0, "1e-8", None])
def test_eps_must_be_a_positive_number(eps):
    with pytest.raises((TypeError, ValueError), match=r"^adam: eps \(added to the denominator\)"):
        optim.adam(0.01, eps=eps)


def test_apply_updates_refuses_mismatched_trees_and_says_when_training_diverged():
    params = [{"W": np.ones((2, 2)), "b": np.zeros(2)}]
    with pytest.raises(ValueError, match=r"updates\[0\]\['W'\] must have the shape of params"):
        apply_updates(params, [{"W": np.ones(3), "b": np.zeros(2)}])
    with pytest.raises(ValueError, match="did training diverge"):
        apply_updates(params, [{"W": np.full((2, 2), np.nan), "b": np.zeros(2)}])


def test_minimize_checks_what_grad_fn_returns_and_still_lets_a_run_diverge():
    with pytest.raises(ValueError, match=r"minimize: grad_fn must return a gradient shaped like"):
        minimize(lambda x: np.ones(3), np.zeros(2), sgd(0.1), 2)
    with np.errstate(over="ignore", invalid="ignore"):
        path = minimize(lambda x: 10 * x**3, np.array([3.0]), sgd(1.0), 10)
    assert not np.isfinite(path[-1]).all()  # diverged, as the chapters show on purpose


@pytest.mark.parametrize("name", ["sgd", "momentum", "adagrad", "rmsprop", "adam"])
def test_init_and_update_name_themselves_and_the_argument(name):
    params = [{"W": np.ones((2, 2)), "b": np.zeros(2)}]
    optimizer = getattr(optim, name)(0.1)
    state = optimizer.init(params)
    for bad in (None, "x", object(), []):
        with pytest.raises((TypeError, ValueError), match=rf"^{name}\.update: grads"):
            optimizer.update(bad, state)
        with pytest.raises((TypeError, ValueError), match=rf"^{name}\.init: params"):
            optimizer.init(bad)
    if name != "sgd":  # sgd keeps no state that knows the parameters' shapes
        wrong = [{"W": np.ones((3, 2)), "b": np.zeros(2)}]
        with pytest.raises(ValueError, match=r"grads\[0\]\['W'\] must have the shape of params"):
            optimizer.update(wrong, state)
        with pytest.raises(ValueError, match="state must be what"):
            optimizer.update(params, {"nothing": 1})
    # NaN gradients pass: apply_updates refuses the step, and says training may have diverged.
    nan = [{"W": np.full((2, 2), np.nan), "b": np.zeros(2)}]
    updates, _ = optimizer.update(nan, state)
    with pytest.raises(ValueError, match="diverge"):
        optim.apply_updates(params, updates)
