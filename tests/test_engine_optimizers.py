"""The sweep engine with every optimizer it covers, against the plain loop: bitwise, run for run.

The oracle is :func:`optimlab.train_valid` driving the torch optimizer on one torch
thread. Each group holds several runs with different learning rates, weight decays and
options, so that the engine's per-run coefficients are exercised, not only the
all-equal fast path; each run is also trained alone (a group of one). Small problems:
three epochs, batch size 64 (a partial last batch), on raw inputs (where SGD diverges:
inf and NaN must match too) and on standardised ones.
"""

import warnings

import numpy as np
import pytest
import torch

from optimlab import TrainingConfig, exercise_data, make_mlp, train_valid
from optimlab.engine import RunSpec, train_runs

BASE = TrainingConfig(epochs=3, batch_size=64)
STANDARDIZED = exercise_data(0, standardize=True)

#: Variant -> the settings of the runs of one group (same code path, other coefficients).
VARIANTS = {
    "adamw": [{}, {"lr": 0.05, "weight_decay": 0.3, "beta1": 0.5, "beta2": 0.99}],
    "adamw amsgrad": [
        {"optimizer_options": {"amsgrad": True}},
        {"lr": 0.03, "weight_decay": 0.2, "beta2": 0.9, "optimizer_options": {"amsgrad": True}},
    ],
    "adam": [
        {"optimizer": "adam"},
        {"optimizer": "adam", "lr": 0.05, "weight_decay": 0.3, "beta1": 0.5, "beta2": 0.99},
        {"optimizer": "adam", "lr": 0.002, "weight_decay": 1e-4},
    ],
    "adam no decay": [
        {"optimizer": "adam", "weight_decay": 0.0},
        {"optimizer": "adam", "weight_decay": 0.0, "lr": 0.03},
    ],
    "sgd": [
        {"optimizer": "sgd"},
        {"optimizer": "sgd", "lr": 0.001, "weight_decay": 0.2},
        {"optimizer": "sgd", "lr": 0.03, "weight_decay": 0.05},
    ],
    "sgd no decay": [
        {"optimizer": "sgd", "weight_decay": 0.0},
        {"optimizer": "sgd", "weight_decay": 0.0, "lr": 0.002},
    ],
    "sgd momentum": [
        {"optimizer": "sgd", "optimizer_options": {"momentum": 0.9}},
        {"optimizer": "sgd", "lr": 0.002, "optimizer_options": {"momentum": 0.5}},
        {
            "optimizer": "sgd",
            "weight_decay": 0.1,
            "optimizer_options": {"momentum": 0.7, "dampening": 0.3},
        },
    ],
    "sgd nesterov": [
        {"optimizer": "sgd", "optimizer_options": {"momentum": 0.9, "nesterov": True}},
        {
            "optimizer": "sgd",
            "lr": 0.003,
            "weight_decay": 0.1,
            "optimizer_options": {"momentum": 0.6, "nesterov": True},
        },
    ],
    "rmsprop": [
        {"optimizer": "rmsprop"},
        {"optimizer": "rmsprop", "lr": 0.001, "weight_decay": 0.1},
        {"optimizer": "rmsprop", "optimizer_options": {"alpha": 0.9}},
    ],
    "rmsprop momentum": [
        {"optimizer": "rmsprop", "optimizer_options": {"momentum": 0.9}},
        {"optimizer": "rmsprop", "lr": 0.001, "optimizer_options": {"momentum": 0.5}},
    ],
    "rmsprop centered": [
        {"optimizer": "rmsprop", "optimizer_options": {"centered": True}},
        {
            "optimizer": "rmsprop",
            "lr": 0.002,
            "optimizer_options": {"centered": True, "alpha": 0.8},
        },
    ],
    "rmsprop centered momentum": [
        {"optimizer": "rmsprop", "optimizer_options": {"centered": True, "momentum": 0.9}},
        {
            "optimizer": "rmsprop",
            "lr": 0.001,
            "weight_decay": 0.2,
            "optimizer_options": {"centered": True, "momentum": 0.5, "alpha": 0.9},
        },
    ],
    "adagrad": [
        {"optimizer": "adagrad"},
        {"optimizer": "adagrad", "lr": 0.1, "weight_decay": 0.1},
        {
            "optimizer": "adagrad",
            "lr": 0.05,
            "optimizer_options": {"lr_decay": 0.01, "initial_accumulator_value": 0.1},
        },
    ],
    "momentum": [
        {"optimizer": "momentum"},
        {"optimizer": "momentum", "lr": 0.003, "beta1": 0.5, "weight_decay": 0.0},
        {"optimizer": "momentum", "lr": 0.02, "beta1": 0.95, "weight_decay": 0.2},
    ],
}


