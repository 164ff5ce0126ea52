"""One engine for the code exercises: an exercise is declared, and `judge` runs it.

A declaration (`CodeExercise`) says what the exercise is, not how to check it:

- the student's function (`name`) and the `reference` that computes the right answer;
- the `cases` it is run on (argument tuples), and how a result is read (`result`);
- the typical mistakes, each a `Variant`: a function that computes what the mistaken
  answer returns, and the sentence that names the mistake;
- `probes`: checks of what values on a few cases cannot show (an overflow at extreme
  inputs, a property such as rows summing to 1), each a function of the student's
  function that raises `Reject` when it finds a problem.

`judge` runs the student's function on every case inside the harness (`call_student`),
reads each result with the shared messages for types, shapes and nan, compares it with the
reference, and when they differ names the first variant that reproduces the student's
numbers on every case. An answer no variant reproduces is still described: by the group
of examples it gets wrong (`groups`), by an input it ignores or misuses (`arguments`), or
by how its numbers relate to the right ones (negated, scaled, shifted), before the
exercise's own sentence for a mismatch.

The readers and comparisons (`as_array`, `as_number`, `close`, `first_match`) serve the
checkers that are not declarations too: one place for each message a student sees about
the kind of thing they returned.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nnlib.checks import (
    Reject,
    array_text,
    call_student,
    checker,
    explain_by_arguments,
    explain_by_subsets,
    kind_of,
    values_differ,
)

RTOL, ATOL = 1e-6, 1e-9

# Values that NumPy would turn into an array but that are never an answer made of numbers.
_NOT_NUMBERS = (str, bytes, dict, bool, complex, np.bool_, type(None), type(Ellipsis))


# --- reading what the student returned -------------------------------------------------------


def summary(value):
    """A value in a sentence: an array by its shape, anything else by its repr when short."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    text = repr(value)
    return text if len(text) <= 60 else kind_of(value)


def as_array(value, what, shape=None, kind="an array of numbers", hint=None):
    """`value` as a float array, or the verdict saying what it should be.

    `what` names the value in a sentence ("`softmax_rows` returned", "The gradient of
    layer 1"); `shape`, when given, is the shape it must have. A wrong shape gets a hint
    when it tells a common mistake (transposed, an axis lost), or `hint(shape_got)`.
    """
    array = _floats(value, what, kind)
    if shape is not None and array.shape != tuple(shape):
        shape = tuple(shape)
        extra = hint(array.shape) if hint else _shape_hint(array.shape, shape)
        raise Reject(
            "wrong-shape",
            f"{what} should have shape {shape}, but it has shape {array.shape}."
            + (f" {extra}" if extra else ""),
        )
    return array


def _floats(value, what, kind):
    """`value` as a float array of any shape, or the verdict "wrong-type" for what is not
    made of real numbers (text, None, a bool, a ragged list, ...)."""
    if isinstance(value, _NOT_NUMBERS):
        raise Reject("wrong-type", f"{what} should be {kind}, but it is {summary(value)}.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Reject(
            "wrong-type", f"{what} should be {kind}, but it is {summary(value)}."
        ) from None


def _shape_hint(got, wanted):
    if len(wanted) == 2 and got == wanted[::-1] and wanted[0] != wanted[1]:
        return "It looks transposed: keep one row per example (or transpose with .T)."
    if got == ():
        return (
            "It is a single number where an array is expected: work on whole arrays entry "
            "by entry (np.exp, np.maximum, ...), and leave out any sum, mean or max that "
            "reduces them."
        )
    if len(got) < len(wanted):
        return "Did a sum, a mean or a max lose an axis? keepdims=True keeps it."
    if len(got) > len(wanted):
        return "It has an axis too many: is a sum or a mean over an axis missing?"
    return ""


