"""Mutation testing of the exercise checkers: wrong answers made by a method, not by guessing.

Each exercise's reference solution is parsed and changed in one place at a time, the way
students go wrong: a sign flipped, a term or a factor dropped, an axis changed, a transpose
lost, two arguments swapped, a function replaced by its neighbour (sum/mean, max/min,
tanh/sigmoid, > / >=), a stable formula replaced by its naive form. Every such mutant is
handed to the exercise's checker, as a student's answer would be, and sorted:

- **equivalent**: it passed, and computes the reference's values (to 1e-9) on every input
  the checker gave the reference: the change made no difference there (`a * b` for
  `b * a`, a `keepdims` on an axis of one). Set aside.
- **survived**: it passed but computes other values: the checker let a wrong answer through.
- **accepted**: it passed, differing from the reference only where the exercise leaves a
  choice (the checker's message says "accepted", or `ACCEPTED` below records why). Set aside.
- **no answer**: the mutated cell raises before the check runs (a student would see the
  traceback in their own cell, not the checker's verdict). Set aside.
- **rejected**, and then **named** when the verdict is a diagnosis of its own, **kind**
  when it says what kind of thing is wrong (a shape, a type, nan, an exception the code
  raised, a time-out), **generic** when it only says that the values differ.

    python tools/mutants.py                  # every exercise; writes the table
    python tools/mutants.py --page 04_activations --show generic,survived

The table goes to `exercises/mutation/table.md` (per exercise and in total) and the full
record, mutant by mutant, to `exercises/mutation/results.json`. tests/test_mutation.py runs
the analysis again: every mutant that changes the answer must be rejected, the share
named must not fall below its floor, and the table must be the one the checkers give now.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import io
import json
import math
import os
import sys
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tools")]
OUT_DIR = ROOT / "exercises" / "mutation"

# Verdicts that only say the values differ: a rejection, but not a diagnosis.
GENERIC = {"wrong-values", "wrong-value", "wrong-gradients", "wrong-answer", "wrong"}
# Verdicts that name the kind of problem rather than the mistake.
KIND = {
    "wrong-shape",
    "wrong-type",
    "not-finite",
    "not-a-number",
    "raised",
    "timeout",
    "returned-none",
    "not-a-pair",
    "wrong-structure",
    "wrong-length",
    "checker-error",
}

# Mutants that pass and differ from the reference only where the exercise leaves a choice,
# reviewed by hand: by exercise, the change (as the table words it) and why it is right.
ACCEPTED = {
    "ex-activations-relu-derivative": {
        "> -> >=": "the slope at exactly z = 0 is a convention; the checker accepts any value "
        "in [0, 1] there and says so",
    },
    "ex-init-optim-he-normal": {
        "the returned value negated": "minus a normal sample is a sample of the same normal "
        "distribution: the same mean 0 and the same variance 2 / n_in",
    },
}

# Exercises that ask for one of many right answers (weights that compute a truth table):
# their checkers judge what the answer does, so an answer that passes is right.
MANY_ANSWERS = {
    "ex-perceptron-nand": "any weights whose unit computes NAND",
    "ex-mlp-xor": "any weights whose network computes XOR",
}

# Exercises whose check trains a network for many seconds: one run each is too slow for
# hundreds of mutants. They are listed in the table as not mutated, with the reason.
SKIP = {
    "ex-mnist-assignment": "its check trains an MNIST network for several seconds per run",
}


# --- the mutation operators --------------------------------------------------------------

_BINOP_SWAPS = {
    ast.Add: (ast.Sub, "+ -> -"),
    ast.Sub: (ast.Add, "- -> +"),
    ast.Mult: (ast.Div, "* -> /"),
    ast.Div: (ast.Mult, "/ -> *"),
    ast.FloorDiv: (ast.Div, "// -> /"),
    ast.Pow: (ast.Mult, "** -> *"),
}
_COMPARE_SWAPS = {
    ast.Gt: (ast.GtE, "> -> >="),
    ast.GtE: (ast.Gt, ">= -> >"),
    ast.Lt: (ast.LtE, "< -> <="),
    ast.LtE: (ast.Lt, "<= -> <"),
}
# Neighbouring functions, by the attribute or name called.
_NEIGHBOURS = {
    "sum": "mean",
    "mean": "sum",
    "max": "min",
    "min": "max",
    "maximum": "minimum",
    "minimum": "maximum",
    "argmax": "argmin",
    "argmin": "argmax",
    "log": "log10",
    "log2": "log",
    "log10": "log",
    "tanh": "__sigmoid",
    "sigmoid": "tanh",
    "all": "any",
    "any": "all",
    "floor": "ceil",
    "ceil": "floor",
    "zeros": "ones",
    "ones": "zeros",
    "zeros_like": "ones_like",
    "ones_like": "zeros_like",
}
# Calls whose removal leaves a plausible, wrong answer: f(x, ...) -> x.
_DROPPABLE = {"sqrt", "abs", "clip", "exp", "log", "square", "copy", "float", "mean", "sum"}
# Stable forms and their naive equivalents (same mathematics, overflow or rounding).
_NAIVE = {
    "logaddexp": "__naive_logaddexp",
    "log1p": "__naive_log1p",
    "expm1": "__naive_expm1",
}
# Helpers the mutants may call; defined ahead of the mutated code.
PRELUDE = """
import numpy as __np
def __sigmoid(z):
    return 1 / (1 + __np.exp(-z))
