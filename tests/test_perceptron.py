"""nnlib.perceptron: the threshold unit, the learning rule and its training loops."""

import numpy as np
import pytest
from conftest import assert_close
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnlib.data import GATES, coffee_menu, logic_gate, make_blobs
from nnlib.perceptron import (
    multiclass_predict,
    perceptron_predict,
    perceptron_update,
    step,
    train_multiclass_perceptron,
    train_perceptron,
)

finite = st.floats(-1e6, 1e6, allow_nan=False)


def test_step_is_one_at_zero_and_above():
    assert step([-2.0, -1e-300, 0.0, 1e-300, 3.0]).tolist() == [0, 0, 1, 1, 1]


@given(arrays(float, st.tuples(st.integers(1, 20), st.integers(1, 5)), elements=finite), st.data())
def test_predict_matches_the_formula_row_by_row(X, data):
    w = data.draw(arrays(float, X.shape[1], elements=finite))
    b = data.draw(finite)
    out = perceptron_predict(X, w, b)
    assert out.shape == (X.shape[0],)
    assert out.tolist() == [int(x @ w + b >= 0) for x in X]


def test_predict_names_the_argument_with_the_wrong_shape():
    with pytest.raises(ValueError, match=r"perceptron_predict: X must have 2 columns.*\(4, 3\)"):
        perceptron_predict(np.zeros((4, 3)), [1.0, 1.0], 0.0)
    with pytest.raises(ValueError, match=r"perceptron_predict: X must be a 2-D array"):
        perceptron_predict(np.zeros(2), [1.0, 1.0], 0.0)
    with pytest.raises(TypeError, match=r"perceptron_predict: b must be a single number"):
        perceptron_predict(np.zeros((4, 2)), [1.0, 1.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="NaN or infinite"):
        perceptron_predict(np.full((1, 2), np.nan), [1.0, 1.0], 0.0)


def test_update_moves_towards_a_missed_positive_and_away_from_a_false_positive():
    w, b = perceptron_update(np.array([0.0, 0.0]), -1.0, np.array([1.0, 2.0]), 1, lr=0.5)
    assert_close(w, [0.5, 1.0], what="w after a missed positive")
    assert b == -0.5
    w, b = perceptron_update(np.array([0.0, 0.0]), 0.0, np.array([1.0, 2.0]), 0, lr=0.5)
    assert_close(w, [-0.5, -1.0], what="w after a false positive")
    assert b == -0.5


def test_update_leaves_a_correct_unit_and_its_inputs_alone():
    w = np.array([1.0, 1.0])
    new_w, new_b = perceptron_update(w, -1.5, np.array([1.0, 1.0]), 1)
    assert_close(new_w, w)
    assert new_b == -1.5
    assert new_w is not w


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(y=2), "y must be the label 0 or 1"),
        (dict(lr=0.0), "learning rate lr must be positive"),
        (dict(lr=-1.0), "learning rate lr must be positive"),
        (dict(x=np.ones(3)), r"x must have 2 entries"),
    ],
)
def test_update_rejects_bad_arguments(kwargs, message):
    args = dict(w=np.zeros(2), b=0.0, x=np.ones(2), y=1, lr=1.0) | kwargs
    with pytest.raises(ValueError, match=message):
        perceptron_update(**args)


@pytest.mark.parametrize("gate", ["AND", "OR", "NAND", "NOR"])
def test_training_converges_on_every_linearly_separable_gate(gate):
    X, y = logic_gate(gate)
    run = train_perceptron(X, y)
    assert run.converged
    assert run.mistakes[-1] == 0 and all(m > 0 for m in run.mistakes[:-1])
    assert run.epochs == len(run.mistakes) == len(run.history)
    assert perceptron_predict(X, run.w, run.b).tolist() == GATES[gate].tolist()


def test_and_from_zero_takes_six_epochs_and_eleven_updates():
    # Worked by hand in the chapter's order (0,0), (0,1), (1,0), (1,1) with lr = 1.
    run = train_perceptron(*logic_gate("AND"))
    assert run.epochs == 6
    assert run.mistakes == [2, 3, 3, 2, 1, 0]
    assert_close(run.w, [2.0, 1.0])
    assert run.b == -3.0


def test_xor_never_converges_and_stops_at_the_epoch_bound():
    run = train_perceptron(*logic_gate("XOR"), max_epochs=37)
    assert not run.converged
    assert run.epochs == 37
    assert min(run.mistakes) > 0


def test_seeded_shuffling_is_reproducible_and_still_converges():
    X, y = make_blobs(n=60, noise=0.3, seed=3)
    first = train_perceptron(X, y, seed=7)
    again = train_perceptron(X, y, seed=7)
    assert first.converged
    assert first.mistakes == again.mistakes
    assert_close(first.w, again.w)


def test_training_rejects_labels_outside_zero_and_one():
    X, _ = logic_gate("AND")
    with pytest.raises(
        ValueError, match=r"train_perceptron: y must contain only the labels 0 and 1"
    ):
        train_perceptron(X, np.array([0, 1, 2, 1]))
    with pytest.raises(ValueError, match="one label per example"):
        train_perceptron(X, np.array([0, 1]))
    with pytest.raises(ValueError, match="max_epochs must be a positive integer"):
        train_perceptron(X, np.array([0, 0, 0, 1]), max_epochs=0)


def test_multiclass_perceptron_learns_the_coffee_menu():
    menu = coffee_menu()
    run = train_multiclass_perceptron(menu.X, menu.y, n_classes=4)
    assert run.converged
    assert multiclass_predict(menu.X, run.W, run.b).tolist() == [0, 1, 2, 3]
    assert multiclass_predict(np.array([[1, 1, 0, 1], [1, 0, 1, 0]]), run.W, run.b).tolist() == [
        0,
        3,
    ]


def test_multiclass_rejects_class_indices_out_of_range():
    menu = coffee_menu()
    with pytest.raises(ValueError, match=r"class indices 0\.\.2"):
        train_multiclass_perceptron(menu.X, menu.y, n_classes=3)
