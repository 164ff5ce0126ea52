"""nnlib.widgets.optimizer_race: the controls exist, and every change redraws the race."""

import matplotlib.pyplot as plt

from nnlib.surfaces import SURFACES
from nnlib.widgets import optimizer_race

OPTIMIZERS = ["sgd", "momentum", "adagrad", "rmsprop", "adam"]


def redraws(control, value):
    """Set a control and report whether the widget drew a figure in answer."""
    plt.close("all")
    control.value = value
    return len(plt.get_fignums()) > 0


def controls(widget):
    """The widget's controls by description (the play button sits beside the step slider)."""
    found = {}
    for child in widget.children:
        for control in getattr(child, "children", None) or [child]:
            found[getattr(control, "description", "")] = control
    return found


def test_optimizer_race_controls_and_redraw(widget_errors):
    plt.close("all")
    widget = optimizer_race(steps=40, rates={"adam": 0.1})
    found = controls(widget)
    assert {"surface", "step", "play"} | {f"α {name}" for name in OPTIMIZERS} <= set(found)
    assert found["step"].max == 40 and found["step"].value == 40 and found["play"].max == 40
    assert abs(found["α adam"].value - 0.1) < 1e-9  # the given rate, not the surface's own
    for step in (0, 1, 17):  # the step slider redraws the paths up to that step
        assert redraws(found["step"], step), f"no figure drawn for step {step}"
    for name in [*SURFACES]:  # every surface, 1-D and 2-D
        assert redraws(found["surface"], name), f"no figure drawn for {name}"
    assert redraws(found["α sgd"], 3.0)  # far too large on every surface: the drawing copes
    assert redraws(found["step"], 40)
    assert not widget_errors()
    plt.close("all")


def test_choosing_a_surface_resets_the_rates(widget_errors):
    plt.close("all")
    widget = optimizer_race(surface="elongated_bowl", steps=10)
    found = controls(widget)
    found["α momentum"].value = 1e-4
    found["surface"].value = "rosenbrock"
    assert found["α momentum"].value > 1e-3  # back to a rate that suits the new surface
    assert not widget_errors()
    plt.close("all")
