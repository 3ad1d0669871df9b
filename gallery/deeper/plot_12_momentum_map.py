r"""
=================================
Momentum on Rosenbrock, mapped
=================================

.. lesson::
   :figure: 2

   **Question.** What does beta buy momentum descent on Rosenbrock, over a grid of
   learning rates?

   **Answer.** Stability, which buys speed: at lr 0.01 beta changes nothing
   :verdict:`momentum_map:beta_irrelevant_at_small_lr`, but from beta 0 to 0.9 the
   largest converging lr grows
   :verdict-data:`momentum_map:beta_buys_stability:growth:.0f`-fold
   :verdict:`momentum_map:beta_buys_stability`; the fastest cell (lr
   :verdict-data:`momentum_map:fastest_cell:lr:.2g`, beta
   :verdict-data:`momentum_map:fastest_cell:beta:.1f`) is
   :verdict-data:`momentum_map:fastest_cell:speedup:.0f` times faster than the
   exercise's :verdict:`momentum_map:fastest_cell`.

**You will learn:** that no run more than 5% past the stability limit at the minimum
settles, while runs just inside it do; that at the exercise's small lr every beta takes
the same number of steps; that beta lets a more than tenfold larger lr converge, and that
the fastest setting sits just below the divergence edge, where less than twice its lr
diverges.

.. fold:: What the 2050 runs are, and what each records

   The exercise runs its momentum descent once (:ref:`by hand
   <sphx_glr_auto_examples_q2_momentum_plot_09_momentum_path.py>`), with lr 0.01 and beta 0.9
   for 500 steps, and suggests playing with the settings. This page plays with all of them at
   once: 2050 runs over a grid of learning rates and momentum coefficients, stepped together
   as one tensor by :func:`optimlab.momentum_map` (each cell is bit for bit the run
   ``optimlab.rosenbrock_path("momentum", lr, 500, momentum=beta)`` makes; ``momentum`` is
   the exercise's beta). For each run we record the value after 500
   steps, the number of steps after which :math:`f \le 0.01` holds for good, and what the
   run does by its end (:meth:`optimlab.Trajectory.outcome`, read off the last 50 steps):
   it *settles* (:math:`f \le 10^{-6}` throughout), *cycles* (bounded, bouncing without
   progress), *diverges* (leaves :math:`|x|, |y| \le 100`, or overflows) or still
   *descends*.
"""

# %%
# Run the grid
# ------------
# 41 learning rates from 0.001 to 10 (ten a decade) and 50 values of beta from 0 to 0.98.

import matplotlib.pyplot as plt
import numpy as np

import optimlab

claims = optimlab.Claims("momentum_map")
lrs = 10.0 ** (np.arange(-30, 11) / 10)  # 0.001 ... 10, with 0.01 exactly on the grid
betas = np.round(np.linspace(0, 0.98, 50), 2)
result = optimlab.momentum_map(lrs, momenta=betas, steps=500, tol=0.01)
seed_i, seed_j = np.flatnonzero(lrs == 0.01)[0], np.flatnonzero(betas == 0.9)[0]
seed_steps = result.steps_to_tol[seed_i, seed_j]
print(f"runs: {result.diverged.size}, diverged: {result.diverged.sum()}")
claims.check(
    "the exercise's lr 0.01, beta 0.9 takes over 400 steps to reach f <= 0.01 for good",
    result.diverged.size == 2050 and seed_steps > 400,
    evidence=f"from step {seed_steps} on; f = {result.final_value[seed_i, seed_j]:.4f} at 500",
    key="exercise_setting_slow",
)
outcomes, counts = np.unique(result.outcome, return_counts=True)
print("outcomes after 500 steps:", dict(zip(outcomes.tolist(), counts.tolist(), strict=True)))

# %%
# .. fold-start:: The fastest cell, found (code, output)
#
# The fastest cell, the one the :ref:`animation page
# <sphx_glr_auto_examples_deeper_plot_13_momentum_animation.py>` animates: the fewest steps
# to :math:`f \le 0.01` for good (on a tie, the smallest lr, then the smallest beta).

