"""nnlib.widgets.descent_explorer: the controls exist and every choice redraws a path."""

import logging

import matplotlib.pyplot as plt

from nnlib.surfaces import SURFACES
from nnlib.widgets import descent_explorer


def test_descent_explorer_controls_and_redraw(caplog):
    plt.close("all")
    caplog.set_level(logging.WARNING)
    widget = descent_explorer(steps=20)
    names = [getattr(child, "description", None) for child in widget.children]
    assert names[:5] == ["surface", "α", "start x", "start y", "steps"]
    surface, lr, x0, y0, _ = widget.children[:5]
    assert y0.disabled  # the default surface is 1-D
    for name in [*SURFACES][1:] + ["double_well"]:  # every one, ending where we began
        drawn = len(plt.get_fignums())
        surface.value = name  # redraws, and moves the start to the surface's own
        assert len(plt.get_fignums()) > drawn, f"no figure drawn for {name}"
        assert x0.value == SURFACES[name].start[0]
        assert y0.disabled == (SURFACES[name].dim == 1)
    lr.value = 0.9  # far too large on every surface: the path diverges, the drawing copes
    x0.value = -2.0
    y0.value = 2.5
    # ipywidgets only logs an exception raised while redrawing: none may have been logged.
    assert not [r for r in caplog.records if "Exception in interact" in r.getMessage()]
    plt.close("all")
