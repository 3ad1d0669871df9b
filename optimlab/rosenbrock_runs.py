"""Runs on the exercise's Rosenbrock function: one path, a race of optimizers, grids of paths.

Every run here goes through one runner. :func:`~optimlab.rosenbrock_path` lets any
optimizer that :class:`~optimlab.TrainingConfig` can name drive the point ``(x, y)``, a
float32 tensor, from the exercise's start (-1, 2): ``"momentum"`` is
:class:`~optimlab.Momentum`, the exercise's hand-written rule. The runner steps many
paths of one optimizer at once, each exactly as if it ran alone, and the others build on
it: :func:`~optimlab.race_rosenbrock` gives each optimizer its own learning rate, the one
of a grid that brings :math:`f` lowest; :func:`~optimlab.path_grid` records every path of
a grid of learning rates and momenta, for the interactive figure
(:func:`optimlab.plotting.interactive_paths`); :func:`~optimlab.momentum_map` sums up the
exercise's momentum descent over such a grid.
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
    "MOMENTUM_SETTING",
    "OUTCOMES",
    "MomentumMap",
    "PathGrid",
    "RosenbrockRace",
    "Trajectory",
    "momentum_map",
    "path_grid",
    "race_rosenbrock",
    "rosenbrock_path",
]

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
    """:meth:`Trajectory.outcome` of many runs at once: ``xy`` of shape ``(n, points, 2)``,
    ``values`` of shape ``(n, points)``; checked arguments, ``window < points``."""
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
    return np.select(
        [diverged, settles, cycles],
        [OUTCOMES[0], OUTCOMES[1], OUTCOMES[2]],
        default=OUTCOMES[3],
    ).astype(object)


def _check_outcome_args(tol: object, window: object, bound: object) -> tuple[float, int, float]:
    return (
        check_positive_finite("tol", tol),
        check_positive_int("window", window),
        check_positive_finite("bound", bound),
    )


@dataclass(frozen=True)
class Trajectory:
    """A recorded optimization path: point ``i`` is the position after ``i`` steps.

    Attributes
    ----------
    x, y : numpy.ndarray
        Coordinates, shape ``(steps + 1,)``, the start included: the float32 values of
        the run, held in float64 (so that they print and round as Python floats do).
    value : numpy.ndarray
        :func:`~optimlab.rosenbrock` at each point, as the run computed it in float32;
        inf or NaN once a path diverges.
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
        """What the run does by its end: ``"settles"``, ``"cycles"``, ``"diverges"`` or
        ``"descends"``.

        :math:`f` after a fixed number of steps does not say whether a run has arrived, is
        still on its way, or bounces for ever; this reads the last ``window`` steps. The
        outcomes, checked in this order:

        * ``"diverges"``: a coordinate left ``|x|, |y| <= bound``, or :math:`f` or a
          coordinate became inf or NaN, at any step;
        * ``"settles"``: :math:`f \\le` ``tol`` at each of the last ``window + 1`` points,
          and the largest :math:`f` of the last half window is at most that of the half
          window before it (not drifting away);
        * ``"cycles"``: bounded, not settled, and oscillating without progress: :math:`f`
          rises on at least a tenth of the last ``window`` steps, and the largest
          :math:`f` of the last half window is at least 0.9 times that of the half window
          before it (a two-point cycle, an oscillation that grows) or over 10 times the
          lowest such largest value of any earlier half window (the run came back up);
        * ``"descends"``: bounded and still on its way: neither settled nor cycling (a
          slow descent, or an oscillation that dies out).

        The outcome is of this run at its length: one that descends after 100 steps may
        settle after 500, and one that looks settled may start to cycle later.

        Parameters
        ----------
        tol : float, default=1e-6
            The value of :math:`f` that counts as arrived (the minimum's value is 0).
        window : int, default=50
            How many of the last steps to read; at most ``len(self) - 1``.
        bound : float, default=100.0
            Divergence: a coordinate beyond it, as :func:`~optimlab.momentum_map` counts.

        Returns
        -------
        str
            One of ``optimlab.rosenbrock_runs.OUTCOMES``.

        Raises
        ------
        TypeError
            If ``window`` is not an integer, or ``tol`` or ``bound`` not a number.
        ValueError
            If ``tol`` or ``bound`` is not positive and finite, ``window`` is below 1,
            or the run has ``window`` steps or fewer.

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
        tol, window, bound = _check_outcome_args(tol, window, bound)
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

    The point is one float32 tensor ``(x, y)``; each step computes
    :func:`~optimlab.rosenbrock`, its gradient by autograd, and calls the optimizer's
    ``step()``. With ``"momentum"`` this is the exercise's own loop of
    :func:`~optimlab.optim_step`, to the bit.

    Parameters
    ----------
    optimizer : str, optimizer class or (optimizer, options) pair
        As :class:`~optimlab.TrainingConfig` takes it: ``"sgd"``,
        ``("sgd", {"momentum": 0.9})``, ``"adam"``, ``"adamw"``, ``"momentum"``, ...
    lr : float
        The learning rate.
    steps : int
        Number of steps (0 gives the start point alone).
    momentum : float, optional
        The momentum coefficient, in [0, 1); where it goes is ``MOMENTUM_SETTING``:
        SGD's and RMSprop's ``momentum``, Adam's and AdamW's ``beta1``,
        :class:`~optimlab.Momentum`'s ``beta``. ``None`` keeps the optimizer's default.
    beta2 : float, optional
        Adam's and AdamW's ``beta2``; ``None`` keeps optimlab's default, 0.999.
    weight_decay : float, default=0.0
        The optimizer's own ``weight_decay``: decoupled for AdamW and ``"momentum"``
        (the point shrinks by ``1 - lr * weight_decay`` each step), an L2 term added to
        the gradient for SGD, Adam, RMSprop and Adagrad.
    start : (float, float), default=(-1.0, 2.0)
        The start point, the exercise's.

    Returns
    -------
    Trajectory
        ``steps + 1`` points, the start included.

    Raises
    ------
    TypeError, ValueError
        Before any step, if an argument has the wrong type or value, or the optimizer
        lacks a setting (``momentum`` for Adagrad, ``beta2`` for SGD).

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
    """Run one path per config (one optimizer, several settings), all in lockstep.

    Returns the points, float32 of shape ``(len(configs), steps + 1, 2)``, and :math:`f`
    at each, float32 of shape ``(len(configs), steps + 1)``. Each path gets exactly the
    arithmetic of a run alone: a torch optimizer holds each path as its own parameter in
    its own parameter group; ``"momentum"`` steps all paths as one tensor through
    :func:`~optimlab.momentum.momentum_update`, the rule :class:`~optimlab.Momentum`
    applies, with one coefficient per path. The function evaluation is batched, and its
    gradient at a point is that of the point alone.
    """
    n = len(configs)
    if configs[0].optimizer == "momentum":
        point = torch.tensor([start] * n, dtype=torch.float32, requires_grad=True)
        leaves = [point]
        step = _momentum_step(point, configs)

        def current() -> torch.Tensor:
            return point

    else:
        leaves = [torch.tensor(start, dtype=torch.float32, requires_grad=True) for _ in configs]
        groups = [
            {"params": [p], **c.optimizer_kwargs()} for p, c in zip(leaves, configs, strict=True)
        ]
        step = make_optimizer(configs[0], groups).step

        def current() -> torch.Tensor:
            return torch.stack(leaves)

    xy = np.empty((n, steps + 1, 2), dtype=np.float32)
    values = np.empty((n, steps + 1), dtype=np.float32)
    for k in range(steps + 1):
        for leaf in leaves:
            leaf.grad = None
        points = current()
        value = rosenbrock(points[:, 0], points[:, 1])
        xy[:, k] = points.detach().numpy()
        values[:, k] = value.detach().numpy()
        if k < steps:
            value.sum().backward()
            step()
    return xy, values


def _momentum_step(point: torch.Tensor, configs: Sequence[TrainingConfig]) -> Callable[[], None]:
    """One step of :class:`~optimlab.Momentum` for every row of ``point`` at once.

    Each coefficient is formed in float64 and rounded once to float32, per row, as torch
    rounds the Python floats that :class:`~optimlab.Momentum` hands to
    ``momentum_update``; a decay factor of exactly 1 leaves a row as no decay does.
    """
    kwargs = [config.optimizer_kwargs() for config in configs]

    def per_row(values: list[float]) -> torch.Tensor:
        column = np.array(values, dtype=np.float64)[:, None]
        return torch.tensor(np.repeat(column, point.shape[1], axis=1), dtype=torch.float32)

    lr = [k["lr"] for k in kwargs]
    beta = [k["beta"] for k in kwargs]
    decay = [k["weight_decay"] for k in kwargs]
    coefficients: dict[str, Any] = {
        "lr": per_row(lr),
        "beta": per_row(beta),
        "one_minus_beta": per_row([1 - b for b in beta]),
        "shrink": per_row([1 - r * d for r, d in zip(lr, decay, strict=True)])
        if any(decay)
        else None,
    }
    velocity = torch.zeros_like(point)

    @torch.no_grad()
    def step() -> None:
        momentum_update(point, velocity, gradient_of(point), **coefficients)

    return step


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
    runs : dict of str to tuple of Trajectory
        Each optimizer's path at every lr of the grid, in the grid's order.

    The ranking holds for this budget of steps alone; :meth:`at` re-tunes the same runs
    on a shorter one.
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

        The runs are cut at ``steps`` (a run is the same up to any step whatever its
        length), and each optimizer's lr is chosen again on :math:`f` after ``steps``
        steps: exactly what ``race_rosenbrock(..., steps=steps)`` gives.

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
            If ``steps`` is not an integer from 0 to ``self.steps``.

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
        runs = {
            label: tuple(Trajectory(r.x[: steps + 1], r.y[: steps + 1], r.value[: steps + 1])
                         for r in paths)
            for label, paths in self.runs.items()
        }  # fmt: skip
        return _tuned(self.labels, self.lrs, steps, runs)

    def plot(self, ax: Axes | None = None, *, kind: str = "paths") -> Axes:
        """Draw the paths on the contours (``kind="paths"``), or :math:`f` against the
        step at each optimizer's tuned rate, on a log scale (``kind="values"``)."""
        from .plotting import plot_race, plot_race_values

        check_choice("kind", kind, ("paths", "values"))
        return (plot_race if kind == "paths" else plot_race_values)(self, ax=ax)


