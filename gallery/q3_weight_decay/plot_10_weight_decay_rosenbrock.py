r"""
===========================
Weight decay on Rosenbrock?
===========================

Question 3 asks whether weight decay makes sense when optimizing the Rosenbrock function.
The exercise's answer is no: weight decay fights overfitting, and there is nothing to
overfit in a function that is known exactly. Here is what it does instead, by running it.
Decoupled weight decay :math:`\lambda` shrinks the point toward the origin at each step,

.. math:: \theta \leftarrow (1 - \eta\lambda)\,\theta - \eta\, v,

so the optimization no longer minimizes :math:`f` alone.
"""

# %%
# Run with and without weight decay
# ---------------------------------
# Same start, step size and momentum as on the previous page, but 3000 steps, so that
# every run has come to rest and the end points differ because of the weight decay, not
# because a run is unfinished.

import matplotlib.pyplot as plt
import numpy as np

import optimlab

decays = [0.0, 0.1, 0.5]
runs = [optimlab.optimize_rosenbrock(3000, lr=0.01, beta=0.9, weight_decay=d) for d in decays]
for decay, run in zip(decays, runs, strict=True):
    x, y = run.end
    distance = np.hypot(x - 1, y - 1)
    print(
        f"weight_decay = {decay}: ends at ({x:.3f}, {y:.3f}), {distance:.3f} from (1, 1), "
        f"f = {run.value[-1]:.2e}"
    )

# %%
# Draw the paths
# --------------

ax = optimlab.plot_rosenbrock()
for decay, run, color in zip(decays, runs, ["red", "white", "orange"], strict=True):
    optimlab.plot_path(run, ax=ax, color=color, label=f"weight_decay = {decay}")
ax.plot(1, 1, "+", color="black", markersize=12)
ax.legend()
ax.set_title("Momentum descent with and without weight decay, 3000 steps")
plt.show()

# %%
# What the end points are
# -----------------------
# At rest, the step is zero: :math:`\eta (\lambda \theta + \nabla f) = 0`. That is the
# minimum of :math:`f(x, y) + \tfrac{\lambda}{2}(x^2 + y^2)`, not of :math:`f`. Check that
# the gradient of this penalized function vanishes at each end point:


def penalized_gradient(x, y, decay):
    dfdx = -2 * (1 - x) - 8 * x * (y - x**2)
    dfdy = 4 * (y - x**2)
    return np.hypot(dfdx + decay * x, dfdy + decay * y)


for decay, run in zip(decays, runs, strict=True):
    gradient = penalized_gradient(*run.end, decay)
    print(f"weight_decay = {decay}: |gradient of f + penalty| = {gradient:.1e}")

# %%
# What the figure shows
# ---------------------
# Without weight decay the point reaches :math:`(1, 1)`, where :math:`f = 0`. With weight
# decay it comes to rest short of it, closer to the origin, and the larger
# :math:`\lambda`, the further from :math:`(1, 1)` and the higher :math:`f` at the end
# point. There is no noise and no held-out data here, so that pull buys nothing: weight
# decay only moves the answer away from the true minimum. The exercise's answer stands.

distances = np.array([np.hypot(run.end[0] - 1, run.end[1] - 1) for run in runs])
end_values = np.array([run.value[-1] for run in runs])
assert distances[0] < 1e-4 and end_values[0] < 1e-8
assert (np.diff(distances) > 0).all() and (np.diff(end_values) > 0).all()
assert all(np.hypot(*run.end) < np.hypot(1, 1) for run in runs[1:])  # nearer the origin
assert all(penalized_gradient(*run.end, d) < 1e-3 for d, run in zip(decays, runs, strict=True))
