r"""
=========================
Momentum paths, animated
=========================

.. lesson::
   :figure: 2

   **Question.** How does the point move at the exercise's setting, and at the fastest
   setting of the momentum map?

   **Answer.** The exercise's run only goes downhill
   :verdict:`momentum_animation:slow_downhill` and reaches :math:`f \le 0.01` at step
   :verdict-data:`momentum_animation:fast_arrives_first:slow_steps`; the fastest goes
   uphill on its first step :verdict:`momentum_animation:fast_goes_uphill`, yet gets
   there at step :verdict-data:`momentum_animation:fast_arrives_first:fast_steps`
   :verdict:`momentum_animation:fast_arrives_first`.

**You will learn:** that at the exercise's lr 0.01 momentum slides downhill no faster than
plain gradient descent; that the map's fastest run is thrown further from the minimum on
its first step than the exercise's run ever goes, rises on several of its first 20 steps,
and still arrives over ten times sooner.

The exercise draws its momentum path as one red line (:ref:`drawn here
<sphx_glr_auto_examples_q2_momentum_plot_09_momentum_path.py>`), which hides how the point
moves: how fast, and whether it ever goes uphill. This page animates the first 40 steps of
two runs from (-1, 2): the exercise's lr 0.01 and beta 0.9, and the fastest cell of the
:ref:`momentum map <sphx_glr_auto_examples_deeper_plot_12_momentum_map.py>`, which it
finds by computing that map again, with the same settings.
"""

# %%
# Find the map's fastest cell
# ---------------------------
# The map's grid: 41 learning rates from 0.001 to 10 and 50 betas from 0 to 0.98, 500
# steps each. The fastest cell has the fewest steps to :math:`f \le 0.01` for good (on a
# tie, the smallest lr, then the smallest beta).

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation

import optimlab

claims = optimlab.Claims("momentum_animation")
lrs = 10.0 ** (np.arange(-30, 11) / 10)
betas = np.round(np.linspace(0, 0.98, 50), 2)
grid = optimlab.momentum_map(lrs, momenta=betas, steps=500, tol=0.01)
to_tol = np.where(grid.steps_to_tol >= 0, grid.steps_to_tol, np.iinfo(int).max)
best_i, best_j = np.unravel_index(to_tol.argmin(), to_tol.shape)
fast_lr, fast_beta = float(lrs[best_i]), float(betas[best_j])
print("the five fastest cells (lr, beta: steps to f <= 0.01 for good):")
for k in np.argsort(to_tol, axis=None, kind="stable")[:5]:
    i, j = np.unravel_index(k, to_tol.shape)
    print(f"  lr {lrs[i]:.3g}, beta {betas[j]:.2f}: {to_tol[i, j]}")

# %%
# Run the two paths
# -----------------
# 500 steps each, the exercise's demo length; the animation shows the first 40. Each run
# keeps its colour in every panel of this page.

exercise = "exercise: lr 0.01, beta 0.9"
fastest = f"fastest: lr {fast_lr:.3g}, beta {fast_beta:.2f}"
settings = {exercise: (0.01, 0.9), fastest: (fast_lr, fast_beta)}
colors = {exercise: "red", fastest: "darkorange"}
paths = {
    label: optimlab.rosenbrock_path("momentum", lr=lr, steps=500, momentum=beta)
    for label, (lr, beta) in settings.items()
}


def steps_to(path, tol=0.01):
    """The step from which f <= tol holds up to the last step."""
    above = np.flatnonzero(path.value > tol)
    return above[-1] + 1 if above.size else 0


slow, fast = paths.values()
for label, path in paths.items():
    rises = int((np.diff(path.value[:21]) > 0).sum())
    print(
        f"{label}: f = {path.value[40]:.2g} at step 40, f <= 0.01 from step "
        f"{steps_to(path)} on, f rises on {rises} of the first 20 steps"
    )

# %%
# .. fold-start:: What the two runs do, checked (code, output)

claims.check(
    "the fast run is the map's fastest cell: no cell reaches f <= 0.01 for good sooner",
    steps_to(fast) == to_tol.min() == grid.steps_to_tol[best_i, best_j]
    and (fast.x[-1], fast.y[-1]) == (grid.x[best_i, best_j], grid.y[best_i, best_j]),
    evidence=f"step {steps_to(fast)}, the map's minimum; the same end point as the cell",
    key="is_fastest_cell",
)
plain = optimlab.rosenbrock_path("momentum", lr=0.01, steps=500, momentum=0.0)
claims.check(
    "at lr 0.01 the path only goes downhill",
    np.all(np.diff(slow.value) < 0),
    evidence=f"largest change of f {np.diff(slow.value).max():.1e}",
    key="slow_downhill",
)
claims.check(
    "at lr 0.01 momentum reaches f <= 0.01 within 5 steps of plain descent, both after 400",
    abs(steps_to(slow) - steps_to(plain)) <= 5 and min(steps_to(slow), steps_to(plain)) > 400,
    evidence=f"step {steps_to(slow)} and {steps_to(plain)}",
    key="as_fast_as_plain",
)
fast_rises = int((np.diff(fast.value[:21]) > 0).sum())
claims.check(
    "the fast run goes uphill on its first step and on at least 3 of its first 20",
    fast.value[1] > fast.value[0] and fast_rises >= 3,
    evidence=f"f {fast.value[0]:g} to {fast.value[1]:.3g}; {fast_rises} rises",
    key="fast_goes_uphill",
)
claims.check(
    "the fast run reaches f <= 0.01 within the animation's 40 steps, over ten times sooner",
    steps_to(fast) < 40 < steps_to(slow) and 10 * steps_to(fast) < steps_to(slow),
    evidence=f"step {steps_to(fast)} against {steps_to(slow)}",
    key="fast_arrives_first",
    fast_steps=int(steps_to(fast)),
    slow_steps=int(steps_to(slow)),
)
claims.check(
    "the fast run's first step throws it left of x = -1.3, further from the minimum than "
    "the exercise's run ever goes",
    fast.x[1] < -1.3 < slow.x.min(),
    evidence=f"x {fast.x[1]:.2f} after one step; the exercise's run: lowest x {slow.x.min():.2f}",
    key="overshoot",
)

