"""The book's two commands. Needs only Python 3.11 or newer; installs everything else.

    python3 tasks.py book   # set up .venv, build the HTML book, open it in a browser
    python3 tasks.py test   # set up .venv, run every unit test and execute every notebook
    python3 tasks.py lab    # set up .venv, copy the exercises into work/, start JupyterLab

Both first make sure the virtual environment `.venv` exists and holds what
`requirements.txt` lists plus the book's library `nnlib` (installed in editable mode, so
notebooks, the book build and the tests all import the code in `nnlib/`). The environment
is reinstalled only when `requirements.txt` or `pyproject.toml` change.

Each notebook runs once per command, and only when it has to:
- The book keeps every executed notebook in `_build/.jupyter_cache`, keyed by its code
  cells. A rebuild runs only the notebooks whose code changed; a prose edit runs none.
  The cache cannot see what notebooks import, so when `nnlib/` (which pins the MNIST
  files' SHA-256) or the requirements change, the build empties it and every notebook
  runs again.
- A build without warnings leaves a fingerprint of everything it was built from. `test`
  runs every notebook under nbval, which is the test of each of them. Its browser test
  reads _build/html while the fingerprint matches; otherwise `test` keeps what nbval's
  runs produced, puts it into the cache, and builds the book from it after the tests.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import venv
import webbrowser
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed-from"
BUILD = ROOT / "_build"
BOOK_HTML = BUILD / "html"
BOOK_INDEX = BOOK_HTML / "index.html"
EXECUTION_CACHE = BUILD / ".jupyter_cache"
# What the cached notebook outputs were computed with, and what the HTML was built from.
EXECUTED_WITH = BUILD / ".executed-with"
BUILT_FROM = BUILD / ".built-from"
# The book's sources: the pages, and what turns them into HTML.
BOOK_SOURCES = (
    "intro.md",
    "_config.yml",
    "_toc.yml",
    "references.bib",
    "chapters",
    "exercises/solutions",
    "reference",
    "_ext",
    "_static",
)
# What the notebooks import or read, beyond their own code. The MNIST files count through
# nnlib: nnlib.data.mnist refuses any copy whose SHA-256 differs from the ones it lists, so
# every notebook that runs reads the same bytes, wherever they are.
NOTEBOOK_INPUTS = ("nnlib", "requirements.txt", "pyproject.toml")
# The student's folder (git-ignored): a copy of each exercise notebook to work in. Nothing
# here writes into a file that exists in it.
EXERCISES = ROOT / "exercises"
WORK = ROOT / "work"


def say(message):
    print(f"[tasks] {message}", flush=True)


def run(*command, env=None):
    say(" ".join(str(part) for part in command))
    return subprocess.run([str(part) for part in command], cwd=ROOT, env=env).returncode


def fingerprint():
    digest = hashlib.sha256()
    for name in ("requirements.txt", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def _files(names):
    for name in names:
        path = ROOT / name
        found = [path] if path.is_file() else sorted(path.rglob("*"))
        for file in found:
            skipped = {"__pycache__", ".ipynb_checkpoints"} & set(file.parts)
            if file.is_file() and not skipped and file.suffix != ".pyc":
                yield file


def sources_fingerprint(names):
    """SHA-256 over the named files and folders: their paths and contents."""
    digest = hashlib.sha256()
    for file in _files(names):
        digest.update(file.relative_to(ROOT).as_posix().encode() + b"\0")
        digest.update(file.read_bytes())
    return digest.hexdigest()


def execution_fingerprint():
    return sources_fingerprint(NOTEBOOK_INPUTS)


def book_fingerprint():
    return execution_fingerprint() + sources_fingerprint(BOOK_SOURCES)


def book_is_current():
    """Whether _build/html was built without warnings from the sources as they are now."""
    return (
        BOOK_INDEX.exists() and BUILT_FROM.exists() and BUILT_FROM.read_text() == book_fingerprint()
    )


def ensure_environment():
    """Create .venv and install the requirements and nnlib, unless already up to date."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this script must explain, not crash
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        say(f"creating the virtual environment {VENV.relative_to(ROOT)}")
        venv.create(VENV, with_pip=True)
    if STAMP.exists() and STAMP.read_text() == fingerprint():
        return
    say("installing the requirements (a few minutes the first time)")
    pip = [PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    if run(*pip, "-r", ROOT / "requirements.txt") or run(*pip, "--no-deps", "-e", ROOT):
        sys.exit("Installing the requirements failed; see pip's message above.")
    STAMP.write_text(fingerprint())


def prepare_execution_cache():
    """Empty the execution cache when what notebooks import changed since it was filled.
    Returns True when every page must be read again (the cache was emptied, or the last
    build had warnings)."""
    executed_with = execution_fingerprint()
    if EXECUTED_WITH.exists() and EXECUTED_WITH.read_text() == executed_with:
        return not BUILT_FROM.exists()
    if EXECUTION_CACHE.exists():
        say("nnlib or the requirements changed: every notebook runs again")
        shutil.rmtree(EXECUTION_CACHE)
    BUILD.mkdir(exist_ok=True)
    EXECUTED_WITH.write_text(executed_with)
    return True


def build_book(jupyter_book=None):
    """Build the HTML book into _build/html, running only the notebooks that need it.

    Returns True when the build had no warning (Sphinx runs with warnings as errors but
    keeps going, so the HTML is complete either way)."""
    jupyter_book = jupyter_book or BIN / "jupyter-book"
    started = time.time()
    command = [jupyter_book, "build", ROOT, "-W", "-n", "--keep-going"]
    if prepare_execution_cache():
        command.append("--all")
    BUILT_FROM.unlink(missing_ok=True)
    # Progress bars are for people, not pages; the widgets' book versions are for pages.
    env = os.environ | {"NNLIB_PROGRESS": "0", "NNLIB_BOOK_DEMOS": "1"}
    env.pop("MPLBACKEND", None)  # it would leave every figure out of the executed notebooks
    clean = run(*command, env=env) == 0
    report_execution(jupyter_book, started)
    if clean:
        BUILT_FROM.write_text(book_fingerprint())
    say(f"the book build took {time.time() - started:.0f} s")
    return clean


def report_execution(jupyter_book, since):
    """Print how long each notebook run by this build took, slowest first."""
    python = Path(jupyter_book).parent / ("python.exe" if os.name == "nt" else "python")
    subprocess.run(
        [python, ROOT / "tools" / "execution_report.py", EXECUTION_CACHE, str(since)], cwd=ROOT
    )


def book(args):
    """Build the HTML book (running the notebooks whose results are not cached), then open it."""
    ensure_environment()
    if not build_book():
        if args.strict or not BOOK_INDEX.exists():
            sys.exit("The book did not build cleanly; the messages above say why.")
        say("the book was built, with the warnings above (--strict makes them errors)")
    say(f"the book is at {BOOK_INDEX.as_uri()}")
    if not args.no_open and not os.environ.get("CI"):
        webbrowser.open(BOOK_INDEX.as_uri())


def test(args):
    """Run the unit tests in tests/ and execute every notebook in chapters/ and exercises/."""
    ensure_environment()
    pytest = [PYTHON, "-m", "pytest", "-n", str(args.workers), "--dist", "loadfile"]
    pytest.append("--no-loadscope-reorder")  # longest files first: tests/pytest_book.py
    started = time.time()
    if os.environ.get("NNLIB_BOOK_HTML") or args.pytest_args or book_is_current():
        # The browser test reads a current _build/html, or builds it itself.
        if book_is_current():
            say("the built book is current: the browser test reads _build/html")
        code = run(*pytest, *args.pytest_args)
    else:
        code = test_then_build(pytest)
    say(f"the tests took {time.time() - started:.0f} s")
    sys.exit(code)


def test_then_build(pytest):
    """Every test but the browser test, then the book, then the browser test.

    nbval's run of each notebook is kept (tests/executed_notebooks.py) and goes into the
    build's execution cache, so the build runs only the notebooks that failed there: each
    notebook runs once. Returns pytest's exit code; prints one line with the totals."""
    say("the book is not built from these sources: the book is built from what nbval's")
    say("run of each notebook produces, after the tests")
    browser_test = "tests/test_book_in_browser.py"
    prepare_execution_cache()
    with tempfile.TemporaryDirectory() as kept:
        reports = Path(kept) / "reports"
        env = os.environ | {
            "NNLIB_KEEP_EXECUTED": str(Path(kept) / "notebooks"),
            "NNLIB_BOOK_DEMOS": "1",  # the kept notebooks become pages: widgets' book versions
        }
        env.pop("MPLBACKEND", None)  # it would leave every figure out of the kept notebooks
        first = run(*pytest, "--ignore", browser_test, f"--junitxml={reports}-1.xml", env=env)
        if build_book():
            # Its pages split between the workers (each with its own browser).
            browser_pytest = [*pytest[:5], "--dist", "load", browser_test]
            second = run(*browser_pytest, f"--junitxml={reports}-2.xml")
        else:
            say("the book did not build cleanly (see above): the browser test did not run")
            second = 1
        passed = failed = skipped = 0
        for report in Path(kept).glob("reports-*.xml"):
            suite = ElementTree.parse(report).getroot().find("testsuite")
            bad = int(suite.get("failures")) + int(suite.get("errors"))
            passed += int(suite.get("tests")) - bad - int(suite.get("skipped"))
            failed, skipped = failed + bad, skipped + int(suite.get("skipped"))
    print(f"tests: {passed} passed, {failed} failed, {skipped} skipped", flush=True)
    return first or second


def recorded_digest(path):
    """The digest of its cells that tools/exercises.py recorded in a student notebook when
    it generated it, or None (not recorded, or not readable as a notebook)."""
    try:
        metadata = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
        return metadata.get("nnlib_exercises", {}).get("cells_sha256")
    except (OSError, ValueError, AttributeError):
        return None


def copy_exercises(exercises=EXERCISES, work=WORK):
    """Copy each exercise notebook into `work` unless a file of that name is there already.

    Returns the notebooks copied now, and the student's copies whose exercise notebook has
    changed since they were made (those are left alone)."""
    work.mkdir(parents=True, exist_ok=True)
    copied, changed = [], []
    for source in sorted(exercises.glob("*.ipynb")):
        target = work / source.name
        try:
            with open(target, "xb") as copy:  # "x": never opens a file that exists
                copy.write(source.read_bytes())
        except FileExistsError:
            theirs = recorded_digest(target)
            if theirs is not None and theirs != recorded_digest(source):
                changed.append(target)
            continue
        copied.append(target)
    return copied, changed


def lab(args):
    """Copy the exercise notebooks into work/ (never over a file there), then start JupyterLab."""
    ensure_environment()
    copied, changed = copy_exercises()
    for path in copied:
        say(f"copied exercises/{path.name} to work/{path.name}")
    say(f"your notebooks are in {WORK.relative_to(ROOT)}/: no tool writes into a file there")
    for path in changed:
        say(
            f"exercises/{path.name} has changed since you copied it; your work/{path.name} "
            "is as you left it. To start from the new version, rename your copy and run this "
            "command again."
        )
    if args.no_start:
        return
    # JupyterLab refuses to run as root, which is who runs it in many containers.
    as_root = ["--allow-root"] if getattr(os, "geteuid", lambda: 1)() == 0 else []
    sys.exit(
        run(
            PYTHON,
            "-m",
            "jupyterlab",
            f"--ServerApp.root_dir={ROOT}",
            f"--FileContentsManager.preferred_dir={WORK.name}",
            *as_root,
        )
    )


def main():
    parser = argparse.ArgumentParser(description="Build the book, run its tests, or work in it.")
    commands = parser.add_subparsers(dest="command", required=True)
    p_book = commands.add_parser("book", help=book.__doc__)
    p_book.add_argument("--strict", action="store_true", help="treat Sphinx warnings as errors")
    p_book.add_argument("--no-open", action="store_true", help="do not open a browser")
    p_book.set_defaults(func=book)
    p_test = commands.add_parser("test", help=test.__doc__)
    p_test.add_argument("--workers", default="2", help="parallel pytest workers (default 2)")
    p_test.add_argument("pytest_args", nargs=argparse.REMAINDER, help="passed on to pytest")
    p_test.set_defaults(func=test)
    p_lab = commands.add_parser("lab", help=lab.__doc__)
    p_lab.add_argument("--no-start", action="store_true", help="only copy, do not start Jupyter")
    p_lab.set_defaults(func=lab)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