def _with_momentum(name: object) -> TrainingConfig:
    """The config of a path grid's optimizer: one named in ``MOMENTUM_SETTING``."""
    if not isinstance(name, str) or name not in MOMENTUM_SETTING:
        raise ValueError(
            f"the optimizer must be one of {', '.join(map(repr, MOMENTUM_SETTING))} "
            f"(an optimizer with a momentum setting), got {brief(name)}"
        )
    return TrainingConfig(optimizer=name, weight_decay=0.0)


def race_rosenbrock(
    optimizers: Sequence[Any],
    lrs: Sequence[float],
    steps: int = 200,
    *,
    start: tuple[float, float] = (-1.0, 2.0),
) -> RosenbrockRace:
    """Tune each optimizer's learning rate on the Rosenbrock function, and keep its path.

    Each optimizer runs from ``start`` at every ``lr`` of the grid, without weight decay;
    its score is :math:`f` after ``steps`` steps (inf if not finite), and its chosen
    ``lr`` the one of lowest score (the smallest on a tie).

    Parameters
    ----------
    optimizers : list
        Names, classes or ``(optimizer, options)`` pairs, as
        :class:`~optimlab.TrainingConfig` takes them.
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
    scores = np.full((len(labels), len(grid)), np.inf)
    chosen, paths = {}, {}
    for row, label in enumerate(labels):
        last = np.array([run.value[-1] for run in runs[label]], dtype=float)
        scores[row] = np.where(np.isfinite(last), last, np.inf)
        best = int(np.argmin(scores[row]))
        chosen[label], paths[label] = grid[best], runs[label][best]
    scores.flags.writeable = False
    return RosenbrockRace(labels, grid, steps, scores, chosen, paths, runs)


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

    def interactive(self, **kwargs: Any) -> Any:
        """The grid as an interactive figure: ``optimlab.plotting.interactive_paths``.

        A menu picks the optimizer, two sliders the learning rate and the momentum;
        ``kwargs`` (``initial``, ``plotlyjs``, ``height``) are passed on. Needs plotly.
        """
        from .plotting import interactive_paths

        return interactive_paths(self, **kwargs)

    def path(self, optimizer: str, lr: float, momentum: float) -> Trajectory:
        """The stored path of one setting, as a :class:`~optimlab.Trajectory`."""
        i, j, k = (
            self.optimizers.index(optimizer),
            self.lrs.index(lr),
            self.momenta.index(momentum),
        )
        x, y = self.xy[i, j, k, :, 0], self.xy[i, j, k, :, 1]
        with np.errstate(all="ignore"):
            value = rosenbrock(x, y)  # in float32, as the run computed it
        return Trajectory(x.astype(np.float64), y.astype(np.float64), value.astype(np.float64))


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
        Learning rates, strictly increasing.
    momenta : list of float
        Momentum coefficients (the ``momentum`` of :func:`rosenbrock_path`), each in
        [0, 1), strictly increasing.
    steps : int, default=200
    start : (float, float), default=(-1.0, 2.0)

    Returns
    -------
    PathGrid

    Examples
    --------
    >>> from optimlab import path_grid
    >>> grid = path_grid(["sgd", "adam"], [0.01, 0.1], [0.0, 0.9], steps=50)
    >>> grid.xy.shape, grid.xy.dtype
    ((2, 2, 2, 51, 2), dtype('float32'))
    """
    _, labels = check_optimizers(optimizers, _with_momentum)
    names = list(labels)
    lr_axis = check_grid("lrs", lrs, check_positive_finite)
    momentum_axis = check_grid("momenta", momenta, check_beta)
    steps = check_nonnegative_int("steps", steps)
    start = check_finite_point("start", start)
    shape = (len(lr_axis), len(momentum_axis), steps + 1, 2)
    xy = np.stack(
        [
            _run_many([_config(name, lr, m) for lr in lr_axis for m in momentum_axis],
                      steps, start)[0].reshape(shape)
            for name in names
        ]
    )  # fmt: skip
    xy.flags.writeable = False
    return PathGrid(tuple(names), lr_axis, momentum_axis, xy, start)


