"""Small loss surfaces for watching gradient descent, each a function with its gradient.

Introduced in: Gradient descent (chapters/06_gradient_descent); the optimisers chapter
races its optimisers on the same surfaces.

Every surface is a pair of plain functions, `f(x)` and `grad(x)`:

- a 1-D surface takes a number, or an array of numbers and works entry by entry;
- a 2-D surface takes an array whose last axis holds the two coordinates: shape (2,) for
  one point, (..., 2) for many (a grid). `f` returns one value per point, shape
  `x.shape[:-1]`, and `grad` returns an array of x's shape.

`SURFACES` lists them by name with a window to draw them in and a starting point, for the
figures and the widget of the chapter.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from nnlib._validate import as_array, axes_or_none, choice, describe


def _numbers(func, x):
    """`x` as a float64 array, or a clear error naming the surface. NaN and inf are let
    through: the points of a run that diverged give NaN and inf back."""
    return np.asarray(as_array(func, "x", x, finite=False), dtype=float)


def _points(func, x):
    """`x` as a float array whose last axis holds the two coordinates (x, y)."""
    x = _numbers(func, x)
    if x.ndim == 0 or x.shape[-1] != 2:
        raise ValueError(
            f"{func}: x must hold two coordinates on its last axis, shape (2,) or (..., 2), "
            f"got shape {x.shape}"
        )
    return x[..., 0], x[..., 1]


# 1-D: a double well with a deep valley and a poor one -------------------------------------


def double_well(x):
    """`f(x) = (x² − 1)² + 0.3 x³`: a deep valley at x ≈ −1.119 (f ≈ −0.357) and a poor one at
    x ≈ 0.894 (f ≈ 0.255), with a hump at x = 0 between them. Non-convex, one variable."""
    x = _numbers("double_well", x)
    return (x**2 - 1) ** 2 + 0.3 * x**3


def double_well_grad(x):
    """`f'(x) = 4x (x² − 1) + 0.9 x²`."""
    x = _numbers("double_well_grad", x)
    return 4 * x * (x**2 - 1) + 0.9 * x**2


# The zeros of f'(x) = x (4x² + 0.9x − 4): the hump at 0 and the two valleys.
DOUBLE_WELL_MINIMA = ((-0.9 - np.sqrt(64.81)) / 8, (-0.9 + np.sqrt(64.81)) / 8)


# 2-D: an elongated bowl ------------------------------------------------------------------

# Curvatures along x and y: the bowl is ten times steeper across than along.
BOWL_CURVATURES = (1.0, 10.0)


def elongated_bowl(x):
    """`f(x, y) = (x² + 10 y²) / 2`: a quadratic bowl with its minimum 0 at the origin,
    curvature 1 along x and 10 along y. Gradient descent is stable for α < 2/10."""
    u, v = _points("elongated_bowl", x)
    a, b = BOWL_CURVATURES
    return (a * u**2 + b * v**2) / 2


def elongated_bowl_grad(x):
    """`∇f = (x, 10 y)`."""
    u, v = _points("elongated_bowl_grad", x)
    a, b = BOWL_CURVATURES
    return np.stack([a * u, b * v], axis=-1)


# 2-D: the Rosenbrock valley --------------------------------------------------------------


def rosenbrock(x):
    """`f(x, y) = (1 − x)² + 100 (y − x²)²` (Rosenbrock, 1960): a curved, flat-bottomed
    valley along y = x², with its minimum 0 at (1, 1)."""
    u, v = _points("rosenbrock", x)
    return (1 - u) ** 2 + 100 * (v - u**2) ** 2


def rosenbrock_grad(x):
    """`∇f = (−2 (1 − x) − 400 x (y − x²), 200 (y − x²))`."""
    u, v = _points("rosenbrock_grad", x)
    return np.stack([-2 * (1 - u) - 400 * u * (v - u**2), 200 * (v - u**2)], axis=-1)


# 2-D: two minima and a saddle point ------------------------------------------------------


def two_minima(x):
    """`f(x, y) = (x² − 1)² + 0.3 x³ + y²`, the double well along x times a bowl along y:
    a deep minimum at (−1.119, 0), a poor one at (0.894, 0), and a saddle point at the
    origin, where the gradient is zero but the surface falls away to both sides in x."""
    u, v = _points("two_minima", x)
    return (u**2 - 1) ** 2 + 0.3 * u**3 + v**2


def two_minima_grad(x):
    """`∇f = (4x (x² − 1) + 0.9 x², 2y)`."""
    u, v = _points("two_minima_grad", x)
    return np.stack([4 * u * (u**2 - 1) + 0.9 * u**2, 2 * v], axis=-1)


class Surface(NamedTuple):
    """A surface with what is needed to draw it: `limits` holds the (low, high) ranges of
    the picture's x and y axes (for a 1-D surface, y is the value f(x)), `start` is a
    starting point that shows the surface's character, and `minimum` is where its lowest
    value lies."""

    f: object
    grad: object
    dim: int
    limits: tuple
    start: tuple
    minimum: tuple


SURFACES = {
    "double_well": Surface(
        double_well,
        double_well_grad,
        1,
        ((-2.0, 2.0), (-0.6, 3.2)),
        (1.5,),
        (DOUBLE_WELL_MINIMA[0],),
    ),
    "elongated_bowl": Surface(
        elongated_bowl, elongated_bowl_grad, 2, ((-3.0, 3.0), (-1.5, 1.5)), (-2.5, 1.0), (0, 0)
    ),
    "rosenbrock": Surface(
        rosenbrock, rosenbrock_grad, 2, ((-2.0, 2.0), (-1.0, 3.0)), (-1.5, 2.0), (1.0, 1.0)
    ),
    "two_minima": Surface(
        two_minima,
        two_minima_grad,
        2,
        ((-2.0, 2.0), (-1.5, 1.5)),
        (0.05, 1.2),
        (DOUBLE_WELL_MINIMA[0], 0.0),
    ),
}


def plot_descent(name, paths, ax=None, labels=None, colours=None, markers=None):
    """Draw the surface `name` of `SURFACES` and the gradient-descent `paths` on it.

    A 1-D surface is drawn as its curve with each path's points on it; a 2-D surface as
    contour lines with each path as a line of dots (a square marks the start, a star the
    minimum). Each path is an array of points as `nnlib.optim.minimize` returns it; a run
    that diverged is drawn until it leaves the picture. Paths differ in colour (`colours`)
    and in the shape of their dots (`markers`, by default `nnlib.plot.CLASS_MARKERS`), so
    that they can be told apart without colour. Returns the axes.
    """
    import matplotlib.pyplot as plt

    from nnlib.plot import CLASS_COLOURS, CLASS_MARKERS

    func = "plot_descent"
    surface = SURFACES[choice(func, "name", name, SURFACES, what="surface")]
    if not isinstance(paths, list | tuple):  # an empty list draws the surface alone
        raise TypeError(
            f"{func}: paths must be a list of paths (arrays of points, as minimize returns "
            f"them), got {describe(paths)}"
        )
    paths = [_path(func, index, path, surface) for index, path in enumerate(paths)]
    if labels is not None and not isinstance(labels, list | tuple):
        raise TypeError(f"{func}: labels must be a list of labels, got {describe(labels)}")
    if labels is not None and len(labels) != len(paths):
        raise ValueError(
            f"{func}: labels must be a list with one label per path ({len(paths)}), got "
            f"{describe(labels)}"
        )
    if colours is not None and (not isinstance(colours, list | tuple) or len(colours) == 0):
        raise TypeError(
            f"{func}: colours must be a non-empty list of colours, got {describe(colours)}"
        )
    if markers is not None and (not isinstance(markers, list | tuple) or len(markers) == 0):
        raise TypeError(
            f"{func}: markers must be a non-empty list of marker shapes, got {describe(markers)}"
        )
    ax = axes_or_none(func, "ax", ax)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4))
    labels = [None] * len(paths) if labels is None else labels
    colours = CLASS_COLOURS if colours is None else colours
    markers = CLASS_MARKERS if markers is None else markers
    (x_low, x_high), (y_low, y_high) = surface.limits
    if surface.dim == 1:
        grid = np.linspace(x_low, x_high, 400)
        ax.plot(grid, surface.f(grid), color="0.3", linewidth=1.5)
        ax.set_ylabel("$f(x)$")
    else:
        X, Y = np.meshgrid(np.linspace(x_low, x_high, 200), np.linspace(y_low, y_high, 200))
        Z = surface.f(np.stack([X, Y], axis=-1))
        levels = np.quantile(Z, np.linspace(0, 1, 22) ** 2)[1:]  # denser near the bottom
        ax.contour(
            X, Y, Z, levels=np.unique(levels), colors="0.6", linewidths=0.8, linestyles="solid"
        )
        ax.plot(*surface.minimum, marker="*", color="black", markersize=12, linestyle="none")
        ax.set_ylabel("$y$")
    ax.set_xlabel("$x$")
    ax.set_xlim(x_low, x_high)
    ax.set_ylim(y_low, y_high)  # a diverging run flies off the picture
    for index, (path, label) in enumerate(zip(paths, labels, strict=True)):
        colour = colours[index % len(colours)]
        path = _inside(path, surface)
        if surface.dim == 1:
            with np.errstate(all="ignore"):
                path = np.column_stack([path[:, 0], surface.f(path[:, 0])])
        style = dict(color=colour, linewidth=1, alpha=0.85)
        marker = markers[index % len(markers)]
        ax.plot(path[:, 0], path[:, 1], marker=marker, markersize=3.5, label=label, **style)
        ax.plot(*path[0], "s", markersize=7, markeredgecolor="black", **style)
    return ax


def _path(func, index, path, surface):
    """One path as a float array of points of the surface's dimension (NaN and inf allowed:
    a run that diverged)."""
    path = np.asarray(as_array(func, f"paths[{index}]", path, finite=False), dtype=float)
    points = path.size // surface.dim if surface.dim else 0
    ok_shape = path.ndim >= 1 and path.size > 0 and path.size == points * surface.dim
    if surface.dim == 2:
        ok_shape = ok_shape and path.ndim == 2 and path.shape[1] == 2
    elif ok_shape:
        ok_shape = path.ndim == 1 or (path.ndim == 2 and path.shape[1] == 1)
    if not ok_shape:
        expected = "(steps + 1,)" if surface.dim == 1 else "(steps + 1, 2)"
        raise ValueError(
            f"{func}: paths[{index}] must be an array of points of shape {expected} for this "
            f"{surface.dim}-D surface, got shape {path.shape}"
        )
    return path


def _inside(path, surface):
    """The points of a path up to the first one that leaves a wide margin around the
    window (or is not finite): a diverging run is drawn until it flies off."""
    path = path.reshape(len(path), surface.dim)
    ranges = np.array(surface.limits[: surface.dim])
    margin = ranges[:, 1] - ranges[:, 0]
    low, high = ranges[:, 0] - margin, ranges[:, 1] + margin
    with np.errstate(invalid="ignore"):
        ok = np.all(np.isfinite(path) & (path >= low) & (path <= high), axis=1)
    stop = len(path) if ok.all() else int(np.argmin(ok))
    return path[: max(stop, 1)]
