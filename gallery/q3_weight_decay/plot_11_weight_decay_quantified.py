"""
======================================
Weight decay on Rosenbrock, quantified
======================================

.. lesson::
   :figure: 2

   **Question.** Where does weight decay :math:`\\lambda` move the end point, for
   momentum descent and for :torch-optim:`AdamW`?

   **Answer.** Momentum descent ends at the minimiser of :math:`f + \\tfrac{\\lambda}{2}
   (x^2 + y^2)` :verdict:`weight_decay_quantified:fixed_point_is_l2`: :math:`f` =
   :verdict-data:`weight_decay_quantified:value_grows:values:.2g` for :math:`\\lambda`
   = :verdict-data:`weight_decay_quantified:value_grows:decays:g`. AdamW ends near that
   of :math:`f` over the box :math:`|x|, |y| \\le 1/\\lambda`: at (1, 1), :math:`f = 0`,
   while :math:`\\lambda \\le 1` :verdict:`weight_decay_quantified:adamw_keeps_minimum`.

**You will learn:** that decay changes the function minimised rather than nudging the
answer; that it makes the run settle sooner by steepening the flat valley; that for AdamW
"weight decay" and "L2" are not the same thing.

.. fold:: What this page computes

   The exercise's third question asks whether weight decay makes sense when minimising the
   Rosenbrock function :math:`f(x, y) = (1 - x)^2 + 2\\,(y - x^2)^2`. Its answer is no:
   weight decay fights overfitting, and a known function has nothing to overfit. This page
   measures what decay does instead: it changes the function being minimised, so the point
   an optimizer settles on moves away from the minimum (1, 1), and :math:`f` there is no
   longer 0. We compute that point exactly for several decay strengths :math:`\\lambda`,
   check that optimlab's momentum descent with decay ends there (the heavy-ball rule,
   which :torch-optim:`SGD` with momentum takes only at lr :math:`\\eta(1 - \\beta)`: see
   :ref:`the momentum path page
   <sphx_glr_auto_examples_q2_momentum_plot_09_momentum_path.py>`), and contrast AdamW,
   whose decay ends somewhere else. The :ref:`previous page
   <sphx_glr_auto_examples_q3_weight_decay_plot_10_weight_decay_rosenbrock.py>` ran three
   decays; the function and its minimum are drawn on :ref:`the Rosenbrock page
   <sphx_glr_auto_examples_q2_momentum_plot_08_rosenbrock.py>`.
"""

# %%
# The minimum of the penalised function
# -------------------------------------
# Coupled L2 decay adds :math:`\lambda (x^2 + y^2) / 2` to :math:`f`. Its gradient is zero
# where :math:`y = 4x^2 / (4 + \lambda)` and :math:`\frac{8\lambda}{4 + \lambda} x^3 +
# (2 + \lambda)\, x = 2`, a strictly increasing cubic: one stationary point, the global
# minimum. :func:`optimlab.l2_minimiser` solves it in float64.
#
# .. fold-output:: The minimisers and their checks, printed

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import Rectangle

import optimlab
from optimlab import adamw_limit_point, l2_minimiser, momentum_fixed_point, plot_decay_points

claims = optimlab.Claims("weight_decay_quantified")
decays = [0.0, 0.1, 0.3, 1.0, 3.0]
minimisers = [l2_minimiser(lam) for lam in decays]
distance = np.array([np.hypot(p.x - 1, p.y - 1) for p in minimisers])
values = np.array([p.value for p in minimisers])
print(f"{'lambda':>6}  {'x':>7}  {'y':>7}  {'f(x, y)':>8}  {'to (1,1)':>8}")
for p, d in zip(minimisers, distance, strict=True):
    print(f"{p.weight_decay:6g}  {p.x:7.4f}  {p.y:7.4f}  {p.value:8.4f}  {d:8.4f}")

# %%
# .. fold-start:: The minimisers, checked (code, output)

claims.check(
    "the larger lambda, the further the minimiser from (1, 1)",
    np.all(np.diff(distance) > 0),
    evidence="distances " + ", ".join(f"{d:.3f}" for d in distance),
    key="minimiser_moves_away",
)
claims.check(
    "f = 0 without decay, above 0 for every lambda > 0 and growing with it",
    values[0] == 0 and values[1] > 0 and np.all(np.diff(values) > 0),
    evidence="f " + ", ".join(f"{v:.3g}" for v in values),
    key="value_grows",
    decays=decays[1:],  # the lambdas > 0, as the answer box quotes them
    values=values[1:],
)

