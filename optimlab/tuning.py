"""Compare optimizers fairly: tune each one's learning rate on some seeds, report on others.

An optimizer compared at someone else's learning rate loses for the wrong reason, and one
whose learning rate was picked on the very runs then shown looks better than it is (the
pick fits those seeds' noise).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ._exceptions import DivergenceWarning
from ._validation import Split, check_choice, check_grid, check_positive_finite, check_seeds
from .config import DEFAULTS, TrainingConfig, check_optimizers, check_settings
from .metrics import median_finite
from .results import SweepResult
from .sweep import compare_sweeps

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["TunedComparison", "compare_optimizers"]


@dataclass(frozen=True)
class TunedComparison:
    """Optimizers compared at their tuned learning rates (:func:`~optimlab.compare_optimizers`).

    Attributes
    ----------
    labels : tuple of str
        One per optimizer: ``"adamw"``, ``"sgd (momentum=0.9)"``.
    lrs : tuple of float
        The learning-rate grid, increasing.
    chosen_lr : dict of str to float
        Each optimizer's pick: the grid value of lowest tuning score (the smallest on a tie).
    tuning_scores : numpy.ndarray
        Shape ``(len(labels), len(lrs))``: the median final validation RMSE over the tuning
        seeds, a diverged run counting as inf.
    tuning : tuple of SweepResult
        Each optimizer's learning-rate sweep on the tuning seeds.
    held_out : tuple of SweepResult
        Each optimizer at its chosen learning rate on the held-out seeds: the curves to report.
    tuning_seeds, held_out_seeds : tuple of int
    """

    labels: tuple[str, ...]
    lrs: tuple[float, ...]
    chosen_lr: dict[str, float]
    tuning_scores: np.ndarray
    tuning: tuple[SweepResult, ...]
    held_out: tuple[SweepResult, ...]
    tuning_seeds: tuple[int, ...]
    held_out_seeds: tuple[int, ...]

    @property
    def epochs(self) -> int:
        """Epochs of every run."""
        return self.held_out[0].epochs

    @property
    def budget(self) -> dict[str, int]:
        """The tuning budget: ``grid``, ``tuning_seeds``, ``epochs``, ``runs_per_optimizer``,
        ``runs`` (all optimizers), ``epochs_trained`` and ``held_out_runs``."""
        per = len(self.lrs) * len(self.tuning_seeds)
        runs = per * len(self.labels)
        return {
            "grid": len(self.lrs),
            "tuning_seeds": len(self.tuning_seeds),
            "epochs": self.epochs,
            "runs_per_optimizer": per,
            "runs": runs,
            "epochs_trained": runs * self.epochs,
            "held_out_runs": len(self.labels) * len(self.held_out_seeds),
        }

    def describe_budget(self) -> str:
        """The tuning budget in words.

        Examples
        --------
        >>> from optimlab.tuning import compare_optimizers
        >>> result = compare_optimizers(["adamw"], [0.01, 0.1], epochs=2,
        ...                             tuning_seeds=[0], held_out_seeds=[1])
        >>> result.describe_budget()
        'tuning: 2 learning rates x 1 seeds = 2 runs of 2 epochs per optimizer, 2 runs in all'
        """
        b = self.budget
        return (
            f"tuning: {b['grid']} learning rates x {b['tuning_seeds']} seeds = "
            f"{b['runs_per_optimizer']} runs of {b['epochs']} epochs per optimizer, "
            f"{b['runs']} runs in all"
        )

    @property
    def valid_rmse(self) -> np.ndarray:
        """Shape ``(len(labels), epochs)``: each optimizer's median held-out curve."""
        return np.stack([median_finite(r.runs)[0] for r in self.held_out])

    @property
    def final(self) -> np.ndarray:
        """Shape ``(len(labels), len(held_out_seeds))``: final validation RMSE per held-out run."""
        return np.stack([r.final[0] for r in self.held_out])

    def plot(self, ax: Axes | None = None, *, kind: str = "curves", **kwargs: Any) -> Axes:
        """Draw the held-out curves (``kind="curves"``, ``kwargs`` passed on), or each
        optimizer's tuning score against the learning rate, its pick circled
        (``kind="scores"``)."""
        from .plotting import plot_tuned, plot_tuning_scores

        check_choice("kind", kind, ("curves", "scores"))
        return (plot_tuning_scores if kind == "scores" else plot_tuned)(self, ax=ax, **kwargs)


