"""Runs on the exercise's Rosenbrock function: one path, a race of optimizers, grids of paths.

One runner steps many paths of one optimizer at once, each exactly as if it ran alone, from
the point ``(x, y)``, a float32 tensor; ``"momentum"`` is :class:`~optimlab.Momentum`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from ._validation import (
    brief,
    check_beta,
    check_choice,
    check_finite_point,
    check_grid,
    check_nonnegative_finite,
    check_nonnegative_int,
    check_positive_finite,
    check_positive_int,
)
from .config import TrainingConfig, check_optimizers
from .landscape import rosenbrock
from .momentum import gradient_of, momentum_update
from .optimizers import make_optimizer, optimizer_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "MOMENTUM_SETTING", "OUTCOMES", "MomentumMap", "PathGrid", "RosenbrockRace", "Trajectory",
    "momentum_map", "path_grid", "race_rosenbrock", "rosenbrock_path",
]  # fmt: skip

#: For each named optimizer, what its ``momentum`` sets: an option or ``beta1``.
MOMENTUM_SETTING = {
    "sgd": "momentum",  # heavy ball: v = m v + g
    "rmsprop": "momentum",
    "adam": "beta1",  # the running mean of the gradients
    "adamw": "beta1",
    "momentum": "beta1",  # optimlab.Momentum's beta: v = b v + (1 - b) g
}

#: What a run does by its last step (:meth:`Trajectory.outcome`), in the order checked.
OUTCOMES = ("diverges", "settles", "cycles", "descends")


def _outcomes(
    xy: np.ndarray, values: np.ndarray, *, tol: float, window: int, bound: float
) -> np.ndarray:
    """:meth:`Trajectory.outcome` of runs ``xy`` ``(n, points, 2)``, ``values`` ``(n, points)``."""
    n, points = values.shape
    with np.errstate(invalid="ignore"):
        # NaN fails both comparisons, so it counts as diverged.
        diverged = ~((np.abs(xy) <= bound).all(axis=(1, 2)) & np.isfinite(values).all(axis=1))
        last = values[:, -(window + 1) :]
        # The envelope: the largest f of each stretch of half a window, back from the end.
        half = max((window + 1) // 2, 1)
        blocks = points // half
        envelope = values[:, points - blocks * half :].reshape(n, blocks, half).max(axis=2)
        late = envelope[:, -1]
        early = envelope[:, -2] if blocks > 1 else late
        lowest_before = envelope[:, :-1].min(axis=1) if blocks > 1 else np.full(n, np.inf)
        settles = (last <= tol).all(axis=1) & (late <= early)
        rises = (np.diff(last, axis=1) > 0).sum(axis=1)
        oscillates = (rises > 0) & (rises * 10 >= window)
        cycles = oscillates & ((late >= 0.9 * early) | (late > 10 * lowest_before))
    return np.select([diverged, settles, cycles], OUTCOMES[:3], OUTCOMES[3]).astype(object)


@dataclass(frozen=True)
class Trajectory:
    """A recorded optimization path: point ``i`` is the position after ``i`` steps.

    Attributes
    ----------
    x, y, value : numpy.ndarray
        Coordinates and :math:`f`, shape ``(steps + 1,)``, the start included: the run's
        float32 values (inf or NaN once it diverges), held in float64.
    """

    x: np.ndarray
    y: np.ndarray
    value: np.ndarray

    def __len__(self) -> int:
        return len(self.x)

    @property
    def end(self) -> tuple[float, float]:
        """The last point ``(x, y)``."""
        return float(self.x[-1]), float(self.y[-1])

    def outcome(self, *, tol: float = 1e-6, window: int = 50, bound: float = 100.0) -> str:
        """What the run does by its end, read from its last ``window`` steps.

        The first that holds, of:

        * ``"diverges"``: at some step a coordinate left ``|x|, |y| <= bound``, or
          :math:`f` or a coordinate became inf or NaN;
        * ``"settles"``: :math:`f \\le` ``tol`` at each of the last ``window + 1`` points,
          and the largest :math:`f` of the last half window is at most that of the one
          before (not drifting away);
        * ``"cycles"``: :math:`f` rises on at least a tenth of the last ``window`` steps,
          and the largest :math:`f` of the last half window is at least 0.9 times that of
          the one before (a two-point cycle, a growing oscillation) or over 10 times the
          lowest of any earlier half window (it came back up);
        * ``"descends"``: a slow descent, or an oscillation that dies out.

        A longer run may settle, or start to cycle, later.

        Parameters
        ----------
        tol : float, default=1e-6
            The value of :math:`f` that counts as arrived.
        window : int, default=50
            How many of the last steps to read; under ``len(self)``.
        bound : float, default=100.0
            Divergence: a coordinate beyond it, as :func:`~optimlab.momentum_map` counts.

        Returns
        -------
        str
            One of ``optimlab.rosenbrock_runs.OUTCOMES``.

        Raises
        ------
        TypeError, ValueError
            If an argument is not a positive number (``window`` an integer under
            ``len(self)``).

        Examples
        --------
        >>> from optimlab import rosenbrock_path
        >>> rosenbrock_path("sgd", lr=0.05, steps=500).outcome()  # 2 / h = 0.0925
        'settles'
        >>> rosenbrock_path("sgd", lr=0.1, steps=500).outcome()  # past it: a two-point cycle
        'cycles'
        >>> rosenbrock_path("sgd", lr=0.2, steps=500).outcome()
        'diverges'
        >>> rosenbrock_path("sgd", lr=0.001, steps=500).outcome()  # on its way, slowly
        'descends'
        """
        tol = check_positive_finite("tol", tol)
        window = check_positive_int("window", window)
        bound = check_positive_finite("bound", bound)
        if window >= len(self):
            raise ValueError(
                f"window must be smaller than the run's {len(self)} points, got {window}"
            )
        xy = np.stack([self.x, self.y], axis=-1)[None]
        return str(_outcomes(xy, self.value[None], tol=tol, window=window, bound=bound)[0])


def _config(
    optimizer: Any,
    lr: float,
    momentum: float | None = None,
    weight_decay: float = 0.0,
    beta2: float | None = None,
) -> TrainingConfig:
    """The optimizer's settings for a run; ``momentum`` goes where ``MOMENTUM_SETTING`` says."""
    extra: dict[str, Any] = {} if beta2 is None else {"beta2": beta2}
    config = TrainingConfig(optimizer=optimizer, lr=lr, weight_decay=weight_decay, **extra)
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
    beta2: float | None = None,
    weight_decay: float = 0.0,
    start: tuple[float, float] = (-1.0, 2.0),
) -> Trajectory:
    """Let ``optimizer`` minimise the Rosenbrock function for ``steps`` steps; record the path.

    The point is a float32 tensor; ``"momentum"`` gives the exercise's loop of
    :func:`~optimlab.optim_step`, to the bit.

    Parameters
    ----------
    optimizer : str, optimizer class or (optimizer, options) pair
        As :class:`~optimlab.TrainingConfig` takes it: ``"sgd"``,
        ``("sgd", {"momentum": 0.9})``, ``"adam"``, ``"adamw"``, ``"momentum"``, ...
    lr : float
    steps : int
        Steps to take (0 gives the start point alone).
    momentum : float, optional
        In [0, 1), set where ``MOMENTUM_SETTING`` says; ``None`` keeps the default.
    beta2 : float, optional
        Adam's and AdamW's ``beta2``; ``None`` keeps optimlab's default, 0.999.
    weight_decay : float, default=0.0
        The optimizer's own: decoupled for AdamW and ``"momentum"``, L2 for the others.
    start : (float, float), default=(-1.0, 2.0)

    Returns
    -------
    Trajectory

    Raises
    ------
    TypeError, ValueError
        Before any step, for a bad argument, or a setting the optimizer lacks
        (``momentum`` for Adagrad, ``beta2`` for SGD).

    Examples
    --------
    >>> from optimlab import rosenbrock_path
    >>> path = rosenbrock_path("momentum", lr=0.01, steps=500, momentum=0.9)
    >>> len(path), float(path.value[0]), bool(path.value[-1] < 0.01)
    (501, 6.0, True)
    >>> adamw = rosenbrock_path("adamw", 0.01, 3000, beta2=0.99, weight_decay=3.0)
    >>> round(adamw.end[0], 2)  # held in the box |x|, |y| <= 1 / 3
    0.33
    """
    lr = check_positive_finite("lr", lr)
    steps = check_nonnegative_int("steps", steps)
    start = check_finite_point("start", start)
    config = _config(optimizer, lr, momentum, weight_decay, beta2)
    return _trajectories(*_run_many([config], steps, start))[0]


