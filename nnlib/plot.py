"""Pictures used in many chapters: labelled points, decision lines and decision regions,
activation curves, and for MNIST grids of digits and confusion matrices.

Every function draws on a Matplotlib axes (`ax`, a new figure when omitted) and returns it,
so a chapter can combine several drawings in one figure and set its own titles.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap, LogNorm

from nnlib._validate import (
    as_array,
    as_class_labels,
    as_matrix,
    as_scalar,
    as_vector,
    axes_or_none,
    describe,
    flag,
    function,
    in_unit_interval,
    positive,
    positive_int,
)
from nnlib.data.gates import _logic_gate
from nnlib.perceptron import _step

# Colour-blind-safe colours (Okabe & Ito), with a different marker per class as well,
# so that the classes stay distinguishable in grey print too.
CLASS_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
CLASS_MARKERS = ("o", "^", "s", "D", "v", "P")
# Line styles to go with them, for curves that must differ in more than colour.
LINE_STYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (3, 1, 1, 1)))


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    return ax


def plot_points(X, y, ax=None, class_names=None, size=40):
    """Scatter the rows of X (m, 2), one colour and marker per label in y (m,)."""
    X, y = _points_and_labels("plot_points", X, y, class_names)
    size = positive("plot_points", "size", size, what="the marker size")
    return _plot_points(X, y, axes_or_none("plot_points", "ax", ax), class_names, size)


def _points_and_labels(func, X, y, class_names):
    """Points (m, 2) and their labels (m,), class indices 0, 1, ... (whole numbers)."""
    X = as_matrix(func, "X", X, n_cols=2)
    y = _classes(func, "y", y, X.shape[0])
    if class_names is not None:
        if not isinstance(class_names, list | tuple):
            raise TypeError(
                f"{func}: class_names must be a list of names, one per class, got "
                f"{describe(class_names)}"
            )
        if y.max() >= len(class_names):
            raise ValueError(
                f"{func}: class_names has {len(class_names)} names, but y holds the class {y.max()}"
            )
    return X, y


def _classes(func, name, values, length):
    """Class indices as ints: whole numbers >= 0, one per point (floats like 1.0 allowed)."""
    array = as_array(func, name, values, what="an array of class indices 0, 1, ...")
    if array.shape != (length,):
        raise ValueError(
            f"{func}: {name} must have shape ({length},), one class index per point, got "
            f"{array.shape}"
        )
    if np.any(array != np.round(array)) or np.any(array < 0):
        bad = np.unique(array[(array != np.round(array)) | (array < 0)])[:5].tolist()
        raise ValueError(f"{func}: {name} must hold class indices 0, 1, 2, ..., found {bad}")
    return array.astype(int)


def _plot_points(X, y, ax, class_names, size):
    ax = _axes(ax)
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
    func = "plot_decision_line"
    w1, w2 = as_vector(func, "w", w, length=2)
    b = as_scalar(func, "b", b)
    xlim, ylim = _limits(func, "xlim", xlim), _limits(func, "ylim", ylim)
    shade = flag(func, "shade", shade)
    return _plot_decision_line(w1, w2, b, axes_or_none(func, "ax", ax), xlim, ylim, shade, line_kw)


def _limits(func, name, value):
    """A window's (low, high) on one axis: two finite numbers, low < high."""
    limits = as_array(func, name, value, what="a pair (low, high) of numbers")
    if limits.shape != (2,) or not limits[0] < limits[1]:
        raise ValueError(
            f"{func}: {name} must be a pair (low, high) with low < high, got {describe(value)}"
        )
    return float(limits[0]), float(limits[1])


def _plot_decision_line(w1, w2, b, ax, xlim, ylim, shade, line_kw):
    ax = _axes(ax)
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
    func = "plot_decision_regions"
    predict = function(func, "predict", predict)
    if X is not None and y is not None:
        X, y = _points_and_labels(func, X, y, class_names)
    elif X is not None:
        X = as_matrix(func, "X", X, n_cols=2)
    elif y is not None:
        raise ValueError(f"{func}: y labels the points X, so it needs X; got y without X")
    xlim = None if xlim is None else _limits(func, "xlim", xlim)
    ylim = None if ylim is None else _limits(func, "ylim", ylim)
    resolution = positive_int(func, "resolution", resolution)
    if resolution < 2:
        raise ValueError(f"{func}: resolution must be at least 2 points per axis, got {resolution}")
    ax = _axes(axes_or_none(func, "ax", ax))
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
    classes = _classes(func, "predict(points)", predict(grid), len(grid)).reshape(xx.shape)
    n_colours = int(max(classes.max(), 0 if y is None else np.max(y))) + 1
    cmap = ListedColormap([CLASS_COLOURS[k % len(CLASS_COLOURS)] for k in range(n_colours)])
    ax.contourf(xx, yy, classes, levels=np.arange(n_colours + 1) - 0.5, cmap=cmap, alpha=0.25)
    if X is not None and y is not None:
        _plot_points(X, y, ax, class_names, size=20)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax


