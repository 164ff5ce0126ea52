"""Checkers for the training-recipe exercises (exercises/10_training_recipe.ipynb).

Usage in the notebook: `from nnlib.checks import training_recipe as check`, then for
example `check.update_ratios(update_ratios)`.

The code checkers are declarations (`CodeExercise`) judged by nnlib.checks.engine: the
reference, the cases, the typical mistakes as `Variant`s (each names a wrong answer only
when it reproduces the student's answers on every case), and `flaws` for what a nan in the
answer means. Each keeps its own code for a difference nothing names (`unnamed`).
"""

from __future__ import annotations

import re
from functools import partial

import numpy as np

from nnlib.checks import Reject, array_text, call_student, kind_of
from nnlib.checks.engine import CodeExercise, Variant, as_float, code_checker, finite, summary
from nnlib.checks.numeric import Mistake, NumberExercise, number_checker

_norm = np.linalg.norm

# 1. The update-to-weight ratio -------------------------------------------------------------


def _ratio_cases():
    """Pairs (params_before, params_after) of small networks after one update.

    The first pair has zero biases before the step, as right after initialisation; its
    steps are small, as in real training. The second has nonzero biases and large steps,
    so that formulas which agree for tiny steps come apart."""
    rng = np.random.default_rng(100)
    cases = []
    for sizes, step_sizes, zero_biases in (
        ([6, 5, 4, 3], (0.002, 0.01, 0.005), True),
        ([4, 7, 2], (0.3, 0.08), False),
    ):
        before, after = [], []
        shapes = zip(sizes[:-1], sizes[1:], strict=True)
        for (n_in, n_out), size in zip(shapes, step_sizes, strict=True):
            W = rng.normal(scale=1 / np.sqrt(n_in), size=(n_in, n_out))
            b = np.zeros(n_out) if zero_biases else rng.normal(scale=0.5, size=n_out)
            dW = rng.normal(size=W.shape)
            dW *= size * np.linalg.norm(W) / np.linalg.norm(dW)
            db = rng.normal(scale=0.05, size=n_out)
            before.append({"W": W, "b": b})
            after.append({"W": W + dW, "b": b + db})
        cases.append((before, after))
    return cases


def _per_layer(formula):
    """A ratio formula, `formula(W_before, W_after, b_before, b_after)`, applied to every
    layer of a case: the list a variant computes."""

    def compute(before, after):
        return [formula(b["W"], a["W"], b["b"], a["b"]) for b, a in zip(before, after, strict=True)]

    return compute


_right_ratios = _per_layer(lambda W0, W1, b0, b1: float(_norm(W1 - W0) / _norm(W0)))

