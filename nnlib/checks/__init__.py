"""Automatic feedback for the exercise notebooks.

Each chapter's checkers live in a module of this package (`nnlib.checks.perceptron`, ...).
A checker takes the student's answer, runs it on cases whose right answers nnlib computes,
and returns a `Feedback`: whether it passed and, when it did not, which mistake the answer
looks like. Whatever the student wrote (an unfinished stub, a function that raises, a
string where a number belongs), the checker answers with a sentence, never a traceback.
"""

from __future__ import annotations

import functools
import html
import warnings
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Feedback:
    """The verdict on one exercise: `passed`, a `code` naming the diagnosis, and a message.

    `code` is "ok" when the answer passed; otherwise a short name of the mistake found
    ("not-started", "missing-bias", ...), which the test suite uses to prove that each
    typical wrong answer gets the right diagnosis.
    """

    exercise: str
    passed: bool
    code: str
    message: str

    def __str__(self):
        mark = "PASSED" if self.passed else "NOT YET"
        return f"[{mark}] {self.exercise}\n{self.message}"

    __repr__ = __str__

    def _repr_html_(self):
        colour, mark = ("#1a7f37", "✔ Passed") if self.passed else ("#9a6700", "✘ Not yet")
        body = html.escape(self.message).replace("\n", "<br>")
        return (
            f'<div style="border-left:4px solid {colour};padding:0.4em 0.8em;margin:0.3em 0">'
            f'<strong style="color:{colour}">{mark}</strong> — <em>{html.escape(self.exercise)}'
            f"</em><br>{body}</div>"
        )


class Reject(Exception):  # noqa: N818 - it is a verdict, not an error
    """Raised inside a checker to stop at the first mistake found."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def checker(title):
    """Decorate a checker body: it returns a success message or raises `Reject`.

    The wrapper turns both into a `Feedback`, and turns anything unexpected into a
    readable message as well, so no student input ends in a raw traceback.
    """

    def wrap(body):
        @functools.wraps(body)
        def check(*args, **kwargs):
            try:
                message = body(*args, **kwargs)
            except Reject as verdict:
                return Feedback(title, False, verdict.code, verdict.message)
            except Exception as err:  # a checker must answer whatever it is given
                return Feedback(
                    title,
                    False,
                    "checker-error",
                    f"The checker could not evaluate this answer ({type(err).__name__}: {err}). "
                    "Check that the cell above ran without errors and that the names match "
                    "the exercise.",
                )
            return Feedback(title, True, "ok", message)

        return check

    return wrap


def require_started(value, name):
    """Reject the untouched stub: a `...` left where an answer belongs."""
    if value is Ellipsis:
        raise Reject(
            "not-started",
            f"`{name}` is still `...`: replace the `...` in the exercise cell with your answer, "
            "run that cell, then run this check again.",
        )


def require_number(value, name):
    """Return `value` as a float, or reject it with a message saying what was expected."""
    require_started(value, name)
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise Reject(
            "not-a-number",
            f"`{name}` should be a single number such as 1.5, but it is {value!r} "
            f"(of type {type(value).__name__}).",
        )
    if not np.isfinite(value):
        raise Reject("not-a-number", f"`{name}` is {value}; it must be a finite number.")
    return float(value)


def call_student(func, name, *args, copy=False):
    """Call the student's function, turning a crash or an unfinished stub into a verdict.

    NumPy's warnings are silenced during the call (a checker reports an overflow or a nan
    in a sentence instead). With `copy=True` the function gets copies of array arguments;
    without it, a checker can compare its arrays afterwards to catch in-place changes.
    """
    if not callable(func):
        raise Reject(
            "not-a-function",
            f"`{name}` should be a function (defined with `def {name}(...)`), "
            f"but it is {type(func).__name__}. Did you run the cell that defines it?",
        )
    arguments = ", ".join(_describe(a) for a in args)
    if copy:
        args = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = func(*args)
    except Exception as err:
        raise Reject(
            "raised",
            f"`{name}({arguments})` raised {type(err).__name__}: {err}" + _hint_for(err),
        ) from None
    if result is Ellipsis:
        raise Reject(
            "not-started",
            f"`{name}` still returns `...`: write its body in the exercise cell, run that "
            "cell, then run this check again.",
        )
    if result is None:
        raise Reject(
            "returned-none",
            f"`{name}({arguments})` returned None. Did you forget the `return` statement?",
        )
    return result


# Errors whose NumPy wording hides a common mistake, with what the mistake usually is.
_ERROR_HINTS = (
    (
        "only integer scalar arrays can be converted to a scalar index",
        "np.max(0, Z) reads 0 as the array and Z as the axis. For an element-wise ReLU "
        "use np.maximum(0, Z); np.max takes the largest entry of one array.",
    ),
    (
        "truth value of an array with more than one element is ambiguous",
        "An `if`, `and`/`or` or Python's `max` was given a whole array. Work element by "
        "element instead: np.maximum(0, Z) for a ReLU, np.where(condition, a, b) for a "
        "choice, & and | to combine conditions.",
    ),
)


def _hint_for(err):
    return "".join(f"\n{hint}" for text, hint in _ERROR_HINTS if text in str(err))


def _describe(value):
    if isinstance(value, np.ndarray):
        if value.size <= 8:
            return np.array2string(value, separator=", ").replace("\n", "")
        return f"<array of shape {value.shape}>"
    return repr(value)


def array_text(array):
    """An array on one line, four decimals: for messages that quote numbers."""
    return np.array2string(np.asarray(array), separator=", ", precision=4).replace("\n", "")


def kind_of(value):
    """A short description of what the student returned, without printing whole arrays."""
    if isinstance(value, tuple | list):
        return f"a {type(value).__name__} of {len(value)} item{'' if len(value) == 1 else 's'}"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return repr(value) if len(repr(value)) < 80 else type(value).__name__
