"""The optimizers a :class:`~optimlab.TrainingConfig` can name, and how its settings reach them.

A config's ``lr`` and ``weight_decay`` go to every optimizer, under those names; ``beta1``
and ``beta2`` to one that takes ``betas`` (Adam, AdamW), ``beta1`` alone to one that takes
``beta`` (:class:`~optimlab.Momentum`); ``eps`` to one that takes ``eps``. Everything else
an optimizer takes is an *option*, checked against its ``__init__`` before any training.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Iterable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

import torch
from torch.optim import Optimizer

from ._validation import brief
from .momentum import Momentum

if TYPE_CHECKING:
    from .config import TrainingConfig

__all__ = ["OPTIMIZERS", "make_optimizer", "optimizer_label"]

#: The optimizers known by name. Each is a :class:`torch.optim.Optimizer` subclass.
OPTIMIZERS: dict[str, type[Optimizer]] = {
    "adamw": torch.optim.AdamW,
    "adam": torch.optim.Adam,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
    "adagrad": torch.optim.Adagrad,
    "momentum": Momentum,
}


def check_optimizer(value: object) -> str | type[Optimizer]:
    """Return a known name, or an optimizer class (a known class becomes its name)."""
    rule = (
        f"optimizer must be one of {', '.join(map(repr, OPTIMIZERS))} or a "
        "torch.optim.Optimizer subclass"
    )
    if isinstance(value, str):
        if value not in OPTIMIZERS:
            raise ValueError(f"{rule}; got {value!r}")
        return value
    if isinstance(value, type):
        if not issubclass(value, Optimizer):
            raise TypeError(f"{rule}; got the class {value.__qualname__}, not an optimizer")
        return next((name for name, known in OPTIMIZERS.items() if value is known), value)
    raise TypeError(f"{rule}; got {brief(value)} of type {type(value).__name__}")


def optimizer_class(optimizer: str | type[Optimizer]) -> type[Optimizer]:
    return OPTIMIZERS[optimizer] if isinstance(optimizer, str) else optimizer


def optimizer_name(optimizer: str | type[Optimizer]) -> str:
    """``"sgd"`` for a name, the class name for a class."""
    return optimizer if isinstance(optimizer, str) else optimizer.__name__


def optimizer_label(value: Any) -> str:
    """How a swept optimizer reads in a legend: ``sgd``, ``sgd (momentum=0.9)``, ``MyOpt``.

    Examples
    --------
    >>> from optimlab.optimizers import optimizer_label
    >>> optimizer_label("adam"), optimizer_label(("sgd", {"momentum": 0.9}))
    ('adam', 'sgd (momentum=0.9)')
    """
    if not is_entry_with_options(value):
        return optimizer_name(value)
    optimizer, options = value
    inner = ", ".join(f"{k}={v!r}" for k, v in sorted(dict(options).items()))
    return f"{optimizer_name(optimizer)} ({inner})" if inner else optimizer_name(optimizer)


def is_entry_with_options(value: object) -> bool:
    """Is ``value`` an ``(optimizer, {option: value})`` pair?"""
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], str | type)
        and isinstance(value[1], Mapping)
    )


@cache
def _signature(cls: type[Optimizer]) -> tuple[dict[str, Any], bool]:
    """``cls.__init__``'s keyword parameters (not ``params``) with defaults; has it ``**``?"""
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]  # no self
    keywords = {
        p.name: p.default
        for p in parameters
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "params"
    }
    return keywords, any(p.kind is p.VAR_KEYWORD for p in parameters)