# %%
# .. fold-end::
#
# Decoupled decay stops at the same point
# ---------------------------------------
# .. fold:: Why: the fixed point of the update is the L2 minimum
#
#    optimlab's momentum rule with decoupled decay (as in AdamW) is
#    :math:`v \leftarrow \beta v + (1 - \beta)\nabla f`,
#    :math:`\theta \leftarrow (1 - \eta\lambda)\,\theta - \eta v`. At a fixed point
#    :math:`v = \nabla f` and :math:`\eta\,(\lambda\theta + \nabla f) = 0`: the step size
#    cancels and the equation is that of the L2 minimum.
#    :func:`optimlab.momentum_fixed_point` solves the fixed-point equations of
#    the update itself, for any :math:`\eta` and :math:`\beta`, and lands on the same
#    points.
#
# .. fold-start:: The fixed points, solved and compared (code, output)

settings = [(0.001, 0.0), (0.01, 0.9), (0.1, 0.5), (1.0, 0.99)]
gap = max(
    np.hypot(fixed.x - p.x, fixed.y - p.y)
    for p in minimisers
    for fixed in (momentum_fixed_point(p.weight_decay, lr, beta) for lr, beta in settings)
)
claims.check(
    "for every lr and beta tried, the fixed point is the L2 minimiser",
    gap < 1e-10,
    evidence=f"largest distance {gap:.1e}",
    key="fixed_point_is_l2",
)

# %%
# .. fold-end::
#
# Momentum descent with decay ends there
# --------------------------------------
# .. fold:: The setting, and why decay settles sooner
#
#    The exercise's setting, lr 0.01 and beta 0.9, from (-1, 2), run for 3000 steps with
#    ``weight_decay`` :math:`\lambda`. The exercise's demo takes 500 steps: enough for
#    :math:`\lambda \ge 1`, not for the smaller ones. The penalty adds :math:`\lambda` to
#    every curvature, so the flat direction of the valley gets steeper and the run settles
#    sooner.
#
#
# .. fold-start:: The runs and their checks (code, output)

paths = [
    optimlab.rosenbrock_path("momentum", lr=0.01, steps=3000, momentum=0.9, weight_decay=lam)
    for lam in decays
]
misses = []
for p, path in zip(minimisers, paths, strict=True):
    miss = np.hypot(path.end[0] - p.x, path.end[1] - p.y)
    misses.append(miss)
    print(
        f"lambda {p.weight_decay:g}: run ends at ({path.end[0]:.5f}, {path.end[1]:.5f}), "
        f"f = {path.value[-1]:.5f}; {miss:.1e} from the computed point (f = {p.value:.5f})"
    )
# float32 runs stall once a step is below half a unit in the last place of the coordinate.
claims.check(
    "every 3000-step run ends within 1e-4 of its computed point",
    max(misses) < 1e-4,
    evidence=f"largest miss {max(misses):.1e}",
    key="runs_reach_fixed_point",
)
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
claims.check(
    "the larger lambda, the steeper the flattest direction and the nearer after 500 steps",
    np.all(np.diff(at_500) < 0) and np.all(np.diff(flattest) > 0),
    evidence="after 500 steps " + ", ".join(f"{d:.1e}" for d in at_500),
    key="decay_settles_sooner",
)
claims.check(
    "500 steps: lambda = 0 is over 0.1 away, lambda >= 1 within 1e-4",
    at_500[0] > 0.1 and max(at_500[3:]) < 1e-4,
    evidence=f"{at_500[0]:.2f} and {max(at_500[3:]):.1e}",
    key="settled_at_500",
)

# %%
# .. fold-end::
#
# The paths, with the computed points (diamonds) and the minimum (star):

fig, ax = plt.subplots(figsize=(4.5, 6), layout="constrained")
optimlab.plot_rosenbrock(ax, mark_minimum=True)
colors = plt.cm.autumn(np.linspace(0, 0.9, len(decays)))
for path, color, lam in zip(paths, colors, decays, strict=True):
    optimlab.plot_path(path, ax, color=color, label=f"λ = {lam:g}", show_ends=False)
plot_decay_points(minimisers, ax, label="L2 minimiser = fixed point")
ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.17), ncols=2)  # below
ax.set_title("Momentum (lr 0.01, beta 0.9) with decoupled weight decay")
plt.show()


