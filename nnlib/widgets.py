"""Interactive demos for Jupyter (ipywidgets). Each has a static figure beside it in the book.

ipywidgets is imported inside each function, so the rest of nnlib works without it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from nnlib.data import GATES
from nnlib.plot import plot_gate_unit


def decision_line_explorer(gate="AND", w1=1.0, w2=1.0, b=-1.5):
    """Sliders for w1, w2 and b that redraw the unit's decision line over a gate's points.

    The shaded side is where `w1 x1 + w2 x2 + b >= 0`, so the unit outputs 1.
    """
    import ipywidgets as widgets

    def show(gate, w1, w2, b):
        fig, ax = plt.subplots(figsize=(4.2, 4.2))
        plot_gate_unit(gate, [w1, w2], b, ax=ax)
        ax.legend(loc="upper right", fontsize=8)
        plt.show()

    slider = dict(min=-3.0, max=3.0, step=0.1, continuous_update=False)
    return widgets.interactive(
        show,
        gate=widgets.Dropdown(options=list(GATES), value=gate, description="gate"),
        w1=widgets.FloatSlider(value=w1, description="w1", **slider),
        w2=widgets.FloatSlider(value=w2, description="w2", **slider),
        b=widgets.FloatSlider(value=b, description="b", **slider),
    )
