"""
===================================
beta1, the momentum of the gradient
===================================

You will learn: how ``beta1`` sets the memory of AdamW's gradient average, how to test
each of the exercise's observations by counting seeds, and that "too large oscillates"
holds in every seed once the network learns, while "too small does worse" holds in no
more than about half the seeds in either world.

AdamW steps along a moving average of the gradients, ``m = beta1 * m + (1 - beta1) * g``,
which averages over roughly the last ``1 / (1 - beta1)`` steps: 2 for ``beta1 = 0.5``, 10
for the default 0.9, 1000 for 0.999 (about 23 epochs of 44 steps). The exercise compares
``beta1 = [0.5, 0.85, 0.9, 0.95, 0.99, 0.999]`` and observes that too large a value
oscillates, because the local information is used too little, and that too small a value
does worse.
"""

# %%
# Two worlds, ten seeds
# ---------------------
# Seed ``s`` draws its own data (``exercise_data(s)``) and initial weights
# (``make_mlp(seed=123 + s)``), and has its own yardstick, the validation RMSE of
# predicting the training mean (:func:`optimlab.baseline_rmse`). The comparison runs on the
# exercise's raw inputs, where the default network ends worse than that yardstick
# (:ref:`sphx_glr_auto_examples_q1_one_setting_plot_02_input_scale.py`), and on
# standardised inputs (training-split statistics, targets unchanged, so every RMSE and the
# yardstick keep their units), where it learns.

import matplotlib.pyplot as plt
import numpy as np

import optimlab
from optimlab.plotting import plot_finals

claims = optimlab.Claims("beta1")
SEEDS = 10
beta1s = [0.5, 0.85, 0.9, 0.95, 0.99, 0.999]
DEFAULT, SMALLEST, LARGEST = 2, 0, 5  # rows of 0.9, 0.5 and 0.999


def standardized(seed):
    """Seed ``seed``'s exercise data with standardised inputs (targets unchanged)."""
    return optimlab.exercise_data(seed, standardize=True)


worlds = {
    "raw": optimlab.compare_configs(beta1=beta1s, seeds=SEEDS),
    "standardized": optimlab.compare_configs(beta1=beta1s, seeds=SEEDS, data=standardized),
}
yardsticks = np.array(
    [optimlab.baseline_rmse(optimlab.exercise_data(seed)) for seed in range(SEEDS)]
)
print(f"median yardstick: {np.median(yardsticks):.3f}")

# %%
# Oscillation is measured by the *climb* of a curve over epochs 11 to 30
# (:func:`optimlab.climb`): the sum of its rises, 0 for a curve that only falls.

for world, result in worlds.items():
    climbs = optimlab.climb(result.runs[:, :, 10:])  # (values, seeds)
    print(f"{world}: median over the seeds of")
    for label, climb, final in zip(result.labels, climbs, result.final, strict=True):
        print(f"  {label:>13}: climb over epochs 11-30 {np.median(climb):.3f}, "
              f"epoch 30 {np.median(final):.3f}")  # fmt: skip

# %%
# The curves
# ----------
# For each world, the median curve of each value with a band from the 10% to the 90%
# quantile of the ten runs, and the yardstick (dashed, the median of the ten seeds'
# values); below it, every seed's RMSE after epoch 30 as a dot, with a grey tick at that
# seed's own yardstick. The raw-input curves are cut at 1.5, so that their last twenty
# epochs are not squeezed into the bottom of the figure.

titles = {"raw": "Raw inputs (the exercise)", "standardized": "Standardised inputs"}
for world, result in worlds.items():
    fig, (curves, finals) = plt.subplots(2, 1, figsize=(6.4, 9.6))
    result.plot(ax=curves, yardstick=yardsticks)
    curves.set_title(f"{titles[world]}: beta1")
    if world == "raw":
        curves.set_ylim(0.2, 1.5)  # zoom past the first epochs' spikes to where curves end
    plot_finals(result, ax=finals, yardstick=yardsticks)
    finals.set_title(f"{titles[world]}: every seed after epoch 30")
    fig.tight_layout()
    plt.show()

# %%
# In both worlds ``beta1 = 0.999`` keeps swinging long after the others have settled: its
# median climb over epochs 11-30 is more than five times that of any other value. On raw
# inputs the largest values also start far above the figure (the median of 0.99 and
# 0.999 exceeds 5 after the first epoch), and most final RMSEs sit above their seed's
# yardstick; standardised, every run ends below two thirds of it, and the middle values
# are hard to tell apart.

for world, result in worlds.items():
    median_climb = np.median(optimlab.climb(result.runs[:, :, 10:]), axis=1)
    claims.check(
        f"{world}: the median climb of 0.999 over epochs 11-30 is more than five times "
        "that of any other value",
        bool(median_climb[LARGEST] > 5 * np.delete(median_climb, LARGEST).max()),
        evidence=f"{median_climb[LARGEST]:.3f} against at most "
        f"{np.delete(median_climb, LARGEST).max():.3f}",
        key=f"climb_ratio_{world}",
    )
