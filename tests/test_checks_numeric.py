"""The exercises whose answer is a number (`nnlib.checks.numeric`): every declaration is
sound, and nothing a student types makes one raise."""

import importlib
import pkgutil

import numpy as np
import pytest
from exercise_harness import JUNK_ANSWERS, assert_rejected_calmly

import nnlib.checks
from nnlib.checks.numeric import Mistake, NumberExercise, _matches, judge, number_checker


def _number_checkers():
    found = []
    for module in pkgutil.iter_modules(nnlib.checks.__path__):
        checks = importlib.import_module(f"nnlib.checks.{module.name}")
        for name, value in vars(checks).items():
            if isinstance(getattr(value, "exercise", None), NumberExercise):
                found.append(pytest.param(value, id=f"{module.name}.{name}"))
    return found


CHECKERS = _number_checkers()


def test_there_are_number_exercises_on_several_pages():
    pages = {param.id.split(".")[0] for param in CHECKERS}
    assert len(CHECKERS) >= 10 and len(pages) >= 5, pages


@pytest.mark.parametrize("check", CHECKERS)
def test_each_declaration_is_sound(check):
    exercise = check.exercise
    right = float(exercise.right())
    assert np.isfinite(right) and right != 0
    assert check(right).passed, "the right value must pass"
    values = [float(m.value()) for m in exercise.mistakes]
    assert len(values) >= 3, "at least three typical wrong answers"
    for mistake, value in zip(exercise.mistakes, values, strict=True):
        assert not _matches(value, right, exercise.rtol, exercise.decades), mistake.code
        feedback = check(value)
        assert not feedback.passed and feedback.code == mistake.code, str(feedback)
        if exercise.prediction:
            assert "The run gives" in feedback.message  # a prediction always reveals
    assert len({m.code for m in exercise.mistakes}) == len(exercise.mistakes)


@pytest.mark.parametrize("check", CHECKERS)
@pytest.mark.parametrize("answer", [*JUNK_ANSWERS, True, "2.3", [2.3], np.inf, 1e308])
def test_nothing_a_student_types_makes_a_number_checker_raise(check, answer):
    feedback = check(answer)
    if feedback.passed:  # a plain number of the junk list can be some exercise's answer
        exercise = check.exercise
        assert _matches(float(answer), exercise.right(), exercise.rtol, exercise.decades)
    else:
        assert_rejected_calmly(feedback)


def test_the_nearest_typical_answer_is_named_when_a_wide_tolerance_lets_two_match():
    exercise = NumberExercise(
        title="t",
        name="x",
        right=lambda: 10.0,
        why="because",
        mistakes=(Mistake("one", lambda: 1.0, "one"), Mistake("one-point-one", lambda: 1.1, "")),
        rtol=0.1,
        prediction=True,
    )
    check = number_checker(exercise)
    assert check(1.09).code == "one-point-one" and check(1.01).code == "one"
    assert check(10.5).passed and check(-10).code == "sign-flipped"
    with pytest.raises(nnlib.checks.Reject):
        judge(exercise, 50.0)
