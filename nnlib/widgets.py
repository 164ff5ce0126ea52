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


def activation_explorer(first="sigmoid", second="relu", alpha=0.1, z_max=6.0):
    """Two menus of activations and a slider for the Leaky ReLU slope `alpha`: draws both
    chosen functions (left) and their derivatives (right) on -z_max..z_max."""
    import functools

    import ipywidgets as widgets
    import numpy as np

    from nnlib.activations import ACTIVATIONS, get_activation
    from nnlib.plot import CLASS_COLOURS, plot_activation

    def show(first, second, alpha, z_max):
        fig, axes = plt.subplots(1, 2, figsize=(8.5, 3.4))
        z = np.linspace(-z_max, z_max, 401)
        for name, colour, dash in (
            (first, CLASS_COLOURS[0], "-"),
            (second, CLASS_COLOURS[1], "--"),
        ):
            f, f_prime = get_activation(name)
            if name == "leaky_relu":
                f = functools.partial(f, alpha=alpha)
                f_prime = functools.partial(f_prime, alpha=alpha)
            plot_activation(f, f_prime, axes=axes, z=z, label=name, color=colour, linestyle=dash)
        axes[0].legend(loc="upper left", fontsize=8)
        fig.tight_layout()
        plt.show()

    names = list(ACTIVATIONS)
    return widgets.interactive(
        show,
        first=widgets.Dropdown(options=names, value=first, description="first"),
        second=widgets.Dropdown(options=names, value=second, description="second"),
        alpha=widgets.FloatSlider(
            value=alpha,
            min=0.0,
            max=0.5,
            step=0.01,
            description="leaky α",
            continuous_update=False,
        ),
        z_max=widgets.FloatSlider(
            value=z_max,
            min=1.0,
            max=12.0,
            step=0.5,
            description="z range",
            continuous_update=False,
        ),
    )


def playground(dataset="moons", hidden=8, activation="tanh", epochs=1000, seed=0):
    """Pick a toy dataset, the hidden width and the activation; a 2-layer network is trained
    on the spot and the plane is coloured by the class it predicts (a small, offline cousin
    of in-browser network playgrounds)."""
    import ipywidgets as widgets

    from nnlib.data import TOY_DATASETS
    from nnlib.plot import plot_decision_regions
    from nnlib.train import fit_classifier, predict_classes

    def show(dataset, hidden, activation, noise):
        X, y = TOY_DATASETS[dataset](n=200, noise=noise, seed=seed)
        params, history = fit_classifier(
            X, y, hidden=(hidden,), activation=activation, lr=0.5, epochs=epochs, seed=seed
        )
        fig, ax = plt.subplots(figsize=(4.8, 4.8))
        plot_decision_regions(
            lambda P: predict_classes(params, P, activation=activation), X, y, ax=ax
        )
        ax.set_title(
            f"{dataset}: {hidden} {activation} units, {history.accuracy[-1]:.0%} right\n"
            f"(training loss {history.loss[-1]:.3f} after {epochs} epochs)",
            fontsize=10,
        )
        plt.show()

    return widgets.interactive(
        show,
        dataset=widgets.Dropdown(options=list(TOY_DATASETS), value=dataset, description="data"),
        hidden=widgets.IntSlider(
            value=hidden, min=1, max=32, description="hidden", continuous_update=False
        ),
        activation=widgets.Dropdown(
            options=["tanh", "relu", "sigmoid", "leaky_relu", "identity"],
            value=activation,
            description="activation",
        ),
        noise=widgets.FloatSlider(
            value=0.1, min=0.0, max=0.5, step=0.05, description="noise", continuous_update=False
        ),
    )
