"""Make the students' exercise notebooks from the book's exercise pages.

One source of truth: `exercises/solutions/NN_topic.ipynb` is the page the book shows, with
each exercise, its reference solution folded away (sphinx-exercise) and the check that
proves the solution right. The student notebook `exercises/NN_topic.ipynb` is generated
from it: solutions dropped, stubs kept, MyST directives turned into plain headings.

    python tools/exercises.py          # rewrite the student notebooks that are out of date
    python tools/exercises.py --check  # exit 1 if any student notebook is out of date

A student's work is never lost. Each generated notebook records a digest of what it was
written with (its cells: sources, tags, outputs). A notebook whose cells no longer match
that digest has been worked in (answers, outputs, added notes), and is left as it is,
with a message; `--force` replaces it too, after copying it to `work/backups/`. Students
work in their own copies in `work/` (`python3 tasks.py lab` makes them), a folder that
no tool writes into once a file is there.

Cell roles in a source notebook, by cell tag:
- `stub`: the student's starting point (also tagged `remove-cell`, so the book hides it);
- `solution`: the reference solution, shown folded in the book, dropped for students;
- `check`: the call of the checker, kept in both.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "exercises" / "solutions"
STUDENT_DIR = ROOT / "exercises"
# The students' own folder (git-ignored): their copies, and backups of replaced notebooks.
WORK_DIR = ROOT / "work"
# Where a generated notebook keeps the digest of its cells (notebook metadata).
RECORD = "nnlib_exercises"

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


def cells_digest(nb):
    """SHA-256 of what working in a notebook changes: each cell's kind, source, tags and
    outputs. Cell ids and notebook metadata are left out: Jupyter adds or rewrites them
    when it merely opens and saves a notebook."""
    cells = []
    for cell in nb.cells:
        entry = [cell.cell_type, cell.source, sorted(tags(cell))]
        if cell.cell_type == "code":
            entry += [cell.get("outputs", []), cell.get("execution_count")]
        cells.append(entry)
    text = json.dumps(cells, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def changes_since_generated(nb, generated):
    """What was done in the student notebook `nb` since a tool wrote it: a list of short
    descriptions, empty when its cells are exactly what was written.

    `generated` is the notebook the current sources make; it names the cells that differ.
    A notebook written before digests were recorded counts as untouched when it has no
    outputs, no added cells and every exercise cell as given.
    """
    recorded = nb.metadata.get(RECORD, {}).get("cells_sha256")
    if recorded is not None and recorded == cells_digest(nb):
        return []
    ran = [
        i
        for i, c in enumerate(nb.cells, start=1)
        if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count"))
    ]
    given = {cell.get("id"): cell for cell in generated.cells}
    added = [i for i, c in enumerate(nb.cells, start=1) if c.get("id") not in given]
    edited = [
        i
        for i, c in enumerate(nb.cells, start=1)
        if "stub" in tags(c) and c.get("id") in given and c.source != given[c["id"]].source
    ]
    found = []
    if edited:
        found.append(f"answers typed into cell{_plural(edited)}")
    if added:
        found.append(f"cell{_plural(added)} added")
    if ran:
        found.append(f"outputs in cell{_plural(ran)}")
    if recorded is not None and not found:
        found.append("cells changed after it was generated")
    return found


def _plural(numbers):
    shown = ", ".join(map(str, numbers[:8])) + (", ..." if len(numbers) > 8 else "")
    return f"{'s' if len(numbers) > 1 else ''} {shown}"


def back_up(path):
    """Copy `path` to work/backups/<name>-<time>.ipynb (never over another file); return
    the copy's path."""
    backups = WORK_DIR / "backups"
    backups.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        target = backups / f"{path.stem}-{stamp}{f'-{n}' if n else ''}{path.suffix}"
        try:
            with open(target, "xb") as copy:
                copy.write(path.read_bytes())
        except FileExistsError:
            continue
        shutil.copystat(path, target)
        return target
    raise RuntimeError(f"could not find a free backup name for {path.name} in {backups}")


def plain_markdown(source, number):
    """A page's markdown as a plain notebook shows it: an exercise directive becomes the
    heading "Exercise `number`: title" over its text (its options dropped), and {doc}
    links become the notebooks' file names."""
    found = _EXERCISE.match(source.strip())
    if found:
        body = "\n".join(
            line for line in found["body"].splitlines() if not line.startswith(":")
        ).strip()
        source = f"## Exercise {number}: {found['title'].strip()}\n\n{body}"
    return _DOC.sub(lambda m: f"`{m['path']}.ipynb`", source)


def student_version(nb):
    """The student notebook made from a source notebook, with the digest of its cells."""
    out = nbformat.v4.new_notebook(metadata=nb.metadata)
    number = 0
    for cell in nb.cells:
        if "solution" in tags(cell):
            continue
        source = cell.source
        if cell.cell_type == "markdown":
            if _GATE.match(source.strip()):
                continue
            if _EXERCISE.match(source.strip()):
                number += 1
            new = nbformat.v4.new_markdown_cell(plain_markdown(source, number))
        else:
            new = nbformat.v4.new_code_cell(source)
            kept = [t for t in cell.metadata.get("tags", []) if t != "remove-cell"]
            if kept:
                new.metadata["tags"] = kept
        new["id"] = cell["id"]
        out.cells.append(new)
    out.metadata[RECORD] = {"cells_sha256": cells_digest(out)}
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale notebooks")
    parser.add_argument(
        "--force",
        action="store_true",
        help="also replace notebooks that were worked in, after backing each up in work/backups/",
    )
    args = parser.parse_args(argv)
    stale, kept = [], []
    for source in sorted(SOURCE_DIR.glob("*.ipynb")):
        target = STUDENT_DIR / source.name
        notebook = nbformat.read(source, as_version=4)
        parse_exercises(notebook)  # fails on a malformed source
        generated = student_version(notebook)
        text = nbformat.writes(generated) + "\n"
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        changes = []
        if target.exists():
            changes = changes_since_generated(nbformat.read(target, as_version=4), generated)
        if args.check:
            (kept if changes else stale).append((target.relative_to(ROOT), changes))
        elif changes and not args.force:
            kept.append((target.relative_to(ROOT), changes))
        else:
            if changes:
                print(
                    f"backed up {target.relative_to(ROOT)} as {back_up(target).relative_to(ROOT)}"
                )
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)}")
    if stale:
        print(
            "Out of date (run `python tools/exercises.py`, which replaces only notebooks "
            "nobody has worked in):",
            *(path for path, _ in stale),
            sep="\n  ",
        )
    if kept:
        print(
            "Worked in since they were generated, so no tool replaces them:",
            *(f"{path}: {'; '.join(changes)}" for path, changes in kept),
            sep="\n  ",
        )
        print(
            "If that is your work, move it to work/ (`python3 tasks.py lab` gives you your own "
            "copies of the exercises there, and no tool writes into a file in work/). "
            "`python tools/exercises.py --force` replaces these notebooks with the generated "
            "ones, after copying each to work/backups/."
        )
    return 1 if stale or kept else 0


if __name__ == "__main__":
    sys.exit(main())
