"""nnlib.surfaces: every gradient agrees with finite differences; the landmarks the chapter
names (minima, saddle, curvatures) are where the docstrings say."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from conftest import assert_close
from hypothesis import given
from hypothesis import strategies as st

from nnlib import surfaces
from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.optim import minimize, sgd
from nnlib.surfaces import SURFACES

coordinate = st.floats(-2.5, 2.5, allow_nan=False, width=64)


@pytest.mark.parametrize("name", list(SURFACES))
@given(x=coordinate, y=coordinate)
def test_gradient_matches_finite_differences(name, x, y):
    surface = SURFACES[name]
    point = np.array(x) if surface.dim == 1 else np.array([x, y])
    analytic = surface.grad(point)
    numeric = numerical_gradient(surface.f, point)
    assert analytic.shape == point.shape
    assert relative_error(analytic, numeric) < 1e-7 or np.allclose(analytic, numeric, atol=1e-6)


@pytest.mark.parametrize("name", list(SURFACES))
def test_grid_of_points_at_once(name):
    surface = SURFACES[name]
    rng = np.random.default_rng(0)
    if surface.dim == 1:
        grid = rng.uniform(-2, 2, size=(3, 4))
        one_by_one = np.array([[surface.f(v) for v in row] for row in grid])
        assert_close(surface.f(grid), one_by_one, what=f"{name} on a grid")
        assert surface.grad(grid).shape == grid.shape
    else:
        grid = rng.uniform(-2, 2, size=(3, 4, 2))
        one_by_one = np.array([[surface.f(p) for p in row] for row in grid])
        assert_close(surface.f(grid), one_by_one, what=f"{name} on a grid")
        assert_close(surface.grad(grid), np.array([[surface.grad(p) for p in row] for row in grid]))


@pytest.mark.parametrize("name", list(SURFACES))
def test_the_named_minimum_is_the_lowest_point_of_the_window(name):
    surface = SURFACES[name]
    lows, highs = zip(*surface.limits[: surface.dim], strict=True)
    axes = [np.linspace(lo, hi, 301) for lo, hi in zip(lows, highs, strict=True)]
    if surface.dim == 1:
        values, best = surface.f(axes[0]), surface.f(surface.minimum[0])
        assert abs(surface.grad(surface.minimum[0])) < 1e-12
    else:
        grid = np.stack(np.meshgrid(*axes), axis=-1)
        values, best = surface.f(grid), surface.f(np.array(surface.minimum))
        assert np.abs(surface.grad(np.array(surface.minimum))).max() < 1e-12
    assert best <= values.min() + 1e-12


def test_double_well_has_a_poor_valley_and_a_hump():
    deep, poor = surfaces.DOUBLE_WELL_MINIMA
    assert deep == pytest.approx(-1.119, abs=1e-3) and poor == pytest.approx(0.894, abs=1e-3)
    assert surfaces.double_well(deep) < surfaces.double_well(poor)
    for x in (deep, poor, 0.0):
        assert abs(surfaces.double_well_grad(x)) < 1e-12
    second = numerical_gradient(surfaces.double_well_grad, np.array(0.0))
    assert second < 0  # x = 0 is a hump: gradient descent from x > 0 ends in the poor valley
    path = minimize(surfaces.double_well_grad, 0.5, sgd(0.01), steps=2000)
    assert path[-1] == pytest.approx(poor, abs=1e-6)


def test_two_minima_has_a_saddle_at_the_origin():
    hessian = np.array(
        [
            numerical_gradient(lambda p, i=i: surfaces.two_minima_grad(p)[i], np.zeros(2))
            for i in (0, 1)
        ]
    )
    eigenvalues = np.linalg.eigvalsh(hessian)
    assert eigenvalues[0] < 0 < eigenvalues[1]
    # On the line x = 0 the gradient has no x part, so descent slides into the saddle.
    path = minimize(surfaces.two_minima_grad, [0.0, 1.2], sgd(0.1), steps=200)
    assert np.linalg.norm(path[-1]) < 1e-8
    poor = (surfaces.DOUBLE_WELL_MINIMA[1], 0.0)
    assert surfaces.two_minima(np.array(poor)) > surfaces.two_minima(
        np.array(SURFACES["two_minima"].minimum)
    )


def test_bowl_curvatures_set_the_largest_stable_rate():
    hessian = np.array(
        [
            numerical_gradient(lambda p, i=i: surfaces.elongated_bowl_grad(p)[i], np.ones(2))
            for i in (0, 1)
        ]
    )
    assert_close(hessian, np.diag(surfaces.BOWL_CURVATURES), atol=1e-6)
    limit = 2 / max(surfaces.BOWL_CURVATURES)
    start = SURFACES["elongated_bowl"].start
    assert (
        np.linalg.norm(minimize(surfaces.elongated_bowl_grad, start, sgd(0.98 * limit), 500)[-1])
        < 1e-3
    )
    assert (
        np.linalg.norm(minimize(surfaces.elongated_bowl_grad, start, sgd(1.02 * limit), 500)[-1])
        > 1e3
    )


def test_rosenbrock_minimum_at_one_one():
    assert surfaces.rosenbrock(np.ones(2)) == 0
    assert_close(surfaces.rosenbrock_grad(np.ones(2)), np.zeros(2))


@pytest.mark.parametrize(
    "func", [surfaces.elongated_bowl, surfaces.rosenbrock_grad, surfaces.two_minima]
)
@pytest.mark.parametrize("bad", [1.0, np.zeros(3), np.zeros((4, 1))])
def test_two_d_surfaces_name_themselves_when_given_the_wrong_shape(func, bad):
    with pytest.raises(ValueError, match=f"{func.__name__}: x must hold two coordinates"):
        func(bad)


def test_one_d_surface_refuses_text():
    with pytest.raises(TypeError, match="double_well: x must be a number"):
        surfaces.double_well("one")


@pytest.mark.parametrize("name", list(SURFACES))
def test_plot_descent_draws_a_converging_and_a_diverging_path(name):
    surface = SURFACES[name]
    with np.errstate(all="ignore"):
        good = minimize(surface.grad, surface.start, sgd(1e-3), steps=5)
        bad = minimize(surface.grad, surface.start, sgd(5.0), steps=20)
    ax = surfaces.plot_descent(name, [good, bad], labels=["small", "huge"])
    assert len(ax.lines) >= 4  # two paths, two start markers
    assert all(np.all(np.isfinite(line.get_xydata())) for line in ax.lines[-4:])
    plt.close("all")


def test_plot_descent_tells_paths_apart_by_the_shape_of_their_dots_too():
    paths = [np.array([[0.0, 0.0], [0.5, 0.5]]), np.array([[1.0, 1.0], [0.5, 0.0]])]
    ax = surfaces.plot_descent("rosenbrock", paths, labels=["a", "b"])
    shapes = {line.get_label(): line.get_marker() for line in ax.lines}
    assert shapes["a"] != shapes["b"]  # greyscale still tells them apart
    ax = surfaces.plot_descent("rosenbrock", paths, labels=["a", "b"], markers=["x", "x"])
    assert {line.get_label(): line.get_marker() for line in ax.lines}["b"] == "x"
    plt.close("all")


def test_a_diverged_point_gives_nan_back_instead_of_an_error():
    # minimize's path of a diverging run holds inf and NaN, and the chapters evaluate it.
    with np.errstate(invalid="ignore"):
        values = surfaces.rosenbrock(np.array([[np.inf, 1.0], [np.nan, 0.0]]))
    assert not np.isfinite(values).any()
