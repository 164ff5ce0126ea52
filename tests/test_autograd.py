"""nnlib.autograd: the scalar engine against hand-derived gradients, finite differences
and the library's matrix backward pass."""

import math

import numpy as np
import pytest
from conftest import assert_close
from hypothesis import given
from hypothesis import strategies as st

from nnlib.autograd import Value, as_values, grads, topological_order
from nnlib.layers import dense_backward, dense_forward
from nnlib.losses import softmax_cross_entropy_grad
from nnlib.model import init_mlp, mlp_backward, mlp_forward


def test_the_first_graph_of_the_chapter():
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    q = x + y
    f = q * z
    f.backward()
    assert (f.data, q.data) == (-12.0, 3.0)
    assert (x.grad, y.grad, z.grad, q.grad) == (-4.0, -4.0, 3.0, -4.0)
    order = topological_order(f)
    assert order[-1] is f and order.index(q) > max(order.index(x), order.index(y))


def test_a_value_used_twice_collects_both_gradients():
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0
    y = Value(2.0)
    (y * y * y + y).backward()
    assert y.grad == 3 * 4 + 1


def test_max_routes_the_gradient_to_the_winner():
    a, b = Value(1.0), Value(2.0)
    out = a.maximum(b) * 5
    out.backward()
    assert (a.grad, b.grad) == (0.0, 5.0)
    z = Value(-1.0)
    z.relu().backward()
    assert z.grad == 0.0


def test_backward_twice_gives_the_same_gradients():
    x = Value(0.5)
    f = (x * 2).tanh() + x.exp()
    f.backward()
    first = x.grad
    f.backward()
    assert x.grad == first


def test_a_long_chain_needs_no_recursion():
    x = Value(1.0)
    y = x
    for _ in range(20_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


# Each step, written once for Values and once for plain floats.
STEPS = {
    "tanh": (Value.tanh, math.tanh),
    "sigmoid": (Value.sigmoid, lambda v: 1 / (1 + math.exp(-v))),
    "exp of tanh": (lambda v: v.tanh().exp(), lambda v: math.exp(math.tanh(v))),
    "square": (lambda v: v**2 / 4, lambda v: v**2 / 4),
    "shifted relu": (lambda v: (v + 0.3).relu(), lambda v: max(v + 0.3, 0.0)),
    "negate": (lambda v: -v, lambda v: -v),
    "divide": (lambda v: 1 / (1 + v * v), lambda v: 1 / (1 + v * v)),
}


def expression(steps, x, y, plain):
    out = x * y + y
    for step in steps:
        out = STEPS[step][plain](out)
    return out + (math.log(y) if plain else y.log())


@given(
    st.lists(st.sampled_from(sorted(STEPS)), min_size=1, max_size=6),
    st.floats(-1.5, 1.5),
    st.floats(0.2, 2.0),
)
def test_random_expressions_agree_with_finite_differences(steps, a, b):
    x, y = Value(a), Value(b)
    f = expression(steps, x, y, plain=False)
    f.backward()
    h = 1e-6
    dx = (expression(steps, a + h, b, True) - expression(steps, a - h, b, True)) / (2 * h)
    dy = (expression(steps, a, b + h, True) - expression(steps, a, b - h, True)) / (2 * h)
    assert f.data == pytest.approx(expression(steps, a, b, True), rel=1e-12, abs=1e-12)
    if "shifted relu" in steps:
        return  # finite differences across the kink are not a derivative
    assert x.grad == pytest.approx(dx, rel=1e-5, abs=1e-6)
    assert y.grad == pytest.approx(dy, rel=1e-5, abs=1e-6)


def test_a_dense_layer_scalar_by_scalar_is_dense_backward():
    rng = np.random.default_rng(0)
    X, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    dZ = rng.normal(size=(4, 2))
    Xv, Wv, bv = as_values(X), as_values(W), as_values(b)
    Z = Xv @ Wv + bv
    J = (Z * dZ).sum()
    J.backward()
    dX, dW, db = dense_backward(dZ, dense_forward(X, W, b)[1])
    assert_close(grads(Xv), dX, rtol=1e-12)
    assert_close(grads(Wv), dW, rtol=1e-12)
    assert_close(grads(bv), db, rtol=1e-12)


def test_a_whole_mlp_agrees_with_mlp_backward():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(5, 2)), np.array([0, 1, 2, 1, 0])
    params = init_mlp([2, 4, 3, 3], seed=1)
    out, caches = mlp_forward(params, X, activation="tanh")
    expected = mlp_backward(softmax_cross_entropy_grad(out, y), caches)

    leaves = [{k: as_values(v) for k, v in layer.items()} for layer in params]
    A = as_values(X)
    for i, layer in enumerate(leaves):
        A = A @ layer["W"] + layer["b"]
        if i < len(leaves) - 1:
            A = np.vectorize(Value.tanh, otypes=[object])(A)
    losses = []
    for row, label in zip(A, y, strict=True):
        log_total = sum(s.exp() for s in row).log()
        losses.append(log_total - row[label])
    J = sum(losses) / len(losses)
    J.backward()
    for ours, theirs in zip(leaves, expected, strict=True):
        for name in ("W", "b"):
            assert_close(grads(ours[name]), theirs[name], rtol=1e-10, atol=1e-14)


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="Value: data must be a real number"):
        Value("3")
    with pytest.raises(TypeError, match="expected a Value or a number"):
        Value(1.0) + "2"
    with pytest.raises(ValueError, match="positive"):
        Value(-1.0).log()
    with pytest.raises(ValueError, match="no real power"):
        Value(-2.0) ** 0.5
    with pytest.raises(TypeError, match="must be a Value"):
        topological_order(3.0)
    with pytest.raises(TypeError, match="grads: values must hold only Values"):
        grads([Value(1.0), 2.0])
    with pytest.raises(TypeError, match="as_values: array"):
        as_values(None)
