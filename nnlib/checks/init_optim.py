"""Checkers for the exercises on initialisation and optimisers (exercises/08_init_optim.ipynb).

Usage in the notebook: `from nnlib.checks import init_optim as check`, then for example
`check.he_normal(he_normal)`.

The exercises on Xavier's scales, the three optimiser steps and gradient clipping are
declarations judged by nnlib.checks.engine: cases, a reference, and typical mistakes
(`Variant`s, each named only when it reproduces the student's numbers on every case),
with a result of several parts judged part by part (`Piece`). He initialisation stays a
checker function, since it judges random draws by their statistics; the two numbers are
`NumberExercise` declarations. Variants of the book's steps are accepted on purpose, with a
note: ε inside the square root (√(G + ε), √(v̂ + ε)), as some libraries do, and Adam's
corrections folded into the rate; both differ from the book's step only for a large ε.
"""

from __future__ import annotations

import numbers

import numpy as np

from nnlib import optim
from nnlib.checks import Reject, array_text, call_student, checker, kind_of
from nnlib.checks.engine import (
    CodeExercise,
    Piece,
    Variant,
    as_array,
    as_number,
    as_parts,
    close,
    code_checker,
    finite,
    first_match,
    reject_match,
)
from nnlib.checks.numeric import Mistake, NumberExercise, number_checker
from nnlib.optim import adagrad, adam, momentum

# 1. He initialisation ----------------------------------------------------------------------

_HE_SIZES = ((200, 800), (800, 200))  # n_in ≠ n_out, both ways round: n_out mix-ups show

# Each computes the standard deviation the mistake gives, from (n_in, n_out).
_HE_MISTAKES = [
    Variant(
        "variance-as-std",
        "Your weights have standard deviation 2/n_in: that is the *variance* of He "
        "initialisation. The standard deviation is its square root, np.sqrt(2 / n_in); "
        "rng.normal(0, scale, ...) and scale * rng.standard_normal(...) both take the "
        "standard deviation.",
        lambda n_in, n_out: 2 / n_in,
    ),
    Variant(
        "used-n-out",
        "Your standard deviation is √(2/n_out). He initialisation keeps the variance of "
        "each unit's weighted sum steady, and that sum adds up n_in inputs: use "
        "np.sqrt(2 / n_in).",
        lambda n_in, n_out: np.sqrt(2 / n_out),
    ),
    Variant(
        "xavier",
        "Your standard deviation is √(2/(n_in + n_out)): that is Xavier (Glorot) "
        "initialisation, meant for tanh. He initialisation, for ReLU, uses √(2/n_in).",
        lambda n_in, n_out: np.sqrt(2 / (n_in + n_out)),
    ),
    Variant(
        "missing-factor-2",
        "Your standard deviation is √(1/n_in) (LeCun's rule). ReLU sets half of the "
        "weighted sums to zero, and He initialisation makes up for it with a factor 2: "
        "√(2/n_in).",
        lambda n_in, n_out: np.sqrt(1 / n_in),
    ),
]


def _excess_kurtosis(values):
    z = (values - values.mean()) / values.std()
    return float(np.mean(z**4) - 3)


def _he_draw(func, n_in, n_out, seed):
    """The student's weights for one size, drawn with a generator of the given seed."""
    got = call_student(func, "he_normal", n_in, n_out, np.random.default_rng(seed))
    return as_array(got, f"`he_normal({n_in}, {n_out}, rng)`")


def _he_shape_hint(shape):
    return "A weight matrix has one row per input and one column per output unit."


@checker("He initialisation by hand")
def he_normal(func):
    """Check `func(n_in, n_out, rng)`: an (n_in, n_out) array from N(0, 2/n_in), drawn with
    the generator it was given."""
    name = "he_normal"
    for n_in, n_out in _HE_SIZES:
        seed = 11 + n_in
        got = call_student(func, name, n_in, n_out, np.random.default_rng(seed))
        try:
            W = as_array(got, f"`{name}({n_in}, {n_out}, rng)`", (n_in, n_out), hint=_he_shape_hint)
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
        if not finite(W):
            raise Reject("not-a-number", "Your weights contain inf or nan.")
        if float(W.std()) == 0:
            raise Reject(
                "constant",
                "All your weights are equal. Equal weights give every unit the same gradient, "
                "so the units stay copies of each other: draw them at random.",
            )
        again = _he_draw(func, n_in, n_out, seed)
        if again.shape != W.shape or not np.array_equal(again, W):
            raise Reject(
                "not-reproducible",
                "Two calls with generators made from the same seed gave different weights, "
                "so your weights do not come from `rng`. Draw them with the generator you are "
                "given, e.g. rng.standard_normal((n_in, n_out)), not with np.random.randn or "
                "a generator of your own: only then does a seed make a run repeatable.",
            )
        other = _he_draw(func, n_in, n_out, seed + 1)
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
        # A mistake is named when it gives the standard deviation (within 3%) of both sizes.
        if first_match([std], [(n_in, n_out)], _HE_MISTAKES, rtol=0.03, atol=0):
            other_size = next(s for s in _HE_SIZES if s != (n_in, n_out))
            stds = [std, float(np.std(_he_draw(func, *other_size, 3)))]
            reject_match(stds, [(n_in, n_out), other_size], _HE_MISTAKES, rtol=0.03, atol=0)
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

