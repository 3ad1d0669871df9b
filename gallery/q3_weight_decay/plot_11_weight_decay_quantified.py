"""
======================================
Weight decay on Rosenbrock, quantified
======================================

The exercise's third question asks whether weight decay makes sense when minimising the
Rosenbrock function :math:`f(x, y) = (1 - x)^2 + 2\\,(y - x^2)^2`. Its answer is no:
weight decay fights overfitting, and a known function has nothing to overfit. This page
measures what decay does instead: it changes the function being minimised, so the point
an optimizer settles on moves away from the minimum (1, 1), and :math:`f` there is no
longer 0. We compute that point exactly for several decay strengths :math:`\\lambda`,
check that optimlab's momentum descent with decay ends there, and contrast AdamW, whose
decay ends somewhere else.
"""

# %%
# The minimum of the penalised function
# -------------------------------------
# Coupled L2 decay adds :math:`\lambda (x^2 + y^2) / 2` to :math:`f`. Its gradient is zero
# where :math:`y = 4x^2 / (4 + \lambda)` and :math:`\frac{8\lambda}{4 + \lambda} x^3 +
# (2 + \lambda)\, x = 2`, a strictly increasing cubic: one stationary point, the global
# minimum. :func:`optimlab.weight_decay.l2_minimiser` solves it in float64.

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

import optimlab
from optimlab.plotting import plot_decay_points
from optimlab.weight_decay import adamw_limit_point, l2_minimiser, momentum_fixed_point

decays = [0.0, 0.1, 0.3, 1.0, 3.0]
minimisers = [l2_minimiser(lam) for lam in decays]
distance = np.array([np.hypot(p.x - 1, p.y - 1) for p in minimisers])
values = np.array([p.value for p in minimisers])
print("lambda        x        y   f(x, y)  distance to (1, 1)")
for p, d in zip(minimisers, distance, strict=True):
    print(f"{p.weight_decay:6g}  {p.x:7.4f}  {p.y:7.4f}  {p.value:8.4f}  {d:8.4f}")

assert np.all(np.diff(distance) > 0)  # the end point moves away from (1, 1) as lambda grows
assert values[0] == 0 and np.all(np.diff(values) > 0)  # f > 0 with decay, growing with it
assert round(values[1], 3) == 0.013 and round(values[-1], 2) == 0.41  # quoted below

# %%
# Decoupled decay stops at the same point
# ---------------------------------------
# optimlab's momentum rule with decoupled decay (as in AdamW) is
# :math:`v \leftarrow \beta v + (1 - \beta)\nabla f`,
# :math:`\theta \leftarrow (1 - \eta\lambda)\,\theta - \eta v`. At a fixed point
# :math:`v = \nabla f` and :math:`\eta\,(\lambda\theta + \nabla f) = 0`: the step size
# cancels and the equation is that of the L2 minimum. :func:`optimlab.weight_decay.momentum_fixed_point`
# solves the fixed-point equations of the update itself, for any :math:`\eta` and
# :math:`\beta`, and lands on the same points.

settings = [(0.001, 0.0), (0.01, 0.9), (0.1, 0.5), (1.0, 0.99)]
gap = max(
    np.hypot(fixed.x - p.x, fixed.y - p.y)
    for p in minimisers
    for fixed in (momentum_fixed_point(p.weight_decay, lr, beta) for lr, beta in settings)
)
print(f"largest distance between fixed point and L2 minimiser: {gap:.1e}")
assert gap < 1e-10

# %%
# Momentum descent with decay ends there
# --------------------------------------
# The exercise's setting, lr 0.01 and beta 0.9, from (-1, 2), run for 3000 steps with
# ``weight_decay`` :math:`\lambda`. The exercise's demo takes 500 steps: enough for
# :math:`\lambda \ge 1`, not for the smaller ones. The penalty adds :math:`\lambda` to
# every curvature, so the flat direction of the valley gets steeper and the run settles
# sooner.

paths = [optimlab.optimize_rosenbrock(3000, lr=0.01, beta=0.9, weight_decay=lam) for lam in decays]
misses = []
for p, path in zip(minimisers, paths, strict=True):
    miss = np.hypot(path.end[0] - p.x, path.end[1] - p.y)
    misses.append(miss)
    print(
        f"lambda {p.weight_decay:g}: run ends at ({path.end[0]:.5f}, {path.end[1]:.5f}), "
        f"f = {path.value[-1]:.5f}; {miss:.1e} from the computed point (f = {p.value:.5f})"
    )
# float32 runs stall once a step is below half a unit in the last place of the coordinate.
assert max(misses) < 1e-4
at_500 = [
    np.hypot(path.x[500] - p.x, path.y[500] - p.y)
    for p, path in zip(minimisers, paths, strict=True)
]
flattest = [
    np.linalg.eigvalsh(
        [[2 - 8 * p.y + 24 * p.x**2 + p.weight_decay, -8 * p.x], [-8 * p.x, 4 + p.weight_decay]]
    ).min()
    for p in minimisers
]  # the smallest curvature of the penalised function at its minimum
for lam, distance_500, curvature in zip(decays, at_500, flattest, strict=True):
    print(
        f"lambda {lam:g}: {distance_500:.1e} away after 500 steps, "
        f"flattest curvature {curvature:.2f}"
    )
