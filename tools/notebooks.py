"""Give every notebook its first code cell: install nnlib where it is missing.

A notebook opened from the book's launch buttons (Colab, Binder) or downloaded on its own
has no nnlib. Its first code cell installs it from the book's repository, whose address
is the one setting `repository.url` in _config.yml; where nnlib is installed the cell does
nothing. The book hides the cell (tag `remove-cell`).

    python tools/notebooks.py          # add or update the cell in every notebook
    python tools/notebooks.py --check  # exit 1 if a notebook lacks the current cell

Run it after adding a notebook or changing the repository address, then regenerate the
student exercise notebooks (python tools/exercises.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))
from publication import PLACEHOLDER  # noqa: E402 - one placeholder for the build and here

FOLDERS = ("chapters", "exercises/solutions", "reference")
MARKER = "# Where nnlib is missing"
TAG = "install-nnlib"


def repository_url():
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]


def is_placeholder(url):
    """Whether `url` is the placeholder of a book not published yet (_ext/publication.py)."""
    return not url or url.rstrip("/") == PLACEHOLDER


def install_source(url=None):
    """The source of the install cell for the repository at `url`. While `url` is the
    placeholder, the cell says how to install nnlib instead of installing it from an
    address that does not exist."""
    url = url or repository_url()
    if is_placeholder(url):
        return (
            f"{MARKER} (Colab, Binder, a downloaded notebook),\n"
            "# say how to get the book's library.\n"
            "import importlib.util\n"
            "\n"
            'if importlib.util.find_spec("nnlib") is None:\n'
            "    raise ModuleNotFoundError(\n"
            '        "This notebook needs nnlib, the book\'s library. This copy of the book "\n'
            '        "does not name a public repository yet: install nnlib from a copy of "\n'
            '        "the book\'s repository with `pip install -e <path to it>`, or open the "\n'
            '        "notebook with `python3 tasks.py lab` there."\n'
            "    )"
        )
    return (
        f"{MARKER} (Colab, Binder, a downloaded notebook),\n"
        "# install the book's library.\n"
        "import importlib.util\n"
        "\n"
        'if importlib.util.find_spec("nnlib") is None:\n'
        f'    %pip install -q "nnlib @ git+{url}"'
    )


def with_install_cell(nb, source):
    """The notebook with the install cell first among its code cells (replaced if stale)."""
    nb.cells = [c for c in nb.cells if TAG not in c.get("metadata", {}).get("tags", [])]
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["remove-cell", TAG]})
    cell["id"] = "install-nnlib"
    first_code = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), len(nb.cells))
    nb.cells.insert(first_code, cell)
    return nb


def notebooks():
    return sorted(p for folder in FOLDERS for p in (ROOT / folder).glob("*.ipynb"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report notebooks to fix")
    args = parser.parse_args(argv)
    source = install_source()
    stale = []
    for path in notebooks():
        nb = nbformat.read(path, as_version=4)
        text = nbformat.writes(with_install_cell(nb, source)) + "\n"
        if path.read_text() == text:
            continue
        if args.check:
            stale.append(path.relative_to(ROOT))
        else:
            path.write_text(text)
            print(f"updated {path.relative_to(ROOT)}")
    if stale:
        print(
            "Without the current install cell (run `python tools/notebooks.py`):",
            *stale,
            sep="\n  ",
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
