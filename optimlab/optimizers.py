"""The optimizers a :class:`~optimlab.TrainingConfig` can name, and how its settings reach them.

A config's ``lr`` and ``weight_decay`` go to every optimizer, under those names; ``beta1``
and ``beta2`` go to an optimizer that takes ``betas`` (Adam, AdamW), ``beta1`` alone to
one that takes ``beta`` (optimlab's :class:`~optimlab.Momentum`); ``eps`` to one that
takes ``eps``. Everything else an optimizer takes is an *option*, checked against the
signature of its ``__init__`` before any training.
"""

from __future__ import annotations

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

#: The settings of a TrainingConfig that go to the optimizer as keyword arguments.
OPTIMIZER_SETTINGS = ("lr", "weight_decay", "beta1", "beta2", "eps")


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
        for name, known in OPTIMIZERS.items():
            if value is known:
                return name
        return value
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
    if is_entry_with_options(value):
        optimizer, options = value
        inner = ", ".join(f"{k}={v!r}" for k, v in sorted(dict(options).items()))
        return f"{optimizer_name(optimizer)} ({inner})" if inner else optimizer_name(optimizer)
    return optimizer_name(value)


def is_entry_with_options(value: object) -> bool:
    """Is ``value`` an ``(optimizer, {option: value})`` pair?"""
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], str | type)
        and isinstance(value[1], Mapping)
    )


@cache
def _signature(cls: type[Optimizer]) -> tuple[tuple[str, ...], bool]:
    """The keyword parameters of ``cls.__init__`` (``params`` excluded), and if it has ``**``."""
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]  # no self
    names = tuple(
        p.name
        for p in parameters
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "params"
    )
    return names, any(p.kind is p.VAR_KEYWORD for p in parameters)


@cache
def _defaults(cls: type[Optimizer]) -> dict[str, float]:
    """The numeric defaults of ``cls.__init__``'s keyword parameters, by name."""
    parameters = inspect.signature(cls.__init__).parameters.values()
    return {
        p.name: p.default
        for p in parameters
        if isinstance(p.default, float | int) and not isinstance(p.default, bool)
    }


def optimizer_arguments(
    optimizer: str | type[Optimizer], settings: Mapping[str, float], defaults: Mapping[str, float]
) -> dict[str, Any]:
    """The keyword arguments ``settings`` (lr, weight_decay, betas, eps) give the optimizer.

    A setting the optimizer has no parameter for must keep its default (``weight_decay``:
    must be 0); else a ``ValueError`` naming the optimizer.
    """
    names, _ = _signature(optimizer_class(optimizer))  # type: ignore[arg-type]
    label = optimizer_name(optimizer)

    def lacks(setting: str, rule: str) -> ValueError:
        return ValueError(
            f"optimizer {label!r} has no {setting} setting: {setting} must be {rule} with it, "
            f"got {settings[setting]!r}"
        )

    if "lr" not in names:
        raise TypeError(f"optimizer {label!r} must take a learning rate lr")
    kwargs: dict[str, Any] = {"lr": settings["lr"]}
    if "weight_decay" in names:
        kwargs["weight_decay"] = settings["weight_decay"]
    elif settings["weight_decay"] != 0:
        raise lacks("weight_decay", "0")
    if "betas" in names:
        kwargs["betas"] = (settings["beta1"], settings["beta2"])
    else:
        if "beta" in names:
            kwargs["beta"] = settings["beta1"]
        elif settings["beta1"] != defaults["beta1"]:
            raise lacks("beta1", f"the default {defaults['beta1']!r}")
        if settings["beta2"] != defaults["beta2"]:
            raise lacks("beta2", f"the default {defaults['beta2']!r}")
    if "eps" in names:
        # None: the optimizer's own default, named so the engine trains with the same.
        own = _defaults(optimizer_class(optimizer)).get("eps")  # type: ignore[arg-type]
        eps = settings["eps"] if settings["eps"] is not None else own
        if eps is not None:
            kwargs["eps"] = eps
    elif settings["eps"] is not None:
        raise lacks("eps", "None (left unset)")
    return kwargs


def check_options(
    optimizer: str | type[Optimizer], options: object, handed: Iterable[str]
) -> tuple[tuple[str, Any], ...]:
    """Return ``options`` as sorted ``(name, value)`` pairs if ``optimizer`` takes each one.

    ``handed`` are the parameters the config already sets (lr, weight_decay, ...): an
    option may not set them again. The values are checked by making the optimizer once,
    on a dummy parameter, so that torch's own checks run before any training.
    """
    if isinstance(options, tuple) and all(
        isinstance(item, tuple) and len(item) == 2 for item in options
    ):
        options = dict(options)
    if not isinstance(options, Mapping):
        raise TypeError(f"optimizer_options must be a dict of option: value, got {brief(options)}")
    cls = optimizer_class(optimizer)
    names, any_keyword = _signature(cls)  # type: ignore[arg-type]
    label = optimizer_name(optimizer)
    handed = set(handed)
    allowed = [n for n in names if n not in handed]
    for key, value in options.items():
        if not isinstance(key, str):
            raise TypeError(f"optimizer_options keys must be option names, got {key!r}")
        if key in handed or key == "params":
            raise TypeError(
                f"optimizer_options must not set {key!r}: for optimizer {label!r} it comes "
                f"from the training settings (lr, weight_decay, beta1, beta2, eps)"
            )
        if key not in names and not any_keyword:
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
    return tuple(sorted(options.items()))


def check_torch_accepts(optimizer: str | type[Optimizer], kwargs: Mapping[str, Any]) -> None:
    """Make the optimizer once on a dummy parameter: torch's value checks, before training."""
    try:
        optimizer_class(optimizer)([torch.zeros(1, requires_grad=True)], **kwargs)
    except (TypeError, ValueError) as error:
        raise type(error)(
            f"optimizer {optimizer_name(optimizer)!r} refused its settings {dict(kwargs)}: {error}"
        ) from None


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