# %%
# AdamW's decay ends somewhere else
# ---------------------------------
#
# .. fold-start:: Why: AdamW's decay acts like a box (the derivation, a one-step check)
#
# AdamW divides the gradient by a running root mean square before it adds the decay,
#
# .. math:: \theta_i \leftarrow \theta_i\,(1 - \eta\lambda)
#           - \eta\,\frac{\hat m_i}{\sqrt{\hat v_i} + \epsilon},
#
# where :math:`\hat m` and :math:`\hat v` are the bias-corrected running means of
# :math:`g` and :math:`g^2`. If a run stopped at a point, its gradient would be steady, so
# :math:`\hat m = g`, :math:`\hat v = g^2`, and the point would satisfy
#
# .. math:: \lambda\theta_i = -\frac{g_i}{|g_i| + \epsilon}.
#
# So :math:`|\theta_i| < 1/\lambda`, and :math:`g_i = 0` is possible only at
# :math:`\theta_i = 0`: with no gradient to oppose it, the decay keeps shrinking
# :math:`\theta_i`. One AdamW step on a parameter whose gradient is zero shows it:

theta = torch.tensor([0.5], requires_grad=True)
optimizer = torch.optim.AdamW([theta], lr=0.01, weight_decay=0.3)
(0 * theta).sum().backward()  # a zero gradient
optimizer.step()
claims.check(
    "with a zero gradient, AdamW's decay still moves the parameter",
    theta.item() < 0.5,
    evidence=f"0.5 becomes {theta.item():.4f}, that is 0.5 (1 - 0.01 x 0.3)",
    key="zero_gradient_decays",
)

# %%
# As :math:`\epsilon \to 0`, each coordinate either goes to the edge of the box
# :math:`|x|, |y| \le 1/\lambda`, with the descent direction :math:`-g` pointing out
# of it (the decay holding it back), or has
# :math:`g_i \to 0` inside it: the first-order conditions for minimising :math:`f` over
# the box. That minimiser is :func:`optimlab.adamw_limit_point`: (1, 1)
# while the box contains it (:math:`\lambda \le 1`), else :math:`(1/\lambda,
# 1/\lambda^2)`, on the edge :math:`x = 1/\lambda`.
#
# .. fold-end::
#
# .. fold:: How AdamW is run here
#
#    Now run AdamW with lr 0.01 and ``betas=(0.9, 0.99)`` (a shorter memory of the large
#    early gradients, so it gets there within 3000 steps) for :math:`\lambda = 0.3` and 3. The
#    loop is that of :func:`optimlab.rosenbrock_path` with ``"adamw"`` (whose ``momentum`` is
#    AdamW's ``beta1``); it also records the gradient and AdamW's normalised step
#    :math:`\hat m / (\sqrt{\hat v} + \epsilon)`, read from the optimizer's state.
#
#
# .. fold-start:: The loop, and a check against optimlab's runner (code, output)


