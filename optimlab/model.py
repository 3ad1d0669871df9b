"""The exercise's network, a 4-50-50-1 ReLU MLP with seeded initial weights, and yours.

:func:`~optimlab.compare_configs` and :func:`~optimlab.train_valid` train the exercise's
MLP by default; they take any model instead. A *model function* maps a seed to a fresh
:class:`torch.nn.Module` (seed ``s`` of a sweep calls it with ``init_seed(s) = 123 + s``,
like the exercise's MLP); it is checked on two rows of the data before any training.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import torch
from torch import nn

from ._validation import Split, brief, check_nonnegative_int, check_positive_int, check_takes_seed

__all__ = [
    "INIT_SEED_OFFSET",
    "check_model_fn",
    "check_output",
    "dead_units",
    "exercise_mlp_for",
    "init_seed",
    "make_mlp",
    "mlp_widths",
]

#: The exercise seeds its network with 123; seed ``s`` of a sweep uses ``123 + s``.
INIT_SEED_OFFSET = 123


def init_seed(seed: int) -> int:
    """The initial-weight seed of sweep seed ``seed``: ``123 + seed``, so seed 0 is the exercise's.

    Examples
    --------
    >>> from optimlab.model import init_seed
    >>> init_seed(0), init_seed(4)
    (123, 127)
    """
    return INIT_SEED_OFFSET + seed


#: Held while initial weights are drawn from torch's global generator (by make_mlp, or a
#: model function that seeds it itself), so that no other thread of a thread-pool sweep
#: seeds or draws in between. Re-entrant: a model function may call :func:`make_mlp`.
GLOBAL_RNG_LOCK = threading.RLock()


def make_mlp(
    *, seed: int = init_seed(0), n_hidden: int = 50, n_features: int = 4
) -> nn.Sequential:
    """Build ``Linear(4, 50) -> ReLU -> Linear(50, 50) -> ReLU -> Linear(50, 1)``.

    The weights get PyTorch's default initialisation drawn under ``torch.manual_seed(seed)``
    inside :func:`torch.random.fork_rng`: the same seed gives the same network, and the
    global random state is left untouched, also when threads build networks at once.

    Parameters
    ----------
    seed : int, default=123
        Seed of the initial weights (seed ``s`` of a sweep uses ``123 + s``).
    n_hidden : int, default=50
        Width of both hidden layers.
    n_features : int, default=4
        Number of inputs.

    Returns
    -------
    torch.nn.Sequential

    Examples
    --------
    >>> import torch
    >>> from optimlab import make_mlp
    >>> a, b = make_mlp(), make_mlp()
    >>> all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    True
    >>> make_mlp()(torch.zeros(3, 4)).shape
    torch.Size([3, 1])
    """
    seed = check_nonnegative_int("seed", seed)
    n_hidden = check_positive_int("n_hidden", n_hidden)
    n_features = check_positive_int("n_features", n_features)
    with GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.Sequential(
            nn.Linear(n_features, n_hidden),
            nn.ReLU(),
            nn.Linear(n_hidden, n_hidden),
            nn.ReLU(),
            nn.Linear(n_hidden, 1),
        )


def dead_units(model: nn.Sequential, X: torch.Tensor) -> list[int]:
    """Count the ReLU units that output zero for every row of ``X``, layer by layer.

    Such a unit passes no gradient to its incoming weights for these inputs, so
    gradient descent cannot revive it from this data: it is dead.

    Parameters
    ----------
    model : torch.nn.Sequential
        A network such as :func:`make_mlp` builds.
    X : torch.Tensor
        Inputs, shape ``(n, n_features)``.

    Returns
    -------
    list of int
        One count per ``ReLU`` layer, in order.

    Examples
    --------
    >>> import torch
    >>> from optimlab import dead_units, make_mlp
    >>> model = make_mlp()
    >>> len(dead_units(model, torch.rand(10, 4)))  # one count per hidden layer
    2
    >>> with torch.no_grad():
    ...     _ = model[0].bias.fill_(-1e6)  # push every first-layer unit below zero
    >>> dead_units(model, torch.rand(10, 4))[0]
    50
    """
    counts = []
    with torch.no_grad():
        hidden = X
        for layer in model:
            hidden = layer(hidden)
            if isinstance(layer, nn.ReLU):
                counts.append(int((hidden.amax(dim=0) <= 0).sum()))
    return counts


ModelFn = Callable[[int], nn.Module]


def check_model_fn(model: object) -> ModelFn:
    """Return ``model`` if it is a function of the seed, not a module."""
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


def build(model_fn: ModelFn, seed: int) -> nn.Module:
    """``model_fn(seed)``, checked to be a module; built under :data:`GLOBAL_RNG_LOCK`."""
    with GLOBAL_RNG_LOCK:
        module = model_fn(seed)
    if not isinstance(module, nn.Module):
        raise TypeError(
            f"model({seed}) must return a torch.nn.Module, got {brief(module)} "
            f"of type {type(module).__name__}"
        )
    return module


def check_output(module: nn.Module, data: Split, loss: str, name: str = "model") -> None:
    """Run ``module`` on two training rows; a ``ValueError`` if it fails or its output does
    not fit ``Y``: shape ``(rows, outputs)``, or ``(rows, n_classes)`` above every label.
    """
    (X_train, Y_train), (_, Y_valid) = data
    rows = X_train[:2]
    try:
        with torch.no_grad(), _evaluating(module):
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


@contextmanager
def _evaluating(module: nn.Module) -> Iterator[None]:
    """Evaluation mode for a probe, then the module's own mode back."""
    mode = module.training
    module.eval()
    try:
        yield
    finally:
        module.train(mode)


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
    """The model function (``None``: the exercise's MLP), built and run on each seed's data."""
    model_fn = None if model is None else check_model_fn(model)
    for seed, data in per_seed.items():
        fn = exercise_mlp_for(data) if model_fn is None else model_fn
        check_output(build(fn, init_seed(seed)), data, loss, f"model({init_seed(seed)})")
    return model_fn


def mlp_widths(module: nn.Module) -> tuple[int, ...] | None:
    """The widths ``(inputs, hidden..., outputs)`` of a plain MLP, else ``None``.

    A plain MLP is an :class:`torch.nn.Sequential` (not a subclass) of
    :class:`torch.nn.Linear` layers with biases separated by single
    :class:`torch.nn.ReLU` layers, float32 CPU parameters that all train, and no hooks
    or buffers: what the sweep engine trains exactly.

    Examples
    --------
    >>> from torch import nn
    >>> from optimlab import make_mlp
    >>> from optimlab.model import mlp_widths
    >>> mlp_widths(make_mlp())
    (4, 50, 50, 1)
    >>> mlp_widths(nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))) is None
    True
    """
    if type(module) is not nn.Sequential or len(module) % 2 == 0 or _hooked(module):
        return None
    widths: list[int] = []
    for i, layer in enumerate(module):
        if _hooked(layer) or (i % 2 and type(layer) is not nn.ReLU):
            return None
        if i % 2 == 0:
            if type(layer) is not nn.Linear or layer.bias is None:
                return None
            if not widths:
                widths.append(layer.in_features)
            elif widths[-1] != layer.in_features:
                return None
            widths.append(layer.out_features)
    if any(
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
