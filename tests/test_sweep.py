"""compare_configs against an independent plain loop, its bad inputs, divergence, determinism."""

import math
import warnings

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from optimlab import DivergenceWarning, compare_configs, exercise_data, train_valid

DEFAULTS = {"batch_size": 16, "lr": 0.01, "weight_decay": 0.01, "beta1": 0.9, "beta2": 0.999}


def plain_loop(data, epochs, batch_size, lr, weight_decay, beta1, beta2):
    """An independent reference: DataLoader + torch.optim.AdamW, true whole-set RMSE."""
    (X_train, Y_train), (X_valid, Y_valid) = data
    torch.manual_seed(123)
    model = nn.Sequential(
        nn.Linear(4, 50), nn.ReLU(), nn.Linear(50, 50), nn.ReLU(), nn.Linear(50, 1)
    )
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=lr, betas=(beta1, beta2), weight_decay=weight_decay, eps=1e-8
    )
    loader = DataLoader(TensorDataset(X_train, Y_train), batch_size=batch_size)
    curve = []
    for _ in range(epochs):
        for X, Y in loader:
            optimizer.zero_grad()
            nn.functional.mse_loss(model(X), Y).backward()
            optimizer.step()
        with torch.no_grad():
            residual = model(X_valid) - Y_valid
            curve.append(math.sqrt(float((residual**2).mean())))
    return np.array(curve)


SWEEPS = [
    ("lr", [1.0, 0.1, 0.001]),
    ("batch_size", [4, 64]),
    ("weight_decay", [0.5, 0.0]),
    ("beta1", [0.5, 0.99]),
    ("beta2", [0.99, 0.9999]),
]


@pytest.mark.parametrize(("param", "values"), SWEEPS)
def test_compare_configs_matches_plain_loop(param, values):
    data = exercise_data()
    epochs = 3
    result = compare_configs(epochs, **{param: values}, data=data)
    assert result.param == param and result.values == tuple(values)
    assert result.valid_rmse.shape == (len(values), epochs)
    for value, curve in zip(values, result.valid_rmse, strict=True):
        expected = plain_loop(data, epochs, **{**DEFAULTS, param: value})
        # Whole-set RMSE in float32 vs float64 accumulation: equal to float32 precision.
        np.testing.assert_allclose(curve, expected, rtol=1e-5)


def test_every_value_starts_from_the_same_weights():
    # Equal values give equal curves only if each run starts from the same network.
    result = compare_configs(2, lr=[0.01, 0.02, 0.01], batch_size=64)
    np.testing.assert_array_equal(result.valid_rmse[0], result.valid_rmse[2])
    assert not np.array_equal(result.valid_rmse[0], result.valid_rmse[1])


def test_default_data_is_the_exercise_data():
    a = compare_configs(2, lr=[0.05], batch_size=64)
    b = compare_configs(2, lr=[0.05], batch_size=64, data=exercise_data())
    np.testing.assert_array_equal(a.valid_rmse, b.valid_rmse)


def test_determinism():
    a = compare_configs(2, beta1=[0.5, 0.9], batch_size=32)
    b = compare_configs(2, beta1=[0.5, 0.9], batch_size=32)
    np.testing.assert_array_equal(a.valid_rmse, b.valid_rmse)


def test_result_labels_and_fixed():
    result = compare_configs(1, lr=(0.1, 0.2), weight_decay=0.02, batch_size=128)
    assert result.labels == ["lr = 0.1", "lr = 0.2"]
    assert result.fixed == {"batch_size": 128, "weight_decay": 0.02, "beta1": 0.9, "beta2": 0.999}
    assert result.epochs == 1


def test_shuffled_reference_loop_follows_randperm():
    data = exercise_data()
    (X_train, Y_train), (X_valid, Y_valid) = data
    torch.manual_seed(123)
    model = nn.Sequential(
        nn.Linear(4, 50), nn.ReLU(), nn.Linear(50, 50), nn.ReLU(), nn.Linear(50, 1)
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.01, weight_decay=0.01)
    generator = torch.Generator().manual_seed(7)
    expected = []
    for _ in range(2):
        order = torch.randperm(700, generator=generator)
        for start in range(0, 700, 100):
            rows = order[start : start + 100]
            optimizer.zero_grad()
            nn.functional.mse_loss(model(X_train[rows]), Y_train[rows]).backward()
            optimizer.step()
        with torch.no_grad():
            expected.append(nn.functional.mse_loss(model(X_valid), Y_valid).sqrt().item())
    from optimlab import make_mlp

    curve = train_valid(
        make_mlp(),
        data,
        epochs=2,
        batch_size=100,
        lr=0.01,
        betas=(0.9, 0.999),
        weight_decay=0.01,
        shuffle_seed=7,
    )
    np.testing.assert_array_equal(curve, expected)


def test_divergence_warns_and_keeps_other_curves():
    with pytest.warns(DivergenceWarning, match=r"configuration lr = 1000 diverged") as record:
        result = compare_configs(2, lr=[0.01, 1000], batch_size=64)
    assert len(record) == 1
    assert result.diverged.tolist() == [False, True]
    assert not np.isfinite(result.valid_rmse[1]).any()
    finite_alone = compare_configs(2, lr=[0.01], batch_size=64)
    np.testing.assert_array_equal(result.valid_rmse[0], finite_alone.valid_rmse[0])


