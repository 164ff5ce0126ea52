"""nnlib.widgets.playground: the controls exist and every choice trains and draws."""

import matplotlib.pyplot as plt

from nnlib.widgets import playground


def test_playground_controls_and_redraw(widget_errors):
    widget = playground(epochs=20)
    names = [getattr(child, "description", None) for child in widget.children]
    assert names[:4] == ["data", "hidden", "activation", "noise"]
    for dataset in ("spirals", "xor"):
        drawn = len(plt.get_fignums())
        widget.children[0].value = dataset  # each change trains a network and redraws
        assert len(plt.get_fignums()) > drawn
    widget.children[2].value = "relu"
    assert not widget_errors()
    plt.close("all")