_RATIO_MISTAKES = [
    Variant(
        "divided-by-new-weights",
        "You divide by the norm of the weights *after* the step. The ratio compares "
        "the step with the weights it was applied to: divide by ‖W_before‖.",
        _per_layer(lambda W0, W1, b0, b1: _norm(W1 - W0) / _norm(W1)),
    ),
    Variant(
        "squared-norms",
        "Your ratio is the square of the right one: you divided sums of squares "
        "without taking their square roots. Use norms, ‖A‖ = sqrt(Σ A²) "
        "(np.linalg.norm(A)), in the numerator and the denominator.",
        _per_layer(lambda W0, W1, b0, b1: np.sum((W1 - W0) ** 2) / np.sum(W0**2)),
    ),
    Variant(
        "elementwise-ratio",
        "You average the ratios of single entries, |ΔW_jk| / |W_jk|. A weight close "
        "to 0 makes its own ratio huge and dominates the mean. Compare the whole "
        "matrices instead: ‖ΔW‖ / ‖W‖, one norm above and one below.",
        _per_layer(lambda W0, W1, b0, b1: np.mean(np.abs((W1 - W0) / W0))),
    ),
    Variant(
        "elementwise-ratio",
        "You average the ratios of single entries, ΔW_jk / W_jk. Positive and "
        "negative ones cancel, and a weight close to 0 makes its own ratio huge. "
        "Compare the whole matrices instead: ‖ΔW‖ / ‖W‖.",
        _per_layer(lambda W0, W1, b0, b1: np.mean((W1 - W0) / W0)),
    ),
    Variant(
        "included-biases",
        "Your ratio includes the biases. Use the weight matrices W only: the biases "
        "often start at 0, where a ratio means nothing, and they are few.",
        _per_layer(
            lambda W0, W1, b0, b1: (
                np.sqrt(_norm(W1 - W0) ** 2 + _norm(b1 - b0) ** 2)
                / np.sqrt(_norm(W0) ** 2 + _norm(b0) ** 2)
            )
        ),
    ),
    Variant(
        "inverted",
        "Your ratio is upside down: ‖W‖ / ‖ΔW‖. The step goes on top: "
        "‖W_after − W_before‖ / ‖W_before‖, a small number such as 0.001.",
        _per_layer(lambda W0, W1, b0, b1: _norm(W0) / _norm(W1 - W0)),
    ),
    Variant(
        "ratio-of-norms",
        "You divide the norms of the new and old weights, ‖W_after‖ / ‖W_before‖, "
        "which is close to 1 whatever the step. Take the norm of the *difference* "
        "first: ‖W_after − W_before‖ / ‖W_before‖.",
        _per_layer(lambda W0, W1, b0, b1: _norm(W1) / _norm(W0)),
    ),
    Variant(
        "difference-of-norms",
        "You subtract the norms, (‖W_after‖ − ‖W_before‖) / ‖W_before‖. A step "
        "that turns the weights without making them longer then counts as almost "
        "nothing. Take the norm of the difference: ‖W_after − W_before‖.",
        _per_layer(lambda W0, W1, b0, b1: (_norm(W1) - _norm(W0)) / _norm(W0)),
    ),
    Variant(
        "difference-of-norms",
        "You subtract the norms, |‖W_after‖ − ‖W_before‖| / ‖W_before‖. A step "
        "that turns the weights without making them longer then counts as almost "
        "nothing. Take the norm of the difference: ‖W_after − W_before‖.",
        _per_layer(lambda W0, W1, b0, b1: abs(_norm(W1) - _norm(W0)) / _norm(W0)),
    ),
    Variant(
        "not-divided",
        "You return the size of the step, ‖W_after − W_before‖, without dividing by "
        "‖W_before‖. The ratio is what makes layers of different sizes and scales "
        "comparable.",
        _per_layer(lambda W0, W1, b0, b1: _norm(W1 - W0)),
    ),
    Variant(
        "spectral-norm",
        "You used np.linalg.norm(A, 2), which for a matrix is the largest singular "
        "value, not the root of the sum of squares. Leave out the `2` (or write "
        "ord='fro'): np.linalg.norm(A).",
        _per_layer(lambda W0, W1, b0, b1: _norm(W1 - W0, 2) / _norm(W0, 2)),
    ),
    Variant(
        "standard-deviations",
        "You divide standard deviations. np.std subtracts each matrix's mean first, "
        "so it is not the norm. Use np.linalg.norm(W_after − W_before) / "
        "np.linalg.norm(W_before).",
        _per_layer(lambda W0, W1, b0, b1: np.std(W1 - W0) / np.std(W0)),
    ),
    Variant(
        "largest-entries",
        "You compare the largest entries, max |ΔW| / max |W|. The ratio uses every "
        "entry: the Frobenius norm ‖A‖ = sqrt(Σ A²), np.linalg.norm(A).",
        _per_layer(lambda W0, W1, b0, b1: np.max(np.abs(W1 - W0)) / np.max(np.abs(W0))),
    ),
    Variant(
        "absolute-sums",
        "You divide sums of absolute values. The ratio uses the Frobenius norm, the "
        "root of the sum of *squares*: np.linalg.norm(A).",
        _per_layer(lambda W0, W1, b0, b1: np.sum(np.abs(W1 - W0)) / np.sum(np.abs(W0))),
    ),
]


