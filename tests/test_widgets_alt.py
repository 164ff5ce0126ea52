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
