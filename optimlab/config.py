"""The training settings of one run, in one frozen dataclass: every default lives here."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from torch.optim import Optimizer

from ._validation import (
    brief,
    check_beta,
    check_nonnegative_finite,
    check_positive_finite,
    check_positive_int,
)
from .lr_schedules import check_lr_schedule, lr_values
from .optimizers import (
    check_optimizer,
    check_options,
    is_entry_with_options,
    optimizer_arguments,
    optimizer_label,
)

__all__ = ["DEFAULTS", "SETTINGS", "TrainingConfig", "check_optimizers", "check_settings"]


@dataclass(frozen=True)
class TrainingConfig:
    r"""How one network is trained: epochs, batch size, the optimizer and its settings.

    The exercise's defaults, which every other part of optimlab takes. Each value is
    checked when the config is made.

    Parameters
    ----------
    epochs : int, default=30
        Passes over the training set.
    batch_size : int, default=16
        Rows per mini-batch; the last batch of an epoch may be smaller.
    lr : float, default=0.01
        The learning rate :math:`\eta`, of every optimizer.
    weight_decay : float, default=0.01
        The optimizer's own ``weight_decay`` :math:`\lambda`. Decoupled for AdamW and
        ``"momentum"`` (each step first scales the weights by :math:`1 - \eta\lambda`);
        an L2 penalty for SGD, Adam, RMSprop and Adagrad (:math:`\lambda w` is added to
        the gradient).
    beta1 : float, default=0.9
        Decay of the running mean of the gradients, in [0, 1): Adam's and AdamW's first
        beta, and the ``beta`` of ``"momentum"``.
    beta2 : float, default=0.999
        Decay of the running mean of the squared gradients, in [0, 1): Adam's and
        AdamW's second beta.
    eps : float or None, default=None
        Added to the root of the second moment (Adam, AdamW, RMSprop, Adagrad); never
        swept. None means the optimizer's own default (1e-8; 1e-10 for Adagrad): the
        settings above keep the exercise's defaults for every optimizer, everything
        else (``eps``, SGD's ``momentum``, ...) is the optimizer's.
    optimizer : str or torch.optim.Optimizer subclass, default="adamw"
        ``"adamw"``, ``"adam"``, ``"sgd"``, ``"rmsprop"``, ``"adagrad"`` (the
        :mod:`torch.optim` classes) or ``"momentum"`` (:class:`optimlab.Momentum`), or
        any optimizer class, made as ``cls(params, lr=..., weight_decay=...,
        **optimizer_options)`` (and ``betas``, ``beta``, ``eps`` if it takes them). A
        pair ``(optimizer, {option: value})`` sets the optimizer and, replacing
        ``optimizer_options``, its options.
    lr_schedule : str, default="constant"
        How the learning rate changes along the run's ``T`` optimizer steps, ``lr``
        being its peak: a :mod:`torch.optim.lr_scheduler` class stepped after each step.
        ``"constant"``: none. ``"step"``: ``StepLR``, times 0.1 after each third of the
        steps. ``"cosine"``: ``CosineAnnealingLR`` down to 0. ``"warmup"``:
        ``LinearLR`` from ``lr / 100`` up to ``lr`` over the first tenth, then
        constant. ``"onecycle"``: ``OneCycleLR`` at its defaults (up from ``lr / 25``
        over 30 % of the steps, then down to ``lr / 250000``) with
        ``cycle_momentum=False``, so that beta1 stays the config's.
    optimizer_options : dict, default={}
        The optimizer's other settings, such as ``{"momentum": 0.9, "nesterov": True}``
        for SGD. Stored as sorted ``(name, value)`` pairs, so that the config stays
        hashable (:attr:`options` gives a dict). Each must be a parameter of the
        optimizer's ``__init__``, and not one of the settings above.

    Raises
    ------
    TypeError
        If a value has the wrong type (``batch_size=16.0``, ``lr="0.1"``), the optimizer
        is neither a known name nor an optimizer class, or it has no such option.
    ValueError
        If a value is out of range (``lr=-1``, ``beta1=1``), the optimizer is an unknown
        name, or a setting it does not have (``beta1`` for ``"sgd"``) is not the default.

    Examples
    --------
    >>> from optimlab import TrainingConfig
    >>> config = TrainingConfig(lr=0.1)
    >>> config.lr, config.batch_size, config.betas
    (0.1, 16, (0.9, 0.999))
    >>> config.replace(batch_size=64).batch_size
    64
    >>> sgd = TrainingConfig(optimizer="sgd", optimizer_options={"momentum": 0.9})
    >>> sgd.options, sgd.optimizer_kwargs()
    ({'momentum': 0.9}, {'lr': 0.01, 'weight_decay': 0.01, 'momentum': 0.9})
    """

    epochs: int = 30
    batch_size: int = 16
    lr: float = 0.01
    weight_decay: float = 0.01
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float | None = None
    optimizer: str | type[Optimizer] = "adamw"
    lr_schedule: str = "constant"
    optimizer_options: Mapping[str, Any] | tuple[tuple[str, Any], ...] = ()

    #: The settings that :func:`~optimlab.compare_configs` can compare.
    SWEEPABLE: ClassVar[tuple[str, ...]] = (
        "batch_size",
        "lr",
        "weight_decay",
        "beta1",
        "beta2",
        "optimizer",
        "lr_schedule",
    )

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        for name, check in _CHECKS.items():
            set_(self, name, check(name, getattr(self, name)))
        optimizer = self.optimizer
        if is_entry_with_options(optimizer):
            optimizer, options = cast(tuple, optimizer)
            set_(self, "optimizer_options", options)
        set_(self, "optimizer", check_optimizer(optimizer))
        options = check_options(self.optimizer, self.optimizer_options, optimizer_arguments(self))
        set_(self, "optimizer_options", options)

    @property
    def options(self) -> dict[str, Any]:
        """``optimizer_options`` as a dict."""
        return dict(self.optimizer_options)

    def optimizer_kwargs(self) -> dict[str, Any]:
        """The keyword arguments the optimizer is made with (all but ``params``)."""
        return {**optimizer_arguments(self), **self.options}

    def lr_values(self, steps: int) -> tuple[float, ...]:
        """The learning rate of each of a run's ``steps`` optimizer steps, as torch sets it.

        Examples
        --------
        >>> from optimlab import TrainingConfig
        >>> rates = TrainingConfig(lr=0.1, lr_schedule="step").lr_values(6)
        >>> [round(rate, 6) for rate in rates]
        [0.1, 0.1, 0.01, 0.01, 0.001, 0.001]
        """
        return lr_values(self, check_positive_int("steps", steps))

    @property
    def betas(self) -> tuple[float, float]:
        """``(beta1, beta2)``, as :class:`torch.optim.AdamW` takes them."""
        return (self.beta1, self.beta2)

    def replace(self, **changes: Any) -> TrainingConfig:
        """A copy with ``changes`` applied and checked; an unknown name is a ``TypeError``."""
        return dataclasses.replace(self, **check_settings("settings", changes))

    def as_dict(self) -> dict[str, Any]:
        """Every setting by name, in field order (``optimizer_options`` as a dict)."""
        settings = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return settings | {"optimizer_options": self.options}


def check_settings(name: str, settings: object, *, owned: Sequence[str] = ()) -> dict[str, Any]:
    """``settings`` as a dict if it maps names of :class:`TrainingConfig` fields to values.

    ``owned`` are the fields the caller sets itself, refused here (a function that
    chooses the learning rate does not take one). :class:`TrainingConfig` checks the values.
    """
    if not isinstance(settings, Mapping):
        raise TypeError(f"{name} must be a dict of training settings, got {brief(settings)}")
    allowed = [field for field in SETTINGS if field not in owned]
    unknown = sorted(set(settings) - set(allowed), key=str)
    if unknown:
        raise TypeError(
            f"{name} has unknown training settings {unknown}; allowed: {', '.join(allowed)}"
        )
    return dict(settings)


def check_optimizers(
    optimizers: object, make: Callable[[Any], TrainingConfig]
) -> tuple[list[TrainingConfig], tuple[str, ...]]:
    """One config per entry of a list of optimizers, ``make(entry)``, and their labels.

    The list must be non-empty, each entry must make a config (an error names it,
    ``optimizers[2]: ...``), and no two entries may be the same optimizer with the same
    options (``torch.optim.SGD`` is ``"sgd"``): each draws one line or row.
    """
    if not isinstance(optimizers, Sequence) or isinstance(optimizers, str):
        raise TypeError(f"optimizers must be a list of optimizers, got {brief(optimizers)}")
    if len(optimizers) == 0:
        raise ValueError("optimizers must hold at least one optimizer, got []")
    configs = []
    for i, entry in enumerate(optimizers):
        try:
            configs.append(make(entry))
        except (TypeError, ValueError) as error:
            raise type(error)(f"optimizers[{i}]: {error}") from None
    labels = tuple(optimizer_label((c.optimizer, c.options)) for c in configs)
    if len(set(labels)) != len(labels):
        raise ValueError(f"optimizers must not repeat an optimizer, got {list(labels)}")
    return configs, labels


#: Every training setting by name, in field order.
SETTINGS = tuple(f.name for f in dataclasses.fields(TrainingConfig))

_CHECKS = {
    "epochs": check_positive_int,
    "batch_size": check_positive_int,
    "lr": check_positive_finite,
    "weight_decay": check_nonnegative_finite,
    "beta1": check_beta,
    "beta2": check_beta,
    "eps": lambda name, value: None if value is None else check_positive_finite(name, value),
    "lr_schedule": check_lr_schedule,
}

#: The exercise's settings.
DEFAULTS = TrainingConfig()