def _read_ratios(got, before, after):
    """The student's ratios as a list of floats, one per layer, or a verdict: one number (the
    whole network's?), a wrong count, a ratio not finite (the biases' zero norm first)."""
    n_layers = len(before)
    if isinstance(got, np.ndarray) and got.ndim == 1:
        got = list(got)
    if not isinstance(got, list | tuple):
        try:
            number = as_float(got, "")
        except Reject:
            raise Reject(
                "wrong-type",
                "`update_ratios` should return a list with one number per layer, but it "
                f"is {summary(got)}.",
            ) from None
        steps = [_norm(a["W"] - b["W"]) for b, a in zip(before, after, strict=True)]
        if np.isclose(number, _norm(steps) / _norm([_norm(b["W"]) for b in before]), rtol=1e-6):
            raise Reject(
                "whole-network",
                "You return one ratio for the whole network. The point of the ratio is to "
                "see each layer on its own: return a list with one ratio per layer.",
            )
        raise Reject(
            "one-number",
            f"`update_ratios` returned one number, {number:.6g}; it should return a list "
            f"with one ratio per layer ({n_layers} here).",
        )
    if len(got) == 2 * n_layers:
        raise Reject(
            "two-per-layer",
            f"You return {len(got)} numbers for {n_layers} layers: a ratio for the biases as "
            "well as for the weights? Return one ratio per layer, for its weights W only.",
        )
    if len(got) != n_layers:
        raise Reject(
            "wrong-length",
            f"`update_ratios` should return one ratio per layer, {n_layers} here; yours has "
            f"{len(got)} item{'' if len(got) == 1 else 's'}.",
        )
    ratios = [as_float(g, f"The ratio of layer {i}") for i, g in enumerate(got, start=1)]
    if np.all(np.isfinite(ratios)):
        return ratios
    if all(np.all(layer["b"] == 0) for layer in before):
        raise Reject(
            "bias-ratio",
            f"Your ratios are {array_text(ratios)}, not all finite, for a network "
            "whose biases are all 0 before the step, as they are right after "
            "initialisation: did you divide by the biases' norm? Use the weights W "
            "only.",
        )
    raise Reject(
        "not-finite",
        f"Your ratios are {array_text(ratios)}; every ratio should be a finite number.",
    )


def _call_with_networks(func, case, name="update_ratios"):
    """`call_student`, with the networks named in words in its verdicts: their arrays
    written out would fill the screen."""
    before, after = case
    try:
        return call_student(func, name, before, after)
    except Reject as verdict:
        shapes = ", ".join(str(layer["W"].shape) for layer in before)
        said = (
            f"`{name}(params_before, params_after)`, given a network of {len(before)} layers "
            f"with weights of shapes {shapes},"
        )
        # the call as the verdict quotes it, arrays and all: `name(...)`
        message = re.sub(rf"`{name}\(.*?\)`", lambda _: said, verdict.message, count=1, flags=re.S)
        raise Reject(verdict.code, message) from None


def _number(case, cases):
    """The position of `case` among `cases`, counted from 1: "test network 2"."""
    return next(i for i, c in enumerate(cases, start=1) if c is case)


_RATIO_CASES = _ratio_cases()

update_ratios = code_checker(
    CodeExercise(
        title="The update-to-weight ratio",
        name="update_ratios",
        reference=_right_ratios,
        cases=lambda: _RATIO_CASES,
        call=_call_with_networks,
        result=lambda got, case, right: _read_ratios(got, *case),
        mistakes=_RATIO_MISTAKES,
        unnamed="wrong-ratio",
        mismatch=lambda case, got, right: (
            f"For test network {_number(case, _RATIO_CASES)} the ratios should be "
            f"{array_text(right)}; yours are {array_text(got)}. For each layer, take the "
            "Frobenius norm (np.linalg.norm) of W_after − W_before and divide it by the norm "
            "of W_before."
        ),
        success="Right: for each layer, the norm of the weights' change divided by the norm of "
        "the weights before the step.",
    )
)


# 2. Reading a learning-rate range test -----------------------------------------------------


def _range_case(n, lowest_at, blow_up_at, tail):
    """A range test's rates and smoothed losses: flat, a valley, then a blow-up; `tail`
    says what the last entries hold once the loss overflowed."""
    rates = 1e-4 * 1e5 ** np.linspace(0, 1, n)
    x = np.log10(rates)
    losses = 2.3 - 1.7 * np.exp(-(((x - np.log10(lowest_at)) / 1.2) ** 2))
    beyond = rates > blow_up_at
    losses[beyond] += 10 ** (4 * (x[beyond] - np.log10(blow_up_at))) - 1
    if tail == "nan":
        losses[-4:] = np.nan
    elif tail == "inf, nan":
        losses[-6:-3] = np.inf
        losses[-3:] = np.nan
    return rates, losses


