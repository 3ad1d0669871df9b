"""
=========================
Momentum paths, animated
=========================

The exercise draws its momentum path as one red line, which hides how the point moves:
how fast, and whether it ever goes uphill. This page animates the first 100 steps of two
runs from (-1, 2) with the same beta, 0.9: the exercise's lr 0.01, and lr 0.5, fifty
times larger and among the fastest settings of the :ref:`momentum map
<sphx_glr_auto_examples_deeper_plot_12_momentum_map.py>`.
"""

# %%
# Run the two paths
# -----------------
# 500 steps each, the exercise's demo length; the animation shows the first 100.

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation

import optimlab

settings = {"exercise: lr 0.01, beta 0.9": 0.01, "lr 0.5, beta 0.9": 0.5}
paths = {
    label: optimlab.optimize_rosenbrock(500, lr=lr, beta=0.9) for label, lr in settings.items()
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
plain = optimlab.optimize_rosenbrock(500, lr=0.01, beta=0.0)
print(f"plain gradient descent, lr 0.01: f <= 0.01 from step {steps_to(plain)} on")
assert np.all(np.diff(slow.value) < 0)  # the exercise's path only goes downhill
assert steps_to(slow) == steps_to(plain) > 400  # ...as fast as plain descent, no faster
assert (np.diff(fast.value[:101]) > 0).sum() >= 20  # the fast one often goes uphill
assert steps_to(fast) < 100 < steps_to(slow)  # ...and arrives within the animation
assert fast.y[:101].min() < 0 < slow.y.min()  # it overshoots below the valley floor

# %%
# Animate them
# ------------
# One frame every two steps, 51 frames for steps 0 to 100; the dot is the current point,
# the line the path so far. A small figure keeps the page light: every frame is embedded
# as an image.

frames, stride = 50, 2
fig, ax = plt.subplots(figsize=(5, 4.4), dpi=80)
optimlab.plot_rosenbrock(ax, resolution=200)
ax.set_xticks([-2, -1, 0, 1, 2])
ax.set_yticks([-1, 0, 1, 2, 3])
lines, dots = [], []
for label, color in zip(paths, ["red", "white"], strict=True):
    (line,) = ax.plot([], [], color=color, label=label)
    (dot,) = ax.plot([], [], "o", color=color, markeredgecolor="black")
    lines.append(line)
    dots.append(dot)
ax.legend(loc="upper right", fontsize="small")
title = ax.set_title("")


def draw_frame(frame):
    """Show every path up to step ``stride * frame``."""
    step = stride * frame
    for path, line, dot in zip(paths.values(), lines, dots, strict=True):
        line.set_data(path.x[: step + 1], path.y[: step + 1])
        dot.set_data([path.x[step]], [path.y[step]])
    title.set_text(
        f"step {step}: f = {slow.value[step]:.3f} (red), {fast.value[step]:.3g} (white)"
    )
    return [*lines, *dots, title]


draw_frame(frames)  # the longest title, so that the layout leaves room for it
fig.tight_layout()
animation = FuncAnimation(fig, draw_frame, frames=frames + 1, interval=100)
fig.canvas.draw()  # the first frame (run as a script, this counts as rendering)
plt.show()

# %%
# The value along the way
# -----------------------
# All 500 steps of both runs, on a log scale.

fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
for (label, path), color in zip(paths.items(), ["red", "black"], strict=True):
    ax.semilogy(np.maximum(path.value, 1e-16), color=color, label=label)
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
#   it reaches f ≤ 0.01 at the very step plain gradient descent with the same lr does,
#   because this momentum averages the gradients instead of adding them up. It is still
#   well above 0.01 when the animation ends and takes over 400 steps to get there.
# * At lr 0.5 the same beta carries the point past the valley floor (below y = 0), f
#   rises on many steps, and the path spirals in; yet it reaches f ≤ 0.01 within the
#   first 100 steps. Going uphill is not a failure of momentum, it is how momentum moves
#   fast along a curved valley.
