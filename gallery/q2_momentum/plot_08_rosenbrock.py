r"""
=======================
The Rosenbrock function
=======================

Question 2 of the exercise minimizes a two-dimensional function by hand-written gradient
descent with momentum. The function is the exercise's variant of Rosenbrock's,

.. math:: f(x, y) = (1 - x)^2 + 2\,(y - x^2)^2,

whose minimum, :math:`f(1, 1) = 0`, lies at the end of a long, curved valley. The
"parameters" being optimized are the two coordinates of a point. This page draws the
function and measures what makes it hard.
"""

# %%
# Draw it
# -------
# Filled contours over the exercise's region, darker where the function is lower, with the
# exercise's level breaks (finer near 0). The circle is where the optimization will start,
# :math:`(-1, 2)`; the cross is the minimum; the dashed curve is the valley floor
# :math:`y = x^2`, where the second term vanishes.

import matplotlib.pyplot as plt
import numpy as np
import torch

import optimlab

ax = optimlab.plot_rosenbrock()
floor_x = np.linspace(-1.7, 1.7, 200)
ax.plot(floor_x, floor_x**2, color="white", linestyle="--", linewidth=1)
ax.plot(-1, 2, "o", color="red")
ax.plot(1, 1, "x", color="red", markersize=9)
ax.set_title("f(x, y) = (1 - x)² + 2 (y - x²)²")
plt.show()

# %%
# Where is the minimum?
# ---------------------
# On the 400 x 400 grid of the picture, the lowest value sits next to :math:`(1, 1)`.

x, y = np.meshgrid(np.linspace(-2, 2, 400), np.linspace(-1, 3, 400))
z = optimlab.rosenbrock(x, y)
i, j = np.unravel_index(z.argmin(), z.shape)
print(f"lowest grid value {z[i, j]:.2e} at ({x[i, j]:.3f}, {y[i, j]:.3f})")
print(f"f(1, 1) = {optimlab.rosenbrock(1.0, 1.0)}, f(-1, 2) = {optimlab.rosenbrock(-1.0, 2.0)}")

# %%
# A curved valley
# ---------------
# Along the floor :math:`y = x^2` the function is :math:`(1 - x)^2`; one unit above or
# below the floor adds 2, at any :math:`x`. These walls are gentle (the classic Rosenbrock
# function has 100 where this variant has 2): what makes the valley hard is its curve.

for x0 in (-1.0, 0.0, 0.5):
    on_floor = optimlab.rosenbrock(x0, x0**2)
    above = optimlab.rosenbrock(x0, x0**2 + 1)
    print(f"x = {x0:4}: on the floor {on_floor:.2f}, one unit above it {above:.2f}")

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
print(f"angle between the way down and the way to the minimum: {angle:.0f} degrees")

# %%
# What this means for gradient descent
# ------------------------------------
# Gradient descent follows the local slope, so from :math:`(-1, 2)` it first heads away
# from the minimum, down into the valley, and must then turn and follow the curved floor
# toward :math:`(1, 1)`, where the slope, and so the step, gets ever smaller. The next
# page implements gradient descent with momentum and draws the path it takes.

assert np.hypot(x[i, j] - 1, y[i, j] - 1) < 0.02
assert optimlab.rosenbrock(1.0, 1.0) == 0 and optimlab.rosenbrock(-1.0, 2.0) == 6
assert all(
    optimlab.rosenbrock(x0, x0**2 + 1) - optimlab.rosenbrock(x0, x0**2) == 2
    for x0 in (-1.0, 0.0, 0.5)
)
assert start.grad.tolist() == [4.0, 4.0] and angle > 90
