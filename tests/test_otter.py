"""The Otter-Grader round trip (tools/otter_export.py): a page exported with Otter Assign,
then graded with `otter run` the way a course would grade a submission. The reference
solutions get full marks; the student notebook as handed out gets 0 for every untouched
stub, and the point of an exercise once it is answered, from the same checker the page
runs."""

import json
import subprocess
import sys

import nbformat
import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import otter_export  # noqa: E402 - tools/ is not a package

PAGE = "02_perceptron"  # the smallest page: five exercises


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    pytest.importorskip("otter", reason="otter-grader is in requirements.txt")
    # Otter Assign's own run of the tests is left out: the first test grades the same
    # solutions with `otter run`.
    return otter_export.export(PAGE, tmp_path_factory.mktemp("otter"), run_tests=False)


def _grade(exported, notebook):
    autograder = next((exported / "dist" / "autograder").glob("*.zip"))
    out = notebook.parent / f"results-{notebook.stem}"
    out.mkdir(exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "otter", "run", "-a", str(autograder), "-o", str(out),
         "--no-logo", str(notebook)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    results = json.loads((out / "results.json").read_text())
    return {t["name"]: t["score"] for t in results["tests"] if t.get("max_score")}


def test_the_master_notebook_has_one_question_per_exercise():
    master = otter_export.master_notebook(PAGE)
    raw = [c.source for c in master.cells if c.cell_type == "raw"]
    assert raw[0].startswith("# ASSIGNMENT CONFIG")
    questions = [s for s in raw if s.startswith("# BEGIN QUESTION")]
    assert len(questions) == 5 and all("points: 1" in q for q in questions)
    tests = [c.source for c in master.cells if "BEGIN TEST CONFIG" in c.source]
    assert len(tests) == 5 and all("hidden: true" in t and "check." in t for t in tests)


def test_the_reference_solutions_get_full_marks(exported):
    scores = _grade(exported, exported / "dist" / "autograder" / f"{PAGE}.ipynb")
    assert len(scores) == 5 and all(score == 1 for score in scores.values()), scores


def test_the_stubs_get_zero_and_one_answered_exercise_its_point(exported, tmp_path):
    # The student notebook as handed out, with one exercise answered: one grading run
    # shows both that untouched stubs score 0 and that a right answer scores.
    student = exported / "dist" / "student" / f"{PAGE}.ipynb"
    nb = nbformat.read(student, as_version=4)
    stub = next(c for c in nb.cells if c.source.startswith("w1 = ...\nw2 = ...\nb = ..."))
    stub.source = "w1, w2, b = -1.0, -1.0, 1.5"  # weights for NAND
    answered = tmp_path / f"{PAGE}.ipynb"
    nbformat.write(nb, answered)
    scores = _grade(exported, answered)
    assert sorted(scores.values()) == [0, 0, 0, 0, 1], scores
    assert scores["perceptron_nand"] == 1
