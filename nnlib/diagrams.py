"""Diagrams of networks: units as circles in columns, connections as lines; and
computational graphs with their forward values and gradients.

Used in: Multi-layer perceptrons (chapters/03_mlp) and later chapters.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, Patch

from nnlib._validate import (
    as_array,
    as_scalar,
    axes_or_none,
    describe,
    flag,
    layer_sizes,
    positive,
)

LAYER_COLOURS = {"input": "#56B4E9", "hidden": "#E69F00", "output": "#009E73"}


def draw_network(sizes, ax=None, weights=None, layer_names=None, unit_labels=True):
    """Draw a fully connected feedforward network with layer widths `sizes` (input first).

    Every unit of one layer connects to every unit of the next, and to nothing else: no
    loops, no skipped layers. With `weights` (a list of (n_in, n_out) arrays, e.g. from
    `init_mlp`), line width shows |weight| and colour its sign (blue +, red −).
    Returns the axes.
    """
    func = "draw_network"
    sizes = layer_sizes(func, sizes)
    ax = axes_or_none(func, "ax", ax)
    if weights is not None:
        weights = _layer_weights(func, weights, sizes)
    if layer_names is not None and not isinstance(layer_names, list | tuple):
        raise TypeError(
            f"{func}: layer_names must be a list of captions, got {describe(layer_names)}"
        )
    if layer_names is not None and len(layer_names) != len(sizes):
        raise ValueError(
            f"{func}: layer_names must be a list of {len(sizes)} captions, one per layer, got "
            f"{describe(layer_names)}"
        )
    unit_labels = flag(func, "unit_labels", unit_labels)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.6 * len(sizes) + 1, 0.8 * max(sizes) + 1.2))
    gap = 1.8  # horizontal distance between layers, in units of the vertical spacing
    positions = [
        [(gap * col, (n - 1) / 2 - row) for row in range(n)] for col, n in enumerate(sizes)
    ]
    for layer, (left, right) in enumerate(zip(positions[:-1], positions[1:], strict=True)):
        W = None if weights is None else np.asarray(weights[layer])
        scale = 1.0 if W is None else max(np.abs(W).max(), 1e-12)
        for i, (x0, y0) in enumerate(left):
            for j, (x1, y1) in enumerate(right):
                if W is None:
                    style = dict(color="0.55", linewidth=0.8)
                else:
                    style = dict(
                        color="#0072B2" if W[i, j] >= 0 else "#D55E00",
                        linewidth=0.3 + 3 * abs(W[i, j]) / scale,
                    )
                ax.plot([x0, x1], [y0, y1], zorder=1, **style)
    for col, layer_positions in enumerate(positions):
        kind = "input" if col == 0 else "output" if col == len(sizes) - 1 else "hidden"
        for row, (x, y) in enumerate(layer_positions):
            ax.add_patch(plt.Circle((x, y), 0.22, color=LAYER_COLOURS[kind], ec="black", zorder=2))
            if unit_labels:
                name = f"$x_{row + 1}$" if col == 0 else f"$a^{{[{col}]}}_{row + 1}$"
                ax.text(x, y, name, ha="center", va="center", fontsize=8, zorder=3)
        if layer_names is None:
            caption = "input" if col == 0 else f"layer {col}\n({kind})"
        else:
            caption = layer_names[col]
        ax.text(gap * col, -(max(sizes) - 1) / 2 - 0.5, caption, ha="center", va="top", fontsize=9)
    ax.set_xlim(-0.6, gap * (len(sizes) - 1) + 0.6)
    ax.set_ylim(-(max(sizes) - 1) / 2 - 1.2, (max(sizes) - 1) / 2 + 0.5)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def _layer_weights(func, weights, sizes):
    """One (n_in, n_out) weight array per pair of neighbouring layers."""
    if not isinstance(weights, list | tuple):
        raise TypeError(
            f"{func}: weights must be a list of weight arrays, got {describe(weights)}"
        )
    if len(weights) != len(sizes) - 1:
        raise ValueError(
            f"{func}: weights must be a list of {len(sizes) - 1} weight arrays, one per layer "
            f"after the input, got {describe(weights)}"
        )
    checked = []
    for index, W in enumerate(weights):
        W = as_array(func, f"weights[{index}]", W)
        if W.shape != (sizes[index], sizes[index + 1]):
            raise ValueError(
                f"{func}: weights[{index}] must have shape {(sizes[index], sizes[index + 1])} "
                f"for the layer widths {sizes}, got {W.shape}"
            )
        checked.append(W)
    return checked


GRAPH_COLOURS = {"value": "#0072B2", "grad": "#D55E00"}


def draw_graph(
    nodes, edges, values=None, grads=None, ax=None, radius=0.28, fmt="{:g}", fontsize=10
):
    """Draw a computational graph with its forward values and backward gradients.

    `nodes` maps each name to `(x, y)` for an input or `(x, y, op)` for an operation, where
    `op` is a short symbol ("+", "×", "σ"). An input's circle shows its name; an operation's
    circle shows its symbol, with its name beneath. `edges` lists `(source, target)` pairs:
    the value of `source` flows into `target`. `values[name]`, the forward value of a node,
    is written in blue above every arrow that leaves it; `grads[name]`, the gradient of the
    output with respect to that node, in red below. A node that feeds nothing (the output)
    gets an arrow out of the graph that carries its value and gradient. `radius` is the
    size of a node in data units, `fmt` formats the numbers. Returns the axes.

    Used in: Backpropagation (chapters/07_backprop).
    """
    func = "draw_graph"
    spec = _graph_nodes(nodes)
    if not isinstance(edges, list | tuple):
        raise TypeError(
            f"{func}: edges must be a list of pairs (source, target), got {describe(edges)}"
        )
    for edge in edges:
        if not isinstance(edge, list | tuple):
            raise ValueError(
                f"draw_graph: each edge in edges must be a pair (source, target) of names in "
                f"nodes {sorted(spec)}, got {edge!r}"
            )
    edges = [tuple(edge) for edge in edges]
    for edge in edges:
        if len(edge) != 2 or edge[0] not in spec or edge[1] not in spec:
            raise ValueError(
                f"draw_graph: each edge in edges must be a pair (source, target) of names in "
                f"nodes {sorted(spec)}, got {edge!r}"
            )
    values = _node_numbers(func, "values", values, spec)
    grads = _node_numbers(func, "grads", grads, spec)
    radius = positive(func, "radius", radius)
    fontsize = positive(func, "fontsize", fontsize)
    if not isinstance(fmt, str):
        raise TypeError(f"{func}: fmt must be a format string like '{{:g}}', got {describe(fmt)}")
    try:
        fmt.format(1.5)
    except (IndexError, KeyError, ValueError):
        raise ValueError(
            f"{func}: fmt must be a format string with one field for a number, like '{{:.2f}}', "
            f"got {fmt!r}"
        ) from None
    ax = axes_or_none(func, "ax", ax)

    xs = [x for x, _, _ in spec.values()]
    ys = [y for _, y, _ in spec.values()]
    if ax is None:
        width, height = max(xs) - min(xs) + 2.2, max(ys) - min(ys) + 1.4
        _, ax = plt.subplots(figsize=(1.6 * width + 0.5, 1.6 * height + 0.5))

    feeds = {source for source, _ in edges}
    arrows = [(spec[s][:2], spec[t][:2], s, True) for s, t in edges]
    arrows += [
        (spec[n][:2], (spec[n][0] + radius + 1.5, spec[n][1]), n, False)
        for n in spec
        if n not in feeds
    ]
    for start, end, source, into_node in arrows:
        (x0, y0), (x1, y1) = start, end
        length = np.hypot(x1 - x0, y1 - y0)
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        tail = (x0 + radius * ux, y0 + radius * uy)
        head = (x1 - radius * ux, y1 - radius * uy) if into_node else end
        ax.add_patch(
            FancyArrowPatch(tail, head, arrowstyle="-|>", mutation_scale=12, color="0.35", zorder=1)
        )
        nx, ny = (-uy, ux) if ux > 1e-9 or (abs(ux) <= 1e-9 and uy < 0) else (uy, -ux)
        # Labels sit a little before the middle, where arrows that meet at one node are
        # still apart.
        mx, my = 0.55 * tail[0] + 0.45 * head[0], 0.55 * tail[1] + 0.45 * head[1]
        for table, sign, colour in ((values, 1, "value"), (grads, -1, "grad")):
            if source in table:
                ax.annotate(
                    fmt.format(table[source]).replace("-", "\u2212"),
                    xy=(mx, my),
                    xytext=(sign * 8 * nx, sign * 8 * ny),  # points: the same gap at any size
                    textcoords="offset points",
                    ha="center",
                    va="center",
                    fontsize=fontsize,
                    color=GRAPH_COLOURS[colour],
                    fontweight="bold",
                    zorder=3,
                )

    for name, (x, y, op) in spec.items():
        kind = "input" if op is None else "hidden"
        ax.add_patch(Circle((x, y), radius, facecolor=LAYER_COLOURS[kind], ec="black", zorder=2))
        ax.text(x, y, name if op is None else op, ha="center", va="center", fontsize=11, zorder=3)
        if op is not None:
            ax.text(x, y - radius - 0.06, name, ha="center", va="top", fontsize=9, style="italic")

    handles = [
        Patch(color=GRAPH_COLOURS["value"], label="forward value (above an arrow)"),
        Patch(color=GRAPH_COLOURS["grad"], label="gradient of the output (below)"),
    ]
    if values or grads:
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, 0.02),
            ncol=2,
            fontsize=9,
            frameon=False,
        )
    ax.set_xlim(min(xs) - radius - 0.3, max(xs) + radius + 1.6)
    ax.set_ylim(min(ys) - 0.75, max(ys) + 0.55)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def _node_numbers(func, label, table, spec):
    """draw_graph's `values` or `grads`: {node name: finite number} for nodes of the graph."""
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise TypeError(
            f"{func}: {label} must be a dict {{node name: number}}, got {describe(table)}"
        )
    unknown = sorted(set(table) - set(spec), key=str)
    if unknown:
        raise ValueError(f"draw_graph: {label} names nodes that are not in nodes: {unknown}")
    for name, value in table.items():
        as_scalar(func, f"{label}[{name!r}]", value)  # checked; drawn as given (fmt decides)
    return dict(table)


def _graph_nodes(nodes):
    """{name: (x, y, op or None)} from draw_graph's `nodes`, with a clear error."""
    if not isinstance(nodes, dict):
        raise TypeError(
            f"draw_graph: nodes must be a dict {{name: (x, y) or (x, y, op)}}, got "
            f"{describe(nodes)}"
        )
    spec = {}
    for name, entry in nodes.items():
        entry = tuple(entry) if isinstance(entry, list | tuple) else (entry,)
        if len(entry) not in (2, 3):
            raise ValueError(
                f"draw_graph: nodes[{name!r}] must be (x, y) or (x, y, op), got {entry!r}"
            )
        try:
            x, y = float(entry[0]), float(entry[1])
            if not (np.isfinite(x) and np.isfinite(y)) or isinstance(entry[0], bool):
                raise ValueError
        except (TypeError, ValueError):
            raise ValueError(
                f"draw_graph: the position (x, y) of nodes[{name!r}] must be two finite "
                f"numbers, got {entry[:2]!r}"
            ) from None
        spec[name] = (x, y, entry[2] if len(entry) == 3 else None)
    if not spec:
        raise ValueError("draw_graph: nodes is empty; give at least one node")
    return spec
