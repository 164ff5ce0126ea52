"""tasks.py decides what a build must run again from fingerprints of its inputs."""

import importlib.util

import pytest
from conftest import ROOT


@pytest.fixture
def tasks(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("tasks_under_test", ROOT / "tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("nnlib/model.py", "requirements.txt", "pyproject.toml", "_config.yml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"# {name}\n")
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "01.ipynb").write_text("{}")
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module, "BUILD", tmp_path / "_build")
    monkeypatch.setattr(module, "BUILT_FROM", tmp_path / "_build" / ".built-from")
    monkeypatch.setattr(module, "BOOK_INDEX", tmp_path / "_build" / "html" / "index.html")
    monkeypatch.setenv("NNLIB_DATA", str(tmp_path / "data"))
    return module


def test_an_edit_to_nnlib_or_the_requirements_changes_what_notebooks_ran_with(tasks, tmp_path):
    before = tasks.execution_fingerprint()
    (tmp_path / "nnlib" / "model.py").write_text("# changed\n")
    after_code = tasks.execution_fingerprint()
    (tmp_path / "requirements.txt").write_text("numpy==9\n")
    assert len({before, after_code, tasks.execution_fingerprint()}) == 3


def test_the_same_mnist_from_another_folder_runs_nothing_again(tasks, tmp_path, monkeypatch):
    # nnlib pins the files' SHA-256, so another folder can only hold the same bytes.
    before = tasks.execution_fingerprint()
    monkeypatch.setenv("NNLIB_DATA", str(tmp_path / "elsewhere"))
    assert tasks.execution_fingerprint() == before


def test_a_chapter_edit_changes_the_book_but_not_what_notebooks_ran_with(tasks, tmp_path):
    executed, book = tasks.execution_fingerprint(), tasks.book_fingerprint()
    (tmp_path / "chapters" / "01.ipynb").write_text('{"edited": true}')
    assert tasks.execution_fingerprint() == executed
    assert tasks.book_fingerprint() != book


def test_caches_and_checkpoints_are_not_sources(tasks, tmp_path):
    book = tasks.book_fingerprint()
    for junk in ("chapters/.ipynb_checkpoints/01-checkpoint.ipynb", "nnlib/__pycache__/m.pyc"):
        (tmp_path / junk).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / junk).write_text("junk")
    assert tasks.book_fingerprint() == book


def test_a_build_is_current_only_while_its_sources_are_unchanged(tasks, tmp_path):
    assert not tasks.book_is_current()  # nothing built yet
    tasks.BOOK_INDEX.parent.mkdir(parents=True)
    tasks.BOOK_INDEX.write_text("<html></html>")
    tasks.BUILT_FROM.write_text(tasks.book_fingerprint())
    assert tasks.book_is_current()
    (tmp_path / "_config.yml").write_text("title: changed\n")
    assert not tasks.book_is_current()