_XAVIER_VARIANCE_MISTAKES = [
    Variant(
        "std-not-variance",
        "Your first number is √(2/(n_in + n_out)): that is the standard deviation. The "
        "variance is its square, 2/(n_in + n_out), without the square root.",
        lambda n_in, n_out: np.sqrt(2 / (n_in + n_out)),
    ),
    Variant(
        "lecun-variance",
        "Your variance is 1/n_in, LeCun's rule, which only looks at the forward pass. "
        "Xavier averages the forward and backward needs: 2/(n_in + n_out).",
        lambda n_in, n_out: 1 / n_in,
    ),
    Variant(
        "he-variance",
        "Your variance is 2/n_in, He initialisation (for ReLU). Xavier's is 2/(n_in + n_out).",
        lambda n_in, n_out: 2 / n_in,
    ),
    Variant(
        "missing-factor-2",
        "Your variance is 1/(n_in + n_out): the 2 is missing. Xavier's compromise between "
        "1/n_in and 1/n_out is 2/(n_in + n_out).",
        lambda n_in, n_out: 1 / (n_in + n_out),
    ),
]

_XAVIER_LIMIT_MISTAKES = [
    Variant(
        "limit-is-std",
        "Your limit a is the standard deviation √(2/(n_in + n_out)). But U(−a, a) has "
        "variance a²/3, not a², so a must be √3 times larger: a = √(6/(n_in + n_out)).",
        lambda n_in, n_out: np.sqrt(2 / (n_in + n_out)),
    ),
    Variant(
        "limit-is-variance",
        "Your limit equals the variance. Solve a²/3 = 2/(n_in + n_out) for a: "
        "a = √(6/(n_in + n_out)).",
        lambda n_in, n_out: 2 / (n_in + n_out),
    ),
    Variant(
        "limit-divided-by-3",
        "Your limit is √(variance/3), but the variance of U(−a, a) is a²/3, so "
        "a = √(3 · variance) = √(6/(n_in + n_out)).",
        lambda n_in, n_out: np.sqrt(2 / (3 * (n_in + n_out))),
    ),
    Variant(
        "limit-missing-sqrt",
        "Your limit is 6/(n_in + n_out), which is a², not a: take the square root.",
        lambda n_in, n_out: 6 / (n_in + n_out),
    ),
    Variant(
        "he-uniform-limit",
        "Your limit is √(6/n_in), the limit of he_uniform. Xavier's is √(6/(n_in + n_out)).",
        lambda n_in, n_out: np.sqrt(6 / n_in),
    ),
]


def _xavier_result(got, case, right):
    """The student's (variance, limit) for one size, as two numbers."""
    variance, limit = as_parts(got, ("variance", "limit"), "`xavier_scales(n_in, n_out)`")
    sizes = "for n_in = {}, n_out = {}".format(*case)
    return [as_number(variance, f"The variance {sizes}"), as_number(limit, f"The limit {sizes}")]


xavier_scales = code_checker(
    CodeExercise(
        title="The scales of the Xavier rule",
        name="xavier_scales",
        reference=lambda n_in, n_out: (2 / (n_in + n_out), np.sqrt(6 / (n_in + n_out))),
        cases=lambda: _XAVIER_SIZES,
        result=_xavier_result,
        mistakes=[
            Variant(
                "swapped",
                "Your two numbers are swapped: return (variance, limit).",
                lambda n_in, n_out: (np.sqrt(6 / (n_in + n_out)), 2 / (n_in + n_out)),
            )
        ],
        pieces=[
            Piece(
                "variance",
                lambda result: result[0],
                "wrong-variance",
                lambda case, got, right: (
                    "For n_in = {} and n_out = {} the variance is "
                    "2/({} + {}) = {:.6f}; yours is {:.6f}.".format(*case, *case, right, got)
                ),
                _XAVIER_VARIANCE_MISTAKES,
            ),
            Piece(
                "limit",
                lambda result: result[1],
                "wrong-limit",
                lambda case, got, right: (
                    "For n_in = {} and n_out = {} the limit is "
                    "√(6/({} + {})) = {:.6f}; yours is {:.6f}. U(−a, a) has variance "
                    "a²/3.".format(*case, *case, right, got)
                ),
                _XAVIER_LIMIT_MISTAKES,
            ),
        ],
        mismatch=None,  # the pieces judge every part
        success="Right: variance 2/(n_in + n_out), so standard deviation √(2/(n_in + n_out)), "
        "and the uniform limit √(6/(n_in + n_out)) that gives the same variance.",
    )
)


