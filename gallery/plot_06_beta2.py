"""
=========================================
beta2, the memory of the squared gradient
=========================================

AdamW divides each step by the square root of a moving average of squared gradients,
``v = beta2 * v + (1 - beta2) * g**2``: the larger ``beta2``, the longer that memory and
the more slowly the step sizes change. The comparison ``beta2 = [0.99, 0.999, 0.9999]``
is expected to show that larger values give smoother curves. This page runs it.
"""

# %%
# Run the comparison
# ------------------

import matplotlib.pyplot as plt
import numpy as np

import optimlab

beta2s = [0.99, 0.999, 0.9999]
result = optimlab.compare_configs(epochs=30, beta2=beta2s)

(X_train, Y_train), (X_valid, Y_valid) = optimlab.exercise_data()
baseline = (Y_valid - Y_train.mean()).square().mean().sqrt().item()
print(f"yardstick, predicting the training mean: {baseline:.3f}")


def climb(curve):
    """How far a curve goes back up, summed over epochs: 0 for a curve that only falls."""
    return np.clip(np.diff(curve), 0, None).sum()


for label, curve in zip(result.labels, result.valid_rmse, strict=True):
    print(f"{label:>14}: climb {climb(curve):.3f}, last {curve[-1]:.3f}")

# %%
# Plot the curves
# ---------------

ax = result.plot()
ax.axhline(baseline, color="0.5", linestyle="--", linewidth=1)
ax.set_title("beta2")
plt.show()

# %%
# What the figure shows
# ---------------------
# * Larger is smoother: the total amount by which a curve climbs back up shrinks with
#   every step of ``beta2``, and with ``0.9999`` the RMSE falls at every epoch.
# * Smoother is not better: the jumpiest run, ``beta2 = 0.99``, ends lowest, the only one
#   of the three below the yardstick. A short memory lets the step sizes follow the
#   gradients quickly, for better (faster progress) and for worse (jumps).

climbs = np.array([climb(curve) for curve in result.valid_rmse])
final = result.valid_rmse[:, -1]
assert (np.diff(climbs) < 0).all() and climbs[-1] == 0
assert final.argmin() == 0 and final[0] < baseline < final[1:].min()
