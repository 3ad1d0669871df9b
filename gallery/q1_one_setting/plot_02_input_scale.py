r"""
===========================================
Input scale: why the default network fails
===========================================

You will learn: that on the exercise's raw inputs the default network ends *worse* than
predicting the mean, that standardising the inputs fixes it, why (AdamW's steps and an
input that reaches 1760), and what dead ReLU units do and do not explain.

Every comparison of the exercise trains the same network on the raw Friedman #3 inputs,
where :math:`x_2` reaches about 1760 while the other inputs stay below about 100. This
page asks first whether that network learns at all, then what the input scale has to do
with the exercise's odd observation that ``lr = 0.001`` is unstable.
"""

# %%
# The default network against the yardstick
# -----------------------------------------
# The yardstick is the validation RMSE of always predicting the mean of the training
# targets (:func:`optimlab.baseline_rmse`): a network that does not beat it has learned
# nothing about the inputs. Train the default network (``lr = 0.01``, batch size 16,
# every other setting at its default) under fifty seeds: seed ``s`` draws its own data and
# split (``exercise_data(seed=s)``) and its own initial weights (``make_mlp(seed=123 +
# s)``), and has its own yardstick. The same call also runs two smaller learning rates
# and ``beta2 = 0.99``, used further down.

import matplotlib.pyplot as plt
import numpy as np

import optimlab
from optimlab import plot_finals

claims = optimlab.Claims("input_scale")
SEEDS = 50
raw, raw_beta2 = optimlab.compare_sweeps(
    [{"lr": [0.01, 0.001, 0.0001]}, {"beta2": [0.999, 0.99]}], seeds=SEEDS
)
seeds = raw.seeds
yardsticks = np.array([optimlab.baseline_rmse(optimlab.exercise_data(seed=s)) for s in seeds])
default_raw = raw.final[0]  # lr = 0.01: the defaults, one final RMSE per seed
print(f"seed {seeds[0]}: the default network ends at {default_raw[0]:.3f}, the yardstick "
      f"is {yardsticks[0]:.3f}")  # fmt: skip
print(f"first ten seeds: final RMSE {np.round(default_raw[:10], 3).tolist()}")
print(f"                 yardstick  {np.round(yardsticks[:10], 3).tolist()}")

claims.seeds(
    "the default network on raw inputs ends above its seed's yardstick (worse than "
    "predicting the mean)",
    default_raw > yardsticks,
    "most",
    evidence=f"median final {np.median(default_raw):.3f} against a median yardstick "
    f"{np.median(yardsticks):.3f}, median ratio {np.median(default_raw / yardsticks):.2f}",
    key="default_raw_worse_than_mean",
    world="raw",
    median_final=np.median(default_raw),
    median_yardstick=np.median(yardsticks),
    median_ratio=np.median(default_raw / yardsticks),
)

# %%
# In most seeds thirty epochs of training end *above* the yardstick: on the exercise's
# inputs the default network does worse than a constant.
#
# Standardise the inputs
# ----------------------
# AdamW moves each weight by about ``lr`` per step, whatever the size of its gradient. A
# first-layer weight that multiplies :math:`x_2 \approx 1000` then moves its unit's input
# by about ``1000 * lr``: 10 for the default ``lr = 0.01``, several times the targets'
# whole range. Standardising the inputs (:func:`optimlab.standardize`: each column to
# mean 0 and standard deviation 1) makes ``lr`` the same small step for every weight.
#
# Two details matter. The means and standard deviations come from the *training* split
# only and are applied to both splits, so nothing about the validation rows leaks into
# training. The targets are left unscaled: they already lie between about -0.3 and 1.9,
# and unscaled targets keep every RMSE, and the yardstick, in the same units in both
# worlds, so that the numbers on this page compare directly.


def standardized(seed):
    """Seed ``seed``'s exercise data with standardised inputs (targets unchanged)."""
    return optimlab.exercise_data(seed, standardize=True)


