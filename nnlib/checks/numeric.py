"""Checkers for answers that are a number rather than code: a derivation worked on paper,
or a prediction made before a cell reveals the truth.

An exercise is declared, not programmed: the right value (computed by nnlib, never typed
in), how close counts as right, and its typical wrong answers, each a value computed the
wrong way and the sentence that names the mistake. `check_number` turns a declaration and
the student's value into a `Feedback`.

A *prediction* is judged like a derivation, with a wider tolerance, and its verdict
always ends with what the run gave and why, so that the gap itself teaches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from nnlib.checks import Reject, checker, require_number


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer: its value (computed the wrong way) and what it means."""

    code: str
    value: Callable[[], float]
    message: str


@dataclass(frozen=True)
class NumberExercise:
    """A number the student works out: `right()` computes it; `rtol` is the relative
    tolerance (0.5e-3 accepts an answer rounded to 3 significant digits); `why` explains
    the right answer, and is shown once it is given (for a prediction, always). With
    `decades`, a positive answer is judged by its order of magnitude instead: right when
    it is within that many powers of 10."""

    title: str
    name: str
    right: Callable[[], float]
    why: str
    mistakes: tuple[Mistake, ...] = field(default_factory=tuple)
    rtol: float = 2e-3
    prediction: bool = False
    decades: float | None = None  # judge on a log scale: within this many powers of 10


def _matches(value, target, rtol, decades=None):
    if decades is not None:
        if value <= 0 or target <= 0:
            return False
        return bool(abs(np.log10(value) - np.log10(target)) <= decades)
    return bool(np.isclose(value, target, rtol=rtol, atol=1e-12))


def _distance_text(value, right, decades):
    if decades is not None:
        if value <= 0:
            return "and an order of magnitude is a positive number"
        return f"{abs(np.log10(value) - np.log10(right)):.1f} powers of 10 away"
    return f"{abs(value - right) / abs(right):.0%} away"


def judge(exercise, answer):
    """The verdict on `answer` for `exercise`: a success sentence, or a `Reject`."""
    value = require_number(answer, exercise.name)
    right = float(exercise.right())
    if _matches(value, right, exercise.rtol, exercise.decades):
        return f"{value:.4g} is right. {exercise.why}"
    reveal = f"\nThe run gives {right:.4g}. {exercise.why}" if exercise.prediction else ""
    candidates = []
    for mistake in exercise.mistakes:
        wrong = float(mistake.value())
        if not _matches(wrong, right, exercise.rtol, exercise.decades) and _matches(
            value, wrong, exercise.rtol, exercise.decades
        ):
            distance = (
                abs(np.log10(value) - np.log10(wrong))
                if exercise.decades is not None
                else abs(value - wrong) / max(abs(wrong), 1e-12)
            )
            candidates.append((distance, mistake))
    if candidates:  # the nearest, when a wide tolerance lets two match
        mistake = min(candidates, key=lambda pair: pair[0])[1]
        raise Reject(mistake.code, mistake.message + reveal)
    if exercise.decades is None and _matches(value, -right, exercise.rtol):
        raise Reject(
            "sign-flipped",
            f"{value:.4g} has the right size but the wrong sign." + reveal,
        )
    if exercise.prediction:
        raise Reject(
            "far-off",
            f"You predicted {value:.4g}. The run gives {right:.4g}, "
            f"{_distance_text(value, right, exercise.decades)}. {exercise.why}",
        )
    raise Reject(
        "wrong-number",
        f"{value:.4g} is not it: the right value differs by more than rounding to 3 "
        "significant digits. Work it again step by step, and compute each intermediate "
        "value in a cell to see which step goes astray.",
    )


def number_checker(exercise):
    """The checker function of a declared exercise: `check.<name>(value)`."""

    @checker(exercise.title)
    def check(answer):
        return judge(exercise, answer)

    check.__doc__ = f"Check the number `{exercise.name}`: {exercise.title}."
    check.exercise = exercise
    return check
