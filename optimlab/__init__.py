"""optimlab: learn how optimizer settings shape neural-network training, by running them.

Every name a reader calls, reads or catches is here, and documented on the site's API
page; the submodules hold the implementation.
"""

from ._exceptions import (
    DivergenceWarning,
    EngineFallbackWarning,
    OptimlabException,
    OptimlabWarning,
    WorkerLostError,
)
from ._version import __version__ as __version__
from .claims import Claims
from .config import TrainingConfig
from .data import exercise_data, standardize
from .landscape import rosenbrock
from .lr_range import LRRangeResult, lr_range_test
from .metrics import baseline_rmse, climb
from .model import dead_units, make_mlp
from .momentum import Momentum, optim_step
from .plotting import plot_decay_points, plot_finals, plot_path, plot_rosenbrock
from .results import InputComparison, SweepResult
from .rosenbrock_runs import (
    MomentumMap,
    RosenbrockRace,
    Trajectory,
    momentum_map,
    path_grid,
    race_rosenbrock,
    rosenbrock_path,
)
from .sweep import compare_configs, compare_inputs, compare_sweeps
from .training import train_valid
from .tuning import TunedComparison, compare_optimizers
from .weight_decay import adamw_limit_point, l2_minimiser, momentum_fixed_point

# fmt: off
__all__ = [
    "Claims", "DivergenceWarning", "EngineFallbackWarning", "InputComparison", "LRRangeResult",
    "Momentum", "MomentumMap", "OptimlabException", "OptimlabWarning", "RosenbrockRace",
    "SweepResult", "TrainingConfig", "Trajectory", "TunedComparison", "WorkerLostError",
    "adamw_limit_point", "baseline_rmse", "climb", "compare_configs", "compare_inputs",
    "compare_optimizers", "compare_sweeps", "dead_units", "exercise_data", "l2_minimiser",
    "lr_range_test", "make_mlp", "momentum_fixed_point", "momentum_map", "optim_step",
    "path_grid", "plot_decay_points", "plot_finals", "plot_path", "plot_rosenbrock",
    "race_rosenbrock", "rosenbrock", "rosenbrock_path", "standardize", "train_valid",
]
# fmt: on