# Optimiser steps: shared cases and reading -------------------------------------------------


def _vectors(seed, n=4):
    rng = np.random.default_rng(seed)
    return rng.normal(size=n), rng.normal(size=n), rng.normal(size=n)


def _library_step(optimizer, theta, state, g):
    """One update of an nnlib optimiser from a given state: (new θ, new state)."""
    updates, new_state = optimizer.update(g, state)
    return theta + updates, new_state


def _like_theta(shape):
    return "Every value the step returns has the shape of `theta`: one entry per parameter."


def _step_result(who, names):
    """The reader of a step's result: one float array of `theta`'s shape per name, in
    order. `who` is the call in a sentence."""

    def read(result, case, right):
        return [
            as_array(part, f"The new {n}", case[0].shape, hint=_like_theta)
            for part, n in zip(as_parts(result, names, who), names, strict=True)
        ]

    return read


def _step_pieces(cases, states, theta, marked=False):
    """The parts of a step's result, judged in turn: each state, (name, rule, mistakes), in
    the order the step returns them after θ; then θ, (rule, mistakes), once the states are
    right. `rule` says how a part is computed; a `marked` θ is compared `_marked`, so that
    a nan can match a mistake's."""
    names = [name for name, _, _ in states]
    states_right = f"Your {' and '.join(names)} {'is' if len(names) == 1 else 'are'} right. "

    def piece(index, name, code, rule, mistakes, before="", mark=False):
        def mismatch(case, got, right):
            got, right = (_unmarked(got), _unmarked(right)) if mark else (got, right)
            nth = next(i for i, c in enumerate(cases()) if np.array_equal(c[0], case[0]))
            return (
                f"{before}For the {('first', 'second', 'third')[nth]} case the new {name} "
                f"should be {array_text(right)}; yours is {array_text(got)}. {rule}"
            )

        pick = (lambda result: _marked(result[index])) if mark else (lambda result: result[index])
        return Piece(name, pick, code, mismatch, mistakes)

    return [
        *(piece(i, name, f"wrong-{name}", *part) for i, (name, *part) in enumerate(states, 1)),
        piece(0, "θ", "wrong-theta", *theta, before=states_right, mark=marked),
    ]


def _eps_probe(call, read, right, probe, accepted, missing, success):
    """The success sentence of a step whose ε may also sit where some libraries put it:
    the step on `probe`, a case with a large ε, tells the book's step from an `accepted`
    variant (a list of (its θ on a case, its note)) and from an ε left out (`missing`)."""

    def judge(func):
        theta, right_theta = read(call(func, probe), probe, None)[0], right(*probe)[0]
        if close(theta, right_theta):
            return success
        note = next((note for variant, note in accepted if close(theta, variant(*probe))), None)
        if note is None:
            raise Reject("ignores-eps", missing)
        return note

    return judge


# 3. One step of momentum -------------------------------------------------------------------


def _momentum_cases():
    theta, v, g = _vectors(31)
    yield theta, v, g, 0.1, 0.9
    theta, v, g = _vectors(32)
    yield theta, 3 * v, g, 0.05, 0.75


def _momentum_right(theta, v, g, lr, beta):
    new_theta, state = _library_step(momentum(lr, beta), theta, {"v": v}, g)
    return new_theta, state["v"]


_MOMENTUM_V_MISTAKES = [
    Variant(
        "no-one-minus-beta",
        "Your v is β v + g, the convention of some libraries: the same method, but its v is "
        "1/(1 − β) times larger, so it needs a learning rate (1 − β) times smaller. This book "
        "(and nnlib.optim.momentum) keeps v an average of the gradients: "
        "v = β v + (1 − β) g.",
        lambda theta, v, g, lr, beta: beta * v + g,
    ),
    Variant(
        "beta-swapped",
        "Your v is (1 − β) v + β g: β and 1 − β are swapped. With β = 0.9 the old average "
        "should keep 90% of its weight: v = β v + (1 − β) g.",
        lambda theta, v, g, lr, beta: (1 - beta) * v + beta * g,
    ),
    Variant(
        "v-not-updated",
        "Your function returns v unchanged. The new v, β v + (1 − β) g, is part of the "
        "answer: the next step needs it.",
        lambda theta, v, g, lr, beta: v,
    ),
    Variant(
        "velocity-form",
        "Your v is β v − α g, the 'velocity' form of momentum, where v holds the step itself "
        "and θ ← θ + v. This exercise uses the book's form: v = β v + (1 − β) g, then "
        "θ = θ − α v.",
        lambda theta, v, g, lr, beta: beta * v - lr * g,
    ),
]

