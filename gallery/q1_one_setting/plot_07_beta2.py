"""
=========================================
beta2, the memory of the squared gradient
=========================================

.. lesson::
   :figure: 3

   **Question.** Why does ``beta2 = 0.99`` beat the yardstick on raw inputs with
   :torch-optim:`AdamW`, and the default 0.999 not?

   **Answer.** The first epoch's huge squared gradients stay in ``v`` and keep later
   steps tiny (the figure: seed 0). 0.99 forgets them faster (at epoch 30 its steps are
   :verdict-data:`beta2:shrink_end:shrink_099:.0f` times too small, 0.999's
   :verdict-data:`beta2:shrink_end:shrink_0999:.0f`) and beats the yardstick
   :verdict:`beta2:raw: 0.99 ends below the seed's yardstick`. Standardised, the three
   end alike.

You will learn: that on raw inputs the first epoch's squared gradients, read out of
AdamW's ``optimizer.state``, make up nearly all of ``v`` of 0.999 for the whole run and
keep its steps more than twenty times too small (seed 0); that 0.99 wins there because it
repairs the scaling, not because a short memory is better: standardised, the three values
end alike.

Try it yourself: this page's settings, their neighbours and both input worlds, ten
seeds each, in the `explorer <../../explorer.html#beta2=0.99>`__, in your browser.

.. fold:: What the exercise compares

   AdamW divides each step by the square root of a moving average of squared gradients,
   ``v = beta2 * v + (1 - beta2) * g**2``, which remembers roughly the last
   ``1 / (1 - beta2)`` steps: 100 for ``beta2 = 0.99`` (about two epochs of 44 steps), 1000
   for the default 0.999 (about 23 epochs), 10000 for 0.9999 (longer than the 1320 steps of
   training). The comparison ``beta2 = [0.99, 0.999, 0.9999]`` is expected to show that
   larger values give smoother curves.
"""

# %%
# Two worlds, fifty seeds
# -----------------------
# .. fold:: Seeds, worlds, yardsticks and the climb
#
#    Seed ``s`` draws its own data (``exercise_data(s)``) and initial weights
#    (``make_mlp(seed=123 + s)``), and has its own yardstick, the validation RMSE of
#    predicting the training mean (:func:`optimlab.baseline_rmse`). The comparison runs on the
#    exercise's raw inputs, where the default network ends worse than that yardstick
#    (:ref:`sphx_glr_auto_examples_q1_one_setting_plot_02_input_scale.py`), and on
#    standardised inputs (training-split statistics, targets unchanged, so every RMSE and the
#    yardstick keep their units), where it learns: :func:`optimlab.compare_inputs` runs both.
#    Roughness is measured by the *climb* of a curve (:func:`optimlab.climb`): the sum of its
#    rises, 0 for a curve that only falls.
#
#
# .. fold-output:: The medians of each value, printed

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

import optimlab

claims = optimlab.Claims("beta2")
SEEDS = 50
beta2s = [0.99, 0.999, 0.9999]


worlds = optimlab.compare_inputs(beta2=beta2s, seeds=SEEDS)
yardsticks = worlds.yardsticks  # one per seed
print(f"median yardstick: {np.median(yardsticks):.3f}")
for world, result in worlds.items():
    climbs = optimlab.climb(result.runs)  # (values, seeds)
    print(f"{world}: median over the seeds of the climb, and of epoch 30")
    print(f"{'beta2':>6} {'climb':>6} {'30':>6}")
    for value, climb, final in zip(result.values, climbs, result.final, strict=True):
        print(f"{value:>6g} {np.median(climb):6.3f} {np.median(final):6.3f}")

# %%
# The curves
# ----------
# .. fold:: How to read the figures
#
#    For each world, the median curve of each value with a band from the 10% to the 90%
#    quantile of the runs, and the yardstick (dashed, the median of the seeds'
#    values); below it, every seed's RMSE after epoch 30 as a dot, with a grey tick at that
#    seed's own yardstick.

