"""nnlib.widgets.penalty_explorer: the controls exist, and every penalty trains and draws."""

import logging

import matplotlib.pyplot as plt

from nnlib.widgets import penalty_explorer


def test_penalty_explorer_controls_and_redraw(caplog):
    widget = penalty_explorer(epochs=5)
    names = [getattr(child, "description", None) for child in widget.children]
    assert names[:2] == ["penalty", "λ"]
    assert list(widget.children[0].options) == ["none", "L2", "L1", "elastic net"]
    with caplog.at_level(logging.WARNING):
        for penalty in ("none", "L1", "elastic net", "L2"):
            widget.children[0].value = penalty  # each change retrains and redraws
        widget.children[1].value = 0.1
    # ipywidgets logs an exception in the callback instead of raising it.
    assert not [r for r in caplog.records if "Exception in interact" in r.getMessage()]
    assert widget.result is None
    plt.close("all")
