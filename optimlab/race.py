"""The optimizers of :mod:`torch.optim` on the exercise's Rosenbrock function, each tuned.

:func:`rosenbrock_path` lets any optimizer drive the point ``(x, y)``, a float32 tensor,
from the exercise's start (-1, 2). :func:`~optimlab.race_rosenbrock` gives each optimizer its own
learning rate, the one of a grid that brings :math:`f` lowest after the given number of
steps, so that none is judged at a rate that suits another. :func:`path_grid` records the
paths of several optimizers over a grid of learning rates and momenta, for the
interactive figure (:func:`optimlab.plotting.interactive_paths`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from ._validation import (
    brief,
    check_beta,
    check_finite_point,
    check_nonnegative_int,
    check_positive_finite,
)
from .config import TrainingConfig
from .landscape import rosenbrock
from .momentum import Trajectory
from .optimizers import make_optimizer, optimizer_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "MOMENTUM_SETTING",
    "PathGrid",
    "RosenbrockRace",
    "path_grid",
    "race_rosenbrock",
    "rosenbrock_path",
]

#: For each named optimizer, what its ``momentum`` means: an option or ``beta1``.
MOMENTUM_SETTING = {
    "sgd": "momentum",  # heavy ball: v = m v + g
    "rmsprop": "momentum",
    "adam": "beta1",  # the running mean of the gradients
    "adamw": "beta1",
    "momentum": "beta1",  # optimlab.Momentum's beta: v = b v + (1 - b) g
}


def _config(optimizer: Any, lr: float, momentum: float | None) -> TrainingConfig:
    """The optimizer's settings on the Rosenbrock point: no weight decay, the given momentum."""
    config = TrainingConfig(optimizer=optimizer, lr=lr, weight_decay=0.0)
    if momentum is None:
        return config
    momentum = check_beta("momentum", momentum)
    name = config.optimizer
    if not isinstance(name, str) or name not in MOMENTUM_SETTING:
        raise ValueError(
            f"momentum applies to {', '.join(MOMENTUM_SETTING)}; "
            f"optimizer {optimizer_label(name)!r} has no momentum setting"
        )
    if MOMENTUM_SETTING[name] == "beta1":
        return config.replace(beta1=momentum)
    return config.replace(optimizer_options={**config.options, "momentum": momentum})


def rosenbrock_path(
    optimizer: Any,
    lr: float,
    steps: int,
    *,
    momentum: float | None = None,
    start: tuple[float, float] = (-1.0, 2.0),
) -> Trajectory:
    """Let ``optimizer`` minimise the Rosenbrock function for ``steps`` steps; record the path.

    The point is one float32 tensor ``(x, y)``; each step computes
    :func:`~optimlab.rosenbrock`, its gradient by autograd, and calls the optimizer's
    ``step()``. There is no weight decay (it has no purpose here).

    Parameters
    ----------
    optimizer : str, optimizer class or (optimizer, options) pair
        As :class:`~optimlab.TrainingConfig` takes it: ``"sgd"``,
        ``("sgd", {"momentum": 0.9})``, ``"adam"``, ``"momentum"``, ...
    lr : float
        The learning rate.
    steps : int
        Number of steps.
    momentum : float, optional
        Sets the optimizer's momentum (see ``MOMENTUM_SETTING``): SGD's and RMSprop's
        ``momentum``, Adam's and AdamW's ``beta1``, :class:`~optimlab.Momentum`'s ``beta``.
    start : (float, float), default=(-1.0, 2.0)

    Returns
    -------
    Trajectory
        ``steps + 1`` points (float32 values); inf or NaN once a path diverges.

    Examples
    --------
    >>> from optimlab.race import rosenbrock_path
    >>> path = rosenbrock_path("adam", lr=0.1, steps=300)
    >>> float(path.value[0]), bool(path.value[-1] < 1e-3)
    (6.0, True)
    """
    lr = check_positive_finite("lr", lr)
    steps = check_nonnegative_int("steps", steps)
    start = check_finite_point("start", start)
    config = _config(optimizer, lr, momentum)
    return _run(config, steps, start)


def _run(config: TrainingConfig, steps: int, start: tuple[float, float]) -> Trajectory:
    return _run_many([config], steps, start)[0]


