"""The Rosenbrock runs: against hand steps, plain torch loops and the exercise's rule; the
batched runner against single runs; the race and the grid of paths."""

import base64
import json
import re

import numpy as np
import pytest
import torch

import optimlab
from optimlab.rosenbrock_runs import (
    PathGrid,
    RosenbrockRace,
    path_grid,
    race_rosenbrock,
    rosenbrock_path,
)


def plain_path(make, steps, start=(-1.0, 2.0)):
    """A plain torch loop: one (x, y) tensor, f by hand, one optimizer."""
    point = torch.tensor(start, requires_grad=True)
    opt = make([point])
    points = [point.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        x, y = point[0], point[1]
        ((1 - x) ** 2 + 2 * (y - x**2) ** 2).backward()
        opt.step()
        points.append(point.detach().clone())
    return torch.stack(points).numpy()


def xy(path):
    return np.stack([path.x, path.y], axis=1)


def test_sgd_steps_by_hand():
    path = rosenbrock_path("sgd", lr=0.01, steps=5)
    x, y = -1.0, 2.0
    for step in range(1, 6):
        grad = optimlab.landscape.rosenbrock_gradient(x, y)
        x, y = x - 0.01 * grad[0], y - 0.01 * grad[1]
        np.testing.assert_allclose([path.x[step], path.y[step]], [x, y], rtol=1e-5)
    # float32 runs, held in float64
    assert path.x.dtype == np.float64 and np.array_equal(path.x, path.x.astype(np.float32))
    np.testing.assert_allclose(path.value, optimlab.rosenbrock(path.x, path.y), rtol=1e-6)


def test_momentum_is_the_momentum_optimizer_in_a_plain_loop_to_the_bit():
    # The exercise's scalar loop is the oracle in test_momentum.py; this is Momentum itself.
    for weight_decay in (0.0, 0.3):
        path = rosenbrock_path("momentum", 0.01, 300, momentum=0.9, weight_decay=weight_decay)
        reference = plain_path(
            lambda p, wd=weight_decay: optimlab.Momentum(p, lr=0.01, beta=0.9, weight_decay=wd),
            300,
        )
        np.testing.assert_array_equal(xy(path), reference)


def test_adamw_with_weight_decay_matches_a_plain_loop_to_the_bit():
    path = rosenbrock_path("adamw", 0.01, 300, momentum=0.8, beta2=0.99, weight_decay=0.5)
    reference = plain_path(
        lambda p: torch.optim.AdamW(p, lr=0.01, betas=(0.8, 0.99), weight_decay=0.5), 300
    )
    np.testing.assert_array_equal(xy(path), reference)
    x, y = path.x.astype(np.float32), path.y.astype(np.float32)
    np.testing.assert_array_equal(path.value, optimlab.rosenbrock(x, y))  # f in float32


@pytest.mark.parametrize("optimizer", ["momentum", "sgd", "adam"])
def test_a_batch_of_runs_is_each_run_alone_to_the_bit(optimizer):
    from optimlab.rosenbrock_runs import _config, _run_many

    settings = [(0.003, 0.0, 0.0), (0.3, 0.9, 0.0), (0.05, 0.5, 0.2), (2.0, 0.9, 0.0)]
    configs = [_config(optimizer, lr, m, wd) for lr, m, wd in settings]
    with np.errstate(all="ignore"):
        points, values = _run_many(configs, 80, (-1.0, 2.0))
    for i, (lr, m, wd) in enumerate(settings):
        alone = rosenbrock_path(optimizer, lr, 80, momentum=m, weight_decay=wd)
        np.testing.assert_array_equal(points[i], xy(alone))
        np.testing.assert_array_equal(values[i], alone.value)


@pytest.mark.parametrize(
    ("optimizer", "momentum", "make"),
    [
        ("adam", 0.5, lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.5, 0.999))),
        ("sgd", 0.8, lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8)),
        ("rmsprop", 0.3, lambda p: torch.optim.RMSprop(p, lr=0.05, momentum=0.3)),
        ("adamw", None, lambda p: torch.optim.AdamW(p, lr=0.05, weight_decay=0.0)),
        ("adagrad", None, lambda p: torch.optim.Adagrad(p, lr=0.05)),
    ],
)
def test_torch_optimizers_match_a_plain_loop(optimizer, momentum, make):
    path = rosenbrock_path(optimizer, lr=0.05, steps=100, momentum=momentum)
    np.testing.assert_allclose(xy(path), plain_path(make, 100), rtol=1e-6, atol=1e-7)