steps = np.where(result.steps_to_tol >= 0, result.steps_to_tol, np.iinfo(int).max)
best_i, best_j = np.unravel_index(steps.argmin(), steps.shape)
fastest = (lrs[best_i], betas[best_j])
ties = np.argwhere(steps <= steps[best_i, best_j] + 1)
print(f"fastest: lr {fastest[0]:.3g}, beta {fastest[1]:.2f}, {steps[best_i, best_j]} steps")
print(
    "within one step of it:",
    ", ".join(f"lr {lrs[i]:.3g} beta {betas[j]:.2f} ({steps[i, j]})" for i, j in ties),
)

# %%
# .. fold-end::

# %%
# The stability limit
# -------------------
# Past a learning rate that grows with beta, a run cannot settle at the minimum; the
# maps draw that limit as a dashed line.
#
# .. fold:: The stability limit, derived
#
#    Near the minimum :math:`f` is a quadratic whose steepest curvature is the largest
#    eigenvalue of the Hessian there, :math:`h \approx 21.6`. On a quadratic of curvature
#    :math:`h` the exercise's rule, :math:`v_t = \beta v_{t-1} + (1 - \beta) h \theta_{t-1}`,
#    :math:`\theta_t = \theta_{t-1} - \eta v_t`, is the recursion
#    :math:`\theta_t = (1 + \beta - \eta (1 - \beta) h)\, \theta_{t-1} - \beta\,
#    \theta_{t-2}`, which decays if and only if
#
#    .. math:: \eta\,(1 - \beta)\, h < 2 (1 + \beta),
#
#    (``optimlab.momentum.stable_lr_limit`` computes it). Past this limit a run cannot
#    settle at the minimum, whatever happened on the way there. The maps draw it as a
#    dashed line.

curvature = np.linalg.eigvalsh(optimlab.landscape.rosenbrock_hessian(1.0, 1.0)).max()
limit = 2 * (1 + betas) / ((1 - betas) * curvature)  # the largest stable lr, per beta
print(f"h = {curvature:.2f}; limit {limit[0]:.4f} at beta 0, {limit[-1]:.2f} at beta 0.98")

# %%
# Draw the map
# ------------
# First the value after 500 steps. Red cells diverged; the white plus marks the
# exercise's setting, a setting of lr and beta (the site keeps the star for the minimum
# of the landscape); the dashed line is the stability limit.
#
# .. fold-start:: The value after 500 steps (code, figure)

fig, ax = plt.subplots(figsize=(4.5, 3.6), layout="constrained")
result.plot(ax, curvature=curvature)
ax.set_title("Value after 500 steps")
plt.show()

# %%
# .. fold-end::
#
# Then the steps to reach :math:`f \le 0.01` for good; grey cells are still above 0.01
# after 500 steps. The orange plus is the fastest cell.

fig, ax = plt.subplots(figsize=(4.5, 3.6), layout="constrained")
result.plot(ax, quantity="steps_to_tol", curvature=curvature)
(plus,) = ax.plot(*fastest, "P", color="darkorange", markeredgecolor="black", markersize=11)
legend = ax.get_legend()  # add the fastest cell to the map's own legend
ax.legend(
    [*legend.legend_handles, plus],
    [text.get_text() for text in legend.get_texts()]
    + [f"fastest: lr {fastest[0]:.3g}, beta {fastest[1]:.2f}"],
    loc="lower left",
    fontsize="small",
)
ax.set_title("Steps until f ≤ 0.01 for good")
plt.show()

# %%
# What the limit explains
# -----------------------
# No run past the limit settles; the limit is sharp, and some runs inside it diverge.
#
# .. fold-start:: What the limit explains, and the checks (code, output)
#
# No cell to the right of the dashed line settles: past the limit, the minimum repels
# the run, which bounces in a cycle or leaves the valley. The limit is sharp: cells just
# to its left settle. It is a limit at the minimum, not on the way there: some cells to
# its left diverge too, because the path crosses steeper ground (a larger curvature)
# before it reaches the minimum.

