"""
================================================
Why is the small learning rate unstable?
================================================

The exercise's learning-rate comparison finds ``lr = 0.001`` oddly unstable: its
validation RMSE falls, then climbs back up, and the exercise cannot say why ("possibly it
gets stuck in a bad region of the loss landscape"). This page tests three explanations
with runs: bad luck with one seed, the raw scale of the inputs (:math:`x_2` reaches about
1760), and dead ReLU units. It measures instability as the *climb* of a curve: how far it
goes back up, summed over epochs 6 to 30 (a curve that only falls has climb 0).
"""

# %%
# Is it one unlucky seed?
# -----------------------
# Ten seeds: each draws its own data and split (``exercise_data(seed=s)``) and its own
# initial weights (``make_mlp(seed=123 + s)``).

import matplotlib.pyplot as plt
import numpy as np

import optimlab

SEEDS = 10
# The yardstick of each seed: the validation RMSE of predicting the training mean.
yardsticks = np.array(
    [optimlab.baseline_rmse(optimlab.exercise_data(seed=seed)) for seed in range(SEEDS)]
)
lr_001 = 1  # the row of lr = 0.001 in both sweeps
raw = optimlab.compare_configs(lr=[0.01, 0.001, 0.0001], seeds=SEEDS)
raw_climb = optimlab.climb(raw.runs[..., 5:])  # (3 values, 10 seeds)
for label, climbs, finals in zip(raw.labels, raw_climb, raw.runs[:, :, -1], strict=True):
    print(
        f"raw inputs, {label:>12}: climbs in {np.sum(climbs > 0.01):2d} of {SEEDS} seeds "
        f"(median climb {np.median(climbs):.3f}); final RMSE / yardstick "
        f"{np.median(finals / yardsticks):.2f} (median)"
    )

# %%
# ``lr = 0.001`` climbs back by more than 0.01 in most seeds, by different amounts: the
# instability is not one unlucky draw. A learning rate ten times smaller barely climbs
# at all. So, on these inputs, 0.001 is not a small step yet.
#
# Raw versus standardised inputs
# ------------------------------
# AdamW moves each weight by about ``lr`` per step, whatever the size of its gradient. A
# weight that multiplies :math:`x_2 \approx 1000` then moves its unit's input by about
# ``1000 * lr``: 1 for ``lr = 0.001``, as large as the targets. Standardising the inputs
# (each column to mean 0 and standard deviation 1, with the training set's statistics)
# makes ``lr`` the same small step for every weight.


def standardised(seed):
    """The exercise data of ``seed`` with every input column standardised."""
    (X_train, Y_train), (X_valid, Y_valid) = optimlab.exercise_data(seed=seed)
    mean, std = X_train.mean(dim=0), X_train.std(dim=0)
    return ((X_train - mean) / std, Y_train), ((X_valid - mean) / std, Y_valid)


scaled = optimlab.compare_configs(lr=[0.01, 0.001, 0.0001], seeds=SEEDS, data=standardised)
scaled_climb = optimlab.climb(scaled.runs[..., 5:])
for label, climbs, finals in zip(scaled.labels, scaled_climb, scaled.runs[:, :, -1], strict=True):
    print(
        f"standardised, {label:>12}: climbs in {np.sum(climbs > 0.01):2d} of {SEEDS} seeds "
        f"(median climb {np.median(climbs):.3f}); final RMSE / yardstick "
        f"{np.median(finals / yardsticks):.2f} (median)"
    )

fig, axes = plt.subplots(2, 2, figsize=(11, 8), sharey=True)
for column, (result, title) in enumerate(
    [(raw, "Raw inputs (the exercise)"), (scaled, "Standardised inputs")]
):
    top, bottom = axes[:, column]
    result.plot(ax=top)
    top.set_title(f"{title}: mean and band of 10 seeds")
    bottom.plot(np.arange(1, 31), result.runs[lr_001].T, color="C1", linewidth=1)
    bottom.set_title(f"{title}: lr = 0.001, each seed")
    bottom.set_xlabel("Epoch")
    bottom.set_ylabel("Validation RMSE")
    for ax in (top, bottom):
        ax.axhline(np.mean(yardsticks), color="0.5", linestyle="--", linewidth=1)
axes[0, 0].set_ylim(0, 1.5)
fig.tight_layout()
plt.show()

