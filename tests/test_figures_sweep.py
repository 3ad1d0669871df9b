"""The sweep figures, checked by labels, legend entries, line counts and limits: no pixels."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from optimlab import SweepResult, TrainingConfig
from optimlab.metrics import quantiles_finite
from optimlab.plotting import plot_finals, plot_sweep, sweep_ylim


def legend_texts(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def make_result(runs, values=None, param="lr"):
    """A SweepResult from runs of shape (values, seeds, epochs)."""
    runs = np.asarray(runs, dtype=float)
    values = values if values is not None else [0.1 * (i + 1) for i in range(runs.shape[0])]
    config = TrainingConfig(epochs=runs.shape[2])
    return SweepResult(param, tuple(values), runs, config, seeds=tuple(range(runs.shape[1])))


def seeded_runs(n_values=3, n_seeds=10, epochs=30, seed=0):
    """Smooth curves from about 0.6 down to 0.3-0.5, different per seed."""
    rng = np.random.default_rng(seed)
    floor = rng.uniform(0.3, 0.5, size=(n_values, n_seeds, 1))
    return floor + 0.3 * np.exp(-np.arange(epochs) / 5.0)


# plot_sweep ------------------------------------------------------------------------------


def test_sweep_draws_the_median_with_a_band_and_says_so():
    runs = seeded_runs()
    ax = plot_sweep(make_result(runs), yardstick=0.35)
    lines = ax.get_lines()
    assert len(lines) == 3 + 1  # one per value, then the yardstick
    for i in range(3):
        np.testing.assert_allclose(lines[i].get_ydata(), np.median(runs[i], axis=0))
        np.testing.assert_array_equal(lines[i].get_xdata(), np.arange(1, 31))
    assert len(ax.collections) == 3  # one band per value
    assert ax.get_legend().get_title().get_text() == "median of 10 seeds, band 10-90%"
    assert legend_texts(ax) == [
        "lr = 0.1",
        "lr = 0.2",
        "lr = 0.30000000000000004",
        "predicting the training mean (0.350)",
    ]
    assert ax.get_xlabel() == "Epoch" and ax.get_ylabel() == "Validation RMSE"
    assert tuple(lines[-1].get_ydata()) == (0.35, 0.35) and lines[-1].get_linestyle() == "--"


def test_sweep_band_quantiles_and_no_band():
    runs = seeded_runs(n_values=1)
    ax = plot_sweep(make_result(runs), band=(0.25, 0.75))
    (band,) = ax.collections
    path = band.get_paths()[0].vertices
    ys = path[:, 1]
    low, high = np.quantile(runs[0], [0.25, 0.75], axis=0)
    assert ys.min() == pytest.approx(low.min()) and ys.max() == pytest.approx(high.max())
    assert ax.get_legend().get_title().get_text() == "median of 10 seeds, band 25-75%"
    ax = plot_sweep(make_result(runs), band=None)
    assert len(ax.collections) == 0
    assert ax.get_legend().get_title().get_text() == "median of 10 seeds"


def test_sweep_one_seed_draws_the_run_without_band():
    runs = seeded_runs(n_values=2, n_seeds=1)
    ax = plot_sweep(make_result(runs))
    assert len(ax.get_lines()) == 2 and len(ax.collections) == 0
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), runs[1, 0])
    assert ax.get_legend().get_title().get_text() == "Configuration"


def test_sweep_yardstick_per_seed_draws_their_median_and_stays_in_range():
    runs = seeded_runs(n_seeds=5)  # every curve ends above 0.3
    yardsticks = np.array([0.10, 0.12, 0.14, 0.16, 0.30])
    ax = plot_sweep(make_result(runs), yardstick=yardsticks)
    line = ax.get_lines()[-1]
    assert line.get_ydata()[0] == pytest.approx(0.14)
    assert legend_texts(ax)[-1] == "predicting the training mean (median 0.140)"
    low, high = ax.get_ylim()
    assert low < 0.14 < high and low > 0  # inside, with a margin, not at zero
    # Far above every curve, the yardstick still sits inside the range.
    ax = plot_sweep(make_result(runs), yardstick=5.0)
    assert ax.get_ylim()[1] > 5.0


def test_sweep_ylim_resists_early_and_single_seed_spikes():
    runs = seeded_runs()
    runs[1, :, 0] = 100.0  # every seed's first epoch of one value blows up
    runs[2, 3, 14] = 75.0  # one seed spikes once in the middle
    ax = plot_sweep(make_result(runs), yardstick=0.35)
    low, high = ax.get_ylim()
    medians = np.median(runs, axis=1)
    assert high < 1.5  # neither spike sets the range
    assert low <= np.nanmin(np.quantile(runs, 0.1, axis=1))  # the bands' bottoms fit
    assert high >= medians[:, 1:].max()  # every median after epoch 1 fits


def test_sweep_skips_diverged_points():
    runs = seeded_runs(n_values=2, n_seeds=1)
    runs[1, 0, 5:] = np.inf
    ax = plot_sweep(make_result(runs))
    assert np.isnan(ax.get_lines()[1].get_ydata()[5:]).all()
    assert np.isfinite(ax.get_ylim()).all()


def test_sweep_draws_on_given_axes():
    _, (left, right) = plt.subplots(2, 1)
    assert plot_sweep(make_result(seeded_runs(n_values=1)), ax=right) is right
    assert len(left.get_lines()) == 0 and len(right.get_lines()) == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"yardstick": "0.3"}, TypeError, "yardstick"),
        ({"yardstick": True}, TypeError, "yardstick"),
        ({"yardstick": -0.3}, ValueError, "yardstick"),
        ({"yardstick": float("nan")}, ValueError, "yardstick"),
        ({"yardstick": [0.3, 0.3]}, ValueError, "yardstick"),  # 10 seeds
        ({"yardstick": [0.3] * 9 + [np.inf]}, ValueError, "yardstick"),
        ({"band": (0.9, 0.1)}, ValueError, "band"),
        ({"x": "minutes"}, ValueError, "x"),
    ],
)
def test_sweep_bad_arguments(kwargs, error, name):
    with pytest.raises(error, match=name):
        plot_sweep(make_result(seeded_runs()), **kwargs)


def test_sweep_refuses_a_non_result():
    with pytest.raises(TypeError, match="result"):
        plot_sweep(np.ones((2, 3)))


# sweep_ylim ------------------------------------------------------------------------------


def test_sweep_ylim_by_hand():
    curves = np.array([[9.0, 0.6, 0.5, 0.4], [0.9, 0.8, 0.7, 0.6]])
    # Lower: the minimum 0.4; upper: the larger of each curve's maximum after epoch 1.
    assert sweep_ylim(curves, quantile=1.0, margin=0.0) == pytest.approx((0.4, 0.8))
    # With a margin of 10% of the span (0.4) on both sides.
    assert sweep_ylim(curves, quantile=1.0, margin=0.1) == pytest.approx((0.36, 0.84))
    # skip=0 keeps the spike.
    assert sweep_ylim(curves, skip=0, quantile=1.0, margin=0.0) == pytest.approx((0.4, 9.0))
    # A median (quantile 0.5) of the second curve's last three: 0.7.
    assert sweep_ylim(curves[1:], quantile=0.5, margin=0.0) == pytest.approx((0.6, 0.7))
    # The yardstick widens the range on either side.
    assert sweep_ylim(curves, yardstick=0.2, quantile=1.0, margin=0.0) == pytest.approx((0.2, 0.8))
    assert sweep_ylim(curves, yardstick=2.0, quantile=1.0, margin=0.0) == pytest.approx((0.4, 2.0))


def test_sweep_ylim_ignores_non_finite_and_degenerate():
    curves = np.array([[0.5, 0.4, 0.3], [0.6, np.inf, np.nan]])
    # The second curve has only its first epoch finite: that value counts for the top.
    assert sweep_ylim(curves, quantile=1.0, margin=0.0) == pytest.approx((0.3, 0.6))
    assert sweep_ylim(np.array([[np.nan, np.nan]])) is None
    assert sweep_ylim(np.array([[1.0, 1.0]])) is None
    assert sweep_ylim(np.array([[np.nan, np.nan]]), yardstick=0.3) is None


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"curves": "abc"}, TypeError, "curves"),
        ({"curves": 1.0}, ValueError, "curves"),
        ({"skip": -1}, ValueError, "skip"),
        ({"skip": 1.5}, TypeError, "skip"),
        ({"quantile": 0.0}, ValueError, "quantile"),
        ({"quantile": "high"}, TypeError, "quantile"),
        ({"margin": -0.1}, ValueError, "margin"),
        ({"yardstick": 0.0}, ValueError, "yardstick"),
    ],
)
def test_sweep_ylim_bad_arguments(kwargs, error, name):
    arguments = {"curves": np.ones((2, 3)), **kwargs}
    with pytest.raises(error, match=name):
        sweep_ylim(**arguments)


# plot_finals -----------------------------------------------------------------------------


def test_finals_one_dot_per_seed_and_a_median_bar():
    runs = seeded_runs(n_values=3, n_seeds=10)
    result = make_result(runs, values=[1, 0.1, 0.01])
    ax = plot_finals(result)
    lines = ax.get_lines()
    assert len(lines) == 3 + 3  # dots per value, then median bars
    final = runs[:, :, -1]
    for i in range(3):
        dots, bar = lines[i], lines[3 + i]
        np.testing.assert_array_equal(dots.get_ydata(), final[i])
        assert dots.get_linestyle() == "None" and dots.get_marker() == "o"
        x = np.asarray(dots.get_xdata())
        assert np.all(np.abs(x - i) < 0.5)  # inside its column
        assert len(set(np.round(x, 9))) == 10  # spread, so each dot can be counted
        assert tuple(bar.get_ydata()) == pytest.approx((np.median(final[i]),) * 2)
        assert np.mean(bar.get_xdata()) == pytest.approx(i)
    # Seed k sits at the same offset in every column, and a second figure is identical.
    offsets = [np.asarray(lines[i].get_xdata()) - i for i in range(3)]
    np.testing.assert_allclose(offsets[0], offsets[2])
    np.testing.assert_allclose(plot_finals(result).get_lines()[0].get_xdata(), x - 2)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "0.1", "0.01"]
    assert ax.get_xlabel() == "lr" and ax.get_ylabel() == "Validation RMSE after epoch 30"
    assert legend_texts(ax) == ["each seed's run", "median of the seeds"]
    assert ax.get_legend().get_title().get_text() == "10 seeds"
    low, high = ax.get_ylim()
    assert low < final.min() and high > final.max()


def test_finals_per_seed_yardstick_ticks():
    runs = seeded_runs(n_values=2, n_seeds=4)
    yardsticks = np.array([0.2, 0.9, 0.45, 0.25])
    ax = plot_finals(make_result(runs), yardstick=yardsticks)
    lines = ax.get_lines()
    assert len(lines) == 2 + 2 + 2  # dots, medians, a line of ticks per column
    for i in range(2):
        ticks, dots = lines[4 + i], lines[i]
        np.testing.assert_array_equal(ticks.get_ydata(), yardsticks)
        np.testing.assert_array_equal(ticks.get_xdata(), dots.get_xdata())  # beside its dot
        assert ticks.get_marker() == "_"
    assert legend_texts(ax)[-1] == "predicting the training mean, each seed"
    low, high = ax.get_ylim()
    assert low < 0.2 and high > 0.9


def test_finals_single_yardstick_line():
    ax = plot_finals(make_result(seeded_runs(n_values=2, n_seeds=3)), yardstick=1.5)
    assert len(ax.get_lines()) == 2 + 2 + 1
    assert ax.get_lines()[-1].get_ydata()[0] == 1.5
    assert legend_texts(ax)[-1] == "predicting the training mean (1.500)"
    assert ax.get_ylim()[1] > 1.5


def test_finals_marks_diverged_runs():
    runs = seeded_runs(n_values=2, n_seeds=4)
    runs[1, 2, -1] = np.inf
    runs[1, 3, -1] = np.nan
    ax = plot_finals(make_result(runs))
    lines = ax.get_lines()
    assert len(lines[1].get_ydata()) == 2  # the two finite runs
    assert lines[3].get_ydata()[0] == pytest.approx(np.median(runs[1, :2, -1]))
    diverged = lines[-1]
    assert diverged.get_marker() == "^" and len(diverged.get_xdata()) == 2
    assert legend_texts(ax)[-1] == "diverged (inf or NaN)"
    assert np.isfinite(ax.get_ylim()).all()


@pytest.mark.parametrize(
    ("yardstick", "error"),
    [("0.3", TypeError), ([0.3, 0.3], ValueError), (-1.0, ValueError), ([[0.3] * 10], ValueError)],
)
def test_finals_bad_yardstick(yardstick, error):
    with pytest.raises(error, match="yardstick"):
        plot_finals(make_result(seeded_runs()), yardstick=yardstick)


def test_finals_refuses_a_non_result():
    with pytest.raises(TypeError, match="result"):
        plot_finals([[0.3, 0.4]])


@pytest.mark.parametrize("draw", [plot_sweep, plot_finals])
def test_legend_below_the_axes_stays_inside_a_new_figure(draw):
    ax = draw(make_result(seeded_runs()), yardstick=0.35)
    figure = ax.get_figure()
    figure.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    frame = ax.get_window_extent()
    assert legend.y1 <= frame.y0  # below the axes: it covers no data
    assert legend.y0 >= 0 and legend.x0 >= 0 and legend.x1 <= figure.bbox.x1  # not cut off


# What runs off the top (issue 19, item 7) --------------------------------------------------


def test_sweep_shows_a_wide_band_whole():
    """A band that is wide for its first epochs fits: the README command's figure."""
    runs = seeded_runs(n_values=2)
    runs[0, 8:, :] += np.linspace(1.3, 0.2, 30)  # two seeds of ten start far above the rest
    ax = plot_sweep(make_result(runs), yardstick=0.32)
    low, high = quantiles_finite(runs[0], (0.1, 0.9))
    medians = np.median(runs, axis=1)
    bottom, top = ax.get_ylim()
    assert top >= high.max() and bottom <= low.min()  # the whole band, epoch 1 included
    assert top >= medians.max() and bottom < 0.32 < top
    assert "off the top" not in ax.get_legend().get_title().get_text()  # nothing clipped


