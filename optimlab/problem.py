"""Your own problem: a model function, data and a loss, checked before any training.

:func:`~optimlab.compare_configs` and :func:`~optimlab.train_valid` train the exercise's
MLP on its Friedman data by default; they take any model and any data instead. A
*model function* maps a seed to a fresh :class:`torch.nn.Module` (seed ``s`` of a sweep
calls it with ``123 + s``, ``optimlab.config.init_seed``, like the exercise's MLP);
the *data* are ``((X_train, Y_train), (X_valid, Y_valid))`` as tensors or NumPy arrays;
the *loss* is ``"mse"`` (metric: validation RMSE) or ``"cross_entropy"`` (integer class
labels; metrics: validation log loss, tracked, and accuracy, recorded).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import partial
from typing import Any

import torch
from torch import nn

from ._validation import Split, brief, check_split
from .config import init_seed
from .data import exercise_data
from .model import GLOBAL_RNG_LOCK, make_mlp

__all__ = [
    "check_model_fn",
    "check_output",
    "check_problem",
    "mlp_widths",
]

ModelFn = Callable[[int], nn.Module]


def default_model(seed: int) -> nn.Module:
    """The exercise's MLP, :func:`~optimlab.make_mlp` with ``seed``: the default model function."""
    return make_mlp(seed=seed)


def check_model_fn(model: object) -> ModelFn:
    """Return ``model`` (``None``: :func:`default_model`) if it is callable and not a module."""
    if model is None:
        return default_model
    if isinstance(model, nn.Module):
        raise TypeError(
            "model must be a function seed -> torch.nn.Module (so that every run gets its "
            f"own seeded initial weights), got the module {brief(model)}; "
            "pass e.g. lambda seed: make_my_model(seed)"
        )
    if not callable(model):
        raise TypeError(f"model must be a function seed -> torch.nn.Module, got {brief(model)}")
    check_takes_seed("model", model)
    return model


def check_takes_seed(name: str, function: Callable[..., Any]) -> None:
    """Raise if ``function`` cannot be called as ``function(seed)``: before, not inside, a run."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):  # some builtins have no signature: let the call decide
        return
    try:
        signature.bind(0)
    except TypeError as error:
        raise TypeError(
            f"{name} must be a function of the seed, {name}(seed); "
            f"{getattr(function, '__qualname__', brief(function))} cannot take it: {error}"
        ) from None


def build(model_fn: ModelFn, seed: int) -> nn.Module:
    """``model_fn(seed)``, checked to be a module.

    Built under the lock that :func:`~optimlab.make_mlp` holds while it draws, so that a
    model function that seeds torch's global generator itself (``torch.manual_seed(seed)``,
    then layers) gets its own weights when a thread pool builds several at once.
    """
    with GLOBAL_RNG_LOCK:
        module = model_fn(seed)
    if not isinstance(module, nn.Module):
        raise TypeError(
            f"model({seed}) must return a torch.nn.Module, got {brief(module)} "
            f"of type {type(module).__name__}"
        )
    return module


def check_problem(model_fn: ModelFn, data: Split, loss: str, seed: int) -> nn.Module:
    """Build ``model_fn(seed)`` and run it on two training rows: does its output fit ``Y``?

    Returns the module built. For ``"mse"`` the output must have shape ``(rows,
    outputs)`` like ``Y``; for ``"cross_entropy"``, ``(rows, n_classes)`` with every
    label below ``n_classes``.

    Raises
    ------
    TypeError
        If ``model_fn(seed)`` is not a module.
    ValueError
        If its forward pass fails on the data, or its output shape does not fit.
    """
    module = build(model_fn, seed)
    check_output(module, data, loss, f"model({seed})")
    return module


def check_output(module: nn.Module, data: Split, loss: str, name: str = "model") -> None:
    """Run ``module`` on two training rows; raise if its output does not fit ``Y`` and ``loss``."""
    (X_train, Y_train), (_, Y_valid) = data
    rows = X_train[:2]
    try:
        with torch.no_grad(), _eval(module):
            out = module(rows)
    except Exception as error:  # the user's forward pass, on the user's data
        raise ValueError(
            f"{name} fails on two rows of X_train (shape {tuple(rows.shape)}): "
            f"{type(error).__name__}: {error}"
        ) from None
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"{name} must return a tensor from its forward pass, got {brief(out)}")
    if loss == "mse":
        want = (len(rows), *Y_train.shape[1:])
        if tuple(out.shape) != want:
            raise ValueError(
                f"{name} outputs shape {tuple(out.shape)} for {len(rows)} rows, but Y "
                f"has {Y_train.shape[1]} output(s) per row: expected {want}"
            )
        return
    if out.ndim != 2 or out.shape[0] != len(rows):
        raise ValueError(
            f"with loss='cross_entropy', {name} must output one score per class, "
            f"shape (rows, n_classes); got {tuple(out.shape)} for {len(rows)} rows"
        )
    n_classes = out.shape[1]
    top = max(int(Y_train.max()), int(Y_valid.max()))
    if top >= n_classes:
        raise ValueError(
            f"class label {top} is out of range: {name} outputs {n_classes} class "
            f"scores, so labels must lie in 0..{n_classes - 1}"
        )


def data_per_seed(
    data: Any, seeds: tuple[int, ...], loss: str, default: Callable[[int], Split] = exercise_data
) -> dict[int, Split]:
    """Each seed's data, checked for ``loss``: ``data(seed)``, shared, or ``default(seed)``."""
    if data is None:
        if loss != "mse":
            raise ValueError(
                f"loss={loss!r} needs your own data: the exercise's data are a regression "
                "problem; pass data=((X_train, Y_train), (X_valid, Y_valid))"
            )
        return {seed: default(seed) for seed in seeds}
    if callable(data):
        check_takes_seed("data", data)
        per_seed = {}
        for seed in seeds:
            returned = data(seed)  # an error in your own function keeps its traceback
            try:
                per_seed[seed] = check_split(returned, loss)
            except (TypeError, ValueError) as error:
                raise type(error)(f"data({seed}) returned bad data: {error}") from None
    else:
        shared = check_split(data, loss)
        per_seed = dict.fromkeys(seeds, shared)
    sizes = {len(split[0][0]) for split in per_seed.values()}
    if len(sizes) > 1:
        raise ValueError(
            "data(seed) must give every seed the same number of training rows, "
            f"got {sorted(sizes)}"
        )
    return per_seed


