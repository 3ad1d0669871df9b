"""Argument checks shared by the public API, the leaf of the package.

Each check returns the value normalised (an ``int``, a ``float``) or raises before any
work starts: ``TypeError`` when the value has the wrong type, ``ValueError`` when it has
the right type but breaks the rule. Every message names the argument, the value and the
rule.
"""

from __future__ import annotations

import itertools
import math
import numbers
import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch


def brief(value: object, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _integer(name: str, value: object, rule: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be {rule}, got {brief(value)} of type {type(value).__name__}"
        )
    return int(value)


def check_positive_int(name: str, value: object) -> int:
    """Return ``value`` as an ``int`` if it is an integer >= 1 (``bool`` and floats refused)."""
    rule = "a positive integer"
    number = _integer(name, value, rule)
    if number < 1:
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return number


def check_nonnegative_int(name: str, value: object) -> int:
    """Return ``value`` as an ``int`` if it is an integer >= 0 (``bool`` and floats refused)."""
    rule = "a non-negative integer"
    number = _integer(name, value, rule)
    if number < 0:
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return number


def _real(name: str, value: object, rule: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be {rule}, got {brief(value)} of type {type(value).__name__}"
        )
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


def check_bool(name: str, value: object) -> bool:
    """Return ``value`` if it is ``True`` or ``False``."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {brief(value)}")
    return value


def check_finite_point(name: str, value: object) -> tuple[float, float]:
    """Return ``value`` as ``(x, y)`` floats if it is a pair of finite real numbers."""
    rule = "a pair (x, y) of finite numbers"
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2:
        raise TypeError(f"{name} must be {rule}, got {brief(value)}")
    point = (_real(f"{name}[0]", value[0], rule), _real(f"{name}[1]", value[1], rule))
    if not all(math.isfinite(c) for c in point):
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return point


def check_grid(
    name: str, values: object, check: Callable[[str, object], float]
) -> tuple[float, ...]:
    """Return ``values`` as a tuple if it is a non-empty, strictly increasing grid.

    ``values`` is a list, tuple or 1-D array; ``check`` checks each element, named
    ``name[i]`` (``check_positive_finite`` for learning rates, ``check_beta`` for momenta).
    """
    rule = "a non-empty, strictly increasing list of numbers"
    if not isinstance(values, Sequence | np.ndarray) or isinstance(values, str):
        raise TypeError(f"{name} must be {rule}, got {brief(values)}")
    checked = tuple(check(f"{name}[{i}]", value) for i, value in enumerate(values))
    if not checked or any(b <= a for a, b in itertools.pairwise(checked)):
        raise ValueError(f"{name} must be {rule}, got {brief(values)}")
    return checked


def check_quantiles(name: str, value: object) -> tuple[float, float]:
    """Return ``value`` as ``(low, high)`` if ``0 <= low < high <= 1``."""
    rule = "two quantiles (low, high) with 0 <= low < high <= 1"
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2:
        raise TypeError(f"{name} must be {rule}, got {brief(value)}")
    low, high = (_real(f"{name}[{i}]", v, rule) for i, v in enumerate(value))
    if not 0 <= low < high <= 1:
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return low, high


def check_choice(name: str, value: object, choices: Sequence[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``."""
    if value not in choices:
        allowed = ", ".join(map(repr, choices))
        error = ValueError if isinstance(value, str) else TypeError
        raise error(f"{name} must be one of {allowed}; got {brief(value)}")
    return value


#: The environment variable that shifts every counted set of seeds (see :func:`check_seeds`).
SEED_OFFSET = "OPTIMLAB_SEED_OFFSET"


def check_seeds(name: str, seeds: object, start: int | None = None) -> tuple[int, ...]:
    """``seeds`` as a tuple of distinct non-negative seeds.

    A list is taken as it is. An int ``k`` counts ``k`` seeds from ``start``, by default
    from 0 shifted by the environment variable ``OPTIMLAB_SEED_OFFSET``: the robustness
    check of the site's claims (``nox -s claims``) sets it to rerun every page on seeds
    its claims were not written from, with the pages' code and a reader's defaults as
    they are. Unset, ``k`` means ``range(k)``.
    """
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        count = check_positive_int(name, seeds)
        first = seed_offset() if start is None else start
        return tuple(range(first, first + count))
    if not isinstance(seeds, Sequence) or isinstance(seeds, str):
        raise TypeError(
            f"{name} must be a positive integer or a list of seeds, got {brief(seeds)}"
        )
    if len(seeds) == 0:
        raise ValueError(f"{name} must hold at least one seed, got []")
    checked = tuple(check_nonnegative_int(f"{name}[{i}]", seed) for i, seed in enumerate(seeds))
    if len(set(checked)) != len(checked):
        raise ValueError(f"{name} must not repeat a seed, got {list(seeds)!r}")
    return checked


def seed_offset() -> int:
    """The shift of counted seeds that ``OPTIMLAB_SEED_OFFSET`` asks for (0 when unset)."""
    text = os.environ.get(SEED_OFFSET, "").strip()
    if not text:
        return 0
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"{SEED_OFFSET} must be a non-negative integer, got {text!r}")
    return int(text)


Split = tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


def unpack_split(data: object, rule: str) -> tuple[Any, Any, Any, Any]:
    """``X_train, Y_train, X_valid, Y_valid`` from ``((X_train, Y_train), (X_valid, Y_valid))``.

    Raises a ``TypeError`` that states ``rule`` when ``data`` has another structure.
    """
    try:
        (X_train, Y_train), (X_valid, Y_valid) = data  # type: ignore[misc]
    except (TypeError, ValueError) as error:
        raise TypeError(f"{rule}; got {type(data).__name__} {brief(data)}") from error
    return X_train, Y_train, X_valid, Y_valid  # type: ignore[has-type]


def check_data(data: object, n_features: int = 4) -> Split:
    """Check ``((X_train, Y_train), (X_valid, Y_valid))`` and return it as nested tuples."""
    shape_rule = (
        "data must be ((X_train, Y_train), (X_valid, Y_valid)) with float32 tensors "
        f"X of shape (n, {n_features}) and Y of shape (n, 1)"
    )
    X_train, Y_train, X_valid, Y_valid = unpack_split(data, shape_rule)
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
