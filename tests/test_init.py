"""nnlib.init: shapes, seeding, and the variances each initialiser promises."""

import numpy as np
import pytest

from nnlib import init
from nnlib.model import init_mlp

N_IN, N_OUT = 400, 300  # large enough that sample variances sit within a few percent

EXPECTED_VARIANCE = {
    "lecun_normal": 1 / N_IN,
    "xavier_normal": 2 / (N_IN + N_OUT),
    "xavier_uniform": 2 / (N_IN + N_OUT),
    "he_normal": 2 / N_IN,
    "he_uniform": 2 / N_IN,
}


@pytest.mark.parametrize("name", sorted(EXPECTED_VARIANCE))
def test_variance_matches_the_formula(name):
    W = init.INITIALIZERS[name](N_IN, N_OUT, rng=0)
    assert W.shape == (N_IN, N_OUT)
    assert W.var() == pytest.approx(EXPECTED_VARIANCE[name], rel=0.03)
    assert abs(W.mean()) < 0.05 * W.std()


def test_uniform_initialisers_stay_inside_their_limits():
    assert np.abs(init.xavier_uniform(N_IN, N_OUT, 1)).max() <= np.sqrt(6 / (N_IN + N_OUT))
    assert np.abs(init.he_uniform(N_IN, N_OUT, 1)).max() <= np.sqrt(6 / N_IN)


def test_zeros_and_fixed_std():
    assert not init.zeros(3, 2).any()
    assert init.normal(N_IN, N_OUT, rng=0, std=1.0).std() == pytest.approx(1.0, rel=0.02)


@pytest.mark.parametrize("name", sorted(init.INITIALIZERS))
def test_seeded(name):
    make = init.INITIALIZERS[name]
    assert np.array_equal(make(5, 4, 7), make(5, 4, 7))
    assert np.array_equal(make(5, 4, np.random.default_rng(7)), make(5, 4, 7))


def test_bad_arguments():
    with pytest.raises(ValueError, match="he_normal: n_in must be a positive integer"):
        init.he_normal(0, 3)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator or an integer"):
        init.he_normal(3, 3, rng="seed")
    with pytest.raises(ValueError, match="std must be zero or positive"):
        init.normal(3, 3, std=-1.0)
    with pytest.raises(ValueError, match="unknown init 'glorot'"):
        init_mlp([2, 3], init="glorot")


def test_init_mlp_uses_the_named_initialiser():
    params = init_mlp([N_IN, N_OUT, 10], seed=0, init="he_normal")
    assert params[0]["W"].var() == pytest.approx(2 / N_IN, rel=0.03)
    assert not params[0]["b"].any()