_MOMENTUM_THETA_MISTAKES = [
    Variant(
        "step-with-gradient",
        "Your v is right, but θ moved by −α g, the plain gradient step. Momentum steps "
        "along the average: θ = θ − α v with the new v.",
        lambda theta, v, g, lr, beta: theta - lr * g,
    ),
    Variant(
        "step-with-old-v",
        "Your θ moved with the old v. Update v first, then step with the new one: θ = θ − α v_new.",
        lambda theta, v, g, lr, beta: theta - lr * v,
    ),
    Variant(
        "ascent",
        "Your θ moved uphill: θ = θ − α v, with a minus.",
        lambda *case: case[0] + case[3] * _momentum_right(*case)[1],
    ),
    Variant(
        "forgot-learning-rate",
        "Your θ moved by the whole v: multiply it by the learning rate, θ = θ − α v.",
        lambda *case: case[0] - _momentum_right(*case)[1],
    ),
]


momentum_step = code_checker(
    CodeExercise(
        title="One step of momentum",
        name="momentum_step",
        reference=_momentum_right,
        cases=_momentum_cases,
        result=_step_result("`momentum_step(theta, v, g, lr, beta)`", ("theta", "v")),
        changes="note",
        pieces=_step_pieces(
            _momentum_cases,
            [("v", "It is v = β v + (1 − β) g.", _MOMENTUM_V_MISTAKES)],
            ("It is θ = θ − α v with the new v.", _MOMENTUM_THETA_MISTAKES),
        ),
        mismatch=None,  # the pieces judge every part
        success="Right: v = β v + (1 − β) g, a running average of the gradients, then θ = θ − α v.",
    )
)


# 4. One step of AdaGrad --------------------------------------------------------------------


def _adagrad_cases():
    theta, G, g = _vectors(41)
    yield theta, G**2 + 0.5, g, 0.1, 1e-8
    theta, G, g = _vectors(42)
    yield theta, 4 * G**2 + 0.1, 3 * g, 0.5, 1e-8


# A case with a large ε, which tells where the student's ε goes.
_ADAGRAD_PROBE = (np.array([1.0, -2.0]), np.array([0.04, 0.01]), np.array([0.1, -0.2]), 0.1, 0.25)


def _adagrad_right(theta, G, g, lr, eps):
    new_theta, state = _library_step(adagrad(lr, eps), theta, {"G": G}, g)
    return new_theta, state["G"]


def _adagrad_inside(theta, G, g, lr, eps):
    return theta - lr * g / np.sqrt(G + g**2 + eps)


def _adagrad_theta(theta, G, g, lr, eps, G_used, root=True, sign=-1):
    """θ after a step that divides by `G_used` (its root, unless `root` is False)."""
    scale = np.sqrt(G_used) if root else G_used
    return theta + sign * lr * g / (scale + eps)


_ADAGRAD_G_MISTAKES = [
    Variant(
        "G-not-accumulated",
        "Your new G is g², the square of this step's gradient only. AdaGrad adds it to the "
        "sum of all earlier squares: G = G + g².",
        lambda theta, G, g, lr, eps: g**2,
    ),
    Variant(
        "G-not-squared",
        "Your G adds the gradient itself, not its square: G = G + g**2 (the squares are "
        "never negative, so √G is always defined).",
        lambda theta, G, g, lr, eps: G + g,
    ),
    Variant(
        "G-not-updated",
        "Your function returns G unchanged: add the squared gradient, G = G + g², and "
        "return the new G for the next step.",
        lambda theta, G, g, lr, eps: G,
    ),
]

_ADAGRAD_THETA_MISTAKES = [
    Variant(
        "old-G",
        "Your step divides by √G from *before* this step's gradient was added. Update "
        "G = G + g² first, then divide by its root; otherwise the very first step "
        "divides by √0 + ε.",
        lambda theta, G, g, lr, eps: _adagrad_theta(theta, G, g, lr, eps, G),
    ),
    Variant(
        "missing-sqrt",
        "Your step divides by G itself. AdaGrad divides by its square root, √G + ε, so "
        "that the step has the units of θ.",
        lambda theta, G, g, lr, eps: _adagrad_theta(theta, G, g, lr, eps, G + g**2, root=False),
    ),
    Variant(
        "ascent",
        "Your θ moved uphill: θ = θ − α g / (√G + ε), with a minus.",
        lambda theta, G, g, lr, eps: _adagrad_theta(theta, G, g, lr, eps, G + g**2, sign=1),
    ),
    Variant(
        "forgot-learning-rate",
        "Your step is missing the learning rate α: θ = θ − α g / (√G + ε).",
        lambda theta, G, g, lr, eps: theta - g / (np.sqrt(G + g**2) + eps),
    ),
]


def _call_adagrad(func, case):
    return call_student(func, "adagrad_step", *case, changes="note")


_read_adagrad = _step_result("`adagrad_step(theta, G, g, lr, eps)`", ("theta", "G"))

