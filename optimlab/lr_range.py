r"""The learning-rate range test (Smith, 2017), repeated over seeds.

Train for ``steps`` mini-batch steps while the learning rate grows exponentially from
``lr_min`` to ``lr_max``, one step per value, and record the training loss of each step:
the loss falls once the rate is large enough to make progress and shoots up once it is
too large, and a rate is *suggested* from the smoothed curve. Learning-rate finders
(fastai's ``lr_find``, ``torch-lr-finder``) run this once; over several seeds, it shows
how much the curve and the suggestion move from seed to seed.

Step :math:`i` of :math:`n` uses :math:`\eta_i = \eta_{\min}
(\eta_{\max}/\eta_{\min})^{i/(n-1)}`; its recorded loss is the mean squared error on
that step's mini-batch, computed just before the step (so it reflects the rates up to
:math:`\eta_{i-1}`), as those finders record it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from ._validation import (
    Split,
    check_beta,
    check_choice,
    check_nonnegative_int,
    check_positive_finite,
    check_positive_int,
    check_seeds,
)
from .config import TrainingConfig, check_settings
from .data import data_per_seed
from .metrics import median_finite
from .model import check_sweep_model, exercise_mlp_for, init_seed
from .optimizers import make_optimizer, optimizer_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["RULES", "LRRangeResult", "lr_range_test", "lr_schedule", "smooth", "suggest_lr"]

#: How a rate is suggested from a smoothed curve.
RULES = {
    "steepest": "the rate where the smoothed loss falls fastest against log(lr), "
    "before its minimum",
    "minimum": "a tenth of the rate at the smoothed loss's minimum",
}


def lr_schedule(lr_min: float, lr_max: float, steps: int) -> np.ndarray:
    """The ``steps`` learning rates of the test: ``lr_min`` to ``lr_max``, evenly on a log scale.

    Examples
    --------
    >>> from optimlab.lr_range import lr_schedule
    >>> lr_schedule(0.001, 1.0, 4).tolist()
    [0.001, 0.01, 0.1, 1.0]
    """
    lr_min = check_positive_finite("lr_min", lr_min)
    lr_max = check_positive_finite("lr_max", lr_max)
    steps = check_positive_int("steps", steps)
    if steps < 2 or lr_max <= lr_min:
        raise ValueError(
            f"the test needs lr_min < lr_max and steps >= 2, got lr_min={lr_min}, "
            f"lr_max={lr_max}, steps={steps}"
        )
    return np.geomspace(lr_min, lr_max, steps)


def smooth(losses: np.ndarray, beta: float) -> np.ndarray:
    r"""Exponential moving average with bias correction, as fastai smooths the test's loss.

    :math:`a_i = \beta a_{i-1} + (1 - \beta)\ell_i`, :math:`a_{-1} = 0`, and the smoothed
    value is :math:`a_i / (1 - \beta^{i+1})`; ``beta = 0`` leaves the losses as they are.

    Examples
    --------
    >>> import numpy as np
    >>> from optimlab.lr_range import smooth
    >>> smooth(np.array([1.0, 3.0]), 0.5).tolist()  # (0.5 * 1 + 0.5 * 3) / 0.75
    [1.0, 2.3333333333333335]
    """
    beta = check_beta("smoothing", beta)
    out = np.empty(len(losses))
    average = 0.0
    for i, loss in enumerate(losses):
        average = beta * average + (1 - beta) * loss
        out[i] = average / (1 - beta ** (i + 1))
    return out


def suggest_lr(
    lrs: np.ndarray, smoothed: np.ndarray, rule: str = "steepest", *, skip_start: int = 10
) -> float:
    """The learning rate a smoothed range-test curve suggests.

    Only the curve's finite beginning counts (the test stops a seed once it diverges).

    Parameters
    ----------
    lrs, smoothed : numpy.ndarray
        The rates and the smoothed losses, same length.
    rule : {"steepest", "minimum"}
        ``"steepest"``: the rate where the loss falls fastest against ``log(lr)``
        (``numpy.gradient``), at or before the curve's minimum; ``"minimum"``: the rate
        of the minimum, divided by 10.
    skip_start : int, default=10
        For ``"steepest"``, ignore the first ``skip_start`` steps, where the smoothed curve
        still follows single noisy mini-batches; a minimum before them is the suggestion.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> from optimlab.lr_range import suggest_lr
    >>> lrs = np.array([0.001, 0.01, 0.1, 1.0])
    >>> losses = np.array([1.0, 0.9, 0.2, 5.0])
    >>> suggest_lr(lrs, losses, skip_start=0), suggest_lr(lrs, losses, "minimum")
    (0.01, 0.01)
    """
    check_choice("rule", rule, tuple(RULES))
    skip_start = check_nonnegative_int("skip_start", skip_start)
    lrs, smoothed = np.asarray(lrs, dtype=float), np.asarray(smoothed, dtype=float)
    if lrs.shape != smoothed.shape or lrs.ndim != 1:
        raise ValueError(
            f"lrs and smoothed must be 1-D of one length, got {lrs.shape} and {smoothed.shape}"
        )
    finite = np.isfinite(smoothed)
    n = len(smoothed) if finite.all() else int(np.argmin(finite))
    if n == 0:
        raise ValueError("the curve has no finite loss to suggest a learning rate from")
    best = int(np.argmin(smoothed[:n]))
    if rule == "minimum":
        return float(lrs[best] / 10)
    if best < skip_start or n < 2:
        return float(lrs[best])
    slope = np.gradient(smoothed[:n], np.log(lrs[:n]))
    return float(lrs[skip_start + int(np.argmin(slope[skip_start : best + 1]))])


@dataclass(frozen=True)
class LRRangeResult:
    """A range test over seeds, as :func:`~optimlab.lr_range_test` returns it.

    Attributes
    ----------
    optimizer : str
        Its label, such as ``"adamw"`` or ``"sgd (momentum=0.9)"``.
    lrs : numpy.ndarray
        Shape ``(steps,)``: the rate of each step.
    losses : numpy.ndarray
        Shape ``(len(seeds), steps)``: each step's mini-batch loss; NaN after a seed stopped.
    smoothed : numpy.ndarray
        The losses smoothed (``smooth``), NaN after a seed stopped.
    seeds : tuple of int
    rule : str
        The suggestion rule, a key of ``RULES``.
    suggested : numpy.ndarray
        Shape ``(len(seeds),)``: each seed's suggested rate.
    """

    optimizer: str
    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    seeds: tuple[int, ...]
    rule: str
    suggested: np.ndarray

    @property
    def median_smoothed(self) -> np.ndarray:
        """Shape ``(steps,)``: the median smoothed loss over the seeds still running."""
        return median_finite(self.smoothed[None])[0]

    @property
    def spread(self) -> float:
        """Largest over smallest suggested rate: how far the seeds disagree (1: not at all)."""
        return float(self.suggested.max() / self.suggested.min())

    def suggest(self, rule: str = "steepest", *, skip_start: int = 10) -> np.ndarray:
        """Each seed's suggested rate by ``rule``, from its smoothed curve (``suggest_lr``).

        Examples
        --------
        >>> from optimlab import lr_range_test
        >>> result = lr_range_test("sgd", lr_min=1e-4, lr_max=0.1, steps=30, seeds=2)
        >>> result.suggest("minimum").shape
        (2,)
        """
        return np.array(
            [suggest_lr(self.lrs, curve, rule, skip_start=skip_start) for curve in self.smoothed]
        )

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Draw the band and the suggestions: ``optimlab.plotting.plot_lr_range``."""
        from .plotting import plot_lr_range

        return plot_lr_range(self, ax=ax, **kwargs)


