"""Run an exercise source notebook's cells outside Jupyter, for testing its checkers.

One helper serves every exercise of every page: `exercise_notebook(page).run(label, code)`
runs what the page runs above the exercise's check cell (its set-up, the data the exercise
hands the student, the earlier answers it builds on), then `code` in place of the
student's answer, then the check, and returns the `Feedback`.
"""

import functools

import nbformat
import numpy as np
from conftest import ROOT

from exercises import _EXERCISE, _LABEL, parse_exercises, setup_code, tags

SOURCE_DIR = ROOT / "exercises" / "solutions"
PAGES = sorted(path.stem for path in SOURCE_DIR.glob("*.ipynb"))

# An exercise that builds on earlier ones of its page: their reference solutions run
# first, as they do above it on the page. (The student is told to use their own earlier
# answer: `perceptron_step` to count the epochs, `dead_fraction` to find the shift.)
PREREQUISITES = {
    "ex-perceptron-epochs": ["ex-perceptron-step"],
    "ex-activations-half-dead": ["ex-activations-dead-fraction"],
}


def _given_code(notebook):
    """By label, the untagged code cells inside an exercise: data it hands the student."""
    given, label = {}, None
    for cell in notebook.cells:
        found = _EXERCISE.match(cell.source.strip()) if cell.cell_type == "markdown" else None
        if found:
            label = _LABEL.search(found["body"]).group(1)
        elif cell.cell_type == "code" and label and not tags(cell):
            given[label] = given.get(label, "") + cell.source + "\n"
    return given


class ExerciseNotebook:
    """The exercises of `exercises/solutions/<page>.ipynb`, by label."""

    def __init__(self, page):
        self.page = page.removesuffix(".ipynb")
        notebook = nbformat.read(SOURCE_DIR / f"{self.page}.ipynb", as_version=4)
        parsed = parse_exercises(notebook)
        self.labels = [ex.label for ex in parsed]  # in page order, repeats kept
        self.exercises = {ex.label: ex for ex in parsed}
        self.setup = setup_code(notebook)
        self.given = _given_code(notebook)

    def _exec(self, code, namespace, what):
        exec(compile(code, f"<{self.page} {what}>", "exec"), namespace)

    def run(self, label, answer_code, prerequisites=True, namespace=None):
        """Run the set-up cell, the exercise's prerequisites and given data, `answer_code`,
        then the exercise's check; return the Feedback. `prerequisites=False` leaves out
        the earlier exercises' solutions (to prove that they are needed). `namespace` (a
        dict) lets a test read what the answer's code left behind."""
        namespace = {} if namespace is None else namespace
        self._exec(self.setup, namespace, "set-up")
        for earlier in PREREQUISITES.get(label, []) if prerequisites else []:
            self._exec(self.given.get(earlier, ""), namespace, f"{earlier} given")
            self._exec(self.exercises[earlier].solution, namespace, f"{earlier} solution")
        self._exec(self.given.get(label, ""), namespace, f"{label} given")
        self._exec(answer_code, namespace, f"{label} answer")
        return eval(self.exercises[label].check.strip(), namespace)

    def assert_diagnosis(self, label, code, diagnosis):
        """A typical wrong answer is rejected with its own diagnosis and a message."""
        feedback = self.run(label, code)
        assert not feedback.passed, f"accepted a wrong answer:\n{code}"
        assert feedback.code == diagnosis, f"expected {diagnosis!r}, got:\n{feedback}"
        assert feedback.message.strip()


@functools.cache
def exercise_notebook(page):
    """The page's `ExerciseNotebook`, read once per test session."""
    return ExerciseNotebook(page)


# Junk for every page's checkers, each passed as the answer (a value, or a function that
# the checker calls); each page's test adds junk shaped like its own answers.
JUNK_ANSWERS = [
    None,
    "text",
    3,
    -1.0,
    float("nan"),
    [1, 2],
    np.full((2, 2), np.nan),
    lambda *a: 1 / 0,
    lambda *a: "oops",
    lambda *a: None,
    lambda *a: float("nan"),
    lambda *a: np.full(100, np.inf),
    lambda *a: [1, [2, 3]],
    lambda *a: (None, None),
    lambda *a: (np.zeros(2), "b"),
    lambda *a: [[1, 2], [3]],
    lambda *a: [[0.5], [1.5, 2.5]],
    lambda *a: 1j,
    lambda *a: True,
    lambda *a: np.array(3),
    lambda *a: iter([np.arange(3)]),
    lambda *a: [np.array([-1e308, 1e308])],
]


def assert_rejected_calmly(feedback, catch_all=False):
    """Junk a student passes is rejected with a sentence that names what is wrong.

    `catch_all=True` also accepts the checker's catch-all verdict, "checker-error" (a
    sentence too, never a traceback), where a checker does not yet name that kind of junk
    (`half_dead_shift` given junk in place of the page's own layer data)."""
    assert not feedback.passed, str(feedback)
    assert feedback.message
    if not catch_all:
        assert feedback.code != "checker-error", str(feedback)
