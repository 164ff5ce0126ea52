"""nnlib.gradcheck: finite differences agree with known derivatives, and the MLP check
finds both agreement and a planted bug."""

import numpy as np
import pytest
from conftest import assert_close

from nnlib import gradcheck
from nnlib.data import make_moons
from nnlib.model import init_mlp


def test_numerical_gradient_of_known_functions():
    x = np.array([[0.3, -1.2], [2.0, 0.5]])
    assert_close(gradcheck.numerical_gradient(lambda v: np.sum(v**2), x), 2 * x, rtol=1e-8)
    assert_close(gradcheck.numerical_gradient(lambda v: np.sum(np.sin(v)), x), np.cos(x), rtol=1e-8)
    assert x.dtype == np.float64 and x[0, 0] == 0.3  # the input is not modified


def test_relative_error():
    assert gradcheck.relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert gradcheck.relative_error([0.0], [0.0]) == 0.0
    assert gradcheck.relative_error([1.0, 0.0], [-1.0, 0.0]) == pytest.approx(1.0)
    assert gradcheck.relative_error([1.0, 1e-12], [1.0, 0.0]) < 1e-11
    with pytest.raises(ValueError, match="shapes differ"):
        gradcheck.relative_error(np.zeros(2), np.zeros(3))


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_mlp_backward_passes_the_check(activation):
    X, y = make_moons(n=12, seed=0)
    params = init_mlp([2, 5, 4, 2], seed=1)
    errors = gradcheck.check_mlp_gradients(params, X, y, activation=activation)
    assert set(errors) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    assert max(errors.values()) < 1e-6, errors


def test_the_check_catches_a_wrong_backward(monkeypatch):
    import nnlib.layers

    def doubled_weight_gradients(dZ, cache):
        dX, dW, db = original(dZ, cache)
        return dX, 2 * dW, db  # a planted bug: weight gradients twice too large

    original = nnlib.layers._dense_backward  # the unchecked core that mlp_backward calls
    monkeypatch.setattr("nnlib.model._dense_backward", doubled_weight_gradients)
    X, y = make_moons(n=8, seed=0)
    errors = gradcheck.check_mlp_gradients(init_mlp([2, 3, 2], seed=0), X, y, activation="tanh")
    assert errors["W1"] > 0.1 and errors["b2"] < 1e-6
