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
baseline = optimlab.baseline_rmse(optimlab.exercise_data())
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

# %%
# Across ten seeds
# ----------------
# One run per value is one draw of the data, its split and the initial weights. Repeat
# the comparison under ten seeds (seed ``s``: ``exercise_data(seed=s)`` and
# ``make_mlp(seed=123 + s)``), then count in how many seeds each observation holds.

SEEDS = 10
seeded = optimlab.compare_configs(epochs=30, weight_decay=decays, seeds=SEEDS)


yardsticks = np.array(
    [optimlab.baseline_rmse(optimlab.exercise_data(seed=seed)) for seed in range(SEEDS)]
)
seed_final = seeded.runs[:, :, -1]  # (values, seeds)
seed_early = seeded.runs[:, :, :10].mean(axis=2)
for label, finals, earlies in zip(seeded.labels, seed_final, seed_early, strict=True):
    print(
        f"{label:>22}: mean of epochs 1-10, median {np.median(earlies):.3f} "
        f"(range {earlies.min():.3f}-{earlies.max():.3f}); last, median "
        f"{np.median(finals):.3f} (range {finals.min():.3f}-{finals.max():.3f})"
    )
worst_two_early = np.sum(np.sort(np.argsort(seed_early, axis=0)[-2:], axis=0) == [[0], [1]], 0)
worst_two_early = np.sum(worst_two_early == 2)
largest_worst_early = np.sum(seed_early.argmax(axis=0) == 0)
smallest_best = np.sum(seed_final.argmin(axis=0) == len(decays) - 1)
largest_worst = np.sum(seed_final.argmax(axis=0) == 0)
above = np.sum(seed_final > yardsticks)
print(
    f"0.5 and 0.25 are the two worst over epochs 1-10 in {worst_two_early} of {SEEDS} seeds; "
    f"0.5 alone is the worst in {largest_worst_early}"
)
print(f"0.03125 ends best in {smallest_best} of {SEEDS} seeds; 0.5 ends worst in {largest_worst}")
print(f"runs ending above their yardstick: {above} of {seed_final.size}")

fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, res, title in [(axes[0], result, "One seed (above)"), (axes[1], seeded, f"{SEEDS} seeds")]:
    res.plot(ax=ax)
    ax.set_title(title)
axes[0].axhline(baseline, color="0.5", linestyle="--", linewidth=1)
axes[1].axhline(yardsticks.mean(), color="0.5", linestyle="--", linewidth=1)
fig.tight_layout()
plt.show()

# %%
# What survives the seeds
# -----------------------
# * "Too much weight decay struggles at first" does *not* survive: 0.5 and 0.25 are the
#   two worst over the first ten epochs in a minority of the seeds, and 0.5 alone is the
#   worst in about half. How high a run starts depends more on the seed (the data and
#   the initial weights) than on the decay: the ranges of the first-ten-epoch means of
#   all five values overlap.
# * Nor does the order at epoch 30: the smallest value ends best, and the largest worst,
#   each in a minority of the seeds.
# * What survives is the sober part: with the default learning rate and batch size,
#   nearly all runs end above their seed's yardstick. Over this range, the weight decay
#   matters less than the seed.

assert worst_two_early < SEEDS / 2 and 3 <= largest_worst_early <= 6
assert seed_early.min(axis=1).max() < seed_early.max(axis=1).min()  # the ranges overlap
assert smallest_best < SEEDS / 2 and largest_worst < SEEDS / 2
assert above >= 0.8 * seed_final.size
assert np.all(np.median(seed_final, axis=1) > np.median(yardsticks))
