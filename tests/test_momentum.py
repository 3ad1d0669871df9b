"""optim_step by hand and against a float64 loop; the "momentum" path and Momentum against
the exercise's scalar loop of optim_step; Momentum against SGD."""

import math

import numpy as np
import pytest
import torch

from optimlab import Momentum, optim_step, rosenbrock, rosenbrock_path
from optimlab.momentum import momentum_update, stable_lr_limit


def grad_f(x, y):
    """Analytic gradient of f(x, y) = (1 - x)^2 + 2 (y - x^2)^2."""
    return -2 * (1 - x) - 8 * x * (y - x**2), 4 * (y - x**2)


def reference_path(steps, lr, beta, start=(-1.0, 2.0), weight_decay=0.0):
    """v = beta v + (1 - beta) g; theta = (1 - lr wd) theta - lr v, in float64 Python floats."""
    x, y = start
    vx = vy = 0.0
    path = [(x, y)]
    for _ in range(steps):
        gx, gy = grad_f(x, y)
        vx = beta * vx + (1 - beta) * gx
        vy = beta * vy + (1 - beta) * gy
        x = (1 - lr * weight_decay) * x - lr * vx
        y = (1 - lr * weight_decay) * y - lr * vy
        path.append((x, y))
    return np.array(path)


def scalars(x, y):
    return (
        torch.tensor(x, requires_grad=True),
        torch.tensor(y, requires_grad=True),
        torch.tensor(0.0),
        torch.tensor(0.0),
    )


def exercise_loop(steps, lr, beta, start=(-1.0, 2.0), weight_decay=0.0):
    """The exercise's loop, the oracle: optim_step on two scalar tensors, grads zeroed."""
    x, y, x_momentum, y_momentum = scalars(*start)
    points, values = [(x.item(), y.item())], []
    for _ in range(steps):
        values.append(
            optim_step(x, y, lr, x_momentum, y_momentum, beta, weight_decay=weight_decay)
        )
        x.grad.zero_()
        y.grad.zero_()
        points.append((x.item(), y.item()))
    values.append(rosenbrock(x, y).item())
    return np.array(points), np.array(values)


def momentum_path(steps, lr, beta, **kwargs):
    return rosenbrock_path("momentum", lr, steps, momentum=beta, **kwargs)


def test_rosenbrock_values():
    assert rosenbrock(1.0, 1.0) == 0.0
    assert rosenbrock(-1.0, 2.0) == 6.0  # (1 - -1)^2 + 2 (2 - 1)^2
    assert rosenbrock(0.0, 0.0) == 1.0
    grid = np.array([0.0, 2.0])
    np.testing.assert_array_equal(rosenbrock(grid, grid), [1.0, 1.0 + 2 * 4])
    assert torch.equal(rosenbrock(torch.tensor(2.0), torch.tensor(4.0)), torch.tensor(1.0))


def test_autograd_gradient_matches_analytic():
    for x0, y0 in [(-1.0, 2.0), (0.3, -0.7), (1.5, 2.5)]:
        x, y, _, _ = scalars(x0, y0)
        rosenbrock(x, y).backward()
        gx, gy = grad_f(x0, y0)
        assert x.grad.item() == pytest.approx(gx, rel=1e-6)
        assert y.grad.item() == pytest.approx(gy, rel=1e-6)


def test_first_two_steps_by_hand():
    lr, beta = 0.01, 0.9
    x, y, vx, vy = scalars(-1.0, 2.0)
    # Step 1 at (-1, 2): grad = (-2 * 2 - 8 * -1 * 1, 4 * 1) = (4, 4), v = 0.1 * (4, 4).
    assert optim_step(x, y, lr, vx, vy, beta) == 6.0
    assert vx.item() == pytest.approx(0.4) and vy.item() == pytest.approx(0.4)
    assert x.item() == pytest.approx(-1.004) and y.item() == pytest.approx(1.996)
    x.grad.zero_()
    y.grad.zero_()
    # Step 2 at (-1.004, 1.996): y - x^2 = 1.996 - 1.008016 = 0.987984.
    gx = -2 * 2.004 - 8 * -1.004 * 0.987984  # = 3.927695...
    gy = 4 * 0.987984
    vx2, vy2 = 0.9 * 0.4 + 0.1 * gx, 0.9 * 0.4 + 0.1 * gy
    assert optim_step(x, y, lr, vx, vy, beta) == pytest.approx(rosenbrock(-1.004, 1.996))
    assert vx.item() == pytest.approx(vx2, rel=1e-6)
    assert vy.item() == pytest.approx(vy2, rel=1e-6)
    assert x.item() == pytest.approx(-1.004 - lr * vx2, rel=1e-6)
    assert y.item() == pytest.approx(1.996 - lr * vy2, rel=1e-6)