# %%
# With standardised inputs ``lr = 0.001`` descends smoothly in every seed and ends far
# below the yardstick (dashed: predicting the training mean), where on raw inputs every
# learning rate ends above it.
#
# Dead ReLU units
# ---------------
# A ReLU unit that outputs 0 for every training row passes no gradient to its weights:
# it is dead, and stays so. :func:`~optimlab.dead_units` counts them; the callback of
# :func:`~optimlab.train_valid` records them after every epoch.


def dead_along_training(data, seed, lr=0.001):
    model = optimlab.make_mlp(seed=123 + seed)
    X_train = data[0][0]
    counts = [optimlab.dead_units(model, X_train)]  # before training
    optimlab.train_valid(
        model,
        data,
        lr=lr,
        callback=lambda epoch, model: counts.append(optimlab.dead_units(model, X_train)),
    )
    return np.array(counts)  # (31 epochs, 2 layers)


# Before training, for all ten seeds:
dead_at_start = {
    "raw": np.array(
        [
            optimlab.dead_units(
                optimlab.make_mlp(seed=123 + s), optimlab.exercise_data(seed=s)[0][0]
            )
            for s in range(SEEDS)
        ]
    ),
    "standardised": np.array(
        [
            optimlab.dead_units(optimlab.make_mlp(seed=123 + s), standardised(s)[0][0])
            for s in range(SEEDS)
        ]
    ),
}
for name, counts in dead_at_start.items():
    print(f"{name:>12}: dead units in layer 1 before training, 10 seeds: {counts[:, 0].tolist()}")

# Along training, for two seeds (the reference loop, one run at a time, is slower):
dead_raw = np.stack([dead_along_training(optimlab.exercise_data(seed=s), s) for s in range(2)])
dead_scaled = np.stack([dead_along_training(standardised(s), s) for s in range(2)])
for name, dead in [("raw", dead_raw), ("standardised", dead_scaled)]:
    for seed, counts in enumerate(dead):
        print(
            f"{name:>12}, seed {seed}: dead units (layer 1, layer 2) before training "
            f"{counts[0].tolist()}, after 30 epochs {counts[-1].tolist()}"
        )

fig, ax = plt.subplots(figsize=(6.4, 3.6))
epochs = np.arange(31)
for seed, style in enumerate(["-", "--"]):
    for name, dead, color in [("raw", dead_raw, "C3"), ("standardised", dead_scaled, "C0")]:
        ax.plot(epochs, dead[seed, :, 0], style, color=color, label=f"{name}, seed {seed}")
ax.set_xlabel("Epoch (0: initial weights)")
ax.set_ylabel("Dead units in hidden layer 1 (of 50)")
ax.set_ylim(-1, 50)
ax.legend(title="Inputs (lr = 0.001)")
plt.show()

# %%
# On raw inputs about a third to a half of the first hidden layer is dead *before the
# first step*: :math:`x_2` dominates every unit's input, so a unit whose weight on :math:`x_2`
# is negative never fires. Training does not revive them, and the count barely moves
# while the curves climb, so dead units explain why raw-input networks learn so little,
# not why ``lr = 0.001`` is unstable. With standardised inputs no first-layer unit is dead,
# in any of the ten seeds.
#
# What the runs show
# ------------------
# * The instability of ``lr = 0.001`` is real across seeds, not one unlucky draw.
# * It is a step-size effect of the raw input scale: ten times smaller on raw inputs, or
#   the same 0.001 on standardised inputs, and the climbs (nearly) vanish.
# * Dead units are a separate flaw of the raw inputs: fixed at initialisation, they waste
#   capacity, which is why every raw-input run ends near the yardstick.

assert np.sum(raw_climb[lr_001] > 0.01) >= 6  # climbs in most seeds
assert np.median(raw_climb[2]) < 0.1 * np.median(raw_climb[lr_001])  # 10x smaller lr: calm
assert np.all(scaled_climb[lr_001] < 0.01)  # standardised: smooth in every seed
assert np.all(scaled.runs[lr_001, :, -1] < 0.6 * yardsticks)  # and far below the yardstick
assert np.all(np.median(raw.runs[:, :, -1] / yardsticks, axis=1) > 1)  # raw: above it
assert np.all(dead_at_start["raw"][:, 0] >= 12) and np.all(
    dead_at_start["standardised"][:, 0] <= 2
)
assert np.all(dead_scaled[:, :, 0] == 0)
assert np.all(np.abs(dead_raw[:, -1, 0] - dead_raw[:, 0, 0]) <= 2)  # fixed from the start