@dataclass(frozen=True)
class MomentumMap:
    """The exercise's momentum descent over a grid of (lr, momentum): :func:`momentum_map`.

    Arrays have shape ``(len(lrs), len(momenta))``: row ``i`` is ``lrs[i]``, column ``j``
    is ``momenta[j]``.

    Attributes
    ----------
    lrs, momenta : numpy.ndarray
        The grid axes, increasing.
    steps : int
        Steps taken from ``start``.
    tol : float
        The tolerance of ``steps_to_tol``.
    bound : float
        A run diverged once :math:`\\max(|x|, |y|)` exceeded it (or became NaN).
    start : (float, float)
        The start point.
    weight_decay : float
        Decoupled weight decay of every run.
    x, y : numpy.ndarray
        End points, float32 values as the runs computed them.
    final_value : numpy.ndarray
        :math:`f` at the end point; ``inf`` where the run diverged.
    steps_to_tol : numpy.ndarray
        The first step count ``k`` (0 to ``steps``) from which :math:`f \\le` ``tol`` holds
        at every step up to the last: arrived and stayed. -1 where the run ends above
        ``tol`` (or diverged).
    diverged : numpy.ndarray
        Boolean; True where the run left the bound at some step.
    outcome : numpy.ndarray
        What each run does by its last step, :meth:`Trajectory.outcome` with its
        defaults (the last 50 steps, or all when fewer; :math:`f \\le 10^{-6}` counts as
        arrived) and this map's ``bound``: ``"settles"``, ``"cycles"``, ``"diverges"``
        or ``"descends"``.
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
    weight_decay=weight_decay, start=start)``, to the bit; the cells are stepped together.

    Parameters
    ----------
    lrs : sequence of float
        Step sizes, positive and strictly increasing.
    momenta : sequence of float
        Momentum coefficients (the exercise's beta) in [0, 1), strictly increasing.
    steps : int, default=500
        Steps per run (the exercise's demo takes 500).
    tol : float, default=1e-2
        The value that counts as arrived, for ``steps_to_tol``.
    bound : float, default=100.0
        A run diverged once ``|x|`` or ``|y|`` exceeds it (f is above 1e8 there), or a
        coordinate is NaN.
    start : (float, float), default=(-1.0, 2.0)
        The exercise's start point.
    weight_decay : float, default=0.0
        Decoupled weight decay, as in :func:`~optimlab.optim_step`.

    Returns
    -------
    MomentumMap

    Raises
    ------
    ValueError
        If an argument is out of range or an axis is not strictly increasing.
    TypeError
        If an axis is not a sequence of numbers.

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
    base = _config("momentum", lr_axis[0], momentum_axis[0], weight_decay)
    configs = [base.replace(lr=lr, beta1=m) for lr in lr_axis for m in momentum_axis]

    xy, values = _run_many(configs, steps, start)
    shape = (len(lr_axis), len(momentum_axis))
    above = ~(values <= tol)  # NaN counts as above
    last_above = np.where(above.any(axis=1), steps - np.argmax(above[:, ::-1], axis=1), -1)
    # NaN fails the comparison, so it counts as out of bounds.
    diverged = ~(np.abs(xy[:, 1:]) <= bound).all(axis=(1, 2))
    final = values[:, -1].astype(np.float64)
    outcome = _outcomes(xy, values, tol=1e-6, window=min(50, steps), bound=bound)
    return MomentumMap(
        lrs=np.array(lr_axis),
        momenta=np.array(momentum_axis),
        steps=steps,
        tol=tol,
        bound=bound,
        start=start,
        weight_decay=base.weight_decay,
        x=xy[:, -1, 0].astype(np.float64).reshape(shape),
        y=xy[:, -1, 1].astype(np.float64).reshape(shape),
        final_value=np.where(diverged, np.inf, final).reshape(shape),
        steps_to_tol=np.where(diverged | (last_above >= steps), -1, last_above + 1).reshape(shape),
        diverged=diverged.reshape(shape),
        outcome=outcome.reshape(shape),
    )