worlds.plot("beta2", worlds=["raw"])
plt.show()

# %%
# .. fold-start:: The same on standardised inputs (code, figure)

worlds.plot("beta2", worlds=["standardized"])
plt.show()

# %%
# .. fold-end::
#
# .. fold:: What the figures show
#
#    On raw inputs ``beta2 = 0.99`` is the odd one out: its median curve is the only one to
#    end below the yardstick, and its median climb is more than ten times that of the
#    others. Standardised, the three medians end within 0.01 of each other, far below the
#    yardstick, and every median climb stays below 0.05 (at most
#    :verdict-data:`beta2:scaled_medians_close:largest_climb:.3f`, for 0.99).
#
#
# .. fold-start:: The medians, checked (code, output)

raw_final = np.median(worlds["raw"].final, axis=1)
raw_climb = np.median(optimlab.climb(worlds["raw"].runs), axis=1)
scaled_final = np.median(worlds["standardized"].final, axis=1)
claims.check(
    "raw: only 0.99 has a median final RMSE below the median yardstick, and its median "
    "climb is more than ten times that of 0.999 and 0.9999",
    bool(
        raw_final[0] < np.median(yardsticks) < raw_final[1:].min()
        and raw_climb[0] > 10 * raw_climb[1:].max()
    ),
    evidence=f"final {np.round(raw_final, 3).tolist()}, climb {np.round(raw_climb, 3).tolist()}",
    key="raw_099_odd_one_out",
)
scaled_climb = np.median(optimlab.climb(worlds["standardized"].runs), axis=1)
claims.check(
    "standardised: the three median final RMSEs lie within 0.01 of each other, and every "
    "median climb is below 0.05, the largest that of 0.99",
    bool(np.ptp(scaled_final) < 0.01 and scaled_climb.max() < 0.05 and scaled_climb.argmax() == 0),
    evidence=f"final {np.round(scaled_final, 3).tolist()}, climb "
    f"{np.round(scaled_climb, 3).tolist()}",
    key="scaled_medians_close",
    largest_climb=scaled_climb.max(),
)

# %%
# .. fold-end::
#
# Count the seeds
# ---------------
#
# Each observation, counted per seed in both worlds; the answer above quotes them.
#
# .. fold-start:: The claims, seed by seed (code, output)
#
# .. fold:: How the seeds are counted
#
#    Each observation, the expected one and those a single run of seed 0 suggests, is
#    turned into a yes or no per seed and stated with a word of the vocabulary
#    (:doc:`/claims`), which holds only where the count's 95 % interval lies inside the
#    word's range.


def per_seed(result):
    """The page's observations of one world, with the page's word for each in both worlds."""
    climbs = optimlab.climb(result.runs)  # (values, seeds)
    final = result.final
    # statement: (a boolean per seed, the page's word on raw inputs, on standardised ones)
    return {
        "the climb falls with every step of beta2 (larger is smoother)":
            ((np.diff(climbs, axis=0) < 0).all(axis=0), "about half", "about half"),
        "0.99 climbs more than 0.999": (climbs[0] > climbs[1], "most", "most"),
        "0.9999 climbs no more than 0.999": (climbs[2] <= climbs[1], "varies", "varies"),
        "0.9999 falls at every epoch": (climbs[2] == 0, "varies", "no"),
        "0.99 ends lowest": (final.argmin(axis=0) == 0, "varies", "about half"),
        "0.99 ends below the seed's yardstick": (final[0] < yardsticks, "most", "nearly every"),
        "the default 0.999 ends above the seed's yardstick":
            (final[1] > yardsticks, "most", "no"),
    }  # fmt: skip