def adamw_run(steps, lr, weight_decay, start=(-1.0, 2.0), betas=(0.9, 0.99), eps=1e-8):
    """AdamW on Rosenbrock: the points, the gradients and m_hat / (sqrt(v_hat) + eps)."""
    theta = torch.tensor(start, requires_grad=True)
    optimizer = torch.optim.AdamW([theta], lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
    points, grads, ratios = [start], [], []
    for step in range(1, steps + 1):
        optimizer.zero_grad()
        optimlab.rosenbrock(theta[0], theta[1]).backward()
        grads.append(theta.grad.tolist())
        optimizer.step()
        state = optimizer.state[theta]
        m_hat = state["exp_avg"] / (1 - betas[0] ** step)
        v_hat = state["exp_avg_sq"] / (1 - betas[1] ** step)
        ratios.append((m_hat / (v_hat.sqrt() + eps)).tolist())
        points.append(theta.tolist())
    return np.array(points), np.array(grads), np.array(ratios)


reference = optimlab.rosenbrock_path(
    "adamw", lr=0.01, steps=200, momentum=0.9, beta2=0.99, weight_decay=0.3
)
claims.check(
    "this loop takes the very steps of optimlab.rosenbrock_path",
    np.array_equal(adamw_run(200, 0.01, 0.3)[0], np.c_[reference.x, reference.y]),
    evidence="200 steps compared",
    key="same_as_rosenbrock_path",
)

# %%
# .. fold-end::
#
# Run it for both decays and draw where each run ends:
#
# .. fold-output:: Where AdamW ends, and the checks, printed

adamw_decays = [0.3, 3.0]
adamw_runs = {lam: adamw_run(3000, 0.01, lam) for lam in adamw_decays}
fig, ax = plt.subplots(figsize=(4.5, 6), layout="constrained")
optimlab.plot_rosenbrock(ax, xlim=(-0.45, 1.25), ylim=(-0.45, 1.25), mark_minimum=True)
box = 1 / adamw_decays[1]
ax.add_patch(
    Rectangle((-box, -box), 2 * box, 2 * box, fill=False, linestyle="--", color="tab:red")
)
for lam, color in zip(adamw_decays, ["tab:orange", "tab:red"], strict=True):
    points = adamw_runs[lam][0]
    limit, l2 = adamw_limit_point(lam), l2_minimiser(lam)
    to_limit = np.hypot(points[-1, 0] - limit.x, points[-1, 1] - limit.y)
    to_l2 = np.hypot(points[-1, 0] - l2.x, points[-1, 1] - l2.y)
    print(
        f"AdamW, lambda {lam:g}: ends at ({points[-1, 0]:.4f}, {points[-1, 1]:.4f}); "
        f"limit ({limit.x:.4f}, {limit.y:.4f}); L2 minimiser ({l2.x:.4f}, {l2.y:.4f})"
    )
    claims.check(
        f"AdamW with lambda {lam:g} ends within 0.01 of its limit point, over 0.04 from L2's",
        to_limit < 0.01 and to_l2 > 0.04,
        evidence=f"{to_limit:.4f} and {to_l2:.4f}",
        key=f"adamw_limit_{lam:g}",
    )
    ax.plot(points[:, 0], points[:, 1], color=color, label=f"AdamW, λ = {lam:g}")
    plot_decay_points([limit], ax, marker="h", color=color, annotate=False)
    plot_decay_points([l2], ax, color="white")
limit_values = {lam: adamw_limit_point(lam).value for lam in decays[1:]}
claims.check(
    "AdamW's limit point is the minimum (1, 1), f = 0, while the box contains it "
    "(lambda <= 1), with f > 0 beyond; the lambda 0.3 run ends within 0.01 of (1, 1)",
    all((v == 0) == (lam <= 1) for lam, v in limit_values.items())
    and np.hypot(*(adamw_runs[0.3][0][-1] - 1)) < 0.01,
    evidence=", ".join(f"λ = {lam:g}: f {v:.2g}" for lam, v in limit_values.items()),
    key="adamw_keeps_minimum",
)
ax.plot([], [], "h", color="0.5", markeredgecolor="black", label="AdamW limit point")
ax.plot([], [], "D", color="white", markeredgecolor="black", label="L2 minimiser")
ax.plot([], [], linestyle="--", color="tab:red", label="box |x|, |y| ≤ 1/3")
ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.17), ncols=2)  # below
ax.set_title("AdamW ends near the box's minimiser, not at L2's")
plt.show()

# %%
# Does AdamW stop there?
# ----------------------
# Not quite: a coordinate whose gradient would have to vanish hovers, at a distance that
# shrinks with the learning rate.
#
# .. fold-start:: The last 500 steps, and the hover at a tenth of the rate (code, output)
#
# Not quite. Look at the last 500 of the 3000 steps. With :math:`\lambda = 3`, the
# gradient in :math:`x` keeps its sign, the normalised step is :math:`-1`, and :math:`x`
# sits on the edge :math:`1/\lambda`: a fixed point in that coordinate. The gradient in
# :math:`y` would have to vanish, so :math:`y` cannot stop: it hovers, its gradient
# changing sign from step to step, which keeps :math:`|\hat m_y| / \sqrt{\hat v_y}`
# below 1, and on average :math:`\lambda y` balances that normalised step. With
# :math:`\lambda = 0.3` both coordinates hover that way around (1, 1).


def last_steps(lam, n=500):
    """The last n points, gradients and normalised steps of the lr 0.01 run."""
    points, grads, ratios = adamw_runs[lam]
    return points[-n:], grads[-n:], ratios[-n:]