def test_sweep_notes_what_it_clips():
    """A spike far above the rest stays off the figure, and the figure says so."""
    runs = seeded_runs()
    runs[1, :, 0] = 100.0  # every seed's first epoch of one value blows up
    ax = plot_sweep(make_result(runs, values=[0.1, 0.2, 0.3]))
    assert ax.get_ylim()[1] < 1.5
    title = ax.get_legend().get_title().get_text()
    note = "\u2191 off the top: lr = 0.2's median,\nup to 100 (epoch 1)"
    assert title == f"median of 10 seeds, band 10-90%\n{note}"


def test_sweep_bands_overlap_with_distinct_hatches():
    ax = plot_sweep(make_result(seeded_runs(), values=[0.1, 0.2, 0.3]))
    hatches = [band.get_hatch() for band in ax.collections]
    assert len(set(hatches)) == 3 and None not in hatches
    # Each legend entry shows its value's line over its hatched band.
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()][:3] == ["lr = 0.1", "lr = 0.2", "lr = 0.3"]
    assert len(legend.legend_handles) == 3


def test_sweep_ylim_contain():
    curves = np.array([[1.2, 0.6, 0.5, 0.4], [0.9, 0.8, 0.7, 0.6]])
    assert sweep_ylim(curves, quantile=1.0, margin=0.0) == pytest.approx((0.4, 0.8))
    assert sweep_ylim(curves, quantile=1.0, margin=0.0, contain=2.0) == pytest.approx((0.4, 1.2))
    # 9.0 is 21 times the robust span above the bottom: it stays off.
    spiked = np.array([[9.0, 0.6, 0.5, 0.4], [0.9, 0.8, 0.7, 0.6]])
    assert sweep_ylim(spiked, quantile=1.0, margin=0.0, contain=2.0) == pytest.approx((0.4, 0.8))
    with pytest.raises(ValueError, match="contain"):
        sweep_ylim(curves, contain=0.5)


def test_sweep_legend_takes_one_column_for_a_long_label():
    """Two columns for short labels; one when the yardstick's long label is there."""
    ax = plot_sweep(make_result(seeded_runs(n_values=2), values=[0.1, 0.2]))
    assert ax.get_legend()._ncols == 2
    ax = plot_sweep(make_result(seeded_runs(n_values=2), values=[0.1, 0.2]), yardstick=0.3)
    assert ax.get_legend()._ncols == 1