def plot_gate_unit(gate, w, b, ax=None, lim=(-0.5, 1.5)):
    """A gate's four points with the decision line of the unit (w, b); the title gives w, b
    and how many of the four points the unit gets right. `lim` is the window on both axes."""
    func = "plot_gate_unit"
    X, y = _logic_gate(func, gate, argument="gate")
    w1, w2 = as_vector(func, "w", w, length=2)
    b = as_scalar(func, "b", b)
    lim = _limits(func, "lim", lim)
    ax = _plot_decision_line(w1, w2, b, axes_or_none(func, "ax", ax), lim, lim, True, {})
    _plot_points(X, y, ax, ("output 0", "output 1"), 40)
    correct = int((_step(X @ np.array([w1, w2]) + b) == y).sum())
    ax.set_title(f"{gate}: w = ({w1:g}, {w2:g}), b = {b:g}\n{correct}/4 points right")
    return ax


def plot_activation(f, f_prime, axes=None, z=None, label=None, **line_kw):
    """Draw an activation `f` on `axes[0]` and its derivative `f_prime` on `axes[1]`.

    Both are evaluated on the grid `z` (by default 401 points from -6 to 6). Call it once
    per activation on the same pair of axes to compare several. Returns the two axes.
    """
    func = "plot_activation"
    f, f_prime = function(func, "f", f), function(func, "f_prime", f_prime)
    if axes is not None:
        if isinstance(axes, str) or not hasattr(axes, "__len__"):
            raise TypeError(
                f"plot_activation: axes must be a pair of axes (function, derivative), got "
                f"{describe(axes)}"
            )
        if len(axes) != 2:
            raise ValueError(
                f"plot_activation: axes must be a pair (function, derivative), got {axes}"
            )
        axes = [axes_or_none(func, f"axes[{i}]", ax) for i, ax in enumerate(axes)]
        if None in axes:
            raise TypeError(f"{func}: axes must be a pair of Matplotlib Axes, got None in it")
    if z is None:
        z = np.linspace(-6, 6, 401)
    else:
        z = np.asarray(as_vector(func, "z", z), dtype=float)
    values = [_curve(func, name, fn, z) for name, fn in (("f", f), ("f_prime", f_prime))]
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(8, 3.4))
    style = {"linewidth": 2} | line_kw
    ax_f, ax_d = axes
    ax_f.plot(z, values[0], label=label, **style)
    ax_d.plot(z, values[1], label=label, **style)
    for ax, what in ((ax_f, "f(z)"), (ax_d, "f'(z)")):
        ax.axhline(0, color="grey", linewidth=0.6, zorder=0)
        ax.axvline(0, color="grey", linewidth=0.6, zorder=0)
        ax.set_xlabel("pre-activation z")
        ax.set_ylabel(what)
        ax.grid(alpha=0.3)
    ax_f.set_title("the activation")
    ax_d.set_title("its derivative")
    return axes


def _curve(func, name, fn, z):
    """fn(z), checked: one finite number per point of z."""
    values = as_array(func, f"{name}(z)", fn(z))
    if values.shape != z.shape:
        raise ValueError(
            f"{func}: {name} must return one value per point of z, shape {z.shape}, got "
            f"{values.shape}"
        )
    return values


# --- MNIST: digit grids and confusion matrices -------------------------------------------

WRONG_COLOUR = "#D55E00"  # vermillion: a title whose prediction disagrees with the label


def _as_square_images(func, images):
    """Return images (n, side, side) from (n, side, side) or flat rows (n, side²)."""
    images = as_array(func, "images", images)
    if images.ndim == 2 and images.shape[1] > 0:
        side = int(round(np.sqrt(images.shape[1])))
        if side * side != images.shape[1]:
            raise ValueError(
                f"{func}: flat images must have a square number of pixels per row (784 for "
                f"28×28), got shape {images.shape}"
            )
        images = images.reshape(len(images), side, side)
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(
            f"{func}: images must have shape (n, 28, 28) or (n, 784) with n >= 1, "
            f"got {images.shape}"
        )
    return images


