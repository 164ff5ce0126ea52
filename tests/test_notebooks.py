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
    assert notebook_tool.repository_url() in source
    for path in NOTEBOOKS:
        first_code = next(
            c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"
        )
        assert "".join(first_code["source"]) == source, path.name
