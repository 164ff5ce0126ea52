"""nnlib.optim.clip_by_global_norm and global_norm: against optax on hypothesis-made
gradients (one array, lists and dicts of arrays, an MLP's list of {"W", "b"} dicts), and
the properties the chapter states: below the threshold nothing changes, above it the norm
becomes the threshold, the direction is kept, and the input is never changed."""

import copy

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from conftest import assert_close
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from strategies import JAX_EXAMPLES, batches, moderate

from nnlib.optim import apply_updates, clip_by_global_norm, global_norm, sgd

jax.config.update("jax_enable_x64", True)

# Gradients from vanishing to exploding: the entries of one tree share one scale.
SCALES = st.sampled_from([1e-3, 1.0, 1e3])
MAX_NORMS = st.floats(1e-3, 1e3, allow_nan=False, allow_infinity=False)


@st.composite
def mlp_gradients(draw, max_layers=3):
    """Gradients shaped like an MLP's parameters: [{"W": (n_in, n_out), "b": (n_out,)}]."""
    widths = draw(st.lists(st.integers(1, 5), min_size=2, max_size=max_layers + 1))
    scale = draw(SCALES)
    return [
        {
            "W": scale * draw(arrays(np.float64, (n_in, n_out), elements=moderate)),
            "b": scale * draw(arrays(np.float64, n_out, elements=moderate)),
        }
        for n_in, n_out in zip(widths[:-1], widths[1:], strict=True)
    ]


@st.composite
def scaled(draw, trees):
    scale = draw(SCALES)
    return jax.tree.map(lambda leaf: scale * leaf, draw(trees))


gradient_trees = st.one_of(
    mlp_gradients(),
    scaled(batches()),
    scaled(st.lists(batches(), min_size=1, max_size=4)),
    scaled(st.dictionaries(st.sampled_from(["w", "v", "u"]), batches(), min_size=1)),
)


def optax_clip(grads, max_norm):
    theirs = jax.tree.map(jnp.asarray, grads)
    updates, _ = optax.clip_by_global_norm(max_norm).update(theirs, optax.EmptyState())
    return updates


def flat(tree):
    """Every entry of `tree`, in jax's leaf order, as one vector."""
    return np.concatenate([np.ravel(np.asarray(leaf)) for leaf in jax.tree.leaves(tree)])


@settings(max_examples=JAX_EXAMPLES)
@given(gradient_trees, MAX_NORMS)
def test_clipping_matches_optax(grads, max_norm):
    ours = clip_by_global_norm(grads, max_norm)
    theirs = optax_clip(grads, max_norm)
    assert jax.tree.structure(ours) == jax.tree.structure(theirs)
    for a, b in zip(jax.tree.leaves(ours), jax.tree.leaves(theirs), strict=True):
        assert_close(a, np.asarray(b), rtol=1e-12, atol=1e-300, what="clipped gradient")


@given(gradient_trees)
def test_the_global_norm_is_the_norm_of_all_entries_together(grads):
    # (Both references square the entries as they are: below 1e-150 their norm is 0.)
    reference = np.linalg.norm(flat(grads))
    assert_close(global_norm(grads), reference, rtol=1e-12, atol=1e-150, what="‖g‖")
    their_norm = float(optax.tree.norm(grads))
    assert_close(global_norm(grads), their_norm, rtol=1e-12, atol=1e-150, what="‖g‖")


@given(gradient_trees, MAX_NORMS)
def test_below_the_threshold_nothing_changes(grads, max_norm):
    norm = global_norm(grads)
    limit = max(max_norm, 2 * norm)  # at least twice the norm: well below the threshold
    clipped = clip_by_global_norm(grads, limit)
    for before, after in zip(jax.tree.leaves(grads), jax.tree.leaves(clipped), strict=True):
        assert np.array_equal(before, after)


@given(gradient_trees, MAX_NORMS)
def test_above_the_threshold_the_norm_becomes_the_threshold_in_the_same_direction(grads, max_norm):
    norm = global_norm(grads)
    assume(norm > 1e-150)  # an all-zero gradient has no direction to keep
    limit = min(max_norm, norm / 2)  # at most half the norm: well above the threshold
    clipped = clip_by_global_norm(grads, limit)
    assert_close(global_norm(clipped), limit, rtol=1e-12, what="norm after clipping")
    # one factor for every entry of every array: the direction is kept
    assert_close(flat(clipped), (limit / norm) * flat(grads), rtol=1e-12, atol=1e-300)