def as_number(value, what):
    """`value` as one finite float, or the verdict saying what it should be. An array of
    one entry counts as its number."""
    array = _floats(value, what, "a single number")
    if array.size != 1:
        raise Reject("wrong-type", f"{what} should be a single number, but it is {summary(value)}.")
    number = float(array.reshape(()))
    if not np.isfinite(number):
        raise Reject("not-finite", f"{what} is {number}; it should be a finite number.")
    return number


def as_float(value, what):
    """`value` as one float like `as_number`, but with nan and inf kept: for a checker that
    says itself what a nan means there (a class that never occurs, a blown-up end)."""
    try:
        return as_number(value, what)
    except Reject as verdict:
        if verdict.code != "not-finite":
            raise
    return float(np.asarray(value, dtype=float).reshape(()))


def as_parts(value, names, who):
    """The parts of a result made of several values, one per name (a tuple or a list of
    that length), or the verdict "not-a-tuple". `who` names the function in a sentence
    ("`momentum_step(theta, v, g, lr, beta)`")."""
    if not isinstance(value, tuple | list) or len(value) != len(names):
        raise Reject(
            "not-a-tuple",
            f"{who} should return the {len(names)} values ({', '.join(names)}) in that "
            f"order, but it returned {summary(value)}.",
        )
    return list(value)


def as_dict(value, keys, what):
    """The entries `keys` of a result that is a dict, or the verdict: "wrong-type" for
    anything else, "missing-keys" naming the keys it lacks. `what` names it in a sentence
    ("`grads`", "What `two_layer_backward` returns")."""
    quoted = [f'"{key}"' for key in keys]
    if not isinstance(value, dict):
        layout = "{" + ", ".join(f"{k}: ..." for k in quoted) + "}"
        raise Reject("wrong-type", f"{what} should be a dict {layout}, but it is {summary(value)}.")
    missing = [f'"{key}"' for key in keys if key not in value]
    if missing:
        needs = ", ".join(quoted[:-1]) + " and " if len(quoted) > 1 else ""
        raise Reject(
            "missing-keys",
            f"{what} has no entry for {', '.join(missing)}: it needs the keys {needs}{quoted[-1]}.",
        )
    return {key: value[key] for key in keys}


def recoded(code, read, *args, **kwargs):
    """What the reader `read(*args, **kwargs)` returns (`as_number`, `as_parts`, ...), with
    a verdict it raises given the exercise's own `code` ("not-a-number", "not-a-pair") and
    the reader's sentence."""
    try:
        return read(*args, **kwargs)
    except Reject as verdict:
        raise Reject(code, verdict.message) from None


_SHAPE_WORDS = ("matmul", "shape", "broadcast", "aligned")


def call_with_hint(func, name, *args, words, hint, code="raised", changes="reject"):
    """`call_student`, where a crash whose message holds one of `words` ("matmul") gets
    `hint` added on a line of its own, and the verdict `code` (by default still "raised")."""
    try:
        return call_student(func, name, *args, changes=changes)
    except Reject as verdict:
        if verdict.code == "raised" and any(word in verdict.message for word in words):
            raise Reject(code, f"{verdict.message}\n{hint}") from None
        raise


def call_with_shape_hint(func, name, *args, hint, changes="reject"):
    """`call_with_hint` for a crash that NumPy explains by shapes (a product or a broadcast
    that does not fit): the verdict "shape-error", with `hint` saying what the shapes
    should be."""
    return call_with_hint(
        func, name, *args, words=_SHAPE_WORDS, hint=hint, code="shape-error", changes=changes
    )


