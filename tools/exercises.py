"""Make the students' exercise notebooks from the book's exercise pages.

One source of truth: `exercises/solutions/NN_topic.ipynb` is the page the book shows, with
each exercise, its reference solution folded away (sphinx-exercise) and the check that
proves the solution right. The student notebook `exercises/NN_topic.ipynb` is generated
from it: solutions dropped, stubs kept, MyST directives turned into plain headings.

    python tools/exercises.py          # rewrite every student notebook
    python tools/exercises.py --check  # exit 1 if any student notebook is out of date

Cell roles in a source notebook, by cell tag:
- `stub`: the student's starting point (also tagged `remove-cell`, so the book hides it);
- `solution`: the reference solution, shown folded in the book, dropped for students;
- `check`: the call of the checker, kept in both.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "exercises" / "solutions"
STUDENT_DIR = ROOT / "exercises"

_EXERCISE = re.compile(r"^```\{exercise\}[ \t]*(?P<title>[^\n]*)\n(?P<body>.*)```\s*$", re.S)
_LABEL = re.compile(r"^:label:\s*(\S+)", re.M)
_GATE = re.compile(r"^```\{solution-(start|end)\}")
_DOC = re.compile(r"\{doc\}`(?:\.\./)+(?P<path>[^`]+)`")


@dataclass
class Exercise:
    """One exercise of a source notebook, as the tests need it."""

    label: str
    title: str
    stub: str
    solution: str
    check: str


def tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def setup_code(nb):
    """The untagged code cells before the first exercise: imports the checks rely on."""
    code = []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and _EXERCISE.match(cell.source.strip()):
            break
        if cell.cell_type == "code" and not tags(cell):
            code.append(cell.source)
    return "\n\n".join(code)


def parse_exercises(nb):
    """List the exercises of a source notebook with their stub, solution and check code."""
    exercises, current = [], None
    for cell in nb.cells:
        found = _EXERCISE.match(cell.source.strip()) if cell.cell_type == "markdown" else None
        if found:
            label = _LABEL.search(found["body"])
            if label is None:
                raise ValueError(f"exercise {found['title']!r} has no :label:")
            current = Exercise(label.group(1), found["title"].strip(), "", "", "")
            exercises.append(current)
        elif cell.cell_type == "code" and current is not None:
            for role in ("stub", "solution", "check"):
                if role in tags(cell):
                    setattr(current, role, getattr(current, role) + cell.source + "\n")
    for ex in exercises:
        missing = [role for role in ("stub", "solution", "check") if not getattr(ex, role)]
        if missing:
            raise ValueError(f"exercise {ex.label} has no {', '.join(missing)} cell")
    return exercises


def student_version(nb):
    """The student notebook made from a source notebook."""
    out = nbformat.v4.new_notebook(metadata=nb.metadata)
    number = 0
    for cell in nb.cells:
        if "solution" in tags(cell):
            continue
        source = cell.source
        if cell.cell_type == "markdown":
            if _GATE.match(source.strip()):
                continue
            found = _EXERCISE.match(source.strip())
            if found:
                number += 1
                body = "\n".join(
                    line for line in found["body"].splitlines() if not line.startswith(":")
                ).strip()
                source = f"## Exercise {number}: {found['title'].strip()}\n\n{body}"
            source = _DOC.sub(lambda m: f"`{m['path']}.ipynb`", source)
            new = nbformat.v4.new_markdown_cell(source)
        else:
            new = nbformat.v4.new_code_cell(source)
            kept = [t for t in cell.metadata.get("tags", []) if t != "remove-cell"]
            if kept:
                new.metadata["tags"] = kept
        new["id"] = cell["id"]
        out.cells.append(new)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale notebooks")
    args = parser.parse_args(argv)
    stale = []
    for source in sorted(SOURCE_DIR.glob("*.ipynb")):
        target = STUDENT_DIR / source.name
        parse_exercises(nbformat.read(source, as_version=4))  # fails on a malformed source
        text = nbformat.writes(student_version(nbformat.read(source, as_version=4))) + "\n"
        if target.exists() and target.read_text() == text:
            continue
        if args.check:
            stale.append(target.relative_to(ROOT))
        else:
            target.write_text(text)
            print(f"wrote {target.relative_to(ROOT)}")
    if stale:
        print("Out of date (run `python tools/exercises.py`):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
