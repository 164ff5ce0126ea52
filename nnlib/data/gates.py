"""Logic gates and the coffee menu: datasets small enough to check by hand.

Introduced in: The perceptron (chapters/02_perceptron).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnlib._validate import describe

GATE_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)

GATES = {
    "AND": np.array([0, 0, 0, 1]),
    "OR": np.array([0, 1, 1, 1]),
    "NAND": np.array([1, 1, 1, 0]),
    "NOR": np.array([1, 0, 0, 0]),
    "XOR": np.array([0, 1, 1, 0]),
}
"""Truth tables of the two-input gates, in the row order of `GATE_INPUTS`."""


def logic_gate(name):
    """The truth table of a two-input gate as data: `X` (4, 2) and labels `y` (4,).

    Rows of X are (0,0), (0,1), (1,0), (1,1). `name` is one of AND, OR, NAND, NOR, XOR.
    """
    return _logic_gate("logic_gate", name)


def _logic_gate(func, name, argument="name"):
    if not isinstance(name, str):
        raise TypeError(
            f"{func}: {argument} must be the name of a gate, one of {sorted(GATES)}, got "
            f"{describe(name)}"
        )
    key = name.upper()
    if key not in GATES:
        raise ValueError(
            f"{func}: unknown gate {name!r}; {argument} must be one of {sorted(GATES)}"
        )
    return GATE_INPUTS.copy(), GATES[key].copy()


@dataclass(frozen=True)
class CoffeeMenu:
    """The coffee-menu dataset: which ingredients make which drink."""

    X: np.ndarray
    y: np.ndarray
    features: tuple[str, ...]
    classes: tuple[str, ...]


def coffee_menu():
    """Four drinks from four ingredients.

    Each row of X says which of [espresso, water, milk, ice] goes into the cup (1 = yes);
    y is the drink: 0 ice americano, 1 americano, 2 ice latte, 3 latte. So
    [1, 1, 0, 1] is an ice americano (class 0) and [1, 0, 1, 0] a latte (class 3).
    """
    X = np.array(
        [
            [1, 1, 0, 1],  # ice americano
            [1, 1, 0, 0],  # americano
            [1, 0, 1, 1],  # ice latte
            [1, 0, 1, 0],  # latte
        ],
        dtype=float,
    )
    return CoffeeMenu(
        X=X,
        y=np.array([0, 1, 2, 3]),
        features=("espresso", "water", "milk", "ice"),
        classes=("ice americano", "americano", "ice latte", "latte"),
    )