_RANGE_CASES = [
    _range_case(60, 0.3, 1.0, "nan"),
    _range_case(45, 0.05, 0.2, "inf, nan"),
    _range_case(50, 0.8, 2.0, "none"),
]


def _best(losses):
    return int(np.nanargmin(losses))


def _right_rate(rates, losses):
    return float(rates[_best(losses)] / 10)


_RANGE_MISTAKES = [
    Variant(
        "nan-picked",
        "For a curve that ends in nan your answer is a tenth of the rate at the *first "
        "nan*: np.argmin (like np.min) treats a nan as smaller than everything and "
        "reports the first one. Use np.nanargmin, which skips the nans.",
        lambda r, L: r[np.argmin(L)] / 10,
    ),
    Variant(
        "no-tenth",
        "You return the rate at the lowest loss itself. Training at that rate is already "
        "close to the cliff; the chapter's choice is a tenth of it.",
        lambda r, L: r[_best(L)],
    ),
    Variant(
        "ten-times",
        "You multiply the rate at the lowest loss by 10; take a tenth of it: divide by 10.",
        lambda r, L: r[_best(L)] * 10,
    ),
    Variant(
        "returned-index",
        "You return the position (index) of the lowest loss, not a rate. Look up the "
        "rate at that position, rates[i], and take a tenth of it.",
        lambda r, L: float(_best(L)),
    ),
    Variant(
        "returned-index",
        "You return a tenth of the position (index) of the lowest loss, not of a rate. "
        "Look up the rate at that position, rates[i], and divide it by 10.",
        lambda r, L: _best(L) / 10,
    ),
    Variant(
        "returned-loss",
        "You return a tenth of the lowest *loss*. The answer is a learning rate: find "
        "where the loss is lowest, then take a tenth of the rate at that position.",
        lambda r, L: np.nanmin(L) / 10,
    ),
    Variant(
        "returned-loss",
        "You return the lowest *loss*. The answer is a learning rate: find where the "
        "loss is lowest, then take a tenth of the rate at that position.",
        lambda r, L: np.nanmin(L),
    ),
    Variant(
        "smallest-rate",
        "You return a tenth of the smallest rate tried. The rate you want is the one at "
        "the position where the *loss* is smallest.",
        lambda r, L: np.min(r) / 10,
    ),
    Variant(
        "last-rate",
        "You return a tenth of the last (largest) rate, where the loss had long blown "
        "up. The rate you want is the one at the position where the loss is smallest.",
        lambda r, L: r[-1] / 10,
    ),
    Variant(
        "highest-loss",
        "You take the rate where the loss is *highest* (argmax). The choice starts from "
        "the lowest loss: np.nanargmin.",
        lambda r, L: r[int(np.nanargmax(L))] / 10,
    ),
    Variant(
        "rounded",
        "Right rate, but rounded to one significant figure. The chapter rounds for "
        "reading convenience; here return the tenth itself, unrounded.",
        lambda r, L: float(f"{r[_best(L)] / 10:.1g}"),
    ),
]


def _rate_mismatch(case, got, right):
    rates, losses = case
    lowest = _best(losses)
    return (
        f"For test curve {_number(case, _RANGE_CASES)} the lowest loss, {losses[lowest]:.4g}, "
        f"is at rate {rates[lowest]:.4g} (position {lowest}), so the answer is {right:.4g}; "
        f"yours is {got:.4g}."
    )


def _nan_rates(cases, got, right):
    if not finite(got):
        return (
            "not-finite",
            f"Your suggested rates are {array_text(got)}; a learning rate must be a finite "
            "number. Skip the nans of the blown-up end: np.nanargmin.",
        )


suggest_rate = code_checker(
    CodeExercise(
        title="Reading a learning-rate range test",
        name="suggest_rate",
        reference=_right_rate,
        cases=lambda: _RANGE_CASES,
        result=lambda got, case, right: as_float(got, "The rate that `suggest_rate` returns"),
        mistakes=_RANGE_MISTAKES,
        flaws=[_nan_rates],
        unnamed="wrong-rate",
        mismatch=_rate_mismatch,
        success="Right: a tenth of the rate at which the smoothed loss is lowest, with the nans "
        "of the blown-up end skipped.",
    )
)