def _exercise_mlp(n_features: int, n_hidden: int, seed: int) -> nn.Module:
    return make_mlp(seed=seed, n_hidden=n_hidden, n_features=n_features)


def exercise_mlp_for(data: Split, n_hidden: int = 50) -> ModelFn:
    """The exercise's MLP as a model function, as wide at its input as ``data``'s rows."""
    (X_train, _), _ = data
    if X_train.ndim != 2:
        raise ValueError(
            "the exercise's MLP takes rows of numbers, X of shape (n, features); X_train "
            f"has shape {tuple(X_train.shape)}: pass a model function of your own"
        )
    return partial(_exercise_mlp, X_train.shape[1], n_hidden)


def check_sweep_model(model: Any, per_seed: dict[int, Split], loss: str) -> ModelFn | None:
    """The model function (``None``: the exercise's MLP), checked on each seed's data."""
    model_fn = None if model is None else check_model_fn(model)
    for seed, data in per_seed.items():
        fn = exercise_mlp_for(data) if model_fn is None else model_fn
        check_problem(fn, data, loss, init_seed(seed))
    return model_fn


class _eval:
    """Evaluation mode for a probe, then the module's own mode back."""

    def __init__(self, module: nn.Module) -> None:
        self.module, self.mode = module, module.training

    def __enter__(self) -> None:
        self.module.eval()

    def __exit__(self, *exc: Any) -> None:
        self.module.train(self.mode)


def mlp_widths(module: nn.Module) -> tuple[int, ...] | None:
    """The widths ``(inputs, hidden..., outputs)`` of a plain MLP, else ``None``.

    A plain MLP is an :class:`torch.nn.Sequential` (not a subclass) of
    :class:`torch.nn.Linear` layers with biases separated by single
    :class:`torch.nn.ReLU` layers, float32 parameters that all train, and no hooks: what
    the sweep engine trains exactly.

    Examples
    --------
    >>> from torch import nn
    >>> from optimlab import make_mlp
    >>> from optimlab.problem import mlp_widths
    >>> mlp_widths(make_mlp())
    (4, 50, 50, 1)
    >>> mlp_widths(nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))) is None
    True
    """
    if type(module) is not nn.Sequential or len(module) % 2 == 0:
        return None
    widths: list[int] = []
    for i, layer in enumerate(module):
        if _hooked(layer):
            return None
        if i % 2 == 1:
            if type(layer) is not nn.ReLU:
                return None
            continue
        if type(layer) is not nn.Linear or layer.bias is None:
            return None
        if widths and widths[-1] != layer.in_features:
            return None
        if not widths:
            widths.append(layer.in_features)
        widths.append(layer.out_features)
    if _hooked(module) or any(
        p.dtype != torch.float32 or not p.requires_grad or p.device.type != "cpu"
        for p in module.parameters()
    ):
        return None
    return tuple(widths)


def _hooked(module: nn.Module) -> bool:
    hooks = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks")
    return any(getattr(module, name, None) for name in hooks) or bool(
        list(module.buffers(recurse=False))
    )