above = int(np.sum(worlds["raw"].final > yardsticks))
claims.check(
    "raw: most of the 60 runs end above their seed's yardstick; standardised: every run "
    "ends below two thirds of it",
    bool(above > 30 and (worlds["standardized"].final < 2 / 3 * yardsticks).all()),
    evidence=f"raw: {above} of 60 above; standardised: largest ratio "
    f"{np.max(worlds['standardized'].final / yardsticks):.2f}",
    key="yardstick_worlds",
)
first_raw = np.median(worlds["raw"].runs[:, :, 0], axis=1)
claims.check(
    "raw: after epoch 1 the median RMSE of 0.99 and 0.999 is above 5",
    bool((first_raw[4:] > 5).all()),
    evidence=f"{first_raw[4]:.2f} and {first_raw[5]:.2f}",
    key="raw_start_high",
)

# %%
# Count the seeds
# ---------------
# Each observation, the exercise's two and those a single run of seed 0 suggests, is
# turned into a yes or no per seed and counted in both worlds. The expected counts are
# written down, so that the page fails to build if a rerun gives other numbers; the
# evidence lists the seeds in which the observation holds.


def observations(result, yardsticks):
    """Per seed (one boolean per seed), whether each observation holds."""
    late = result.runs[:, :, 10:]  # epochs 11-30: (values, seeds, 20)
    climbs = optimlab.climb(late)
    swings = late.max(axis=2) - late.min(axis=2)
    early_peak = result.runs[:, :, :10].max(axis=2)
    final = result.final
    return {
        "too_large_oscillates": (
            "0.999 climbs back the most over epochs 11-30 (the exercise: too large "
            "values oscillate)",
            climbs.argmax(axis=0) == LARGEST,
        ),
        "too_small_worse": (
            "0.5 ends above the default 0.9 (the exercise: too small values do worse)",
            final[SMALLEST] > final[DEFAULT],
        ),
        "largest_swings_widest": (
            "0.999 swings the widest over epochs 11-30",
            swings.argmax(axis=0) == LARGEST,
        ),
        "largest_swings_above_1": (
            "0.999 swings by more than 1 over epochs 11-30",
            swings[LARGEST] > 1,
        ),
        "099_early_above_1": ("0.99 goes above 1 in epochs 1-10", early_peak[4] > 1),
        "099_ends_best": ("0.99 ends best", final.argmin(axis=0) == 4),
        "05_early_above_2": ("0.5 goes above 2 in epochs 1-10", early_peak[SMALLEST] > 2),
        "default_above_yardstick": (
            "the default 0.9 ends above the seed's yardstick",
            final[DEFAULT] > yardsticks,
        ),
    }


# In how many of the 10 seeds each observation holds, as the takeaways below read it.
expected = {
    "raw": {"too_large_oscillates": 6, "too_small_worse": 6, "largest_swings_widest": 7,
            "largest_swings_above_1": 2, "099_early_above_1": 8, "099_ends_best": 3,
            "05_early_above_2": 5, "default_above_yardstick": 8},
    "standardized": {"too_large_oscillates": 10, "too_small_worse": 5,
                     "largest_swings_widest": 9, "largest_swings_above_1": 0,
                     "099_early_above_1": 0, "099_ends_best": 6, "05_early_above_2": 0,
                     "default_above_yardstick": 0},
}  # fmt: skip
for world, result in worlds.items():
    for key, (statement, holds) in observations(result, yardsticks).items():
        seeds = expected[world][key]
        claims.count_seeds(statement, holds, at_least=seeds, at_most=seeds,
                           key=f"{key}_{world}", world=world)  # fmt: skip

# %%
# The verdicts side by side: in how many of the ten seeds each observation holds, raw
# and standardised (✓: the count is the one expected above).

print(claims.table())

# %%
# Takeaways
# ---------
# * "Too large oscillates" survives, and is clearest once the network learns:
#   ``beta1 = 0.999`` climbs back the most over epochs 11-30 in all 10 standardised
#   seeds (6 of 10 raw) and swings the widest in 9 (7 raw). That fits the exercise's
#   explanation: an average over about 1000 steps makes little use of the local gradient.
# * "Too small does worse" does not survive: ``0.5`` ends above the default ``0.9`` in 6
#   of 10 seeds on raw inputs and in 5 standardised, a coin flip in both worlds. At 30
#   epochs the values from 0.5 to 0.95 are too close for ten seeds to order them.
# * Seed 0's raw-input details are artefacts of a network that does not learn: ``0.99``
#   and ``0.5`` shooting above 1 and 2 early (8 and 5 of 10 raw seeds, none
#   standardised), ``0.999`` swinging by more than 1 (2 raw, none standardised). On raw
#   inputs the default ``0.9`` ends above its yardstick in 8 of 10 seeds, standardised
#   in none. ``0.99`` ending best is a minority (3 of 10) raw and a slim majority (6)
#   standardised.
# * Lesson: the oscillation of a long momentum memory is a property of the optimizer,
#   visible in both worlds; the order of the moderate values is not something 30 epochs
#   and ten seeds can settle.
