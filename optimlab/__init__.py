"""optimlab: learn how optimizer settings shape neural-network training, by running them."""

from .data import exercise_data, friedman3, train_valid_split
from .model import make_mlp
from .momentum import Momentum, Trajectory, optim_step, optimize_rosenbrock
from .plotting import plot_path, plot_rosenbrock, plot_sweep, sweep_ylim
from .rosenbrock import ROSENBROCK_LEVELS, rosenbrock
from .sweep import DivergenceWarning, SweepResult, compare_configs, train_valid

__version__ = "0.1.0"

__all__ = [
    "ROSENBROCK_LEVELS",
    "DivergenceWarning",
    "Momentum",
    "SweepResult",
    "Trajectory",
    "compare_configs",
    "exercise_data",
    "friedman3",
    "make_mlp",
    "optim_step",
    "optimize_rosenbrock",
    "plot_path",
    "plot_rosenbrock",
    "plot_sweep",
    "rosenbrock",
    "sweep_ylim",
    "train_valid",
    "train_valid_split",
]
