"""Datasets used across the book: tiny hand-made ones and seeded 2-D toy sets.

`nnlib.data.mnist` (the real MNIST) joins these in the MNIST chapter.
"""

from nnlib.data.gates import GATES, CoffeeMenu, coffee_menu, logic_gate
from nnlib.data.toy import (
    TOY_DATASETS,
    make_blobs,
    make_circles,
    make_moons,
    make_spirals,
    make_xor,
)

__all__ = [
    "GATES",
    "CoffeeMenu",
    "coffee_menu",
    "logic_gate",
    "TOY_DATASETS",
    "make_blobs",
    "make_circles",
    "make_moons",
    "make_spirals",
    "make_xor",
]
