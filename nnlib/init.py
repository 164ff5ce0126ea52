"""Weight initialisers: how to draw a layer's first weights.

Derived in: Initialisation and optimisers (chapters/08_init_optim).

Every initialiser is `name(n_in, n_out, rng)` and returns an (n_in, n_out) float64 array;
`rng` is a `numpy.random.Generator` (or an integer seed), so the same call gives the same
numbers on every machine. Biases are usually started at zero.
"""

from __future__ import annotations

import numpy as np

from nnlib._validate import non_negative, positive_int, rng_or_seed


def _setup(func, n_in, n_out, rng):
    n_in = positive_int(func, "n_in", n_in)
    n_out = positive_int(func, "n_out", n_out)
    return n_in, n_out, rng_or_seed(func, "rng", rng)


def zeros(n_in, n_out, rng=0):
    """All weights 0. Every unit of a layer then computes the same thing and receives the
    same gradient, so the units stay identical for ever: do not use it for weights."""
    n_in, n_out, _ = _setup("zeros", n_in, n_out, rng)
    return np.zeros((n_in, n_out))


def normal(n_in, n_out, rng=0, std=0.01):
    """Weights from N(0, std²) with a fixed std, whatever the layer's size."""
    n_in, n_out, rng = _setup("normal", n_in, n_out, rng)
    return _normal(n_in, n_out, rng, non_negative("normal", "std", std))


def _normal(n_in, n_out, rng, std):
    return std * rng.standard_normal((n_in, n_out))


def lecun_normal(n_in, n_out, rng=0):
    """N(0, σ²) with σ² = 1 / n_in: keeps the variance of a weighted sum equal to the
    variance of one input."""
    n_in, n_out, rng = _setup("lecun_normal", n_in, n_out, rng)
    return np.sqrt(1 / n_in) * rng.standard_normal((n_in, n_out))


def xavier_normal(n_in, n_out, rng=0):
    """Glorot & Bengio (AISTATS 2010): N(0, σ²) with variance σ² = 2 / (n_in + n_out), so
    the standard deviation is sqrt(2 / (n_in + n_out)). Suits tanh, not the sigmoid: with a
    slope of at most 1/4 and a mean of 1/2, a deep sigmoid stack's gradients still vanish
    (chapter 8)."""
    n_in, n_out, rng = _setup("xavier_normal", n_in, n_out, rng)
    return np.sqrt(2 / (n_in + n_out)) * rng.standard_normal((n_in, n_out))


def xavier_uniform(n_in, n_out, rng=0):
    """U(−a, a) with a = sqrt(6 / (n_in + n_out)): the same variance, 2 / (n_in + n_out)."""
    n_in, n_out, rng = _setup("xavier_uniform", n_in, n_out, rng)
    limit = np.sqrt(6 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def he_normal(n_in, n_out, rng=0):
    """He et al. (ICCV 2015): N(0, σ²) with σ² = 2 / n_in. ReLU zeroes half of its inputs
    on average; the factor 2 makes up for it. Suits ReLU and its relatives."""
    n_in, n_out, rng = _setup("he_normal", n_in, n_out, rng)
    return np.sqrt(2 / n_in) * rng.standard_normal((n_in, n_out))


def he_uniform(n_in, n_out, rng=0):
    """U(−a, a) with a = sqrt(6 / n_in): the same variance as he_normal, 2 / n_in."""
    n_in, n_out, rng = _setup("he_uniform", n_in, n_out, rng)
    limit = np.sqrt(6 / n_in)
    return rng.uniform(-limit, limit, size=(n_in, n_out))


INITIALIZERS = {
    "zeros": zeros,
    "normal": normal,
    "lecun_normal": lecun_normal,
    "xavier_normal": xavier_normal,
    "xavier_uniform": xavier_uniform,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
}
"""The initialisers by name, for `nnlib.model.init_mlp(sizes, init=...)`."""
