"""Automatic differentiation from scratch: a scalar that remembers how it was computed.

Derived in: Backpropagation (chapters/07_backprop).

Every arithmetic operation on `Value`s records its inputs and a small `backward` function
that applies the node's local rule: a + node copies the gradient from above to both
inputs, a × node hands each input the gradient times the *other* input, a max node routes
it to the larger input. `Value.backward()` visits the graph in reverse topological order
(every node after everything computed from it), so each node has received the sum of the
gradients along all its outgoing arrows before it passes its own on.

    x, y = Value(2.0), Value(-3.0)
    f = (x * y + x).tanh()
    f.backward()
    x.grad, y.grad          # ∂f/∂x, ∂f/∂y

NumPy object arrays of Values work with `@`, `+` and `*`, so the same engine runs a whole
layer, scalar by scalar (`as_values`, `grads`).
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

from nnlib._validate import as_array

__all__ = ["Value", "as_values", "grads", "topological_order"]


class Value:
    """A scalar `data` with a `grad` slot, the Values it was computed from, and the rule
    that sends its gradient back to them."""

    __slots__ = ("data", "grad", "parents", "op", "_backward")
    __array_priority__ = 1000  # Value * ndarray: let NumPy call Value's operators

    def __init__(self, data, parents=(), op=""):
        if isinstance(data, Value):
            raise TypeError("Value: data is already a Value; use it directly")
        if isinstance(data, bool) or not isinstance(data, Real):
            raise TypeError(f"Value: data must be a real number, got {data!r}")
        self.data = float(data)
        self.grad = 0.0
        self.parents = tuple(parents)
        self.op = op
        self._backward = _nothing

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    # --- the node rules --------------------------------------------------------------

    def __add__(self, other):
        other = _as_value(other, "+")
        out = Value(self.data + other.data, (self, other), "+")

        def backward():  # + copies the gradient from above to both inputs
            self.grad += out.grad
            other.grad += out.grad

        out._backward = backward
        return out

    def __mul__(self, other):
        other = _as_value(other, "*")
        out = Value(self.data * other.data, (self, other), "×")

        def backward():  # × hands each input the other input times the gradient
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = backward
        return out

    def maximum(self, other):
        """max(self, other): the gradient goes to the larger input (to self on a tie)."""
        other = _as_value(other, "maximum")
        winner = self if self.data >= other.data else other
        out = Value(winner.data, (self, other), "max")

        def backward():  # max routes the gradient to the input that won
            winner.grad += out.grad

        out._backward = backward
        return out

    def relu(self):
        """max(0, self)."""
        return self.maximum(0.0)

    def __pow__(self, k):
        if isinstance(k, bool) or not isinstance(k, Real):
            raise TypeError(f"Value ** k: k must be a plain number, got {k!r}")
        try:
            result = self.data**k
        except ZeroDivisionError:
            raise ValueError(f"Value ** {k:g}: 0 has no negative power") from None
        if isinstance(result, complex):
            raise ValueError(
                f"Value ** {k:g}: a negative number ({self.data:g}) has no real power {k:g}"
            )
        out = Value(result, (self,), f"**{k:g}")

        def backward():  # d(x^k)/dx = k x^(k-1)
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = backward
        return out

    def exp(self):
        if self.data > 709.0:
            raise OverflowError(f"Value.exp: e^{self.data:g} is too large for a float")
        out = Value(math.exp(self.data), (self,), "exp")

        def backward():  # d(e^x)/dx = e^x, the output itself
            self.grad += out.data * out.grad

        out._backward = backward
        return out

    def log(self):
        if self.data <= 0:
            raise ValueError(f"Value.log: needs a positive number, got {self.data:g}")
        out = Value(math.log(self.data), (self,), "log")

        def backward():  # d(ln x)/dx = 1/x
            self.grad += out.grad / self.data

        out._backward = backward
        return out

    def tanh(self):
        out = Value(math.tanh(self.data), (self,), "tanh")

        def backward():  # tanh' = 1 - tanh²
            self.grad += (1.0 - out.data**2) * out.grad

        out._backward = backward
        return out

    def sigmoid(self):
        s = 0.5 * (1.0 + math.tanh(0.5 * self.data))  # σ without overflow
        out = Value(s, (self,), "σ")

        def backward():  # σ' = σ (1 − σ)
            self.grad += out.data * (1.0 - out.data) * out.grad

        out._backward = backward
        return out

    # --- everything else is built from the rules above ---------------------------------

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-_as_value(other, "-"))

    def __truediv__(self, other):
        return self * _as_value(other, "/") ** -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return _as_value(other, "-") - self

    def __rtruediv__(self, other):
        return _as_value(other, "/") / self

    # --- the backward pass ---------------------------------------------------------------

    def backward(self):
        """Fill in `.grad` of every Value this one was computed from: ∂self/∂(that value).

        Gradients start from zero on every call, and ∂self/∂self = 1."""
        order = topological_order(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


def _nothing():
    """The backward rule of a leaf: it has no inputs to send anything to."""


def _as_value(x, where):
    if isinstance(x, Value):
        return x
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"Value {where}: expected a Value or a number, got {x!r}")
    return Value(x)


def topological_order(root):
    """Every Value that `root` was computed from, and root itself, each listed after all
    the Values it was computed from. (A depth-first search, without recursion so that
    long chains do not hit Python's recursion limit.)"""
    if not isinstance(root, Value):
        raise TypeError(f"topological_order: root must be a Value, got {type(root).__name__}")
    order, seen = [], set()
    stack = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((parent, False) for parent in node.parents if id(parent) not in seen)
    return order


def as_values(array):
    """A NumPy object array of leaf Values with the numbers of `array` (any shape)."""
    numbers = as_array("as_values", "array", array)
    out = np.empty(numbers.shape, dtype=object)
    for index, number in np.ndenumerate(numbers):
        out[index] = Value(number)
    return out


def grads(values):
    """The `.grad` of every Value in an object array, as a float array of its shape."""
    if isinstance(values, Value):
        return np.array(values.grad)
    if not isinstance(values, np.ndarray | list | tuple):
        raise TypeError(
            f"grads: values must be an array of Values (from as_values), got "
            f"{type(values).__name__}"
        )
    values = np.asarray(values, dtype=object)
    out = np.empty(values.shape, dtype=float)
    for index, value in np.ndenumerate(values):
        if not isinstance(value, Value):
            raise TypeError(f"grads: values must hold only Values, got {value!r} at index {index}")
        out[index] = value.grad
    return out