adagrad_step = code_checker(
    CodeExercise(
        title="One step of AdaGrad",
        name="adagrad_step",
        reference=_adagrad_right,
        cases=_adagrad_cases,
        call=_call_adagrad,
        result=_read_adagrad,
        pieces=_step_pieces(
            _adagrad_cases,
            [("G", "It is G = G + g².", _ADAGRAD_G_MISTAKES)],
            ("It is θ = θ − α g / (√G + ε) with the new G.", _ADAGRAD_THETA_MISTAKES),
        ),
        mismatch=None,  # the pieces judge every part
        success=_eps_probe(
            _call_adagrad,
            _read_adagrad,
            _adagrad_right,
            _ADAGRAD_PROBE,
            accepted=[
                (
                    _adagrad_inside,
                    "Right, with one difference from the book, which is accepted: you put ε "
                    "inside the square root, √(G + ε), as some libraries do. The book adds it "
                    "outside, √G + ε; with ε = 1e-8 the two agree unless G is tiny.",
                )
            ],
            missing="Your step is right for ε = 1e-8 but not for a larger ε: does your function "
            "use its `eps` argument, and is it added to √G in the denominator? The step is "
            "α g / (√G + eps).",
            success="Right: G collects every squared gradient, and each parameter steps by "
            "α / (√G + ε) times its gradient, so its rate only shrinks.",
        ),
    )
)


# 5. One step of Adam -----------------------------------------------------------------------


def _adam_cases():
    """(theta, m, v, g, t, lr, beta1, beta2, eps): a first step from zero state with a zero
    gradient entry (where ε prevents 0/0), and later steps with earlier averages."""
    theta, g = np.array([0.5, -1.2, 2.0, 0.3]), np.array([0.2, -3.0, 0.0, 0.05])
    yield theta, np.zeros(4), np.zeros(4), g, 1, 0.01, 0.9, 0.999, 1e-8
    theta, m, g = _vectors(51)
    yield theta, 0.3 * m, 0.2 * m**2 + 0.05, g, 3, 0.1, 0.8, 0.99, 1e-8
    theta, m, g = _vectors(52)
    yield theta, 0.5 * m, 0.4 * m**2 + 0.1, 2 * g, 40, 0.001, 0.9, 0.999, 1e-8


