"""
========================================
The optimizers on Rosenbrock, each tuned
========================================

You will learn: how SGD, SGD with momentum, the exercise's momentum rule, Adam, RMSprop
and Adagrad move on the exercise's Rosenbrock valley when each gets its own best
learning rate; why SGD with momentum and the exercise's rule are one method at two
scales; and, in an interactive figure, how the path changes with the learning rate and
the momentum.

Each optimizer is a :mod:`torch.optim` class (or :class:`optimlab.Momentum`) driving the
point :math:`(x, y)`, one float32 tensor, from the exercise's start (-1, 2).
:func:`optimlab.race_rosenbrock` runs each at every learning rate of a grid and keeps
the one with the lowest :math:`f` after 100 steps. No weight decay: on this function it
only pulls the point away from the minimum
(:ref:`sphx_glr_auto_examples_q3_weight_decay_plot_10_weight_decay_rosenbrock.py`).
"""

# %%
# Tune each optimizer on the valley
# ---------------------------------
# Thirteen learning rates from 0.001 to 1, evenly spaced on a log scale; momentum 0.9
# for SGD, the exercise's beta 0.9 for :class:`~optimlab.Momentum`, torch's defaults for
# the others (Adam's betas 0.9 and 0.999).

import matplotlib.pyplot as plt
import numpy as np

import optimlab
from optimlab import path_grid, rosenbrock_path

claims = optimlab.Claims("optimizers_rosenbrock")
optimizers = ["sgd", ("sgd", {"momentum": 0.9}), "momentum", "adam", "rmsprop", "adagrad"]
lrs = [float(f"{lr:.2g}") for lr in np.geomspace(0.001, 1, 13)]
race = optimlab.race_rosenbrock(optimizers, lrs, steps=100)
for label, path in race.paths.items():
    print(f"{label:>18}: lr {race.chosen_lr[label]:<5g} f after 100 steps {path.value[-1]:.2e}")

# %%
# The paths, each at its tuned learning rate
# ------------------------------------------

ax = race.plot()
ax.figure.set_size_inches(6, 5.2)
ax.set_title("100 steps from (-1, 2), each optimizer at its tuned lr")
plt.show()

ax = race.plot(kind="values")
ax.figure.set_size_inches(6, 4)
ax.axhline(1e-3, color="0.5", ls="--", lw=1)
plt.show()


def first_below(path, level=1e-3):
    """The first step at which f < level, or None."""
    below = np.flatnonzero(path.value < level)
    return int(below[0]) if below.size else None


arrivals = {label: first_below(path) for label, path in race.paths.items()}
rises = {label: int((np.diff(path.value) > 0).sum()) for label, path in race.paths.items()}
print("optimizer: first step with f < 0.001, steps on which f rises")
for label in race.labels:
    print(f"{label:>18}: {arrivals[label]}, {rises[label]}")

# %%
# What the race shows
# -------------------
# Plain SGD's best rate is the largest one that does not blow up: one step further in
# the grid and the point leaves the valley for good. Momentum lets the point go faster
# along the valley, at the price of overshooting (f rises on many steps). Adam gets
# there first. RMSprop and Adagrad, which divide each coordinate's step by a running
# size of its gradients, crawl along the flat valley floor.

picks = race.chosen_lr
lowest, highest = min(picks, key=picks.get), max(picks, key=picks.get)
claims.check(
    "the tuned rates span a factor of more than ten, from SGD with momentum to Adagrad",
    picks[highest] / picks[lowest] > 10 and (lowest, highest) == ("sgd (momentum=0.9)", "adagrad"),
    evidence=f"{lowest} {picks[lowest]:g}, {highest} {picks[highest]:g}",
    key="picks_span",
)
sgd_row = race.labels.index("sgd")
sgd_next = lrs.index(race.chosen_lr["sgd"]) + 1
claims.check(
    "plain SGD's pick is its largest stable rate: the next one in the grid diverges",
    bool(np.isinf(race.scores[sgd_row, sgd_next])),
    evidence=f"pick {race.chosen_lr['sgd']:g}; lr {lrs[sgd_next]:g} gives f = inf",
    key="sgd_edge",
)
reached = {label: step for label, step in arrivals.items() if step is not None}
claims.check(
    "Adam's tuned path is the first to reach f < 0.001",
    min(reached, key=reached.get) == "adam",
    evidence=f"step {reached['adam']}; the next: step {sorted(reached.values())[1]}",
    key="adam_first",
)
momentum_like = ["sgd (momentum=0.9)", "momentum", "adam"]
claims.check(
    "with momentum (SGD's, the exercise's, Adam's), f rises on at least 20 of the 100 "
    "steps; without (SGD, RMSprop, Adagrad), on fewer than 10",
    all(rises[label] >= 20 for label in momentum_like)
    and all(rises[label] < 10 for label in ("sgd", "rmsprop", "adagrad")),
    evidence="counts printed above",
    key="momentum_overshoots",
)
slow = race.scores[[race.labels.index("rmsprop"), race.labels.index("adagrad")]]
claims.check(
    "no rate of the grid brings RMSprop or Adagrad below f = 0.001 in 100 steps",
    bool((slow.min(axis=1) > 1e-3).all()),
    evidence=f"their best: {slow.min(axis=1).round(4).tolist()}",
    key="adaptive_crawl",
)