# 3. The loss of a network that knows nothing -----------------------------------------------


def _baseline_cases():
    """Labels and the number of classes: balanced, imbalanced with a class that never
    occurs, and two classes."""
    rng = np.random.default_rng(101)
    balanced = rng.permutation(np.repeat(np.arange(10), 5))
    missing = rng.permutation(np.repeat([0, 1, 3], [12, 3, 5]))  # class 2 of 4 never occurs
    two = rng.permutation(np.repeat([0, 1], [30, 10]))
    return [(balanced, 10), (missing, 4), (two, 2)]


def _frequencies(labels, n_classes):
    return np.bincount(labels, minlength=n_classes) / len(labels)


def _entropy(labels, n_classes, log=np.log):
    f = _frequencies(labels, n_classes)
    f = f[f > 0]
    return float(-np.sum(f * log(f)))


def _entropy_of_counts(labels, n_classes):
    """−Σ f ln n: the logarithm of the counts where the frequencies belong."""
    counts = np.bincount(labels, minlength=n_classes)
    occurs = counts > 0
    return float(-np.sum(_frequencies(labels, n_classes)[occurs] * np.log(counts[occurs])))


_BASELINE_MISTAKES = [
    Variant(
        "log10",
        "You use log10. The cross-entropy uses the natural logarithm, np.log, so that "
        "ten balanced classes give ln 10 ≈ 2.30, not 1.",
        partial(_entropy, log=np.log10),
    ),
    Variant(
        "log2",
        "You use log2, which counts in bits. The cross-entropy uses the natural logarithm, np.log.",
        partial(_entropy, log=np.log2),
    ),
    Variant(
        "sign",
        "Your loss is negative: the minus sign is missing. A loss is −Σ f ln f; since "
        "every ln f ≤ 0, it is never negative.",
        lambda y, k: -_entropy(y, k),
    ),
    Variant(
        "ln-k",
        "You return ln k whatever the labels. That is the baseline only when the classes "
        "are equally common; here they are not. Use the frequencies: −Σ f ln f.",
        lambda y, k: float(np.log(k)),
    ),
    Variant(
        "summed-not-averaged",
        "Your loss is m times too large: you summed the loss over the examples. The "
        "cost is the mean over the batch, −Σ_c f_c ln f_c with f_c = n_c / m.",
        lambda y, k: len(y) * _entropy(y, k),
    ),
    Variant(
        "mean-over-classes",
        "You averaged over the classes (divided by k). Sum over the classes: −Σ_c f_c ln f_c.",
        lambda y, k: _entropy(y, k) / k,
    ),
    Variant(
        "counts-in-log",
        "You take the logarithm of the counts n_c instead of the frequencies "
        "f_c = n_c / m. The network predicts probabilities: −Σ f_c ln f_c.",
        _entropy_of_counts,
    ),
]


def _nan_losses(cases, got, right):
    """A nan for labels with a class that never occurs is its own mistake: 0 · ln 0."""
    for (labels, k), loss in zip(cases, got, strict=True):
        if not finite(loss) and np.bincount(labels, minlength=k).min() == 0:
            return (
                "empty-class",
                f"For labels in which one of the {k} classes never occurs your loss is "
                f"{loss}. Such a class has f = 0, and 0 · ln 0 gives nan in NumPy, but its "
                "term is 0: it adds nothing to the loss. Leave out the classes with f = 0 (for "
                "example f = f[f > 0]).",
            )
    if not finite(got):
        return ("not-finite", f"Your losses are {array_text(got)}; each should be a finite number.")


baseline_loss = code_checker(
    CodeExercise(
        title="The loss of a network that knows nothing",
        name="baseline_loss",
        reference=_entropy,
        cases=_baseline_cases,
        result=lambda got, case, right: as_float(got, "The loss that `baseline_loss` returns"),
        mistakes=_BASELINE_MISTAKES,
        flaws=[_nan_losses],
        unnamed="wrong-loss",
        mismatch=lambda case, got, right: (
            f"For {len(case[0])} labels with class counts "
            f"{np.bincount(case[0], minlength=case[1]).tolist()} the loss should be "
            f"{right:.6g}; yours is {got:.6g}. Turn the counts into frequencies f = n / m and "
            "return −Σ f ln f over the classes that occur."
        ),
        success="Right: the cross-entropy of predicting the class frequencies, −Σ f ln f, which "
        "is ln k for k equally common classes.",
    )
)