scaled = optimlab.compare_configs(lr=[0.01, 0.001, 0.0001], seeds=SEEDS, data=standardized)
default_scaled = scaled.final[0]
print(f"standardised, first ten seeds: final RMSE {np.round(default_scaled[:10], 3).tolist()}")
claims.seeds(
    "the default network on standardised inputs ends below its seed's yardstick",
    default_scaled < yardsticks,
    "nearly every",
    evidence=f"median final {np.median(default_scaled):.3f}, "
    f"median ratio to the yardstick {np.median(default_scaled / yardsticks):.2f}",
    key="default_standardized_beats_mean",
    world="standardized",
    median_final=np.median(default_scaled),
    median_ratio=np.median(default_scaled / yardsticks),
)
claims.check(
    "standardised: the median final RMSE is under half the median yardstick",
    bool(np.median(default_scaled) < 0.5 * np.median(yardsticks)),
    evidence=f"{np.median(default_scaled):.3f} against {np.median(yardsticks):.3f}",
    key="standardized_median_under_half",
)

# %%
# The same network, the same settings, the same seeds: standardised, it ends below the
# yardstick in nearly every seed. Each figure below shows one world: the
# median curve of each learning rate with a band over the seeds, then every seed's
# final RMSE as a dot next to a grey tick at that seed's yardstick (a dot above its tick
# is a run worse than predicting the mean). Both worlds share the y-axis.

for result, world in [(raw, "Raw inputs (the exercise)"), (scaled, "Standardised inputs")]:
    fig, (curves, finals) = plt.subplots(2, 1, figsize=(6.4, 9.6), sharey=True)
    result.plot(ax=curves, yardstick=yardsticks)
    curves.set_title(world)
    plot_finals(result, ax=finals, yardstick=yardsticks)
    finals.set_title(f"{world}: every seed after epoch 30")
    curves.set_ylim(0, 1.2)
    fig.tight_layout()
    plt.show()

# %%
# Why is the small learning rate unstable?
# ----------------------------------------
# The exercise finds ``lr = 0.001`` oddly unstable: its validation RMSE falls, then
# climbs back up. Measure instability as the *climb* of a curve (:func:`optimlab.climb`):
# how far it goes back up, summed over epochs 6 to 30; a curve that only falls has
# climb 0.

lr_001, lr_0001 = 1, 2  # rows of the two sweeps
raw_climb = optimlab.climb(raw.runs[..., 5:])  # (3 values, 50 seeds)
scaled_climb = optimlab.climb(scaled.runs[..., 5:])
for world, result, climbs in [("raw", raw, raw_climb), ("standardised", scaled, scaled_climb)]:
    for label, climb in zip(result.labels, climbs, strict=True):
        print(f"{world:>12}, {label:>12}: climbs by more than 0.01 in "
              f"{np.sum(climb > 0.01):2d} of {SEEDS} seeds (median climb "
              f"{np.median(climb):.3f})")  # fmt: skip

claims.seeds("lr = 0.001 climbs back by more than 0.01 after epoch 5", raw_climb[lr_001] > 0.01,
             "most", world="raw")  # fmt: skip
claims.seeds("lr = 0.001 climbs back by more than 0.01 after epoch 5",
             scaled_climb[lr_001] > 0.01, "few", world="standardized")  # fmt: skip
claims.check(
    "on raw inputs, ten times smaller (lr = 0.0001) climbs less than a tenth as much",
    bool(np.median(raw_climb[lr_0001]) < 0.1 * np.median(raw_climb[lr_001])),
    evidence=f"median climb {np.median(raw_climb[lr_0001]):.4f} against "
    f"{np.median(raw_climb[lr_001]):.3f}",
    key="smaller_lr_calm",
)