def close(got, right, rtol=RTOL, atol=ATOL):
    """True when `got` has `right`'s shape and values (both finite): arrays, numbers, or
    tuples, lists and dicts of them, compared piece by piece. A label (a string) is
    compared by equality."""
    if isinstance(right, str):
        return isinstance(got, str) and got == right
    if isinstance(right, dict):
        return (
            isinstance(got, dict)
            and set(got) == set(right)
            and all(close(got[k], right[k], rtol, atol) for k in right)
        )
    if isinstance(right, tuple | list):
        return (
            isinstance(got, tuple | list)
            and len(got) == len(right)
            and all(close(g, r, rtol, atol) for g, r in zip(got, right, strict=True))
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a, b = np.asarray(got, dtype=float), np.asarray(right, dtype=float)
    except (TypeError, ValueError):
        return False
    if a.shape != b.shape:
        return False
    with np.errstate(all="ignore"):
        return bool(np.all(np.isfinite(a))) and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def all_close(got, right, rtol=RTOL, atol=ATOL):
    """`close` on every pair of two lists (one result per case)."""
    return len(got) == len(right) and all(
        close(g, r, rtol, atol) for g, r in zip(got, right, strict=True)
    )


def finite(value):
    """True when every number in `value` (an array, a number, or a list of them) is finite."""
    if isinstance(value, dict):
        return all(finite(v) for v in value.values())
    if isinstance(value, tuple | list):
        return all(finite(v) for v in value)
    try:
        with np.errstate(all="ignore"):
            return bool(np.all(np.isfinite(np.asarray(value, dtype=float))))
    except (TypeError, ValueError):
        return False


# --- named mistakes --------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """A typical mistake: `compute(*case)` returns what the mistaken answer returns on a
    case, and `message` names the mistake (a sentence, or a function of the list of cases
    that writes one with their numbers)."""

    code: str
    message: str | Callable[[list], str]
    compute: Callable[..., Any]

    def text(self, cases):
        return self.message(cases) if callable(self.message) else self.message


def first_match(got, cases, variants, right=None, rtol=RTOL, atol=ATOL):
    """The first variant that reproduces `got` (one result per case) on every case, or None.

    With `right` (the right results), a variant that computes the right values on every
    case is skipped: on these cases it is no mistake at all."""
    for variant in variants:
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                predicted = [variant.compute(*case) for case in cases]
        except Exception:  # a variant that cannot run on a case does not match it
            continue
        if right is not None and all_close(predicted, right, rtol, atol):
            continue
        if all_close(got, predicted, rtol, atol):
            return variant
    return None


def reject_match(got, cases, variants, right=None, rtol=RTOL, atol=ATOL):
    """Raise the first variant that reproduces `got` as the verdict; return if none does."""
    found = first_match(got, cases, variants, right, rtol, atol)
    if found is not None:
        raise Reject(found.code, found.text(cases))


def judge_part(got, right, cases, variants, code, message, rtol=RTOL, atol=ATOL):
    """Judge one part of results made of several (a new θ and its state, a variance and a
    limit), one per case: return when it is right; else raise the first variant that
    reproduces it, or `Reject(code, message)` when none does."""
    if all_close(got, right, rtol, atol):
        return
    reject_match(got, cases, variants, right, rtol, atol)
    raise Reject(code, message)


def judge_cases(got, right, cases, variants, code, mismatch, rtol=RTOL, atol=ATOL):
    """Judge results that are one per case: return when every one is right; else raise the
    first variant that reproduces them all, or `Reject(code, mismatch(i))`, the exercise's
    own sentence for case i, the first that differs."""
    if all_close(got, right, rtol, atol):
        return
    reject_match(got, cases, variants, right, rtol, atol)
    i = next(
        i for i, (g, r) in enumerate(zip(got, right, strict=True)) if not close(g, r, rtol, atol)
    )
    raise Reject(code, mismatch(i))


# --- the declaration and the engine ----------------------------------------------------------


def _quietly(function, *args):
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args)


@dataclass(frozen=True)
class Piece:
    """One part of a result made of several (a new θ and its state, dX, dW and db), judged
    on its own once the whole result's named mistakes are ruled out: `pick(result)` takes
    it from a read result (the student's and the right one alike); `mistakes` are its
    variants, computing that part from a case; a difference nothing names gets `code` and
    the sentence `mismatch(case, got, right)`, for the first case where the part differs.
    `rtol`/`atol` default to the exercise's.

    With `code=None` such a difference ends the judging of parts and goes on like a whole
    result's: to the exercise's `flaws` and explanations, then to its `unnamed` code or the
    shared relations on this part alone, with `what` naming it and `start(case)` its value
    before the step."""

    name: str
    pick: Callable[[Any], Any]
    code: str | None
    mismatch: Callable[[tuple, Any, Any], str]
    mistakes: Sequence[Variant] | Callable[[list], Sequence[Variant]] = ()
    rtol: float | None = None
    atol: float | None = None
    what: str = "your values"
    start: Callable[[tuple], Any] | None = None


@dataclass(frozen=True)
class CodeExercise:
    """A code exercise: the student writes `name(*arguments)`.

    - `reference(*case)` computes the right result of a case; `cases()` returns the cases
      (argument tuples), in the order they are tried.
    - `result(got, case, right)` reads the student's result (and raises the verdict for a
      wrong type or shape); by default it must be a float array shaped like the right one
      (a number, when the right one is).
    - `mistakes`: the variants tried, in order, when the values differ. A list, or a
      function of the cases that builds it.
    - `per_case`: judge case by case, diagnosing the first case that differs on its own
      (for an exercise whose later cases are harder: a naive formula right on small inputs
      must be named by the large ones it fails on). Otherwise every case is run first and
      a variant must reproduce all of them.
    - `mismatch(case, got, right)`: the exercise's sentence for a case that differs and
      that nothing names; `what` names the values in the shared sentences.
    - `probes`: functions of the student's function, run in order once every case is
      right (`first_probes`: before the cases), each raising `Reject` on a problem.
    - `arguments`, `batch`, `skip`, `parts`: for `explain_by_arguments`, which nudges each
      named input to find one ignored or misused; `groups` for `explain_by_subsets`.
    - `start(case)`: for an update rule, the values before the step, so that a step that
      is reversed, scaled or missing is named.
    - `nonfinite(case, got)`: the sentence for a result with nan or inf where the right
      one is finite ("not-finite"), given before any variant is tried; or (code, sentence),
      where what the nan means depends on the case (an overflow, a row that underflows).
    - `explain`: functions of the student's function and the cases, tried in order after
      the named mistakes and before `groups` and `arguments`: each runs the answer on an
      input that isolates one part of the formula and returns (code, message), or None.
    - `subject`: the result in `explain_by_subsets`'s sentence ("Your loss is right on").
    - `pieces`: for a result made of several parts, each judged in turn (`Piece`) after
      the whole result's `mistakes`.
    - `unnamed`: the code for a difference nothing names, with `mismatch`'s sentence as it
      is; without it, the shared relations (negated, scaled, shifted) are looked for first.
    - `call(func, case)`: how the student's function is run on a case, where it needs more
      than `call_student` (a hint for a crash); it must return what the function returned.
    - `flaws`: functions of the cases and the read results (lists, one entry per case, the
      right ones last), tried in order after the named mistakes and the pieces; each
      returns (code, message) for what no variant computes (a nan quoted with every
      result, an answer of the wrong length, an item that does not belong), or None.
    - `success` may be a function of the student's function, run last, that returns the
      sentence (a note on an accepted variant) or raises `Reject` like a probe.
    - `spread`: each result is a list of arrays of different shapes (a gradient, one array
      per parameter); the shared relations see the arrays of every case as one list.
    - `by_part`: each result is made of the parts named in `parts` (a tuple, or a dict
      with those keys); the shared relations see only the parts that differ on some case,
      `what` naming them with "{parts}" ("your {parts}": "your W1 and b2"), and `start`
      gives one start per part.
    """

    title: str
    name: str
    reference: Callable[..., Any]
    cases: Callable[[], Sequence[tuple]]
    success: str | Callable[[Callable], str]
    mismatch: Callable[[tuple, Any, Any], str]
    mistakes: Sequence[Variant] | Callable[[list], Sequence[Variant]] = ()
    result: Callable[[Any, tuple, Any], Any] | None = None
    what: str = "your values"
    per_case: bool = False
    probes: Sequence[Callable[[Callable], None]] = ()
    first_probes: Sequence[Callable[[Callable], None]] = ()
    arguments: tuple[str, ...] = ()
    batch: tuple[int, ...] = ()
    skip: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    groups: Sequence[tuple] = ()
    changes: str = "reject"
    start: Callable[[tuple], Any] | None = None
    nonfinite: Callable[[tuple, Any], str] | None = None
    rtol: float = RTOL
    atol: float = ATOL
    extra: dict = field(default_factory=dict)  # anything a probe of this exercise needs
    explain: Sequence[Callable[[Callable, list], tuple[str, str] | None]] = ()
    subject: str = "result"
    pieces: Sequence[Piece] = ()
    unnamed: str | None = None
    call: Callable[[Callable, tuple], Any] | None = None
    flaws: Sequence[Callable[[list, list, list], tuple[str, str] | None]] = ()
    spread: bool = False
    by_part: bool = False


def like_reference(name):
    """The default reader: a float array of the right result's shape (a number when the
    right result is one)."""

    def read(got, case, right):
        if np.ndim(right) == 0:
            return as_number(got, f"What `{name}` returns")
        return as_array(got, f"What `{name}` returns", np.shape(right))

    return read


def code_checker(exercise):
    """The checker function of a declared exercise: `check.<name>(func)`."""

    @checker(exercise.title)
    def check(func):
        return judge(exercise, func)

    check.__doc__ = f"Check `{exercise.name}`: {exercise.title}."
    check.__name__ = check.__qualname__ = exercise.name
    check.exercise = exercise
    return check


def judge(exercise, func):
    """The verdict on the student's `func` for `exercise`: its success sentence, or a
    `Reject` naming what is wrong."""
    for probe in exercise.first_probes:
        probe(func)
    read = exercise.result or like_reference(exercise.name)
    cases = list(exercise.cases())
    got, right = [], []
    for case in cases:
        right_value = _quietly(exercise.reference, *case)
        if exercise.call is not None:
            answer = exercise.call(func, case)
        else:
            answer = call_student(func, exercise.name, *case, changes=exercise.changes)
        got.append(read(answer, case, right_value))
        right.append(right_value)
        if exercise.per_case and not close(got[-1], right[-1], exercise.rtol, exercise.atol):
            diagnose(exercise, func, [case], [got[-1]], [right[-1]])
    if not all_close(got, right, exercise.rtol, exercise.atol):
        diagnose(exercise, func, cases, got, right)
    for probe in exercise.probes:
        probe(func)
    return exercise.success(func) if callable(exercise.success) else exercise.success


def diagnose(exercise, func, cases, got, right):
    """Raise the verdict for results that differ from the right ones on some case."""
    if exercise.nonfinite is not None:
        for case, g, r in zip(cases, got, right, strict=True):
            if finite(r) and not finite(g):
                said = exercise.nonfinite(case, g)
                raise Reject(*said) if isinstance(said, tuple) else Reject("not-finite", said)
    variants = exercise.mistakes(cases) if callable(exercise.mistakes) else exercise.mistakes
    reject_match(got, cases, variants, right, exercise.rtol, exercise.atol)
    left = None  # a piece whose difference nothing named (`code=None`)
    for piece in exercise.pieces:
        left = _judge_piece(piece, exercise, cases, got, right)
        if left is not None:
            break
    for flaw in exercise.flaws:
        found = flaw(cases, got, right)
        if found:
            raise Reject(*found)
    found = None
    for explain in exercise.explain:
        found = found or explain(func, cases)
    if found is None and exercise.groups:
        found = explain_by_subsets(
            func,
            exercise.name,
            cases,
            exercise.reference,
            exercise.batch,
            exercise.groups,
            what=exercise.subject,
        )
    if found is None and exercise.arguments:
        found = explain_by_arguments(
            func,
            exercise.name,
            cases,
            exercise.arguments,
            exercise.reference,
            batch=exercise.batch,
            skip=exercise.skip,
            changes=exercise.changes,
            parts=exercise.parts,
        )
    if found:
        raise Reject(*found)
    if left is not None:
        raise _piece_differs(left, exercise, cases, got, right)
    index = next(
        i
        for i, (g, r) in enumerate(zip(got, right, strict=True))
        if not close(g, r, exercise.rtol, exercise.atol)
    )
    if exercise.unnamed is not None:
        raise Reject(exercise.unnamed, exercise.mismatch(cases[index], got[index], right[index]))
    start = [exercise.start(case) for case in cases] if exercise.start else None
    message = exercise.mismatch(cases[index], got[index], right[index])
    if exercise.spread:
        got, right = _spread(got), _spread(right)
        start = _spread(start) if start is not None else None
    what = exercise.what
    if exercise.by_part:
        got, right, start, what = _differing_parts(exercise, got, right, start)
    raise values_differ(message, got, right, start=start, what=what)


def _spread(results):
    """The arrays of results that are each a list of arrays, as one list."""
    return [array for result in results for array in result]


def _differing_parts(exercise, got, right, start):
    """For `by_part`: the parts that differ on some case, case after case (the student's,
    the right ones, their starts), and `what` with their names."""
    keys = exercise.parts if isinstance(right[0], dict) else range(len(exercise.parts))
    wrong = [
        (key, name)
        for key, name in zip(keys, exercise.parts, strict=True)
        if not all(
            close(g[key], r[key], exercise.rtol, exercise.atol)
            for g, r in zip(got, right, strict=True)
        )
    ]

    def pick(results):
        return [result[key] for result in results for key, _ in wrong]

    names = " and ".join(name for _, name in wrong)
    start = pick(start) if start is not None else None
    return pick(got), pick(right), start, exercise.what.format(parts=names)


def _judge_piece(piece, exercise, cases, got, right):
    """Return when the piece is right on every case; else raise its named mistake or its
    own verdict for the first case where it differs (return the piece, with no `code`)."""
    rtol = exercise.rtol if piece.rtol is None else piece.rtol
    atol = exercise.atol if piece.atol is None else piece.atol
    got_piece = [piece.pick(g) for g in got]
    right_piece = [piece.pick(r) for r in right]
    if all_close(got_piece, right_piece, rtol, atol):
        return None
    variants = piece.mistakes(cases) if callable(piece.mistakes) else piece.mistakes
    reject_match(got_piece, cases, variants, right_piece, rtol, atol)
    if piece.code is None:
        return piece
    i = next(
        i
        for i, (g, r) in enumerate(zip(got_piece, right_piece, strict=True))
        if not close(g, r, rtol, atol)
    )
    raise Reject(piece.code, piece.mismatch(cases[i], got_piece[i], right_piece[i]))


def _piece_differs(piece, exercise, cases, got, right):
    """The verdict for a piece with no `code` that nothing names: the exercise's `unnamed`
    code, or the shared relations on that piece alone, with the piece's sentence for the
    first case where it differs."""
    rtol = exercise.rtol if piece.rtol is None else piece.rtol
    atol = exercise.atol if piece.atol is None else piece.atol
    got, right = [piece.pick(g) for g in got], [piece.pick(r) for r in right]
    i = next(
        i for i, (g, r) in enumerate(zip(got, right, strict=True)) if not close(g, r, rtol, atol)
    )
    message = piece.mismatch(cases[i], got[i], right[i])
    if exercise.unnamed is not None:
        return Reject(exercise.unnamed, message)
    start = [piece.start(case) for case in cases] if piece.start else None
    return values_differ(message, got, right, start=start, what=piece.what)


def worst(got, right):
    """The flat index of the entry where two arrays differ most (nan counts as most)."""
    with np.errstate(all="ignore"):
        gap = np.abs(np.ravel(got) - np.ravel(right))
    gap[~np.isfinite(gap)] = np.inf
    return int(np.argmax(gap))


def quote(array):
    """An array in a sentence: its numbers, four decimals (`array_text`)."""
    return array_text(array)