def __naive_logaddexp(a, b):
    return __np.log(__np.exp(a) + __np.exp(b))
def __naive_log1p(x):
    return __np.log(1 + x)
def __naive_expm1(x):
    return __np.exp(x) - 1
"""


@dataclass
class Mutant:
    operator: str  # e.g. "drop-term"
    change: str  # what changed, in words
    line: int  # line in the solution
    source: str  # the whole mutated solution


def _called_name(call):
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _renamed(call, new):
    call = copy.deepcopy(call)
    if isinstance(call.func, ast.Attribute) and not new.startswith("__"):
        call.func.attr = new
    else:
        call.func = ast.Name(id=new, ctx=ast.Load())
    return call


def _text(node):
    text = ast.unparse(node)
    return text if len(text) <= 40 else text[:37] + "..."


def _replacements(node):
    """(operator, change, new node) for one node of the solution."""
    out = []
    if isinstance(node, ast.BinOp):
        swap = _BINOP_SWAPS.get(type(node.op))
        if swap:
            out.append(("swap-operator", swap[1], ast.BinOp(node.left, swap[0](), node.right)))
        if isinstance(node.op, ast.Add | ast.Sub):
            out.append(("drop-term", f"drop `{_text(node.right)}` from `{_text(node)}`", node.left))
            if isinstance(node.op, ast.Add):
                out.append(
                    ("drop-term", f"drop `{_text(node.left)}` from `{_text(node)}`", node.right)
                )
            else:
                out.append(
                    (
                        "swap-operands",
                        f"`{_text(node)}` reversed",
                        ast.BinOp(node.right, node.op, node.left),
                    )
                )
        if isinstance(node.op, ast.Mult | ast.Div | ast.FloorDiv | ast.MatMult):
            out.append(
                ("drop-factor", f"drop `{_text(node.right)}` from `{_text(node)}`", node.left)
            )
            if isinstance(node.op, ast.Mult | ast.MatMult):
                out.append(
                    ("drop-factor", f"drop `{_text(node.left)}` from `{_text(node)}`", node.right)
                )
        if isinstance(node.op, ast.Pow):
            out.append(("drop-power", f"`{_text(node)}` without its power", node.left))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        out.append(("flip-sign", f"`{_text(node)}` without its minus", node.operand))
    elif isinstance(node, ast.Compare) and len(node.ops) == 1:
        swap = _COMPARE_SWAPS.get(type(node.ops[0]))
        if swap:
            out.append(
                ("swap-comparison", swap[1], ast.Compare(node.left, [swap[0]()], node.comparators))
            )
    elif isinstance(node, ast.Call):
        name = _called_name(node)
        if name in _NEIGHBOURS:
            new = _NEIGHBOURS[name]
            out.append(
                ("neighbour-function", f"`{name}` -> `{new.lstrip('_')}`", _renamed(node, new))
            )
        if name in _NAIVE:
            out.append(("naive-form", f"`{name}` written naively", _renamed(node, _NAIVE[name])))
        if name in _DROPPABLE and node.args:
            out.append(("drop-call", f"`{_text(node)}` -> its argument", node.args[0]))
        if name in _DROPPABLE and not node.args and isinstance(node.func, ast.Attribute):
            out.append(
                ("drop-call", f"`{_text(node)}` -> `{_text(node.func.value)}`", node.func.value)
            )
        if len(node.args) >= 2 and not any(isinstance(a, ast.Starred) for a in node.args[:2]):
            args = [node.args[1], node.args[0], *node.args[2:]]
            swapped = ast.Call(node.func, args, node.keywords)
            out.append(
                ("swap-arguments", f"first two arguments of `{_text(node)}` swapped", swapped)
            )
        for index, kw in enumerate(node.keywords):
            value = kw.value
            if kw.arg == "axis" and isinstance(value, ast.Constant | ast.UnaryOp):
                axis = ast.literal_eval(value)
                if isinstance(axis, int):
                    new_axis = 0 if axis != 0 else 1
                    keywords = list(node.keywords)
                    keywords[index] = ast.keyword("axis", ast.Constant(new_axis))
                    out.append(
                        (
                            "change-axis",
                            f"axis={axis} -> axis={new_axis}",
                            ast.Call(node.func, node.args, keywords),
                        )
                    )
            if kw.arg in ("axis", "keepdims"):
                keywords = [k for k in node.keywords if k is not kw]
                out.append(
                    (
                        "drop-keyword",
                        f"`{kw.arg}=` dropped from `{_text(node)}`",
                        ast.Call(node.func, node.args, keywords),
                    )
                )
    elif isinstance(node, ast.Attribute) and node.attr == "T" and isinstance(node.ctx, ast.Load):
        out.append(("drop-transpose", f"`{_text(node)}` -> `{_text(node.value)}`", node.value))
    elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
        value = node.value
        if value not in (0, 1):
            out.append(("change-constant", f"{value!r} -> 1", ast.Constant(type(value)(1))))
        elif value == 1:
            out.append(("change-constant", "1 -> 2", ast.Constant(type(value)(2))))
    elif isinstance(node, ast.Return) and node.value is not None:
        if not isinstance(node.value, ast.Tuple):
            out.append(
                (
                    "flip-sign",
                    "the returned value negated",
                    ast.Return(ast.UnaryOp(ast.USub(), node.value)),
                )
            )
    return out


class _Replace(ast.NodeTransformer):
    def __init__(self, target, new):
        self.target, self.new = target, new

    def visit(self, node):
        if node is self.target:
            return self.new
        return super().visit(node)


def _sites(tree, names):
    """The nodes to mutate: inside the functions `names` if the solution defines any of
    them, otherwise the whole solution (an answer computed at the top level)."""
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in names]
    roots = functions or tree.body
    seen = []
    for root in roots:
        for node in ast.walk(root):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                continue  # a docstring
            seen.append(node)
    # Leave out print(...) calls and f-strings: they change what is shown, not the answer.
    skip = set()
    for node in seen:
        if (
            isinstance(node, ast.Call)
            and _called_name(node) == "print"
            or isinstance(node, ast.JoinedStr)
        ):
            skip.update(id(n) for n in ast.walk(node))
    return [n for n in seen if id(n) not in skip]


def mutants(solution, names):
    """Every single-change mutant of `solution`, deduplicated by its source."""
    tree = ast.parse(solution)
    original = ast.unparse(tree)
    found, sources = [], {original}
    for node in _sites(tree, names):
        for operator, change, new in _replacements(node):
            mutated = _clone_with(tree, node, new)
            ast.fix_missing_locations(mutated)
            try:
                source = ast.unparse(mutated)
                compile(source, "<mutant>", "exec")
            except (SyntaxError, ValueError, TypeError):
                continue
            if source in sources:
                continue
            sources.add(source)
            found.append(Mutant(operator, change, getattr(node, "lineno", 0), source))
    return found


def _clone_with(tree, target, new):
    """A copy of `tree` with `target` replaced by `new` (nodes are copied, so the original
    tree stays intact for the next mutant)."""
    memo = {}
    clone = copy.deepcopy(tree, memo)
    target_clone = memo[id(target)]
    new_clone = copy.deepcopy(new, memo)
    return _Replace(target_clone, new_clone).visit(clone)


# --- running a checker on them -------------------------------------------------------------


class Recorder:
    """Records every call the checker makes of a student's function (arguments and
    result), by wrapping `nnlib.checks.harness.run_guarded`."""

    def __init__(self):
        from nnlib.checks import harness

        self.harness = harness
        self.original = harness.run_guarded
        self.calls = []

    def __enter__(self):
        def recording(func, args, seconds=None):
            kept = copy.deepcopy(args) if _copyable(args) else None
            result = self.original(func, args, seconds)
            self.calls.append((getattr(func, "__name__", None), kept, result))
            return result

        self.harness.run_guarded = recording
        return self

    def __exit__(self, *exc):
        self.harness.run_guarded = self.original


def _copyable(args):
    try:
        copy.deepcopy(args)
        return True
    except Exception:
        return False


def _same(a, b):
    """Equal values (to 1e-9): arrays, numbers, and lists, tuples and dicts of them. Other
    objects (a random generator, a module) are not answers, and count as equal."""
    import numpy as np

    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    numeric = (int, float, complex, bool, np.ndarray, np.generic, tuple, list, dict)
    if not isinstance(a, numeric) and not isinstance(b, numeric):
        return True
    try:
        x, y = np.asarray(a), np.asarray(b)
        if x.dtype == object or y.dtype == object:
            return bool(a == b)
        with np.errstate(all="ignore"):
            close = np.allclose(x, y, rtol=1e-9, atol=1e-12, equal_nan=True)
        return x.shape == y.shape and bool(close)
    except Exception:
        return False


def classify(book, label, mutant, names, reference_calls, reference_namespace):
    """Run one mutant through the checker; return (verdict, code)."""
    import numpy as np

    namespace = {}
    with Recorder(), _quiet():
        try:
            with np.errstate(all="ignore"):
                feedback = book.run(label, PRELUDE + mutant.source, namespace=namespace)
        except Exception as err:  # the cell itself raised: no verdict from the checker
            return "no answer", type(err).__name__
    if feedback.passed and (
        "accepted" in feedback.message
        or mutant.change in ACCEPTED.get(label, {})
        or label in MANY_ANSWERS
    ):
        return "accepted", feedback.code
    if not feedback.passed:
        if feedback.code in GENERIC:
            return "generic", feedback.code
        if feedback.code in KIND:
            return "kind", feedback.code
        return "named", feedback.code
    # Passed: equivalent if it computes the reference's values on the reference's inputs.
    same = True
    for name, args, result in reference_calls:
        func = namespace.get(name)
        if func is None or args is None:
            continue
        try:
            with np.errstate(all="ignore"):
                got = func(*copy.deepcopy(args))
        except Exception:
            same = False
            break
        if not _same(got, result):
            same = False
            break
    if not reference_calls:
        # An answer computed at the top level: compare what the check is given.
        for key in names:
            if key in reference_namespace and not _same(
                namespace.get(key), reference_namespace[key]
            ):
                same = False
                break
    return ("equivalent" if same else "survived"), feedback.code


@contextlib.contextmanager
def _quiet():
    """What the exercise's own cells print (a demo, the answer) is not wanted here."""
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def run_exercise(page, label, show=()):
    import numpy as np
    from exercise_harness import exercise_notebook

    from nnlib.checks import harness  # noqa: F401 - Recorder patches it

    book = exercise_notebook(page)
    exercise = book.exercises[label]
    check_names = _check_arguments(exercise.check)
    reference_namespace = {}
    with Recorder() as recorder, np.errstate(all="ignore"), _quiet():
        feedback = book.run(label, exercise.solution, namespace=reference_namespace)
    assert feedback.passed, f"{label}: the reference solution fails its own check"
    reference_calls = [c for c in recorder.calls if c[0] in check_names]
    results = []
    for mutant in mutants(exercise.solution, check_names):
        verdict, code = classify(
            book, label, mutant, check_names, reference_calls, reference_namespace
        )
        entry = {k: v for k, v in asdict(mutant).items() if k != "source"}
        results.append({**entry, "verdict": verdict, "code": code})
        if verdict in show:
            print(f"--- {label} [{verdict} {code}] line {mutant.line}: {mutant.change}")
    return results


