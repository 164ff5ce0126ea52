"""No tool loses a student's work: tools/exercises.py and `tasks.py lab`.

The scenario that once lost work: a student types an answer into exercises/NN.ipynb, runs
it and adds a notes cell; the tests then say the notebook is out of date, and the tool
they name rewrote it. Here the same steps run on a copy of the exercise folders.
"""

import importlib.util
import json
import shutil

import nbformat
import pytest
from conftest import ROOT

import exercises as exercise_tool

PAGE = "02_perceptron.ipynb"


@pytest.fixture
def tool(tmp_path, monkeypatch):
    """tools/exercises.py working on a copy of exercises/ (and its solutions) in tmp_path."""
    shutil.copytree(ROOT / "exercises", tmp_path / "exercises")
    monkeypatch.setattr(exercise_tool, "ROOT", tmp_path)
    monkeypatch.setattr(exercise_tool, "SOURCE_DIR", tmp_path / "exercises" / "solutions")
    monkeypatch.setattr(exercise_tool, "STUDENT_DIR", tmp_path / "exercises")
    monkeypatch.setattr(exercise_tool, "WORK_DIR", tmp_path / "work")
    return exercise_tool


def work_in(path):
    """Do what a student does in a notebook: an answer, its outputs, a notes cell."""
    nb = nbformat.read(path, as_version=4)
    stub = next(c for c in nb.cells if "stub" in c.metadata.get("tags", []))
    stub.source = "w1 = -1.0\nw2 = -1.0\nb = 1.5"
    stub.execution_count = 3
    check = next(c for c in nb.cells if "check" in c.metadata.get("tags", []))
    check.outputs = [nbformat.v4.new_output("stream", name="stdout", text="[PASSED]\n")]
    nb.cells.append(nbformat.v4.new_markdown_cell("My notes: NAND is AND with the signs flipped."))
    nbformat.write(nb, path)
    return path.read_bytes()


def test_every_student_notebook_records_the_digest_of_what_was_generated():
    for path in sorted((ROOT / "exercises").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        recorded = nb.metadata[exercise_tool.RECORD]["cells_sha256"]
        assert recorded == exercise_tool.cells_digest(nb), path.name


def test_the_lost_work_scenario_keeps_the_work(tool, tmp_path, capsys):
    target = tmp_path / "exercises" / PAGE
    worked = work_in(target)
    # The author then changes the page, so the generated notebook really is out of date.
    source = tmp_path / "exercises" / "solutions" / PAGE
    page = nbformat.read(source, as_version=4)
    page.cells[0].source += "\n\nOne more sentence from the author."
    nbformat.write(page, source)

    assert tool.main(["--check"]) == 1
    report = capsys.readouterr().out
    assert "Worked in since they were generated" in report and PAGE in report
    assert "answers typed into cell" in report and "outputs in cell" in report
    assert "added" in report and "Out of date" not in report

    assert tool.main([]) == 1  # the plain command refuses
    report = capsys.readouterr().out
    assert target.read_bytes() == worked, "the student's notebook was changed"
    assert "work/" in report and "--force" in report and "backups" in report
    assert not (tmp_path / "work").exists()

    assert tool.main(["--force"]) == 0
    backups = list((tmp_path / "work" / "backups").glob("02_perceptron-*.ipynb"))
    assert len(backups) == 1 and backups[0].read_bytes() == worked
    assert "One more sentence" in target.read_text()
    assert (
        tool.changes_since_generated(
            nbformat.read(target, as_version=4), tool.student_version(page)
        )
        == []
    )
    assert tool.main(["--check"]) == 0


def test_a_second_forced_rewrite_never_overwrites_an_earlier_backup(tool, tmp_path):
    target = tmp_path / "exercises" / PAGE
    first = work_in(target)
    assert tool.main(["--force"]) == 0
    second = work_in(target)
    assert tool.main(["--force"]) == 0
    kept = sorted(p.read_bytes() for p in (tmp_path / "work" / "backups").iterdir())
    assert kept == sorted([first, second])


def test_a_notebook_nobody_worked_in_is_brought_up_to_date_silently(tool, tmp_path, capsys):
    target = tmp_path / "exercises" / PAGE
    # Opened and saved by Jupyter: other JSON layout, extra metadata, no cell ids.
    data = json.loads(target.read_text())
    data["metadata"]["language_info"] = {"name": "python", "version": "3.12.1"}
    for cell in data["cells"]:
        cell.pop("id", None)
        if cell["cell_type"] == "code":
            cell["source"] = "".join(cell["source"])  # one string instead of lines
    data["nbformat_minor"] = 4
    target.write_text(json.dumps(data, indent=2))
    nb = nbformat.read(target, as_version=4)
    assert tool.changes_since_generated(nb, nb) == []
    assert tool.main([]) == 0
    assert "wrote exercises/02_perceptron.ipynb" in capsys.readouterr().out


def test_a_changed_markdown_cell_counts_as_work(tool, tmp_path):
    target = tmp_path / "exercises" / PAGE
    nb = nbformat.read(target, as_version=4)
    nb.cells[0].source += "\nA note of mine."
    nbformat.write(nb, target)
    edited = target.read_bytes()
    assert tool.main([]) == 1 and target.read_bytes() == edited


@pytest.fixture
def tasks(tmp_path):
    spec = importlib.util.spec_from_file_location("tasks_for_lab", ROOT / "tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_lab_copies_the_exercises_into_work_and_never_over_a_file(tasks, tmp_path):
    exercises, work = tmp_path / "exercises", tmp_path / "work"
    shutil.copytree(ROOT / "exercises", exercises, ignore=shutil.ignore_patterns("solutions"))
    work.mkdir()
    mine = work / PAGE
    mine.write_text("my own notebook, not valid JSON")
    copied, changed = tasks.copy_exercises(exercises, work)
    names = sorted(p.name for p in exercises.glob("*.ipynb"))
    assert sorted(p.name for p in work.glob("*.ipynb")) == names
    assert PAGE not in [p.name for p in copied] and len(copied) == len(names) - 1
    assert mine.read_text() == "my own notebook, not valid JSON" and changed == []

    # The book changes an exercise after the student copied it: the copy stays, and the
    # student is told.
    again = work / "03_mlp.ipynb"
    before = again.read_bytes()
    source = exercises / "03_mlp.ipynb"
    data = json.loads(source.read_text())
    data["metadata"]["nnlib_exercises"]["cells_sha256"] = "0" * 64
    source.write_text(json.dumps(data))
    copied, changed = tasks.copy_exercises(exercises, work)
    assert copied == [] and changed == [again] and again.read_bytes() == before


def test_work_is_outside_git_the_tests_the_linter_and_the_book():
    assert "work/" in (ROOT / ".gitignore").read_text().splitlines()
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"work"]' in pyproject.split("norecursedirs")[1].splitlines()[0]
    assert '"work"]' in pyproject.split("extend-exclude")[1].splitlines()[0]
    config = (ROOT / "_config.yml").read_text()
    assert "work]" in next(line for line in config.splitlines() if "exclude_patterns" in line)
