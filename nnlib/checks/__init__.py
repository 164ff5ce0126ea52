"""Automatic feedback for the exercise notebooks.

Each chapter's checkers live in a module of this package (`nnlib.checks.perceptron`, ...).
A checker takes the student's answer, runs it on cases whose right answers nnlib computes,
and returns a `Feedback`: whether it passed and, when it did not, which mistake the answer
looks like. Most exercises are declarations (the reference, the cases, the typical
mistakes as functions with their sentences) that one engine judges, `nnlib.checks.engine`
for code and `nnlib.checks.numeric` for numbers; the rest are written out with the
engine's readers. Whatever the student wrote (an unfinished stub, a function that raises, a
string where a number belongs), the checker answers with a sentence, never a traceback.
"""

from __future__ import annotations

import functools
import html
import warnings
from dataclasses import dataclass

import numpy as np

from nnlib.checks import harness


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
    readable message as well, so no student input ends in a raw traceback. The student's
    code runs in the harness (`nnlib.checks.harness`): what it prints during the check is
    summarised under the verdict, with any notes a checker made on the way.
    """

    def wrap(body):
        @functools.wraps(body)
        def check(*args, **kwargs):
            with harness.session() as session:
                try:
                    passed, code, message = True, "ok", body(*args, **kwargs)
                except Reject as verdict:
                    passed, code, message = False, verdict.code, verdict.message
                except harness.OutOfTime:  # student code the checker ran outside call_student
                    passed, code = False, "timeout"
                    message = _timeout_message("Your code", harness.default_time_limit())
                except SystemExit as stop:  # student code the checker ran directly
                    passed, code = False, "exited"
                    message = _exit_message("Your code", harness.Exited("exit", stop.code))
                except KeyboardInterrupt:
                    passed, code = False, "interrupted"
                    message = _exit_message("Your code", harness.Exited("interrupt", None))
                except harness.Exited as stop:
                    passed, code, message = (
                        False,
                        _EXIT_CODES[stop.kind],
                        _exit_message("Your code", stop),
                    )
                except Exception as err:  # a checker must answer whatever it is given
                    passed, code = False, "checker-error"
                    message = (
                        f"The checker could not evaluate this answer ({type(err).__name__}: "
                        f"{_short(str(err))}). Check that the cell above ran without errors and "
                        "that the names match the exercise."
                    )
                extra = session.summary()
            if extra:
                message = "\n\n".join([message, *extra])
            return Feedback(title, passed, code, message)

        return check

    return wrap


def _short(text, limit=300):
    """`text` cut to `limit` characters: a student's exception message can be huge."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


_EXIT_CODES = {"exit": "exited", "interrupt": "interrupted"}


def _timeout_message(who, seconds, hint=""):
    return (
        f"{who} did not finish within {seconds:g} second{'' if seconds == 1 else 's'}, so the "
        "check stopped it. "
        "Look for a loop that never ends: a `while` whose condition never becomes false, "
        "or a loop that waits for something that cannot happen (a perceptron on data that "
        "no line separates never runs out of mistakes)."
        + (f" {hint}" if hint else "")
        + " The reference solution takes well under a second here. (On a slow machine, set "
        "the environment variable NNLIB_CHECK_TIME_LIMIT to more seconds.)"
    )


def _exit_message(who, stop):
    if stop.kind == "interrupt":
        return (
            f"The check was interrupted (the kernel's stop button) while {who[0].lower()}"
            f"{who[1:]} was running. If it never finishes on its own, look for a loop that "
            "never ends; the check also stops one by itself after a few seconds."
        )
    return (
        f"{who} called `sys.exit()` (or `exit()`/`quit()`), which ends the whole program: in "
        "Jupyter, the kernel. A function hands its answer back with `return`; to report a "
        "problem, `raise` an exception such as ValueError."
    )


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


