"""Run an exercise source notebook's cells outside Jupyter, for testing its checkers."""

import nbformat
from conftest import ROOT

from exercises import parse_exercises, setup_code


class ExerciseNotebook:
    """The exercises of `exercises/solutions/<name>.ipynb`, by label."""

    def __init__(self, name):
        self.notebook = nbformat.read(ROOT / "exercises" / "solutions" / name, as_version=4)
        self.exercises = {ex.label: ex for ex in parse_exercises(self.notebook)}
        self.setup = setup_code(self.notebook)

    def run(self, label, answer_code):
        """Run the set-up cell, then `answer_code`, then the exercise's check; return the
        Feedback."""
        namespace = {}
        exec(self.setup, namespace)
        exec(answer_code, namespace)
        return eval(self.exercises[label].check.strip(), namespace)
