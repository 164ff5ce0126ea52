"""Pictures used in many chapters: labelled points, decision lines and decision regions.

Every function draws on a Matplotlib axes (`ax`, a new figure when omitted) and returns it,
so a chapter can combine several drawings in one figure and set its own titles.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from nnlib._validate import as_matrix, as_scalar, as_vector
from nnlib.data import logic_gate
from nnlib.perceptron import perceptron_predict

# Colour-blind-safe colours (Okabe & Ito), with a different marker per class as well,
# so that the classes stay distinguishable in grey print too.
CLASS_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
CLASS_MARKERS = ("o", "^", "s", "D", "v", "P")


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    return ax


def plot_points(X, y, ax=None, class_names=None, size=40):
    """Scatter the rows of X (m, 2), one colour and marker per label in y (m,)."""
    ax = _axes(ax)
    X = as_matrix("plot_points", "X", X, n_cols=2)
    y = np.asarray(y)
    if y.shape != (X.shape[0],):
        raise ValueError(f"plot_points: y must have shape ({X.shape[0]},), got {y.shape}")
    for k in np.unique(y):
        k = int(k)
        name = class_names[k] if class_names is not None else f"class {k}"
        mask = y == k
        ax.scatter(
            X[mask, 0],
            X[mask, 1],
            s=size,
            c=CLASS_COLOURS[k % len(CLASS_COLOURS)],
            marker=CLASS_MARKERS[k % len(CLASS_MARKERS)],
            edgecolors="black",
            linewidths=0.6,
            label=name,
            zorder=3,
        )
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax


def plot_decision_line(w, b, ax=None, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), shade=True, **line_kw):
    """Draw the line `w1 x1 + w2 x2 + b = 0` and shade the side where the unit outputs 1.

    With w = (0, 0) there is no line: the unit outputs the same class everywhere, and the
    whole square is shaded (b >= 0) or left blank (b < 0).
    """
    ax = _axes(ax)
    w1, w2 = as_vector("plot_decision_line", "w", w, length=2)
    b = as_scalar("plot_decision_line", "b", b)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    xx, yy = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
    if shade:
        positive = (w1 * xx + w2 * yy + b >= 0).astype(float)
        ax.contourf(
            xx,
            yy,
            positive,
            levels=[-0.5, 0.5, 1.5],
            colors=["white", CLASS_COLOURS[1]],
            alpha=0.18,
            zorder=0,
        )
    style = {"color": "black", "linewidth": 2, "zorder": 2} | line_kw
    if w2 != 0:
        x1 = np.array(xlim, dtype=float)
        ax.plot(x1, -(w1 * x1 + b) / w2, **style)
    elif w1 != 0:
        ax.axvline(-b / w1, **style)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    return ax


def plot_decision_regions(
    predict, X=None, y=None, ax=None, xlim=None, ylim=None, resolution=200, class_names=None
):
    """Colour the plane by the class that `predict` gives each point, then scatter (X, y).

    `predict` maps an (m, 2) array of points to (m,) integer classes. The plotted window is
    `xlim` x `ylim`, or the data's extent plus a margin when they are omitted.
    """
    ax = _axes(ax)
    if X is not None:
        X = as_matrix("plot_decision_regions", "X", X, n_cols=2)
    if xlim is None or ylim is None:
        if X is None:
            raise ValueError(
                "plot_decision_regions: give xlim and ylim, or data X to size the plot"
            )
        margin = 0.1 * (X.max(axis=0) - X.min(axis=0)) + 0.1
        lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
        xlim = xlim or (lo[0], hi[0])
        ylim = ylim or (lo[1], hi[1])
    xx, yy = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    classes = np.asarray(predict(grid)).reshape(xx.shape)
    n_colours = int(max(classes.max(), 0 if y is None else np.max(y))) + 1
    cmap = ListedColormap([CLASS_COLOURS[k % len(CLASS_COLOURS)] for k in range(n_colours)])
    ax.contourf(xx, yy, classes, levels=np.arange(n_colours + 1) - 0.5, cmap=cmap, alpha=0.25)
    if X is not None and y is not None:
        plot_points(X, y, ax=ax, class_names=class_names, size=20)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax


def plot_gate_unit(gate, w, b, ax=None, lim=(-0.5, 1.5)):
    """A gate's four points with the decision line of the unit (w, b); the title gives w, b
    and how many of the four points the unit gets right. `lim` is the window on both axes."""
    X, y = logic_gate(gate)
    ax = plot_decision_line(w, b, ax=ax, xlim=lim, ylim=lim)
    plot_points(X, y, ax=ax, class_names=("output 0", "output 1"))
    w1, w2 = np.asarray(w, dtype=float)
    correct = int((perceptron_predict(X, w, b) == y).sum())
    ax.set_title(f"{gate}: w = ({w1:g}, {w2:g}), b = {b:g}\n{correct}/4 points right")
    return ax


def plot_activation(f, f_prime, axes=None, z=None, label=None, **line_kw):
    """Draw an activation `f` on `axes[0]` and its derivative `f_prime` on `axes[1]`.

    Both are evaluated on the grid `z` (by default 401 points from -6 to 6). Call it once
    per activation on the same pair of axes to compare several. Returns the two axes.
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(8, 3.4))
    if len(axes) != 2:
        raise ValueError(f"plot_activation: axes must be a pair (function, derivative), got {axes}")
    z = np.linspace(-6, 6, 401) if z is None else np.asarray(z, dtype=float)
    style = {"linewidth": 2} | line_kw
    ax_f, ax_d = axes
    ax_f.plot(z, f(z), label=label, **style)
    ax_d.plot(z, f_prime(z), label=label, **style)
    for ax, what in ((ax_f, "f(z)"), (ax_d, "f'(z)")):
        ax.axhline(0, color="grey", linewidth=0.6, zorder=0)
        ax.axvline(0, color="grey", linewidth=0.6, zorder=0)
        ax.set_xlabel("pre-activation z")
        ax.set_ylabel(what)
        ax.grid(alpha=0.3)
    ax_f.set_title("the activation")
    ax_d.set_title("its derivative")
    return axes