def _check_arguments(check):
    """The names the check cell passes to the checker: `check.f(a, b)` -> {"a", "b"}."""
    call = ast.parse(check.strip()).body[0].value
    return {a.id for a in call.args if isinstance(a, ast.Name)}


# --- the table -------------------------------------------------------------------------------

VERDICTS = ["named", "kind", "generic", "survived", "equivalent", "accepted", "no answer"]


def summarise(results):
    counts = {v: sum(r["verdict"] == v for r in results) for v in VERDICTS}
    counted = counts["named"] + counts["kind"] + counts["generic"] + counts["survived"]
    rejected = counted - counts["survived"]
    return {
        **counts,
        "mutants": len(results),
        "counted": counted,
        "rejected": rejected,
        "rejected_share": rejected / counted if counted else 1.0,
        "named_share": (counts["named"] + counts["kind"]) / counted if counted else 1.0,
    }


def _table_lines(record):
    lines = [
        "# Mutation testing of the exercise checkers",
        "",
        "Made by `python tools/mutants.py` (see its docstring for the method). Of the mutants",
        "that change the answer (*counted*: equivalent mutants and mutants whose cell raises",
        "before the check are set aside), *rejected* is the share the checker turned down and",
        "*named* the share whose verdict names the mistake or at least its kind (shape, type,",
        "nan, the exception raised); *generic* verdicts only say that the values differ.",
        "",
        "| exercise | mutants | counted | rejected | named | kind | generic | survived |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, entry in record["exercises"].items():
        if "skipped" in entry:
            lines.append(f"| {label} | not mutated: {entry['skipped']} | | | | | | |")
            continue
        s = entry["summary"]
        lines.append(
            f"| {label} | {s['mutants']} | {s['counted']} | {s['rejected_share']:.0%} | "
            f"{s['named']} | {s['kind']} | {s['generic']} | {s['survived']} |"
        )
    t = record["total"]
    lines.append(
        f"| **total** | {t['mutants']} | {t['counted']} | {t['rejected_share']:.1%} | "
        f"{t['named']} | {t['kind']} | {t['generic']} | {t['survived']} |"
    )
    lines += [
        "",
        f"Named or kind: {t['named_share']:.1%} of the counted mutants "
        f"({t['named']} named, {t['kind']} by kind); equivalent: {t['equivalent']}; "
        f"no answer: {t['no answer']}.",
        "",
    ]
    return "\n".join(lines)


def analyse(pages=None, labels=None, show=(), log=print):
    """Run every mutant of the chosen exercises through its checker; the full record."""
    from exercise_harness import PAGES, exercise_notebook

    record = {"exercises": {}}
    for page in pages or PAGES:
        for label in exercise_notebook(page).labels:
            if labels and label not in labels:
                continue
            if label in SKIP:
                record["exercises"][label] = {"page": page, "skipped": SKIP[label]}
                continue
            t0 = time.perf_counter()
            results = run_exercise(page, label, show)
            summary = summarise(results)
            record["exercises"][label] = {"page": page, "summary": summary, "mutants": results}
            log(
                f"{label}: {summary['mutants']} mutants, {summary['counted']} counted, "
                f"rejected {summary['rejected_share']:.0%}, named {summary['named']}, "
                f"kind {summary['kind']}, generic {summary['generic']}, survived "
                f"{summary['survived']} ({time.perf_counter() - t0:.0f} s)"
            )
    everything = [r for e in record["exercises"].values() for r in e.get("mutants", [])]
    record["total"] = summarise(everything)
    return record


def table_text(record):
    """The markdown table of `record`, as exercises/mutation/table.md holds it."""
    return _table_lines(record)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page", action="append", help="only these pages (e.g. 04_activations)")
    parser.add_argument("--label", action="append", help="only these exercises")
    parser.add_argument("--show", default="", help="print mutants with these verdicts")
    args = parser.parse_args(argv)
    # A mutant that loops for ever is stopped after 3 s instead of the students' 10.
    os.environ.setdefault("NNLIB_CHECK_TIME_LIMIT", "3")
    started = time.perf_counter()
    show = set(filter(None, args.show.split(",")))
    record = analyse(args.page, args.label, show, log=lambda line: print(line, flush=True))
    t = record["total"]
    print(
        f"total: {t['mutants']} mutants, {t['counted']} counted, rejected "
        f"{t['rejected_share']:.1%}, named or kind {t['named_share']:.1%} "
        f"({time.perf_counter() - started:.0f} s)"
    )
    if not (args.page or args.label):
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        (OUT_DIR / "results.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        (OUT_DIR / "table.md").write_text(table_text(record), encoding="utf-8")
    return 0 if math.isclose(t["rejected_share"], 1.0) else 1


if __name__ == "__main__":
    sys.exit(main())