# %%
# SGD with momentum is the exercise's rule, rescaled
# --------------------------------------------------
# torch's SGD accumulates :math:`v \leftarrow \beta v + g` and steps by :math:`\eta v`;
# the exercise's rule averages, :math:`v \leftarrow \beta v + (1 - \beta) g`. So SGD at
# :math:`\eta` takes the exercise's steps at :math:`\eta / (1 - \beta)`, ten times
# larger for :math:`\beta = 0.9`, and the tuning finds exactly that.

heavy, exercise = race.paths["sgd (momentum=0.9)"], race.paths["momentum"]
ratio = race.chosen_lr["momentum"] / race.chosen_lr["sgd (momentum=0.9)"]
gap = max(np.abs(heavy.x - exercise.x).max(), np.abs(heavy.y - exercise.y).max())
claims.check(
    "the two picks are ten times apart and the two paths agree to within 1e-4",
    bool(np.isclose(ratio, 10) and gap < 1e-4),
    evidence=f"picks {race.chosen_lr['sgd (momentum=0.9)']:g} and "
    f"{race.chosen_lr['momentum']:g}; largest coordinate gap {gap:.1e}",
    key="same_method",
)

# %%
# Move the learning rate and the momentum yourself
# ------------------------------------------------
# Every path below was computed here, by the library, for four optimizers, eight
# learning rates and five momenta (160 paths of 200 steps); the figure only looks them
# up. "Momentum" is SGD's and RMSprop's ``momentum``, Adam's ``beta1`` and the
# exercise's ``beta``. It opens at the exercise's setting: its momentum rule, lr 0.01,
# beta 0.9. The contours are of :math:`\log_{10} f`; the star is the minimum (1, 1).

grid = path_grid(
    ["sgd", "momentum", "adam", "rmsprop"],
    lrs=[0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.5, 1.0],
    momenta=[0.0, 0.5, 0.8, 0.9, 0.95],
    steps=200,
)
checked = [("momentum", 0.01, 0.9), ("sgd", 0.1, 0.0), ("adam", 0.5, 0.95), ("rmsprop", 0.03, 0.5)]
identical = 0
for name, lr, momentum in checked:
    fresh = rosenbrock_path(name, lr, 200, momentum=momentum)
    stored = grid.path(name, lr, momentum)
    identical += np.array_equal(stored.x, fresh.x) and np.array_equal(stored.y, fresh.y)
claims.check(
    "each of four stored paths, one per optimizer, is bit for bit a fresh run",
    identical == len(checked),
    evidence=f"{identical} of {len(checked)} identical",
    key="stored_is_fresh",
)

# plotly.js comes from the site's own _static folder, two levels up from this page (the
# site build copies it there); outside the site, leave plotlyjs out to inline it.
figure = grid.interactive(initial=(1, 2, 3), plotlyjs="../../_static/plotly.min.js")
claims.check(
    "the figure and its 160 paths weigh less than 1 MB",
    len(figure.html) < 1e6,
    evidence=f"{len(figure.html) / 1e3:.0f} kB of HTML",
    key="light_figure",
)
figure

# %%
# Takeaways
# ---------
# * Tune each optimizer on the problem at hand: the best rates here span more than a
#   factor of ten, from SGD with momentum's to Adagrad's.
# * Plain SGD is limited by stability: its best rate sits just below the one that
#   diverges. Momentum and Adam trade a bumpy path (f goes up on many steps) for speed.
# * SGD with momentum and the exercise's momentum rule are one method: the same path
#   at learning rates a factor :math:`1/(1-\beta)` apart.
# * On this valley, the per-coordinate scaling of RMSprop and Adagrad does not help;
#   Adam, which adds momentum to it, is fastest. A two-dimensional valley is not a
#   neural network: compare them on the network too
#   (:ref:`sphx_glr_auto_examples_deeper_plot_14_compare_optimizers.py`).