def compare_optimizers(
    optimizers: Sequence[Any],
    lrs: Sequence[float],
    *,
    tuning_seeds: int | Sequence[int] = 3,
    held_out_seeds: int | Sequence[int] = 5,
    epochs: int = DEFAULTS.epochs,
    data: Split | Callable[[int], Split] | None = None,
    n_jobs: int | None = None,
    **settings: Any,
) -> TunedComparison:
    """Tune each optimizer's learning rate on tuning seeds, then report it on held-out seeds.

    Every optimizer trains at every ``lr`` of the grid on each tuning seed (as
    :func:`~optimlab.compare_configs` does); its pick, the ``lr`` of lowest median final
    validation RMSE (a diverged run counting as inf), then trains on the held-out seeds,
    whose curves are the comparison.

    Parameters
    ----------
    optimizers : list
        Optimizer names, classes or ``(optimizer, {option: value})`` pairs, as
        :func:`~optimlab.compare_configs` takes them; at least one, no repeats.
    lrs : list of float
        The learning-rate grid, strictly increasing, shared by every optimizer.
    tuning_seeds : int or list of int, default=3
        Seeds on which the learning rate is chosen, as ``seeds`` of
        :func:`~optimlab.compare_configs`.
    held_out_seeds : int or list of int, default=5
        Seeds on which the picks are reported, none of ``tuning_seeds``; an int ``m``
        means the ``m`` seeds after the largest tuning seed.
    epochs : int, default=30
    data : split or callable, optional
    n_jobs : int, optional
        As in :func:`~optimlab.compare_configs`.
    **settings
        ``shuffle``, and any other setting of :class:`~optimlab.TrainingConfig`, one value each.

    Returns
    -------
    TunedComparison

    Raises
    ------
    TypeError, ValueError
        For a bad argument, before any training; ValueError also if every ``lr`` of the
        grid diverged for an optimizer.

    Examples
    --------
    >>> from optimlab import exercise_data
    >>> from optimlab.tuning import compare_optimizers
    >>> result = compare_optimizers(
    ...     ["adamw", "sgd"], [0.01, 0.1], epochs=2, tuning_seeds=2, held_out_seeds=2,
    ...     data=lambda seed: exercise_data(seed, standardize=True))
    >>> result.chosen_lr
    {'adamw': 0.01, 'sgd': 0.1}
    >>> result.held_out_seeds, result.final.shape
    ((2, 3), (2, 2))
    """
    grid = check_grid("lrs", lrs, check_positive_finite)
    tuning = check_seeds("tuning_seeds", tuning_seeds)
    held_out = check_seeds("held_out_seeds", held_out_seeds, start=max(tuning) + 1)
    shared = sorted(set(tuning) & set(held_out))
    if shared:
        raise ValueError(
            f"tuning_seeds and held_out_seeds must be disjoint: seeds {shared} are in both "
            "(a learning rate chosen on a seed says nothing new on that seed)"
        )
    shuffle = settings.pop("shuffle", False)
    settings = check_settings("settings", settings, owned=("epochs", "lr", "optimizer"))
    fixed = {"epochs": epochs, **settings}
    _, labels = check_optimizers(
        optimizers, lambda entry: TrainingConfig(**fixed, optimizer=entry, lr=grid[0])
    )

    with warnings.catch_warnings():
        # Divergence while tuning is expected (the grid's large values) and is scored inf.
        warnings.simplefilter("ignore", DivergenceWarning)
        sweeps = compare_sweeps(
            [{**fixed, "optimizer": opt, "lr": list(grid)} for opt in optimizers],
            data=data, seeds=list(tuning), shuffle=shuffle, n_jobs=n_jobs,
        )  # fmt: skip
    scores = np.stack([_scores(sweep) for sweep in sweeps])
    chosen = {}
    for label, row in zip(labels, scores, strict=True):
        if not np.isfinite(row).any():
            raise ValueError(
                f"every learning rate of the grid diverged for {label} on the tuning seeds; "
                f"add smaller ones to lrs (smallest: {grid[0]})"
            )
        chosen[label] = grid[int(np.argmin(row))]
    reports = compare_sweeps(
        [{**fixed, "optimizer": opt, "lr": [chosen[label]]}
         for opt, label in zip(optimizers, labels, strict=True)],
        data=data, seeds=list(held_out), shuffle=shuffle, n_jobs=n_jobs,
    )  # fmt: skip
    scores.flags.writeable = False
    return TunedComparison(
        labels, grid, chosen, scores, tuple(sweeps), tuple(reports), tuning, held_out
    )


def _scores(sweep: SweepResult) -> np.ndarray:
    """Median final RMSE over the seeds per value, a diverged run (inf or NaN) counting as inf."""
    final = np.where(np.isfinite(sweep.final), sweep.final, math.inf)
    return np.median(final, axis=1)
