r"""
=======================
The Rosenbrock function
=======================

.. lesson::
   :figure: 1

   **Question.** Where is the minimum of the exercise's Rosenbrock function, and why is
   it hard to reach from the start :math:`(-1, 2)`?

   **Answer.** At :math:`f(1, 1) = 0` :verdict:`rosenbrock:values`, at the end of a
   curved valley. From the start the way down points
   :verdict-data:`rosenbrock:first_direction:angle:.0f` degrees away from it
   :verdict:`rosenbrock:first_direction`: descent must turn.

**You will learn:** that the minimum is :math:`f(1, 1) = 0`, that the valley's walls are
gentle (2 per unit of height) while its curve is what is hard, and that the first step of
gradient descent points more than 90 degrees away from the minimum.

Question 2 of the exercise minimizes a two-dimensional function by hand-written gradient
descent with momentum. The function is the exercise's variant of Rosenbrock's,

.. math:: f(x, y) = (1 - x)^2 + 2\,(y - x^2)^2,

whose minimum, :math:`f(1, 1) = 0`, lies at the end of a long, curved valley. The
"parameters" being optimized are the two coordinates of a point, not the weights of a
network as in :ref:`question 1 <sphx_glr_auto_examples_q1_one_setting_plot_01_example_call.py>`.
This page draws the function and measures what makes it hard; the :ref:`next page
<sphx_glr_auto_examples_q2_momentum_plot_09_momentum_path.py>` descends it.
"""

# %%
# Draw it
# -------
# Filled contours over the exercise's region, darker where the function is lower, with the
# exercise's level breaks. The breaks are finer near 0 (0.1 apart below 2, 1 apart below
# 20, 10 apart above), so the colour bar gives each band the same room and its ticks say
# where the round values are. The white circle is where the optimization will start,
# :math:`(-1, 2)`; the gold star is the minimum; the same markers mean the same on every
# landscape figure of this site. The dashed white curve, edged in black so that it shows
# on the light legend too, is the valley floor :math:`y = x^2`, where the second term
# vanishes.

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib import patheffects

import optimlab

claims = optimlab.Claims("rosenbrock")

ax = optimlab.plot_rosenbrock(mark_minimum=True)
floor_x = np.linspace(-1.7, 1.7, 200)
edged = [patheffects.Stroke(linewidth=2.5, foreground="black"), patheffects.Normal()]
ax.plot(floor_x, floor_x**2, color="white", linestyle="--", linewidth=1.2, path_effects=edged,
        label="floor y = x²")  # fmt: skip
ax.plot(-1, 2, "o", color="white", markeredgecolor="black", linestyle="none",
        label="start (-1, 2)")  # fmt: skip
ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.17), ncols=2)  # below
ax.figure.set_size_inches(4.5, 5)
ax.figure.set_layout_engine("constrained")
ax.set_title("f(x, y) = (1 - x)² + 2 (y - x²)²")
plt.show()

# %%
# Where is the minimum?
# ---------------------
# On the 400 x 400 grid of the picture, the lowest value sits next to :math:`(1, 1)`.

x, y = np.meshgrid(np.linspace(-2, 2, 400), np.linspace(-1, 3, 400))
z = optimlab.rosenbrock(x, y)
i, j = np.unravel_index(z.argmin(), z.shape)
grid_gap = np.hypot(x[i, j] - 1, y[i, j] - 1)
print(f"lowest grid value {z[i, j]:.2e} at ({x[i, j]:.3f}, {y[i, j]:.3f})")
claims.check(
    "the grid's lowest point lies within 0.02 of (1, 1)",
    grid_gap < 0.02,
    evidence=f"distance {grid_gap:.4f}",
    key="grid_minimum",
    distance=grid_gap,
)
at_minimum, at_start = optimlab.rosenbrock(1.0, 1.0), optimlab.rosenbrock(-1.0, 2.0)
claims.check(
    "f(1, 1) = 0 and f(-1, 2) = 6",
    at_minimum == 0 and at_start == 6,
    evidence=f"f(1, 1) = {at_minimum}, f(-1, 2) = {at_start}",
    key="values",
)

# %%
# A curved valley
# ---------------
# Along the floor :math:`y = x^2` the function is :math:`(1 - x)^2`; one unit above or
# below the floor adds 2, at any :math:`x`. These walls are gentle (the classic Rosenbrock
# function has 100 where this variant has 2): what makes the valley hard is its curve.

rises = []
for x0 in (-1.0, 0.0, 0.5):
    on_floor = optimlab.rosenbrock(x0, x0**2)
    above = optimlab.rosenbrock(x0, x0**2 + 1)
    rises.append(above - on_floor)
    print(f"x = {x0:4}: floor {on_floor:.2f}, one unit above {above:.2f}")
claims.check(
    "one unit above the floor adds 2, at every x tried",
    all(rise == 2 for rise in rises),
    evidence="rises " + ", ".join(f"{rise:g}" for rise in rises),
    key="wall_height",
)

# %%
# At the start the gradient does not point at the minimum. The steepest way down, minus
# the gradient, leads down and to the *left*, while the minimum lies to the right:

start = torch.tensor([-1.0, 2.0], requires_grad=True)
optimlab.rosenbrock(start[0], start[1]).backward()
downhill = -start.grad.numpy()
to_minimum = np.array([1.0, 1.0]) - start.detach().numpy()
cosine = downhill @ to_minimum / (np.linalg.norm(downhill) * np.linalg.norm(to_minimum))
angle = np.degrees(np.arccos(cosine))
print(f"gradient at (-1, 2): {start.grad.tolist()}")
claims.check(
    "the way down at the start points over 90 degrees away from the minimum",
    start.grad.tolist() == [4.0, 4.0] and angle > 90,
    evidence=f"gradient {start.grad.tolist()}, angle {angle:.0f} degrees",
    key="first_direction",
    angle=angle,
)

# %%
# What this means for gradient descent
# ------------------------------------
# Gradient descent follows the local slope, so from :math:`(-1, 2)` it first heads away
# from the minimum, down into the valley, and must then turn and follow the curved floor
# toward :math:`(1, 1)`, where the slope, and so the step, gets ever smaller.
#
# **Takeaways**
#
# * The minimum is :math:`f(1, 1) = 0`; the start :math:`(-1, 2)` has :math:`f = 6`.
# * The valley's walls are gentle (2 per unit of height); its curve is what is hard.
# * The first step points more than 90 degrees away from the minimum: descent must turn.
#
# Next: :ref:`gradient descent with momentum, by hand
# <sphx_glr_auto_examples_q2_momentum_plot_09_momentum_path.py>`, and what :ref:`weight
# decay <sphx_glr_auto_examples_q3_weight_decay_plot_10_weight_decay_rosenbrock.py>` does
# to this function.
