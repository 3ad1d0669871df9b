"""Weight-decay points against autograd, finite differences, brute force and long runs."""

import numpy as np
import pytest
import torch

from optimlab import rosenbrock, rosenbrock_path
from optimlab.plotting import plot_decay_points
from optimlab.weight_decay import (
    DecayPoint,
    adamw_limit_point,
    l2_minimiser,
    momentum_fixed_point,
)

DECAYS = [0.0, 0.01, 0.1, 0.5, 1.0, 2.0, 10.0]


def penalised(theta, lam):
    """f + lam / 2 |theta|^2 for a float64 tensor theta of shape (2,)."""
    return rosenbrock(theta[0], theta[1]) + lam / 2 * (theta**2).sum()


@pytest.mark.parametrize("lam", DECAYS)
def test_l2_minimiser_has_zero_gradient_and_positive_definite_hessian(lam):
    point = l2_minimiser(lam)
    theta = torch.tensor([point.x, point.y], dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(penalised(theta, lam), theta)
    assert torch.abs(grad).max() < 1e-12
    hessian = torch.autograd.functional.hessian(lambda t: penalised(t, lam), theta.detach())
    assert torch.linalg.eigvalsh(hessian).min() > 0.3


@pytest.mark.parametrize("lam", [0.1, 1.0])
def test_l2_minimiser_beats_its_neighbours_by_finite_differences(lam):
    point = l2_minimiser(lam)
    theta = np.array([point.x, point.y])
    centre = penalised(torch.from_numpy(theta), lam).item()
    h = 1e-5
    for direction in ([1, 0], [0, 1], [1, 1], [1, -1]):
        step = h * np.array(direction)
        up = penalised(torch.from_numpy(theta + step), lam).item()
        down = penalised(torch.from_numpy(theta - step), lam).item()
        assert up > centre and down > centre
        assert abs(up - down) / (2 * h) < 1e-7  # central difference of the gradient: 0


@pytest.mark.parametrize("lam", [0.1, 2.0])
def test_l2_minimiser_is_the_global_minimum_on_a_grid(lam):
    xs, ys = np.meshgrid(np.linspace(-3, 3, 601), np.linspace(-3, 3, 601))
    grid = rosenbrock(xs, ys) + lam / 2 * (xs**2 + ys**2)
    point = l2_minimiser(lam)
    assert point.penalised_value <= grid.min()
    best = np.unravel_index(grid.argmin(), grid.shape)
    assert abs(xs[best] - point.x) <= 0.01 and abs(ys[best] - point.y) <= 0.01


@pytest.mark.parametrize("lam", [0.01, 1.0, 100.0])
def test_the_stationary_point_is_unique(lam):
    # Zero gradient reduces to 8 lam / (4 + lam) x^3 + (2 + lam) x - 2 = 0: one real root.
    roots = np.roots([8 * lam / (4 + lam), 0.0, 2 + lam, -2.0])
    real = roots[np.abs(roots.imag) < 1e-9].real
    assert real.size == 1
    assert real[0] == pytest.approx(l2_minimiser(lam).x, abs=1e-12)


def test_no_decay_gives_the_rosenbrock_minimum():
    assert l2_minimiser(0.0) == DecayPoint(0.0, 1.0, 1.0)
    assert l2_minimiser(0.0).value == 0.0


def test_decay_moves_the_optimum_toward_the_origin_and_raises_f():
    points = [l2_minimiser(lam) for lam in DECAYS]
    distance = [np.hypot(p.x - 1, p.y - 1) for p in points]
    norm = [np.hypot(p.x, p.y) for p in points]
    values = [p.value for p in points]
    assert np.all(np.diff(distance) > 0)
    assert np.all(np.diff(norm) < 0)
    assert np.all(np.diff(values) > 0) and values[1] > 0


@pytest.mark.parametrize("lam", [0.0, 0.1, 2.0])
@pytest.mark.parametrize(("lr", "beta"), [(0.01, 0.9), (0.1, 0.0), (1e-3, 0.99), (1.0, 0.5)])
def test_momentum_fixed_point_equals_l2_minimiser_whatever_lr_and_beta(lam, lr, beta):
    point, minimiser = momentum_fixed_point(lam, lr, beta), l2_minimiser(lam)
    assert point.weight_decay == lam
    assert point.x == pytest.approx(minimiser.x, abs=1e-10)
    assert point.y == pytest.approx(minimiser.y, abs=1e-10)


def test_momentum_fixed_point_is_fixed_under_the_update_in_float64():
    lam, lr, beta = 0.5, 0.05, 0.8
    point = momentum_fixed_point(lam, lr, beta)
    x = torch.tensor(point.x, dtype=torch.float64, requires_grad=True)
    y = torch.tensor(point.y, dtype=torch.float64, requires_grad=True)
    rosenbrock(x, y).backward()
    for param in (x, y):
        momentum = param.grad.clone()  # v = grad f at the fixed point
        new_momentum = beta * momentum + (1 - beta) * param.grad
        new_param = (1 - lr * lam) * param.detach() - lr * new_momentum
        assert new_momentum.item() == pytest.approx(momentum.item(), abs=1e-14)
        assert new_param.item() == pytest.approx(param.item(), abs=1e-14)


@pytest.mark.parametrize("lam", [0.1, 1.0])
def test_long_momentum_run_with_decay_ends_at_the_fixed_point(lam):
    path = rosenbrock_path("momentum", 0.01, 4000, momentum=0.9, weight_decay=lam)
    point = momentum_fixed_point(lam, lr=0.01, beta=0.9)
    # float32 stalls once lr * v drops below half an ulp of the coordinate.
    assert path.end == pytest.approx((point.x, point.y), abs=1e-4)
    assert path.value[-1] == pytest.approx(point.value, abs=1e-4)


@pytest.mark.parametrize("lam", [0.0, 0.5, 1.0, 2.0, 4.0])
def test_adamw_limit_point_minimises_f_over_the_box(lam):
    point = adamw_limit_point(lam)
    r = 1.0 if lam <= 1 else 1 / lam
    xs, ys = np.meshgrid(np.linspace(-r, r, 801), np.linspace(-r, r, 801))
    assert point.value <= rosenbrock(xs, ys).min() + 1e-12
    assert max(abs(point.x), abs(point.y)) <= r


def test_adamw_first_step_by_hand():
    # At (-1, 2) the gradient is (4, 4); Adam's first step is lr * g / (|g| + eps).
    lr, lam = 0.1, 0.5
    path = rosenbrock_path("adamw", lr, 1, weight_decay=lam)
    step = lr * 4 / (4 + 1e-8)
    assert path.x[1] == pytest.approx(-1 * (1 - lr * lam) - step, abs=1e-6)
    assert path.y[1] == pytest.approx(2 * (1 - lr * lam) - step, abs=1e-6)
    assert path.value[0] == 6.0 and len(path) == 2


def test_adamw_ends_at_its_limit_point_not_at_the_l2_minimiser():
    lam = 4.0
    # beta2 = 0.99 forgets the large early gradients sooner than 0.999: a faster settle.
    path = rosenbrock_path("adamw", 0.01, 1000, momentum=0.9, beta2=0.99, weight_decay=lam)
    limit, minimiser = adamw_limit_point(lam), l2_minimiser(lam)
    assert path.end == pytest.approx((limit.x, limit.y), abs=0.005)
    assert np.hypot(path.end[0] - minimiser.x, path.end[1] - minimiser.y) > 0.05


def test_adamw_path_is_torch_adamw_in_a_plain_loop():
    path = rosenbrock_path("adamw", 0.05, 50, momentum=0.8, beta2=0.99, weight_decay=0.1)
    theta = torch.tensor([-1.0, 2.0], requires_grad=True)
    optimizer = torch.optim.AdamW([theta], lr=0.05, betas=(0.8, 0.99), weight_decay=0.1)
    points = [theta.detach().clone()]
    for _ in range(50):
        optimizer.zero_grad()
        rosenbrock(theta[0], theta[1]).backward()
        optimizer.step()
        points.append(theta.detach().clone())
    np.testing.assert_array_equal(np.c_[path.x, path.y], torch.stack(points).numpy())


def test_plot_decay_points_draws_markers_and_labels():
    points = [l2_minimiser(lam) for lam in (0.0, 0.5)]
    ax = plot_decay_points(points, label="L2")
    line = ax.get_lines()[-1]
    assert list(line.get_xdata()) == [p.x for p in points]
    assert line.get_label() == "L2"
    assert [text.get_text() for text in ax.texts] == ["λ = 0, f = 0", "λ = 0.5, f = 0.104"]
    assert ax.get_xlim() == (-2.0, 2.0)  # drawn over the exercise's contours


def test_plot_decay_points_uses_the_given_axes():
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    assert plot_decay_points([l2_minimiser(1.0)], ax, annotate=False) is ax
    assert len(ax.get_lines()) == 1 and not ax.texts


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: l2_minimiser(-1), ValueError, "weight_decay must be a non-negative finite"),
        (lambda: l2_minimiser(float("nan")), ValueError, "weight_decay .* got nan"),
        (lambda: l2_minimiser("0.1"), TypeError, "weight_decay must be .* of type str"),
        (lambda: momentum_fixed_point(0.1, lr=0), ValueError, "lr must be a positive .* got 0"),
        (lambda: momentum_fixed_point(0.1, beta=1.0), ValueError, r"beta must be .*\[0, 1\)"),
        (lambda: adamw_limit_point(-0.5), ValueError, "weight_decay .* got -0.5"),
        (lambda: plot_decay_points([(1.0, 1.0)]), TypeError, "points must be DecayPoint"),
    ],
)
def test_bad_inputs(call, error, message):
    with pytest.raises(error, match=message):
        call()