def test_decoupled_weight_decay_step_by_hand():
    x, y, vx, vy = scalars(-1.0, 2.0)
    optim_step(x, y, 0.1, vx, vy, 0.5, weight_decay=0.2)
    # v = 0.5 * (4, 4) = (2, 2); theta = (1 - 0.02) * theta - 0.1 * v.
    assert x.item() == pytest.approx(0.98 * -1 - 0.2)
    assert y.item() == pytest.approx(0.98 * 2 - 0.2)


@pytest.mark.parametrize(
    ("lr", "beta", "weight_decay", "start"),
    [
        (0.01, 0.9, 0.0, (-1.0, 2.0)),
        (0.005, 0.7, 0.3, (-1.0, 2.0)),
        (0.1, 0.0, 0.0, (-1.0, 2.0)),  # the two-point cycle of the momentum map's page
        (0.5, 0.9, 0.0, (0.5, -0.5)),
    ],
)
def test_momentum_path_is_the_exercise_loop_to_the_bit(lr, beta, weight_decay, start):
    path = momentum_path(500, lr, beta, weight_decay=weight_decay, start=start)
    points, values = exercise_loop(500, lr, beta, start=start, weight_decay=weight_decay)
    np.testing.assert_array_equal(np.column_stack([path.x, path.y]), points)
    np.testing.assert_array_equal(path.value, values)


@pytest.mark.parametrize(("lr", "beta", "weight_decay"), [(0.01, 0.9, 0.0), (0.02, 0.5, 0.1)])
def test_momentum_path_follows_float64_loop(lr, beta, weight_decay):
    path = momentum_path(500, lr, beta, weight_decay=weight_decay)
    expected = reference_path(500, lr, beta, weight_decay=weight_decay)
    assert len(path) == 501
    # float32 vs float64 along 500 steps of a contracting iteration.
    np.testing.assert_allclose(path.x, expected[:, 0], atol=1e-4)
    np.testing.assert_allclose(path.y, expected[:, 1], atol=1e-4)
    np.testing.assert_allclose(path.value, rosenbrock(expected[:, 0], expected[:, 1]), atol=1e-4)


def test_trajectory_records_start_and_every_step():
    path = momentum_path(3, 0.01, 0.9, start=(0.5, -0.5))
    assert (path.x[0], path.y[0]) == (0.5, -0.5)
    expected = reference_path(3, 0.01, 0.9, start=(0.5, -0.5))
    np.testing.assert_allclose(np.column_stack([path.x, path.y]), expected, rtol=1e-6)
    assert path.value[0] == rosenbrock(0.5, -0.5)
    np.testing.assert_allclose(path.value, rosenbrock(path.x, path.y), rtol=1e-6)
    assert path.end == (path.x[-1], path.y[-1])
    assert len(momentum_path(0, 0.01, 0.9)) == 1


def test_seed_demo_reaches_the_valley_floor():
    path = momentum_path(500, 0.01, 0.9)
    assert path.value[-1] < 0.01 < path.value[0]
    assert math.dist(path.end, (1, 1)) < 0.2


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"steps": -1}, ValueError, r"steps must be a non-negative integer, got -1"),
        ({"steps": 2.0}, TypeError, r"steps must be a non-negative integer, got 2\.0 of type"),
        ({"lr": 0}, ValueError, r"lr must be a positive finite number, got 0"),
        ({"momentum": 1.0}, ValueError, r"momentum must be a number in \[0, 1\), got 1\.0"),
        ({"start": (math.nan, 0)}, ValueError, r"start must be a pair \(x, y\) of finite"),
        ({"start": (0, math.inf)}, ValueError, r"start must be a pair .*, got \(0, inf\)"),
        ({"start": 3.0}, TypeError, r"start must be a pair \(x, y\) of finite numbers, got 3\.0"),
        ({"start": (1, 2, 3)}, TypeError, r"start must be a pair .*, got \(1, 2, 3\)"),
        ({"weight_decay": -1}, ValueError, r"weight_decay must be a non-negative finite"),
    ],
)
def test_momentum_path_bad_input(kwargs, error, match):
    arguments = {"steps": 10, "lr": 0.01, "momentum": 0.9, **kwargs}
    with pytest.raises(error, match=match):
        rosenbrock_path("momentum", **arguments)