def _trajectories(xy: np.ndarray, values: np.ndarray) -> list[Trajectory]:
    """One :class:`Trajectory` per path of :func:`_run_many`'s float32 arrays."""
    xy, values = xy.astype(np.float64), values.astype(np.float64)
    return [Trajectory(xy[i, :, 0], xy[i, :, 1], values[i]) for i in range(len(xy))]


def _run_many(
    configs: Sequence[TrainingConfig], steps: int, start: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Run one path per config of one optimizer in lockstep, each exactly as if alone.

    A torch optimizer holds each path in its own parameter group. Returns the points,
    float32 ``(n, steps + 1, 2)``, and :math:`f` at each, float32 ``(n, steps + 1)``.
    """
    n = len(configs)
    if configs[0].optimizer == "momentum":
        leaves = [torch.tensor([start] * n, dtype=torch.float32, requires_grad=True)]
        step = _momentum_step(leaves[0], configs)
    else:
        leaves = [torch.tensor(start, dtype=torch.float32, requires_grad=True) for _ in configs]
        groups = [
            {"params": [p], **c.optimizer_kwargs()} for p, c in zip(leaves, configs, strict=True)
        ]
        step = make_optimizer(configs[0], groups).step
    xy = np.empty((n, steps + 1, 2), dtype=np.float32)
    values = np.empty((n, steps + 1), dtype=np.float32)
    for k in range(steps + 1):
        for leaf in leaves:
            leaf.grad = None
        points = torch.cat([leaf.view(-1, 2) for leaf in leaves])
        value = rosenbrock(points[:, 0], points[:, 1])
        xy[:, k] = points.detach().numpy()
        values[:, k] = value.detach().numpy()
        if k < steps:
            value.sum().backward()
            step()
    return xy, values


def _momentum_step(point: torch.Tensor, configs: Sequence[TrainingConfig]) -> Callable[[], None]:
    """:class:`~optimlab.Momentum`'s step for every row of ``point`` at once.

    Coefficients are formed in float64 and rounded once to float32, as torch rounds
    Momentum's Python floats; a decay factor of exactly 1 is no decay, to the bit.
    """
    kwargs = [config.optimizer_kwargs() for config in configs]
    # Shape (n, 2), as the points: one row of coefficients per path.
    lr, beta, decay = (
        np.array([[kw[key]] * 2 for kw in kwargs]) for key in ("lr", "beta", "weight_decay")
    )
    rows = {"lr": lr, "beta": beta, "one_minus_beta": 1 - beta, "shrink": 1 - lr * decay}
    coefficients: dict[str, Any] = {
        name: torch.tensor(row, dtype=torch.float32) for name, row in rows.items()
    }
    if not decay.any():
        coefficients["shrink"] = None
    velocity = torch.zeros_like(point)
    return torch.no_grad()(
        lambda: momentum_update(point, velocity, gradient_of(point), **coefficients)
    )


@dataclass(frozen=True)
class RosenbrockRace:
    """Optimizers on the Rosenbrock function, each tuned (:func:`~optimlab.race_rosenbrock`).

    The ranking holds for this budget of steps alone; :meth:`at` re-tunes on a shorter one.

    Attributes
    ----------
    labels : tuple of str
    lrs : tuple of float
    steps : int
    scores : numpy.ndarray
        ``(len(labels), len(lrs))``: :math:`f` after ``steps`` steps, inf if it diverged.
    chosen_lr, paths : dict
        Each optimizer's lr of lowest score, and its path there.
    runs : dict of str to tuple of Trajectory
        Each optimizer's path at every lr of the grid.
    """

    labels: tuple[str, ...]
    lrs: tuple[float, ...]
    steps: int
    scores: np.ndarray
    chosen_lr: dict[str, float]
    paths: dict[str, Trajectory]
    runs: dict[str, tuple[Trajectory, ...]]

    def at(self, steps: int) -> RosenbrockRace:
        """The race as it stood after ``steps`` steps, each optimizer re-tuned on it.

        Exactly ``race_rosenbrock(..., steps=steps)``: a run's first steps do not depend on
        its length.

        Parameters
        ----------
        steps : int
            A budget from 0 to ``self.steps``.

        Returns
        -------
        RosenbrockRace

        Raises
        ------
        TypeError, ValueError
            If ``steps`` is not such an integer.

        Examples
        --------
        >>> from optimlab import race_rosenbrock
        >>> race = race_rosenbrock(["sgd"], [0.01, 0.05, 0.1], steps=500)
        >>> race.chosen_lr, race.at(100).chosen_lr  # at 500 steps, lr 0.1 cycles
        ({'sgd': 0.05}, {'sgd': 0.1})
        """
        steps = check_nonnegative_int("steps", steps)
        if steps > self.steps:
            raise ValueError(f"steps must be at most the race's {self.steps}, got {steps}")
        cut = slice(steps + 1)
        runs = {
            label: tuple(Trajectory(r.x[cut], r.y[cut], r.value[cut]) for r in paths)
            for label, paths in self.runs.items()
        }
        return _tuned(self.labels, self.lrs, steps, runs)

    def plot(self, ax: Axes | None = None, *, kind: str = "paths") -> Axes:
        """Draw the paths on the contours (``kind="paths"``), or :math:`f` against the
        step at each optimizer's tuned rate, on a log scale (``kind="values"``)."""
        from .plotting import plot_race, plot_race_values

        check_choice("kind", kind, ("paths", "values"))
        return (plot_race if kind == "paths" else plot_race_values)(self, ax=ax)


def race_rosenbrock(
    optimizers: Sequence[Any],
    lrs: Sequence[float],
    steps: int = 200,
    *,
    start: tuple[float, float] = (-1.0, 2.0),
) -> RosenbrockRace:
    """Tune each optimizer's learning rate on the Rosenbrock function, and keep its path.

    Each optimizer runs at every ``lr`` of the grid, without weight decay, and keeps the
    ``lr`` of lowest final :math:`f` (inf if not finite; the smallest on a tie).

    Parameters
    ----------
    optimizers : list
        As :class:`~optimlab.TrainingConfig` takes them: names, classes or pairs.
    lrs : list of float
        The grid, strictly increasing.
    steps : int, default=200
    start : (float, float), default=(-1.0, 2.0)

    Returns
    -------
    RosenbrockRace

    Examples
    --------
    >>> from optimlab import race_rosenbrock
    >>> race = race_rosenbrock(["sgd", "adam"], [0.001, 0.01, 0.1], steps=100)
    >>> race.chosen_lr
    {'sgd': 0.1, 'adam': 0.1}
    """
    grid = check_grid("lrs", lrs, check_positive_finite)
    steps = check_nonnegative_int("steps", steps)
    start = check_finite_point("start", start)
    configs, labels = check_optimizers(optimizers, lambda entry: _config(entry, grid[0]))
    runs = {
        label: tuple(_trajectories(*_run_many([config.replace(lr=lr) for lr in grid],
                                               steps, start)))
        for label, config in zip(labels, configs, strict=True)
    }  # fmt: skip
    return _tuned(tuple(labels), grid, steps, runs)


def _tuned(
    labels: tuple[str, ...],
    grid: tuple[float, ...],
    steps: int,
    runs: dict[str, tuple[Trajectory, ...]],
) -> RosenbrockRace:
    """The race of these runs: each optimizer's lr of lowest final f (the smallest on a tie)."""
    last = np.array([[run.value[-1] for run in runs[label]] for label in labels], dtype=float)
    scores = np.where(np.isfinite(last), last, np.inf)
    scores.flags.writeable = False
    best = dict(zip(labels, scores.argmin(axis=1).tolist(), strict=True))
    chosen = {label: grid[i] for label, i in best.items()}
    paths = {label: runs[label][i] for label, i in best.items()}
    return RosenbrockRace(labels, grid, steps, scores, chosen, paths, runs)


def _grid(
    name: str, lrs: tuple[float, ...], momenta: tuple[float, ...], steps: int,
    start: tuple[float, float], weight_decay: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """:func:`_run_many` of one optimizer at every (lr, momentum), in row-major order."""
    configs = [_config(name, lr, m, weight_decay) for lr in lrs for m in momenta]
    return _run_many(configs, steps, start)


@dataclass(frozen=True)
class PathGrid:
    """Paths over a grid of optimizers, learning rates and momenta (:func:`path_grid`).

    Attributes
    ----------
    optimizers : tuple of str
    lrs, momenta : tuple of float
    xy : numpy.ndarray
        float32, ``(len(optimizers), len(lrs), len(momenta), steps + 1, 2)``.
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

    def interactive(self, **kwargs: Any) -> Any:
        """The grid as ``optimlab.plotting.interactive_paths`` draws it, with ``kwargs``
        (``initial``, ``plotlyjs``, ``height``). Needs plotly."""
        from .plotting import interactive_paths

        return interactive_paths(self, **kwargs)

    def path(self, optimizer: str, lr: float, momentum: float) -> Trajectory:
        """The stored path of one setting, as a :class:`~optimlab.Trajectory`."""
        i, j = self.optimizers.index(optimizer), self.lrs.index(lr)
        xy = self.xy[i, j, self.momenta.index(momentum)][None]
        with np.errstate(all="ignore"):  # f in float32, as the run computed it
            return _trajectories(xy, rosenbrock(xy[..., 0], xy[..., 1]))[0]


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
    lrs, momenta : list of float
        Learning rates, and momentum coefficients in [0, 1) (the ``momentum`` of
        :func:`rosenbrock_path`); each strictly increasing.
    steps, start
        As :func:`race_rosenbrock` takes them.

    Returns
    -------
    PathGrid
        Of the paths :func:`rosenbrock_path` gives, to the bit.

    Examples
    --------
    >>> from optimlab import path_grid
    >>> grid = path_grid(["sgd", "adam"], [0.01, 0.1], [0.0, 0.9], steps=50)
    >>> grid.xy.shape, grid.xy.dtype
    ((2, 2, 2, 51, 2), dtype('float32'))
    """

    def with_momentum(name: object) -> TrainingConfig:
        if not isinstance(name, str) or name not in MOMENTUM_SETTING:
            raise ValueError(
                f"the optimizer must be one of {', '.join(map(repr, MOMENTUM_SETTING))} "
                f"(an optimizer with a momentum setting), got {brief(name)}"
            )
        return TrainingConfig(optimizer=name, weight_decay=0.0)

    _, names = check_optimizers(optimizers, with_momentum)
    lr_axis = check_grid("lrs", lrs, check_positive_finite)
    momentum_axis = check_grid("momenta", momenta, check_beta)
    steps = check_nonnegative_int("steps", steps)
    start = check_finite_point("start", start)
    runs = [_grid(name, lr_axis, momentum_axis, steps, start)[0] for name in names]
    xy = np.stack(runs).reshape(len(names), len(lr_axis), len(momentum_axis), steps + 1, 2)
    xy.flags.writeable = False
    return PathGrid(names, lr_axis, momentum_axis, xy, start)


@dataclass(frozen=True)
class MomentumMap:
    """The exercise's momentum descent over a grid of (lr, momentum): :func:`momentum_map`.

    Arrays have shape ``(len(lrs), len(momenta))``: row ``i`` is ``lrs[i]``, column ``j``
    is ``momenta[j]``.

    Attributes
    ----------
    lrs, momenta : numpy.ndarray
        The grid axes.
    steps, tol, bound, start, weight_decay
        The arguments of :func:`momentum_map`.
    x, y : numpy.ndarray
        End points, the runs' float32 values.
    final_value : numpy.ndarray
        :math:`f` at the end point; ``inf`` where the run diverged.
    steps_to_tol : numpy.ndarray
        The first step from which :math:`f \\le` ``tol`` holds to the end; -1 where it ends
        above ``tol`` or diverged.
    diverged : numpy.ndarray
        True where :math:`\\max(|x|, |y|)` exceeded ``bound`` (or became NaN).
    outcome : numpy.ndarray
        :meth:`Trajectory.outcome` of each run, with its defaults (the last 50 steps, or all
        when fewer) and this map's ``bound``.
    """

    lrs: np.ndarray
    momenta: np.ndarray
    steps: int
    tol: float
    bound: float
    start: tuple[float, float]
    weight_decay: float
    x: np.ndarray
    y: np.ndarray
    final_value: np.ndarray
    steps_to_tol: np.ndarray
    diverged: np.ndarray
    outcome: np.ndarray

    def __post_init__(self) -> None:
        names = ("lrs", "momenta", "x", "y", "final_value", "steps_to_tol", "diverged", "outcome")
        for name in names:
            array = np.array(getattr(self, name))  # a copy: the result stays as computed
            array.flags.writeable = False
            object.__setattr__(self, name, array)

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Draw the map with ``optimlab.plotting.plot_momentum_map``; ``kwargs`` passed on."""
        from .plotting import plot_momentum_map

        return plot_momentum_map(self, ax, **kwargs)


def momentum_map(
    lrs: Sequence[float] | np.ndarray,
    momenta: Sequence[float] | np.ndarray,
    *,
    steps: int = 500,
    tol: float = 1e-2,
    bound: float = 100.0,
    start: tuple[float, float] = (-1.0, 2.0),
    weight_decay: float = 0.0,
) -> MomentumMap:
    """Run the exercise's momentum descent for every (lr, momentum) of a grid, all at once.

    Every cell is the run ``rosenbrock_path("momentum", lr, steps, momentum=momentum,
    weight_decay=weight_decay, start=start)``, to the bit.

    Parameters
    ----------
    lrs, momenta : sequence of float
        Strictly increasing: step sizes, and momentum coefficients in [0, 1).
    steps : int, default=500
        Steps per run, as in the exercise's demo.
    tol : float, default=1e-2
        The value that counts as arrived, for ``steps_to_tol``.
    bound : float, default=100.0
        A run diverged once ``|x|`` or ``|y|`` exceeds it (or is NaN).
    start : (float, float), default=(-1.0, 2.0)
    weight_decay : float, default=0.0
        Decoupled, as in :func:`~optimlab.optim_step`.

    Returns
    -------
    MomentumMap

    Raises
    ------
    TypeError, ValueError
        If an argument is out of range, or an axis not a strictly increasing sequence.

    Examples
    --------
    >>> from optimlab import momentum_map
    >>> result = momentum_map([0.01, 0.1, 1.0], [0.0, 0.9])
    >>> result.diverged.tolist()
    [[False, False], [False, False], [True, False]]
    >>> result.steps_to_tol.tolist()  # -1: still above tol after 500 steps, or diverged
    [[445, 445], [-1, 73], [-1, 75]]
    >>> result.outcome.tolist()  # lr 0.1 at beta 0 is past 2 / h = 0.0925
    [['descends', 'descends'], ['cycles', 'settles'], ['diverges', 'settles']]
    """
    lr_axis = check_grid("lrs", lrs, check_positive_finite)
    momentum_axis = check_grid("momenta", momenta, check_beta)
    steps = check_nonnegative_int("steps", steps)
    tol = check_positive_finite("tol", tol)
    bound = check_positive_finite("bound", bound)
    start = check_finite_point("start", start)
    weight_decay = check_nonnegative_finite("weight_decay", weight_decay)
    xy, values = _grid("momentum", lr_axis, momentum_axis, steps, start, weight_decay)
    above = ~(values <= tol)  # NaN counts as above
    last_above = np.where(above.any(axis=1), steps - np.argmax(above[:, ::-1], axis=1), -1)
    # NaN fails the comparison, so it counts as out of bounds.
    diverged = ~(np.abs(xy[:, 1:]) <= bound).all(axis=(1, 2))
    end = xy[:, -1].astype(np.float64)
    cells = {
        "x": end[:, 0],
        "y": end[:, 1],
        "final_value": np.where(diverged, np.inf, values[:, -1].astype(np.float64)),
        "steps_to_tol": np.where(diverged | (last_above >= steps), -1, last_above + 1),
        "diverged": diverged,
        "outcome": _outcomes(xy, values, tol=1e-6, window=min(50, steps), bound=bound),
    }
    shape = (len(lr_axis), len(momentum_axis))
    cells = {name: cell.reshape(shape) for name, cell in cells.items()}
    axes = np.array(lr_axis), np.array(momentum_axis)
    return MomentumMap(*axes, steps, tol, bound, start, weight_decay, **cells)