assert np.all(np.diff(at_500) < 0) and np.all(np.diff(flattest) > 0)
assert at_500[0] > 0.1 and max(at_500[3:]) < 1e-4  # lambda 0 far off, lambda >= 1 settled

fig, ax = plt.subplots(figsize=(7, 6))
optimlab.plot_rosenbrock(ax)
colors = plt.cm.autumn(np.linspace(0, 0.9, len(decays)))
for path, color, lam in zip(paths, colors, decays, strict=True):
    optimlab.plot_path(path, ax, color=color, label=f"λ = {lam:g}", show_ends=False)
plot_decay_points(minimisers, ax, label="L2 minimiser = fixed point")
ax.legend(loc="upper left", fontsize="small")
ax.set_title("Momentum (lr 0.01, beta 0.9) with decoupled weight decay")
plt.show()

# %%
# AdamW's decay ends somewhere else
# ---------------------------------
# AdamW divides the gradient by its running root mean square before it adds the decay.
# When the gradient is steady that ratio is :math:`\pm 1`, so a fixed point has
# :math:`\lambda\theta_i = -\operatorname{sign}(g_i)` or :math:`g_i = 0`: the conditions
# for minimising :math:`f` over the box :math:`|x|, |y| \le 1/\lambda`
# (:func:`optimlab.weight_decay.adamw_limit_point`). For :math:`\lambda \le 1` the box contains (1, 1)
# and the decay moves nothing; for :math:`\lambda = 3` the end point is
# :math:`(1/3, 1/9)`, on the edge of the dashed box. AdamW runs with lr 0.01 and
# ``betas=(0.9, 0.99)`` (a shorter memory of the large early gradients, so it settles
# within 3000 steps).

adamw_decays = [0.3, 3.0]
fig, ax = plt.subplots(figsize=(7, 6))
optimlab.plot_rosenbrock(ax, xlim=(-0.45, 1.25), ylim=(-0.45, 1.25))
box = 1 / adamw_decays[1]
ax.add_patch(
    Rectangle((-box, -box), 2 * box, 2 * box, fill=False, linestyle="--", color="tab:red")
)
for lam, color in zip(adamw_decays, ["tab:orange", "tab:red"], strict=True):
    path = optimlab.adamw_rosenbrock(3000, lr=0.01, weight_decay=lam, betas=(0.9, 0.99))
    limit, l2 = adamw_limit_point(lam), l2_minimiser(lam)
    to_limit = np.hypot(path.end[0] - limit.x, path.end[1] - limit.y)
    to_l2 = np.hypot(path.end[0] - l2.x, path.end[1] - l2.y)
    print(
        f"AdamW, lambda {lam:g}: ends at ({path.end[0]:.4f}, {path.end[1]:.4f}), "
        f"{to_limit:.4f} from its limit ({limit.x:.4f}, {limit.y:.4f}), "
        f"{to_l2:.4f} from the L2 minimiser ({l2.x:.4f}, {l2.y:.4f})"
    )
    assert to_limit < 0.01 and to_l2 > 0.04
    optimlab.plot_path(path, ax, color=color, label=f"AdamW, λ = {lam:g}", show_ends=False)
    plot_decay_points([limit], ax, marker="s", color=color, annotate=False)
    plot_decay_points([l2], ax, marker="o", color="white")
ax.plot([], [], "s", color="0.5", label="AdamW limit point")
ax.plot([], [], "o", color="white", markeredgecolor="0.5", label="L2 minimiser")
ax.legend(loc="upper left", fontsize="small")
ax.set_title("AdamW ends in the box |x|, |y| ≤ 1/λ, not at the L2 minimiser")
plt.show()

# %%
# What the numbers show
# ---------------------
# * The exercise is right that weight decay has no place here: every :math:`\lambda > 0`
#   moves the end point away from (1, 1) and leaves :math:`f > 0` there, more so as
#   :math:`\lambda` grows (:math:`f = 0.013` at :math:`\lambda = 0.1`, :math:`0.41` at
#   :math:`\lambda = 3`). The decay is not a nudge toward a better answer; it changes
#   the question. It does make the run settle sooner, by steepening the flat valley, but
#   it settles on the wrong point.
# * For plain momentum descent, decoupled decay and L2 decay are the same thing at the
#   end: the fixed point does not depend on lr or beta, and the float32 runs land on it.
#   lr and beta decide only whether, and how fast, the run gets there.
# * AdamW is different: its normalised gradient makes decay act like a box
#   :math:`|\theta_i| \le 1/\lambda`. A small :math:`\lambda` leaves the minimum alone; a
#   large one pins a coordinate to the edge of the box. This is why "weight decay" and
#   "L2 regularisation" are not interchangeable words for adaptive optimizers.