BAD_INPUTS = [
    ({}, ValueError, r"exactly one of batch_size, lr, weight_decay, beta1, beta2 .* none is"),
    (
        {"lr": [0.1], "beta1": [0.9]},
        ValueError,
        r"exactly one of .* 2 are: lr, beta1",
    ),
    ({"lr": []}, ValueError, r"lr must hold at least one value to compare, got \[\]"),
    ({"lr": [0.1], "epochs": 16.0}, ValueError, r"epochs must be a positive integer, got 16\.0"),
    ({"lr": [0.1], "epochs": 2.5}, ValueError, r"epochs must be a positive integer, got 2\.5"),
    ({"lr": [0.1], "epochs": True}, ValueError, r"epochs must be a positive integer, got True"),
    ({"lr": [0.1], "epochs": 0}, ValueError, r"epochs must be a positive integer, got 0"),
    ({"lr": [0.1], "epochs": -1}, ValueError, r"epochs must be a positive integer, got -1"),
    ({"lr": [0.1], "epochs": [1, 2]}, ValueError, r"epochs must be a positive integer"),
    (
        {"batch_size": [16, 2.5]},
        ValueError,
        r"batch_size\[1\] must be a positive integer, got 2\.5",
    ),
    ({"batch_size": [True]}, ValueError, r"batch_size\[0\] must be a positive integer, got True"),
    ({"lr": [0.1], "batch_size": 0}, ValueError, r"batch_size must be a positive integer, got 0"),
    ({"lr": [0.1], "batch_size": 16.0}, ValueError, r"batch_size must be .*, got 16\.0"),
    ({"lr": [0.1, -1]}, ValueError, r"lr\[1\] must be a positive finite number, got -1"),
    ({"lr": [0.0]}, ValueError, r"lr\[0\] must be a positive finite number, got 0\.0"),
    ({"lr": [math.inf]}, ValueError, r"lr\[0\] must be a positive finite number, got inf"),
    ({"lr": [math.nan]}, ValueError, r"lr\[0\] must be a positive finite number, got nan"),
    ({"lr": ["0.1"]}, TypeError, r"lr\[0\] must be a positive finite number, got '0\.1' of type"),
    ({"lr": [0.1], "weight_decay": -0.1}, ValueError, r"weight_decay must be a non-negative"),
    ({"weight_decay": [0.1, math.inf]}, ValueError, r"weight_decay\[1\] must be .*, got inf"),
    ({"beta1": [1.0]}, ValueError, r"beta1\[0\] must be a number in \[0, 1\), got 1\.0"),
    ({"beta1": [-0.1]}, ValueError, r"beta1\[0\] must be a number in \[0, 1\), got -0\.1"),
    ({"lr": [0.1], "beta2": 1}, ValueError, r"beta2 must be a number in \[0, 1\), got 1"),
    ({"lr": [0.1], "beta2": None}, TypeError, r"beta2 must be a number in \[0, 1\), got None"),
]


@pytest.mark.parametrize(("kwargs", "error", "match"), BAD_INPUTS)
def test_bad_input(kwargs, error, match, monkeypatch):
    # Bad input must fail before any work: loading the default data is made an error.
    import optimlab.sweep

    def no_work(*args, **kwargs):
        raise AssertionError("work started before the input was checked")

    monkeypatch.setattr(optimlab.sweep, "exercise_data", no_work)
    with pytest.raises(error, match=match):
        compare_configs(**kwargs)


def _data(**changes):
    (X_train, Y_train), (X_valid, Y_valid) = exercise_data()
    parts = {"X_train": X_train, "Y_train": Y_train, "X_valid": X_valid, "Y_valid": Y_valid}
    parts.update(changes)
    return (parts["X_train"], parts["Y_train"]), (parts["X_valid"], parts["Y_valid"])


BAD_DATA = [
    ("not data", TypeError, r"data must be \(\(X_train, Y_train\), \(X_valid, Y_valid\)\)"),
    ((1, 2, 3), TypeError, r"data must be .*; got tuple"),
    (_data(X_train=np.zeros((700, 4), np.float32)), TypeError, r"X_train is a ndarray"),
    (_data(Y_valid=torch.zeros(300, 1, dtype=torch.float64)), TypeError, r"Y_valid has dtype"),
    (_data(X_train=torch.zeros(700, 3)), ValueError, r"X_train has shape \(700, 3\)"),
    (_data(Y_train=torch.zeros(700)), ValueError, r"Y_train has shape \(700,\), expected"),
    (_data(Y_valid=torch.zeros(299, 1)), ValueError, r"Y_valid has shape \(299, 1\)"),
]


@pytest.mark.parametrize(("data", "error", "match"), BAD_DATA)
def test_bad_data(data, error, match):
    with pytest.raises(error, match=match):
        compare_configs(1, lr=[0.1], data=data)


def test_diverged_warning_is_not_raised_for_finite_runs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compare_configs(1, lr=[0.01], batch_size=128)