points, grads, ratios = last_steps(3.0)
x_flips, y_flips = (np.diff(np.sign(grads), axis=0) != 0).mean(axis=0)
claims.check(
    "lambda 3: x settles on the edge, its gradient steady, its normalised step -1",
    x_flips == 0
    and np.abs(3.0 * points[:, 0] - 1).max() < 1e-3
    and np.abs(ratios[:, 0] + 1).max() < 1e-3,
    evidence=f"3x = {3.0 * points[-1, 0]:.5f}, step {ratios[-1, 0]:.5f}, no sign change",
    key="edge_coordinate_settles",
)
mean_y, mean_step = points[:, 1].mean(), ratios[:, 1].mean()
claims.check(
    "lambda 3: y hovers, its gradient changing sign on over a third of the steps, "
    "its |normalised step| below 1, on average balancing the decay",
    y_flips > 1 / 3 and np.abs(ratios[:, 1]).max() < 1 and abs(3.0 * mean_y + mean_step) < 0.01,
    evidence=f"{y_flips:.0%} of steps; largest |step| {np.abs(ratios[:, 1]).max():.2f}; "
    f"3 mean(y) = {3.0 * mean_y:.3f}, mean step {mean_step:.3f}",
    key="hovering_coordinate",
)  # fmt: skip
points, grads, ratios = last_steps(0.3)
flips = (np.diff(np.sign(grads), axis=0) != 0).mean(axis=0)
claims.check(
    "lambda 0.3: both coordinates hover, their gradients changing sign",
    flips.min() > 1 / 3 and np.abs(ratios).max() < 1,
    evidence=f"{flips[0]:.0%} and {flips[1]:.0%} of steps, largest |normalised step| "
    f"{np.abs(ratios).max():.2f}",
    key="both_hover",
)  # fmt: skip

# %%
# The hover shrinks with the step size. Continue each run from where it ended, at lr
# 0.001 for 2000 steps, and compare the mean distance from the limit point over the last
# 1000 steps:

hover = {}
for lam in adamw_decays:
    limit = adamw_limit_point(lam)
    big = adamw_runs[lam][0][-1000:]
    small = adamw_run(2000, 0.001, lam, start=tuple(big[-1]))[0][-1000:]
    hover[lam] = [np.hypot(p[:, 0] - limit.x, p[:, 1] - limit.y).mean() for p in (big, small)]
    print(f"lambda {lam:g}: {hover[lam][0]:.1e} at lr 0.01, {hover[lam][1]:.1e} at lr 0.001")
claims.check(
    "a tenth of the learning rate brings AdamW over five times nearer its limit point",
    all(small < big / 5 for big, small in hover.values()),
    evidence=", ".join(f"λ = {lam:g}: {b / s:.1f} times" for lam, (b, s) in hover.items()),
    key="hover_shrinks_with_lr",
)

# %%
# .. fold-end::
#
# What the numbers show
# ---------------------
# .. fold:: Point by point
#
#    * The exercise is right that weight decay has no place here: for momentum descent
#      every :math:`\lambda > 0` moves the end point away from (1, 1) and leaves
#      :math:`f > 0` there, more so as :math:`\lambda` grows (:math:`f` =
#      :verdict-data:`weight_decay_quantified:value_grows:values:.2g` at :math:`\lambda` =
#      :verdict-data:`weight_decay_quantified:value_grows:decays:g`). The decay is not a
#      nudge toward a better answer; it changes the question. It does make the run settle
#      sooner, by steepening the flat valley, but it settles on the wrong point.
#    * For plain momentum descent, decoupled decay and L2 decay are the same thing at the
#      end: the fixed point does not depend on lr or beta, and the float32 runs land on it.
#      lr and beta decide only whether, and how fast, the run gets there.
#    * AdamW is different: its normalised step makes decay act like a box
#      :math:`|\theta_i| \le 1/\lambda`. A :math:`\lambda \le 1`, whose box contains
#      (1, 1), leaves the minimum alone (the :math:`\lambda = 0.3` run ends within 0.01 of
#      it); a larger one pins a coordinate to the edge of the box. A coordinate whose gradient
#      would have to vanish never stops: it hovers, at a distance that shrinks with the
#      learning rate. This is why "weight decay" and "L2 regularisation" are not
#      interchangeable words for adaptive optimizers (:ref:`AdamW's weight decay on the
#      network <sphx_glr_auto_examples_q1_one_setting_plot_05_weight_decay.py>`).
#
#
# **Takeaways**
#
# * With decay :math:`\lambda`, momentum descent ends at the minimiser of
#   :math:`f + \tfrac{\lambda}{2}(x^2 + y^2)`, whatever lr and beta are.
# * AdamW's decay ends near the minimiser of :math:`f` over the box
#   :math:`|x|, |y| \le 1/\lambda` instead, hovering rather than stopping.
# * Momentum descent ends where :math:`f > 0` for every :math:`\lambda > 0`
#   (:verdict-data:`weight_decay_quantified:value_grows:values:.2g` for :math:`\lambda` =
#   :verdict-data:`weight_decay_quantified:value_grows:decays:g`); AdamW keeps the minimum
#   while its box contains it (:math:`\lambda \le 1`) and ends where :math:`f > 0` only
#   beyond. On a function with nothing to overfit, weight decay can only move the answer.
