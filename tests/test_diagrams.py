"""nnlib.diagrams: one circle per unit, one line per connection."""

import matplotlib.pyplot as plt
import pytest

from nnlib.diagrams import draw_network
from nnlib.model import count_parameters, init_mlp


def test_one_circle_per_unit_and_one_line_per_weight():
    sizes = [3, 4, 4, 1]
    ax = draw_network(sizes)
    assert len(ax.patches) == sum(sizes)
    assert len(ax.lines) == count_parameters(sizes)[0]
    plt.close("all")


def test_weights_set_line_widths():
    params = init_mlp([2, 3, 1], seed=0)
    ax = draw_network([2, 3, 1], weights=[p["W"] for p in params])
    widths = [line.get_linewidth() for line in ax.lines]
    assert max(widths) > min(widths)
    plt.close("all")


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="draw_network: sizes must list at least two"):
        draw_network([4])


def test_draw_graph_shows_every_node_value_and_gradient():
    from matplotlib.patches import Circle, FancyArrowPatch

    from nnlib.diagrams import draw_graph

    nodes = {"x": (0, 2), "y": (0, 1), "z": (0, 0), "q": (1.5, 1.5, "+"), "f": (3, 0.7, "×")}
    edges = [("x", "q"), ("y", "q"), ("q", "f"), ("z", "f")]
    values = {"x": -2, "y": 5, "z": -4, "q": 3, "f": -12}
    grads = {"x": -4, "y": -4, "z": 3, "q": -4, "f": 1}
    ax = draw_graph(nodes, edges, values=values, grads=grads)
    assert sum(isinstance(p, Circle) for p in ax.patches) == len(nodes)
    # One arrow per edge, plus the arrow that carries the output out of the graph.
    assert sum(isinstance(p, FancyArrowPatch) for p in ax.patches) == len(edges) + 1
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("\u22124") == 4  # ∂f/∂x, ∂f/∂y, ∂f/∂q and the value of z
    assert "\u221212" in texts and "3" in texts and "1" in texts and "+" in texts
    plt.close("all")


def test_draw_graph_refuses_unknown_names():
    from nnlib.diagrams import draw_graph

    with pytest.raises(ValueError, match="draw_graph: each edge in edges must be a pair"):
        draw_graph({"a": (0, 0)}, [("a", "b")])
    with pytest.raises(ValueError, match="draw_graph: grads names nodes that are not in nodes"):
        draw_graph({"a": (0, 0)}, [], grads={"c": 1.0})
    with pytest.raises(ValueError, match=r"draw_graph: nodes\['a'\] must be \(x, y\)"):
        draw_graph({"a": (0,)}, [])
    plt.close("all")
