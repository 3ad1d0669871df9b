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
    OUTCOMES,
    PathGrid,
    RosenbrockRace,
    Trajectory,
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
    paths = [f"{name}, lr {race.chosen_lr[name]:g}" for name in race.labels]
    assert labels == [*paths, "start", "minimum (1, 1)"]
    start, star = ax.get_lines()[-2:]
    assert (start.get_marker(), start.get_markerfacecolor()) == ("o", "white")
    assert (star.get_marker(), star.get_markerfacecolor()) == ("*", "gold")
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


# --- Outcomes: hand-made trajectories -------------------------------------------------


def hand_made(x, y):
    """A Trajectory of given points, f computed from them."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    with np.errstate(all="ignore"):
        return Trajectory(x, y, optimlab.rosenbrock(x, y))


def test_outcome_of_an_analytic_two_point_cycle():
    # Alternating between two points on either side of the minimum, for ever: f swaps
    # between two values, rising on every other step.
    k = np.arange(201)
    path = hand_made(np.where(k % 2, 1.1, 0.9), np.full(201, 1.0))
    assert path.outcome() == "cycles"
    # however small the cycle, if f stays above tol
    tiny = hand_made(1 + np.where(k % 2, 1e-3, -1e-3), np.full(201, 1.0))
    assert tiny.outcome() == "cycles" and tiny.outcome(tol=1e-5) == "settles"
    # near the minimum first, then bouncing 100 times higher, even as the bounce shrinks
    back = 1 + np.r_[np.full(100, 1e-3), 0.1 * 0.995 ** k[:101] * (-1.0) ** k[:101]]
    assert hand_made(back, np.ones(201)).outcome() == "cycles"


def test_outcome_of_a_growing_oscillation_is_cycles():
    k = np.arange(201)
    path = hand_made(1 + 1e-3 * (-1.02) ** k, np.full(201, 1.0))
    assert path.outcome(tol=1.0) == "cycles"  # within tol, but drifting away


def test_outcome_of_converging_sequences():
    k = np.arange(301)
    # geometric, 0.9 a step, straight in: settles once the last 50 steps are within tol
    path = hand_made(1 - 0.9**k, 1 - 0.9**k)
    assert path.outcome() == "settles"
    assert hand_made(path.x[:60], path.y[:60]).outcome() == "descends"  # not there yet
    # a dying oscillation, as momentum spirals in
    spiral = hand_made(1 + 0.95**k * np.cos(2.0 * k), 1 + 0.95**k * np.sin(2.0 * k))
    assert spiral.outcome() == "settles"
    assert hand_made(spiral.x[:80], spiral.y[:80]).outcome() == "descends"


def test_outcome_of_diverging_sequences():
    k = np.arange(101, dtype=float)
    assert hand_made(1 + 1.2**k, np.ones(101)).outcome() == "diverges"  # leaves the bound
    assert hand_made(10.0**k, np.ones(101)).outcome(bound=1e200) == "diverges"  # f = inf
    assert hand_made(np.r_[np.ones(100), np.nan], np.ones(101)).outcome() == "diverges"
    # out of bounds once, then back: still diverged
    once = hand_made(np.r_[1.0, 500.0, np.ones(99)], np.ones(101))
    assert once.outcome() == "diverges" and once.outcome(bound=1000) == "settles"


def test_outcome_of_rosenbrock_runs_around_the_stability_limit():
    # 2 / h = 0.0925 for plain descent at the minimum (largest Hessian eigenvalue 21.6)
    assert rosenbrock_path("sgd", 0.085, 500).outcome() == "settles"
    cycle = rosenbrock_path("sgd", 0.1, 500)
    assert cycle.outcome() == "cycles"
    np.testing.assert_array_equal(cycle.x[-1], cycle.x[-3])  # the two points of the cycle
    # within 100 steps the growing oscillation is still too small to show
    assert rosenbrock_path("sgd", 0.1, 100).outcome() == "descends"
    assert rosenbrock_path("sgd", 0.2, 100).outcome() == "diverges"
    assert set(OUTCOMES) == {"settles", "cycles", "diverges", "descends"}


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"tol": 0.0}, ValueError, "tol must be a positive finite number, got 0.0"),
        ({"tol": "1e-6"}, TypeError, "tol must be a positive finite number"),
        ({"window": 0}, ValueError, "window must be a positive integer, got 0"),
        ({"window": 2.5}, TypeError, "window must be a positive integer, got 2.5"),
        ({"window": 10}, ValueError, "window must be smaller than the run's 10 points, got 10"),
        ({"bound": -1.0}, ValueError, "bound must be a positive finite number"),
    ],
)
def test_outcome_bad_input(kwargs, error, message):
    path = rosenbrock_path("sgd", 0.01, 9)
    with pytest.raises(error, match=message):
        path.outcome(**kwargs)


# --- Budgets: the race re-tuned at a shorter one -------------------------------------


def test_race_at_a_shorter_budget_is_the_race_run_for_it():
    optimizers = ["sgd", "rmsprop"]
    lrs = [0.01, 0.05, 0.1]
    long = race_rosenbrock(optimizers, lrs, steps=300)
    cut, short = long.at(100), race_rosenbrock(optimizers, lrs, steps=100)
    assert cut.steps == short.steps == 100 and cut.labels == short.labels
    np.testing.assert_array_equal(cut.scores, short.scores)
    assert cut.chosen_lr == short.chosen_lr
    for label in short.labels:
        np.testing.assert_array_equal(cut.paths[label].x, short.paths[label].x)
        np.testing.assert_array_equal(cut.paths[label].value, short.paths[label].value)
        assert len(cut.runs[label]) == len(lrs)
    # the budget changes the pick: at 100 steps lr 0.1 is lowest; by 300 it cycles
    assert (short.chosen_lr["sgd"], long.chosen_lr["sgd"]) == (0.1, 0.05)
    assert long.at(300).chosen_lr == long.chosen_lr
    with pytest.raises(ValueError, match="steps must be at most the race's 300, got 301"):
        long.at(301)
    with pytest.raises(TypeError, match="steps must be a non-negative integer"):
        long.at(1.5)