def call_student(func, name, *args, changes="reject", time_limit=None, hang_hint=""):
    """Call the student's function in the harness; turn what can go wrong into a verdict.

    The function runs under a time limit (`time_limit` seconds, by default
    `harness.default_time_limit()`), with `sys.exit()` and the kernel's interrupt caught,
    what it prints captured for the summary, and NumPy's warnings silenced (a checker
    reports an overflow or a nan in a sentence instead). It gets deep copies of its array
    arguments, so nothing it does changes the checker's data. Afterwards the copies are
    compared with the originals: with `changes="reject"` an argument changed in place is
    the verdict "changed-input"; with `changes="note"` (where changing it is harmless, as
    in an update rule whose result replaces the argument) the verdict says so in a note;
    `changes="own"` passes the arguments themselves, for a checker that makes its own
    copies and diagnoses a change itself.
    """
    if not callable(func):
        raise Reject(
            "not-a-function",
            f"`{name}` should be a function (defined with `def {name}(...)`), "
            f"but it is {type(func).__name__}. Did you run the cell that defines it?",
        )
    arguments = ", ".join(_describe(a) for a in args)
    passed = list(args) if changes == "own" else harness.copy_arguments(args)
    limit = harness.default_time_limit() if time_limit is None else time_limit
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = harness.run_guarded(func, passed, limit)
    except harness.OutOfTime:
        raise Reject(
            "timeout", _timeout_message(f"`{name}({arguments})`", limit, hang_hint)
        ) from None
    except harness.Exited as stop:
        raise Reject(_EXIT_CODES[stop.kind], _exit_message(f"`{name}`", stop)) from None
    except Exception as err:
        raise Reject(
            "raised",
            f"`{name}({arguments})` raised {type(err).__name__}: {_short(str(err))}"
            + _hint_for(err),
        ) from None
    changed = [] if changes == "own" else harness.changed_arguments(func, args, passed)
    if changed and changes == "reject":
        raise Reject("changed-input", _changed_message(name, changed))
    if changed and changes == "note":
        harness.current_session().note(_changed_note(name, changed))
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


def run_student(func, name, *args, time_limit=None):
    """Call the student's function in the harness like `call_student`, but let an
    exception it raises through unchanged: for checks that expect one (a ValueError for a
    bad file). A time-out, `sys.exit()` or an interrupt still become verdicts."""
    limit = harness.default_time_limit() if time_limit is None else time_limit
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return harness.run_guarded(func, harness.copy_arguments(args), limit)
    except harness.OutOfTime:
        raise Reject("timeout", _timeout_message(f"`{name}`", limit)) from None
    except harness.Exited as stop:
        raise Reject(_EXIT_CODES[stop.kind], _exit_message(f"`{name}`", stop)) from None


def _names(changed):
    quoted = [f"`{n}`" if not n.startswith("argument") else n for n in changed]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _changed_message(name, changed):
    first = changed[0] if not changed[0].startswith("argument") else "X"
    return (
        f"`{name}` changed {_names(changed)}, which it was given, in place (by assigning "
        "into it, or with an operation such as `+=`, `*=` or `np.clip(..., out=...)`). "
        f"The caller's data would change with it: code that uses {_names(changed)} "
        f"afterwards would see other numbers. Build a new array instead (for example "
        f"`{first} + 1` rather than `{first} += 1`), or start from a copy "
        f"(`{first} = {first}.copy()`)."
    )


def _changed_note(name, changed):
    return (
        f"Note: `{name}` also changed {_names(changed)}, which it was given, in place. That "
        f"does no harm when the caller replaces {'it' if len(changed) == 1 else 'them'} with "
        "what you return, but a caller who keeps the old array would find it changed; "
        "building a new array avoids the surprise."
    )


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


# --- what a wrong answer has in common with the right one ----------------------------------
#
# When no named mistake of an exercise reproduces a student's numbers, their relation to the
# right numbers often still says what went wrong: all of them negated, all scaled by one
# factor, all shifted by one constant, transposed, or (for an update rule) a step taken the
# wrong way or of the wrong size. `values_differ` looks for these before falling back to
# "the value should be ..., yours is ...".


def _flat(values):
    """One float vector from an array, a number, or a list of them; None if not numeric or
    the parts cannot be flattened."""
    if isinstance(values, dict):
        values = [values[key] for key in sorted(values)]
    if isinstance(values, tuple):
        values = list(values)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parts = values if isinstance(values, list) else [values]
            return np.concatenate([np.ravel(np.asarray(p, dtype=float)) for p in parts])
    except (TypeError, ValueError):
        return None