ratio = lrs[:, None] / limit[None, :]  # lr as a multiple of its beta's limit
past, near_below = ratio > 1.05, (ratio > 0.9) & (ratio <= 1)
settled = result.outcome == "settles"
print(f"cells more than 5% past the limit: {past.sum()}, of which settle: {settled[past].sum()}")
claims.check(
    "no cell more than 5% past the stability limit settles",
    past.sum() > 100 and not settled[past].any(),
    evidence=f"{past.sum()} cells: {(result.outcome[past] == 'cycles').sum()} cycle, "
    f"{(result.outcome[past] == 'diverges').sum()} diverge",
    key="past_limit_unsettled",
)
claims.check(
    "cells within 10% below the limit settle: the limit is sharp",
    settled[near_below].sum() >= 3,
    evidence=f"{settled[near_below].sum()} of {near_below.sum()} settle; the closest at "
    f"{ratio[settled].max():.3f} times the limit",
    key="limit_is_sharp",
)
inside_diverged = result.diverged & (ratio < 0.95)
claims.check(
    "some cells more than 5% inside the limit diverge on the way",
    inside_diverged.sum() >= 5,
    evidence=f"{inside_diverged.sum()} cells, from {ratio[inside_diverged].min():.2f} times "
    "the limit",
    key="diverge_on_the_way",
)

# %%
# .. fold-end::

# %%
# At a small lr, beta does nothing
# --------------------------------
# .. fold-start:: Why, and the check (code, output)
#
# optimlab's momentum is an average, :math:`v = \beta v + (1 - \beta) g`: when the
# gradient changes slowly, :math:`v \approx g` and the step is :math:`\eta g` whatever
# beta is. At lr 0.01 the path creeps down the valley at that speed.

at_seed_lr = result.steps_to_tol[seed_i]
claims.check(
    "at lr 0.01, every beta reaches f <= 0.01 within 10% of the exercise's step count",
    at_seed_lr.min() > 0.9 * seed_steps and at_seed_lr.max() < 1.1 * seed_steps,
    evidence=f"from {at_seed_lr.min()} to {at_seed_lr.max()} steps, against {seed_steps}",
    key="beta_irrelevant_at_small_lr",
)

# %%
# .. fold-end::

# %%
# What beta buys
# --------------
# The limit grows with beta, as :math:`(1 + \beta) / (1 - \beta)`: 19 times larger at
# beta 0.9 than at beta 0. The grid agrees on the trend: the largest learning rate that
# converges grows more than tenfold from beta 0 to beta 0.9, and stays below the limit.
# Above the first diverging learning rate, every larger one diverges too.
# .. fold-start:: The largest converging learning rates, and the checks (code, output)

largest, first_diverging, threshold_holds, below_bound = {}, {}, [], []
for j, beta in enumerate(betas):
    diverging = lrs[result.diverged[:, j]]
    first_diverging[beta] = diverging.min()
    threshold_holds.append(np.all(result.diverged[lrs >= diverging.min(), j]))
    largest[beta] = lrs[result.steps_to_tol[:, j] >= 0].max()
    if beta in (0.0, 0.5, 0.9):
        below_bound.append(largest[beta] < limit[j])
        print(
            f"beta {beta:.1f}: largest converging lr {largest[beta]:.3g} (the limit "
            f"{limit[j]:.3g}), first diverging lr {diverging.min():.3g}"
        )
claims.check(
    "from beta 0 to 0.9 the largest converging lr grows at least tenfold",
    largest[0.9] >= 10 * largest[0.0],
    evidence=f"{largest[0.0]:.3g} to {largest[0.9]:.3g}",
    key="beta_buys_stability",
    growth=float(largest[0.9] / largest[0.0]),
    diverging_growth=float(first_diverging[0.9] / first_diverging[0.0]),
    diverging_0=float(first_diverging[0.0]),
    diverging_09=float(first_diverging[0.9]),
)
claims.check(
    "at beta 0, 0.5 and 0.9 the largest converging lr is below the stability limit",
    all(below_bound),
    evidence=f"h = {curvature:.1f}",
    key="below_quadratic_bound",
)
claims.check(
    "for every beta, every lr above the first diverging one diverges too",
    all(threshold_holds),
    evidence=f"{sum(threshold_holds)} of {len(betas)} betas",
    key="divergence_threshold",
)

# %%
# .. fold-end::

# %%
# Bounded, never settling
# -----------------------
# Just below the divergence threshold, past the stability limit, lies a band of runs
# that neither converge nor blow up: they bounce across the valley through all 500 steps
# (at beta 0 and lr 0.1 to 0.16, between two points, a cycle).
#
# .. fold-start:: The bouncing runs, and the checks (code, output)