_REFERENCES: dict[RunSpec, np.ndarray] = {}


def reference(spec: RunSpec) -> np.ndarray:
    """The plain loop's curve on one torch thread (computed once per spec)."""
    if spec not in _REFERENCES:
        _REFERENCES[spec] = _train(spec)
    return _REFERENCES[spec].copy()


def _train(spec: RunSpec) -> np.ndarray:
    data = exercise_data(seed=spec.data_seed) if spec.data is None else spec.data
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return train_valid(
            make_mlp(seed=spec.seed, n_hidden=spec.n_hidden),
            data,
            spec.config,
            shuffle_seed=spec.shuffle_seed,
        )
    finally:
        torch.set_num_threads(threads)


def specs_of(variant: str, data) -> list[RunSpec]:
    return [
        RunSpec(
            BASE.replace(**settings),
            seed=123 + i,
            shuffle_seed=i if i % 2 else None,
            data=data,
        )
        for i, settings in enumerate(VARIANTS[variant])
    ]


@pytest.mark.parametrize("standardized", [True, False], ids=["standardized", "raw"])
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_engine_is_bitwise_the_plain_loop(variant, standardized):
    specs = specs_of(variant, STANDARDIZED if standardized else None)
    want = [reference(spec) for spec in specs]
    together = train_runs(specs, n_jobs=1)
    alone = [train_runs([spec], n_jobs=1)[0] for spec in specs]
    for spec, expected, got, single in zip(specs, want, together, alone, strict=True):
        assert np.array_equal(got, expected, equal_nan=True), (spec.config, got, expected)
        assert np.array_equal(single, expected, equal_nan=True), (spec.config, single, expected)
    if standardized:  # the comparison is about numbers, not only inf and NaN
        assert all(np.isfinite(curve).all() for curve in want)


def test_mixed_optimizers_share_one_loop():
    """Every variant in one train_runs call: one loop (same shapes), one step per path."""
    specs = [spec for variant in VARIANTS for spec in specs_of(variant, STANDARDIZED)]
    curves = train_runs(specs, n_jobs=1)
    for spec, curve in zip(specs, curves, strict=True):
        assert np.array_equal(curve, reference(spec), equal_nan=True), spec.config


class ScaledSGD(torch.optim.SGD):
    """A user's optimizer: not one the engine knows."""


@pytest.mark.parametrize(
    "config",
    [
        BASE.replace(optimizer=ScaledSGD, lr=0.02),
        BASE.replace(optimizer="sgd", optimizer_options={"foreach": True}),
        BASE.replace(optimizer="adam", optimizer_options={"maximize": True}),
    ],
    ids=["user class", "foreach", "maximize"],
)
def test_other_optimizers_train_in_the_reference_loop_without_warning(config):
    specs = [RunSpec(config, data=STANDARDIZED), RunSpec(config, seed=7, data=STANDARDIZED)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        curves = train_runs(specs, n_jobs=1)
    for spec, curve in zip(specs, curves, strict=True):
        assert np.array_equal(curve, reference(spec), equal_nan=True)
