"""
========================================
Real data: the learning rate on diabetes
========================================

.. lesson::
   :figure: 1

   **Question.** On real data, scikit-learn's diabetes set, what does the learning rate
   of :torch-optim:`AdamW` change?

   **Answer.** *When* the best epoch comes, not how good it is: the five best RMSEs lie
   close together :verdict:`diabetes:the five best RMSEs lie within 0.06 of each other`,
   but ``lr = 0.0003`` peaks later than ``lr = 0.03``
   :verdict:`diabetes:lr = 0.0003 reaches its best later than lr = 0.03`, and the
   default ``lr = 0.01`` then overfits
   :verdict:`diabetes:the default lr = 0.01 ends more than 0.05 above its best (it overfits)`.

You will learn: that every learning rate beats predicting the mean at its best epoch; that
the large rates peak within a few epochs and then overfit these 310 patients, so that
after 30 epochs the smallest rate ends lowest; and that the yardstick alone moves more
between splits than the learning rates' best values differ. On the way: a sweep on data of
your own, with a seeded split per seed and inputs standardised with the training rows.
"""

# %%
# The data, split anew for every seed
# ------------------------------------
# ``sklearn.datasets.load_diabetes`` ships inside scikit-learn: nothing is
# downloaded. The target is a measure of disease progression one year later (about 25 to
# 346). A data *function* gives each seed its own split into 310 training and 132
# validation patients; the inputs are standardised with the training rows' mean and
# standard deviation, so no statistic of the validation rows leaks into training.
#
# .. fold:: Why the target is scaled too, and what its units are
#
#    The target is scaled too, with the training mean and standard deviation: raw, it sits
#    around 150, and a network that starts near 0 would spend its first epochs just learning
#    that offset. So every RMSE below is in *training standard deviations* of the target
#    (multiply by about 77 for the raw units), and predicting the training mean scores
#    about 1.

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes

import optimlab

X, y = load_diabetes(return_X_y=True)
print(f"{X.shape[0]} patients, {X.shape[1]} inputs; target from {y.min():.0f} to {y.max():.0f}")


def diabetes(seed):
    """Seed ``seed``'s split: 310 training rows, 132 validation rows, scaled by the first."""
    order = np.random.default_rng(seed).permutation(len(X))
    train, valid = order[:310], order[310:]
    x_mean, x_std = X[train].mean(axis=0), X[train].std(axis=0)
    y_mean, y_std = y[train].mean(), y[train].std()

    def scaled(rows):
        return (X[rows] - x_mean) / x_std, (y[rows] - y_mean) / y_std

    return scaled(train), scaled(valid)


# %%
# Fifty seeds, five learning rates
# --------------------------------
# ``data=diabetes`` is all it takes: the arrays are NumPy, ``Y`` is one-dimensional, and
# the default model, the exercise's MLP, gets 10 inputs to match. It is a plain
# ``Linear``/``ReLU`` network, so the sweep engine trains it bit for bit as
# :func:`~optimlab.train_valid` would. Fifty seeds, each with its own split, are enough
# to tell a tendency from the luck of a few splits.

lrs = [0.0003, 0.001, 0.003, 0.01, 0.03]
result = optimlab.compare_configs(lr=lrs, data=diabetes, seeds=50)
trained_by = sorted({how for row in result.provenance.trained_by for how in row})
print(f"metric: {result.metric}; trained by: {trained_by}")

# Each seed's yardstick, predicting the training mean (0 in scaled units), on its own
# split: the sweep records it.
yardsticks = result.yardsticks
best, best_epoch = result.runs.min(axis=2), result.runs.argmin(axis=2) + 1
final = result.final  # (5 learning rates, 50 seeds)
print(f"medians over {len(result.seeds)} seeds: best RMSE, its epoch, last RMSE")
print(f"{'lr':>6} {'best':>6} {'epoch':>5} {'last':>6}")
for lr, b, e, f in zip(result.values, best, best_epoch, final, strict=True):
    print(f"{lr:>6g} {np.median(b):6.3f} {np.median(e):5.1f} {np.median(f):6.3f}")
