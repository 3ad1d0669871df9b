"""Argument checks shared by the public API: each error names the argument, value and rule."""

from __future__ import annotations

import math
import numbers

import torch


def check_positive_int(name: str, value: object) -> int:
    """Return ``value`` as an ``int`` if it is a positive integer (``bool`` and floats refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def check_nonnegative_int(name: str, value: object) -> int:
    """Return ``value`` as an ``int`` if it is an integer >= 0 (``bool`` and floats refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


def _real(name: str, value: object, rule: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {rule}, got {value!r} of type {type(value).__name__}")
    return float(value)


def check_positive_finite(name: str, value: object) -> float:
    """Return ``value`` as a ``float`` if it is a real number in (0, inf)."""
    rule = "a positive finite number"
    number = _real(name, value, rule)
    if not (math.isfinite(number) and number > 0):
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return number


def check_nonnegative_finite(name: str, value: object) -> float:
    """Return ``value`` as a ``float`` if it is a real number in [0, inf)."""
    rule = "a non-negative finite number"
    number = _real(name, value, rule)
    if not (math.isfinite(number) and number >= 0):
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return number


def check_beta(name: str, value: object) -> float:
    """Return ``value`` as a ``float`` if it lies in [0, 1)."""
    rule = "a number in [0, 1)"
    number = _real(name, value, rule)
    if not 0 <= number < 1:
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return number


def check_finite_point(name: str, value: object) -> tuple[float, float]:
    """Return ``value`` as ``(x, y)`` floats if it is a pair of finite real numbers."""
    rule = "a pair (x, y) of finite numbers"
    try:
        x, y = value  # type: ignore[misc]
        point = (_real(name, x, rule), _real(name, y, rule))
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be {rule}, got {value!r}") from error
    if not all(math.isfinite(c) for c in point):
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return point


def check_data(
    data: object, n_features: int = 4
) -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
    """Check ``((X_train, Y_train), (X_valid, Y_valid))`` and return it as nested tuples."""
    shape_rule = (
        "data must be ((X_train, Y_train), (X_valid, Y_valid)) with float32 tensors "
        f"X of shape (n, {n_features}) and Y of shape (n, 1)"
    )
    try:
        (X_train, Y_train), (X_valid, Y_valid) = data  # type: ignore[misc]
    except (TypeError, ValueError) as error:
        raise TypeError(f"{shape_rule}; got {type(data).__name__} {_brief(data)}") from error
    for split, X, Y in (("train", X_train, Y_train), ("valid", X_valid, Y_valid)):
        for label, tensor in ((f"X_{split}", X), (f"Y_{split}", Y)):
            if not isinstance(tensor, torch.Tensor):
                raise TypeError(f"{shape_rule}; {label} is a {type(tensor).__name__}")
            if tensor.dtype != torch.float32:
                raise TypeError(f"{shape_rule}; {label} has dtype {tensor.dtype}")
        if X.ndim != 2 or X.shape[1] != n_features or X.shape[0] < 1:
            raise ValueError(f"{shape_rule}; X_{split} has shape {tuple(X.shape)}")
        if Y.shape != (X.shape[0], 1):
            raise ValueError(
                f"{shape_rule}; Y_{split} has shape {tuple(Y.shape)}, "
                f"expected ({X.shape[0]}, 1) to match X_{split}"
            )
    return (X_train, Y_train), (X_valid, Y_valid)


def _brief(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