def _digit_title(label, prediction, confidence):
    if prediction is None:
        return "" if label is None else f"{label}"
    if confidence is None:
        sure = ""
    elif confidence > 0.999:  # rounding would print 100%, which a softmax never reaches
        sure = " (>99.9%)"
    else:
        sure = f" ({confidence:.1%})"
    guess = f"pred {prediction}{sure}"
    return guess if label is None else f"true {label}\n{guess}"


def plot_digits(images, labels=None, predictions=None, confidences=None, ncols=10, axes=None):
    """Draw a grid of grey digits, `ncols` per row, each titled with what is known of it.

    images: (n, 28, 28) or flat rows (n, 784), dark strokes on white. `labels` gives the
    true digit, `predictions` a model's guess (its title turns vermillion when the two
    differ) and `confidences` the probability the model gave its guess, each (n,).
    `axes` is an array of at least n axes to draw on; by default a new figure. Returns
    the grid's axes as a flat array (any spare axes switched off).
    """
    func = "plot_digits"
    images = _as_square_images(func, images)
    n = len(images)
    columns = {"labels": labels, "predictions": predictions, "confidences": confidences}
    for name, values in columns.items():
        if values is None:
            continue
        array = as_array(func, name, values)
        if array.shape != (n,):
            raise ValueError(
                f"plot_digits: {name} must have shape ({n},), one per image, got {array.shape}"
            )
        if name == "confidences":
            confidences = in_unit_interval(func, name, array)
        else:
            columns[name] = _classes(func, name, values, n)
    labels, predictions = columns["labels"], columns["predictions"]
    ncols = positive_int(func, "ncols", ncols)
    if axes is not None:
        axes = np.ravel(np.asarray(axes, dtype=object))
        for i, ax in enumerate(axes):
            axes_or_none(func, f"axes[{i}]", ax)
    if axes is None:
        ncols = min(ncols, n)
        nrows = -(-n // ncols)
        extra = 0.35 * (labels is not None) + 0.35 * (predictions is not None)
        width = 1.3 if predictions is not None else 0.8  # room for "pred 7 (>99.9%)"
        _, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, (0.8 + extra) * nrows))
    axes = np.ravel(axes)
    if len(axes) < n:
        raise ValueError(f"plot_digits: {n} images need at least {n} axes, got {len(axes)}")
    for i, ax in enumerate(axes):
        ax.set_axis_off()
        if i >= n:
            continue
        ax.imshow(images[i], cmap="gray_r", interpolation="nearest")
        label = None if labels is None else int(labels[i])
        guess = None if predictions is None else int(predictions[i])
        sure = None if confidences is None else float(confidences[i])
        wrong = label is not None and guess is not None and label != guess
        ax.set_title(
            _digit_title(label, guess, sure), fontsize=8, color=WRONG_COLOUR if wrong else "black"
        )
    return axes


def confusion_counts(true, predicted, n_classes=10):
    """Return the (n_classes, n_classes) integer matrix whose cell (i, j) counts the
    examples of class i that were predicted as class j; true and predicted are (m,)."""
    return _confusion_counts("confusion_counts", true, predicted, n_classes)


def _confusion_counts(func, true, predicted, n_classes):
    n_classes = positive_int(func, "n_classes", n_classes)
    true = as_class_labels(func, "true", true, n_classes, None)
    predicted = as_class_labels(
        func, "predicted", predicted, n_classes, len(true), per="one per entry of true"
    )
    pairs = np.bincount(n_classes * true + predicted, minlength=n_classes**2)
    return pairs.reshape(n_classes, n_classes)


def plot_confusion_matrix(true, predicted, n_classes=10, ax=None):
    """Draw the confusion matrix of `confusion_counts`: rows are the true classes, columns
    the predicted ones, so the correct answers lie on the diagonal.

    Every non-zero count is written in its cell. The colours use a logarithmic scale, so
    that the few mistakes off the diagonal stay visible next to the large counts on it.
    Returns the axes.
    """
    counts = _confusion_counts("plot_confusion_matrix", true, predicted, n_classes)
    n_classes = len(counts)
    ax = axes_or_none("plot_confusion_matrix", "ax", ax)
    if ax is None:
        _, ax = plt.subplots(figsize=(0.5 * n_classes + 1.5, 0.5 * n_classes + 1))
    top = max(int(counts.max()), 2)
    image = ax.imshow(np.ma.masked_equal(counts, 0), cmap="Blues", norm=LogNorm(vmin=1, vmax=top))
    for i, j in zip(*np.nonzero(counts), strict=True):
        dark = np.log(counts[i, j]) > 0.6 * np.log(top)
        colour = "white" if dark else "black"
        ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=7, color=colour)
    ticks = np.arange(n_classes)
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.figure.colorbar(image, ax=ax, label="count (log scale)", shrink=0.8)
    return ax