def test_stored_grid_paths_are_fresh_runs_to_the_bit():
    grid = path_grid(["sgd", "adam", "momentum"], [0.003, 0.3], [0.0, 0.9], steps=60)
    assert isinstance(grid, PathGrid) and grid.steps == 60
    for i, name in enumerate(grid.optimizers):
        for j, lr in enumerate(grid.lrs):
            for k, momentum in enumerate(grid.momenta):
                fresh = rosenbrock_path(name, lr, 60, momentum=momentum)
                np.testing.assert_array_equal(grid.xy[i, j, k], xy(fresh))
                stored = grid.path(name, lr, momentum)
                np.testing.assert_array_equal(stored.x, fresh.x)
                np.testing.assert_array_equal(stored.value, fresh.value)


def test_race_picks_the_lowest_f_at_the_end():
    lrs = [0.001, 0.01, 0.1, 1.0]
    race = race_rosenbrock(["sgd", ("sgd", {"momentum": 0.9}), "adam"], lrs, steps=80)
    assert isinstance(race, RosenbrockRace)
    assert race.labels == ("sgd", "sgd (momentum=0.9)", "adam")
    makers = [
        lambda p, lr: torch.optim.SGD(p, lr=lr),
        lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9),
        lambda p, lr: torch.optim.Adam(p, lr=lr),
    ]
    for row, (label, make) in enumerate(zip(race.labels, makers, strict=True)):
        with np.errstate(all="ignore"):
            ends = [plain_path(lambda p, lr=lr, make=make: make(p, lr), 80)[-1] for lr in lrs]
            f = np.array([optimlab.rosenbrock(x, y) for x, y in ends], dtype=float)
        f[~np.isfinite(f)] = np.inf
        np.testing.assert_allclose(race.scores[row], f, rtol=1e-4)
        assert race.chosen_lr[label] == lrs[int(np.argmin(race.scores[row]))]
        np.testing.assert_array_equal(race.paths[label].value[-1], race.scores[row].min())
    assert np.isinf(race.scores[0, -1])  # plain SGD at lr 1 leaves the valley for good


def test_plots():
    race = race_rosenbrock(["sgd", "adam"], [0.01, 0.1], steps=30)
    ax = race.plot()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [f"{name}, lr {race.chosen_lr[name]:g}" for name in race.labels]
    ax = race.plot(kind="values")
    np.testing.assert_array_equal(ax.get_lines()[1].get_ydata(), race.paths["adam"].value)
    with pytest.raises(ValueError, match="kind must be one of 'paths', 'values'; got 'value'"):
        race.plot(kind="value")


