"""momentum_map cell by cell against rosenbrock_path, its plot, its bad inputs."""

import numpy as np
import pytest

from optimlab import momentum_map, rosenbrock_path
from optimlab.plotting import plot_momentum_map

LRS = [0.003, 0.01, 0.05, 0.1, 1.0, 2.0]
MOMENTA = [0.0, 0.5, 0.9]


@pytest.fixture(scope="module")
def grid():
    return momentum_map(LRS, MOMENTA, steps=300, tol=1e-3)


def reference(lr, momentum, steps=300, **kwargs):
    with np.errstate(all="ignore"):
        return rosenbrock_path("momentum", lr, steps, momentum=momentum, **kwargs)


def test_every_cell_equals_rosenbrock_path_exactly(grid):
    checked = 0
    for i, lr in enumerate(LRS):
        for j, momentum in enumerate(MOMENTA):
            path = reference(lr, momentum)
            left = ~(np.abs(path.x) <= 100) | ~(np.abs(path.y) <= 100)
            assert grid.diverged[i, j] == left.any()
            if grid.diverged[i, j]:
                assert grid.final_value[i, j] == np.inf
                continue
            assert (grid.x[i, j], grid.y[i, j]) == path.end  # bit for bit, no tolerance
            assert grid.final_value[i, j] == path.value[-1]
            checked += 1
    assert checked >= 10 and grid.diverged.any()  # both kinds of cell are covered


def test_steps_to_tol_is_where_the_path_enters_tol_for_good(grid):
    for i, lr in enumerate(LRS):
        for j, momentum in enumerate(MOMENTA):
            values = reference(lr, momentum).value
            above = np.flatnonzero(~(values <= 1e-3))
            if grid.diverged[i, j] or (above.size and above[-1] == 300):
                expected = -1
            else:
                expected = above[-1] + 1 if above.size else 0
            assert grid.steps_to_tol[i, j] == expected
    assert (grid.steps_to_tol > 0).any() and (grid.steps_to_tol == -1).any()


def test_with_weight_decay_a_cell_equals_rosenbrock_path():
    result = momentum_map([0.01, 0.03], [0.9], steps=200, weight_decay=0.5)
    for i, lr in enumerate([0.01, 0.03]):
        path = reference(lr, 0.9, steps=200, weight_decay=0.5)
        assert (result.x[i, 0], result.y[i, 0]) == path.end


def test_shape_axes_and_zero_steps():
    result = momentum_map(np.array([0.01, 0.02]), [0.5, 0.6, 0.7], steps=0, start=(0.5, 0.25))
    assert result.final_value.shape == (2, 3) == result.steps_to_tol.shape
    assert np.all(result.x == 0.5) and np.all(result.y == 0.25)
    assert np.all(result.final_value == 0.25) and np.all(result.steps_to_tol == -1)
    assert result.lrs.tolist() == [0.01, 0.02] and result.momenta.tolist() == [0.5, 0.6, 0.7]


def test_a_start_below_tol_counts_zero_steps():
    result = momentum_map([0.01], [0.9], steps=10, start=(1.0, 1.0))
    assert result.steps_to_tol.tolist() == [[0]]


def test_the_bound_decides_divergence():
    # A bounded run is flagged exactly when the bound is below its largest coordinate.
    path = reference(0.1, 0.5, steps=50)
    peak = max(np.abs(path.x[1:]).max(), np.abs(path.y[1:]).max())  # after each step
    assert momentum_map([0.1], [0.5], steps=50, bound=peak * 0.999).diverged.all()
    assert not momentum_map([0.1], [0.5], steps=50, bound=peak * 1.001).diverged.any()


def test_plot_final_value(grid):
    ax = plot_momentum_map(grid)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "diverged",
        "lr = 0.01, beta = 0.9",
    ]
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel() == "Learning rate (lr)" and ax.get_ylabel() == "Momentum (beta)"
    (setting,) = ax.get_lines()
    assert (setting.get_xdata()[0], setting.get_ydata()[0]) == (0.01, 0.9)
    assert setting.get_marker() == "P"  # a setting, not a point: the star is the minimum
    assert len(ax.figure.axes) == 2  # the map and its colour bar


def test_plot_steps_to_tol_on_given_axes_without_mark(grid):
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    out = grid.plot(ax, quantity="steps_to_tol", mark=None, colorbar=False)
    assert out is ax and not ax.get_lines()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "diverged",
        "f > 0.001 at the end",
    ]
    assert len(ax.figure.axes) == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"lrs": [0.1, 0.01]}, ValueError, "lrs must be a non-empty, strictly increasing"),
        ({"lrs": []}, ValueError, r"lrs must be a non-empty.* got \[\]"),
        ({"lrs": 0.1}, TypeError, "lrs must be a non-empty, strictly increasing list"),
        ({"lrs": [0.1, -1.0]}, ValueError, r"lrs\[1\] must be a positive finite number"),
        ({"momenta": [0.5, 1.0]}, ValueError, r"momenta\[1\] must be a number in \[0, 1\)"),
        ({"momenta": [0.5, 0.5]}, ValueError, "momenta must be a non-empty, strictly increasing"),
        ({"steps": 1.5}, TypeError, "steps must be a non-negative integer, got 1.5"),
        ({"tol": 0.0}, ValueError, "tol must be a positive finite number, got 0.0"),
        ({"bound": float("inf")}, ValueError, "bound must be a positive finite number"),
        ({"start": (0.0,)}, TypeError, r"start must be a pair \(x, y\)"),
        ({"weight_decay": -0.1}, ValueError, "weight_decay must be a non-negative"),
    ],
)
def test_bad_inputs(kwargs, error, message):
    arguments = {"lrs": [0.01], "momenta": [0.9], "steps": 1} | kwargs
    with pytest.raises(error, match=message):
        momentum_map(**arguments)


def test_bad_quantity(grid):
    with pytest.raises(ValueError, match="quantity must be 'final_value' or 'steps_to_tol'"):
        plot_momentum_map(grid, quantity="loss")


def test_outcome_of_each_cell_is_its_paths_outcome(grid):
    for i, lr in enumerate(LRS):
        for j, momentum in enumerate(MOMENTA):
            assert grid.outcome[i, j] == reference(lr, momentum).outcome(), (lr, momentum)
    assert grid.outcome[LRS.index(0.1), 0] == "cycles"  # past 2 / h = 0.0925
    assert not grid.outcome.flags.writeable


def test_plot_draws_the_stability_limit(grid):
    from optimlab.momentum import stable_lr_limit

    ax = plot_momentum_map(grid, curvature=21.6)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "diverged",
        "stability limit, h = 21.6",
        "lr = 0.01, beta = 0.9",
    ]
    line, _ = ax.get_lines()
    lrs, betas = line.get_xdata(), line.get_ydata()
    assert betas.min() >= 0 and betas.max() < 1
    np.testing.assert_allclose(lrs, [stable_lr_limit(b, 21.6) for b in betas])
    with pytest.raises(ValueError, match="curvature must be a positive finite number"):
        plot_momentum_map(grid, curvature=-1.0)
