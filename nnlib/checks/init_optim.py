"""Checkers for the exercises on initialisation and optimisers (exercises/08_init_optim.ipynb).

Usage in the notebook: `from nnlib.checks import init_optim as check`, then for example
`check.he_normal(he_normal)`.

Each checker runs the student's answer on a few cases whose right answers nnlib computes.
When an answer is wrong, the typical mistakes are tried one by one, and a mistake is named
only when it reproduces the student's numbers on every case. Two variants are accepted on
purpose, with a note: ε inside the square root (√(G + ε), √(v̂ + ε)), which some libraries
use and which differs from the book's form only when the squared gradients are tiny.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from nnlib import optim
from nnlib.checks import Reject, array_text, call_student, checker, kind_of, values_differ
from nnlib.checks.numeric import Mistake, NumberExercise, number_checker
from nnlib.optim import adagrad, adam, momentum

# Helpers -----------------------------------------------------------------------------------


def _as_array(value, what, shape):
    """`value` as a float array of `shape`, or a verdict saying what is wrong with it."""
    if value is None or isinstance(value, str | bytes | dict | bool | complex):
        raise Reject("wrong-type", f"{what} should be an array of shape {shape}, got {value!r}.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Reject(
            "wrong-type", f"{what} should be an array of numbers of shape {shape}, got {value!r}."
        ) from None
    if array.shape != shape:
        raise Reject("wrong-shape", f"{what} should have shape {shape}, but it has {array.shape}.")
    return array


def _as_number(value, what):
    """`value` as one finite float, or a verdict."""
    if value is None or isinstance(value, str | bytes | dict | bool | complex | np.bool_):
        raise Reject("not-a-number", f"{what} should be one number, but it is {value!r}.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Reject("not-a-number", f"{what} should be one number, but it is {value!r}.") from None
    if array.size != 1:
        raise Reject(
            "not-a-number", f"{what} should be one number, but it has shape {array.shape}."
        )
    number = float(array.reshape(()))
    if not np.isfinite(number):
        raise Reject("not-a-number", f"{what} is {number}; it should be a finite number.")
    return number


def _parts(got, names, func_name):
    """Check that the student returned a tuple (or list) with one entry per name."""
    if not isinstance(got, tuple | list) or len(got) != len(names):
        wanted = ", ".join(names)
        raise Reject(
            "not-a-tuple",
            f"`{func_name}` should return the {len(names)} values ({wanted}) in that order, "
            f"but it returned {got!r}.",
        )
    return list(got)


def _close(a, b, rtol=1e-6):
    """Equal to rounding, treating matching infinities and NaNs as equal too (a mistake
    such as dividing by 1 − β⁰ = 0 reproduces the student's inf and nan)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return False
    with np.errstate(all="ignore"):
        return bool(np.allclose(a, b, rtol=rtol, atol=1e-12, equal_nan=True))


def _all_close(got, expected, rtol=1e-6):
    return all(_close(g, e, rtol) for g, e in zip(got, expected, strict=True))


def _first_match(got, cases, mistakes):
    """The first (code, message) of `mistakes` whose formula reproduces `got` on every case.

    `mistakes` holds (code, formula, message); formula(case) gives the wrong value."""
    for code, formula, message in mistakes:
        with np.errstate(all="ignore"):
            wrong = [formula(case) for case in cases]
        if _all_close(got, wrong):
            return code, message
    return None


# 1. He initialisation ----------------------------------------------------------------------

_HE_SIZES = ((200, 800), (800, 200))  # n_in ≠ n_out, both ways round: n_out mix-ups show


def _he_mistakes(n_in, n_out):
    """(code, standard deviation the mistake gives, message)."""
    return [
        (
            "variance-as-std",
            2 / n_in,
            "Your weights have standard deviation 2/n_in: that is the *variance* of He "
            "initialisation. The standard deviation is its square root, np.sqrt(2 / n_in); "
            "rng.normal(0, scale, ...) and scale * rng.standard_normal(...) both take the "
            "standard deviation.",
        ),
        (
            "used-n-out",
            np.sqrt(2 / n_out),
            "Your standard deviation is √(2/n_out). He initialisation keeps the variance of "
            "each unit's weighted sum steady, and that sum adds up n_in inputs: use "
            "np.sqrt(2 / n_in).",
        ),
        (
            "xavier",
            np.sqrt(2 / (n_in + n_out)),
            "Your standard deviation is √(2/(n_in + n_out)): that is Xavier (Glorot) "
            "initialisation, meant for tanh. He initialisation, for ReLU, uses √(2/n_in).",
        ),
        (
            "missing-factor-2",
            np.sqrt(1 / n_in),
            "Your standard deviation is √(1/n_in) (LeCun's rule). ReLU sets half of the "
            "weighted sums to zero, and He initialisation makes up for it with a factor 2: "
            "√(2/n_in).",
        ),
    ]


def _excess_kurtosis(values):
    z = (values - values.mean()) / values.std()
    return float(np.mean(z**4) - 3)


@checker("He initialisation by hand")
def he_normal(func):
    """Check `func(n_in, n_out, rng)`: an (n_in, n_out) array from N(0, 2/n_in), drawn with
    the generator it was given."""
    name = "he_normal"
    for n_in, n_out in _HE_SIZES:
        seed = 11 + n_in
        got = call_student(func, name, n_in, n_out, np.random.default_rng(seed))
        try:
            W = _as_array(got, f"`{name}({n_in}, {n_out}, rng)`", (n_in, n_out))
        except Reject as verdict:
            shape = np.shape(got) if verdict.code == "wrong-shape" else None
            if shape == (n_out, n_in):
                raise Reject(
                    "transposed",
                    f"For n_in = {n_in} and n_out = {n_out} your array has shape {shape}. In "
                    "this book a weight matrix has one row per input and one column per "
                    "output unit: shape (n_in, n_out).",
                ) from None
            raise
        if not np.all(np.isfinite(W)):
            raise Reject("not-a-number", "Your weights contain inf or nan.")
        if float(W.std()) == 0:
            raise Reject(
                "constant",
                "All your weights are equal. Equal weights give every unit the same gradient, "
                "so the units stay copies of each other: draw them at random.",
            )
        again = np.asarray(
            call_student(func, name, n_in, n_out, np.random.default_rng(seed)),
            dtype=float,
        )
        if again.shape != W.shape or not np.array_equal(again, W):
            raise Reject(
                "not-reproducible",
                "Two calls with generators made from the same seed gave different weights, "
                "so your weights do not come from `rng`. Draw them with the generator you are "
                "given, e.g. rng.standard_normal((n_in, n_out)), not with np.random.randn or "
                "a generator of your own: only then does a seed make a run repeatable.",
            )
        other = np.asarray(
            call_student(func, name, n_in, n_out, np.random.default_rng(seed + 1)),
            dtype=float,
        )
        if other.shape == W.shape and np.array_equal(other, W):
            raise Reject(
                "ignores-rng",
                "Different generators give you exactly the same weights: your function makes "
                "its own generator with a fixed seed instead of using `rng`. Draw from the "
                "`rng` argument.",
            )
        values = W.ravel()
        target = np.sqrt(2 / n_in)
        std = float(values.std())
        if _excess_kurtosis(values) < -0.8:
            if abs(std / target - 1) < 0.03:
                raise Reject(
                    "uniform",
                    "Your weights have the right variance, 2/n_in, but they come from a "
                    "uniform distribution: that is he_uniform. This exercise asks for the "
                    "normal distribution N(0, 2/n_in): rng.standard_normal times the "
                    "standard deviation.",
                )
            raise Reject(
                "uniform",
                "Your weights come from a uniform distribution (rng.random or rng.uniform), "
                "and their variance is not 2/n_in either. He initialisation here draws from "
                "the normal distribution: np.sqrt(2 / n_in) * rng.standard_normal(...).",
            )
        if abs(float(values.mean())) > 6 * std / np.sqrt(values.size):
            raise Reject(
                "not-centred",
                f"Your weights have mean {values.mean():.4f}; they should be centred on 0, "
                "with positive and negative weights equally likely.",
            )
        if abs(std / target - 1) < 0.03:
            continue
        for code, mistaken, message in _he_mistakes(n_in, n_out):
            if abs(std / mistaken - 1) < 0.03:
                other_in, other_out = next(s for s in _HE_SIZES if s != (n_in, n_out))
                other_W = np.asarray(
                    call_student(func, name, other_in, other_out, np.random.default_rng(3)),
                    dtype=float,
                )
                other_wrong = dict((c, s) for c, s, _ in _he_mistakes(other_in, other_out))
                if other_W.size and abs(other_W.std() / other_wrong[code] - 1) < 0.03:
                    raise Reject(code, message)
        raise Reject(
            "wrong-std",
            f"For n_in = {n_in} the standard deviation should be √(2/{n_in}) = {target:.4f}; "
            f"your weights have {std:.4f}.",
        )
    return (
        "Right: weights from N(0, 2/n_in), standard deviation √(2/n_in), drawn from the "
        "generator you were given, so the same seed always gives the same network. This is "
        "nnlib.init.he_normal."
    )


# 2. The scales of the Xavier rule ----------------------------------------------------------

_XAVIER_SIZES = ((300, 100), (64, 64), (784, 256), (10, 2))


def _xavier_variance_mistakes():
    return [
        (
            "std-not-variance",
            lambda s: np.sqrt(2 / (s[0] + s[1])),
            "Your first number is √(2/(n_in + n_out)): that is the standard deviation. The "
            "variance is its square, 2/(n_in + n_out), without the square root.",
        ),
        (
            "lecun-variance",
            lambda s: 1 / s[0],
            "Your variance is 1/n_in, LeCun's rule, which only looks at the forward pass. "
            "Xavier averages the forward and backward needs: 2/(n_in + n_out).",
        ),
        (
            "he-variance",
            lambda s: 2 / s[0],
            "Your variance is 2/n_in, He initialisation (for ReLU). Xavier's is 2/(n_in + n_out).",
        ),
        (
            "missing-factor-2",
            lambda s: 1 / (s[0] + s[1]),
            "Your variance is 1/(n_in + n_out): the 2 is missing. Xavier's compromise between "
            "1/n_in and 1/n_out is 2/(n_in + n_out).",
        ),
    ]


def _xavier_limit_mistakes():
    return [
        (
            "limit-is-std",
            lambda s: np.sqrt(2 / (s[0] + s[1])),
            "Your limit a is the standard deviation √(2/(n_in + n_out)). But U(−a, a) has "
            "variance a²/3, not a², so a must be √3 times larger: a = √(6/(n_in + n_out)).",
        ),
        (
            "limit-is-variance",
            lambda s: 2 / (s[0] + s[1]),
            "Your limit equals the variance. Solve a²/3 = 2/(n_in + n_out) for a: "
            "a = √(6/(n_in + n_out)).",
        ),
        (
            "limit-divided-by-3",
            lambda s: np.sqrt(2 / (3 * (s[0] + s[1]))),
            "Your limit is √(variance/3), but the variance of U(−a, a) is a²/3, so "
            "a = √(3 · variance) = √(6/(n_in + n_out)).",
        ),
        (
            "limit-missing-sqrt",
            lambda s: 6 / (s[0] + s[1]),
            "Your limit is 6/(n_in + n_out), which is a², not a: take the square root.",
        ),
        (
            "he-uniform-limit",
            lambda s: np.sqrt(6 / s[0]),
            "Your limit is √(6/n_in), the limit of he_uniform. Xavier's is √(6/(n_in + n_out)).",
        ),
    ]


@checker("The scales of the Xavier rule")
def xavier_scales(func):
    """Check `func(n_in, n_out) -> (variance, limit)`: 2/(n_in + n_out) and
    √(6/(n_in + n_out))."""
    name = "xavier_scales"
    got = []
    for n_in, n_out in _XAVIER_SIZES:
        answer = _parts(
            call_student(func, name, n_in, n_out),
            ("variance", "limit"),
            f"{name}(n_in, n_out)",
        )
        got.append(
            (
                _as_number(answer[0], f"The variance for n_in = {n_in}, n_out = {n_out}"),
                _as_number(answer[1], f"The limit for n_in = {n_in}, n_out = {n_out}"),
            )
        )
    variances, limits = [g[0] for g in got], [g[1] for g in got]
    right_var = [2 / (a + b) for a, b in _XAVIER_SIZES]
    right_limit = [np.sqrt(6 / (a + b)) for a, b in _XAVIER_SIZES]
    if _all_close(variances, right_limit) and _all_close(limits, right_var):
        raise Reject("swapped", "Your two numbers are swapped: return (variance, limit).")
    if not _all_close(variances, right_var):
        found = _first_match(variances, _XAVIER_SIZES, _xavier_variance_mistakes())
        if found:
            raise Reject(*found)
        (n_in, n_out), value = _XAVIER_SIZES[0], variances[0]
        raise Reject(
            "wrong-variance",
            f"For n_in = {n_in} and n_out = {n_out} the variance is 2/({n_in} + {n_out}) = "
            f"{right_var[0]:.6f}; yours is {value:.6f}.",
        )
    if not _all_close(limits, right_limit):
        found = _first_match(limits, _XAVIER_SIZES, _xavier_limit_mistakes())
        if found:
            raise Reject(*found)
        (n_in, n_out), value = _XAVIER_SIZES[0], limits[0]
        raise Reject(
            "wrong-limit",
            f"For n_in = {n_in} and n_out = {n_out} the limit is √(6/({n_in} + {n_out})) = "
            f"{right_limit[0]:.6f}; yours is {value:.6f}. U(−a, a) has variance a²/3.",
        )
    return (
        "Right: variance 2/(n_in + n_out), so standard deviation √(2/(n_in + n_out)), and "
        "the uniform limit √(6/(n_in + n_out)) that gives the same variance."
    )


# Optimiser steps: shared cases -------------------------------------------------------------


def _vectors(seed, n=4):
    rng = np.random.default_rng(seed)
    return rng.normal(size=n), rng.normal(size=n), rng.normal(size=n)


def _library_step(optimizer, theta, state, g):
    """One update of an nnlib optimiser from a given state: (new θ, new state)."""
    updates, new_state = optimizer.update(g, state)
    return theta + updates, new_state


# 3. One step of momentum -------------------------------------------------------------------


def _momentum_cases():
    theta, v, g = _vectors(31)
    yield theta, v, g, 0.1, 0.9
    theta, v, g = _vectors(32)
    yield theta, 3 * v, g, 0.05, 0.75


def _momentum_right(case):
    theta, v, g, lr, beta = case
    new_theta, state = _library_step(momentum(lr, beta), theta, {"v": v}, g)
    return new_theta, state["v"]


_MOMENTUM_V_MISTAKES = [
    (
        "no-one-minus-beta",
        lambda c: c[4] * c[1] + c[2],
        "Your v is β v + g, the convention of some libraries: the same method, but its v is "
        "1/(1 − β) times larger, so it needs a learning rate (1 − β) times smaller. This book "
        "(and nnlib.optim.momentum) keeps v an average of the gradients: "
        "v = β v + (1 − β) g.",
    ),
    (
        "beta-swapped",
        lambda c: (1 - c[4]) * c[1] + c[4] * c[2],
        "Your v is (1 − β) v + β g: β and 1 − β are swapped. With β = 0.9 the old average "
        "should keep 90% of its weight: v = β v + (1 − β) g.",
    ),
    (
        "v-not-updated",
        lambda c: c[1],
        "Your function returns v unchanged. The new v, β v + (1 − β) g, is part of the "
        "answer: the next step needs it.",
    ),
    (
        "velocity-form",
        lambda c: c[4] * c[1] - c[3] * c[2],
        "Your v is β v − α g, the 'velocity' form of momentum, where v holds the step itself "
        "and θ ← θ + v. This exercise uses the book's form: v = β v + (1 − β) g, then "
        "θ = θ − α v.",
    ),
]


def _momentum_theta_mistakes(right_v):
    return [
        (
            "step-with-gradient",
            lambda c: c[0] - c[3] * c[2],
            "Your v is right, but θ moved by −α g, the plain gradient step. Momentum steps "
            "along the average: θ = θ − α v with the new v.",
        ),
        (
            "step-with-old-v",
            lambda c: c[0] - c[3] * c[1],
            "Your θ moved with the old v. Update v first, then step with the new one: "
            "θ = θ − α v_new.",
        ),
        (
            "ascent",
            lambda c: c[0] + c[3] * right_v(c),
            "Your θ moved uphill: θ = θ − α v, with a minus.",
        ),
        (
            "forgot-learning-rate",
            lambda c: c[0] - right_v(c),
            "Your θ moved by the whole v: multiply it by the learning rate, θ = θ − α v.",
        ),
    ]


@checker("One step of momentum")
def momentum_step(func):
    """Check `func(theta, v, g, lr, beta) -> (theta, v)`: v = βv + (1−β)g, θ = θ − lr v."""
    name = "momentum_step"
    cases = list(_momentum_cases())
    got_theta, got_v = [], []
    for case in cases:
        theta_new, v_new = _parts(
            call_student(func, name, *case, changes="note"),
            ("theta", "v"),
            f"{name}(theta, v, g, lr, beta)",
        )
        shape = case[0].shape
        got_theta.append(_as_array(theta_new, "The new theta", shape))
        got_v.append(_as_array(v_new, "The new v", shape))
    right = [_momentum_right(c) for c in cases]
    if not _all_close(got_v, [r[1] for r in right]):
        found = _first_match(got_v, cases, _MOMENTUM_V_MISTAKES)
        if found:
            raise Reject(*found)
        raise Reject(
            "wrong-v",
            f"For the first case the new v should be {array_text(right[0][1])}; yours is "
            f"{array_text(got_v[0])}. It is v = β v + (1 − β) g.",
        )
    if not _all_close(got_theta, [r[0] for r in right]):
        found = _first_match(
            got_theta, cases, _momentum_theta_mistakes(lambda c: _momentum_right(c)[1])
        )
        if found:
            raise Reject(*found)
        raise Reject(
            "wrong-theta",
            f"Your v is right. For the first case the new θ should be {array_text(right[0][0])}; "
            f"yours is {array_text(got_theta[0])}. It is θ = θ − α v with the new v.",
        )
    return "Right: v = β v + (1 − β) g, a running average of the gradients, then θ = θ − α v."


# 4. One step of AdaGrad --------------------------------------------------------------------


def _adagrad_cases():
    theta, G, g = _vectors(41)
    yield theta, G**2 + 0.5, g, 0.1, 1e-8
    theta, G, g = _vectors(42)
    yield theta, 4 * G**2 + 0.1, 3 * g, 0.5, 1e-8


def _adagrad_right(case):
    theta, G, g, lr, eps = case
    new_theta, state = _library_step(adagrad(lr, eps), theta, {"G": G}, g)
    return new_theta, state["G"]


def _adagrad_inside(case):
    theta, G, g, lr, eps = case
    return theta - lr * g / np.sqrt(G + g**2 + eps)


_ADAGRAD_G_MISTAKES = [
    (
        "G-not-accumulated",
        lambda c: c[2] ** 2,
        "Your new G is g², the square of this step's gradient only. AdaGrad adds it to the "
        "sum of all earlier squares: G = G + g².",
    ),
    (
        "G-not-squared",
        lambda c: c[1] + c[2],
        "Your G adds the gradient itself, not its square: G = G + g**2 (the squares are "
        "never negative, so √G is always defined).",
    ),
    (
        "G-not-updated",
        lambda c: c[1],
        "Your function returns G unchanged: add the squared gradient, G = G + g², and "
        "return the new G for the next step.",
    ),
]


def _adagrad_theta_mistakes():
    def step(c, G_used, root=True, sign=-1):
        theta, _, g, lr, eps = c
        scale = np.sqrt(G_used) if root else G_used
        return theta + sign * lr * g / (scale + eps)

    return [
        (
            "old-G",
            lambda c: step(c, c[1]),
            "Your step divides by √G from *before* this step's gradient was added. Update "
            "G = G + g² first, then divide by its root; otherwise the very first step "
            "divides by √0 + ε.",
        ),
        (
            "missing-sqrt",
            lambda c: step(c, c[1] + c[2] ** 2, root=False),
            "Your step divides by G itself. AdaGrad divides by its square root, √G + ε, so "
            "that the step has the units of θ.",
        ),
        (
            "ascent",
            lambda c: step(c, c[1] + c[2] ** 2, sign=1),
            "Your θ moved uphill: θ = θ − α g / (√G + ε), with a minus.",
        ),
        (
            "forgot-learning-rate",
            lambda c: c[0] - c[2] / (np.sqrt(c[1] + c[2] ** 2) + c[4]),
            "Your step is missing the learning rate α: θ = θ − α g / (√G + ε).",
        ),
    ]


@checker("One step of AdaGrad")
def adagrad_step(func):
    """Check `func(theta, G, g, lr, eps) -> (theta, G)`: G = G + g², θ = θ − lr g/(√G + ε)."""
    name = "adagrad_step"
    cases = list(_adagrad_cases())
    probe = (np.array([1.0, -2.0]), np.array([0.04, 0.01]), np.array([0.1, -0.2]), 0.1, 0.25)
    got_theta, got_G = [], []
    for case in [*cases, probe]:
        theta_new, G_new = _parts(
            call_student(func, name, *case, changes="note"),
            ("theta", "G"),
            f"{name}(theta, G, g, lr, eps)",
        )
        shape = case[0].shape
        got_theta.append(_as_array(theta_new, "The new theta", shape))
        got_G.append(_as_array(G_new, "The new G", shape))
    probe_theta = got_theta.pop()
    got_G.pop()  # the probe only tells where ε goes
    right = [_adagrad_right(c) for c in cases]
    if not _all_close(got_G, [r[1] for r in right]):
        found = _first_match(got_G, cases, _ADAGRAD_G_MISTAKES)
        if found:
            raise Reject(*found)
        raise Reject(
            "wrong-G",
            f"For the first case the new G should be {array_text(right[0][1])}; yours is "
            f"{array_text(got_G[0])}. It is G = G + g².",
        )
    inside = _all_close(got_theta, [_adagrad_inside(c) for c in cases], rtol=1e-5)
    if not (_all_close(got_theta, [r[0] for r in right]) or inside):
        found = _first_match(got_theta, cases, _adagrad_theta_mistakes())
        if found:
            raise Reject(*found)
        raise Reject(
            "wrong-theta",
            f"Your G is right. For the first case the new θ should be {array_text(right[0][0])}; "
            f"yours is {array_text(got_theta[0])}. It is θ = θ − α g / (√G + ε) with the new G.",
        )
    right_probe = _adagrad_right(probe)[0]
    note = _accepted_variant(
        probe_theta,
        right_probe,
        [
            (
                _adagrad_inside(probe),
                "Right, with one difference from the book, which is accepted: you put ε inside "
                "the square root, √(G + ε), as some libraries do. The book adds it outside, "
                "√G + ε; with ε = 1e-8 the two agree unless G is tiny.",
            )
        ],
    )
    if note:
        return note
    if not _close(probe_theta, right_probe):
        raise Reject(
            "ignores-eps",
            "Your step is right for ε = 1e-8 but not for a larger ε: does your function use "
            "its `eps` argument, and is it added to √G in the denominator? The step is "
            "α g / (√G + eps).",
        )
    return (
        "Right: G collects every squared gradient, and each parameter steps by "
        "α / (√G + ε) times its gradient, so its rate only shrinks."
    )


# 5. One step of Adam -----------------------------------------------------------------------


def _adam_cases():
    """(theta, m, v, g, t, lr, beta1, beta2, eps): a first step from zero state with a zero
    gradient entry (where ε prevents 0/0), and later steps with earlier averages."""
    yield (
        np.array([0.5, -1.2, 2.0, 0.3]),
        np.zeros(4),
        np.zeros(4),
        np.array([0.2, -3.0, 0.0, 0.05]),
        1,
        0.01,
        0.9,
        0.999,
        1e-8,
    )
    theta, m, g = _vectors(51)
    yield theta, 0.3 * m, 0.2 * m**2 + 0.05, g, 3, 0.1, 0.8, 0.99, 1e-8
    theta, m, g = _vectors(52)
    yield theta, 0.5 * m, 0.4 * m**2 + 0.1, 2 * g, 40, 0.001, 0.9, 0.999, 1e-8


def _adam_parts(case, t_used=None, correct_m=True, correct_v=True):
    """m, v, m̂, v̂ for one case (with another t, or a correction left out, for mistakes)."""
    _, m, v, g, t, _, b1, b2, _ = case
    t = t if t_used is None else t_used
    m_new = b1 * m + (1 - b1) * g
    v_new = b2 * v + (1 - b2) * g**2
    m_hat = m_new / (1 - b1**t) if correct_m else m_new
    v_hat = v_new / (1 - b2**t) if correct_v else v_new
    return m_new, v_new, m_hat, v_hat


def _adam_right(case):
    theta, m, v, g, t, lr, b1, b2, eps = case
    state = {"t": t - 1, "m": m, "v": v}
    new_theta, new_state = _library_step(adam(lr, b1, b2, eps), theta, state, g)
    return new_theta, new_state["m"], new_state["v"]


def _adam_inside(case):
    theta, lr, eps = case[0], case[5], case[8]
    _, _, m_hat, v_hat = _adam_parts(case)
    return theta - lr * m_hat / np.sqrt(v_hat + eps)


def _accepted_variant(probe_theta, right_theta, variants):
    """The note for an accepted variant of the book's step, or None: the large-ε probe
    tells a variant (ε inside the root, a folded rate) from the book's own step and from an
    ε left out. `variants` is a list of (the variant's θ on the probe, its note)."""
    if _close(probe_theta, right_theta):
        return None
    return next((note for theta, note in variants if _close(probe_theta, theta)), None)


def _adam_folded(case):
    """Kingma & Ba's cheaper ordering: the two corrections folded into the rate,
    θ − α √(1 − β2**t) / (1 − β1**t) · m / (√v + ε); ε then acts a little smaller."""
    theta, _, _, _, t, lr, b1, b2, eps = case
    m_new, v_new, _, _ = _adam_parts(case)
    rate = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
    return theta - rate * m_new / (np.sqrt(v_new) + eps)


def _adam_theta(case, numerator=None, denominator=None, sign=-1, **parts):
    """θ for a variant of Adam's step: other parts, another numerator or denominator."""
    theta, lr, eps = case[0], case[5], case[8]
    _, _, m_hat, v_hat = _adam_parts(case, **parts)
    top = m_hat if numerator is None else numerator
    bottom = np.sqrt(v_hat) + eps if denominator is None else denominator
    return theta + sign * lr * top / bottom


_ADAM_M_MISTAKES = [
    (
        "returned-corrected-state",
        lambda c: _adam_parts(c)[2],
        "Your new m is the bias-corrected m̂. Return the plain running average "
        "m = β1 m + (1 − β1) g as the state: m̂ is only for this step. If m̂ is stored, the "
        "next step corrects it again, and the steps come out too large.",
    ),
    (
        "betas-swapped",
        lambda c: c[7] * c[1] + (1 - c[7]) * c[3],
        "Your m uses β2: m averages the gradients with β1 (0.9), v their squares with β2 (0.999).",
    ),
    (
        "m-without-one-minus-beta",
        lambda c: c[6] * c[1] + c[3],
        "Your m is β1 m + g. Adam keeps a proper average: m = β1 m + (1 − β1) g.",
    ),
    (
        "m-not-updated",
        lambda c: c[1],
        "Your function returns m unchanged: update it, m = β1 m + (1 − β1) g.",
    ),
]

_ADAM_V_MISTAKES = [
    (
        "returned-corrected-state",
        lambda c: _adam_parts(c)[3],
        "Your new v is the bias-corrected v̂. Return the plain running average "
        "v = β2 v + (1 − β2) g² as the state: v̂ is only for this step.",
    ),
    (
        "v-not-squared",
        lambda c: c[7] * c[2] + (1 - c[7]) * c[3],
        "Your v averages the gradients g, not their squares: v = β2 v + (1 − β2) g**2.",
    ),
    (
        "betas-swapped",
        lambda c: c[6] * c[2] + (1 - c[6]) * c[3] ** 2,
        "Your v uses β1: v averages the squared gradients with β2 (0.999).",
    ),
    (
        "v-not-updated",
        lambda c: c[2],
        "Your function returns v unchanged: update it, v = β2 v + (1 − β2) g².",
    ),
]


def _adam_theta_mistakes():
    return [
        (
            "no-bias-correction",
            lambda c: _adam_theta(c, correct_m=False, correct_v=False),
            "Your step uses m and v without the bias correction. Both start at 0, so early "
            "on they are too small (v far more than m), and the first steps come out "
            "several times too large. Divide first: m̂ = m / (1 − β1**t), "
            "v̂ = v / (1 − β2**t).",
        ),
        (
            "only-m-corrected",
            lambda c: _adam_theta(c, correct_v=False),
            "You corrected m but not v. v needs it even more, since β2 = 0.999 is so close "
            "to 1: v̂ = v / (1 − β2**t).",
        ),
        (
            "only-v-corrected",
            lambda c: _adam_theta(c, correct_m=False),
            "You corrected v but not m: m̂ = m / (1 − β1**t) as well.",
        ),
        (
            "t-zero-based",
            lambda c: _adam_theta(c, t_used=c[4] - 1),
            "Your correction uses t − 1. Steps are counted from 1: at the first step t = 1 "
            "and 1 − β**t = 1 − β. With t = 0 it would divide by 1 − β⁰ = 0.",
        ),
        (
            "t-one-too-many",
            lambda c: _adam_theta(c, t_used=c[4] + 1),
            "Your correction uses t + 1, but `t` is already the number of this step (1 for "
            "the first): use 1 − β**t as it is, without adding 1.",
        ),
        (
            "used-gradient",
            lambda c: _adam_theta(c, numerator=c[3]),
            "Your step divides the gradient g by √v̂: that is RMSProp. Adam steps along the "
            "average of the gradients, m̂ / (√v̂ + ε).",
        ),
        (
            "used-gradient",
            lambda c: _adam_theta(c, numerator=c[3] / (1 - c[6] ** c[4])),
            "Your numerator is the gradient g (corrected by 1 − β1**t), not the average m̂. "
            "Adam steps along m̂ / (√v̂ + ε).",
        ),
        (
            "used-m-squared",
            lambda c: _adam_theta(c, denominator=np.abs(_adam_parts(c)[2]) + c[8]),
            "Your denominator is √(m̂²) = |m̂|, so every step is ±α whatever the gradients. "
            "Divide by the root of v̂, the average of the *squared* gradients.",
        ),
        (
            "ascent",
            lambda c: _adam_theta(c, sign=1),
            "Your θ moved uphill: θ = θ − α m̂ / (√v̂ + ε), with a minus.",
        ),
        (
            "missing-eps",
            lambda c: _adam_theta(c, denominator=np.sqrt(_adam_parts(c)[3])),
            "Your step leaves out ε. Where a gradient is exactly 0 at the first step, "
            "m̂ = v̂ = 0 and your step is 0/0 = nan, which ruins the parameter for good. Divide "
            "by √v̂ + ε.",
        ),
    ]


@checker("One step of Adam")
def adam_step(func):
    """Check `func(theta, m, v, g, t, lr, beta1, beta2, eps) -> (theta, m, v)`."""
    name = "adam_step"
    cases = list(_adam_cases())
    probe = (
        np.array([1.0, -1.0]),
        np.array([0.1, 0.0]),
        np.array([0.01, 0.02]),
        np.array([0.3, -0.1]),
        2,
        0.1,
        0.9,
        0.999,
        0.25,
    )
    got = []
    for case in [*cases, probe]:
        try:
            result = call_student(func, name, *case, changes="note")
        except Reject as verdict:
            if case[4] == 1 and "ZeroDivisionError" in verdict.message:
                raise Reject(
                    "t-zero-based",
                    verdict.message + "\nAt the first step t = 1, so 1 − β**t = 1 − β. "
                    "It looks as if your correction used t − 1 = 0, and 1 − β⁰ = 0.",
                ) from None
            raise
        answer = _parts(
            result,
            ("theta", "m", "v"),
            f"{name}(theta, m, v, g, t, lr, beta1, beta2, eps)",
        )
        shape = case[0].shape
        got.append(
            [_as_array(a, f"The new {n}", shape) for a, n in zip(answer, "θmv", strict=True)]
        )
    probe_theta = got.pop()[0]
    got_theta, got_m, got_v = ([g[k] for g in got] for k in range(3))
    right = [_adam_right(c) for c in cases]
    for k, mistakes, what in ((1, _ADAM_M_MISTAKES, "m"), (2, _ADAM_V_MISTAKES, "v")):
        values = got_m if k == 1 else got_v
        if _all_close(values, [r[k] for r in right]):
            continue
        found = _first_match(values, cases, mistakes)
        if found:
            raise Reject(*found)
        formula = "β1 m + (1 − β1) g" if what == "m" else "β2 v + (1 − β2) g²"
        raise Reject(
            f"wrong-{what}",
            f"For the first case the new {what} should be {array_text(right[0][k])}; yours is "
            f"{array_text(values[0])}. It is {what} = {formula}.",
        )
    inside = _all_close(got_theta, [_adam_inside(c) for c in cases], rtol=1e-5)
    folded = _all_close(got_theta, [_adam_folded(c) for c in cases], rtol=1e-5)
    if not (_all_close(got_theta, [r[0] for r in right]) or inside or folded):
        found = _first_match(got_theta, cases, _adam_theta_mistakes())
        if found:
            raise Reject(*found)
        raise Reject(
            "wrong-theta",
            f"Your m and v are right. For the first case the new θ should be "
            f"{array_text(right[0][0])}; yours is {array_text(got_theta[0])}. It is "
            "θ = θ − α m̂ / (√v̂ + ε) with m̂ = m / (1 − β1**t) and v̂ = v / (1 − β2**t).",
        )
    right_probe = _adam_right(probe)[0]
    note = _accepted_variant(
        probe_theta,
        right_probe,
        [
            (
                _adam_inside(probe),
                "Right, with one difference from the book, which is accepted: you put ε inside "
                "the square root, √(v̂ + ε), as some libraries do. Kingma & Ba and the book add "
                "it outside, √v̂ + ε; with ε = 1e-8 the two agree unless v̂ is tiny.",
            ),
            (
                _adam_folded(probe),
                "Right, in the cheaper order of Kingma & Ba's paper, which is accepted: you fold "
                "both corrections into the rate, α √(1 − β2**t) / (1 − β1**t), and divide m by "
                "√v + ε. That ε is in effect ε √(1 − β2**t), a little smaller than the book's; "
                "with ε = 1e-8 the two steps agree.",
            ),
        ],
    )
    if note:
        return note
    if not _close(probe_theta, right_probe):
        raise Reject(
            "ignores-eps",
            "Your step is right for ε = 1e-8 but not for a larger ε: does your function use "
            "its `eps` argument, and is it added to √v̂ in the denominator? The step is "
            "α m̂ / (√v̂ + eps).",
        )
    return (
        "Right: two running averages, each divided by 1 − β**t so that they are true "
        "averages from the first step, and a step of about α along m̂ / √v̂."
    )


# 6. Clipping a gradient by its global norm -------------------------------------------------


def _with_norms(seed, shapes, norms):
    """Random arrays of the given shapes, each scaled to the given norm."""
    rng = np.random.default_rng(seed)
    arrays = [rng.normal(size=shape) for shape in shapes]
    return [n * a / np.linalg.norm(a) for a, n in zip(arrays, norms, strict=True)]


_CLIP_SHAPES = ((3, 4), (4,), (4, 2), (2,))  # W1, b1, W2, b2 of a 3-4-2 network


def _clip_cases():
    """(grads, max_norm): a gradient far above the threshold, whose arrays are each above
    it too (and have entries beyond ±c); one below the threshold; and one above it whose
    arrays are each below it (per-array clipping leaves it alone)."""
    yield _with_norms(61, _CLIP_SHAPES, (6.0, 3.0, 5.0, 2.0)), 1.5  # ‖g‖ = √74
    yield _with_norms(62, _CLIP_SHAPES, (0.3, 0.2, 0.4, 0.1)), 2.0  # ‖g‖ = √0.3
    yield _with_norms(63, _CLIP_SHAPES, (2.5, 2.5, 2.5, 2.5)), 4.0  # ‖g‖ = 5


def _norm(grads):
    return float(np.sqrt(sum(np.sum(g**2) for g in grads)))


def _scaled(grads, factor):
    return [factor * g for g in grads]


def _clip_right(case):
    grads, c = case
    return optim.clip_by_global_norm(grads, c)


_CLIP_MISTAKES = [
    (
        "mean-of-squares",
        lambda case: _scaled(
            case[0],
            min(1.0, case[1] / np.sqrt(sum(np.mean(g**2) for g in case[0]))),
        ),
        "Your norm adds up each array's *mean* square, which makes it too small (by a "
        "factor that depends on the sizes of the arrays), so long gradients are clipped "
        "too little or not at all. The global norm adds up every square: "
        "‖g‖ = √(Σ over all arrays of Σ g²), np.sum, not np.mean.",
    ),
    (
        "clipped-each-array",
        lambda case: [g * min(1.0, case[1] / np.linalg.norm(g)) for g in case[0]],
        "You clipped each array by its own norm: every array longer than max_norm was "
        "shortened on its own, by its own factor. That changes the direction of the whole "
        "gradient, and the whole can still be longer than max_norm (or be left alone when "
        "every array is short but together they are long). Clipping by the *global* norm "
        "takes one norm for all the arrays together, ‖g‖ = √(Σ over all arrays of Σ g²), "
        "and multiplies every array by the same factor min(1, max_norm / ‖g‖).",
    ),
    (
        "clipped-by-value",
        lambda case: [np.clip(g, -case[1], case[1]) for g in case[0]],
        "Your function cuts every entry to [−max_norm, max_norm], as np.clip does: that is "
        "clipping by value. It changes the direction of the gradient (large entries are cut, "
        "small ones kept) and does not bound its length: many entries just below max_norm "
        "still make a long gradient. Clipping by the global norm rescales the whole "
        "gradient: multiply every array by min(1, max_norm / ‖g‖).",
    ),
    (
        "always-rescaled",
        lambda case: _scaled(case[0], case[1] / _norm(case[0])),
        "Your function scales the gradient to length max_norm even when it is shorter, so a "
        "short gradient comes back longer than it was. Clipping only ever shortens: the "
        "factor is min(1, max_norm / ‖g‖), and a gradient shorter than max_norm passes "
        "unchanged.",
    ),
    (
        "max-not-min",
        lambda case: _scaled(case[0], max(1.0, case[1] / _norm(case[0]))),
        "Your factor is max(1, max_norm / ‖g‖): short gradients are stretched to length "
        "max_norm and long ones are left as they are, the opposite of clipping. The factor "
        "is min(1, max_norm / ‖g‖).",
    ),
    (
        "squared-norm",
        lambda case: _scaled(case[0], min(1.0, case[1] / _norm(case[0]) ** 2)),
        "Your factor divides by ‖g‖², the sum of the squares, not by ‖g‖: the norm is the "
        "square root of that sum, np.sqrt(sum(np.sum(g**2) for g in grads)). Without the "
        "root, a long gradient is shortened far too much.",
    ),
    (
        "not-clipped",
        lambda case: [g.copy() for g in case[0]],
        "Your function returns the gradient unchanged, even when it is longer than "
        "max_norm. Compute ‖g‖ = √(Σ over all arrays of Σ g²), then multiply every array "
        "by min(1, max_norm / ‖g‖).",
    ),
]


def _same_arrays(got, expected):
    """Two lists of arrays (one case's gradient) equal to rounding, array by array."""
    return len(got) == len(expected) and all(
        _close(g, e) for g, e in zip(got, expected, strict=True)
    )


def _clip_mistake(got, cases):
    """The first (code, message) of _CLIP_MISTAKES that reproduces `got` on every case."""
    for code, formula, message in _CLIP_MISTAKES:
        with np.errstate(all="ignore"):
            wrong = [formula(case) for case in cases]
        if all(_same_arrays(g, w) for g, w in zip(got, wrong, strict=True)):
            return code, message
    return None


def _real_number(value):
    """`value` as a float when it is one real number (not a bool), else None."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Number | np.ndarray):
        return None
    if np.ndim(value) != 0:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(np.asarray(value, dtype=float))
    except (TypeError, ValueError):
        return None


def _clip_arrays(result, case, name):
    """The student's result for one case as a list of float arrays shaped like the
    gradient, or the verdict on what it is instead."""
    grads, c = case
    number = _real_number(result)
    if number is not None:
        norm = _norm(grads)
        if np.isclose(number, min(1.0, c / norm), rtol=1e-6):
            raise Reject(
                "returned-factor",
                f"`{name}` returns one number, {number:.4g}: the factor min(1, max_norm / ‖g‖). "
                "Return the clipped gradient instead, the list of arrays each multiplied by "
                "that factor, e.g. [scale * g for g in grads].",
            )
        if np.isclose(number, norm, rtol=1e-6):
            raise Reject(
                "returned-norm",
                f"`{name}` returns one number, {number:.4g}: the global norm ‖g‖. Use it for "
                "the factor min(1, max_norm / ‖g‖), and return the list of arrays each "
                "multiplied by that factor.",
            )
    if isinstance(result, np.ndarray) and result.ndim == 1:
        total = sum(g.size for g in grads)
        right = np.concatenate([np.ravel(g) for g in _clip_right(case)])
        if result.size == total and _close(result, right):
            raise Reject(
                "flattened",
                f"`{name}` returns one long vector: all the arrays, clipped, flattened and "
                "joined. The numbers are right, but the caller needs the gradient in its own "
                "shape, one array per parameter: return [scale * g for g in grads] instead of "
                "joining them.",
            )
    if not isinstance(result, list | tuple):
        raise Reject(
            "not-a-list",
            f"`{name}` should return a list of {len(grads)} arrays, one per array of grads "
            f"and with the same shapes, but it returned {kind_of(result)}.",
        )
    if len(result) != len(grads):
        raise Reject(
            "wrong-structure",
            f"`{name}` should return a list of {len(grads)} arrays, one per array of grads "
            f"and with the same shapes, but it returned {kind_of(result)}.",
        )
    return [
        _as_array(item, f"Array {index} of your result", g.shape)
        for index, (item, g) in enumerate(zip(result, grads, strict=True))
    ]


def _call_clip(func, name, grads, c):
    """The student's `func(grads, c)` on copies of the arrays, with what can go wrong turned
    into a verdict that describes `grads` by its shapes (not a screenful of numbers)."""
    passed = [g.copy() for g in grads]
    shapes = ", ".join(str(g.shape) for g in grads)
    try:
        result = call_student(func, name, passed, c, changes="own")
    except Reject as verdict:
        if verdict.code != "raised":
            raise
        error = verdict.message.split(" raised ", 1)[-1]
        raise Reject(
            "raised",
            f"`{name}(grads, {c:g})`, with grads a list of arrays of shapes {shapes}, raised "
            f"{error}",
        ) from None
    if not all(np.array_equal(p, g) for p, g in zip(passed, grads, strict=True)):
        raise Reject(
            "changed-input",
            f"`{name}` changed the arrays of `grads` in place (with `g *= scale` on each "
            "array, or by assigning into them). The caller's gradient would change with it, "
            "so code that still needs it, to record its norm say, would see other numbers. "
            "Build new arrays instead: [scale * g for g in grads].",
        )
    return result


@checker("Clipping a gradient by its global norm")
def clip_by_global_norm(func):
    """Check `func(grads, max_norm)`: every array of the list `grads` times
    min(1, max_norm / ‖g‖), with ‖g‖ the norm of all the arrays together."""
    name = "clip_by_global_norm"
    cases = list(_clip_cases())
    got = [_clip_arrays(_call_clip(func, name, *case), case, name) for case in cases]
    right = [_clip_right(case) for case in cases]
    wrong = [k for k in range(len(cases)) if not _same_arrays(got[k], right[k])]
    if wrong:
        found = _clip_mistake(got, cases)
        if found:
            raise Reject(*found)
        k = wrong[0]
        grads, c = cases[k]
        raise values_differ(
            f"For a gradient of global norm ‖g‖ = {_norm(grads):.4f} and max_norm = {c:g}, "
            f"the first array should become {array_text(right[k][0])}; yours is "
            f"{array_text(got[k][0])}. Compute ‖g‖ = √(Σ over all arrays of Σ g²), then "
            "multiply every array by the same factor min(1, max_norm / ‖g‖).",
            [a for g in got for a in g],
            [a for r in right for a in r],
            start=[a for grads, _ in cases for a in grads],
            what="your clipped gradients",
        )
    zeros = [np.zeros(shape) for shape in _CLIP_SHAPES]
    try:
        got_zeros = _clip_arrays(_call_clip(func, name, zeros, 1.0), (zeros, 1.0), name)
    except Reject as verdict:
        if verdict.code not in ("raised", "returned-factor", "returned-norm", "not-a-list"):
            raise
        got_zeros = None
        detail = (
            "it raised " + verdict.message.split(" raised ", 1)[-1]
            if verdict.code == "raised"
            else "it did not return a list of arrays"
        )
    else:
        finite = all(np.all(np.isfinite(g)) for g in got_zeros)
        shown = array_text(got_zeros[1])
        detail = "it returned nan" if not finite else f"its second array came back {shown}"
    if got_zeros is None or not _same_arrays(got_zeros, zeros):
        raise Reject(
            "zero-gradient",
            "Your function is right for every gradient but an all-zero one (‖g‖ = 0, as at "
            f"a minimum): {detail.rstrip('.')}. A zero gradient is shorter than any max_norm "
            "and should come back unchanged. Divide only when ‖g‖ > max_norm, or write the "
            "factor as max_norm / max(‖g‖, max_norm), which never divides by 0.",
        )
    return (
        "Right: one norm for the whole gradient, √(Σ g²) over every entry of every array, "
        "and one factor min(1, max_norm / ‖g‖) for every array, so the direction is kept and "
        "a gradient shorter than max_norm passes unchanged. This is "
        "nnlib.optim.clip_by_global_norm."
    )


# A number by hand, and a prediction ---------------------------------------------------------


def _he_std(n_in=512):
    """He-normal's standard deviation for `n_in` inputs: the rule nnlib.init draws by
    (tests/test_init.py checks that its draws have it)."""
    return float(np.sqrt(2 / n_in))


he_std_by_hand = number_checker(
    NumberExercise(
        title="He initialisation's standard deviation, by hand",
        name="he_std",
        right=_he_std,
        why="He initialisation keeps the variance of ReLU signals steady with Var(w) = "
        "2 / n_in, so std = sqrt(2 / 512) = 1/16 = 0.0625. (nnlib's he_normal draws "
        "exactly that.)",
        mistakes=(
            Mistake(
                "variance-not-std",
                lambda: 2 / 512,
                "2 / n_in = 0.0039 is the *variance*; the standard deviation is its square "
                "root, 0.0625.",
            ),
            Mistake(
                "lecun",
                lambda: np.sqrt(1 / 512),
                "sqrt(1 / n_in) is LeCun's (and Xavier's, for equal fan-in and fan-out) rule, "
                "made for tanh. ReLU zeroes half its inputs, which the 2 makes up for.",
            ),
            Mistake(
                "xavier",
                lambda: np.sqrt(2 / (512 + 256)),
                "sqrt(2 / (n_in + n_out)) is Xavier's rule. He's uses the fan-in alone: "
                "sqrt(2 / n_in).",
            ),
            Mistake(
                "one-over-n",
                lambda: 1 / 512,
                "1 / n_in is neither rule: He's variance is 2 / n_in, and the std its root.",
            ),
        ),
    )
)


def _adam_first_step(lr=1e-3):
    """Run it: the size of Adam's first update, for a random gradient of 1,000 entries."""
    g = np.random.default_rng(0).standard_normal(1000) * 37.0
    optimizer = adam(lr)
    step, _ = optimizer.update(g, optimizer.init(g))
    return float(np.median(np.abs(step)))


adam_first_step_prediction = number_checker(
    NumberExercise(
        title="Predict: the size of Adam's first step",
        name="predicted_step",
        right=_adam_first_step,
        why="At t = 1 the bias-corrected averages are m̂ = g and v̂ = g², so every entry "
        "moves by lr · g / |g| = lr = 0.001, whatever the gradient's size: Adam's first "
        "step is a sign step of length lr.",
        mistakes=(
            Mistake(
                "no-bias-correction",
                lambda: 1e-3 * 0.1 / np.sqrt(0.001),
                "That is the step without bias correction: m = 0.1 g and v = 0.001 g² give "
                "0.1 / sqrt(0.001) ≈ 3.16 times lr. Adam divides m by 1 - β1 = 0.1 and v by "
                "1 - β2 = 0.001 first, which makes the first step exactly lr.",
            ),
            Mistake(
                "sgd-step",
                lambda: 1e-3 * 37.0 * 0.6745,
                "That is plain SGD's step, lr · |g|. Adam divides by sqrt(v̂) = |g|: the "
                "gradient's size cancels.",
            ),
            Mistake(
                "momentum-share",
                lambda: 1e-4,
                "lr · (1 - β1) would be the step if only m were scaled down; both averages "
                "are corrected, and their ratio is g / |g|.",
            ),
        ),
        rtol=0.05,
        prediction=True,
    )
)