def _run_many(
    configs: Sequence[TrainingConfig], steps: int, start: tuple[float, float]
) -> list[Trajectory]:
    """Run one path per config (one optimizer, several settings) in lockstep.

    Each path is its own parameter tensor in its own parameter group, so the optimizer
    treats it exactly as if it were alone; only the function evaluation is batched (its
    gradient, per point, is the one of that point alone).
    """
    points = [torch.tensor(start, dtype=torch.float32, requires_grad=True) for _ in configs]
    groups = [
        {"params": [p], **c.optimizer_kwargs()} for p, c in zip(points, configs, strict=True)
    ]
    optimizer = make_optimizer(configs[0], groups)
    xy = np.empty((len(configs), steps + 1, 2), dtype=np.float32)
    values = np.empty((len(configs), steps + 1), dtype=np.float32)
    with torch.no_grad():
        xy[:, 0] = torch.stack(points).numpy()
    for step in range(steps):
        optimizer.zero_grad()
        stacked = torch.stack(points)
        value = rosenbrock(stacked[:, 0], stacked[:, 1])
        value.sum().backward()
        optimizer.step()
        values[:, step] = value.detach().numpy()
        with torch.no_grad():
            xy[:, step + 1] = torch.stack(points).numpy()
    with torch.no_grad():
        last = torch.stack(points)
        values[:, steps] = rosenbrock(last[:, 0], last[:, 1]).numpy()
    return [Trajectory(xy[i, :, 0], xy[i, :, 1], values[i]) for i in range(len(configs))]


