"""The reference training loop: one network, one optimizer, the validation RMSE after every epoch.

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

from ._validation import Split, brief, check_data, check_nonnegative_int
from .config import DEFAULTS, TrainingConfig
from .model import make_mlp
from .optimizers import make_optimizer

__all__ = ["EpochPermutations", "epoch_seconds", "train_valid"]


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
    shuffle_seed: int | None = None,
    callback: Callable[[int, nn.Module], None] | None = None,
    **settings: Any,
) -> np.ndarray:
    """Train ``model`` with the config's optimizer; return the validation RMSE after every epoch.

    The reference loop, written to be read: the exercise's ``train_loop`` and
    ``valid_loop``. Each epoch passes over the training rows in their stored order
    (no shuffling, unless ``shuffle_seed`` is given) in mini-batches of
    ``config.batch_size``, one optimizer step per batch on the MSE loss. The optimizer
    is ``config.optimizer`` (AdamW by default), made by
    :func:`optimlab.optimizers.make_optimizer` with the config's settings. After each epoch the
    RMSE over the *whole* validation set is recorded (the exercise averages per-batch
    RMSEs instead, which depends on the batch size).

    Parameters
    ----------
    model : torch.nn.Module
        Trained in place.
    data : ((X_train, Y_train), (X_valid, Y_valid))
        float32 tensors, ``X`` of shape ``(n, 4)`` and ``Y`` of shape ``(n, 1)``.
    config : TrainingConfig, default=TrainingConfig()
        Epochs, batch size, the optimizer and its settings.
    shuffle_seed : int, optional
        When given, each epoch visits the rows in a new random order, drawn as
        ``torch.randperm(n, generator=g)`` from one ``torch.Generator`` seeded with it.
    callback : callable, optional
        Called as ``callback(epoch, model)`` after each epoch's validation (``epoch``
        counts from 1), e.g. to record :func:`~optimlab.dead_units` along training.
    **settings
        Changes to ``config`` by name, e.g. ``lr=0.1`` or ``optimizer="sgd"``:
        ``config.replace(**settings)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(epochs,)``; ``inf`` or ``nan`` where training diverged.

    Raises
    ------
    TypeError, ValueError
        If ``model`` is not a module, ``data`` is malformed or a setting is unknown or out
        of range; before any training.

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
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {brief(model)}")
    if not isinstance(config, TrainingConfig):
        raise TypeError(f"config must be a TrainingConfig, got {brief(config)}")
    config = config.replace(**settings)
    (X_train, Y_train), (X_valid, Y_valid) = check_data(data)
    if shuffle_seed is not None:
        shuffle_seed = check_nonnegative_int("shuffle_seed", shuffle_seed)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable, got {brief(callback)}")

    sampler = None if shuffle_seed is None else EpochPermutations(len(X_train), shuffle_seed)
    loader = DataLoader(
        TensorDataset(X_train, Y_train), batch_size=config.batch_size, sampler=sampler
    )
    optimizer = make_optimizer(config, model.parameters())
    valid_rmse = np.empty(config.epochs)
    for epoch in range(config.epochs):
        model.train()
        for X_batch, Y_batch in loader:
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(model(X_batch), Y_batch)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            valid_rmse[epoch] = nn.functional.mse_loss(model(X_valid), Y_valid).sqrt().item()
        if callback is not None:
            callback(epoch + 1, model)
    return valid_rmse


def epoch_seconds(config: TrainingConfig, data: Split, *, repeats: int = 3) -> float:
    """Median wall-clock seconds of one epoch of :func:`~optimlab.train_valid` for ``config``.

    Examples
    --------
    >>> from optimlab import TrainingConfig, exercise_data
    >>> from optimlab.training import epoch_seconds
    >>> epoch_seconds(TrainingConfig(batch_size=700), exercise_data(), repeats=1) > 0
    True
    """
    one_epoch = config.replace(epochs=1)
    times = []
    for _ in range(repeats):
        model = make_mlp()
        start = time.perf_counter()
        train_valid(model, data, one_epoch)
        times.append(time.perf_counter() - start)
    return float(np.median(times))