def _constant_ratio(got, right):
    """The one factor c with got = c right on every entry (to 1e-6), or None. Needs two
    distinct non-zero right entries: any single number is some multiple of another."""
    big = np.abs(right) > 1e-9
    if not np.all(np.isfinite(got)) or np.count_nonzero(big) < 2:
        return None
    if len(np.unique(np.round(right[big], 12))) < 2 or np.any(np.abs(got[~big]) > 1e-9):
        return None
    ratios = got[big] / right[big]
    c = float(np.median(ratios))
    return c if np.allclose(ratios, c, rtol=1e-6, atol=1e-12) else None


def _factor_text(c):
    for value, text in (
        (1 / np.log(10), "1/ln 10 = 0.4343 (a log10 where the natural log belongs)"),
        (1 / np.log(2), "1/ln 2 = 1.443 (a log2 where the natural log belongs)"),
        (np.log(10), "ln 10 = 2.303 (a natural log where log10 belongs?)"),
    ):
        if np.isclose(c, value, rtol=1e-6):
            return text
    for value, text in ((2, "2"), (0.5, "1/2"), (4, "4"), (0.25, "1/4")):
        if np.isclose(c, value):
            return text
    if np.isclose(c, round(c)) and abs(c) > 1:
        return f"{round(c):d}"
    if abs(c) < 1 and np.isclose(1 / c, round(1 / c)):
        return f"1/{round(1 / c):d}"
    return f"{c:.4g}"


def explain_difference(got, right, start=None, what="values"):
    """(code, sentence) when `got` relates to `right` in one of the simple ways, else None.

    `got` and `right` are arrays or numbers, or lists of them (one per case of the check);
    `start`, for an update rule, holds the values before the step, so that the step itself
    can be compared. `what` names the values in the sentence ("your new W", ...).
    """
    g, r = _flat(got), _flat(right)
    if g is None or r is None or g.shape != r.shape or g.size == 0 or not np.all(np.isfinite(g)):
        return None
    with np.errstate(all="ignore"):
        if start is not None:
            s = _flat(start)
            if s is not None and s.shape == g.shape:
                step_got, step_right = g - s, r - s
                if np.allclose(step_got, 0, atol=1e-12) and not np.allclose(step_right, 0):
                    return (
                        "no-step",
                        f"{what.capitalize()} are the values you started from: the update "
                        "was computed but not applied (or applied to a copy).",
                    )
                c = _constant_ratio(step_got, step_right)
                if (
                    c is None
                    and np.count_nonzero(np.abs(step_right) > 1e-9) >= 1
                    and np.allclose(step_got, -step_right, rtol=1e-6, atol=1e-12)
                ):
                    c = -1.0  # one moving entry: only the reversal is telling
                if c is not None and np.isclose(c, -1):
                    return (
                        "step-reversed",
                        f"{what.capitalize()} moved by exactly the right amount in the wrong "
                        "direction: the step went up the slope. Subtract the learning rate "
                        "times the gradient.",
                    )
                if c is not None:
                    return (
                        "step-scaled",
                        f"Every step of {what} is {_factor_text(c)} times the right one: the "
                        "direction is right, a factor of the step is not (the learning "
                        "rate, a 1/m for the mean, a 2 from a square, a λ?).",
                    )
        if r.size and np.allclose(g, -r, rtol=1e-6, atol=1e-12) and not np.allclose(r, 0):
            return (
                "sign-flipped",
                f"{what.capitalize()} are the right ones with the opposite sign: a minus sign "
                "is missing or one too many (or a subtraction is the wrong way round).",
            )
        if np.allclose(g, 0, atol=1e-12) and not np.allclose(r, 0, atol=1e-9):
            return ("all-zero", f"{what.capitalize()} are all 0.")
        c = _constant_ratio(g, r)
        if c is not None and not np.isclose(c, 1):
            return (
                "scaled",
                f"{what.capitalize()} are all {_factor_text(c)} times the right ones: the "
                "pattern is right, one constant factor is not. Look for a factor that is "
                "missing, extra or inverted (a 2, a 1/2, a 1/m for a mean, a power).",
            )
        shift = g - r
        if np.allclose(shift, shift[0], rtol=1e-6, atol=1e-9) and abs(shift[0]) > 1e-9:
            if r.size >= 2 and np.ptp(r) > 1e-9:
                return (
                    "shifted",
                    f"{what.capitalize()} are all {shift[0]:+.6g} from the right ones: every "
                    "entry is off by the same constant, so a constant term is missing or "
                    "extra (a bias, a +1, a constant of the formula).",
                )
    return None