# 4. Which bug is this? ---------------------------------------------------------------------

_LABELS = ("initialisation", "learning rate", "zero_grad", "healthy")


def _ratio_series(start, level, steps=60, seed=0, spike=None):
    """A run's largest update ratio per step: `start` at step 0, then near `level`."""
    rng = np.random.default_rng(seed)
    series = level * np.exp(rng.normal(scale=0.1, size=steps))
    series[0] = start
    if spike is not None:
        series[spike] = 200 * level
    return series


# (initial loss, number of classes, ratios), one case per row; the answer in the comment.
_BUG_CASES = [
    (2.29, 10, _ratio_series(0.006, 0.005, seed=1)),  # healthy
    (14.3, 10, _ratio_series(0.003, 0.002, seed=2)),  # initialisation
    (2.29, 10, _ratio_series(0.5, 0.7, seed=3)),  # learning rate
    (2.29, 10, _ratio_series(0.006, 0.03, seed=4)),  # zero_grad
    (0.70, 2, _ratio_series(0.004, 0.004, seed=5)),  # healthy
    (1.30, 2, _ratio_series(0.002, 0.002, seed=6)),  # initialisation
    (2.29, 10, _ratio_series(0.06, 0.03, seed=7)),  # healthy
    (2.29, 10, _ratio_series(0.006, 0.005, seed=8, spike=20)),  # healthy
    (15.0, 10, _ratio_series(0.8, 0.9, seed=9)),  # initialisation
    (5.0, 3, _ratio_series(0.005, 0.004, seed=10)),  # initialisation
]


def _classify(
    initial_loss,
    n_classes,
    ratios,
    log=np.log,
    baseline=None,
    rate_first=False,
    growth=np.median,
    first=None,
):
    """The exercise's rules, with switches for the typical ways of getting them wrong."""
    expected = log(n_classes) if baseline is None else baseline(n_classes)
    bad_init = initial_loss > 1.5 * expected
    first_ratio = ratios[0] if first is None else first(ratios)
    too_fast = first_ratio > 0.1
    if rate_first and too_fast:
        return "learning rate"
    if bad_init:
        return "initialisation"
    if too_fast:
        return "learning rate"
    if growth(ratios[10:50]) > 3 * first_ratio:
        return "zero_grad"
    return "healthy"


_BUG_MISTAKES = [
    Variant(
        "log10",
        "You compare the initial loss with 1.5 · log10(k). The loss uses the natural "
        "logarithm: the expected loss is ln k (np.log), 2.30 for ten classes.",
        partial(_classify, log=np.log10),
    ),
    Variant(
        "ten-classes",
        "You compare with ln 10 whatever the number of classes. The expected loss is "
        "ln k for k = n_classes: for two classes, ln 2 ≈ 0.69.",
        partial(_classify, baseline=lambda k: np.log(10)),
    ),
    Variant(
        "no-log",
        "You compare the initial loss with 1.5 · k. The expected loss of a network that "
        "knows nothing is ln k: use np.log(n_classes).",
        partial(_classify, baseline=lambda k: k),
    ),
    Variant(
        "no-log",
        "You compare the initial loss with 1.5 / k, a probability. The expected loss is "
        "−ln(1/k) = ln k: use np.log(n_classes).",
        partial(_classify, baseline=lambda k: 1 / k),
    ),
    Variant(
        "rate-first",
        "You test the learning rate before the initialisation. Apply the rules in the "
        "order given: a run whose loss at step 0 is far too high is diagnosed "
        "'initialisation' first, whatever its update ratios (a bad start can make the "
        "first steps large too).",
        partial(_classify, rate_first=True),
    ),
    Variant(
        "mean-not-median",
        "You use the mean of the ratios of steps 10 to 49. A single spike, which "
        "happens in healthy runs too, then looks like growth. Use the median: "
        "np.median(ratios[10:50]).",
        partial(_classify, growth=np.mean),
    ),
    Variant(
        "largest-ratio",
        "You use the largest ratio of the run where the rules use the ratio of the "
        "first step, ratios[0].",
        partial(_classify, first=np.max),
    ),
]


