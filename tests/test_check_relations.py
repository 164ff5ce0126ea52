"""The relations a checker looks for when no named mistake reproduces a wrong answer
(`nnlib.checks.explain_difference`): each is found when it holds, and only then."""

import numpy as np
import pytest

from nnlib.checks import Reject, explain_difference, values_differ

RIGHT = [np.array([[0.5, -1.25], [2.0, 3.5]]), np.array([0.75, -0.1])]  # two cases


def times(c, cases=RIGHT):
    return [c * r for r in cases]


@pytest.mark.parametrize(
    "got, code, words",
    [
        (times(-1), "sign-flipped", "opposite sign"),
        (times(2), "scaled", "all 2 times"),
        (times(0.5), "scaled", "all 1/2 times"),
        (times(32), "scaled", "all 32 times"),
        (times(1 / 60), "scaled", "all 1/60 times"),
        (times(0), "all-zero", "all 0"),
        ([r + 0.3 for r in RIGHT], "shifted", "+0.3"),
    ],
)
def test_a_relation_that_holds_is_named(got, code, words):
    found = explain_difference(got, RIGHT, what="your values")
    assert found is not None and found[0] == code, found
    assert words in found[1]


START = [np.array([1.0, -2.0, 0.5]), np.array([3.0])]
STEP = [np.array([0.1, 0.2, -0.4]), np.array([-0.25])]
AFTER = [s - d for s, d in zip(START, STEP, strict=True)]


@pytest.mark.parametrize(
    "factor, code",
    [(-1, "step-reversed"), (3, "step-scaled"), (0.5, "step-scaled"), (0, "no-step")],
)
def test_an_update_is_compared_by_its_step(factor, code):
    got = [s - factor * d for s, d in zip(START, STEP, strict=True)]
    found = explain_difference(got, AFTER, start=START, what="your new weights")
    assert found is not None and found[0] == code, found
    assert found[1].startswith("Your new weights") or "of your new weights" in found[1]


@pytest.mark.parametrize(
    "got",
    [
        [r**2 for r in RIGHT],  # no simple relation
        [r * np.array([1, 2]) for r in RIGHT],  # two factors, not one
        [np.array([[0.5, -1.25], [2.0, 3.5]]), np.array([0.75, 0.1])],  # one entry's sign
        [np.full((2, 2), np.nan), np.zeros(2)],  # not finite
        [np.zeros(3)],  # another shape
        "text",
    ],
)
def test_no_relation_is_claimed_where_none_holds(got):
    assert explain_difference(got, RIGHT) is None


def test_one_number_is_not_called_a_multiple_of_another():
    # Any number is some multiple of any other: a ratio says nothing about one value.
    assert explain_difference(3.0, 1.5) is None
    assert explain_difference(-1.5, 1.5)[0] == "sign-flipped"


def test_values_differ_keeps_the_checkers_message():
    verdict = values_differ("The first row should be ...", times(2), RIGHT)
    assert isinstance(verdict, Reject) and verdict.code == "scaled"
    assert verdict.message.endswith("The first row should be ...")
    plain = values_differ("The first row should be ...", [r**2 for r in RIGHT], RIGHT)
    assert plain.code == "wrong-values" and plain.message == "The first row should be ..."


def test_a_factor_of_a_changed_logarithm_is_recognised():
    p = np.array([0.9, 0.2, 0.6, 0.35])
    found = explain_difference(-np.log10(p), -np.log(p), what="your losses")
    assert found[0] == "scaled" and "log10" in found[1]
    found = explain_difference(-np.log2(p), -np.log(p), what="your losses")
    assert found[0] == "scaled" and "log2" in found[1]