# %%
# .. fold:: What the counts say on raw inputs
#
#    On raw inputs the full order, less climb at every step of ``beta2``, holds in about
#    half the seeds, but 0.99 climbs more than 0.999 in most seeds: "larger is
#    smoother" survives as "0.99 is the roughest". Whether 0.9999 climbs no more than
#    0.999, or falls at every epoch, varies with the seeds, and so does whether 0.99 ends
#    lowest of the three (its count sits at the edge of "most", with no margin); yet 0.99
#    ends below the yardstick in most seeds, where the default 0.999 ends above it in
#    most.
#
# .. fold:: What they say on standardised inputs
#
#    On standardised inputs the full order again holds in about half the seeds, 0.99 climbs
#    more than 0.999 in most, and 0.9999 never falls at every epoch. 0.99 ends lowest in
#    about half the seeds, no clear winner, and every value learns: 0.99 ends below the
#    yardstick in nearly every seed, the default above it in none.

for world, result in worlds.items():
    for statement, (holds, raw_word, scaled_word) in per_seed(result).items():
        claims.seeds(statement, holds, raw_word if world == "raw" else scaled_word, world=world)

# %%
# The verdicts side by side, raw and standardised (✓: the page's word for the count
# holds; ~: shown, not asserted).

print(claims.table(width=21))  # narrow enough for a phone

# %%
# .. fold-end::
#
# Why does the shortest memory win on raw inputs?
# -----------------------------------------------
# .. fold:: A guess: the first gradients linger in v
#
#    A guess: on raw inputs the untrained network's predictions are far off and
#    :math:`x_2` reaches about 1760, so the first gradients are enormous. ``v`` remembers
#    their squares, and AdamW's step, ``lr * m_hat / (sqrt(v_hat) + eps)``, stays small for as
#    long as it does. A short memory forgets them and lets the steps grow back.
#
#
# .. fold-start:: Measure it: AdamW's memory read out of its state (code, output)
#
# Measure it. The loop below is the exercise's training (AdamW, batch size 16, the rows
# in their stored order) written out with :class:`torch.optim.AdamW`, so that after
# every epoch it can read each weight's ``exp_avg`` and ``exp_avg_sq`` (AdamW's ``m`` and
# ``v``) from ``optimizer.state``. It records, as the median over the weights that
# received a gradient in that epoch:
#
# * the *share* of ``v`` that the first epoch's squared gradients still make up. Since
#   every later step multiplies ``v`` by ``beta2``, the first epoch's part after ``t``
#   steps is its value after epoch 1 times ``beta2 ** (t - 44)``;
# * the *shrink factor* ``sqrt(v_hat / g2)``, where ``g2`` is the mean squared gradient of
#   the epoch just trained: how many times smaller AdamW's step is than it would be if
#   ``v`` held only the current gradients (1: no lingering memory);
# * the mean squared gradient ``g2`` itself.


