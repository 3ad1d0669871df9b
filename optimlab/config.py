"""The training settings of one run, in one frozen dataclass: every default lives here."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

from ._validation import (
    check_beta,
    check_nonnegative_finite,
    check_positive_finite,
    check_positive_int,
)

__all__ = ["DEFAULTS", "TrainingConfig", "init_seed"]


@dataclass(frozen=True)
class TrainingConfig:
    r"""How one network is trained: epochs, batch size and AdamW's settings.

    The exercise's defaults. Every other part of optimlab takes its defaults from this
    class, so they are written once. Each value is checked when the config is made.

    Parameters
    ----------
    epochs : int, default=30
        Passes over the training set.
    batch_size : int, default=16
        Rows per mini-batch; the last batch of an epoch may be smaller.
    lr : float, default=0.01
        AdamW's learning rate :math:`\eta`.
    weight_decay : float, default=0.01
        AdamW's decoupled weight decay :math:`\lambda`: each step first scales the
        weights by :math:`1 - \eta\lambda`.
    beta1 : float, default=0.9
        Decay of the running mean of the gradients (momentum), in [0, 1).
    beta2 : float, default=0.999
        Decay of the running mean of the squared gradients, in [0, 1).
    eps : float, default=1e-8
        Added to the root of the second moment; never swept.

    Raises
    ------
    TypeError
        If a value has the wrong type (``batch_size=16.0``, ``lr="0.1"``).
    ValueError
        If a value is out of range (``lr=-1``, ``beta1=1``).

    Examples
    --------
    >>> from optimlab import TrainingConfig
    >>> config = TrainingConfig(lr=0.1)
    >>> config.lr, config.batch_size, config.betas
    (0.1, 16, (0.9, 0.999))
    >>> config.replace(batch_size=64).batch_size
    64
    """

    epochs: int = 30
    batch_size: int = 16
    lr: float = 0.01
    weight_decay: float = 0.01
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    #: The settings that :func:`~optimlab.compare_configs` can compare.
    SWEEPABLE: ClassVar[tuple[str, ...]] = ("batch_size", "lr", "weight_decay", "beta1", "beta2")

    def __post_init__(self) -> None:
        for name, check in _CHECKS.items():
            object.__setattr__(self, name, check(name, getattr(self, name)))

    @property
    def betas(self) -> tuple[float, float]:
        """``(beta1, beta2)``, as :class:`torch.optim.AdamW` takes them."""
        return (self.beta1, self.beta2)

    def replace(self, **changes: Any) -> TrainingConfig:
        """A copy with ``changes`` applied and checked; an unknown name is a ``TypeError``."""
        unknown = sorted(set(changes) - set(_CHECKS))
        if unknown:
            raise TypeError(f"unknown training settings {unknown}; allowed: {', '.join(_CHECKS)}")
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        """Every setting by name, in field order."""
        return {name: getattr(self, name) for name in _CHECKS}


_CHECKS = {
    "epochs": check_positive_int,
    "batch_size": check_positive_int,
    "lr": check_positive_finite,
    "weight_decay": check_nonnegative_finite,
    "beta1": check_beta,
    "beta2": check_beta,
    "eps": check_positive_finite,
}

#: The exercise's settings.
DEFAULTS = TrainingConfig()

#: The exercise seeds its network with 123; seed ``s`` of a sweep uses ``123 + s``.
INIT_SEED_OFFSET = 123


def init_seed(seed: int) -> int:
    """The initial-weight seed of sweep seed ``seed``: ``123 + seed``, so seed 0 is the exercise's.

    Examples
    --------
    >>> from optimlab.config import init_seed
    >>> init_seed(0), init_seed(4)
    (123, 127)
    """
    return INIT_SEED_OFFSET + seed