def values_differ(message, got, right, start=None, what="your values"):
    """The verdict for values that differ from the right ones: a relation between them
    (`explain_difference`) when there is one, then `message`; else "wrong-values"."""
    found = explain_difference(got, right, start=start, what=what)
    if found is None:
        return Reject("wrong-values", message)
    code, sentence = found
    return Reject(code, f"{sentence}\n{message}")


def _differs(a, b):
    """True when two results (arrays, numbers, or lists and tuples of them) differ; None
    when they cannot be compared."""
    x, y = (
        _flat(list(a) if isinstance(a, tuple) else a),
        _flat(list(b) if isinstance(b, tuple) else b),
    )
    if x is None or y is None:
        return None
    if x.shape != y.shape:
        return True
    with np.errstate(all="ignore"):
        return not bool(np.allclose(x, y, rtol=1e-7, atol=1e-10, equal_nan=True))


def _nudged(value):
    """`value` changed in a way no formula of the book is blind to: a float array or number
    scaled and shifted (entry by entry differently for an array). Labels and other integer
    arrays, booleans and anything else are left alone (None)."""
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, float | np.floating):
        return type(value)(value * 1.5 + 0.25)
    if isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.size:
        ramp = np.linspace(0.2, 0.3, value.size).reshape(value.shape).astype(value.dtype)
        if np.all((value > 0) & (value < 1)):  # probabilities stay probabilities
            return (value * 0.7 + ramp / 2).astype(value.dtype)
        return value * 1.25 + ramp
    return None


def explain_by_arguments(
    func, name, cases, names, reference, batch=(), skip=(), changes="reject", parts=()
):
    """(code, message) naming an input the student's answer treats differently from the
    right one, or None. `cases` lists argument tuples; the first that shows a difference
    is used. `changes` is passed on to `call_student`.

    Each float argument of a case in turn (not those in `skip`) is nudged, and the student's
    function and `reference` are run again: an answer that does not move where the right
    one does has left that input out ("ignores-y"), and one that moves where the right one
    does not has put it where it does not belong ("uses-lr"). With `batch` (the indices of
    the arguments that hold one row per example), every example is also given twice: a
    mean does not change, a sum doubles ("sum-not-mean", "divided-twice"). `parts` names
    the pieces of a tuple, list or dict result ("W", "b"), which are then also compared one
    by one: a b that ignores the learning rate hides inside a pair whose W does not.
    """
    for case in cases:
        found = _explain_case(
            func, name, tuple(case), names, reference, batch, skip, changes, parts
        )
        if found:
            return found
    return None


def _pieces(result, parts):
    """[(label, piece)]: the whole result (label None), then each named part of a tuple,
    list or dict result when `parts` names them."""
    pieces = [(None, result)]
    if parts and isinstance(result, dict):
        pieces += [(label, result.get(label)) for label in parts if label in result]
    elif parts and isinstance(result, tuple | list) and len(result) == len(parts):
        pieces += list(zip(parts, result, strict=True))
    return pieces


def _paired(right_pieces, right_after, got_pieces, got_after, parts):
    """(label, right before, right after, got before, got after) for each piece."""
    after = zip(
        _pieces(right_after, parts)[: len(right_pieces)],
        _pieces(got_after, parts)[: len(got_pieces)],
        strict=False,
    )
    for (label, r0), (_, g0), ((_, r1), (_, g1)) in zip(
        right_pieces, got_pieces, after, strict=False
    ):
        yield label, r0, r1, g0, g1


def _whose(label):
    return "Your result" if label is None else f"Your {label}"