def optimizer_arguments(config: TrainingConfig) -> dict[str, Any]:
    """The keyword arguments the config's lr, weight_decay, betas and eps give its optimizer.

    A setting the optimizer has no parameter for must keep its default (``weight_decay``: 0).
    """
    names, _ = _signature(optimizer_class(config.optimizer))  # type: ignore[arg-type]
    label = optimizer_name(config.optimizer)
    defaults = {f.name: f.default for f in dataclasses.fields(config)}

    def lacks(setting: str, rule: str) -> ValueError:
        return ValueError(
            f"optimizer {label!r} has no {setting} setting: {setting} must be {rule} with it, "
            f"got {getattr(config, setting)!r}"
        )

    if "lr" not in names:
        raise TypeError(f"optimizer {label!r} must take a learning rate lr")
    kwargs: dict[str, Any] = {"lr": config.lr}
    if "weight_decay" in names:
        kwargs["weight_decay"] = config.weight_decay
    elif config.weight_decay != 0:
        raise lacks("weight_decay", "0")
    if "betas" in names:
        kwargs["betas"] = (config.beta1, config.beta2)
    else:
        if "beta" in names:
            kwargs["beta"] = config.beta1
        elif config.beta1 != defaults["beta1"]:
            raise lacks("beta1", f"the default {defaults['beta1']!r}")
        if config.beta2 != defaults["beta2"]:
            raise lacks("beta2", f"the default {defaults['beta2']!r}")
    if "eps" in names:
        # None: the optimizer's own default, named so the engine trains with the same.
        own = names["eps"]
        own = own if isinstance(own, float | int) and not isinstance(own, bool) else None
        eps = config.eps if config.eps is not None else own
        if eps is not None:
            kwargs["eps"] = eps
    elif config.eps is not None:
        raise lacks("eps", "None (left unset)")
    return kwargs


def check_options(
    optimizer: str | type[Optimizer], options: object, handed: Mapping[str, Any]
) -> tuple[tuple[str, Any], ...]:
    """``options`` as sorted ``(name, value)`` pairs if ``optimizer`` takes each one.

    An option may not set what the settings hand it (``handed``). The optimizer is made
    once on a dummy parameter, so that torch's own value checks run before any training.
    """
    if isinstance(options, tuple) and all(
        isinstance(item, tuple) and len(item) == 2 for item in options
    ):
        options = dict(options)
    if not isinstance(options, Mapping):
        raise TypeError(f"optimizer_options must be a dict of option: value, got {brief(options)}")
    names, any_keyword = _signature(optimizer_class(optimizer))  # type: ignore[arg-type]
    label = optimizer_name(optimizer)
    for key, value in options.items():
        if not isinstance(key, str):
            raise TypeError(f"optimizer_options keys must be option names, got {key!r}")
        if key in handed or key == "params":
            raise TypeError(
                f"optimizer_options must not set {key!r}: for optimizer {label!r} it comes "
                f"from the training settings (lr, weight_decay, beta1, beta2, eps)"
            )
        if key not in names and not any_keyword:
            allowed = [n for n in names if n not in handed]
            raise TypeError(
                f"optimizer {label!r} has no option {key!r}; its options are: "
                f"{', '.join(allowed) or 'none'}"
            )
        try:
            hash(value)
        except TypeError:
            raise TypeError(
                f"optimizer_options[{key!r}] must be hashable (a number, a bool, a string), "
                f"got {brief(value)}"
            ) from None
    pairs = tuple(sorted(options.items()))
    if pairs:
        kwargs = {**handed, **dict(pairs)}
        try:
            optimizer_class(optimizer)([torch.zeros(1, requires_grad=True)], **kwargs)
        except (TypeError, ValueError) as error:
            raise type(error)(
                f"optimizer {label!r} refused its settings {kwargs}: {error}"
            ) from None
    return pairs


def make_optimizer(
    config: TrainingConfig, params: Iterable[torch.Tensor] | Iterable[dict]
) -> Optimizer:
    """The optimizer of ``config`` for ``params``, as :func:`~optimlab.train_valid` uses it.

    The torch optimizers run their default implementation: on CPU tensors, the
    single-tensor loop (``foreach`` and ``fused`` are off by default there).

    Examples
    --------
    >>> import torch
    >>> from optimlab import TrainingConfig
    >>> from optimlab.optimizers import make_optimizer
    >>> w = torch.zeros(2, requires_grad=True)
    >>> config = TrainingConfig(optimizer="sgd", optimizer_options={"momentum": 0.9})
    >>> opt = make_optimizer(config, [w])
    >>> type(opt).__name__, opt.defaults["momentum"], opt.defaults["weight_decay"]
    ('SGD', 0.9, 0.01)
    """
    return optimizer_class(config.optimizer)(params, **config.optimizer_kwargs())