print(f"predicting the training mean: median {np.median(yardsticks):.3f}")

# %%
# Plot the curves
# ---------------
# The median over the seeds, with a band from the 10% to the 90% quantile of the runs;
# the dashed line is predicting the training mean (median over the seeds), which
# ``result.plot()`` draws from the sweep's own yardsticks.

# One panel, 5 inches wide: it stays readable on a phone.
fig, ax = plt.subplots(figsize=(4.5, 3.6), layout="constrained")
result.plot(ax=ax)
ax.set_title("Diabetes: learning rate")
title = ax.get_legend().get_title().get_text()  # "Configuration" and the band
ax.legend(title=title, fontsize="small", title_fontsize="small", loc="upper right")
plt.show()

# %%
# What the runs show
# ------------------
# Each observation is counted per seed and stated with a word of the vocabulary ("in
# most seeds": at least 60 %; see :doc:`/claims`), which holds only where the count's
# 95 % interval lies inside the word's range.
#
# Every learning rate beats predicting the mean at its best epoch in nearly every seed,
# and the five best values lie close together in most seeds; what the learning rate
# moves is *when* that best comes. The smallest rate reaches its best later than the
# largest in nearly every seed: the large ones peak within the first few epochs and then
# overfit these 310 patients, while the smallest improves slowly. The default
# ``lr = 0.01`` ends well above its best in nearly every seed. After 30 epochs the smallest
# learning rate ends lowest in most seeds: it ends within 0.03 of its own best in nearly
# every seed (some seeds have passed their best, others are still improving at epoch
# 30), while the larger rates have overfitted for many epochs.
#
# .. fold:: A caution on "best"
#
#    A caution on "best": each run's best epoch is picked on the validation rows
#    themselves, so its RMSE is an optimistic score of that run, not an estimate of how it
#    would do on new patients. Early stopping done honestly picks the epoch on one split
#    and reports on another.
#
# .. fold-start:: The six observations, counted per seed (code, output)

claims = optimlab.Claims("diabetes")
claims.seeds("every learning rate beats predicting the training mean at its best epoch",
             (best < yardsticks).all(axis=0), "nearly every")  # fmt: skip
claims.seeds("the five best RMSEs lie within 0.06 of each other",
             np.ptp(best, axis=0) < 0.06, "most")  # fmt: skip
claims.seeds(f"lr = {lrs[0]} reaches its best later than lr = {lrs[-1]}",
             best_epoch[0] > best_epoch[-1], "nearly every")  # fmt: skip
claims.seeds("the default lr = 0.01 ends more than 0.05 above its best (it overfits)",
             final[lrs.index(0.01)] > best[lrs.index(0.01)] + 0.05, "nearly every")  # fmt: skip
claims.seeds(f"after 30 epochs the smallest learning rate, lr = {lrs[0]}, ends lowest",
             final.argmin(axis=0) == 0, "most")  # fmt: skip
claims.seeds(f"lr = {lrs[0]} ends within 0.03 of its best",
             final[0] < best[0] + 0.03, "nearly every")  # fmt: skip

# %%
# .. fold-end::

# %%
# The split itself matters: the yardstick alone moves from split to split by far more
# than the learning rates' best values differ.

claims.check(
    "the yardstick itself moves by more than 0.2 between splits",
    np.ptp(yardsticks) > 0.2,
    evidence=f"from {yardsticks.min():.2f} to {yardsticks.max():.2f}",
    key="split_matters",
)

# %%
# Takeaways
# ---------
# * Your own data go in as ``data=`` (arrays or tensors, or a function of the seed for a
#   split per seed); standardise inputs with the training rows only.
# * On a small real data set the learning rate mostly sets the *timing*: large rates
#   reach about the same best RMSE in a few epochs, then overfit. A fixed budget of 30
#   epochs therefore favours the smallest rate here; with early stopping (its epoch
#   chosen on a split of its own), the large ones might do as well, sooner.
# * Many seeds, each with its own split, show how much of a single curve is luck: the
#   yardstick alone moves by more than 0.2 between splits.