# A second step with a large ε, which tells where the student's ε goes.
_ADAM_PROBE = (
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


def _adam_parts(case, t_used=None, correct_m=True, correct_v=True):
    """m, v, m̂, v̂ for one case (with another t, or a correction left out, for mistakes)."""
    _, m, v, g, t, _, b1, b2, _ = case
    t = t if t_used is None else t_used
    m_new = b1 * m + (1 - b1) * g
    v_new = b2 * v + (1 - b2) * g**2
    m_hat = m_new / (1 - b1**t) if correct_m else m_new
    v_hat = v_new / (1 - b2**t) if correct_v else v_new
    return m_new, v_new, m_hat, v_hat


def _adam_right(theta, m, v, g, t, lr, b1, b2, eps):
    state = {"t": t - 1, "m": m, "v": v}
    new_theta, new_state = _library_step(adam(lr, b1, b2, eps), theta, state, g)
    return new_theta, new_state["m"], new_state["v"]


def _adam_inside(*case):
    theta, lr, eps = case[0], case[5], case[8]
    _, _, m_hat, v_hat = _adam_parts(case)
    return theta - lr * m_hat / np.sqrt(v_hat + eps)


def _adam_folded(*case):
    """Kingma & Ba's cheaper ordering: the two corrections folded into the rate,
    θ − α √(1 − β2**t) / (1 − β1**t) · m / (√v + ε); ε then acts a little smaller."""
    theta, _, _, _, t, lr, b1, b2, eps = case
    m_new, v_new, _, _ = _adam_parts(case)
    rate = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
    return theta - rate * m_new / (np.sqrt(v_new) + eps)


def _marked(theta):
    """θ with its nan, +inf and −inf spelled out as masks beside the finite values, so that
    a mistake that divides by 0 is named when it puts nan where the student's step has them."""
    theta = np.asarray(theta, dtype=float)
    values = np.nan_to_num(theta, nan=0.0, posinf=0.0, neginf=0.0)
    return values, np.isnan(theta), np.isposinf(theta), np.isneginf(theta)


def _unmarked(marked):
    """The θ that `_marked` spelled out, with its nan and infinities back in place."""
    values, nan, posinf, neginf = marked
    return np.select([nan, posinf, neginf], [np.nan, np.inf, -np.inf], values)


def _adam_theta(case, numerator=None, denominator=None, sign=-1, **parts):
    """θ (`_marked`) for a variant of Adam's step: other parts, another numerator or
    denominator."""
    theta, lr, eps = case[0], case[5], case[8]
    _, _, m_hat, v_hat = _adam_parts(case, **parts)
    top = m_hat if numerator is None else numerator
    bottom = np.sqrt(v_hat) + eps if denominator is None else denominator
    return _marked(theta + sign * lr * top / bottom)


_ADAM_M_MISTAKES = [
    Variant(
        "returned-corrected-state",
        "Your new m is the bias-corrected m̂. Return the plain running average "
        "m = β1 m + (1 − β1) g as the state: m̂ is only for this step. If m̂ is stored, the "
        "next step corrects it again, and the steps come out too large.",
        lambda *case: _adam_parts(case)[2],
    ),
    Variant(
        "betas-swapped",
        "Your m uses β2: m averages the gradients with β1 (0.9), v their squares with β2 (0.999).",
        lambda theta, m, v, g, t, lr, b1, b2, eps: b2 * m + (1 - b2) * g,
    ),
    Variant(
        "m-without-one-minus-beta",
        "Your m is β1 m + g. Adam keeps a proper average: m = β1 m + (1 − β1) g.",
        lambda theta, m, v, g, t, lr, b1, b2, eps: b1 * m + g,
    ),
    Variant(
        "m-not-updated",
        "Your function returns m unchanged: update it, m = β1 m + (1 − β1) g.",
        lambda theta, m, v, g, t, lr, b1, b2, eps: m,
    ),
]

_ADAM_V_MISTAKES = [
    Variant(
        "returned-corrected-state",
        "Your new v is the bias-corrected v̂. Return the plain running average "
        "v = β2 v + (1 − β2) g² as the state: v̂ is only for this step.",
        lambda *case: _adam_parts(case)[3],
    ),
    Variant(
        "v-not-squared",
        "Your v averages the gradients g, not their squares: v = β2 v + (1 − β2) g**2.",
        lambda theta, m, v, g, t, lr, b1, b2, eps: b2 * v + (1 - b2) * g,
    ),
    Variant(
        "betas-swapped",
        "Your v uses β1: v averages the squared gradients with β2 (0.999).",
        lambda theta, m, v, g, t, lr, b1, b2, eps: b1 * v + (1 - b1) * g**2,
    ),
    Variant(
        "v-not-updated",
        "Your function returns v unchanged: update it, v = β2 v + (1 − β2) g².",
        lambda theta, m, v, g, t, lr, b1, b2, eps: v,
    ),
]

# Each computes the new θ `_marked`: two of these mistakes divide by 0.
_ADAM_THETA_MISTAKES = [
    Variant(
        "no-bias-correction",
        "Your step uses m and v without the bias correction. Both start at 0, so early "
        "on they are too small (v far more than m), and the first steps come out "
        "several times too large. Divide first: m̂ = m / (1 − β1**t), "
        "v̂ = v / (1 − β2**t).",
        lambda *case: _adam_theta(case, correct_m=False, correct_v=False),
    ),
    Variant(
        "only-m-corrected",
        "You corrected m but not v. v needs it even more, since β2 = 0.999 is so close "
        "to 1: v̂ = v / (1 − β2**t).",
        lambda *case: _adam_theta(case, correct_v=False),
    ),
    Variant(
        "only-v-corrected",
        "You corrected v but not m: m̂ = m / (1 − β1**t) as well.",
        lambda *case: _adam_theta(case, correct_m=False),
    ),
    Variant(
        "t-zero-based",
        "Your correction uses t − 1. Steps are counted from 1: at the first step t = 1 "
        "and 1 − β**t = 1 − β. With t = 0 it would divide by 1 − β⁰ = 0.",
        lambda *case: _adam_theta(case, t_used=case[4] - 1),
    ),
    Variant(
        "t-one-too-many",
        "Your correction uses t + 1, but `t` is already the number of this step (1 for "
        "the first): use 1 − β**t as it is, without adding 1.",
        lambda *case: _adam_theta(case, t_used=case[4] + 1),
    ),
    Variant(
        "used-gradient",
        "Your step divides the gradient g by √v̂: that is RMSProp. Adam steps along the "
        "average of the gradients, m̂ / (√v̂ + ε).",
        lambda *case: _adam_theta(case, numerator=case[3]),
    ),
    Variant(
        "used-gradient",
        "Your numerator is the gradient g (corrected by 1 − β1**t), not the average m̂. "
        "Adam steps along m̂ / (√v̂ + ε).",
        lambda *case: _adam_theta(case, numerator=case[3] / (1 - case[6] ** case[4])),
    ),
    Variant(
        "used-m-squared",
        "Your denominator is √(m̂²) = |m̂|, so every step is ±α whatever the gradients. "
        "Divide by the root of v̂, the average of the *squared* gradients.",
        lambda *case: _adam_theta(case, denominator=np.abs(_adam_parts(case)[2]) + case[8]),
    ),
    Variant(
        "ascent",
        "Your θ moved uphill: θ = θ − α m̂ / (√v̂ + ε), with a minus.",
        lambda *case: _adam_theta(case, sign=1),
    ),
    Variant(
        "missing-eps",
        "Your step leaves out ε. Where a gradient is exactly 0 at the first step, "
        "m̂ = v̂ = 0 and your step is 0/0 = nan, which ruins the parameter for good. Divide "
        "by √v̂ + ε.",
        lambda *case: _adam_theta(case, denominator=np.sqrt(_adam_parts(case)[3])),
    ),
]


def _call_adam(func, case):
    """The student's `adam_step` on one case; a division by zero at the first step is
    named as the t − 1 it usually comes from."""
    try:
        return call_student(func, "adam_step", *case, changes="note")
    except Reject as verdict:
        if case[4] == 1 and "ZeroDivisionError" in verdict.message:
            raise Reject(
                "t-zero-based",
                verdict.message + "\nAt the first step t = 1, so 1 − β**t = 1 − β. "
                "It looks as if your correction used t − 1 = 0, and 1 − β⁰ = 0.",
            ) from None
        raise


_read_adam = _step_result(
    "`adam_step(theta, m, v, g, t, lr, beta1, beta2, eps)`", ("theta", "m", "v")
)

adam_step = code_checker(
    CodeExercise(
        title="One step of Adam",
        name="adam_step",
        reference=_adam_right,
        cases=_adam_cases,
        call=_call_adam,
        result=_read_adam,
        pieces=_step_pieces(
            _adam_cases,
            [
                ("m", "It is m = β1 m + (1 − β1) g.", _ADAM_M_MISTAKES),
                ("v", "It is v = β2 v + (1 − β2) g².", _ADAM_V_MISTAKES),
            ],
            (
                "It is θ = θ − α m̂ / (√v̂ + ε) with m̂ = m / (1 − β1**t) and v̂ = v / (1 − β2**t).",
                _ADAM_THETA_MISTAKES,
            ),
            marked=True,
        ),
        mismatch=None,  # the pieces judge every part
        success=_eps_probe(
            _call_adam,
            _read_adam,
            _adam_right,
            _ADAM_PROBE,
            accepted=[
                (
                    _adam_inside,
                    "Right, with one difference from the book, which is accepted: you put ε "
                    "inside the square root, √(v̂ + ε), as some libraries do. Kingma & Ba and "
                    "the book add it outside, √v̂ + ε; with ε = 1e-8 the two agree unless v̂ is "
                    "tiny.",
                ),
                (
                    _adam_folded,
                    "Right, in the cheaper order of Kingma & Ba's paper, which is accepted: you "
                    "fold both corrections into the rate, α √(1 − β2**t) / (1 − β1**t), and "
                    "divide m by √v + ε. That ε is in effect ε √(1 − β2**t), a little smaller "
                    "than the book's; with ε = 1e-8 the two steps agree.",
                ),
            ],
            missing="Your step is right for ε = 1e-8 but not for a larger ε: does your function "
            "use its `eps` argument, and is it added to √v̂ in the denominator? The step is "
            "α m̂ / (√v̂ + eps).",
            success="Right: two running averages, each divided by 1 − β**t so that they are true "
            "averages from the first step, and a step of about α along m̂ / √v̂.",
        ),
    )
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


_CLIP_MISTAKES = [
    Variant(
        "mean-of-squares",
        "Your norm adds up each array's *mean* square, which makes it too small (by a "
        "factor that depends on the sizes of the arrays), so long gradients are clipped "
        "too little or not at all. The global norm adds up every square: "
        "‖g‖ = √(Σ over all arrays of Σ g²), np.sum, not np.mean.",
        lambda grads, c: _scaled(grads, min(1.0, c / np.sqrt(sum(np.mean(g**2) for g in grads)))),
    ),
    Variant(
        "clipped-each-array",
        "You clipped each array by its own norm: every array longer than max_norm was "
        "shortened on its own, by its own factor. That changes the direction of the whole "
        "gradient, and the whole can still be longer than max_norm (or be left alone when "
        "every array is short but together they are long). Clipping by the *global* norm "
        "takes one norm for all the arrays together, ‖g‖ = √(Σ over all arrays of Σ g²), "
        "and multiplies every array by the same factor min(1, max_norm / ‖g‖).",
        lambda grads, c: [g * min(1.0, c / np.linalg.norm(g)) for g in grads],
    ),
    Variant(
        "clipped-by-value",
        "Your function cuts every entry to [−max_norm, max_norm], as np.clip does: that is "
        "clipping by value. It changes the direction of the gradient (large entries are cut, "
        "small ones kept) and does not bound its length: many entries just below max_norm "
        "still make a long gradient. Clipping by the global norm rescales the whole "
        "gradient: multiply every array by min(1, max_norm / ‖g‖).",
        lambda grads, c: [np.clip(g, -c, c) for g in grads],
    ),
    Variant(
        "always-rescaled",
        "Your function scales the gradient to length max_norm even when it is shorter, so a "
        "short gradient comes back longer than it was. Clipping only ever shortens: the "
        "factor is min(1, max_norm / ‖g‖), and a gradient shorter than max_norm passes "
        "unchanged.",
        lambda grads, c: _scaled(grads, c / _norm(grads)),
    ),
    Variant(
        "max-not-min",
        "Your factor is max(1, max_norm / ‖g‖): short gradients are stretched to length "
        "max_norm and long ones are left as they are, the opposite of clipping. The factor "
        "is min(1, max_norm / ‖g‖).",
        lambda grads, c: _scaled(grads, max(1.0, c / _norm(grads))),
    ),
    Variant(
        "squared-norm",
        "Your factor divides by ‖g‖², the sum of the squares, not by ‖g‖: the norm is the "
        "square root of that sum, np.sqrt(sum(np.sum(g**2) for g in grads)). Without the "
        "root, a long gradient is shortened far too much.",
        lambda grads, c: _scaled(grads, min(1.0, c / _norm(grads) ** 2)),
    ),
    Variant(
        "not-clipped",
        "Your function returns the gradient unchanged, even when it is longer than "
        "max_norm. Compute ‖g‖ = √(Σ over all arrays of Σ g²), then multiply every array "
        "by min(1, max_norm / ‖g‖).",
        lambda grads, c: [g.copy() for g in grads],
    ),
]


def _one_number(value):
    """`value` as a float when it is one real number (not a bool, nor a list of one), else
    None."""
    if not isinstance(value, numbers.Number | np.ndarray) or np.ndim(value) != 0:
        return None
    try:
        return as_number(value, "The result")
    except Reject:
        return None


def _same_shape_as_grads(shape):
    return "Each array keeps the shape of its array of grads: scale * g."


def _clip_arrays(result, case, right=None):
    """The student's result for one case as a list of float arrays shaped like the
    gradient, or the verdict on what it is instead."""
    grads, c = case
    name = "clip_by_global_norm"
    number = _one_number(result)
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
        right = np.concatenate([np.ravel(g) for g in optim.clip_by_global_norm(grads, c)])
        if close(result, right):
            raise Reject(
                "flattened",
                f"`{name}` returns one long vector: all the arrays, clipped, flattened and "
                "joined. The numbers are right, but the caller needs the gradient in its own "
                "shape, one array per parameter: return [scale * g for g in grads] instead of "
                "joining them.",
            )
    if not isinstance(result, list | tuple) or len(result) != len(grads):
        raise Reject(
            "not-a-list" if not isinstance(result, list | tuple) else "wrong-structure",
            f"`{name}` should return a list of {len(grads)} arrays, one per array of grads "
            f"and with the same shapes, but it returned {kind_of(result)}.",
        )
    return [
        as_array(item, f"Array {index} of your result", g.shape, hint=_same_shape_as_grads)
        for index, (item, g) in enumerate(zip(result, grads, strict=True))
    ]


def _call_clip(func, case):
    """The student's `func(grads, c)` on copies of the arrays, with what can go wrong turned
    into a verdict that describes `grads` by its shapes (not a screenful of numbers)."""
    grads, c = case
    name = "clip_by_global_norm"
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


def _zero_gradient(func):
    """An all-zero gradient (‖g‖ = 0, as at a minimum) must come back unchanged."""
    zeros = [np.zeros(shape) for shape in _CLIP_SHAPES]
    try:
        got = _clip_arrays(_call_clip(func, (zeros, 1.0)), (zeros, 1.0))
    except Reject as verdict:
        if verdict.code not in ("raised", "returned-factor", "returned-norm", "not-a-list"):
            raise
        got = None
        detail = (
            "it raised " + verdict.message.split(" raised ", 1)[-1]
            if verdict.code == "raised"
            else "it did not return a list of arrays"
        )
    else:
        shown = array_text(got[1])
        detail = "it returned nan" if not finite(got) else f"its second array came back {shown}"
    if got is None or not close(got, zeros):
        raise Reject(
            "zero-gradient",
            "Your function is right for every gradient but an all-zero one (‖g‖ = 0, as at "
            f"a minimum): {detail.rstrip('.')}. A zero gradient is shorter than any max_norm "
            "and should come back unchanged. Divide only when ‖g‖ > max_norm, or write the "
            "factor as max_norm / max(‖g‖, max_norm), which never divides by 0.",
        )


clip_by_global_norm = code_checker(
    CodeExercise(
        title="Clipping a gradient by its global norm",
        name="clip_by_global_norm",
        reference=optim.clip_by_global_norm,
        cases=_clip_cases,
        call=_call_clip,
        result=_clip_arrays,
        mistakes=_CLIP_MISTAKES,
        mismatch=lambda case, got, right: (
            f"For a gradient of global norm ‖g‖ = {_norm(case[0]):.4f} and max_norm = "
            f"{case[1]:g}, the first array should become {array_text(right[0])}; yours is "
            f"{array_text(got[0])}. Compute ‖g‖ = √(Σ over all arrays of Σ g²), then multiply "
            "every array by the same factor min(1, max_norm / ‖g‖)."
        ),
        start=lambda case: case[0],
        spread=True,
        what="your clipped gradients",
        probes=[_zero_gradient],
        success="Right: one norm for the whole gradient, √(Σ g²) over every entry of every "
        "array, and one factor min(1, max_norm / ‖g‖) for every array, so the direction is "
        "kept and a gradient shorter than max_norm passes unchanged. This is "
        "nnlib.optim.clip_by_global_norm.",
    )
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
