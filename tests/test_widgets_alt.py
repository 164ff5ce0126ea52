"""The widgets' pictures carry alt text: what the picture shows, then its panel titles
with the controls' values and the results (nnlib.widgets._show, in a kernel)."""

import html
import re

import IPython.display
import matplotlib.pyplot as plt

from nnlib import widgets
from nnlib.widgets import decision_line_explorer


def test_a_widget_picture_is_an_image_with_alt_text_naming_its_settings(monkeypatch):
    shown = []
    monkeypatch.setattr(widgets, "_in_kernel", lambda: True)  # as in Jupyter
    monkeypatch.setattr(IPython.display, "display", shown.append)
    widget = decision_line_explorer(gate="AND", w1=1.0, w2=1.0, b=-1.5)
    widget.children[3].value = -0.5  # b: the unit now computes OR, right on 2 of AND's 4
    plt.close("all")
    pictures = [re.search(r'<img alt="([^"]*)" src="data:image/png;base64,', h.data) for h in shown]
    assert pictures and all(pictures), "each redraw displays one image with alt text"
    alt = html.unescape(pictures[-1].group(1))
    assert alt.startswith("The gate's four input points")
    assert alt.endswith("AND: w = (1, 1), b = -0.5; 2/4 points right.")


def test_a_book_demo_holds_a_picture_for_every_combination_of_its_grid(monkeypatch):
    import json

    widget = decision_line_explorer(gate="AND", w1=1.0, w2=1.0, b=-1.5)  # the plain widget
    monkeypatch.setenv("NNLIB_BOOK_DEMOS", "1")
    widget = widgets.book_demo(widget, {"gate": ["AND", "OR", "XOR"], "b": [-1.5, -0.5]})
    bundle = widget._repr_mimebundle_()
    plt.close("all")
    page = bundle["text/html"]
    assert "application/vnd.jupyter.widget-view+json" in bundle  # Jupyter keeps the widget
    frames = json.loads(re.search(r'class="nnlib-demo-frames">(.*?)</script>', page).group(1))
    assert sorted(frames["keys"]) == [f"{g}-{b}" for g in range(3) for b in range(2)]
    assert len(frames["pictures"]) == 6 and set(frames["keys"].values()) == set(range(6))
    alts = [html.unescape(alt) for _, alt in frames["pictures"]]
    assert alts[frames["keys"]["1-1"]].endswith("OR: w = (1, 1), b = -0.5; 4/4 points right.")
    shown = re.search(r'<img class="nnlib-demo-picture" alt="([^"]*)"', page).group(1)
    assert html.unescape(shown).endswith("AND: w = (1, 1), b = -1.5; 4/4 points right.")
    assert ">gate</label>" in page and ">b</label>" in page


def test_pictures_that_are_the_same_are_drawn_once(monkeypatch):
    import json

    drawn = []
    widget = decision_line_explorer()  # the plain widget
    plt.close("all")
    monkeypatch.setenv("NNLIB_BOOK_DEMOS", "1")
    show = widget.f
    widget.f = lambda **values: (drawn.append(values), show(**values))
    widgets.book_demo(
        widget, {"gate": ["AND", "OR"], "w1": [1.0, 2.0]}, same=lambda v: {**v, "w1": 1.0}
    )
    plt.close("all")
    page = widget._repr_mimebundle_()["text/html"]
    frames = json.loads(re.search(r'class="nnlib-demo-frames">(.*?)</script>', page).group(1))
    assert len(drawn) == 2 and len(frames["keys"]) == 4 and len(frames["pictures"]) == 2


def test_without_the_book_no_demo_is_drawn(monkeypatch):
    from nnlib.widgets import activation_explorer

    monkeypatch.delenv("NNLIB_BOOK_DEMOS", raising=False)
    bundle = activation_explorer()._repr_mimebundle_()
    plt.close("all")
    assert "text/html" not in bundle


FORKED_OR_NOT = """
import os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from nnlib import widgets
from nnlib.widgets import decision_line_explorer

import multiprocessing

forked = []
context = multiprocessing.get_context
multiprocessing.get_context = lambda method: (forked.append(method), context(method))[1]
grid = {"gate": ["AND", "XOR"], "w1": [-1.0, 1.0], "b": [-1.5, -0.5, 0.5]}  # 12 pictures
pages = []
for cores in ({0}, {0, 1}):  # one core: drawn here; two: split between two processes
    os.sched_getaffinity = lambda pid, cores=cores: cores
    os.environ.pop("NNLIB_BOOK_DEMOS", None)
    widget = decision_line_explorer()
    plt.close("all")
    os.environ["NNLIB_BOOK_DEMOS"] = "1"
    pages.append(widgets.book_demo(widget, grid)._repr_mimebundle_()["text/html"])
assert "jax" not in sys.modules and forked == ["fork"]  # the second way did fork
print("same" if pages[0] == pages[1] and '"pictures"' in pages[0] else "different")
"""


def test_pictures_drawn_by_forked_processes_equal_those_drawn_in_one():
    import os
    import subprocess
    import sys

    import pytest

    if not hasattr(os, "fork") or not hasattr(os, "sched_getaffinity"):
        pytest.skip("the pictures are split among processes only where os.fork exists")
    # A fresh interpreter: this worker may have loaded JAX, and then nothing is forked.
    done = subprocess.run(
        [sys.executable, "-c", FORKED_OR_NOT], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("same")