@given(gradient_trees, MAX_NORMS)
def test_the_input_is_left_unchanged_and_new_arrays_come_back(grads, max_norm):
    before = copy.deepcopy(grads)
    clipped = clip_by_global_norm(grads, max_norm)
    for old, kept, new in zip(
        jax.tree.leaves(before), jax.tree.leaves(grads), jax.tree.leaves(clipped), strict=True
    ):
        assert np.array_equal(old, kept)
        assert not np.shares_memory(kept, new)


def test_an_exploding_but_finite_gradient_is_clipped_to_length_c():
    # Squared, these entries overflow float64; the norm must still be finite.
    grads = [{"W": np.full((3, 2), 1e200), "b": np.array([-1e200, 0.0])}]
    assert np.isfinite(global_norm(grads))
    assert_close(global_norm(grads), 1e200 * np.sqrt(7), rtol=1e-12)
    clipped = clip_by_global_norm(grads, 1.0)
    assert_close(global_norm(clipped), 1.0, rtol=1e-12)
    assert_close(clipped[0]["b"], [-1 / np.sqrt(7), 0.0], rtol=1e-12)


def test_a_zero_gradient_passes_unchanged():
    grads = {"W": np.zeros((2, 3)), "b": np.zeros(3)}
    assert global_norm(grads) == 0
    clipped = clip_by_global_norm(grads, 1.0)
    assert not np.any(clipped["W"]) and not np.any(clipped["b"])
    assert np.all(np.isfinite(clipped["W"]))


def test_float32_gradients_stay_float32():
    grads = [np.ones((2, 2), dtype=np.float32), 10 * np.ones(3, dtype=np.float32)]
    clipped = clip_by_global_norm(grads, 1.0)
    assert [g.dtype for g in clipped] == [np.float32, np.float32]
    assert_close(global_norm(clipped), 1.0, rtol=1e-6)


def test_clipping_caps_the_length_of_an_sgd_step():
    params = [{"W": np.ones((2, 2)), "b": np.zeros(2)}]
    grads = [{"W": np.full((2, 2), 300.0), "b": np.array([400.0, -50.0])}]
    opt = sgd(0.1)
    updates, _ = opt.update(clip_by_global_norm(grads, 2.0), opt.init(params))
    moved = apply_updates(params, updates)
    step = np.sqrt(
        sum(np.sum((m[k] - p[k]) ** 2) for m, p in zip(moved, params, strict=True) for k in p)
    )
    assert_close(step, 0.1 * 2.0, rtol=1e-12, what="step length")


@pytest.mark.parametrize(
    "max_norm, error, message",
    [
        (0, ValueError, "clip_by_global_norm: max_norm must be positive, got 0"),
        (-1.5, ValueError, "clip_by_global_norm: max_norm must be positive, got -1.5"),
        (float("inf"), ValueError, "clip_by_global_norm: max_norm must be finite"),
        (float("nan"), ValueError, "clip_by_global_norm: max_norm must be finite"),
        (None, TypeError, "clip_by_global_norm: max_norm must be a single number"),
        ("1", TypeError, "clip_by_global_norm: max_norm must be a single number"),
        (np.ones(2), TypeError, "clip_by_global_norm: max_norm must be a single number"),
    ],
)
def test_a_bad_max_norm_is_refused_clearly(max_norm, error, message):
    with pytest.raises(error, match=message):
        clip_by_global_norm([np.ones(3)], max_norm)


@pytest.mark.parametrize(
    "grads, error, message",
    [
        ([], ValueError, "clip_by_global_norm: grads is empty"),
        ({}, ValueError, "clip_by_global_norm: grads is empty"),
        ([np.ones(2), None], TypeError, r"clip_by_global_norm: grads\[1\] must be an array"),
        ([{"W": "text"}], TypeError, r"clip_by_global_norm: grads\[0\]\['W'\] must be an array"),
    ],
)
def test_bad_gradients_are_refused_clearly(grads, error, message):
    with pytest.raises(error, match=message):
        clip_by_global_norm(grads, 1.0)


def test_global_norm_refuses_what_is_not_a_gradient():
    with pytest.raises(ValueError, match="global_norm: grads is empty"):
        global_norm([])
    with pytest.raises(TypeError, match=r"global_norm: grads\['b'\] must be an array"):
        global_norm({"W": np.ones(2), "b": None})