def run_momentum(steps, lr, beta, weight_decay=0.0):
    point = torch.tensor([-1.0, 2.0], requires_grad=True)
    optimizer = Momentum([point], lr=lr, beta=beta, weight_decay=weight_decay)
    path = [point.detach().clone()]
    for _ in range(steps):
        optimizer.zero_grad()
        rosenbrock(point[0], point[1]).backward()
        optimizer.step()
        path.append(point.detach().clone())
    return torch.stack(path).numpy()


@pytest.mark.parametrize(("lr", "beta", "weight_decay"), [(0.01, 0.9, 0.0), (0.005, 0.7, 0.3)])
def test_momentum_optimizer_equals_optim_step(lr, beta, weight_decay):
    points, _ = exercise_loop(300, lr, beta, weight_decay=weight_decay)
    np.testing.assert_array_equal(run_momentum(300, lr, beta, weight_decay), points)


def test_momentum_is_sgd_with_scaled_lr_not_dampened_sgd():
    lr, beta = 0.01, 0.9
    ours = run_momentum(50, lr, beta)

    def run_sgd(**kwargs):
        point = torch.tensor([-1.0, 2.0], requires_grad=True)
        optimizer = torch.optim.SGD([point], **kwargs)
        for _ in range(50):
            optimizer.zero_grad()
            rosenbrock(point[0], point[1]).backward()
            optimizer.step()
        return point.detach().numpy()

    # v_ours = (1 - beta) * v_sgd, so SGD with lr * (1 - beta) takes the same steps.
    np.testing.assert_allclose(run_sgd(lr=lr * (1 - beta), momentum=beta), ours[-1], rtol=1e-5)
    # Dampened SGD seeds its buffer with the full first gradient: a different path.
    dampened = run_sgd(lr=lr, momentum=beta, dampening=beta)
    assert np.abs(dampened - ours[-1]).max() > 1e-3


def test_momentum_on_the_mlp_matches_scaled_sgd():
    from optimlab import exercise_data, make_mlp

    (X, Y), _ = exercise_data()

    def train(make_optimizer):
        model = make_mlp()
        optimizer = make_optimizer(model.parameters())
        for _ in range(5):
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(model(X), Y).backward()
            optimizer.step()
        return torch.cat([p.detach().ravel() for p in model.parameters()])

    ours = train(lambda params: Momentum(params, lr=1e-6, beta=0.9))
    sgd = train(lambda params: torch.optim.SGD(params, lr=1e-6 * 0.1, momentum=0.9))
    start = torch.cat([p.detach().ravel() for p in make_mlp().parameters()])
    assert not torch.equal(ours, start)
    torch.testing.assert_close(ours - start, sgd - start, rtol=1e-3, atol=1e-7)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lr": -1.0}, r"lr must be a positive finite number, got -1\.0"),
        ({"lr": 0.1, "beta": 1.5}, r"beta must be a number in \[0, 1\), got 1\.5"),
        ({"lr": 0.1, "weight_decay": math.nan}, r"weight_decay must be .*, got nan"),
    ],
)
def test_momentum_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Momentum([torch.zeros(1, requires_grad=True)], **kwargs)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.98])
@pytest.mark.parametrize("curvature", [1.0, 21.6])
def test_stable_lr_limit_on_a_1d_quadratic(beta, curvature):
    # f = h theta^2 / 2 stepped by the package's own rule: 5 % below the limit every run
    # decays, 5 % above it grows.
    limit = stable_lr_limit(beta, curvature)
    assert math.isclose(limit, 2 * (1 + beta) / ((1 - beta) * curvature))
    for factor, decays in ((0.95, True), (1.05, False)):
        theta = torch.tensor([1.0], dtype=torch.float64)
        velocity = torch.zeros_like(theta)
        for _ in range(3000):
            momentum_update(theta, velocity, curvature * theta, lr=factor * limit, beta=beta)
            if abs(theta.item()) > 1e6:
                break
        assert (abs(theta.item()) < 1e-6) == decays, (factor, theta.item())
        assert (abs(theta.item()) > 1e6) == (not decays), (factor, theta.item())


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((1.0, 21.6), ValueError, r"beta must be a number in \[0, 1\)"),
        ((0.5, 0.0), ValueError, "curvature must be a positive finite number"),
        ((0.5, "big"), TypeError, "curvature must be a positive finite number"),
    ],
)
def test_stable_lr_limit_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        stable_lr_limit(*args)
