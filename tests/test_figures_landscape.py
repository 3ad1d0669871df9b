"""Landscape figures (colour bar, one marker per meaning) and AdamW's end point, by runs.

The figures are checked through their artists (axes, labels, markers), not their pixels.
AdamW is checked against what its update rule implies: at a zero gradient only the decay
acts, and at a finite step size the run hovers about its limit point, nearer for a smaller
step.
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from optimlab import plot_path, plot_rosenbrock, rosenbrock_path
from optimlab.landscape import MINIMUM, ROSENBROCK_LEVELS
from optimlab.plotting import plot_decay_points
from optimlab.weight_decay import adamw_limit_point, l2_minimiser


def legend_texts(ax):
    return [text.get_text() for text in ax.legend().get_texts()]


def test_contours_get_a_colour_bar_with_round_ticks_on_their_levels():
    ax = plot_rosenbrock(resolution=60)
    bar_axes = [other for other in ax.figure.axes if other is not ax]
    assert len(bar_axes) == 1
    (bar,) = bar_axes
    assert bar.get_ylabel() == "f(x, y)"
    levels = np.asarray(ax.collections[0].levels)
    ticks = bar.get_yticks()
    assert set(ticks) <= set(ROSENBROCK_LEVELS) and ticks.min() == 0 and ticks.max() <= levels[-1]
    assert [label.get_text() for label in bar.get_yticklabels()][:4] == ["0", "0.5", "1", "2"]
    # One equal slot per band: 2, the 21st of the breaks drawn, sits near the middle of
    # the bar, not at a thirtieth of its height as on a linear scale.
    ax.figure.canvas.draw()
    _, height = bar.transAxes.inverted().transform(bar.transData.transform((0.5, 2.0)))
    bands_below = np.searchsorted(levels, 2.0)
    assert height == pytest.approx(bands_below / (len(levels) - 1), abs=0.02)
    assert 2.0 / levels[-1] < 0.05 < 0.3 < height


def test_colour_bar_and_minimum_are_options():
    ax = plot_rosenbrock(resolution=60, colorbar=False)
    assert ax.figure.axes == [ax] and ax.get_lines() == []
    ax = plot_rosenbrock(resolution=60, colorbar=False, mark_minimum=True)
    (star,) = ax.get_lines()
    assert (star.get_xdata()[0], star.get_ydata()[0]) == MINIMUM
    assert star.get_marker() == "*" and star.get_label() == "minimum (1, 1)"
    assert star.get_markerfacecolor() == "gold"


def test_path_markers_start_circle_end_square_labelled_once():
    first = rosenbrock_path("momentum", 0.01, 30, momentum=0.9)
    second = rosenbrock_path("momentum", 0.01, 30, momentum=0.0)
    ax = plot_rosenbrock(resolution=60, colorbar=False, mark_minimum=True)
    plot_path(first, ax, label="beta 0.9")
    plot_path(second, ax, color="orange", label="beta 0")
    _, line, start, end, line_2, start_2, end_2 = ax.get_lines()
    assert (line.get_label(), line_2.get_label()) == ("beta 0.9", "beta 0")
    assert (start.get_marker(), end.get_marker()) == ("o", "s")
    assert (start_2.get_marker(), end_2.get_marker()) == ("o", "s")
    assert (start.get_xdata()[0], end.get_xdata()[0]) == (first.x[0], first.x[-1])
    assert (start_2.get_xdata()[0], end_2.get_xdata()[0]) == (second.x[0], second.x[-1])
    assert start.get_markerfacecolor() == start_2.get_markerfacecolor() == "white"
    assert end_2.get_markerfacecolor() == "orange"
    # Each meaning once in the legend, whatever the number of paths.
    assert legend_texts(ax) == ["minimum (1, 1)", "beta 0.9", "start", "end", "beta 0"]


def test_each_marker_has_one_meaning():
    path = rosenbrock_path("momentum", 0.01, 5, momentum=0.9)
    ax = plot_rosenbrock(resolution=60, colorbar=False, mark_minimum=True)
    plot_path(path, ax)
    plot_decay_points([l2_minimiser(0.5)], ax, annotate=False)
    star, _, start, end, decay = ax.get_lines()
    markers = [line.get_marker() for line in (star, start, end, decay)]
    assert markers == ["*", "o", "s", "D"]
    assert "x" not in markers and len(set(markers)) == 4


def test_adamw_at_a_zero_gradient_only_decays():
    # At (1, 1) the gradient is 0, so m = v = 0 and the step is the decay alone: a point
    # with g = 0 and theta != 0 is not a fixed point.
    lr, lam = 0.01, 0.5
    path = rosenbrock_path("adamw", lr, 3, weight_decay=lam, start=(1.0, 1.0))
    assert path.x[1] == pytest.approx(1 - lr * lam, abs=1e-7)
    assert path.y[1] == pytest.approx(1 - lr * lam, abs=1e-7)
    assert path.x[1] < 1 and path.value[1] > 0
    assert rosenbrock_path("adamw", lr, 3, weight_decay=0.0, start=(1.0, 1.0)).end == (1.0, 1.0)


def hover_distance(points, limit):
    return np.hypot(points[:, 0] - limit.x, points[:, 1] - limit.y).mean()


def test_adamw_pins_x_to_the_box_edge_and_y_hovers():
    lam = 3.0
    path = rosenbrock_path("adamw", 0.01, 3000, momentum=0.9, beta2=0.99, weight_decay=lam)
    x, y = path.x[-500:], path.y[-500:]
    assert np.abs(lam * x - 1).max() < 1e-3  # on the edge x = 1 / lambda
    # y never comes to rest: its steps keep changing direction.
    turns = (np.diff(np.sign(np.diff(y))) != 0).mean()
    assert turns > 1 / 3 and np.ptp(y) > 1e-4
    assert abs(y.mean() - (1 / lam) ** 2) < 1e-3


@pytest.mark.parametrize("lam", [0.3, 3.0])
def test_adamw_hovers_nearer_its_limit_point_at_a_smaller_lr(lam):
    limit = adamw_limit_point(lam)
    big = rosenbrock_path("adamw", 0.01, 3000, momentum=0.9, beta2=0.99, weight_decay=lam)
    # Continue from the end at a tenth of the step size.
    small = rosenbrock_path(
        "adamw", 0.001, 2000, momentum=0.9, beta2=0.99, weight_decay=lam, start=big.end
    )
    far = hover_distance(np.c_[big.x, big.y][-1000:], limit)
    near = hover_distance(np.c_[small.x, small.y][-1000:], limit)
    assert near < far / 5
    assert far < 0.01


def teardown_function():
    plt.close("all")