bouncing = ~result.diverged & (result.steps_to_tol < 0) & (lrs[:, None] > 0.05)
print(f"runs with lr > 0.05 that stay bounded but never settle: {bouncing.sum()}")
cycle = optimlab.rosenbrock_path("momentum", lr=0.1, steps=500, momentum=0.0)
print(
    "lr 0.1, beta 0: last four points",
    np.round(np.column_stack([cycle.x[-4:], cycle.y[-4:]]), 4).tolist(),
)
bouncing_lrs = lrs[bouncing[:, 0]]
claims.check(
    "at beta 0, the bounded runs that never settle have lr 0.1 to 0.16",
    bouncing_lrs.min() >= 0.1 and bouncing_lrs.max() < 0.16,
    evidence="lr " + ", ".join(f"{lr:.3g}" for lr in bouncing_lrs),
    key="bouncing_band",
)
claims.check(
    "at lr 0.1, beta 0, the run ends in a two-point cycle",
    np.allclose(cycle.x[-1], cycle.x[-3]) and not np.isclose(cycle.x[-1], cycle.x[-2]),
    evidence=f"x alternates {cycle.x[-2]:.4f}, {cycle.x[-1]:.4f}",
    key="two_point_cycle",
)

# %%
# .. fold-end::

# %%
# The fastest setting
# -------------------
# .. fold-start:: The two claims about the fastest cell, checked (code, output)

claims.check(
    "the fastest cell needs under a tenth of the exercise's steps",
    steps[best_i, best_j] * 10 < seed_steps,
    evidence=f"lr {lrs[best_i]:.3g}, beta {betas[best_j]:.2f}: {steps[best_i, best_j]} steps, "
    f"{seed_steps / steps[best_i, best_j]:.0f} times fewer",
    key="fastest_cell",
    speedup=float(seed_steps / steps[best_i, best_j]),
    lr=float(lrs[best_i]),
    beta=float(betas[best_j]),
)  # fmt: skip
edge = lrs[result.diverged[:, best_j]].min()
claims.check(
    "at the fastest cell's beta, less than twice its lr diverges",
    edge / lrs[best_i] < 2,
    evidence=f"diverges from lr {edge:.3g}, {edge / lrs[best_i]:.2f} times the fastest",
    key="fragile_edge",
)

# %%
# .. fold-end::

# %%
# What the map shows
# ------------------
# .. fold:: The four observations, in detail
#
#    * The exercise's setting sits far to the left of where the action is: it converges,
#      but slowly (over 400 steps to :math:`f \le 0.01`), and at its learning rate beta
#      makes no difference, because this momentum averages gradients rather than adding them up.
#      (In PyTorch's :torch-optim:`SGD` with ``momentum=beta`` the buffer is
#      :math:`v = \beta v + g`, which also multiplies the step by
#      :math:`1 / (1 - \beta)`; there, beta would look like a speed-up.)
#    * What beta does buy is stability: from beta 0 to 0.9 the largest converging learning
#      rate grows :verdict-data:`momentum_map:beta_buys_stability:growth:.0f`-fold, and the
#      first diverging one
#      :verdict-data:`momentum_map:beta_buys_stability:diverging_growth:.1f`-fold (from
#      :verdict-data:`momentum_map:beta_buys_stability:diverging_0:.2g` to
#      :verdict-data:`momentum_map:beta_buys_stability:diverging_09:.3g`), and a larger
#      learning rate is what makes a run fast. The best cell on this grid (lr
#      :verdict-data:`momentum_map:fastest_cell:lr:.2g`, beta
#      :verdict-data:`momentum_map:fastest_cell:beta:.1f`) is
#      :verdict-data:`momentum_map:fastest_cell:speedup:.0f` times faster than the
#      exercise's.
#    * The edge is sharp: at the fastest cell's beta, a learning rate less than twice as
#      large diverges, so the fastest setting is also a fragile one.
#    * The stability limit of the quadratic at the minimum draws the right-hand edge of
#      the settling region: no run more than 5% past it settles; they cycle or diverge.
#      Runs can fail to its left too (steeper ground on the way), never settle to its
#      right.
#
# **Takeaways**
#
# * In the exercise's rule, :math:`v = \beta v + (1 - \beta) g`, beta does not speed the
#   descent up at a small lr; it lets a larger lr stay stable.
# * Speed comes from that larger lr: the fastest cell is over ten times faster than the
#   exercise's setting, and sits just below the divergence edge.
# * Watch the fastest of these runs (the orange plus) move on :ref:`the animation page
#   <sphx_glr_auto_examples_deeper_plot_13_momentum_animation.py>`, which computes this
#   map again to find it.