def test_interactive_figure_carries_the_paths_to_the_bit():
    pytest.importorskip("plotly")
    from optimlab.plotting import interactive_paths

    grid = path_grid(["sgd", "adam"], [0.01, 0.1, 0.5], [0.0, 0.9], steps=40)
    figure = grid.interactive(initial=(1, 2, 1), plotlyjs="../_static/plotly.min.js")
    html = figure._repr_html_()
    assert re.search(r'<script [^>]*src="../_static/plotly.min.js"></script>', html)
    assert (
        html
        == interactive_paths(grid, initial=(1, 2, 1), plotlyjs="../_static/plotly.min.js").html
    )
    assert not re.search(r"(src|href)=\"https?://", html)  # nothing from another host
    data = json.loads(re.search(r"var D = (\{.*?\});\n", html).group(1))

    def decode(text):
        return np.frombuffer(base64.b64decode(text), dtype="<f4")

    n = grid.steps + 1
    xs, ys = decode(data["x"]).reshape(2, 3, 2, n), decode(data["y"]).reshape(2, 3, 2, n)
    fresh = rosenbrock_path("adam", 0.5, 40, momentum=0.9)
    np.testing.assert_array_equal(xs[1, 2, 1], fresh.x)
    np.testing.assert_array_equal(ys[1, 2, 1], fresh.y)
    np.testing.assert_array_equal(xs, grid.xy[..., 0])
    assert data["shape"] == [2, 3, 2] and data["initial"] == [1, 2, 1]
    assert data["lrs"] == ["0.01", "0.1", "0.5"]
    assert "InteractiveFigure" in repr(figure)
    with pytest.raises(ValueError, match="initial must be three indices"):
        interactive_paths(grid, initial=(2, 0, 0))
    with pytest.raises(TypeError, match="grid must be a PathGrid"):
        interactive_paths(grid.xy)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: rosenbrock_path("adagrad", 0.1, 5, momentum=0.9), ValueError, "no momentum"),
        (lambda: rosenbrock_path("sgd", 0.1, 5, momentum=1.0), ValueError, "momentum must be"),
        (lambda: rosenbrock_path("sgd", -0.1, 5), ValueError, "lr must be a positive"),
        (lambda: rosenbrock_path("sgd", 0.1, -1), ValueError, "steps must be a non-negative"),
        (lambda: rosenbrock_path("sgd", 0.1, 2.5), TypeError, "steps must be"),
        (lambda: rosenbrock_path("sgd", 0.1, 5, start=(0, np.nan)), ValueError, "start must"),
        (lambda: rosenbrock_path("lion", 0.1, 5), ValueError, "optimizer must be one of"),
        (lambda: rosenbrock_path("sgd", 0.1, 5, beta2=0.99), ValueError, "no beta2 setting"),
        (lambda: rosenbrock_path("adam", 0.1, 5, beta2=1.0), ValueError, "beta2 must be"),
        (lambda: rosenbrock_path("adamw", 0.1, 5, weight_decay=-1), ValueError, "weight_decay"),
        (lambda: race_rosenbrock("sgd", [0.1]), TypeError, "optimizers must be a list"),
        (lambda: race_rosenbrock([], [0.1]), ValueError, "at least one optimizer"),
        (lambda: race_rosenbrock(["sgd", "sgd"], [0.1]), ValueError, "must not repeat"),
        (lambda: race_rosenbrock(["sgd", "lion"], [0.1]), ValueError, r"optimizers\[1\]"),
        (lambda: race_rosenbrock(["sgd"], []), ValueError, r"lrs must be a non-empty.*got \[\]"),
        (lambda: race_rosenbrock(["sgd"], [0.1, 0]), ValueError, r"lrs\[1\]"),
        (lambda: race_rosenbrock(["sgd"], [0.1, 0.01]), ValueError, "strictly increasing"),
        (lambda: path_grid(["adagrad"], [0.1], [0.0]), ValueError, "momentum setting"),
        (lambda: path_grid(["sgd"], [0.1], [1.5]), ValueError, r"momenta\[0\]"),
        (lambda: path_grid(["sgd"], [0.1], 0.9), TypeError, "momenta must be a non-empty"),
        (lambda: path_grid(["sgd"], [0.1], [0.9, 0.5]), ValueError, "strictly increasing"),
    ],
)
def test_bad_input_is_refused_before_any_step(monkeypatch, call, error, match):
    def no_steps(*args, **kwargs):
        raise AssertionError("ran before checking")

    monkeypatch.setattr("optimlab.rosenbrock_runs._run_many", no_steps)
    with pytest.raises(error, match=match):
        call()


def test_one_grid_rule_for_every_axis():
    from optimlab._validation import check_grid, check_positive_finite

    assert check_grid("lrs", np.array([0.01, 0.1]), check_positive_finite) == (0.01, 0.1)
    assert check_grid("lrs", [1, 2], check_positive_finite) == (1.0, 2.0)
    for values, error in [
        ("0.1", TypeError),
        ({0.1}, TypeError),
        (np.array([[0.1, 0.2]]), TypeError),
        ([], ValueError),
        ([0.1, 0.1], ValueError),
        ([0.2, 0.1], ValueError),
    ]:
        with pytest.raises(error, match="lrs"):
            check_grid("lrs", values, check_positive_finite)
