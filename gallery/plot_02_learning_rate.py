"""
=================
The learning rate
=================

The learning rate scales every AdamW step. The exercise compares four, each ten times the
next: ``lr = [1, 0.1, 0.01, 0.001]``, with the other settings at their defaults. It
explains that a too large learning rate makes the updates unstable and diverge, and finds
the smallest one "oddly unstable" without knowing why. This page runs the comparison and
checks both observations against our numbers.
"""

# %%
# Run the comparison
# ------------------
# Same data, same initial weights for every value; 30 epochs of batches of 16.

import matplotlib.pyplot as plt
import numpy as np
import torch

import optimlab

lrs = [1, 0.1, 0.01, 0.001]
result = optimlab.compare_configs(epochs=30, lr=lrs)

(X_train, Y_train), (X_valid, Y_valid) = optimlab.exercise_data()
baseline = (Y_valid - Y_train.mean()).square().mean().sqrt().item()
print(f"yardstick, predicting the training mean: {baseline:.3f}")


def climb(curve):
    """How far a curve goes back up, summed over epochs: 0 for a curve that only falls."""
    return np.clip(np.diff(curve), 0, None).sum()


for label, curve in zip(result.labels, result.valid_rmse, strict=True):
    print(
        f"{label:>11}: best {curve.min():.3f} (epoch {curve.argmin() + 1}), "
        f"last {curve[-1]:.3f}, climb {climb(curve):.3f}"
    )

# %%
# Plot the curves
# ---------------

ax = result.plot()
ax.axhline(baseline, color="0.5", linestyle="--", linewidth=1)
ax.set_title("Learning rate")
plt.show()

# %%
# What happened to ``lr = 1``?
# ----------------------------
# Its RMSE does not grow without bound (no run diverged to infinity or NaN), it settles
# far above the yardstick. Train that network again and look inside: every unit of the
# first hidden layer is inactive on every validation row (a "dead" ReLU layer), so the
# network outputs the same number for every input, close to 0.

model = optimlab.make_mlp(seed=123)
optimlab.train_valid(
    model,
    optimlab.exercise_data(),
    epochs=30,
    batch_size=16,
    lr=1,
    betas=(0.9, 0.999),
    weight_decay=0.01,
)
with torch.no_grad():
    active = (model[:2](X_valid) > 0).any(dim=0)  # (50,): is a unit ever active?
    predictions = model(X_valid)
zero_rmse = Y_valid.square().mean().sqrt().item()
print(f"first-layer units active on some validation row: {int(active.sum())} of 50")
print(f"spread of its predictions: {predictions.std().item():.1e}")
print(f"RMSE of predicting 0 everywhere: {zero_rmse:.3f}")

# %%
# Why could a small step be unstable?
# -----------------------------------
# The inputs are used raw, as in the exercise, and :math:`x_2` reaches about 1760. AdamW
# moves each weight by roughly ``lr`` per step whatever the size of its gradient, so a
# step of 0.001 on a weight that multiplies :math:`x_2` shifts a hidden unit by up to:

print(f"largest x2 in the training set: {X_train[:, 1].max().item():.0f}")
print(f"shift of a hidden unit from one step of 0.001: {0.001 * X_train[:, 1].max().item():.2f}")

# %%
# That is of the order of the targets themselves (they lie between 0 and about 1.8). So
# no learning rate here is small for every weight: that is a likely reason for the
# unstable curve, a suspicion that
# :ref:`sphx_glr_auto_examples_plot_13_small_learning_rate.py` puts to the test.
#
# What the figure shows
# ---------------------
# * ``lr = 1`` has its best value after the first epoch, then breaks down for good: from
#   epoch 5 on its RMSE climbs to that of predicting 0 and stays there, and after 30
#   epochs its first layer is dead. The exercise's "divergence" shows here as a collapse,
#   not as an infinite loss.
# * ``lr = 0.1`` ends best, about at the yardstick.
# * ``lr = 0.01`` (the default) improves until about epoch 18, then slowly gets worse.
# * ``lr = 0.001`` is the least steady of the three smaller ones: it climbs back up
#   several times and ends at its worst value since epoch 1. So we see what the exercise
#   saw: the smallest learning rate is oddly unstable.

final = result.valid_rmse[:, -1]
assert not result.diverged.any()
assert result.valid_rmse[0].argmin() == 0 and final[0] > 4 * baseline
assert int(active.sum()) == 0 and predictions.std().item() < 1e-3
assert abs(final[0] - zero_rmse) < 0.1
assert final.argmin() == 1 and abs(final[1] - baseline) < 0.02
assert 10 <= result.valid_rmse[2].argmin() + 1 <= 25 and final[2] > result.valid_rmse[2].min()
climbs = [climb(curve) for curve in result.valid_rmse[1:]]
assert np.argmax(climbs) == 2  # lr = 0.001 climbs back up the most of the three
assert final[3] == result.valid_rmse[3, 1:].max()
