"""
====================================
The example call: two learning rates
====================================

The exercise starts with one call of ``compare_configs``: train the same small network
twice, with AdamW's learning rate at 0.1 and at 0.2, weight decay 0.02 and every other
setting at its default (30 epochs, batch size 16, betas 0.9 and 0.999), and plot the
validation RMSE after each epoch. This page runs that call and reads its figure.
"""

# %%
# The data, and a yardstick
# -------------------------
# The network learns the Friedman #3 function from 700 training rows and is scored on 300
# validation rows (:func:`optimlab.exercise_data`, seeded, so every run sees the same rows).
# Before training anything, note what the simplest model scores: always predicting the
# mean of the training targets. A network that does not beat this number has learned
# nothing useful.

import matplotlib.pyplot as plt

import optimlab

(X_train, Y_train), (X_valid, Y_valid) = optimlab.exercise_data()
baseline = optimlab.baseline_rmse(optimlab.exercise_data())
print(f"{len(X_train)} training rows, {len(X_valid)} validation rows")
print(f"validation RMSE of predicting the training mean: {baseline:.3f}")

# %%
# Run the comparison
# ------------------
# :func:`optimlab.compare_configs` takes exactly one hyperparameter as a list and trains
# one network per value, each from the same initial weights (seed 123).

result = optimlab.compare_configs(epochs=30, lr=[0.1, 0.2], weight_decay=0.02)
for label, curve in zip(result.labels, result.valid_rmse, strict=True):
    print(
        f"{label}: epoch 1 {curve[0]:.3f}, highest {curve.max():.3f} "
        f"(epoch {curve.argmax() + 1}), last {curve[-1]:.3f}"
    )

# %%
# Plot the curves
# ---------------
# One line per learning rate, in the order given; the dashed line is the yardstick.

ax = result.plot()
ax.axhline(baseline, color="0.5", linestyle="--", linewidth=1)
ax.set_title("lr = [0.1, 0.2], weight_decay = 0.02")
plt.show()

# %%
# What the figure shows
# ---------------------
# Both curves get *worse* over the first epochs before they improve, and after 30 epochs
# both end close to the yardstick: the network has barely learned more than the mean of
# the targets. The smaller learning rate ends a little lower. The next pages vary one
# setting at a time to see what moves these curves.

first, last = result.valid_rmse[:, 0], result.valid_rmse[:, -1]
assert (result.valid_rmse[:, :10].max(axis=1) > first).all()  # worse before better
assert (last < result.valid_rmse.max(axis=1)).all()
assert (abs(last - baseline) < 0.03).all()  # both end near the yardstick
assert last[0] < last[1]  # lr = 0.1 ends lower than lr = 0.2
