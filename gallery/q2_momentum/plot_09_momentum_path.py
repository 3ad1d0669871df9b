r"""
=======================================
Gradient descent with momentum, by hand
=======================================

.. lesson::
   :figure: 2

   **Question.** What path does the exercise's momentum descent take, and does momentum
   change it?

   **Answer.** It heads left first :verdict:`momentum_path:first_left`, turns through
   the bend and ends short of :math:`(1, 1)` :verdict:`momentum_path:not_arrived`. At
   this small step momentum barely matters: with and without it the end points are
   :verdict-data:`momentum_path:same_end:distance:.4f` apart
   :verdict:`momentum_path:same_end`.

**You will learn:** a momentum step in PyTorch, bit for bit the one optimlab ships; that
500 steps of 0.01 leave the point short of :math:`(1, 1)` although :math:`f` falls at
every step; that momentum's first steps are shorter than plain descent's and carry the
point further left, yet both end at the same place.

Question 2's task (the function is drawn on the :ref:`previous page
<sphx_glr_auto_examples_q2_momentum_plot_08_rosenbrock.py>`): write ``optim_step``, one
step of gradient descent with momentum on the Rosenbrock function, updating the point
:math:`(x, y)` and its two momentum values in place. The exercise's momentum is a moving
average of the gradients,

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

claims = optimlab.Claims("momentum_path")


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
# optimlab ships the same step, :func:`optimlab.optim_step`, and the same rule as a
# PyTorch optimizer, :class:`optimlab.Momentum` (its ``beta`` is the exercise's beta).
# :func:`optimlab.rosenbrock_path` lets any optimizer drive the point; with
# ``"momentum"`` it runs the loop above, and ``momentum`` is beta. It gives this very
# path, to the last bit:

trajectory = optimlab.rosenbrock_path("momentum", lr=0.01, steps=500, momentum=0.9)

# %%
# .. fold-start:: The check that the two paths agree (code, output)

gap = np.abs(path - np.c_[trajectory.x, trajectory.y]).max()
claims.check(
    "optimlab's run gives the same path as the loop above, bit for bit",
    np.array_equal(path, np.c_[trajectory.x, trajectory.y]),
    evidence=f"largest difference {gap:.1e}",
    key="same_path",
)

# %%
# .. fold-end::

# %%
# Draw the path
# -------------
# Red over the contours: the circle is the start, the square the end after 500 steps,
# the star the minimum (the same markers on every page).

fig, ax = plt.subplots(figsize=(4.5, 5), layout="constrained")
optimlab.plot_rosenbrock(ax, mark_minimum=True)
optimlab.plot_path(trajectory, ax, label="lr 0.01, beta 0.9")
ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.17), ncols=2)  # below
ax.set_title("Optimization path on the Rosenbrock function")
plt.show()

for step in (0, 25, 50, 100, 200, 500):
    print(
        f"step {step:3}: ({trajectory.x[step]:6.3f}, {trajectory.y[step]:6.3f}), "
        f"f = {trajectory.value[step]:.4f}"
    )

# %%
# Momentum or none?
# -----------------
# With :math:`\beta = 0` the step is plain gradient descent. Run both for 500 steps:

plain = optimlab.rosenbrock_path("momentum", lr=0.01, steps=500, momentum=0.0)
for beta, run in [(0.9, trajectory), (0.0, plain)]:
    print(
        f"beta = {beta}: leftmost x {run.x.min():.2f}, f after 50 steps {run.value[50]:.3f}, "
        f"after 500 {run.value[-1]:.5f}"
    )

fig, ax = plt.subplots(figsize=(4.5, 5), layout="constrained")
optimlab.plot_rosenbrock(ax, mark_minimum=True)
optimlab.plot_path(plain, ax, color="orange", label="beta = 0")
optimlab.plot_path(trajectory, ax, label="beta = 0.9")
ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.17), ncols=2)  # below
ax.set_title("With and without momentum, 500 steps of 0.01")
plt.show()

# %%
# What the figures show
# ---------------------
# .. fold-start:: What the two figures show, and the checks (code, output)
#
# * The path first heads left, away from the minimum (the gradient at the start points
#   that way, see the previous page), then turns right, sweeps through the bend of the
#   valley near :math:`(0.4, 0.1)` and climbs along its floor toward :math:`(1, 1)`, ever
#   more slowly as the slope flattens. After 500 steps it has not quite arrived:
#   :math:`f` has fallen from 6 to below 0.01, and the point is still more than 0.05
#   from the minimum.

claims.check(
    "the first steps go left, away from the minimum",
    trajectory.x[1] < -1 and trajectory.x[5] < -1,
    evidence=f"x after 1 and 5 steps: {trajectory.x[1]:.4f}, {trajectory.x[5]:.4f}",
    key="first_left",
)
lowest = trajectory.y.argmin()  # the bend of the valley
claims.check(
    "the bend (the path's lowest point) lies near (0.4, 0.1)",
    abs(trajectory.x[lowest] - 0.4) < 0.1 and trajectory.y[lowest] < 0.15,
    evidence=f"({trajectory.x[lowest]:.2f}, {trajectory.y[lowest]:.2f}) at step {lowest}",
    key="bend",
)
claims.check(
    "f goes down at every step",
    (np.diff(trajectory.value) < 0).all(),
    evidence=f"largest change {np.diff(trajectory.value).max():.1e}",
    key="downhill",
)
step_lengths = np.hypot(np.diff(trajectory.x), np.diff(trajectory.y))
late, middle = step_lengths[400:].mean(), step_lengths[100:200].mean()
claims.check(
    "steps 400-500 are under a fifth as long as steps 100-200",
    late < middle / 5,
    evidence=f"mean length {late:.4f} against {middle:.4f}",
    key="slowing",
)
end_gap = np.hypot(*(path[-1] - 1))
claims.check(
    "after 500 steps f < 0.01, yet the point is over 0.05 from (1, 1)",
    trajectory.value[-1] < 0.01 and end_gap > 0.05,
    evidence=f"f = {trajectory.value[-1]:.4f}, distance {end_gap:.3f}",
    key="not_arrived",
)

# %%
# * At this small step size, momentum changes the path little. The moving average
#   starts at zero, so the first steps are *shorter* than plain gradient descent's, yet
#   once built up it carries the point further left before it turns; after 50 steps
#   momentum is behind. The step is too small to make the point bounce across the
#   valley, so there is little for the averaging to smooth out, and after 500 steps the
#   two end points are within 0.005 of each other.

first_step = [np.hypot(run.x[1] - run.x[0], run.y[1] - run.y[0]) for run in (trajectory, plain)]
claims.check(
    "momentum's first step is shorter than plain descent's",
    first_step[0] < first_step[1],
    evidence=f"{first_step[0]:.4f} against {first_step[1]:.4f}",
    key="short_first_step",
)
claims.check(
    "momentum carries the point over 0.05 further left",
    trajectory.x.min() < plain.x.min() - 0.05,
    evidence=f"leftmost x {trajectory.x.min():.2f} against {plain.x.min():.2f}",
    key="further_left",
)
claims.check(
    "after 50 steps momentum is behind",
    trajectory.value[50] > plain.value[50],
    evidence=f"f = {trajectory.value[50]:.3f} against {plain.value[50]:.3f}",
    key="behind_at_50",
)
end_gap = np.hypot(trajectory.end[0] - plain.end[0], trajectory.end[1] - plain.end[1])
claims.check(
    "after 500 steps the two end points are within 0.005",
    end_gap < 0.005,
    evidence=f"distance {end_gap:.4f}",
    key="same_end",
    distance=end_gap,
)

# %%
# .. fold-end::

# %%
# .. fold:: How torch.optim.SGD's momentum differs from this one
#
#    Note that :torch-optim:`torch.optim.SGD <SGD>` with ``momentum=beta,
#    dampening=beta`` is not the same rule: it starts its average from the first full
#    gradient instead of :math:`(1 - \beta)` times it. With ``dampening=0``, its
#    default, it adds the gradients up instead of averaging them, which multiplies the
#    step by :math:`1 / (1 - \beta)`; the :ref:`momentum map
#    <sphx_glr_auto_examples_deeper_plot_12_momentum_map.py>` shows what beta buys in the
#    averaging rule. In :torch-optim:`Adam` and :torch-optim:`AdamW` the same average is
#    ``beta1`` (:ref:`its page in question 1
#    <sphx_glr_auto_examples_q1_one_setting_plot_06_beta1.py>`).
#
# **Takeaways**
#
# * One momentum step: forward, backward, then update the average and the point in place
#   under ``torch.no_grad()``; zero the gradients before the next step.
# * From :math:`(-1, 2)` the path goes left first, turns through the bend and creeps
#   along the valley floor: 500 steps of 0.01 leave it short of :math:`(1, 1)`.
# * This momentum *averages* gradients, so at a small step size it changes little.
#
# Next: :ref:`what weight decay does on this function
# <sphx_glr_auto_examples_q3_weight_decay_plot_10_weight_decay_rosenbrock.py>`.
