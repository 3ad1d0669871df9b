r"""
===========================
Weight decay on Rosenbrock?
===========================

.. lesson::
   :figure: 1

   **Question.** Does weight decay make sense for momentum descent (the heavy-ball rule,
   which :torch-optim:`SGD` takes only at lr :math:`\eta(1 - \beta)`; decay decoupled) on
   the Rosenbrock function?

   **Answer.** No. Without it the run ends at the minimum :math:`(1, 1)`
   :verdict:`weight_decay_rosenbrock:no_decay_reaches_minimum`; with
   :math:`\lambda` = :verdict-data:`weight_decay_rosenbrock:decay_moves_away:decays` it
   comes to rest at distances
   :verdict-data:`weight_decay_rosenbrock:decay_moves_away:distances:.3f` from it, at
   the minimum of :math:`f + \tfrac{\lambda}{2}(x^2 + y^2)`
   :verdict:`weight_decay_rosenbrock:penalized_stationary`.

**You will learn:** that weight decay moves the end point away from the minimum, the
further the larger :math:`\lambda`, and buys nothing on a function with nothing to
overfit.

Question 3 asks whether weight decay makes sense when optimizing the Rosenbrock function
(:ref:`drawn here <sphx_glr_auto_examples_q2_momentum_plot_08_rosenbrock.py>`).
The exercise's answer is no: weight decay fights overfitting, and there is nothing to
overfit in a function that is known exactly. Here is what it does instead, by running it.
Decoupled weight decay :math:`\lambda` shrinks the point toward the origin at each step,

.. math:: \theta \leftarrow (1 - \eta\lambda)\,\theta - \eta\, v,

so the optimization no longer minimizes :math:`f` alone. On a network, where there is
something to overfit, the same setting is explored in :ref:`question 1
<sphx_glr_auto_examples_q1_one_setting_plot_05_weight_decay.py>`.
"""

# %%
# Run with and without weight decay
# ---------------------------------
# Same start, step size and momentum as :ref:`the momentum page
# <sphx_glr_auto_examples_q2_momentum_plot_09_momentum_path.py>`, but 3000 steps, so that
# every run has come to rest and the end points differ because of the weight decay, not
# because a run is unfinished.

import matplotlib.pyplot as plt
import numpy as np

import optimlab

claims = optimlab.Claims("weight_decay_rosenbrock")
decays = [0.0, 0.1, 0.5]
runs = [
    optimlab.rosenbrock_path("momentum", lr=0.01, steps=3000, momentum=0.9, weight_decay=d)
    for d in decays
]
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

# Circles are the start, squares the end points, the star the minimum.

fig, ax = plt.subplots(figsize=(4.5, 5.4), layout="constrained")
optimlab.plot_rosenbrock(ax, mark_minimum=True)
for decay, run, color in zip(decays, runs, ["red", "orange", "magenta"], strict=True):
    optimlab.plot_path(run, ax=ax, color=color, label=f"weight_decay = {decay}")
ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.17), ncols=2)  # below
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
# point.

distances = np.array([np.hypot(run.end[0] - 1, run.end[1] - 1) for run in runs])
end_values = np.array([run.value[-1] for run in runs])
norms = np.array([np.hypot(*run.end) for run in runs])
claims.check(
    "without decay the run ends within 1e-4 of (1, 1), with f < 1e-8",
    distances[0] < 1e-4 and end_values[0] < 1e-8,
    evidence=f"distance {distances[0]:.1e}, f = {end_values[0]:.1e}",
    key="no_decay_reaches_minimum",
)
claims.check(
    "the larger the decay, the further from (1, 1) and the higher f",
    (np.diff(distances) > 0).all() and (np.diff(end_values) > 0).all(),
    evidence="distances " + ", ".join(f"{d:.3f}" for d in distances)
    + "; f " + ", ".join(f"{v:.3g}" for v in end_values),
    key="decay_moves_away",
    decays=decays[1:],  # the runs with decay
    distances=distances[1:],
)  # fmt: skip
claims.check(
    "with decay the end point is nearer the origin than (1, 1) is",
    (norms[1:] < np.hypot(1, 1)).all(),
    evidence="|end| " + ", ".join(f"{n:.3f}" for n in norms[1:]) + f" against {np.sqrt(2):.3f}",
    key="nearer_origin",
)
largest = max(penalized_gradient(*run.end, d) for d, run in zip(decays, runs, strict=True))
claims.check(
    "every end point is a stationary point of f + penalty",
    largest < 1e-3,
    evidence=f"largest |gradient| {largest:.1e}",
    key="penalized_stationary",
)

# %%
# There is no noise and no held-out data here, so that pull buys nothing: weight decay
# only moves the answer away from the true minimum. The exercise's answer stands.
#
# **Takeaways**
#
# * Decoupled weight decay :math:`\lambda` makes momentum descent stop at the minimum of
#   :math:`f + \tfrac{\lambda}{2}(x^2 + y^2)`, not of :math:`f`.
# * The larger :math:`\lambda`, the further from :math:`(1, 1)` and the higher :math:`f`.
# * Weight decay helps only where there is something to overfit; a known function has
#   none.
#
# Next: :ref:`the same, computed exactly, and AdamW's different end point
# <sphx_glr_auto_examples_q3_weight_decay_plot_11_weight_decay_quantified.py>`.
