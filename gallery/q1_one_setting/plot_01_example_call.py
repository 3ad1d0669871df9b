"""
====================================
The example call: two learning rates
====================================

.. lesson::
   :figure: 1

   **Question.** What does the exercise's example call show: :torch-optim:`AdamW` at
   ``lr = 0.1`` and ``lr = 0.2``, weight decay 0.02, one seed, raw inputs?

   **Answer.** Two networks that have barely learned: both end near the yardstick, the
   error of predicting the training mean, at
   :verdict-data:`example_call:end_near_yardstick:last:.3f` against
   :verdict-data:`example_call:end_near_yardstick:yardstick:.3f`.

You will learn: that ``compare_configs`` trains one network per value of one setting,
from the same initial weights; that a curve means something only against the yardstick
(drawn dashed); and that this call's curves, for all their wiggles, stay next to it.

Try it yourself: this page's settings, their neighbours and both input worlds, ten
seeds each, in the `explorer <../../explorer.html>`__, in your browser.

The exercise's call trains the same small network twice, with every other setting at its
default (30 epochs, batch size 16, betas 0.9 and 0.999), and plots the validation RMSE
after each epoch.
"""

# %%
# The data, and a yardstick
# -------------------------
# The network learns the Friedman #3 function from 700 training rows and is scored on 300
# validation rows (:func:`optimlab.exercise_data`, seeded, so every run sees the same rows).
# Before training anything, note what the simplest model scores: always predicting the
# mean of the training targets (:func:`optimlab.baseline_rmse`). A network that does not
# beat this number has learned nothing about the inputs.

import matplotlib.pyplot as plt

import optimlab

claims = optimlab.Claims("example_call")
(X_train, Y_train), (X_valid, Y_valid) = optimlab.exercise_data()
yardstick = optimlab.baseline_rmse(optimlab.exercise_data())
print(f"{len(X_train)} training rows, {len(X_valid)} validation rows")
print(f"validation RMSE of predicting the training mean (the yardstick): {yardstick:.3f}")

# %%
# Run the comparison
# ------------------
# :func:`optimlab.compare_configs` takes exactly one hyperparameter as a list and trains
# one network per value, each from the same initial weights (seed 123).

result = optimlab.compare_configs(epochs=30, lr=[0.1, 0.2], weight_decay=0.02)
for label, curve in zip(result.labels, result.valid_rmse, strict=True):
    print(
        f"{label}: epoch 1 {curve[0]:.3f}, highest {curve.max():.3f} "
        f"(epoch {curve.argmax() + 1}), last {curve[-1]:.3f} "
        f"= {curve[-1] / yardstick:.2f} x the yardstick"
    )

# %%
# Plot the curves
# ---------------
# One line per learning rate, in the order given; the dashed line is the yardstick.
# The curves span only a few hundredths, so the y-axis starts at 0: zoomed in, a wiggle
# of 0.02 would fill the figure and look dramatic next to an RMSE of about 0.3.

ax = result.plot(yardstick=yardstick)
ax.set_ylim(0, max(0.5, 1.1 * result.valid_rmse.max()))
ax.set_title("lr = [0.1, 0.2], weight_decay = 0.02")
plt.show()

# %%
# What the figure shows
# ---------------------
# Both curves get *worse* over the first epochs before they improve, and after 30 epochs
# both end within a few hundredths of the yardstick: on raw inputs the network has
# learned hardly more than the mean of the targets. The smaller learning rate ends a
# little lower. That is one seed, though; the pages that follow repeat every comparison
# under fifty seeds.

first, last = result.valid_rmse[:, 0], result.valid_rmse[:, -1]
worst_early = result.valid_rmse[:, :10].max(axis=1)
claims.check(
    "both curves rise above their first epoch within the first ten epochs",
    bool((worst_early > first).all()),
    evidence=", ".join(
        f"{label}: {a:.3f} then up to {b:.3f}"
        for label, a, b in zip(result.labels, first, worst_early, strict=True)
    ),
    key="worse_before_better",
)
claims.check(
    "both end within 0.03 of the yardstick",
    bool((abs(last - yardstick) < 0.03).all()),
    evidence=f"last {last[0]:.3f} and {last[1]:.3f}, yardstick {yardstick:.3f}",
    key="end_near_yardstick",
    last=last,
    yardstick=yardstick,
)
claims.check(
    "lr = 0.1 ends lower than lr = 0.2 (one seed)",
    bool(last[0] < last[1]),
    evidence=f"{last[0]:.3f} < {last[1]:.3f}",
    key="smaller_ends_lower",
)

# %%
# Takeaways
# ---------
# * ``compare_configs`` trains one network per value of one setting and ``.plot()``
#   draws one validation curve each; draw the yardstick (``yardstick=``) to know what
#   the curves are worth.
# * Here both networks end near the yardstick: they have barely learned. Whatever this
#   call says about learning rates, it says about networks that do not work yet.
# * Why? The inputs are used raw, and :math:`x_2` reaches about 1760:
#   :ref:`sphx_glr_auto_examples_q1_one_setting_plot_02_input_scale.py` shows what that
#   does to training (:ref:`raw_input_steps`), and how standardising the inputs fixes
#   it.
