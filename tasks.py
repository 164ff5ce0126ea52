"""The book's two commands. Needs only Python 3.11 or newer; installs everything else.

    python3 tasks.py book   # set up .venv, build the HTML book, open it in a browser
    python3 tasks.py test   # set up .venv, run every unit test and execute every notebook

Both first make sure the virtual environment `.venv` exists and holds what
`requirements.txt` lists plus the book's library `nnlib` (installed in editable mode, so
notebooks, the book build and the tests all import the code in `nnlib/`). The environment
is reinstalled only when `requirements.txt` or `pyproject.toml` change.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import venv
import webbrowser
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed-from"
BOOK_INDEX = ROOT / "_build" / "html" / "index.html"


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


def book(args):
    """Build the HTML book (executing every notebook), then open it."""
    ensure_environment()
    command = [BIN / "jupyter-book", "build", ROOT]
    if args.strict:
        command += ["-W", "-n", "--keep-going"]
    # Progress bars are for people running a notebook, not for the pages of the book.
    if run(*command, env=os.environ | {"NNLIB_PROGRESS": "0"}):
        sys.exit("The book did not build; the messages above say why.")
    say(f"the book is at {BOOK_INDEX.as_uri()}")
    if not args.no_open and not os.environ.get("CI"):
        webbrowser.open(BOOK_INDEX.as_uri())


def test(args):
    """Run the unit tests in tests/ and execute every notebook in chapters/ and exercises/."""
    ensure_environment()
    command = [PYTHON, "-m", "pytest", "-n", str(args.workers), "--dist", "loadfile"]
    sys.exit(run(*command, *args.pytest_args))


def main():
    parser = argparse.ArgumentParser(description="Build the book or run its tests.")
    commands = parser.add_subparsers(dest="command", required=True)
    p_book = commands.add_parser("book", help=book.__doc__)
    p_book.add_argument("--strict", action="store_true", help="treat Sphinx warnings as errors")
    p_book.add_argument("--no-open", action="store_true", help="do not open a browser")
    p_book.set_defaults(func=book)
    p_test = commands.add_parser("test", help=test.__doc__)
    p_test.add_argument("--workers", default="2", help="parallel pytest workers (default 2)")
    p_test.add_argument("pytest_args", nargs=argparse.REMAINDER, help="passed on to pytest")
    p_test.set_defaults(func=test)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