def lr_range_test(
    optimizer: Any = "adamw",
    *,
    lr_min: float = 1e-5,
    lr_max: float = 1.0,
    steps: int = 100,
    seeds: int | list[int] = 5,
    data: Split | Callable[[int], Split] | None = None,
    smoothing: float = 0.9,
    stop_factor: float | None = 4.0,
    rule: str = "steepest",
    skip_start: int = 10,
    **settings: Any,
) -> LRRangeResult:
    """Run the learning-rate range test on the exercise's MLP, once per seed.

    Seed ``s`` trains on ``exercise_data(s)`` (or ``data(s)``) from the weights
    ``make_mlp(seed=123 + s)``, as :func:`~optimlab.compare_configs` does, one mini-batch
    per step in the rows' fixed order, starting over after the last batch.

    Parameters
    ----------
    optimizer : str, optimizer class or (optimizer, options) pair, default="adamw"
        Any optimizer :class:`~optimlab.TrainingConfig` takes.
    lr_min, lr_max : float, default=1e-5, 1.0
        First and last learning rate.
    steps : int, default=100
        Number of steps, one per rate (at least 2).
    seeds : int or list of int, default=5
    data : split or callable, optional
        As in :func:`~optimlab.compare_configs`.
    smoothing : float, default=0.9
        The ``beta`` of ``smooth``.
    stop_factor : float or None, default=4.0
        Stop a seed once its smoothed loss exceeds ``stop_factor`` times its smallest so
        far, or is not finite (its remaining losses are NaN); ``None`` never stops.
    rule : {"steepest", "minimum"}, default="steepest"
    skip_start : int, default=10
        How each seed's rate is suggested, as in ``suggest_lr``.
    **settings
        Any other setting of :class:`~optimlab.TrainingConfig` (``batch_size``, ...).

    Returns
    -------
    LRRangeResult

    Raises
    ------
    TypeError, ValueError
        For a bad argument, before any training.

    Examples
    --------
    >>> from optimlab.lr_range import lr_range_test
    >>> result = lr_range_test("sgd", lr_min=1e-4, lr_max=0.1, steps=30, seeds=2,
    ...                        stop_factor=None)
    >>> result.losses.shape, len(result.suggested)
    ((2, 30), 2)
    """
    lrs = lr_schedule(lr_min, lr_max, steps)
    seed_list = check_seeds("seeds", seeds)
    smoothing = check_beta("smoothing", smoothing)
    if stop_factor is not None:
        stop_factor = check_positive_finite("stop_factor", stop_factor)
        if stop_factor <= 1:
            raise ValueError(f"stop_factor must be larger than 1 (or None), got {stop_factor}")
    check_choice("rule", rule, tuple(RULES))
    skip_start = check_nonnegative_int("skip_start", skip_start)
    if skip_start >= steps:
        raise ValueError(f"skip_start must be smaller than steps ({steps}), got {skip_start}")
    settings = check_settings("settings", settings, owned=("epochs", "lr", "optimizer"))
    config = TrainingConfig(optimizer=optimizer, lr=float(lrs[0]), **settings)
    per_seed = data_per_seed(data, seed_list, "mse")
    check_sweep_model(None, per_seed, "mse")  # the exercise's MLP must fit the data

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny network: one thread is fastest, and reproducible
    try:
        curves = [
            _one_seed(config, per_seed[seed], seed, lrs, smoothing, stop_factor)
            for seed in seed_list
        ]
    finally:
        torch.set_num_threads(threads)  # the caller's setting, untouched
    losses, smoothed = (np.array(rows) for rows in zip(*curves, strict=True))
    suggested = np.array([suggest_lr(lrs, c, rule, skip_start=skip_start) for c in smoothed])
    for array in (lrs, losses, smoothed, suggested):
        array.flags.writeable = False
    label = optimizer_label((config.optimizer, config.options))
    return LRRangeResult(label, lrs, losses, smoothed, seed_list, rule, suggested)


