"""What optimlab warns of and raises beyond ``TypeError`` and ``ValueError`` (bad input,
before any work): one family under :class:`OptimlabException`."""

from __future__ import annotations

import numpy as np

__all__ = [
    "DivergenceWarning",
    "EngineFallbackWarning",
    "OptimlabException",
    "OptimlabWarning",
    "WorkerLostError",
]


class OptimlabException(Exception):
    """The base of every warning and error that optimlab defines.

    Examples
    --------
    >>> import optimlab
    >>> issubclass(optimlab.WorkerLostError, optimlab.OptimlabException)
    True
    >>> issubclass(optimlab.DivergenceWarning, optimlab.OptimlabException)
    True
    """


class OptimlabWarning(OptimlabException, UserWarning):
    """The base of optimlab's warnings: filter them all with this class.

    Examples
    --------
    >>> import warnings
    >>> import optimlab
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", optimlab.OptimlabWarning)
    ...     result = optimlab.compare_configs(epochs=1, lr=[1e6], n_jobs=1)
    >>> result.diverged.tolist()
    [True]
    """


class DivergenceWarning(OptimlabWarning, RuntimeWarning):
    """A configuration's validation metric (RMSE or log loss) became infinite or NaN."""


class EngineFallbackWarning(OptimlabWarning, RuntimeWarning):
    """The sweep engine trained some runs with the reference loop instead; says why."""


class WorkerLostError(OptimlabException, RuntimeError):
    """A worker stopped before it finished its runs; the other runs' curves are kept.

    Raised by :func:`~optimlab.compare_configs` and :func:`~optimlab.compare_sweeps` when
    a worker process dies mid-sweep (killed, out of memory, a cluster's machine gone).

    Attributes
    ----------
    finished : dict of int to numpy.ndarray
        The curve of every run that finished, by its index among the runs.
    lost : list of int
        The indices of the runs without a curve, in order.

    Examples
    --------
    Keep what finished and train the rest again, here in this process:

    >>> from optimlab import TrainingConfig, WorkerLostError
    >>> from optimlab.engine import RunSpec, train_runs
    >>> def train_all(specs):
    ...     try:
    ...         return train_runs(specs)
    ...     except WorkerLostError as error:
    ...         again = train_runs([specs[i] for i in error.lost], n_jobs=1)
    ...         curves = {**error.finished, **dict(zip(error.lost, again))}
    ...         return [curves[i] for i in range(len(specs))]
    >>> [curve.shape for curve in train_all([RunSpec(TrainingConfig(epochs=2))])]
    [(2,)]
    """

    def __init__(self, message: str, finished: dict[int, np.ndarray], lost: list[int]):
        super().__init__(message)
        self.finished = finished
        self.lost = lost
