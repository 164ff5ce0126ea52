"""Export the exercise pages to Otter-Grader, for courses that hand out, collect and grade them.

For each page `exercises/solutions/NN_topic.ipynb` this writes an Otter Assign master
notebook (Otter's v1 format) and runs `otter assign` on it:

    python tools/otter_export.py                    # every page, into otter/
    python tools/otter_export.py 04_activations --out some/dir

Per page, `otter/NN_topic/` then holds the master `NN_topic.ipynb` and Otter's output:
`dist/student/NN_topic.ipynb` (the notebook to hand out), and `dist/autograder/` (the
solution notebook and `NN_topic-autograder_*.zip`, which `otter run` or Gradescope uses
to grade a submission). Each exercise is one question worth 1 point; its hidden test
calls the same checker as the page's check cell and passes only when the checker does,
so a course grades with exactly the feedback the student saw. The student keeps the
page's stub (the function's signature with `...`) and its visible check cells.

Grade a submission locally:  otter run -a otter/NN_topic/dist/autograder/<zip> work.ipynb
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from exercises import _EXERCISE, _GATE, _LABEL, plain_markdown, tags  # noqa: E402

SOURCE_DIR = ROOT / "exercises" / "solutions"
OUT_DIR = ROOT / "otter"

CONFIG = """\
# ASSIGNMENT CONFIG
name: {name}
init_cell: true
check_all_cell: false
export_cell: false
run_tests: {run_tests}
generate: true
"""


def _raw(text):
    return nbformat.v4.new_raw_cell(text)


def _question_name(label):
    """An Otter question name: letters, digits and underscores."""
    return re.sub(r"\W", "_", label.removeprefix("ex-"))


def master_notebook(page, run_tests=True):
    """The Otter Assign master notebook of one exercise page. With `run_tests`, Otter
    Assign runs the hidden tests on the solutions and stops if one fails."""
    nb = nbformat.read(SOURCE_DIR / f"{page}.ipynb", as_version=4)
    out = nbformat.v4.new_notebook(metadata=nb.metadata)
    out.cells.append(_raw(CONFIG.format(name=page, run_tests=str(run_tests).lower())))
    stub = check = label = None
    number = 0

    def close_question():
        nonlocal stub, check, label
        if label is None:
            return
        out.cells.append(_raw("# BEGIN TESTS"))
        test = (
            '""" # BEGIN TEST CONFIG\nhidden: true\n""" # END TEST CONFIG\n'
            f"bool(({check.strip()}).passed)"
        )
        # Otter takes a test's expected output from the master's stored output.
        expected = nbformat.v4.new_output(
            "execute_result", data={"text/plain": "True"}, execution_count=1
        )
        out.cells.append(nbformat.v4.new_code_cell(test, outputs=[expected]))
        out.cells.append(_raw("# END TESTS"))
        out.cells.append(_raw("# END QUESTION"))
        stub = check = label = None

    for cell in nb.cells:
        cell_tags = tags(cell)
        if "install-nnlib" in cell_tags:
            continue
        source = cell.source
        if cell.cell_type == "markdown":
            if _GATE.match(source.strip()):
                continue
            found = _EXERCISE.match(source.strip())
            if found:
                close_question()
                label = _LABEL.search(found["body"]).group(1)
                number += 1
                out.cells.append(
                    _raw(f"# BEGIN QUESTION\nname: {_question_name(label)}\npoints: 1")
                )
            out.cells.append(nbformat.v4.new_markdown_cell(plain_markdown(source, number)))
        elif "stub" in cell_tags:
            stub = source
        elif "solution" in cell_tags:
            # One cell: the page's stub, which the student keeps, then the solution, which
            # Otter strips from the student's notebook (NO PROMPT: without a placeholder);
            # in Otter's solution notebook the solution runs after the stub and replaces it.
            code = f"{stub.rstrip()}\n# BEGIN SOLUTION NO PROMPT\n{source.rstrip()}\n# END SOLUTION"
            out.cells += [
                _raw("# BEGIN SOLUTION"),
                nbformat.v4.new_code_cell(code),
                _raw("# END SOLUTION"),
            ]
        elif "check" in cell_tags:
            check = source
            out.cells.append(nbformat.v4.new_code_cell(source))
        else:
            out.cells.append(nbformat.v4.new_code_cell(source))
    close_question()
    return out


def export(page, out_dir=OUT_DIR, otter=None, run_tests=True):
    """Write the master notebook of `page` and run Otter Assign on it; return the page's
    output folder."""
    target = Path(out_dir) / page
    target.mkdir(parents=True, exist_ok=True)
    master = target / f"{page}.ipynb"
    nbformat.write(master_notebook(page, run_tests), master)
    otter = otter or [sys.executable, "-m", "otter"]
    subprocess.run(
        [*otter, "assign", "--no-pdfs", str(master), str(target / "dist")],
        check=True,
        cwd=target,
    )
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", help="pages such as 04_activations (default: all)")
    parser.add_argument("--out", default=str(OUT_DIR), help="output folder (default: otter/)")
    args = parser.parse_args(argv)
    pages = args.pages or sorted(path.stem for path in SOURCE_DIR.glob("*.ipynb"))
    for page in pages:
        target = export(page, args.out)
        print(f"{page}: {target / 'dist'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
