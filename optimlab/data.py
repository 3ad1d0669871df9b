"""The Friedman #3 regression data of the exercise, its seeded split, and input standardisation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from ._validation import (
    Split,
    check_bool,
    check_nonnegative_finite,
    check_nonnegative_int,
    check_positive_int,
    check_split,
    check_takes_seed,
)

__all__ = [
    "data_per_seed",
    "exercise_data",
    "friedman3",
    "standardize",
    "standardized_exercise_data",
    "train_valid_split",
]


def friedman3(
    n: int = 1000, sd: float = 0.1, *, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Draw the Friedman #3 regression problem.

    The inputs are uniform, :math:`x_1 \sim U(0, 100)`, :math:`x_2 \sim U(40\pi, 560\pi)`,
    :math:`x_3 \sim U(0, 1)`, :math:`x_4 \sim U(1, 11)`, and the target is

    .. math:: y = \arctan\left(\frac{x_2 x_3 - 1 / (x_2 x_4)}{x_1}\right) + \varepsilon,
              \qquad \varepsilon \sim N(0, \mathrm{sd}^2),

    as R's ``mlbench.friedman3`` and scikit-learn's ``make_friedman3`` define it. The
    inputs are left unscaled (``x2`` reaches about 1760), as in the exercise.

    Parameters
    ----------
    n : int, default=1000
        Number of samples.
    sd : float, default=0.1
        Standard deviation of the Gaussian noise added to the target.
    seed : int, default=0
        Seed of the :func:`numpy.random.default_rng` generator that draws, in this
        order, an ``(n, 4)`` array of standard uniforms and ``n`` standard normals.

    Returns
    -------
    X : torch.Tensor
        float32 inputs of shape ``(n, 4)``.
    Y : torch.Tensor
        float32 targets of shape ``(n, 1)``.

    Examples
    --------
    >>> from optimlab.data import friedman3
    >>> X, Y = friedman3(5, seed=1)
    >>> X.shape, Y.shape, X.dtype
    (torch.Size([5, 4]), torch.Size([5, 1]), torch.float32)
    """
    n = check_positive_int("n", n)
    sd = check_nonnegative_finite("sd", sd)
    seed = check_nonnegative_int("seed", seed)
    rng = np.random.default_rng(seed)
    uniforms = rng.uniform(size=(n, 4))
    noise = rng.standard_normal(n)
    low = np.array([0.0, 40 * np.pi, 0.0, 1.0])
    high = np.array([100.0, 560 * np.pi, 1.0, 11.0])
    X = low + uniforms * (high - low)
    x1, x2, x3, x4 = X.T
    y = np.arctan((x2 * x3 - 1 / (x2 * x4)) / x1) + sd * noise
    return (
        torch.from_numpy(X.astype(np.float32)),
        torch.from_numpy(y.astype(np.float32)).reshape(n, 1),
    )


def train_valid_split(
    X: torch.Tensor, Y: torch.Tensor, n_train: int = 700, *, seed: int = 0
) -> Split:
    """Split rows at random into a training and a validation set.

    Parameters
    ----------
    X, Y : torch.Tensor
        Inputs and targets with the same number of rows.
    n_train : int, default=700
        Number of training rows; the other rows form the validation set.
    seed : int, default=0
        Seed of the :func:`numpy.random.default_rng` permutation of the rows.

    Returns
    -------
    ((X_train, Y_train), (X_valid, Y_valid)) : tuple of tuples of torch.Tensor

    Examples
    --------
    >>> from optimlab.data import friedman3, train_valid_split
    >>> (X_train, Y_train), (X_valid, Y_valid) = train_valid_split(*friedman3(10), n_train=7)
    >>> len(X_train), len(X_valid)
    (7, 3)
    """
    seed = check_nonnegative_int("seed", seed)
    if len(X) != len(Y):
        raise ValueError(f"X and Y must have the same number of rows, got {len(X)} and {len(Y)}")
    n_train = check_positive_int("n_train", n_train)
    if n_train >= len(X):
        raise ValueError(
            f"n_train must be smaller than the number of rows ({len(X)}), got {n_train}"
        )
    order = torch.from_numpy(np.random.default_rng(seed).permutation(len(X)))
    train, valid = order[:n_train], order[n_train:]
    return (X[train], Y[train]), (X[valid], Y[valid])


def standardize(data: Split) -> Split:
    """Scale every input column to mean 0 and standard deviation 1 on the training rows.

    The training rows' statistics scale both splits, so nothing of the validation rows
    leaks into training. The targets are left as they are (about [-0.3, 1.9]), so that
    every RMSE stays in the units of the raw problem.

    Parameters
    ----------
    data : ((X_train, Y_train), (X_valid, Y_valid))
        float32 tensors, as :func:`exercise_data` returns.

    Returns
    -------
    ((X_train, Y_train), (X_valid, Y_valid))
        New input tensors; the target tensors are the ones given.

    Examples
    --------
    >>> from optimlab import exercise_data, standardize
    >>> (X_train, _), (X_valid, _) = standardize(exercise_data())
    >>> X_train.mean(dim=0).abs().max().item() < 1e-5, round(X_train.std(dim=0)[1].item(), 4)
    (True, 1.0)
    """
    (X_train, Y_train), (X_valid, Y_valid) = check_split(data)
    mean = X_train.mean(dim=0)
    std = X_train.std(dim=0)
    if not bool((std > 0).all()):
        raise ValueError("standardize needs every input column to vary on the training rows")
    return ((X_train - mean) / std, Y_train), ((X_valid - mean) / std, Y_valid)


def exercise_data(seed: int = 0, *, standardize: bool = False) -> Split:
    """The exercise's data: 1000 Friedman #3 samples (sd 0.1) split into 700 and 300 rows.

    Parameters
    ----------
    seed : int, default=0
        Seeds both the draw (``friedman3``) and the split (``train_valid_split``).
    standardize : bool, default=False
        Standardise the inputs (:func:`~optimlab.standardize`); the exercise uses them raw.

    Returns
    -------
    ((X_train, Y_train), (X_valid, Y_valid)) : tuple of tuples of torch.Tensor
        Shapes ``(700, 4)``, ``(700, 1)``, ``(300, 4)``, ``(300, 1)``.

    Examples
    --------
    >>> from optimlab import exercise_data
    >>> (X_train, Y_train), (X_valid, Y_valid) = exercise_data()
    >>> tuple(X_train.shape), tuple(X_valid.shape)
    ((700, 4), (300, 4))
    """
    data = train_valid_split(*friedman3(1000, 0.1, seed=seed), 700, seed=seed)
    return _standardize(data) if check_bool("standardize", standardize) else data


_standardize = standardize


def standardized_exercise_data(seed: int = 0) -> Split:
    """``exercise_data(seed, standardize=True)``: a sweep's ``data`` for standardised inputs.

    A sweep given it knows its inputs (``SweepResult.inputs``).

    Examples
    --------
    >>> from optimlab import compare_configs
    >>> from optimlab.data import standardized_exercise_data
    >>> compare_configs(epochs=2, lr=[0.1], data=standardized_exercise_data).inputs
    'standardized'
    """
    return exercise_data(seed, standardize=True)


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
