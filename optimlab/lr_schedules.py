"""Learning-rate schedules: torch's ``lr_scheduler`` classes, scaled to a run's length.

A config names its schedule (``lr_schedule="cosine"``; see
:class:`~optimlab.TrainingConfig`), which steps once per mini-batch, after the optimizer's
step. Names, rather than scheduler objects, keep a config hashable, saveable and
printable, and fit runs of any length: a sweep over batch sizes changes the number of steps.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

import torch
from torch.optim import Optimizer, lr_scheduler

from ._validation import check_choice

if TYPE_CHECKING:
    from .config import TrainingConfig

__all__ = ["LR_SCHEDULES", "check_lr_schedule", "lr_values", "make_scheduler"]

Scheduler = lr_scheduler.LRScheduler

#: Each schedule's name and how it is built for a run of ``steps`` optimizer steps
#: (``None``: a constant rate), as :class:`~optimlab.TrainingConfig` describes them.
LR_SCHEDULES: dict[str, Callable[[Optimizer, int], Scheduler] | None] = {
    "constant": None,
    "step": lambda opt, steps: lr_scheduler.StepLR(opt, step_size=math.ceil(steps / 3), gamma=0.1),
    "cosine": lambda opt, steps: lr_scheduler.CosineAnnealingLR(opt, T_max=steps),
    "warmup": lambda opt, steps: lr_scheduler.LinearLR(
        opt, start_factor=0.01, end_factor=1.0, total_iters=max(1, steps // 10)
    ),
    # cycle_momentum=False: else OneCycleLR also cycles Adam's beta1 between 0.85 and
    # 0.95, and a comparison of schedules would change two settings at once.
    "onecycle": lambda opt, steps: lr_scheduler.OneCycleLR(
        opt, max_lr=opt.param_groups[0]["lr"], total_steps=steps, cycle_momentum=False
    ),
}


def check_lr_schedule(name: str, value: object) -> str:
    """``value`` if it names a schedule of :data:`LR_SCHEDULES`."""
    return check_choice(name, value, tuple(LR_SCHEDULES))


def make_scheduler(config: TrainingConfig, optimizer: Optimizer, steps: int) -> Scheduler | None:
    """The scheduler of ``config.lr_schedule`` for ``optimizer``, or ``None`` if constant.

    Step it once after each of the run's ``steps`` optimizer steps.

    Examples
    --------
    >>> import torch
    >>> from optimlab import TrainingConfig
    >>> from optimlab.lr_schedules import make_scheduler
    >>> from optimlab.optimizers import make_optimizer
    >>> config = TrainingConfig(lr=0.1, lr_schedule="cosine")
    >>> optimizer = make_optimizer(config, [torch.zeros(1, requires_grad=True)])
    >>> type(make_scheduler(config, optimizer, 100)).__name__
    'CosineAnnealingLR'
    """
    build = LR_SCHEDULES[config.lr_schedule]
    return None if build is None else build(optimizer, steps)


def lr_values(config: TrainingConfig, steps: int) -> tuple[float, ...]:
    """The learning rate of each of a run's ``steps`` optimizer steps, as torch sets it.

    Recorded from the config's scheduler on a dummy optimizer (a scheduler sets the rate
    from its state and the group's ``lr`` alone), so the sweep engine steps with torch's
    floats to the last bit.

    Examples
    --------
    >>> from optimlab import TrainingConfig
    >>> from optimlab.lr_schedules import lr_values
    >>> [round(lr, 6) for lr in lr_values(TrainingConfig(lr=0.1, lr_schedule="step"), 6)]
    [0.1, 0.1, 0.01, 0.01, 0.001, 0.001]
    """
    return _recorded(config.lr, config.lr_schedule, steps)


# Keyed on what the rates depend on, so that runs differing in anything else (a beta1
# sweep under one schedule) share one recording.
@lru_cache(maxsize=64)
def _recorded(lr: float, schedule: str, steps: int) -> tuple[float, ...]:
    build = LR_SCHEDULES[schedule]
    if build is None:
        return (lr,) * steps
    dummy = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    scheduler, group = build(dummy, steps), dummy.param_groups[0]
    values = []
    with warnings.catch_warnings():
        # "lr_scheduler.step() before optimizer.step()": the dummy never steps.
        warnings.simplefilter("ignore", UserWarning)
        for _ in range(steps):
            values.append(group["lr"])
            scheduler.step()
    return tuple(values)
