"""The figures, checked by labels, legend entries and order, line counts and limits: no pixels."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from optimlab import (
    DivergenceWarning,
    SweepResult,
    TrainingConfig,
    compare_configs,
    exercise_data,
    plot_finals,
    plot_path,
    plot_rosenbrock,
    rosenbrock,
    rosenbrock_path,
)
from optimlab.landscape import ROSENBROCK_LEVELS
from optimlab.plotting import plot_sweep


def legend_texts(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def synthetic(values, curves, param="batch_size"):
    curves = np.asarray(curves, dtype=float)
    return SweepResult(param, tuple(values), curves[:, None, :], TrainingConfig(curves.shape[1]))


def test_sweep_plot_labels_legend_order_and_lines():
    result = synthetic([16, 2, 32], [[1.0, 0.8, 0.7], [0.9, 0.5, 0.4], [1.2, 1.0, 0.9]])
    ax = result.plot()
    assert ax.get_xlabel() == "Epoch" and ax.get_ylabel() == "Validation RMSE"
    # Order given, not sorted as text (the seed's legend read "16, 2, 32").
    assert legend_texts(ax) == ["batch_size = 16", "batch_size = 2", "batch_size = 32"]
    lines = ax.get_lines()
    assert len(lines) == 3
    np.testing.assert_array_equal(lines[1].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(lines[1].get_ydata(), [0.9, 0.5, 0.4])
    low, high = ax.get_ylim()
    assert low <= 0.4 and high >= 1.0  # every curve after its first epoch is inside


def test_sweep_plot_on_given_axes():
    _, (left, right) = plt.subplots(1, 2)
    result = synthetic([0.1], [[1.0, 2.0]], param="lr")
    assert plot_sweep(result, ax=right) is right
    assert len(left.get_lines()) == 0 and len(right.get_lines()) == 1


def test_diverged_run_in_a_real_sweep_still_plots_the_others():
    with pytest.warns(DivergenceWarning):
        result = compare_configs(2, lr=[0.01, 1000, 0.1], batch_size=64)
    ax = result.plot(yardstick=None)
    assert legend_texts(ax) == ["lr = 0.01", "lr = 1000", "lr = 0.1"]
    assert len(ax.get_lines()) == 3
    assert np.isnan(ax.get_lines()[1].get_ydata()).all()
    low, high = ax.get_ylim()
    assert np.isfinite([low, high]).all()
    finite = result.valid_rmse[[0, 2]]
    assert low <= finite.min() and high < 100


def test_rosenbrock_contours():
    ax = plot_rosenbrock(resolution=100)
    (contours,) = ax.collections
    z_max = rosenbrock(np.array([-2.0, 2.0]), np.array([-1.0, -1.0])).max()  # 59 at (-2, -1)
    levels = np.asarray(contours.levels)
    np.testing.assert_allclose(levels, ROSENBROCK_LEVELS[: len(levels)])
    assert levels[-2] < z_max <= levels[-1]
    assert ax.get_legend() is None
    assert ax.get_xlim() == (-2.0, 2.0) and ax.get_ylim() == (-1.0, 3.0)


def test_level_breaks():
    expected = np.concatenate(
        [np.arange(20) / 10, np.arange(2, 20), np.arange(20, 200, 10), np.arange(200, 2001, 200)]
    )
    np.testing.assert_allclose(ROSENBROCK_LEVELS, expected)
    assert np.all(np.diff(ROSENBROCK_LEVELS) > 0)


def test_path_drawn_over_contours():
    path = rosenbrock_path("momentum", 0.01, 20, momentum=0.9)
    ax = plot_path(path, label="momentum")
    assert len(ax.collections) == 1  # the contours plot_path drew first
    line, start, end = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), path.x)
    np.testing.assert_array_equal(line.get_ydata(), path.y)
    assert line.get_color() == "red" and line.get_label() == "momentum"
    assert (start.get_xdata()[0], end.get_xdata()[0]) == (path.x[0], path.x[-1])


@pytest.mark.parametrize(
    ("x", "label", "first"),
    [
        ("epoch", "Epoch", [1, 1]),
        ("step", "Optimizer steps", [44, 11]),
        ("sample", "Training samples seen", [700, 700]),
    ],
)
def test_sweep_plot_budgets(x, label, first):
    result = SweepResult(
        "batch_size", (16, 64), np.ones((2, 1, 2)) * [[[1.0, 0.5]]], TrainingConfig(2)
    )
    ax = result.plot(x=x)
    assert ax.get_xlabel() == label
    assert [line.get_xdata()[0] for line in ax.get_lines()] == first


def test_sweep_plot_rejects_bad_band_and_budget():
    result = SweepResult("lr", (0.1,), np.ones((1, 2, 2)), TrainingConfig(epochs=2), seeds=(0, 1))
    with pytest.raises(
        ValueError, match=r"band must be two quantiles \(low, high\) with 0 <= low"
    ):
        result.plot(band=(0.9, 0.1))
    with pytest.raises(ValueError, match=r"x must be one of"):
        result.plot(x="wall")


def test_a_sweeps_own_yardstick_and_inputs_are_drawn_by_default():
    result = compare_configs(2, lr=[0.01, 0.1], batch_size=64, seeds=[0, 3])
    by_hand = [
        float(((Yv - Yt.mean()) ** 2).mean().sqrt())
        for (_, Yt), (_, Yv) in (exercise_data(0), exercise_data(3))
    ]
    ax = result.plot()
    level = float(np.median(by_hand))
    assert legend_texts(ax)[-1] == f"predicting the training mean (median {level:.3f})"
    assert ax.get_lines()[-1].get_ydata()[0] == pytest.approx(level, rel=1e-6)
    assert ax.get_legend().get_title().get_text().endswith("; raw inputs")
    assert len(result.plot(yardstick=None).get_lines()) == 2
    finals = plot_finals(result)
    ticks = [line for line in finals.get_lines() if line.get_label().endswith("each seed")]
    np.testing.assert_allclose(ticks[0].get_ydata(), by_hand, rtol=1e-6)