# %%
# On raw inputs ``lr = 0.001`` climbs back in most seeds, by different amounts: not one
# unlucky draw. Ten times smaller, or the same 0.001 on standardised inputs, and the
# climb vanishes. With :math:`x_2` near 1000 a step of 0.001 still moves a unit's input
# by about 1, as much as the targets: on raw inputs 0.001 is not a small step yet.
#
# Dead ReLU units: what they do and do not explain
# ------------------------------------------------
# A ReLU unit that outputs 0 for every training row passes no gradient to its incoming
# weights: it is dead, and in the first layer (whose inputs are the fixed data) it stays
# dead. :func:`~optimlab.dead_units` counts them. On raw inputs :math:`x_2` dominates
# every first-layer unit's input, so a unit whose weight on :math:`x_2` is negative is
# dead before the first step.

dead_at_start = {
    world: np.array(
        [optimlab.dead_units(optimlab.make_mlp(seed=123 + s), data(s)[0][0]) for s in seeds]
    )
    for world, data in [("raw", optimlab.exercise_data), ("standardised", standardized)]
}
for world, counts in dead_at_start.items():
    print(
        f"{world:>12}: dead first-layer units (of 50) before training, first ten seeds "
        f"{counts[:10, 0].tolist()}, fewest {counts[:, 0].min()}, most {counts[:, 0].max()}"
    )

# %%
# Many first-layer units are dead from the start on raw inputs, in nearly every seed, and
# hardly any on standardised inputs. It is tempting to blame them for the raw network's
# failure, but every configuration of a seed starts from the *same* weights, hence the
# same dead units, and some configurations do beat the yardstick on the same raw
# inputs: ``beta2 = 0.99`` (computed above), and batch sizes 2 and 4
# (:ref:`sphx_glr_auto_examples_q1_one_setting_plot_04_batch_size.py`).

beta2_099 = raw_beta2.final[1]
print(
    f"raw inputs, beta2 = 0.99: final RMSE, first ten seeds {np.round(beta2_099[:10], 3).tolist()}"
)
claims.seeds(
    "with the same initial weights (so the same dead units), beta2 = 0.99 ends below "
    "its seed's yardstick",
    beta2_099 < yardsticks,
    "most",
    evidence=f"median {np.median(beta2_099):.3f}; the default's {np.median(default_raw):.3f}",
    world="raw",
    key="beta2_099_beats_mean_raw",
)

# %%
# Follow the dead units along training for seed 0 with the reference loop
# (:func:`~optimlab.train_valid`, whose callback runs after every epoch): the default
# and ``beta2 = 0.99`` on raw inputs, and the default on standardised inputs.


def dead_along_training(data, **settings):
    """Dead units (layer 1, layer 2) before training and after each epoch; final RMSE."""
    model = optimlab.make_mlp(seed=123)
    X_train = data[0][0]
    counts = [optimlab.dead_units(model, X_train)]
    curve = optimlab.train_valid(
        model,
        data,
        callback=lambda epoch, model: counts.append(optimlab.dead_units(model, X_train)),
        **settings,
    )
    return np.array(counts), curve[-1]


runs = {
    "raw, defaults": dead_along_training(optimlab.exercise_data(0)),
    "raw, beta2 = 0.99": dead_along_training(optimlab.exercise_data(0), beta2=0.99),
    "standardised, defaults": dead_along_training(standardized(0)),
}
for name, (dead, final) in runs.items():
    print(f"{name:>22}: dead (layer 1, layer 2) before {dead[0].tolist()}, after 30 "
          f"epochs {dead[-1].tolist()}; final RMSE {final:.3f}")  # fmt: skip

fig, axes = plt.subplots(2, 1, figsize=(6.4, 7.2), sharex=True)
for layer, ax in enumerate(axes):
    for (name, (dead, _)), color in zip(runs.items(), ["C3", "C1", "C0"], strict=True):
        ax.plot(np.arange(31), dead[:, layer], color=color, label=name)
    ax.set_ylabel(f"Dead units in layer {layer + 1} (of 50)")
    ax.set_ylim(-1, 50)
