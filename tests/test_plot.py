"""nnlib.plot and nnlib.widgets: the pictures draw what they claim."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnlib.data import logic_gate, make_blobs
from nnlib.plot import plot_decision_line, plot_decision_regions, plot_gate_unit, plot_points
from nnlib.widgets import decision_line_explorer


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_decision_line_lies_where_the_weighted_sum_is_zero():
    ax = plot_decision_line([1.0, 2.0], -1.0)
    (line,) = ax.lines
    x1, x2 = line.get_data()
    assert np.allclose(1.0 * np.asarray(x1) + 2.0 * np.asarray(x2) - 1.0, 0.0)


def test_vertical_line_when_the_second_weight_is_zero():
    ax = plot_decision_line([2.0, 0.0], -1.0)
    (line,) = ax.lines
    assert np.allclose(line.get_xdata(), 0.5)


def test_no_line_when_both_weights_are_zero():
    ax = plot_decision_line([0.0, 0.0], 1.0)
    assert len(ax.lines) == 0


def test_points_are_grouped_by_class():
    X, y = logic_gate("XOR")
    ax = plot_points(X, y, class_names=("zero", "one"))
    assert [c.get_label() for c in ax.collections] == ["zero", "one"]
    assert [len(c.get_offsets()) for c in ax.collections] == [2, 2]


def test_points_reject_a_label_vector_of_the_wrong_length():
    with pytest.raises(ValueError, match=r"plot_points: y must have shape \(4,\)"):
        plot_points(np.zeros((4, 2)), [0, 1])


def test_gate_unit_title_counts_the_points_right():
    ax = plot_gate_unit("AND", [1.0, 1.0], -0.5)  # this is OR: (0,1) and (1,0) are wrong
    assert "2/4 points right" in ax.get_title()
    ax = plot_gate_unit("AND", [1.0, 1.0], -1.5)
    assert "4/4 points right" in ax.get_title()


def test_decision_regions_colour_the_plane_by_the_predicted_class():
    X, y = make_blobs(n=40, seed=0)
    ax = plot_decision_regions(lambda P: (P.sum(axis=1) > 0).astype(int), X, y)
    assert len(ax.collections) >= 3  # the filled regions plus one scatter per class
    with pytest.raises(ValueError, match="give xlim and ylim"):
        plot_decision_regions(lambda P: P[:, 0] > 0)


def test_explorer_has_a_slider_for_each_parameter_and_redraws(widget_errors):
    widget = decision_line_explorer(gate="OR", w1=0.5, w2=0.5, b=-0.2)
    names = [getattr(child, "description", None) for child in widget.children]
    assert names[:4] == ["gate", "w1", "w2", "b"]
    drawn = len(plt.get_fignums())
    widget.children[3].value = -2.0  # moving a slider must run the drawing without error
    assert len(plt.get_fignums()) > drawn
    assert not widget_errors()


def test_activation_plot_draws_the_function_and_its_derivative():
    from nnlib.activations import sigmoid, sigmoid_derivative
    from nnlib.plot import plot_activation

    z = np.linspace(-3, 3, 7)
    ax_f, ax_d = plot_activation(sigmoid, sigmoid_derivative, z=z, label="sigmoid")
    assert np.allclose(ax_f.lines[0].get_ydata(), sigmoid(z))
    assert np.allclose(ax_d.lines[0].get_ydata(), sigmoid_derivative(z))
    assert ax_f.lines[0].get_label() == "sigmoid"
    with pytest.raises(ValueError, match="axes must be a pair"):
        plot_activation(sigmoid, sigmoid_derivative, axes=[ax_f])


def test_activation_explorer_has_menus_and_slope_slider_and_redraws(widget_errors):
    from nnlib.widgets import activation_explorer

    widget = activation_explorer(first="tanh", second="leaky_relu", alpha=0.2)
    names = [getattr(child, "description", None) for child in widget.children]
    assert names[:4] == ["first", "second", "leaky α", "z range"]
    assert widget.children[0].value == "tanh" and widget.children[2].value == 0.2
    widget.children[2].value = 0.05  # moving the slope slider must redraw without error
    widget.children[0].value = "step"
    assert not widget_errors()


def test_digit_grid_titles_say_true_and_predicted_and_colour_the_mistakes():
    from nnlib.plot import WRONG_COLOUR, plot_digits

    images = np.zeros((3, 784))
    images[1, :10] = 1.0
    axes = plot_digits(images, labels=[1, 2, 3], predictions=[1, 5, 3], confidences=[0.9, 0.5, 1])
    assert len(axes) == 3
    assert axes[1].get_title() == "true 2\npred 5 (50.0%)"
    assert axes[2].get_title() == "true 3\npred 3 (>99.9%)"
    assert axes[1].title.get_color() == WRONG_COLOUR and axes[0].title.get_color() == "black"
    assert np.array_equal(axes[1].images[0].get_array(), images[1].reshape(28, 28))
    labelled = plot_digits(np.zeros((12, 28, 28)), labels=np.arange(12) % 10, ncols=5)
    assert len(labelled) == 15 and labelled[11].get_title() == "1"
    assert not labelled[12].images  # spare axes stay empty
    with pytest.raises(ValueError, match=r"labels must have shape \(3,\)"):
        plot_digits(images, labels=[1, 2])
    with pytest.raises(ValueError, match="square number of pixels"):
        plot_digits(np.zeros((2, 10)))


def test_confusion_matrix_counts_true_rows_against_predicted_columns():
    from nnlib.plot import confusion_counts, plot_confusion_matrix

    true, predicted = [0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0]
    expected = np.array([[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert np.array_equal(confusion_counts(true, predicted, n_classes=3), expected)
    ax = plot_confusion_matrix(true, predicted, n_classes=3)
    written = {
        (round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts
    }
    assert written == {(0, 0): "1", (0, 1): "1", (1, 1): "1", (2, 0): "1", (2, 2): "2"}
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    with pytest.raises(ValueError, match=r"class indices 0\.\.2"):
        confusion_counts([0, 3], [0, 0], n_classes=3)
    with pytest.raises(ValueError, match="predicted must be a 1-D array of 2"):
        confusion_counts([0, 1], [0], n_classes=3)
