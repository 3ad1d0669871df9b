"""Argument checks shared by the public API, the leaf of the package.

Each check returns the value normalised (an ``int``, a ``float``) or raises before any
work starts: ``TypeError`` for a wrong type, ``ValueError`` for a right type that breaks
the rule. Every message names the argument, the value and the rule.
"""

from __future__ import annotations

import inspect
import itertools
import math
import numbers
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import torch

Number = TypeVar("Number", int, float)


def brief(value: object, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _number(
    name: str, value: object, rule: str, kind: type[Number], ok: Callable[[Number], bool]
) -> Number:
    """``value`` as ``kind`` (``int`` or ``float``, never ``bool``) if it is ``ok``."""
    abstract = numbers.Integral if kind is int else numbers.Real
    if isinstance(value, bool) or not isinstance(value, abstract):
        raise TypeError(
            f"{name} must be {rule}, got {brief(value)} of type {type(value).__name__}"
        )
    number = kind(value)  # type: ignore[call-overload]
    if not ok(number):
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return number


def check_positive_int(name: str, value: object) -> int:
    """``value`` as an ``int`` >= 1."""
    return _number(name, value, "a positive integer", int, lambda n: n >= 1)


def check_nonnegative_int(name: str, value: object) -> int:
    """``value`` as an ``int`` >= 0."""
    return _number(name, value, "a non-negative integer", int, lambda n: n >= 0)


def check_positive_finite(name: str, value: object) -> float:
    """``value`` as a ``float`` in (0, inf)."""
    rule = "a positive finite number"
    return _number(name, value, rule, float, lambda x: math.isfinite(x) and x > 0)


def check_nonnegative_finite(name: str, value: object) -> float:
    """``value`` as a ``float`` in [0, inf)."""
    rule = "a non-negative finite number"
    return _number(name, value, rule, float, lambda x: math.isfinite(x) and x >= 0)


def check_beta(name: str, value: object) -> float:
    """``value`` as a ``float`` in [0, 1)."""
    return _number(name, value, "a number in [0, 1)", float, lambda x: 0 <= x < 1)


def check_bool(name: str, value: object) -> bool:
    """``value`` if it is ``True`` or ``False``."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {brief(value)}")
    return value


def _pair(
    name: str, value: object, rule: str, ok: Callable[[float, float], bool]
) -> tuple[float, float]:
    """``value`` as two floats if it is a pair of real numbers that are ``ok``."""
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2:
        raise TypeError(f"{name} must be {rule}, got {brief(value)}")
    first, second = (
        _number(f"{name}[{i}]", v, rule, float, lambda _: True) for i, v in enumerate(value)
    )
    if not ok(first, second):
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return first, second


def check_finite_point(name: str, value: object) -> tuple[float, float]:
    """``value`` as ``(x, y)`` floats if both are finite."""
    rule = "a pair (x, y) of finite numbers"
    return _pair(name, value, rule, lambda x, y: math.isfinite(x) and math.isfinite(y))


def check_quantiles(name: str, value: object) -> tuple[float, float]:
    """``value`` as ``(low, high)`` if ``0 <= low < high <= 1``."""
    rule = "two quantiles (low, high) with 0 <= low < high <= 1"
    return _pair(name, value, rule, lambda low, high: 0 <= low < high <= 1)


def check_grid(
    name: str, values: object, check: Callable[[str, object], float]
) -> tuple[float, ...]:
    """``values`` (a list, tuple or 1-D array) as a non-empty, strictly increasing tuple.

    ``check`` checks each element, named ``name[i]``.
    """
    rule = "a non-empty, strictly increasing list of numbers"
    if not isinstance(values, Sequence | np.ndarray) or isinstance(values, str):
        raise TypeError(f"{name} must be {rule}, got {brief(values)}")
    checked = tuple(check(f"{name}[{i}]", value) for i, value in enumerate(values))
    if not checked or any(b <= a for a, b in itertools.pairwise(checked)):
        raise ValueError(f"{name} must be {rule}, got {brief(values)}")
    return checked


def check_choice(name: str, value: object, choices: Sequence[Any]) -> Any:
    """``value`` if it is one of ``choices``; a ``ValueError`` for a string, else ``TypeError``."""
    if value not in choices:
        error = ValueError if isinstance(value, str) else TypeError
        raise error(f"{name} must be one of {', '.join(map(repr, choices))}; got {brief(value)}")
    return value


def check_takes_seed(name: str, function: Callable[..., Any]) -> None:
    """Raise if ``function`` cannot be called as ``function(seed)``: before, not inside, a run."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):  # some builtins have no signature: let the call decide
        return
    try:
        signature.bind(0)
    except TypeError as error:
        raise TypeError(
            f"{name} must be a function of the seed, {name}(seed); "
            f"{getattr(function, '__qualname__', brief(function))} cannot take it: {error}"
        ) from None


#: The environment variable that shifts every counted set of seeds (see :func:`check_seeds`).
SEED_OFFSET = "OPTIMLAB_SEED_OFFSET"


def check_seeds(name: str, seeds: object, start: int | None = None) -> tuple[int, ...]:
    """``seeds`` as a tuple of distinct non-negative seeds.

    A list is taken as it is; an int ``k`` counts ``k`` seeds from ``start``, by default
    from :func:`seed_offset`: the claims' robustness check (``nox -s claims``) sets
    ``OPTIMLAB_SEED_OFFSET`` to rerun every page on seeds its claims were not written from.
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

#: The losses, and the validation metric each one tracks (a result's ``metric``).
METRICS = {"mse": "valid_rmse", "cross_entropy": "valid_log_loss"}


def check_loss(loss: object) -> str:
    """``loss`` if it is ``"mse"`` or ``"cross_entropy"``."""
    return check_choice("loss", loss, tuple(METRICS))


def check_split(data: object, loss: str = "mse") -> Split:
    """Check ``((X_train, Y_train), (X_valid, Y_valid))`` for ``loss``; return it as tensors.

    The one data contract of the package, checked where data enter it. ``X`` becomes
    float32 (float32 tensors are returned as they are, the same objects); for ``"mse"``,
    ``Y`` becomes float32 of shape ``(n, outputs)`` (a 1-D ``Y`` is one output); for
    ``"cross_entropy"``, ``Y`` must hold integer class labels and becomes int64 of
    shape ``(n,)``.

    Raises
    ------
    TypeError
        If the structure or a type is wrong (labels that are not integers included).
    ValueError
        If the shapes disagree, a split has no rows, a value is NaN or infinite, or a
        label is negative.

    Examples
    --------
    >>> import numpy as np
    >>> from optimlab._validation import check_split
    >>> X, y = np.zeros((5, 3)), np.array([0, 1, 2, 1, 0])
    >>> (X_train, Y_train), _ = check_split(((X, y), (X, y)), "cross_entropy")
    >>> X_train.dtype, Y_train.dtype, tuple(Y_train.shape)
    (torch.float32, torch.int64, (5,))
    """
    loss = check_loss(loss)
    rule = "data must be ((X_train, Y_train), (X_valid, Y_valid))"
    try:
        (X_train, Y_train), (X_valid, Y_valid) = data  # type: ignore[misc]
    except (TypeError, ValueError) as error:
        raise TypeError(f"{rule}; got {type(data).__name__} {brief(data)}") from error
    split = []
    for name, X, Y in (("train", X_train, Y_train), ("valid", X_valid, Y_valid)):  # type: ignore[has-type]
        X, Y = _as_tensor(f"X_{name}", X), _as_tensor(f"Y_{name}", Y)
        if not _real(X) or X.ndim < 2:
            raise (TypeError if X.ndim >= 2 else ValueError)(
                f"{rule}; X_{name} must be real numbers of shape (n, features...), "
                f"got dtype {X.dtype} and shape {tuple(X.shape)}"
            )
        if X.shape[0] < 1:
            raise ValueError(f"{rule}; X_{name} has no rows")
        X = _finite_float32(f"X_{name}", X)
        Y = _targets(f"Y_{name}", Y, loss)
        if len(Y) != len(X):
            raise ValueError(
                f"{rule}; Y_{name} has {len(Y)} rows but X_{name} has {len(X)}: one target per row"
            )
        split.append((X, Y))
    (X_train, Y_train), (X_valid, Y_valid) = split
    if X_train.shape[1:] != X_valid.shape[1:]:
        raise ValueError(
            f"{rule}; X_train's rows have shape {tuple(X_train.shape[1:])} but X_valid's "
            f"{tuple(X_valid.shape[1:])}"
        )
    if Y_train.shape[1:] != Y_valid.shape[1:]:
        raise ValueError(
            f"{rule}; Y_train has {tuple(Y_train.shape[1:])} outputs per row but Y_valid "
            f"{tuple(Y_valid.shape[1:])}"
        )
    return (X_train, Y_train), (X_valid, Y_valid)


def _as_tensor(label: str, value: object) -> torch.Tensor:
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"data's {label} must hold numbers, got a {value.dtype} array")
        return torch.from_numpy(np.ascontiguousarray(value))
    if isinstance(value, torch.Tensor):
        return value
    raise TypeError(
        f"data's {label} must be a torch.Tensor or a numpy.ndarray, got {type(value).__name__}"
    )


def _real(T: torch.Tensor) -> bool:
    return not (T.dtype.is_complex or T.dtype == torch.bool)


def _finite_float32(label: str, T: torch.Tensor) -> torch.Tensor:
    T = T if T.dtype == torch.float32 else T.to(torch.float32)
    if not bool(torch.isfinite(T).all()):
        raise ValueError(f"data's {label} holds NaN or infinite values; remove or impute them")
    return T


def _targets(label: str, Y: torch.Tensor, loss: str) -> torch.Tensor:
    if loss == "mse":
        Y = Y.unsqueeze(1) if Y.ndim == 1 else Y
        if Y.ndim != 2 or not _real(Y):
            raise ValueError(
                f"with loss='mse', {label} must be real numbers of shape (n,) or (n, outputs), "
                f"got dtype {Y.dtype} and shape {tuple(Y.shape)}"
            )
        return _finite_float32(label, Y)
    if Y.dtype.is_floating_point or not _real(Y):
        raise TypeError(
            f"with loss='cross_entropy', {label} must hold integer class labels 0, 1, ..., "
            f"got dtype {Y.dtype} (convert with .long() or .astype(int) if they are whole)"
        )
    if Y.ndim != 1:
        raise ValueError(
            f"with loss='cross_entropy', {label} must be one label per row, shape (n,), "
            f"got shape {tuple(Y.shape)}"
        )
    Y = Y.to(torch.int64)
    if len(Y) and int(Y.min()) < 0:
        raise ValueError(f"class labels must be 0 or more, but {label} holds {int(Y.min())}")
    return Y