axes[1].set_xlabel("Epoch (0: initial weights)")
yardstick = optimlab.baseline_rmse(optimlab.exercise_data(0))  # seed 0's
axes[0].set_title(f"Seed 0 (yardstick {yardstick:.3f})")
axes[1].legend(title="Inputs, settings", fontsize="small")
fig.tight_layout()
plt.show()

(dead_default, final_default), (dead_099, final_099), (dead_scaled, final_scaled) = runs.values()
claims.check(
    "seed 0: beta2 = 0.99 beats the yardstick with at least as many dead units as the "
    "default, which does not",
    bool(final_099 < yardstick < final_default and (dead_099[-1] >= dead_default[-1] - 1).all()),
    evidence=f"dead {dead_099[-1].tolist()}, RMSE {final_099:.3f} against dead "
    f"{dead_default[-1].tolist()}, RMSE {final_default:.3f}; yardstick {yardstick:.3f}",
    key="dead_units_not_the_ceiling",
)
raw_dead, scaled_dead = dead_at_start["raw"][:, 0], dead_at_start["standardised"][:, 0]
claims.seeds("a fifth or more of the first layer (10 units) is dead before training",
             raw_dead >= 10, "nearly every", world="raw")  # fmt: skip
claims.seeds("a fifth or more of the first layer (10 units) is dead before training",
             scaled_dead >= 10, "no", world="standardized")  # fmt: skip
claims.check(
    "seed 0, standardised: the second layer loses a third of its units or more during "
    "training, and the network still ends below half the yardstick",
    bool(dead_scaled[-1, 1] - dead_scaled[0, 1] >= 50 / 3 and final_scaled < 0.5 * yardstick),
    evidence=f"layer 2 dead {dead_scaled[0, 1]} -> {dead_scaled[-1, 1]}, final RMSE "
    f"{final_scaled:.3f}",
    key="dead_units_common",
)

# %%
# Dead units are real and they cost capacity: on raw inputs a fifth or more of the
# first layer never fires, in nearly every seed. But units of both layers also die
# *during* training, in both worlds: seed 0's standardised network loses a third or more
# of its second layer and still ends at well under half the yardstick. Dead units are
# common in ReLU networks and no failure by themselves. And the raw network with ``beta2
# = 0.99`` ends below the yardstick with as many dead units as the default that ends
# above it: dead units do not set the raw network's ceiling, and they do not explain why
# the default ends above the yardstick, nor the climbs of ``lr = 0.001``. What differs
# between those runs is how the optimizer steps, not the network it steps: ``beta2 =
# 0.99`` averages the squared gradients over about the last 100 steps instead of the
# last 1000, and batch sizes 2 and 4 make eight and four times as many steps per epoch
# as the default 16. :ref:`sphx_glr_auto_examples_q1_one_setting_plot_04_batch_size.py`
# and :ref:`sphx_glr_auto_examples_q1_one_setting_plot_07_beta2.py` follow those two up;
# standardising the inputs removes the need for either.
#
# Every count on this page, by world (``✓``: what the page says of the count holds):

print(claims.table())

# %%
# Takeaways
# ---------
# * On the exercise's raw inputs the default network ends worse than predicting the
#   training mean in most seeds. Draw the yardstick before reading any curve.
# * Standardising the inputs with the training split's statistics (targets unscaled, so
#   every RMSE stays comparable) makes the same network end below the yardstick in
#   nearly every seed, at a median well under half of it.
# * The cause is the scale: AdamW steps every weight by about ``lr``, and a weight on
#   :math:`x_2 \approx 1000` turns that into large moves of its unit. That is also why
#   ``lr = 0.001`` climbs back on raw inputs and not on standardised ones.
# * Dead ReLU units are a symptom of the same scale that wastes capacity, but not the
#   ceiling: the same dead units reach below the yardstick with ``beta2 = 0.99`` or
#   small batches.
# * The next pages run every sweep in both worlds and count in how many seeds each of
#   the exercise's observations survives once the network learns.
