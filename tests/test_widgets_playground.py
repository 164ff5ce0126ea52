"""nnlib.widgets.playground: the controls exist and every choice trains and draws."""

import matplotlib.pyplot as plt

from nnlib.widgets import playground


def test_playground_controls_and_redraw():
    widget = playground(epochs=20)
    names = [getattr(child, "description", None) for child in widget.children]
    assert names[:4] == ["data", "hidden", "activation", "noise"]
    for dataset in ("spirals", "xor"):
        widget.children[0].value = dataset  # each change trains a network and redraws
    widget.children[2].value = "relu"
    assert widget.result is None
    plt.close("all")
