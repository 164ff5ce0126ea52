"""The checkers, tested by mutation (tools/mutants.py): every exercise's reference solution
is changed in one place at a time, mechanically, and each change that alters the answer
must be rejected by the checker. The share of rejections that name the mistake (or its
kind) is held at a floor that only moves up, and the table in exercises/mutation/ must be
the one the checkers give now."""

import sys

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import mutants  # noqa: E402 - tools/ is not a package

# Measured when the floor was last raised: 92.0 % (issue 19 asks for 90 %).
NAMED_FLOOR = 0.90


@pytest.fixture(scope="module")
def record():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NNLIB_CHECK_TIME_LIMIT", "3")
        return mutants.analyse(log=lambda line: None)


def test_every_mutant_that_changes_the_answer_is_rejected(record):
    survivors = [
        f"{label}, line {m['line']}: {m['change']}"
        for label, entry in record["exercises"].items()
        for m in entry.get("mutants", [])
        if m["verdict"] == "survived"
    ]
    assert not survivors, "wrong answers the checkers let through:\n" + "\n".join(survivors)


def test_the_share_of_named_mistakes_stays_above_its_floor(record):
    share = record["total"]["named_share"]
    assert share >= NAMED_FLOOR, (
        f"named or kind: {share:.1%} of the counted mutants, below the floor {NAMED_FLOOR:.0%}"
    )


def test_every_exercise_is_mutated_or_says_why_not(record):
    for label, entry in record["exercises"].items():
        assert entry.get("skipped") or entry["summary"]["mutants"] >= 1, label


def test_the_table_in_the_repository_is_current(record):
    kept = (ROOT / "exercises" / "mutation" / "table.md").read_text(encoding="utf-8")
    assert kept == mutants.table_text(record), (
        "exercises/mutation/table.md is out of date: run python tools/mutants.py"
    )


def test_a_mutant_is_one_change_of_the_reference():
    solution = "def f(x, m):\n    return -(x.sum(axis=0) / m)\n"
    found = {(m.operator, m.change) for m in mutants.mutants(solution, {"f"})}
    assert ("drop-factor", "drop `m` from `x.sum(axis=0) / m`") in found
    assert ("neighbour-function", "`sum` -> `mean`") in found
    assert ("change-axis", "axis=0 -> axis=1") in found
    assert ("flip-sign", "`-(x.sum(axis=0) / m)` without its minus") in found
    for mutant in mutants.mutants(solution, {"f"}):
        compile(mutant.source, "<mutant>", "exec")
