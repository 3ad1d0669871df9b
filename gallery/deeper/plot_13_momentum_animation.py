"""
=========================
Momentum paths, animated
=========================

**You will learn:** how fast the point moves along the valley at two learning rates, and
why a fast momentum run goes uphill on many steps and still arrives first.

The exercise draws its momentum path as one red line (:ref:`drawn here
<sphx_glr_auto_examples_q2_momentum_plot_09_momentum_path.py>`), which hides how the point
moves: how fast, and whether it ever goes uphill. This page animates the first 100 steps of
two runs from (-1, 2) with the same beta, 0.9: the exercise's lr 0.01, and lr 0.5, fifty
times larger and among the fastest settings of the :ref:`momentum map
<sphx_glr_auto_examples_deeper_plot_12_momentum_map.py>`.
"""

# %%
# Run the two paths
# -----------------
# 500 steps each, the exercise's demo length; the animation shows the first 100. Each run
# keeps its colour in every panel of this page.

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation

import optimlab

claims = optimlab.Claims("momentum_animation")
settings = {"exercise: lr 0.01, beta 0.9": 0.01, "lr 0.5, beta 0.9": 0.5}
colors = {"exercise: lr 0.01, beta 0.9": "red", "lr 0.5, beta 0.9": "darkorange"}
paths = {
    label: optimlab.rosenbrock_path("momentum", lr=lr, steps=500, momentum=0.9)
    for label, lr in settings.items()
}


def steps_to(path, tol=0.01):
    """The step from which f <= tol holds up to the last step."""
    above = np.flatnonzero(path.value > tol)
    return above[-1] + 1 if above.size else 0


slow, fast = paths.values()
for label, path in paths.items():
    rises = int((np.diff(path.value[:101]) > 0).sum())
    print(
        f"{label}: f = {path.value[100]:.4f} at step 100, f <= 0.01 from step "
        f"{steps_to(path)} on, f rises on {rises} of the first 100 steps"
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
fast_rises = int((np.diff(fast.value[:101]) > 0).sum())
claims.check(
    "at lr 0.5, f rises on at least 20 of the first 100 steps",
    fast_rises >= 20,
    evidence=f"{fast_rises} steps",
    key="fast_goes_uphill",
)
claims.check(
    "lr 0.5 reaches f <= 0.01 within the animation's 100 steps, over four times sooner",
    steps_to(fast) < 100 < steps_to(slow) and 4 * steps_to(fast) < steps_to(slow),
    evidence=f"step {steps_to(fast)} against {steps_to(slow)}",
    key="fast_arrives_first",
)
claims.check(
    "lr 0.5 overshoots below the valley floor (y < 0); lr 0.01 never does",
    fast.y[:101].min() < 0 < slow.y.min(),
    evidence=f"lowest y {fast.y[:101].min():.2f} against {slow.y.min():.2f}",
    key="overshoot",
)

# %%
# Animate them
# ------------
# One frame every five steps, 21 frames for steps 0 to 100; the line is the path so far
# and the square the point at that step. Every frame is embedded in the page as a JPEG
# image, so a small figure and few frames keep the page light (under 1 MB).

plt.rcParams["animation.frame_format"] = "jpeg"  # a third the size of PNG frames
frames, stride = 20, 5
fig, ax = plt.subplots(figsize=(4.8, 4.4), dpi=90, layout="constrained")
optimlab.plot_rosenbrock(ax, xlim=(-1.5, 1.5), ylim=(-0.8, 2.2), resolution=200, mark_minimum=True)
ax.plot(-1, 2, "o", color="white", markeredgecolor="black", label="start")
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
        f"step {step}: f = {slow.value[step]:.3f} (lr 0.01), {fast.value[step]:.3g} (lr 0.5)"
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

fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
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
# * At the exercise's settings the point slides down the valley and never goes uphill:
#   it reaches f ≤ 0.01 within a few steps of plain gradient descent with the same lr,
#   because this momentum averages the gradients instead of adding them up. It is still
#   well above 0.01 when the animation ends and takes over 400 steps to get there.
# * At lr 0.5 the same beta carries the point past the valley floor (below y = 0), f
#   rises on many steps, and the path spirals in; yet it reaches f ≤ 0.01 within the
#   first 100 steps. Going uphill is not a failure of momentum, it is how momentum moves
#   fast along a curved valley.
#
# **Takeaways**
#
# * A path drawn as one line hides speed and direction; the animation and the value
#   curve show both. Downloaded as a notebook, the animation cell shows one still frame;
#   ``from IPython.display import HTML; HTML(animation.to_jshtml())`` plays it there.
# * The fast run (lr 0.5) goes uphill on at least a fifth of its first 100 steps and
#   still arrives over four times sooner than the exercise's run.
# * In the exercise's averaging rule, beta 0.9 at lr 0.01 is no faster than plain
#   gradient descent: the speed comes from the larger learning rate that beta keeps
#   stable.