def _read_label(got):
    """The student's label, or the verdict saying it is not one of the four."""
    labels = ", ".join(map(repr, _LABELS))
    if not isinstance(got, str):
        raise Reject(
            "wrong-type",
            f"`which_bug` should return one of the labels {labels}, got {kind_of(got)}.",
        )
    if got not in _LABELS:
        near = [label for label in _LABELS if label.lower() == got.strip().lower()]
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise Reject(
            "unknown-label",
            f"`which_bug` returned {got!r}{hint}; it should return exactly one of {labels}.",
        )
    return got


which_bug = code_checker(
    CodeExercise(
        title="Which bug is this?",
        name="which_bug",
        reference=_classify,
        cases=lambda: _BUG_CASES,
        result=lambda got, case, right: _read_label(got),
        mistakes=_BUG_MISTAKES,
        unnamed="wrong-diagnosis",
        mismatch=lambda case, got, right: (
            f"For a run with initial loss {case[0]} and {case[1]} classes (ln {case[1]} = "
            f"{np.log(case[1]):.3f}), a first update ratio of {case[2][0]:.3g} and a median "
            f"ratio of {np.median(case[2][10:50]):.3g} over steps 10 to 49, the answer is "
            f"{right!r}; yours is {got!r}. Apply the rules in the order given."
        ),
        success="Right: the loss at step 0 first, then the first update ratio, then its "
        "growth, and only then a healthy run.",
    )
)


# A number by hand, and a prediction ---------------------------------------------------------


def _range_factor(low=1e-4, high=10.0, values=51):
    """The factor between neighbouring rates of the chapter's range test."""
    rates = low * (high / low) ** np.linspace(0, 1, values)
    return float(rates[1] / rates[0])


range_factor_by_hand = number_checker(
    NumberExercise(
        title="The step of a learning-rate range test, by hand",
        name="rate_factor",
        right=_range_factor,
        why="The rates are evenly spaced on a log scale: 51 rates make 50 equal steps "
        "across a factor of 10 / 1e-4 = 1e5, so each step multiplies by "
        "(1e5)^(1/50) = 10^0.1 ≈ 1.259.",
        mistakes=(
            Mistake(
                "fencepost",
                lambda: 1e5 ** (1 / 51),
                "51 rates have 50 gaps between them, not 51: (1e5)^(1/50).",
            ),
            Mistake(
                "additive-step",
                lambda: (10.0 - 1e-4) / 50,
                "That is the step of rates spaced *evenly*, added rather than multiplied: "
                "the test spaces them on a log scale, a constant factor apart.",
            ),
            Mistake(
                "ratio-over-steps",
                lambda: 1e5 / 50,
                "1e5 / 50 divides the total factor by the number of steps; factors compound, "
                "so take the 50th root: (1e5)^(1/50).",
            ),
            Mistake(
                "decades-per-step",
                lambda: 5 / 50,
                "0.1 is the number of powers of 10 per step; the factor itself is 10^0.1.",
            ),
        ),
    )
)


def _majority_baseline():
    """Run it: the test accuracy of always answering MNIST's most common training digit."""
    from nnlib.data.mnist import load_mnist

    mnist = load_mnist(progress=False)
    most_common = np.bincount(mnist.train_labels, minlength=10).argmax()
    return float(np.mean(mnist.test_labels == most_common))


majority_baseline_prediction = number_checker(
    NumberExercise(
        title="Predict: the accuracy of always giving the same answer",
        name="predicted_accuracy",
        right=_majority_baseline,
        why="MNIST's ten digits are nearly balanced, so any constant answer is right about "
        "1/10 of the time; the most common training digit, 1, is a little more frequent "
        "than the others in the test set too. A model that does not beat this "
        "baseline has learned nothing from the pixels.",
        mistakes=(
            Mistake(
                "zero",
                lambda: 0.0,
                "A constant answer is right whenever that digit comes up: about one image in ten.",
            ),
            Mistake(
                "coin",
                lambda: 0.5,
                "0.5 is a coin's chance with two classes; MNIST has ten.",
            ),
            Mistake(
                "error-rate",
                lambda: 0.9,
                "0.9 is roughly the *error* rate of a constant answer; its accuracy is about 0.1.",
            ),
        ),
        rtol=0.15,
        prediction=True,
    )
)
