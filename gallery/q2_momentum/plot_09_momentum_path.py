r"""
=======================================
Gradient descent with momentum, by hand
=======================================

Question 2's task: write ``optim_step``, one step of gradient descent with momentum on the
Rosenbrock function, updating the point :math:`(x, y)` and its two momentum values in
place. The exercise's momentum is a moving average of the gradients,

.. math:: v \leftarrow \beta\, v + (1 - \beta)\, \nabla f, \qquad
          \theta \leftarrow \theta - \eta\, v,

for each coordinate :math:`\theta` with its own :math:`v`. This page writes the step, runs
the exercise's test (500 steps, :math:`\eta = 0.01`, :math:`\beta = 0.9`, from
:math:`(-1, 2)`) and draws the path.
"""

# %%
# The step
# --------
# Forward pass, backward pass, then the two in-place updates under ``torch.no_grad()``, so
# that they are not recorded for the next gradient. The caller zeroes the gradients
# between steps.

import matplotlib.pyplot as plt
import numpy as np
import torch

import optimlab


def rosenbrock(x, y):
    return (1 - x) ** 2 + 2 * (y - x**2) ** 2


def optim_step(x, y, lr, x_momentum, y_momentum, beta):
    value = rosenbrock(x, y)  # forward pass
    value.backward()  # fills x.grad and y.grad
    with torch.no_grad():
        x_momentum.mul_(beta).add_(x.grad, alpha=1 - beta)
        y_momentum.mul_(beta).add_(y.grad, alpha=1 - beta)
        x.sub_(lr * x_momentum)
        y.sub_(lr * y_momentum)
    return value.item()


# %%
# The exercise's test
# -------------------
# Start at :math:`(-1, 2)` with zero momentum and record the point after every step. The
# start is recorded too (the exercise's recorder drops it).

x = torch.tensor(-1.0, requires_grad=True)
y = torch.tensor(2.0, requires_grad=True)
x_momentum, y_momentum = torch.tensor(0.0), torch.tensor(0.0)
path = [(x.item(), y.item())]
for _ in range(500):
    optim_step(x, y, 0.01, x_momentum, y_momentum, 0.9)
    x.grad.zero_()
    y.grad.zero_()
    path.append((x.item(), y.item()))
path = np.array(path)  # (501, 2)
print(f"end point after 500 steps: ({path[-1, 0]:.4f}, {path[-1, 1]:.4f})")
print(f"f there: {rosenbrock(*path[-1]):.5f} (it was 6 at the start)")

# %%
# optimlab ships the same step, :func:`optimlab.optim_step`, and the loop above,
# :func:`optimlab.optimize_rosenbrock`. Both give this very path:

trajectory = optimlab.optimize_rosenbrock(500, lr=0.01, beta=0.9)
print("same path as optimlab:", np.allclose(path, np.c_[trajectory.x, trajectory.y]))

# %%
# Draw the path
# -------------
# Red over the contours, circle at the start, cross at the end.

ax = optimlab.plot_path(trajectory)
ax.set_title("Optimization path on the Rosenbrock function")
plt.show()

for step in (0, 25, 50, 100, 200, 500):
    print(
        f"after {step:3} steps: ({trajectory.x[step]:6.3f}, {trajectory.y[step]:6.3f}), "
        f"f = {trajectory.value[step]:.4f}"
    )

# %%
# Momentum or none?
# -----------------
# With :math:`\beta = 0` the step is plain gradient descent. Run both for 500 steps:

plain = optimlab.optimize_rosenbrock(500, lr=0.01, beta=0.0)
for beta, run in [(0.9, trajectory), (0.0, plain)]:
    print(
        f"beta = {beta}: leftmost x {run.x.min():.2f}, f after 50 steps {run.value[50]:.3f}, "
        f"after 500 {run.value[-1]:.5f}"
    )

ax = optimlab.plot_path(plain, color="white", label="beta = 0")
optimlab.plot_path(trajectory, ax=ax, label="beta = 0.9")
ax.legend()
ax.set_title("With and without momentum, 500 steps of 0.01")
plt.show()

# %%
# What the figures show
# ---------------------
# * The path first heads left, away from the minimum (the gradient at the start points
#   that way, see the previous page), then turns right, sweeps through the bend of the
#   valley near :math:`(0.4, 0.1)` and climbs along its floor toward :math:`(1, 1)`, ever
#   more slowly as the slope flattens. After 500 steps it has not quite arrived:
#   :math:`f` has fallen from 6 to about 0.006.
# * At this small step size, momentum changes the path little. The moving average
#   starts at zero, so the first steps are *shorter* than plain gradient descent's, yet
#   once built up it carries the point further left before it turns (to
#   :math:`x \approx -1.22` against :math:`-1.14`); after 50 steps momentum is behind.
#   The step is too small to make the point bounce across the valley, so there is little
#   for the averaging to smooth out, and after 500 steps the two end points are within
#   0.002 of each other.
#
# Note that :class:`torch.optim.SGD` with ``momentum=beta, dampening=beta`` is not the
# same rule: it starts its average from the first full gradient instead of
# :math:`(1 - \beta)` times it.

assert np.allclose(path, np.c_[trajectory.x, trajectory.y])
assert trajectory.x[1] < -1 and trajectory.x[5] < -1  # first steps go left
assert trajectory.value[-1] < 0.01 and np.hypot(*(path[-1] - 1)) > 0.05
assert (np.diff(trajectory.value) < 0).all()
step_lengths = np.hypot(np.diff(trajectory.x), np.diff(trajectory.y))
assert step_lengths[400:].mean() < step_lengths[100:200].mean() / 5  # ever more slowly
assert trajectory.x.min() < plain.x.min() - 0.05  # momentum goes further left
lowest = trajectory.y.argmin()  # the bend of the valley
assert abs(trajectory.x[lowest] - 0.4) < 0.1 and trajectory.y[lowest] < 0.15
assert trajectory.value[50] > plain.value[50]
assert np.hypot(trajectory.end[0] - plain.end[0], trajectory.end[1] - plain.end[1]) < 0.002
