"""optimlab: learn how optimizer settings shape neural-network training, by running them.

The names below are what a reader uses. The rest lives in the submodules: the sweep engine
(:mod:`optimlab.engine`), every figure (:mod:`optimlab.plotting`), the weight-decay points
(:mod:`optimlab.weight_decay`), the Rosenbrock landscape (:mod:`optimlab.landscape`), the
optimizers compared (:mod:`optimlab.tuning`, :mod:`optimlab.lr_range`, :mod:`optimlab.race`).
"""

from ._version import __version__ as __version__
from .claims import Claims
from .config import TrainingConfig
from .data import exercise_data, friedman3, standardize
from .landscape import rosenbrock
from .lr_range import lr_range_test
from .metrics import baseline_rmse, climb
from .model import dead_units, make_mlp
from .momentum import Momentum, Trajectory, optim_step, optimize_rosenbrock
from .momentum_grid import MomentumMap, momentum_map
from .plotting import plot_path, plot_rosenbrock
from .race import race_rosenbrock
from .results import SweepResult
from .sweep import DivergenceWarning, compare_configs, compare_sweeps
from .training import train_valid
from .tuning import compare_optimizers
from .weight_decay import adamw_rosenbrock

__all__ = [
    "Claims",
    "DivergenceWarning",
    "Momentum",
    "MomentumMap",
    "SweepResult",
    "TrainingConfig",
    "Trajectory",
    "adamw_rosenbrock",
    "baseline_rmse",
    "climb",
    "compare_configs",
    "compare_optimizers",
    "compare_sweeps",
    "dead_units",
    "exercise_data",
    "friedman3",
    "lr_range_test",
    "make_mlp",
    "momentum_map",
    "optim_step",
    "optimize_rosenbrock",
    "plot_path",
    "plot_rosenbrock",
    "race_rosenbrock",
    "rosenbrock",
    "standardize",
    "train_valid",
]