# %%
# .. fold-end::

# %%
# Animate them
# ------------
# One frame every two steps, 21 frames for steps 0 to 40; the line is the path so far,
# the square the point at that step, the white circle the start and the gold star the
# minimum (the markers of every landscape figure on this site). Every frame is embedded
# in the page as a JPEG image, so a small figure and few frames keep the page light
# (under 1 MB).

plt.rcParams["animation.frame_format"] = "jpeg"  # a third the size of PNG frames
frames, stride = 20, 2
fig, ax = plt.subplots(figsize=(4.8, 4.4), dpi=90, layout="constrained")
optimlab.plot_rosenbrock(ax, xlim=(-1.6, 1.5), ylim=(-0.8, 2.2), resolution=200, mark_minimum=True)
ax.plot(-1, 2, "o", color="white", markeredgecolor="black", linestyle="none", label="start")
lines, dots = [], []
for label in paths:
    (line,) = ax.plot([], [], color=colors[label], label=label)
    (dot,) = ax.plot([], [], "s", color=colors[label], markeredgecolor="black", zorder=3)
    lines.append(line)
    dots.append(dot)
ax.plot([], [], "s", color="0.6", markeredgecolor="black", label="point at this step")
ax.legend(loc="lower right", fontsize="x-small")
title = ax.set_title("", fontsize="medium")


def draw_frame(frame):
    """Show every path up to step ``stride * frame``."""
    step = stride * frame
    for path, line, dot in zip(paths.values(), lines, dots, strict=True):
        line.set_data(path.x[: step + 1], path.y[: step + 1])
        dot.set_data([path.x[step]], [path.y[step]])
    title.set_text(
        f"step {step}: f = {slow.value[step]:.3f} (lr 0.01), {fast.value[step]:.2g} "
        f"(lr {fast_lr:.3g})"
    )
    return [*lines, *dots, title]


animation = FuncAnimation(fig, draw_frame, frames=frames + 1, interval=200)
draw_frame(frames)  # lay the figure out once, with a title in place (run as a script,
fig.canvas.draw()  # this draw also counts as rendering the animation)
fig.set_layout_engine("none")  # and keep that layout: the axes stay put between frames
plt.show()

# %%
# The value along the way
# -----------------------
# All 500 steps of both runs, on a log scale, in the same colours.

fig, ax = plt.subplots(figsize=(4.5, 3.4), layout="constrained")
for label, path in paths.items():
    ax.semilogy(np.maximum(path.value, 1e-16), color=colors[label], label=label)
ax.axhline(0.01, color="0.5", linestyle="--", linewidth=1, label="f = 0.01")
ax.axvline(stride * frames, color="0.5", linestyle=":", linewidth=1, label="end of the animation")
ax.set_xlabel("Step")
ax.set_ylabel("f (floored at 1e-16)")
ax.legend(fontsize="small")
plt.show()

# %%
# What the animation shows
# ------------------------
# .. fold:: What the animation shows, in detail
#
#    * At the exercise's settings the point slides down the valley and never goes uphill:
#      it reaches f ≤ 0.01 within a few steps of plain gradient descent with the same lr,
#      because this momentum averages the gradients instead of adding them up. It is still
#      well above 0.01 when the animation ends and takes over 400 steps to get there.
#    * The map's fastest cell, a learning rate tens of times larger with a smaller beta,
#      goes uphill on its very first step: it is thrown to the left, further from the
#      minimum than the exercise's run ever goes, swings across the valley, and f rises on
#      several of its first 20 steps; yet it reaches f ≤ 0.01 for good in under 40 steps,
#      more than ten times sooner. Going uphill is not a failure of momentum, it is how
#      momentum moves fast along a curved valley.
#
# **Takeaways**
#
# * A path drawn as one line hides speed and direction; the animation and the value
#   curve show both. Downloaded as a notebook, the animation cell shows one still frame;
#   ``from IPython.display import HTML; HTML(animation.to_jshtml())`` plays it there.
# * The fastest run of the map goes uphill on its first step and on several others,
#   and still arrives over ten times sooner than the exercise's run. It sits close to the
#   map's divergence edge: see the :ref:`map
#   <sphx_glr_auto_examples_deeper_plot_12_momentum_map.py>` for how close.
# * In the exercise's averaging rule, beta 0.9 at lr 0.01 is no faster than plain
#   gradient descent: the speed comes from the larger learning rate that beta keeps
#   stable.
