"""Interactive demos for Jupyter (ipywidgets). Each has a static figure beside it in the book.

ipywidgets is imported inside each function, so the rest of nnlib works without it.

In the HTML book nothing runs behind the page, so a widget given a grid of control values
(`book_demo`) also carries its pictures for every point of that grid, drawn at build time
by the same function as in Jupyter, with a few lines of script (_static/demo.js) that
show the one the reader's controls pick. Jupyter shows the widget; the book's pages, which
prefer HTML, show that demo. The pictures are drawn only where the book is built or
tested (NNLIB_BOOK_DEMOS=1, which tasks.py sets), not in a student's notebook.
"""

from __future__ import annotations

import os

import matplotlib.pyplot as plt

from nnlib.data import GATES
from nnlib.plot import plot_gate_unit


def _in_kernel():
    """Whether this runs in IPython (Jupyter, the book's build), where a picture can show."""
    from IPython import get_ipython

    return get_ipython() is not None


_CAPTURED = None  # while book_demo draws its grid: the list its pictures go to


def _show(fig, what):
    """Show `fig` as a PNG with alt text for a screen reader: `what` the figure shows, then
    its panel titles, which carry the values of the controls and the results. In the book
    the widget's picture is this image; in Jupyter it looks the same as the inline plot."""
    import base64
    import html
    import io

    import matplotlib
    from IPython.display import HTML, display

    if _CAPTURED is None and not _in_kernel():  # a script or a test (as with plt.show())
        return
    titles = [t for ax in fig.axes for t in [ax.get_title()] if t]
    if fig._suptitle is not None:
        titles.insert(0, fig._suptitle.get_text())
    alt = " ".join([what, *("; ".join(t.splitlines()) + "." for t in titles)])
    buffer = io.BytesIO()
    # A book demo's pictures at 80 dpi: about the text column's width, and half the pixels
    # to draw and to send for each of its many pictures.
    dpi = 80 if _CAPTURED is not None else "figure"
    fig.savefig(buffer, format="png", bbox_inches="tight", dpi=dpi)
    if _CAPTURED is not None:
        _CAPTURED.append((_palette_png(buffer), alt))
        plt.close(fig)
        return
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    display(HTML(f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'))
    if "inline" in matplotlib.get_backend():  # else the notebook would show it twice
        plt.close(fig)


def _palette_png(buffer):
    """A plot's PNG in `buffer` as base64 text, redrawn with a palette of 256 colours: a
    third to a fifth of the bytes, which a page of a hundred pictures needs, and no visible
    change to lines, text and shading."""
    import base64
    import io

    from PIL import Image

    buffer.seek(0)
    picture = Image.open(buffer).convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE)
    smaller = io.BytesIO()
    picture.save(smaller, format="PNG")
    return base64.b64encode(smaller.getvalue()).decode("ascii")


def book_demo(widget, grid, same=None, fill=None):
    """Give `widget` (an `ipywidgets.interactive`) its version for the book: its picture
    for every combination of the control values in `grid` (a dict, control name -> the
    values the book offers, in the widget's order), as an HTML bundle next to the widget.
    `same(values)` may map a combination to the one that draws the same picture (a value
    that does not matter there set to None), so that it is drawn once. `fill(values)` may
    set the controls the grid leaves out from those it holds, as the widget's own callbacks
    do in Jupyter (a new surface moves the starting point). Returns the widget, with the
    grid as its `book_grid` (what the page offers, for the prose that says so). Where
    NNLIB_BOOK_DEMOS is not 1, nothing is drawn."""
    widget.book_grid = grid
    if os.environ.get("NNLIB_BOOK_DEMOS") != "1":
        return widget
    html_text = _demo_html(widget, grid, same or _unchanged, fill or _unchanged)
    plain = widget._repr_mimebundle_

    def with_book_version(**kwargs):
        bundle = plain(**kwargs)
        return (
            ({**bundle[0], "text/html": html_text}, *bundle[1:])
            if isinstance(bundle, tuple)
            else {**bundle, "text/html": html_text}
        )

    widget._repr_mimebundle_ = with_book_version
    return widget


def _unchanged(values):
    return values


def _demo_html(widget, grid, same, fill):
    """The demo's HTML: a label and control per grid entry, the picture, and the frames as
    JSON (each picture once: combinations that draw the same picture share it)."""
    import hashlib
    import html
    import itertools
    import json

    names = list(grid)
    by_name = {c._kwarg: c for c in widget.kwargs_widgets}  # show()'s argument names
    start = {name: control.value for name, control in by_name.items()}
    jobs, drawn, keys = [], {}, {}  # the values to draw, canonical -> job, combination -> job
    for combo in itertools.product(*(range(len(grid[n])) for n in names)):
        picked = {n: grid[n][i] for n, i in zip(names, combo, strict=True)}
        values = fill({**start, **picked})
        canonical = repr(sorted(same(values).items()))
        if canonical not in drawn:
            drawn[canonical] = len(jobs)
            jobs.append(values)
        keys["-".join(map(str, combo))] = drawn[canonical]
    pictures, index, picture_of_job = [], {}, []
    for data, alt in _draw_all(widget.f, jobs):
        if data not in index:
            index[data] = len(pictures)
            pictures.append([data, alt])
        picture_of_job.append(index[data])
    keys = {key: picture_of_job[job] for key, job in keys.items()}
    chosen = [
        min(range(len(grid[n])), key=lambda i, n=n: _distance(grid[n][i], start[n])) for n in names
    ]
    frames = json.dumps({"keys": keys, "pictures": pictures}, separators=(",", ":"))
    tag = hashlib.sha1(frames.encode()).hexdigest()[:10]  # the same on every run
    rows = []
    for position, (name, at) in enumerate(zip(names, chosen, strict=True)):
        values, element_id = grid[name], f"nnlib-demo-{tag}-{position}"
        if all(isinstance(v, str) for v in values):
            options = "".join(
                f'<option value="{i}"{" selected" if i == at else ""}>{html.escape(v)}</option>'
                for i, v in enumerate(values)
            )
            control = f'<select id="{element_id}">{options}</select>'
        else:
            labels = html.escape(json.dumps([f"{v:g}" for v in values]))
            control = (
                f'<input type="range" id="{element_id}" min="0" max="{len(values) - 1}" '
                f'step="1" value="{at}" data-labels=\'{labels}\'>'
                f'<output for="{element_id}">{values[at]:g}</output>'
            )
        label = html.escape(by_name[name].description or name)
        rows.append(
            f'<div class="nnlib-demo-control"><label for="{element_id}">{label}</label>'
            f"{control}</div>"
        )
    data, alt = pictures[keys["-".join(map(str, chosen))]]
    return (
        '<div class="nnlib-demo">'
        + "".join(rows)
        + f'<img class="nnlib-demo-picture" alt="{html.escape(alt)}" '
        f'src="data:image/png;base64,{data}">'
        f'<script type="application/json" class="nnlib-demo-frames">{frames}</script>'
        "</div>"
    )


def _draw_all(draw, jobs):
    """The picture and alt text that `draw(**values)` shows for each `values` of `jobs`.

    Where this process may run on several cores (the book's build runs one notebook at a
    time), the pictures are split among as many forked processes; where it has one (a test
    worker's share), they are drawn here, one after the other. So they are too where JAX is
    loaded: forking a process while JAX's threads run can deadlock."""
    import sys

    global _CAPTURED, _JOBS
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    if cores < 2 or len(jobs) < 8 or "jax" in sys.modules:
        _CAPTURED = []
        try:
            return [_draw_one(draw, values) for values in jobs]
        finally:
            _CAPTURED = None
    import multiprocessing

    _JOBS = (draw, jobs)
    try:
        with multiprocessing.get_context("fork").Pool(min(cores, 4)) as pool:
            return pool.map(_draw_job, range(len(jobs)), chunksize=1)
    finally:
        _JOBS = None


_JOBS = None  # while _draw_all's forked processes run: the drawing function and its values


def _draw_one(draw, values):
    draw(**values)
    return _CAPTURED.pop()


def _draw_job(number):
    """In a forked process: draw job `number` of _JOBS. Nothing it prints may reach the
    notebook's output, whose connection belongs to the parent process."""
    import io
    import sys
    import warnings

    global _CAPTURED
    sys.stdout = sys.stderr = io.StringIO()
    warnings.simplefilter("ignore")
    _CAPTURED = []
    draw, jobs = _JOBS
    return _draw_one(draw, jobs[number])


def _distance(a, b):
    return 0 if a == b else (abs(a - b) if not isinstance(a, str) else 1)


def decision_line_explorer(gate="AND", w1=1.0, w2=1.0, b=-1.5):
    """Sliders for w1, w2 and b that redraw the unit's decision line over a gate's points.

    The shaded side is where `w1 x1 + w2 x2 + b >= 0`, so the unit outputs 1.
    """
    import ipywidgets as widgets

    def show(gate, w1, w2, b):
        fig, ax = plt.subplots(figsize=(4.2, 4.2))
        plot_gate_unit(gate, [w1, w2], b, ax=ax)
        ax.legend(loc="upper right", fontsize=8)
        _show(
            fig,
            "The gate's four input points, circles for output 0 and triangles for output 1, "
            "and the unit's decision line; the shaded side is where the unit outputs 1.",
        )

    slider = dict(min=-3.0, max=3.0, step=0.1, continuous_update=False)
    widget = widgets.interactive(
        show,
        gate=widgets.Dropdown(options=list(GATES), value=gate, description="gate"),
        w1=widgets.FloatSlider(value=w1, description="w1", **slider),
        w2=widgets.FloatSlider(value=w2, description="w2", **slider),
        b=widgets.FloatSlider(value=b, description="b", **slider),
    )
    # The book's version: weights of ±1 and five biases hold a unit for every gate that one
    # unit can compute (AND, OR, NAND, NOR, "x1 and not x2", ...), and show XOR as the one
    # that no setting gets right.
    weights = [-1.0, 1.0]
    return book_demo(
        widget,
        {"gate": list(GATES), "w1": weights, "w2": weights, "b": [-2.5, -1.5, -0.5, 0.5, 1.5]},
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
        leak = f" (leaky ReLU slope α = {alpha:g})" if "leaky_relu" in (first, second) else ""
        _show(
            fig,
            f"Left: {first} (solid) and {second} (dashed) for z from {-z_max:g} to "
            f"{z_max:g}{leak}. Right: their derivatives, the slopes that backpropagation "
            "multiplies by.",
        )

    names = list(ACTIVATIONS)
    widget = widgets.interactive(
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
    # The book's version: every pair of activations, two slopes α, two ranges of z. The
    # slope only matters to a pair with a Leaky ReLU in it.
    return book_demo(
        widget,
        {"first": names, "second": names, "alpha": [0.1, 0.3], "z_max": [6.0, 12.0]},
        same=lambda v: {
            **v,
            "alpha": v["alpha"] if "leaky_relu" in (v["first"], v["second"]) else None,
        },
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
        _show(
            fig,
            f"The {dataset} points (noise {noise:g}), two classes drawn as circles and "
            "triangles, on the plane shaded by the class the trained network predicts.",
        )

    widget = widgets.interactive(
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
    # The book's version: every dataset, one, two or eight hidden units, and a bent
    # activation of each kind beside the straight one that cannot bend the boundary.
    return book_demo(
        widget,
        {
            "dataset": list(TOY_DATASETS),
            "hidden": [1, 2, 8],
            "activation": ["tanh", "relu", "identity"],
        },
    )


def descent_explorer(surface="double_well", lr=0.1, x0=None, y0=None, steps=30):
    """A choice of loss surface (`nnlib.surfaces.SURFACES`, 1-D and 2-D), a slider for the
    learning rate α and two for the starting point: redraws the path of gradient descent,
    `x ← x − α ∇f(x)`, for `steps` steps (left) and the gap f(x_k) − f(x*) to the lowest
    value along the way (right). The y slider only matters on 2-D surfaces."""
    import ipywidgets as widgets
    import numpy as np

    from nnlib.optim import minimize, sgd
    from nnlib.surfaces import SURFACES, plot_descent

    def show(surface, lr, x0, y0, steps):
        chosen = SURFACES[surface]
        start = [x0] if chosen.dim == 1 else [x0, y0]
        with np.errstate(all="ignore"):
            path = minimize(chosen.grad, start, sgd(lr), steps).reshape(steps + 1, chosen.dim)
            points = path if chosen.dim == 2 else path[:, 0]
            lowest = chosen.f(np.array(chosen.minimum if chosen.dim == 2 else chosen.minimum[0]))
            values = chosen.f(points)
        gap = values - lowest
        fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.8))
        plot_descent(surface, [path], ax=left)
        finite = np.isfinite(gap) & (np.abs(path).max(axis=1) < 1e6)
        if finite.all():
            status = f"after {steps} steps f = {float(values[-1]):.4g}"
        else:
            status = f"diverged: thrown out at step {int(np.argmin(finite))}"
        left.set_title(f"{surface}, α = {lr:.3g}\n{status}", fontsize=10)
        right.semilogy(np.flatnonzero(finite), np.maximum(gap[finite], 1e-16), "o-", markersize=3)
        right.set_xlim(0, steps)
        right.set_xlabel("step k")
        right.set_ylabel("f(x_k) − lowest value")
        right.set_title("distance to the lowest value (log scale)", fontsize=10)
        fig.tight_layout()
        where = f"{x0:g}" if chosen.dim == 1 else f"({x0:g}, {y0:g})"
        _show(
            fig,
            f"Left: the path of {steps} steps of gradient descent on the {surface} surface "
            f"from {where}. Right: how far f is above its lowest value at each step, on a "
            "log scale.",
        )

    names = list(SURFACES)
    first = SURFACES[surface]
    coordinate = dict(min=-3.0, max=3.0, step=0.05, continuous_update=False)
    choice = widgets.Dropdown(options=names, value=surface, description="surface")
    x_slider = widgets.FloatSlider(
        value=first.start[0] if x0 is None else x0, description="start x", **coordinate
    )
    y_slider = widgets.FloatSlider(
        value=(first.start[-1] if first.dim == 2 else 0.0) if y0 is None else y0,
        description="start y",
        disabled=first.dim == 1,
        **coordinate,
    )

    def move_to_start(change):
        # A new surface starts from its own typical point; y means nothing in 1-D.
        chosen = SURFACES[change["new"]]
        y_slider.disabled = chosen.dim == 1
        x_slider.value = chosen.start[0]
        if chosen.dim == 2:
            y_slider.value = chosen.start[1]

    choice.observe(move_to_start, names="value")
    widget = widgets.interactive(
        show,
        surface=choice,
        lr=widgets.FloatLogSlider(
            value=lr, base=10, min=-4, max=0, step=0.05, description="α", continuous_update=False
        ),
        x0=x_slider,
        y0=y_slider,
        steps=widgets.IntSlider(
            value=steps, min=1, max=200, description="steps", continuous_update=False
        ),
    )

    def from_its_start(values):  # as move_to_start does in Jupyter
        chosen = SURFACES[values["surface"]]
        return {**values, "x0": chosen.start[0], "y0": chosen.start[-1] if chosen.dim == 2 else 0}

    # The book's version: each surface from its own starting point, rates from crawling to
    # past the largest stable one, and a short and a long run.
    return book_demo(
        widget,
        {"surface": names, "lr": [0.001, 0.01, 0.1, 0.2, 0.3], "steps": sorted({steps, 200})},
        fill=from_its_start,
    )


def penalty_explorer(penalty="L2", lam=3e-3, epochs=1500, n=80, noise=0.3, seed=0):
    """A menu of weight penalties (none, L2, L1, elastic net) and a slider for their strength
    λ: a 2-20-2 tanh network is retrained with full-batch Adam on `n` noisy moons, adding
    λ ∂R/∂W to every weight gradient (never to the biases), and the plane is coloured by
    the class it predicts; the title gives the training and the validation accuracy (500
    fresh points from seed + 1)."""
    import ipywidgets as widgets
    import numpy as np

    from nnlib.data import make_moons
    from nnlib.losses import softmax_cross_entropy_grad
    from nnlib.model import init_mlp, mlp_backward, mlp_forward
    from nnlib.optim import adam, apply_updates
    from nnlib.plot import plot_decision_regions
    from nnlib.regularization import elastic_net_grad, l1_grad, l2_grad

    penalties = {"none": None, "L2": l2_grad, "L1": l1_grad, "elastic net": elastic_net_grad}
    X, y = make_moons(n=n, noise=noise, seed=seed)
    X_val, y_val = make_moons(n=500, noise=noise, seed=seed + 1)

    def predict(params, P):
        return np.argmax(mlp_forward(params, P, activation="tanh")[0], axis=1)

    def show(penalty, lam):
        grad_of = penalties[penalty]
        params = init_mlp([2, 20, 2], seed=seed)
        optimizer = adam(0.02)
        state = optimizer.init(params)
        for _ in range(epochs):
            scores, caches = mlp_forward(params, X, activation="tanh")
            grads = mlp_backward(softmax_cross_entropy_grad(scores, y), caches)
            if grad_of is not None:
                for layer, grad in zip(params, grads, strict=True):
                    grad["W"] = grad["W"] + grad_of(layer["W"], lam)
            updates, state = optimizer.update(grads, state)
            params = apply_updates(params, updates)
        train_acc = np.mean(predict(params, X) == y)
        val_acc = np.mean(predict(params, X_val) == y_val)
        fig, ax = plt.subplots(figsize=(4.8, 4.8))
        plot_decision_regions(lambda P: predict(params, P), X, y, ax=ax)
        strength = "" if grad_of is None else f", λ = {lam:.2g}"
        ax.set_title(
            f"{penalty}{strength}\ntraining {train_acc:.0%}, validation {val_acc:.1%}",
            fontsize=10,
        )
        _show(
            fig,
            f"The {n} training moons, two classes drawn as circles and triangles, on the "
            "plane shaded by the class predicted by the network trained with this penalty.",
        )

    widget = widgets.interactive(
        show,
        penalty=widgets.Dropdown(options=list(penalties), value=penalty, description="penalty"),
        lam=widgets.FloatLogSlider(
            value=lam,
            base=10,
            min=-5,
            max=0,
            step=0.25,
            description="λ",
            continuous_update=False,
            readout_format=".2g",
        ),
    )
    # The book's version: each penalty at three strengths a decade apart, from hardly any
    # effect to a nearly straight boundary (without a penalty the strength does not matter:
    # one picture).
    return book_demo(
        widget,
        {"penalty": list(penalties), "lam": [1e-3, 1e-2, 1e-1]},
        same=lambda v: {**v, "lam": None if v["penalty"] == "none" else v["lam"]},
    )


def optimizer_race(surface="rosenbrock", steps=300, rates=None):
    """A race of the optimisers of `nnlib.optim` (sgd, momentum, adagrad, rmsprop, adam) on a
    surface of `nnlib.surfaces.SURFACES`, all from the surface's starting point for `steps`
    steps. A menu picks the surface, a slider (or the play button) the step k: the left
    panel draws every path up to step k, the right one each path's distance to the minimum
    along the way. One learning-rate slider per optimiser; `rates` (a dict by name) sets
    their first values, and choosing a surface resets them to rates that suit it."""
    import ipywidgets as widgets
    import numpy as np

    from nnlib import optim
    from nnlib.plot import CLASS_COLOURS, CLASS_MARKERS, LINE_STYLES
    from nnlib.surfaces import SURFACES, plot_descent

    names = ("sgd", "momentum", "adagrad", "rmsprop", "adam")
    suited = {
        "double_well": {"sgd": 0.05, "momentum": 0.2, "adagrad": 0.5, "rmsprop": 0.05, "adam": 0.1},
        "elongated_bowl": {
            "sgd": 0.1,
            "momentum": 0.3,
            "adagrad": 0.5,
            "rmsprop": 0.03,
            "adam": 0.1,
        },
        "rosenbrock": {
            "sgd": 0.0018,
            "momentum": 0.018,
            "adagrad": 1.0,
            "rmsprop": 0.18,
            "adam": 1.0,
        },
        "two_minima": {"sgd": 0.05, "momentum": 0.1, "adagrad": 0.5, "rmsprop": 0.03, "adam": 0.1},
    }
    fallback = {"sgd": 0.01, "momentum": 0.01, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.05}
    paths = {}  # the race for each (surface, rates): moving the step slider only redraws

    def race(surface, chosen_rates):
        key = (surface, chosen_rates)
        if key not in paths:
            if len(paths) > 50:
                paths.clear()
            chosen = SURFACES[surface]
            with np.errstate(all="ignore"):  # a rate that is too large overflows; drawn anyway
                paths[key] = [
                    optim.minimize(
                        chosen.grad, chosen.start, getattr(optim, name)(lr), steps
                    ).reshape(steps + 1, chosen.dim)
                    for name, lr in zip(names, chosen_rates, strict=True)
                ]
        return paths[key]

    def show(surface, step, **chosen_rates):
        lrs = tuple(chosen_rates[name] for name in names)
        race_paths = race(surface, lrs)
        minimum = np.array(SURFACES[surface].minimum, dtype=float)
        fig, (left, right) = plt.subplots(1, 2, figsize=(9.5, 4))
        labels = [f"{name}, α = {lr:.2g}" for name, lr in zip(names, lrs, strict=True)]
        plot_descent(
            surface,
            [path[: step + 1] for path in race_paths],
            ax=left,
            labels=labels,
            colours=CLASS_COLOURS,
        )
        left.set_title(f"{surface}: the paths up to step {step} of {steps}", fontsize=10)
        left.legend(fontsize=7, loc="lower left")
        styles = zip(race_paths, names, CLASS_COLOURS, CLASS_MARKERS, LINE_STYLES, strict=False)
        for path, name, colour, marker, dash in styles:
            with np.errstate(all="ignore"):
                distance = np.linalg.norm(path - minimum, axis=1)
            shown = np.isfinite(distance) & (distance < 1e6)
            k = np.arange(steps + 1)
            line = dict(color=colour, linestyle=dash)
            right.semilogy(k[shown], np.maximum(distance[shown], 1e-16), alpha=0.25, **line)
            now = shown & (k <= step)
            right.semilogy(
                k[now],
                np.maximum(distance[now], 1e-16),
                label=name,
                marker=marker,
                markevery=max(1, steps // 10),
                markersize=4,
                **line,
            )
        right.axvline(step, color="0.5", linewidth=0.8, linestyle="--")
        right.set_xlim(0, steps)
        right.set_xlabel("step k")
        right.set_ylabel("distance to the minimum")
        right.set_title("How close each one is (log scale)", fontsize=10)
        fig.tight_layout()
        _show(
            fig,
            f"Left: the paths of {', '.join(names)} on the {surface} surface up to step "
            f"{step}. Right: each one's distance to the minimum at every step, on a log "
            "scale.",
        )

    first = {**suited.get(surface, fallback), **(rates or {})}
    rate_sliders = {
        name: widgets.FloatLogSlider(
            value=first[name],
            base=10,
            min=-4,
            max=0.5,
            step=0.05,
            description=f"α {name}",
            continuous_update=False,
        )
        for name in names
    }
    choice = widgets.Dropdown(options=list(SURFACES), value=surface, description="surface")
    step_slider = widgets.IntSlider(
        value=steps, min=0, max=steps, description="step", continuous_update=False
    )

    def reset_rates(change):
        # Rates that suit one surface may crawl or blow up on another.
        for name, lr in suited.get(change["new"], fallback).items():
            rate_sliders[name].value = lr

    choice.observe(reset_rates, names="value")
    widget = widgets.interactive(show, surface=choice, step=step_slider, **rate_sliders)
    play = widgets.Play(
        value=0, min=0, max=steps, step=max(1, steps // 60), interval=250, description="play"
    )
    widgets.jslink((play, "value"), (step_slider, "value"))
    *controls, output = widget.children
    widget.children = (controls[0], widgets.HBox([play, controls[1]]), *controls[2:], output)

    def rates_for(values):  # as reset_rates does in Jupyter, the first surface as given
        if values["surface"] == surface:
            return values
        return {**values, **suited.get(values["surface"], fallback)}

    # The book's version: each surface with rates that suit it, at four moments of the race.
    moments = sorted({k for k in (10, 30, 100) if k < steps} | {steps})
    return book_demo(widget, {"surface": list(SURFACES), "step": moments}, fill=rates_for)
