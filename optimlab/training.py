"""The reference training loop: one network, one optimizer, a validation metric after each epoch.

Everything faster in optimlab (the sweep engine) is checked against :func:`~optimlab.train_valid`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from ._validation import METRICS, Split, brief, check_nonnegative_int, check_split
from .config import DEFAULTS, TrainingConfig
from .lr_schedules import make_scheduler
from .model import ModelFn, build, check_model_fn, check_output, exercise_mlp_for, init_seed
from .optimizers import make_optimizer

__all__ = ["EpochPermutations", "epoch_seconds", "learning_curves", "train_valid"]


class EpochPermutations(torch.utils.data.Sampler[int]):
    """Row order ``torch.randperm(n, generator=g)``, a new one per epoch, ``g`` seeded once.

    Spelled out rather than ``DataLoader(shuffle=True, generator=g)``, which also draws
    a worker seed from ``g`` each epoch, so that the sweep engine can reproduce the order.
    """

    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        self.generator = torch.Generator().manual_seed(seed)

    def __iter__(self) -> Iterator[int]:
        yield from torch.randperm(self.n, generator=self.generator).tolist()

    def __len__(self) -> int:
        return self.n


def train_valid(
    model: nn.Module,
    data: Split,
    config: TrainingConfig = DEFAULTS,
    *,
    loss: str = "mse",
    shuffle_seed: int | None = None,
    callback: Callable[[int, nn.Module], None] | None = None,
    **settings: Any,
) -> np.ndarray:
    """Train ``model`` with the config's optimizer; return the validation metric after every epoch.

    The reference loop, written to be read: the exercise's ``train_loop`` and
    ``valid_loop``. Each epoch passes over the training rows in their stored order
    (unless ``shuffle_seed`` is given) in mini-batches of ``config.batch_size``, one
    optimizer step per batch, the schedule's scheduler (if any) stepped after each. After
    each epoch the RMSE over the *whole* validation set is recorded (the exercise averages
    per-batch RMSEs instead, which depends on the batch size); with
    ``loss="cross_entropy"``, the validation log loss.

    Parameters
    ----------
    model : torch.nn.Module
        Trained in place.
    data : ((X_train, Y_train), (X_valid, Y_valid))
        Tensors or NumPy arrays: ``X`` of shape ``(n, features...)`` (converted to
        float32); for ``"mse"``, ``Y`` of shape ``(n, outputs)`` or ``(n,)``; for
        ``"cross_entropy"``, integer class labels of shape ``(n,)``.
    config : TrainingConfig, default=TrainingConfig()
        Epochs, batch size, the optimizer and its settings.
    loss : {"mse", "cross_entropy"}, default="mse"
        :func:`torch.nn.functional.mse_loss`, or
        :func:`torch.nn.functional.cross_entropy` on the model's class scores.
    shuffle_seed : int, optional
        When given, each epoch visits the rows in a new random order, drawn as
        ``torch.randperm(n, generator=g)`` from one ``torch.Generator`` seeded with it.
    callback : callable, optional
        Called as ``callback(epoch, model)`` after each epoch's validation (``epoch``
        counts from 1), e.g. to record :func:`~optimlab.dead_units` along training.
    **settings
        Changes to ``config`` by name, e.g. ``lr=0.1``: ``config.replace(**settings)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(epochs,)``: the validation RMSE (``"mse"``) or log loss
        (``"cross_entropy"``) after each epoch; ``inf`` or ``nan`` where training diverged.

    Raises
    ------
    TypeError, ValueError
        If ``model`` is not a module, ``data`` is malformed or does not fit the model's
        output (checked on two rows), or a setting is unknown or out of range; before any
        training.

    Examples
    --------
    >>> from optimlab import exercise_data, make_mlp, train_valid
    >>> rmse = train_valid(make_mlp(), exercise_data(), epochs=2, batch_size=64)
    >>> rmse.shape
    (2,)
    >>> train_valid(make_mlp(), exercise_data(), epochs=2, batch_size=64,
    ...             optimizer="sgd", optimizer_options={"momentum": 0.9}).shape
    (2,)
    """
    curves = learning_curves(
        model, data, config, loss=loss, shuffle_seed=shuffle_seed, callback=callback, **settings
    )
    return curves[METRICS[loss]]


def learning_curves(
    model: nn.Module, data: Split, config: TrainingConfig = DEFAULTS, **options: Any
) -> dict[str, np.ndarray]:
    """:func:`~optimlab.train_valid`, returning every validation metric it records, by name.

    ``options`` are those of :func:`~optimlab.train_valid`: ``loss``, ``shuffle_seed``,
    ``callback`` and changes to ``config`` by name.

    Returns
    -------
    dict of str to numpy.ndarray
        ``{"valid_rmse": ...}`` for ``"mse"``; ``{"valid_log_loss": ...,
        "valid_accuracy": ...}`` for ``"cross_entropy"``, the accuracy being the share
        of validation rows whose highest class score is their label. Each of shape
        ``(epochs,)``.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from optimlab.training import learning_curves
    >>> X = torch.randn(40, 3)
    >>> y = (X[:, 0] > 0).long()
    >>> _ = torch.manual_seed(0)
    >>> curves = learning_curves(nn.Linear(3, 2), ((X, y), (X, y)), epochs=2,
    ...                          loss="cross_entropy")
    >>> sorted(curves), curves["valid_accuracy"].shape
    (['valid_accuracy', 'valid_log_loss'], (2,))
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {brief(model)}")
    if not isinstance(config, TrainingConfig):
        raise TypeError(f"config must be a TrainingConfig, got {brief(config)}")
    loss = options.pop("loss", "mse")
    shuffle_seed = options.pop("shuffle_seed", None)
    callback = options.pop("callback", None)
    config = config.replace(**options)
    data = check_split(data, loss)  # checks loss too
    (X_train, Y_train), (X_valid, Y_valid) = data
    if shuffle_seed is not None:
        shuffle_seed = check_nonnegative_int("shuffle_seed", shuffle_seed)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable, got {brief(callback)}")
    check_output(model, data, loss)

    loss_fn = nn.functional.mse_loss if loss == "mse" else nn.functional.cross_entropy
    sampler = None if shuffle_seed is None else EpochPermutations(len(X_train), shuffle_seed)
    loader = DataLoader(
        TensorDataset(X_train, Y_train), batch_size=config.batch_size, sampler=sampler
    )
    optimizer = make_optimizer(config, model.parameters())
    scheduler = make_scheduler(config, optimizer, config.epochs * len(loader))
    metric = np.empty(config.epochs)
    accuracy = np.empty(config.epochs)
    for epoch in range(config.epochs):
        model.train()
        for X_batch, Y_batch in loader:
            optimizer.zero_grad()
            loss_fn(model(X_batch), Y_batch).backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
        model.eval()
        with torch.no_grad():
            out = model(X_valid)
            if loss == "mse":
                metric[epoch] = nn.functional.mse_loss(out, Y_valid).sqrt().item()
            else:
                metric[epoch] = nn.functional.cross_entropy(out, Y_valid).item()
                accuracy[epoch] = (out.argmax(dim=1) == Y_valid).double().mean().item()
        if callback is not None:
            callback(epoch + 1, model)
    if loss == "mse":
        return {"valid_rmse": metric}
    return {"valid_log_loss": metric, "valid_accuracy": accuracy}


def epoch_seconds(
    config: TrainingConfig,
    data: Split,
    *,
    repeats: int = 3,
    model: ModelFn | None = None,
    loss: str = "mse",
) -> float:
    """Median wall-clock seconds of one epoch of :func:`~optimlab.train_valid` for ``config``.

    ``model`` is a model function (default: the exercise's MLP, as wide as ``data``'s
    rows), called with seed 123.

    Examples
    --------
    >>> from optimlab import TrainingConfig, exercise_data
    >>> from optimlab.training import epoch_seconds
    >>> epoch_seconds(TrainingConfig(batch_size=700), exercise_data(), repeats=1) > 0
    True
    """
    one_epoch = config.replace(epochs=1)
    model_fn = exercise_mlp_for(data) if model is None else check_model_fn(model)
    times = []
    for _ in range(repeats):
        module = build(model_fn, init_seed(0))
        start = time.perf_counter()
        train_valid(module, data, one_epoch, loss=loss)
        times.append(time.perf_counter() - start)
    return float(np.median(times))
