"""
===================================
beta1, the momentum of the gradient
===================================

AdamW steps along a moving average of the gradients, ``m = beta1 * m + (1 - beta1) * g``:
``beta1`` near 1 averages over many steps and reacts slowly to new gradients. The exercise
compares ``beta1 = [0.5, 0.85, 0.9, 0.95, 0.99, 0.999]`` and observes that too large a
value oscillates, because the local information is used too little, and that too small a
value does worse. This page runs it and finds the first observation but not the second.
"""

# %%
# Run the comparison
# ------------------

import matplotlib.pyplot as plt
import numpy as np

import optimlab

beta1s = [0.5, 0.85, 0.9, 0.95, 0.99, 0.999]
result = optimlab.compare_configs(epochs=30, beta1=beta1s)

(X_train, Y_train), (X_valid, Y_valid) = optimlab.exercise_data()
baseline = optimlab.baseline_rmse(optimlab.exercise_data())
print(f"yardstick, predicting the training mean: {baseline:.3f}")


late = result.valid_rmse[:, 10:]  # epochs 11 to 30
for label, curve, late_curve in zip(result.labels, result.valid_rmse, late, strict=True):
    print(
        f"{label:>13}: last {curve[-1]:.3f}, epochs 11-30: range "
        f"{late_curve.min():.3f}-{late_curve.max():.3f}, climb {optimlab.climb(late_curve):.3f}"
    )

# %%
# Plot the curves
# ---------------

ax = result.plot()
ax.axhline(baseline, color="0.5", linestyle="--", linewidth=1)
ax.set_title("beta1")
plt.show()

# %%
# What the figure shows
# ---------------------
# * Too large oscillates, as the exercise says: with ``beta1 = 0.999`` the RMSE still
#   swings up and down by more than 1 in the last twenty epochs, far more than any other
#   value. ``0.99`` swings too in its first epochs, then settles and ends best of all.
# * Too small is *not* worse here: ``beta1 = 0.5`` has one large spike early on, then
#   falls steadily and ends below the default 0.9. The exercise's second observation does
#   not hold for our data and initial weights. That can happen: at 30 epochs the curves of
#   the middle values are close and still moving, so their order depends on details such
#   as the drawn data set, its split and the initial weights, which differ from the
#   exercise's. The exercise itself warns that its observations need not hold in general.

final = result.valid_rmse[:, -1]
climbs = optimlab.climb(late)
assert climbs.argmax() == len(beta1s) - 1 and climbs[-1] > 3 * np.sort(climbs)[-2]
assert late[-1].max() - late[-1].min() > 1
assert result.valid_rmse[4, :10].max() > 1 and final.argmin() == 4
assert result.valid_rmse[0, :10].max() > 2 and final[0] < final[2]  # 0.5 ends below 0.9

# %%
# Across ten seeds
# ----------------
# One run per value is one draw of the data, its split and the initial weights. Repeat
# the comparison under ten seeds (seed ``s``: ``exercise_data(seed=s)`` and
# ``make_mlp(seed=123 + s)``), then count in how many seeds each observation holds.

SEEDS = 10
seeded = optimlab.compare_configs(epochs=30, beta1=beta1s, seeds=SEEDS)


yardsticks = np.array(
    [optimlab.baseline_rmse(optimlab.exercise_data(seed=seed)) for seed in range(SEEDS)]
)
seed_final = seeded.runs[:, :, -1]  # (values, seeds)
seed_late = seeded.runs[:, :, 10:]  # epochs 11 to 30
seed_climbs = optimlab.climb(seed_late)  # (6 values, 10 seeds)
seed_swing = seed_late.max(axis=2) - seed_late.min(axis=2)
for label, finals, climbs_ in zip(seeded.labels, seed_final, seed_climbs, strict=True):
    print(
        f"{label:>13}: epochs 11-30 climb median {np.median(climbs_):.3f} "
        f"(range {climbs_.min():.3f}-{climbs_.max():.3f}); last, median "
        f"{np.median(finals):.3f} (range {finals.min():.3f}-{finals.max():.3f})"
    )
most_climb = np.sum(seed_climbs.argmax(axis=0) == len(beta1s) - 1)
widest = np.sum(seed_swing.argmax(axis=0) == len(beta1s) - 1)
swing_1 = np.sum(seed_swing[-1] > 1)
early_099 = np.sum(seeded.runs[4, :, :10].max(axis=1) > 1)
best_099 = np.sum(seed_final.argmin(axis=0) == 4)
small_below = np.sum(seed_final[0] < seed_final[2])
print(
    f"0.999 climbs the most in epochs 11-30 in {most_climb} of {SEEDS} seeds, swings the "
    f"widest in {widest}, by more than 1 in {swing_1}"
)
print(
    f"0.99 goes above 1 in its first ten epochs in {early_099} of {SEEDS} seeds, "
    f"ends best in {best_099}"
)
print(
    f"0.5 ends below 0.9 in {small_below} of {SEEDS} seeds; "
    f"its largest late swing: {seed_swing[0].max():.1f}"
)

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
# * "Too large oscillates" survives: ``beta1 = 0.999`` climbs back up the most in the
#   last twenty epochs, and swings the widest, in most seeds, and its median climb is
#   several times that of any other value. Swings larger than 1 are rarer than the
#   single seed suggests.
# * ``0.99``'s early swings survive (most seeds go above 1 in the first ten epochs), but
#   ending best of all is the single seed's: it does so in a minority of seeds.
# * "Too small is worse" is neither confirmed nor refuted: ``0.5`` ends below ``0.9`` in
#   about half the seeds. One seed even shows ``0.5`` spiking far up late in training,
#   so too small a momentum is not safe either. At 30 epochs the middle values are too
#   close for ten seeds to order them.

assert most_climb >= 5 and widest >= 6 and swing_1 < SEEDS / 2
assert np.median(seed_climbs[-1]) > 3 * np.median(seed_climbs[:-1], axis=1).max()
assert early_099 >= 7 and best_099 < SEEDS / 2
assert 3 <= small_below <= 7 and np.sum(seed_swing[0] > 10) == 1