@dataclass(frozen=True)
class RosenbrockRace:
    """Optimizers on the Rosenbrock function, each tuned (:func:`~optimlab.race_rosenbrock`).

    Attributes
    ----------
    labels : tuple of str
    lrs : tuple of float
        The learning-rate grid.
    steps : int
    scores : numpy.ndarray
        Shape ``(len(labels), len(lrs))``: :math:`f` after ``steps`` steps (inf when it
        diverged).
    chosen_lr : dict of str to float
        Each optimizer's lr of lowest score.
    paths : dict of str to Trajectory
        Each optimizer's path at its chosen lr.
    """

    labels: tuple[str, ...]
    lrs: tuple[float, ...]
    steps: int
    scores: np.ndarray
    chosen_lr: dict[str, float]
    paths: dict[str, Trajectory]

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Draw the paths on the contours: ``optimlab.plotting.plot_race``."""
        from .plotting import plot_race

        return plot_race(self, ax=ax, **kwargs)


def _optimizer_list(optimizers: object) -> list[Any]:
    if not isinstance(optimizers, Sequence) or isinstance(optimizers, str):
        raise TypeError(f"optimizers must be a list of optimizers, got {brief(optimizers)}")
    if len(optimizers) == 0:
        raise ValueError("optimizers must hold at least one optimizer, got []")
    return list(optimizers)


def _grid(name: str, values: object, check: Any) -> tuple[float, ...]:
    if not isinstance(values, Sequence) or isinstance(values, str):
        raise TypeError(f"{name} must be a list of numbers, got {brief(values)}")
    if len(values) == 0:
        raise ValueError(f"{name} must hold at least one value, got []")
    return tuple(check(f"{name}[{i}]", v) for i, v in enumerate(values))


def race_rosenbrock(
    optimizers: Sequence[Any],
    lrs: Sequence[float],
    steps: int = 200,
    *,
    start: tuple[float, float] = (-1.0, 2.0),
) -> RosenbrockRace:
    """Tune each optimizer's learning rate on the Rosenbrock function, and keep its path.

    Each optimizer runs from ``start`` at every ``lr`` of the grid; its score is
    :math:`f` after ``steps`` steps (inf if not finite), and its chosen ``lr`` the one
    of lowest score (the smallest on a tie).

    Parameters
    ----------
    optimizers : list
        Names, classes or ``(optimizer, options)`` pairs, as
        :class:`~optimlab.TrainingConfig` takes them.
    lrs : list of float
        The grid.
    steps : int, default=200
    start : (float, float), default=(-1.0, 2.0)

    Returns
    -------
    RosenbrockRace

    Examples
    --------
    >>> from optimlab.race import race_rosenbrock
    >>> race = race_rosenbrock(["sgd", "adam"], [0.001, 0.01, 0.1], steps=100)
    >>> race.chosen_lr
    {'sgd': 0.1, 'adam': 0.1}
    """
    entries = _optimizer_list(optimizers)
    grid = _grid("lrs", lrs, check_positive_finite)
    steps = check_nonnegative_int("steps", steps)
    start = check_finite_point("start", start)
    configs = []
    for i, entry in enumerate(entries):
        try:
            configs.append(_config(entry, grid[0], None))
        except (TypeError, ValueError) as error:
            raise type(error)(f"optimizers[{i}]: {error}") from None
    labels = tuple(optimizer_label(entry) for entry in entries)
    if len(set(labels)) != len(labels):
        raise ValueError(f"optimizers must not repeat an optimizer, got {list(labels)}")
    scores = np.full((len(entries), len(grid)), np.inf)
    chosen, paths = {}, {}
    for row, (label, config) in enumerate(zip(labels, configs, strict=True)):
        runs = _run_many([config.replace(lr=lr) for lr in grid], steps, start)
        last = np.array([run.value[-1] for run in runs], dtype=float)
        scores[row] = np.where(np.isfinite(last), last, np.inf)
        best = int(np.argmin(scores[row]))
        chosen[label], paths[label] = grid[best], runs[best]
    scores.flags.writeable = False
    return RosenbrockRace(labels, grid, steps, scores, chosen, paths)


@dataclass(frozen=True)
class PathGrid:
    """Paths over a grid of optimizers, learning rates and momenta (:func:`path_grid`).

    Attributes
    ----------
    optimizers : tuple of str
    lrs, momenta : tuple of float
    xy : numpy.ndarray
        float32, shape ``(len(optimizers), len(lrs), len(momenta), steps + 1, 2)``:
        exactly the points :func:`rosenbrock_path` gives.
    start : (float, float)
    """

    optimizers: tuple[str, ...]
    lrs: tuple[float, ...]
    momenta: tuple[float, ...]
    xy: np.ndarray
    start: tuple[float, float]

    @property
    def steps(self) -> int:
        """Steps of every path."""
        return self.xy.shape[3] - 1

    def path(self, optimizer: str, lr: float, momentum: float) -> Trajectory:
        """The stored path of one setting, as a :class:`~optimlab.Trajectory`."""
        i, j, k = (
            self.optimizers.index(optimizer),
            self.lrs.index(lr),
            self.momenta.index(momentum),
        )
        x, y = self.xy[i, j, k, :, 0], self.xy[i, j, k, :, 1]
        with np.errstate(all="ignore"):
            return Trajectory(x, y, rosenbrock(x, y))


def path_grid(
    optimizers: Sequence[str],
    lrs: Sequence[float],
    momenta: Sequence[float],
    steps: int = 200,
    *,
    start: tuple[float, float] = (-1.0, 2.0),
) -> PathGrid:
    """Record the path of every optimizer at every (learning rate, momentum) of a grid.

    Parameters
    ----------
    optimizers : list of str
        Names with a momentum setting: keys of ``MOMENTUM_SETTING``.
    lrs : list of float
    momenta : list of float
        Each in [0, 1).
    steps : int, default=200
    start : (float, float), default=(-1.0, 2.0)

    Returns
    -------
    PathGrid

    Examples
    --------
    >>> from optimlab.race import path_grid
    >>> grid = path_grid(["sgd", "adam"], [0.01, 0.1], [0.0, 0.9], steps=50)
    >>> grid.xy.shape, grid.xy.dtype
    ((2, 2, 2, 51, 2), dtype('float32'))
    """
    names = _optimizer_list(optimizers)
    for i, name in enumerate(names):
        if name not in MOMENTUM_SETTING:
            raise ValueError(
                f"optimizers[{i}] must be one of {', '.join(map(repr, MOMENTUM_SETTING))} "
                f"(an optimizer with a momentum setting), got {brief(name)}"
            )
    if len(set(names)) != len(names):
        raise ValueError(f"optimizers must not repeat an optimizer, got {names}")
    lr_grid = _grid("lrs", lrs, check_positive_finite)
    momentum_grid = _grid("momenta", momenta, check_beta)
    steps = check_nonnegative_int("steps", steps)
    start = check_finite_point("start", start)
    xy = np.empty((len(names), len(lr_grid), len(momentum_grid), steps + 1, 2), np.float32)
    for i, name in enumerate(names):
        configs = [_config(name, lr, m) for lr in lr_grid for m in momentum_grid]
        runs = iter(_run_many(configs, steps, start))
        for j in range(len(lr_grid)):
            for k in range(len(momentum_grid)):
                run = next(runs)
                xy[i, j, k, :, 0], xy[i, j, k, :, 1] = run.x, run.y
    xy.flags.writeable = False
    return PathGrid(tuple(names), lr_grid, momentum_grid, xy, start)