def adamw_memory(data, beta2, seed=0, epochs=30, batch_size=16, lr=0.01):
    """Train as the exercise does, recording AdamW's squared-gradient memory per epoch."""
    (X_train, Y_train), (X_valid, Y_valid) = data
    model = optimlab.make_mlp(seed=123 + seed)
    params = list(model.parameters())
    optimizer = torch.optim.AdamW(params, lr=lr, betas=(0.9, beta2), weight_decay=0.01)
    record = {"share": [], "shrink": [], "grad_sq": [], "valid_rmse": []}
    step = 0
    for epoch in range(epochs):
        grad_sq = torch.zeros(sum(p.numel() for p in params))
        for start in range(0, len(X_train), batch_size):
            rows = slice(start, start + batch_size)
            optimizer.zero_grad()
            nn.functional.mse_loss(model(X_train[rows]), Y_train[rows]).backward()
            grad_sq += torch.cat([p.grad.flatten() for p in params]).square()
            optimizer.step()
            step += 1
        grad_sq /= -(-len(X_train) // batch_size)  # mean over the epoch's steps
        v = torch.cat([optimizer.state[p]["exp_avg_sq"].flatten() for p in params])
        if epoch == 0:
            v_first, step_first = v.clone(), step
        live = grad_sq > 0  # weights of dead units receive no gradient
        v_hat = v / (1 - beta2**step)  # AdamW's bias correction
        record["share"].append((v_first * beta2 ** (step - step_first) / v)[live].median())
        record["shrink"].append((v_hat / grad_sq).sqrt()[live].median())
        record["grad_sq"].append(grad_sq[live].median())
        with torch.no_grad():
            rmse = nn.functional.mse_loss(model(X_valid), Y_valid).sqrt()
        record["valid_rmse"].append(rmse)
    return {name: torch.stack(values).double().numpy() for name, values in record.items()}


threads = torch.get_num_threads()
torch.set_num_threads(1)  # tensors this small train several times faster on one thread
memory = {
    world: {beta2: adamw_memory(data, beta2) for beta2 in beta2s}
    for world, data in [
        ("raw", optimlab.exercise_data(0)),
        ("standardized", optimlab.exercise_data(0, standardize=True)),
    ]
}
torch.set_num_threads(threads)

# %%
# The loop trains the exercise's own runs (seed 0): its validation curves are those of
# ``compare_configs`` with the same settings.

seed_0 = {
    "raw": optimlab.compare_configs(beta2=beta2s),
    "standardized": optimlab.compare_configs(
        beta2=beta2s, data=optimlab.exercise_data(0, standardize=True)
    ),
}
gap = max(
    np.abs(memory[world][beta2]["valid_rmse"] - seed_0[world].runs[i, 0]).max()
    for world in worlds
    for i, beta2 in enumerate(beta2s)
)
claims.check(
    "the reference loop reproduces compare_configs' seed-0 curves for every beta2 in both worlds",
    bool(gap < 1e-4),
    evidence=f"largest difference {gap:.1e}",
    key="loop_matches_sweep",
)
# Per beta2: g2 after epochs 1 and 30; n, the epochs (of 30) in which epoch 1's share of v
# is above 1/2, and that share at the end; the shrink factor's highest and last value.
for world in worlds:
    print(f"{world}, seed 0:")
    print(f"{'beta2':>5} {'g2 1':>7} {'g2 30':>7} {'n':>3} {'share':>5} {'max':>5} {'last':>5}")
    for beta2, rec in memory[world].items():
        share, shrink, grad_sq = rec["share"], rec["shrink"], rec["grad_sq"]
        dominated = int(np.sum(share > 0.5))
        print(f"{beta2:>5g} {grad_sq[0]:7.1e} {grad_sq[-1]:7.1e} {dominated:>3} "
              f"{share[-1]:5.2f} {shrink.max():5.1f} {shrink[-1]:5.1f}")  # fmt: skip

# %%
# .. fold-end::
#
# .. fold-start:: The plotting code (code)
#
# Plot the two measurements for each world: the share of ``v`` that the first epoch
# still makes up, and the shrink factor (log scale, the same range for both worlds; 1
# would be no lingering memory).

# sphinx_gallery_thumbnail_number = 3

epochs = np.arange(1, 31)


def plot_memory(world, title):
    """The share of v from epoch 1 and the shrink factor of one world's seed-0 runs."""
    _, (share_ax, shrink_ax) = plt.subplots(
        2, 1, figsize=(4.5, 7.2), sharex=True, layout="constrained"
    )
    for i, (beta2, rec) in enumerate(memory[world].items()):
        share_ax.plot(epochs, rec["share"], color=f"C{i}", label=f"beta2 = {beta2}")
        shrink_ax.plot(epochs, rec["shrink"], color=f"C{i}", label=f"beta2 = {beta2}")
    share_ax.axhline(0.5, color="0.45", linestyle=":", linewidth=1)
    share_ax.set_ylim(0, 1.05)
    share_ax.set_ylabel("Share of v from epoch 1")
    share_ax.set_title(f"{title}, seed 0: AdamW's memory of the first epoch")
    shrink_ax.set_yscale("log")
    shrink_ax.set_ylim(0.5, 1000)
    shrink_ax.axhline(1, color="0.45", linestyle="--", linewidth=1)
    shrink_ax.set_ylabel("Step shrink factor sqrt(v_hat / g2)")
    shrink_ax.set_xlabel("Epoch")
    shrink_ax.legend(title="median over the weights", fontsize="small")
    plt.show()


# %%
# .. fold-end::
#
# The share of ``v`` that the first epoch still makes up, and the shrink factor, on raw
# inputs (seed 0):

plot_memory("raw", "Raw inputs (the exercise)")

# %%
# .. fold-start:: The same on standardised inputs (code, figure)

plot_memory("standardized", "Standardised inputs")

# %%
# .. fold-end::
#
# .. fold:: What the memory shows, world by world
#
#    On raw inputs the first epoch's mean squared gradient is more than a hundred thousand
#    times that of epoch 30. All three values start alike: within five epochs every shrink
#    factor passes 100, each step more than a hundred times smaller than the current
#    gradients call for.
#    With ``0.999`` and ``0.9999`` the first epoch keeps making up more than 99% of ``v``
#    after every epoch, and their steps stay more than twenty times too small until the
#    end of training. ``0.99`` forgets fastest: after its first ten epochs the first
#    epoch's share of its ``v`` drops, its shrink factor falls more than five times below
#    that of ``0.999``, its steps grow, and it is the run that learns, and jumps.
#
#    On standardised inputs the first gradients are less than a hundred times larger than
#    the last. With the longer memories they still make up more than half of ``v`` for
#    many epochs, the more the longer the memory, but that shrinks each step by a factor
#    below 3, not hundreds, and all three values learn alike.
#
# .. fold-start:: The checks of the memory (code, output)

raw, scaled = memory["raw"], memory["standardized"]
raw_drop = raw[0.999]["grad_sq"][0] / raw[0.999]["grad_sq"][-1]
scaled_drop = scaled[0.999]["grad_sq"][0] / scaled[0.999]["grad_sq"][-1]
claims.check(
    "with beta2 = 0.999, the mean squared gradient falls more than 100000-fold from "
    "epoch 1 to epoch 30 on raw inputs, less than 100-fold standardised",
    bool(raw_drop > 1e5 and scaled_drop < 100),
    evidence=f"raw {raw_drop:.1e}, standardised {scaled_drop:.0f}",
    key="early_gradients_huge",
)
long_share = min(raw[b]["share"].min() for b in (0.999, 0.9999))
claims.check(
    "raw: for 0.999 and 0.9999 the first epoch makes up more than 99% of v after every "
    "epoch; for 0.99 its share stays above 95% up to epoch 10 and ends below 80%",
    bool(
        long_share > 0.99 and raw[0.99]["share"][:10].min() > 0.95 and raw[0.99]["share"][-1] < 0.8
    ),
    evidence=f"0.999 and 0.9999: at least {long_share:.4f}; 0.99: "
    f"{raw[0.99]['share'][9]:.3f} after epoch 10, {raw[0.99]['share'][-1]:.2f} after 30",
    key="raw_memory_dominates",
)
dominated = [int(np.sum(scaled[b]["share"] > 0.5)) for b in beta2s]
claims.check(
    "standardised: the first epoch makes up more than half of v in more epochs the longer "
    "the memory: in a third of the 30 epochs or fewer for 0.99, more for 0.9999",
    bool(dominated[0] < dominated[1] < dominated[2] and dominated[0] <= 10 < dominated[2]),
    evidence=f"epochs for 0.99, 0.999, 0.9999: {dominated}",
    key="scaled_memory",
)
peak_raw = np.array([raw[b]["shrink"][:5].max() for b in beta2s])
peak_scaled = np.array([scaled[b]["shrink"].max() for b in beta2s])
claims.check(
    "within the first five epochs the shrink factor exceeds 100 for every beta2 on raw "
    "inputs; standardised it stays below 3 throughout",
    bool(peak_raw.min() > 100 and peak_scaled.max() < 3),
    evidence=f"raw peaks {np.round(peak_raw).tolist()}, "
    f"standardised peaks {np.round(peak_scaled, 2).tolist()}",
    key="shrink_peak",
)
end_raw = np.array([raw[b]["shrink"][-1] for b in beta2s])
end_scaled = np.array([scaled[b]["shrink"][-1] for b in beta2s])
claims.check(
    "after epoch 30 the shrink factor grows with beta2 in both worlds; raw: above 20 for "
    "0.999 and 0.9999, more than 5 times smaller for 0.99; standardised: below 3",
    bool(
        (np.diff(end_raw) > 0).all()
        and (np.diff(end_scaled) > 0).all()
        and end_raw[1:].min() > 20
        and end_raw[0] < end_raw[1] / 5
        and end_scaled.max() < 3
    ),
    evidence=f"raw {np.round(end_raw, 1).tolist()}, "
    f"standardised {np.round(end_scaled, 1).tolist()}",
    key="shrink_end",
    shrink_099=end_raw[0],
    shrink_0999=end_raw[1],
)

# %%
# .. fold-end::
#
# Takeaways
# ---------
# * "Larger is smoother" survives only as "0.99 is the roughest": it climbs more than
#   0.999 in most seeds of either world, but the full order
#   (less climb at every step of ``beta2``) holds in about half the seeds of either
#   world, and standardised every median climb stays below 0.05.
# * "0.99 ends lowest" is a raw-input effect: on raw inputs 0.99 is the value that beats
#   the yardstick in most seeds (the default 0.999 ends above it in most), while
#   standardised it ends lowest in about half the seeds, the medians within 0.01.
#
# .. fold:: The mechanism, measured (seed 0)
#
#    * The mechanism, measured (seed 0): on raw inputs the first epoch's squared gradients,
#      more than a hundred thousand times the later ones, stay in ``v`` and keep every
#      later step of ``0.999`` and ``0.9999`` more than twenty times smaller than the
#      current gradients call for; ``0.99`` forgets them faster (at epoch 30 its steps are
#      :verdict-data:`beta2:shrink_end:shrink_099:.0f` times smaller than the gradients
#      call for, against :verdict-data:`beta2:shrink_end:shrink_0999:.0f` for 0.999), its
#      steps grow, and it both learns and jumps. Standardising removes the giant first
#      gradients (the memory then costs a factor below 3), and with them most of what
#      ``beta2`` decided. The input-scale page measures the same small steps on ten seeds,
#      and what else they explain (:ref:`raw_input_steps`).
#
# * Lesson: a hyperparameter that "wins" on badly scaled inputs may be repairing the
#   scaling. Measure the optimizer's state before explaining a curve.
#
# Predict, then run
# -----------------
# Not on this page: ``beta2 = 0.9``, a memory of about ten steps, ten times shorter than
# 0.99. Predict: on standardised inputs, where the memory costs little, does it end
# clearly above the default 0.999, or about as low? Then run it on ten of the seeds
# above, about a second, and unfold the answer.
#
# .. fold-output:: The answer, from this build's run


guess = optimlab.compare_configs(
    beta2=[0.9], seeds=10, data=lambda seed: optimlab.exercise_data(seed, standardize=True)
)
ten = yardsticks[:10]  # the same ten seeds as the first ten above
ratio_09 = np.median(guess.final[0] / ten)
ratio_0999 = np.median(worlds["standardized"].final[1, :10] / ten)
print(f"median final RMSE / yardstick, ten seeds, standardised: beta2 = 0.9 {ratio_09:.2f}, "
      f"beta2 = 0.999 {ratio_0999:.2f}")  # fmt: skip
claims.check(
    "standardised, beta2 = 0.9 ends about as low as 0.999: medians within a tenth of the "
    "yardstick of each other, both below 0.6 x the yardstick",
    bool(abs(ratio_09 - ratio_0999) < 0.1 and max(ratio_09, ratio_0999) < 0.6),
    evidence=f"{ratio_09:.2f} and {ratio_0999:.2f} x the yardstick",
    key="exercise_beta2_09",
)
