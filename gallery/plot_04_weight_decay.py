"""
================
The weight decay
================

AdamW's decoupled weight decay shrinks every weight a little at each step, by the factor
``1 - lr * weight_decay``, pulling the network toward small weights. The exercise compares
``weight_decay = [0.5, 0.25, 0.125, 0.0625, 0.03125]``, halving each time, and observes
that with too large a value the network struggles to reach a good validation loss at
first. This page runs it.
"""

# %%
# Run the comparison
# ------------------
# Learning rate 0.01 and batch size 16 (44 steps an epoch): the largest value, 0.5,
# shrinks every weight by 0.5% a step, about 20% an epoch.

import matplotlib.pyplot as plt
import numpy as np

import optimlab

decays = [0.5, 0.25, 0.125, 0.0625, 0.03125]
result = optimlab.compare_configs(epochs=30, weight_decay=decays)

(X_train, Y_train), (X_valid, Y_valid) = optimlab.exercise_data()
baseline = (Y_valid - Y_train.mean()).square().mean().sqrt().item()
print(f"yardstick, predicting the training mean: {baseline:.3f}")
for label, curve in zip(result.labels, result.valid_rmse, strict=True):
    print(
        f"{label:>22}: epoch 1 {curve[0]:.3f}, mean of epochs 1-10 {curve[:10].mean():.3f}, "
        f"last {curve[-1]:.3f}"
    )

# %%
# Plot the curves
# ---------------

ax = result.plot()
ax.axhline(baseline, color="0.5", linestyle="--", linewidth=1)
ax.set_title("Weight decay")
plt.show()

# %%
# What the figure shows
# ---------------------
# * As the exercise says, too much weight decay struggles at first: after the first
#   epoch the two largest values, 0.5 and 0.25, have an RMSE above 3, more than four times
#   that of the two smallest. Averaged over the first ten epochs, they are the two worst.
# * After 30 epochs the smallest value ends best and the largest ends worst, but the
#   order in between is not that of the values, and all five runs end *above* the
#   yardstick: with the default learning rate and batch size, none of these networks has
#   learned more than the mean of the targets in 30 epochs. The differences here are
#   differences between poor fits.

first, last = result.valid_rmse[:, 0], result.valid_rmse[:, -1]
early = result.valid_rmse[:, :10].mean(axis=1)
assert (first[:2] > 3).all() and first[:2].min() > 4 * first[3:].max()
assert set(np.argsort(early)[-2:]) == {0, 1}  # 0.5 and 0.25 are the worst early on
assert last.argmin() == len(decays) - 1 and last.argmax() == 0
assert (last > baseline).all()
