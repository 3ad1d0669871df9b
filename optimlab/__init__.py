"""optimlab: learn how optimizer settings shape neural-network training, by running them."""

from .data import exercise_data, friedman3, train_valid_split
from .engine import EngineFallbackWarning, RunSpec, train_runs
from .metrics import baseline_rmse, climb
from .model import dead_units, make_mlp
from .momentum import Momentum, Trajectory, optim_step, optimize_rosenbrock
from .momentum_map import MomentumMap, momentum_map, plot_momentum_map
from .plotting import plot_path, plot_rosenbrock, plot_sweep, sweep_ylim
from .rosenbrock import ROSENBROCK_LEVELS, rosenbrock
from .sweep import DivergenceWarning, SweepResult, compare_configs, compare_sweeps, train_valid
from .weight_decay import (
    DecayPoint,
    adamw_limit_point,
    adamw_rosenbrock,
    l2_minimiser,
    momentum_fixed_point,
    plot_decay_points,
)

__version__ = "0.1.0"

__all__ = [
    "ROSENBROCK_LEVELS",
    "DecayPoint",
    "DivergenceWarning",
    "EngineFallbackWarning",
    "Momentum",
    "MomentumMap",
    "RunSpec",
    "SweepResult",
    "Trajectory",
    "adamw_limit_point",
    "adamw_rosenbrock",
    "baseline_rmse",
    "climb",
    "compare_configs",
    "compare_sweeps",
    "dead_units",
    "exercise_data",
    "friedman3",
    "l2_minimiser",
    "make_mlp",
    "momentum_fixed_point",
    "momentum_map",
    "optim_step",
    "optimize_rosenbrock",
    "plot_decay_points",
    "plot_momentum_map",
    "plot_path",
    "plot_rosenbrock",
    "plot_sweep",
    "rosenbrock",
    "sweep_ylim",
    "train_runs",
    "train_valid",
    "train_valid_split",
]
