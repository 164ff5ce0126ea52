"""House rules for the notebooks: stored without outputs, in the book, exercises in sync."""

import json

import pytest
import yaml
from conftest import ROOT

import exercises as exercise_tool

NOTEBOOKS = sorted(
    p
    for folder in ("chapters", "exercises", "reference")
    for p in (ROOT / folder).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)


def test_there_are_notebooks_to_check():
    assert any(p.parent.name == "chapters" for p in NOTEBOOKS)
    assert any(p.parent.name == "exercises" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_is_stored_without_outputs(path):
    cells = json.loads(path.read_text())["cells"]
    dirty = [
        i
        for i, c in enumerate(cells, start=1)
        if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))
    ]
    advice = "clear them before committing"
    if path.parent.name == "exercises":
        advice = (
            "if that is your work, it is safe: no tool replaces a notebook that was worked in. "
            "Move it to work/ (`python3 tasks.py lab` gives you your own copies there); "
            "`python tools/exercises.py --force` then restores this one, after a backup in "
            "work/backups/"
        )
    assert not dirty, f"{path.name}: cells {dirty} (counting from 1) have outputs; {advice}"


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    found = []

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                found.append(entry["file"])
            walk(entry.get("sections", []))
            walk(entry.get("chapters", []))

    walk(toc.get("parts", []))
    return found


def test_every_chapter_and_exercise_page_is_in_the_book():
    listed = set(toc_files())
    for path in NOTEBOOKS:
        relative = path.relative_to(ROOT).with_suffix("").as_posix()
        if path.parent.name in ("chapters", "solutions", "reference"):
            assert relative in listed, f"{relative} is missing from _toc.yml"


def test_student_notebooks_are_generated_from_the_current_sources(capsys):
    assert exercise_tool.main(["--check"]) == 0, capsys.readouterr().out


def test_every_exercise_source_has_its_student_notebook():
    for source in (ROOT / "exercises" / "solutions").glob("*.ipynb"):
        assert (ROOT / "exercises" / source.name).exists(), source.name


def test_every_notebook_starts_by_installing_nnlib_where_it_is_missing(capsys):
    import notebooks as notebook_tool

    assert notebook_tool.main(["--check"]) == 0, capsys.readouterr().out
    source = notebook_tool.install_source()
    url = notebook_tool.repository_url()
    if notebook_tool.is_placeholder(url):  # no pip install from an address that is not there
        assert url not in source and "pip install -e" in source
    else:
        assert url in source
    for path in NOTEBOOKS:
        first_code = next(
            c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"
        )
        assert "".join(first_code["source"]) == source, path.name


HIDDEN_FROM_THE_PAGE = {"remove-cell", "remove-input", "hide-input"}
BOOK_PAGES = sorted((ROOT / "chapters").glob("*.ipynb")) + sorted(
    (ROOT / "exercises" / "solutions").glob("*.ipynb")
)


@pytest.mark.parametrize("path", BOOK_PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_page_shows_teaching_code_not_glue_bookkeeping(path):
    """The numbers the prose quotes are glued in cells the page leaves out (they still run
    in the notebook): a visible cell teaches, it does not file numbers for the prose."""
    visible_glue = [
        i
        for i, c in enumerate(json.loads(path.read_text())["cells"], start=1)
        if c["cell_type"] == "code"
        and "glue(" in "".join(c["source"])
        and not HIDDEN_FROM_THE_PAGE & set(c.get("metadata", {}).get("tags", []))
    ]
    assert not visible_glue, (
        f"{path.name}: cells {visible_glue} (counting from 1) call glue in view; move the "
        "calls into a cell tagged remove-cell right after"
    )