def _one_seed(
    config: TrainingConfig,
    split: Split,
    seed: int,
    lrs: np.ndarray,
    smoothing: float,
    stop_factor: float | None,
) -> tuple[np.ndarray, np.ndarray]:
    """One seed's test: each step's batch loss and its smoothed value, NaN after the stop."""
    (X_train, Y_train), _ = split
    model = exercise_mlp_for(split)(init_seed(seed))
    optimizer = make_optimizer(config, model.parameters())
    n, size = len(X_train), config.batch_size
    n_batches = -(-n // size)
    losses, smoothed = np.full(len(lrs), np.nan), np.full(len(lrs), np.nan)
    average, best = 0.0, np.inf
    for step, lr in enumerate(lrs):
        for group in optimizer.param_groups:
            group["lr"] = float(lr)
        start = (step % n_batches) * size
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(
            model(X_train[start : start + size]), Y_train[start : start + size]
        )
        losses[step] = loss.item()
        average = smoothing * average + (1 - smoothing) * losses[step]  # as smooth() does
        smoothed[step] = current = average / (1 - smoothing ** (step + 1))
        best = min(best, current)
        if stop_factor is not None and not (
            np.isfinite(current) and current <= stop_factor * best
        ):
            break
        loss.backward()
        optimizer.step()
    return losses, smoothed
