"""
=================================
Momentum on Rosenbrock, mapped
=================================

The exercise runs its momentum descent once, with lr 0.01 and beta 0.9 for 500 steps,
and suggests playing with the settings. This page plays with all of them at once: 2050
runs over a grid of learning rates and momentum coefficients, stepped together as one
tensor by :func:`optimlab.momentum_map` (each cell is bit for bit the run
:func:`optimlab.optimize_rosenbrock` makes). For each run we record the value after 500
steps, the number of steps after which :math:`f \\le 0.01` holds for good, and whether the
run diverged (left :math:`|x|, |y| \\le 100`).
"""

# %%
# Run the grid
# ------------
# 41 learning rates from 0.001 to 10 (ten a decade) and 50 values of beta from 0 to 0.98.

import matplotlib.pyplot as plt
import numpy as np

import optimlab

lrs = 10.0 ** (np.arange(-30, 11) / 10)  # 0.001 ... 10, with 0.01 exactly on the grid
betas = np.round(np.linspace(0, 0.98, 50), 2)
result = optimlab.momentum_map(lrs, betas, steps=500, tol=0.01)
seed_i, seed_j = np.flatnonzero(lrs == 0.01)[0], np.flatnonzero(betas == 0.9)[0]
seed_steps = result.steps_to_tol[seed_i, seed_j]
print(f"runs: {result.diverged.size}, diverged: {result.diverged.sum()}")
assert result.diverged.size == 2050 and seed_steps > 400
print(
    f"the exercise's lr 0.01, beta 0.9: f = {result.final_value[seed_i, seed_j]:.4f} "
    f"after 500 steps, f <= 0.01 from step {seed_steps} on"
)

# %%
# Draw the map
# ------------
# Left, the value after 500 steps; right, the steps to reach :math:`f \le 0.01` for good.
# Red cells diverged, grey cells are still above 0.01 after 500 steps, and the star marks
# the exercise's setting.

fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5), layout="constrained")
result.plot(left)
result.plot(right, quantity="steps_to_tol")
left.set_title("Value after 500 steps")
right.set_title("Steps until f ≤ 0.01 for good")
plt.show()

# %%
# At a small learning rate, beta changes nothing
# ----------------------------------------------
# optimlab's momentum is an average, :math:`v = \beta v + (1 - \beta) g`: when the
# gradient changes slowly, :math:`v \approx g` and the step is :math:`\eta g` whatever
# beta is. At lr 0.01 the path creeps down the valley at that speed.

at_seed_lr = result.steps_to_tol[seed_i]
print(f"lr 0.01: steps until f <= 0.01 range from {at_seed_lr.min()} to {at_seed_lr.max()}")
assert at_seed_lr.min() > 0.9 * seed_steps and at_seed_lr.max() < 1.1 * seed_steps

# %%
# What beta buys: a larger stable learning rate
# ---------------------------------------------
# Near the minimum :math:`f` is a quadratic whose steepest curvature is
# :math:`h \approx 21.6`, and this momentum rule is stable on it for
# :math:`\eta < 2 (1 + \beta) / ((1 - \beta) h)`. The grid agrees on the trend: the
# largest learning rate that converges grows tenfold from beta 0 to beta 0.9, and stays
# below the quadratic bound (the path crosses steeper ground before it reaches the
# minimum). Above the first diverging learning rate, every larger one diverges too.

curvature = np.linalg.eigvalsh([[18.0, -8.0], [-8.0, 4.0]]).max()  # Hessian at (1, 1)
largest = {}
for j, beta in enumerate(betas):
    diverging = lrs[result.diverged[:, j]]
    assert np.all(result.diverged[lrs >= diverging.min(), j])  # divergence above a threshold
    largest[beta] = lrs[result.steps_to_tol[:, j] >= 0].max()
    if beta in (0.0, 0.5, 0.9):
        bound = 2 * (1 + beta) / ((1 - beta) * curvature)
        print(
            f"beta {beta:.1f}: largest converging lr {largest[beta]:.3g} (quadratic bound "
            f"{bound:.3g}), first diverging lr {diverging.min():.3g}"
        )
        assert largest[beta] < bound
assert largest[0.9] >= 10 * largest[0.0]

# %%
# Between converging and diverging
# --------------------------------
# Just below the divergence threshold lies a band of runs that neither converge nor blow
# up: they bounce across the valley through all 500 steps (at beta 0 and lr 0.1 to
# 0.16, between two points, a cycle).

bouncing = ~result.diverged & (result.steps_to_tol < 0) & (lrs[:, None] > 0.05)
print(f"runs with lr > 0.05 that stay bounded but never settle: {bouncing.sum()}")
cycle = optimlab.optimize_rosenbrock(500, lr=0.1, beta=0.0)
print(
    "lr 0.1, beta 0: last four points",
    np.round(np.column_stack([cycle.x[-4:], cycle.y[-4:]]), 4).tolist(),
)
bouncing_lrs = lrs[bouncing[:, 0]]
print(f"beta 0: bounded but unsettled at lr {np.round(bouncing_lrs, 3).tolist()}")
assert bouncing_lrs.min() >= 0.1 and bouncing_lrs.max() < 0.16
assert np.allclose(cycle.x[-1], cycle.x[-3]) and not np.isclose(cycle.x[-1], cycle.x[-2])

# %%
# The fastest setting
# -------------------

steps = np.where(result.steps_to_tol >= 0, result.steps_to_tol, np.iinfo(int).max)
best_i, best_j = np.unravel_index(steps.argmin(), steps.shape)
print(
    f"fastest: lr {lrs[best_i]:.3g}, beta {betas[best_j]:.2f}, f <= 0.01 from step "
    f"{steps[best_i, best_j]} on, {seed_steps / steps[best_i, best_j]:.0f} times fewer "
    f"steps than the exercise's setting"
)
assert steps[best_i, best_j] * 10 < seed_steps
edge = lrs[result.diverged[:, best_j]].min()
print(
    f"at beta {betas[best_j]:.2f} the run diverges from lr {edge:.3g} on: "
    f"{edge / lrs[best_i]:.2f} times the fastest lr"
)
assert edge / lrs[best_i] < 2

# %%
# What the map shows
# ------------------
# * The exercise's setting sits far to the left of where the action is: it converges, but
#   slowly (over 400 steps to :math:`f \le 0.01`), and at its learning rate beta makes no
#   difference, because this momentum averages gradients rather than adding them up. (In
#   PyTorch's ``SGD(momentum=beta)`` the buffer is :math:`v = \beta v + g`, which also
#   multiplies the step by :math:`1 / (1 - \beta)`; there, beta would look like a speed-up.)
# * What beta does buy is stability: a larger beta tolerates a learning rate about ten
#   times larger before the run diverges, and that larger learning rate is what makes
#   the run fast. The best cell on this grid is more than ten times faster than the
#   exercise's.
# * The edge is sharp: at the fastest cell's beta, a learning rate less than twice as
#   large diverges, so the fastest setting is also a fragile one.
