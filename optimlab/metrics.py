"""Numbers the lessons judge curves by: the mean-predictor yardstick, a curve's climb, and
the median over seeds of the runs that did not diverge."""

from __future__ import annotations

import numpy as np

from ._validation import Split, check_split

__all__ = ["baseline_rmse", "climb", "median_finite", "quantiles_finite"]


def baseline_rmse(data: Split) -> float:
    """Validation RMSE of predicting the training mean for every row: what a useless model scores.

    Parameters
    ----------
    data : ((X_train, Y_train), (X_valid, Y_valid))
        As :func:`~optimlab.exercise_data` returns.

    Returns
    -------
    float

    Examples
    --------
    >>> from optimlab import baseline_rmse, exercise_data
    >>> round(baseline_rmse(exercise_data()), 3)
    0.303
    """
    (_, Y_train), (_, Y_valid) = check_split(data)
    return (Y_valid - Y_train.mean()).square().mean().sqrt().item()


def climb(curves: np.ndarray) -> np.ndarray:
    """How far curves go back up: the sum of their rises along the last axis.

    A curve that only falls has climb 0, a noisy one a large climb. Slice the curves to
    measure part of training: ``climb(runs[..., 5:])`` for epochs 6 onwards.

    Parameters
    ----------
    curves : array_like
        One curve, or curves stacked along leading axes (such as ``SweepResult.runs``).

    Returns
    -------
    numpy.ndarray
        The leading shape of ``curves`` (0-d for one curve); NaN where a curve holds NaN.

    Examples
    --------
    >>> from optimlab import climb
    >>> float(climb([1.0, 0.5, 0.8, 0.6, 0.9]))  # rises of 0.3 and 0.3
    0.6000000000000001
    >>> climb([[3.0, 2.0, 1.0], [1.0, 2.0, 1.0]]).tolist()
    [0.0, 1.0]
    """
    return np.clip(np.diff(np.asarray(curves, dtype=float), axis=-1), 0, None).sum(axis=-1)


def median_finite(runs: np.ndarray) -> np.ndarray:
    """Median over axis 1 of the finite entries; NaN where none is finite.

    Examples
    --------
    >>> import numpy as np
    >>> from optimlab.metrics import median_finite
    >>> median_finite(np.array([[[1.0], [np.inf], [3.0]]])).tolist()
    [[2.0]]
    """
    finite = np.where(np.isfinite(runs), runs, np.nan)
    out = np.full((runs.shape[0], *runs.shape[2:]), np.nan)
    has = np.isfinite(runs).any(axis=1)
    if has.any():
        with np.errstate(all="ignore"):
            out[has] = np.nanmedian(np.moveaxis(finite, 1, -1)[has], axis=-1)
    return out


def quantiles_finite(runs: np.ndarray, quantiles: tuple[float, float]) -> np.ndarray:
    """Per-epoch ``quantiles`` over the finite runs of ``(runs, epochs)``; NaN where none.

    Examples
    --------
    >>> import numpy as np
    >>> from optimlab.metrics import quantiles_finite
    >>> quantiles_finite(np.array([[1.0, np.nan], [3.0, np.inf]]), (0.0, 1.0)).tolist()
    [[1.0, nan], [3.0, nan]]
    """
    out = np.full((2, runs.shape[1]), np.nan)
    for epoch, column in enumerate(runs.T):
        finite = column[np.isfinite(column)]
        if finite.size:
            out[:, epoch] = np.quantile(finite, quantiles)
    return out
