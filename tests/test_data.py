"""nnlib.data: gates, the coffee menu and the seeded toy datasets."""

import numpy as np
import pytest

from nnlib.data import GATES, TOY_DATASETS, coffee_menu, logic_gate


def test_gate_truth_tables():
    X, y = logic_gate("xor")
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.tolist() == [0, 1, 1, 0]
    assert GATES["AND"].tolist() == [0, 0, 0, 1]
    assert GATES["OR"].tolist() == [0, 1, 1, 1]


def test_gate_copies_cannot_corrupt_the_tables():
    _, y = logic_gate("AND")
    y[:] = 7
    assert logic_gate("AND")[1].tolist() == [0, 0, 0, 1]


def test_unknown_gate_names_the_choices():
    with pytest.raises(ValueError, match=r"unknown gate 'XNOR'.*'AND'"):
        logic_gate("XNOR")


def test_coffee_menu_matches_the_recipes():
    menu = coffee_menu()
    assert menu.features == ("espresso", "water", "milk", "ice")
    recipes = {tuple(x.astype(int)): menu.classes[k] for x, k in zip(menu.X, menu.y, strict=True)}
    assert recipes[(1, 1, 0, 1)] == "ice americano"
    assert recipes[(1, 0, 1, 0)] == "latte"
    assert menu.y.tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize("name", sorted(TOY_DATASETS))
def test_toy_datasets_are_seeded_balanced_and_shaped(name):
    make = TOY_DATASETS[name]
    X, y = make(n=101, seed=5)
    X2, y2 = make(n=101, seed=5)
    X3, _ = make(n=101, seed=6)
    assert X.shape == (101, 2) and y.shape == (101,)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert not np.array_equal(X, X3)
    assert set(np.unique(y)) == {0, 1}
    assert abs(int(y.sum()) - 50) <= 15
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("name", sorted(TOY_DATASETS))
def test_toy_datasets_reject_bad_arguments(name):
    make = TOY_DATASETS[name]
    with pytest.raises(ValueError, match=f"{make.__name__}: n must be a positive integer"):
        make(n=0)
    with pytest.raises(ValueError, match="noise must be zero or positive"):
        make(noise=-0.1)
    with pytest.raises(TypeError, match="seed must be an integer"):
        make(seed=None)