def _explain_case(func, name, case, names, reference, batch, skip, changes, parts):
    def run_reference(args):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return reference(*args)

    try:
        right = run_reference(case)
        got = call_student(func, name, *case, changes=changes)
    except Exception:  # a Reject for the student's answer, or a reference refusing it
        return None
    right_pieces, got_pieces = _pieces(right, parts), _pieces(got, parts)
    if len(right_pieces) != len(got_pieces):
        right_pieces, got_pieces = right_pieces[:1], got_pieces[:1]
    for index, arg_name in enumerate(names):
        if arg_name in skip or index >= len(case):
            continue
        nudged = _nudged(case[index])
        if nudged is None:
            continue
        changed = list(case)
        changed[index] = nudged
        try:
            right_after = run_reference(changed)
            flat = _flat(right_after)
            if flat is None or not np.all(np.isfinite(flat)):
                continue
            got_after = call_student(func, name, *changed, changes=changes)
        except Exception:
            continue
        for label, r0, r1, g0, g1 in _paired(
            right_pieces, right_after, got_pieces, got_after, parts
        ):
            right_moves, got_moves = _differs(r0, r1), _differs(g0, g1)
            if right_moves is None or got_moves is None:
                continue
            if right_moves and not got_moves:
                return (
                    f"ignores-{arg_name}",
                    f"{_whose(label)} does not change when `{arg_name}` changes, but the right "
                    f"one does: `{arg_name}` is missing from your formula (a term or a factor "
                    "that holds it was dropped, or replaced by something else).",
                )
            if got_moves and not right_moves:
                return (
                    f"uses-{arg_name}",
                    f"{_whose(label)} changes when `{arg_name}` changes, but the right one does "
                    f"not depend on `{arg_name}` here: it appears in your formula where it does "
                    "not belong.",
                )
    if not batch:
        return None
    doubled = [
        np.concatenate([value, value]) if index in batch else value
        for index, value in enumerate(case)
    ]
    try:
        right_doubled = run_reference(doubled)
        got_doubled = call_student(func, name, *doubled, changes=changes)
    except Exception:
        return None
    for label, r0, r1, g0, g1 in _paired(
        right_pieces, right_doubled, got_pieces, got_doubled, parts
    ):
        if _differs(r0, r1) is not False:
            continue  # the right result is not a mean over the batch
        g, g2 = _flat(g0), _flat(g1)
        if g is None or g2 is None or g.shape != g2.shape or np.allclose(g, 0):
            continue
        with np.errstate(all="ignore"):
            if np.allclose(g2, 2 * g, rtol=1e-7, atol=1e-10):
                return (
                    "sum-not-mean",
                    f"Given every example twice, {_whose(label)[0].lower()}"
                    f"{_whose(label)[1:]} doubles, but a mean over the batch stays the same: "
                    "you sum over the examples where the mean belongs (a 1/m is missing).",
                )
            if np.allclose(g2, g / 2, rtol=1e-7, atol=1e-10):
                return (
                    "divided-twice",
                    f"Given every example twice, {_whose(label)[0].lower()}"
                    f"{_whose(label)[1:]} halves, but a mean over the batch stays the same: "
                    "you divide by m once more than needed.",
                )
    return None


def explain_by_subsets(func, name, cases, reference, batch, groups, what="result"):
    """(code, message) when the student's answer is right on one group of examples and
    wrong on another, or None.

    `groups` lists (code, description, rows, advice): `rows(*case)` picks a group's rows
    (a boolean mask); the student's function and `reference` run on those rows alone (the
    arguments at the indices in `batch` are cut down to them). When some groups come out
    right and exactly one wrong, that group is named, with how its values relate to the
    right ones where `explain_difference` finds a relation.
    """
    verdicts = {}
    for case in cases:
        for code, _, rows, _ in groups:
            mask = np.asarray(rows(*case), dtype=bool)
            if not 0 < mask.sum() < mask.size:
                continue
            subset = [v[mask] if i in batch else v for i, v in enumerate(case)]
            try:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    right = reference(*subset)
                got = call_student(func, name, *subset)
            except Exception:
                continue
            wrong = _differs(got, right)
            if wrong is None:
                continue
            verdicts.setdefault(code, []).append((wrong, got, right))
    wrong_groups = [c for c, v in verdicts.items() if any(w for w, _, _ in v)]
    right_groups = [c for c, v in verdicts.items() if not any(w for w, _, _ in v)]
    if len(wrong_groups) != 1 or not right_groups:
        return None
    code = wrong_groups[0]
    _, description, _, advice = next(g for g in groups if g[0] == code)
    right_text = next(g[1] for g in groups if g[0] == right_groups[0])
    got = [g for _, g, _ in verdicts[code]]
    right = [r for _, _, r in verdicts[code]]
    relation = explain_difference(got, right, what=f"on {description}, your values")
    return (
        code,
        f"Your {what} is right on {right_text} but not on {description}: {advice}"
        + (f"\n{relation[1]}" if relation else ""),
    )
