"""compare_configs against an independent plain loop, its bad inputs, divergence, determinism."""

import math
import warnings

import numpy as np
import pytest
import torch
from conftest import reference_mlp
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import optimlab
from optimlab import DivergenceWarning, SweepResult, TrainingConfig, compare_configs, exercise_data

DEFAULTS = {"batch_size": 16, "lr": 0.01, "weight_decay": 0.01, "beta1": 0.9, "beta2": 0.999}


def plain_loop(data, epochs, batch_size, lr, weight_decay, beta1, beta2):
    """An independent reference: DataLoader + torch.optim.AdamW, true whole-set RMSE."""
    (X_train, Y_train), (X_valid, Y_valid) = data
    model = reference_mlp()
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


# Batches of 64 (11 steps an epoch) keep the plain loop quick: with large weight decay
# many weights sink into denormal floats, which slow its arithmetic several-fold.
SWEEPS = [
    ("lr", [1.0, 0.1, 0.001]),
    ("batch_size", [8, 64]),
    ("weight_decay", [0.5, 0.0]),
    ("beta1", [0.5, 0.99]),
    ("beta2", [0.99, 0.9999]),
]


@pytest.mark.parametrize(("param", "values"), SWEEPS)
def test_compare_configs_matches_plain_loop(param, values):
    data = exercise_data()
    epochs = 3
    fixed = {} if param == "batch_size" else {"batch_size": 64}
    result = compare_configs(epochs, **{param: values}, **fixed, data=data)
    assert result.param == param and result.values == tuple(values)
    assert result.valid_rmse.shape == (len(values), epochs)
    for value, curve in zip(values, result.valid_rmse, strict=True):
        expected = plain_loop(data, epochs, **{**DEFAULTS, **fixed, param: value})
        # Whole-set RMSE in float32 vs float64 accumulation: equal to float32 precision.
        np.testing.assert_allclose(curve, expected, rtol=1e-5)


def test_every_value_starts_from_the_same_weights():
    # A value's curve in a sweep equals its curve alone only if every run starts from the
    # same network, whatever its place in the sweep.
    result = compare_configs(2, lr=[0.02, 0.01], batch_size=64)
    alone = compare_configs(2, lr=[0.01], batch_size=64)
    np.testing.assert_array_equal(result.valid_rmse[1], alone.valid_rmse[0])
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
    assert result.fixed == {
        "epochs": 1,
        "batch_size": 128,
        "weight_decay": 0.02,
        "beta1": 0.9,
        "beta2": 0.999,
        "eps": None,
        "optimizer": "adamw",
        "lr_schedule": "constant",
        "optimizer_options": {},
    }
    assert result.epochs == 1
    assert [config.lr for config in result.configs] == [0.1, 0.2]


def test_divergence_warns_and_keeps_other_curves():
    with pytest.warns(DivergenceWarning, match=r"configuration lr = 1000 diverged") as record:
        result = compare_configs(2, lr=[0.01, 1000], batch_size=64)
    assert len(record) == 1
    assert result.diverged.tolist() == [False, True]
    assert not np.isfinite(result.valid_rmse[1]).any()
    finite_alone = compare_configs(2, lr=[0.01], batch_size=64)
    np.testing.assert_array_equal(result.valid_rmse[0], finite_alone.valid_rmse[0])


BAD_INPUTS = [
    (
        {},
        ValueError,
        r"exactly one of batch_size, lr, weight_decay, beta1, beta2, optimizer, lr_schedule "
        r".* none is",
    ),
    (
        {"lr": [0.1], "beta1": [0.9]},
        ValueError,
        r"exactly one of .* 2 are: lr, beta1",
    ),
    ({"lr": []}, ValueError, r"lr must hold at least one value to compare, got \[\]"),
    (
        {"lr": [0.1, 0.01, 0.1]},
        ValueError,
        r"lr must not repeat a value: lr\[2\] = 0\.1 repeats lr\[0\]; each value draws one",
    ),
    (
        {"optimizer": ["sgd", ("sgd", {"momentum": 0.9}), ("sgd", {"momentum": 0.9})]},
        ValueError,
        r"optimizer\[2\] = sgd \(momentum=0\.9\) repeats optimizer\[1\]",
    ),
    (
        {"optimizer": ["sgd", "adam", torch.optim.SGD]},
        ValueError,
        r"optimizer\[2\] = SGD repeats optimizer\[0\]",
    ),
    ({"batch_size": [16, 32, 16.0]}, TypeError, r"batch_size\[2\] must be a positive integer"),
    ({"lr": [0.1], "epochs": 16.0}, TypeError, r"epochs must be a positive integer, got 16\.0"),
    ({"lr": [0.1], "epochs": 2.5}, TypeError, r"epochs must be a positive integer, got 2\.5"),
    ({"lr": [0.1], "epochs": True}, TypeError, r"epochs must be a positive integer, got True"),
    ({"lr": [0.1], "epochs": 0}, ValueError, r"epochs must be a positive integer, got 0"),
    ({"lr": [0.1], "epochs": -1}, ValueError, r"epochs must be a positive integer, got -1"),
    ({"lr": [0.1], "epochs": [1, 2]}, TypeError, r"epochs must be a positive integer"),
    (
        {"batch_size": [16, 2.5]},
        TypeError,
        r"batch_size\[1\] must be a positive integer, got 2\.5",
    ),
    ({"batch_size": [True]}, TypeError, r"batch_size\[0\] must be a positive integer, got True"),
    ({"lr": [0.1], "batch_size": 0}, ValueError, r"batch_size must be a positive integer, got 0"),
    ({"lr": [0.1], "batch_size": 16.0}, TypeError, r"batch_size must be .*, got 16\.0"),
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
    (_data(X_train=[[0.0] * 4] * 700), TypeError, r"X_train must be a torch.Tensor or a numpy"),
    (_data(Y_valid=np.full((300, 1), "a")), TypeError, r"Y_valid must hold numbers"),
    (_data(X_train=torch.zeros(700, 3)), ValueError, r"X_train's rows have shape \(3,\) but"),
    (_data(Y_train=torch.zeros(700, 2)), ValueError, r"Y_train has \(2,\) outputs per row but"),
    (_data(Y_valid=torch.zeros(299, 1)), ValueError, r"Y_valid has 299 rows but X_valid has 300"),
]


@pytest.mark.parametrize(("data", "error", "match"), BAD_DATA)
def test_bad_data(data, error, match):
    with pytest.raises(error, match=match):
        compare_configs(1, lr=[0.1], data=data)


def test_diverged_warning_is_not_raised_for_finite_runs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compare_configs(1, lr=[0.01], batch_size=128)


def reference_runs(values, param, seeds, epochs=2, shuffle=False, data_of=None, **fixed):
    """train_valid per value and seed: the network 123 + s, the data of seed s."""
    runs = []
    for value in values:
        config = TrainingConfig(epochs=epochs, **{**DEFAULTS, **fixed, param: value})
        runs.append(
            [
                optimlab.train_valid(
                    optimlab.make_mlp(seed=123 + seed),
                    exercise_data(seed=seed) if data_of is None else data_of(seed),
                    config,
                    shuffle_seed=seed if shuffle else None,
                )
                for seed in seeds
            ]
        )
    return np.array(runs)


@pytest.mark.parametrize("shuffle", [False, True])
def test_seeds_repeat_every_value_with_its_own_data_weights_and_order(shuffle):
    result = compare_configs(2, lr=[0.01, 0.1], batch_size=64, seeds=3, shuffle=shuffle)
    assert result.seeds == (0, 1, 2)
    assert result.runs.shape == (2, 3, 2)
    expected = reference_runs([0.01, 0.1], "lr", (0, 1, 2), shuffle=shuffle, batch_size=64)
    np.testing.assert_allclose(result.runs, expected, rtol=1e-6)
    np.testing.assert_allclose(result.valid_rmse, np.median(expected, axis=1), rtol=1e-6)
    # Seed 0 alone is the exercise's single run.
    if not shuffle:
        single = compare_configs(2, lr=[0.01, 0.1], batch_size=64)
        np.testing.assert_array_equal(result.runs[:, 0], single.valid_rmse)


def test_seeds_with_a_data_function():
    def standardised(seed):
        (X_train, Y_train), (X_valid, Y_valid) = exercise_data(seed=seed)
        mean, std = X_train.mean(0), X_train.std(0)
        return ((X_train - mean) / std, Y_train), ((X_valid - mean) / std, Y_valid)

    result = compare_configs(2, beta1=[0.5], batch_size=128, seeds=[4, 9], data=standardised)
    expected = reference_runs([0.5], "beta1", (4, 9), data_of=standardised, batch_size=128)
    np.testing.assert_allclose(result.runs, expected, rtol=1e-6)


def test_median_over_seeds_skips_diverged_runs():
    runs = np.array(
        [[[1.0, 2.0], [3.0, np.nan], [5.0, np.inf]], [[1.0, 1.0], [2.0, 2.0], [9.0, 4.0]]]
    )
    result = SweepResult("lr", (0.1, 0.2), runs, TrainingConfig(epochs=2), seeds=(0, 1, 2))
    # Epoch 1: medians of (1, 3, 5) and (1, 2, 9); epoch 2: of the finite (2,) and (1, 2, 4).
    np.testing.assert_array_equal(result.valid_rmse, [[3.0, 2.0], [2.0, 2.0]])
    assert result.diverged.tolist() == [True, False]
    all_bad = SweepResult("lr", (0.1,), np.full((1, 2, 1), np.nan), TrainingConfig(epochs=1),
                          seeds=(0, 1))  # fmt: skip
    assert np.isnan(all_bad.valid_rmse).all()


def test_result_is_immutable():
    runs = np.ones((2, 1, 3))
    result = SweepResult("lr", [0.1, 0.2], runs, TrainingConfig(epochs=3))
    runs[0, 0, 0] = 5.0  # the caller's array is copied
    assert result.runs[0, 0, 0] == 1.0
    for view in (result.runs, result.valid_rmse, result.final):
        with pytest.raises(ValueError, match="read-only"):
            view[0, 0] = 2.0
    with pytest.raises(AttributeError):
        result.param = "batch_size"
    assert result.values == (0.1, 0.2)


def test_result_with_default_config_has_budgets():
    result = SweepResult("lr", (0.1,), np.ones((1, 1, 30)))
    assert result.budget("step")[0, -1] == 30 * 44  # ceil(700 / 16) steps an epoch


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"param": "momentum"}, ValueError, r"param must be one of 'batch_size', 'lr'"),
        ({"config": {"lr": 0.1}}, TypeError, r"config must be a TrainingConfig"),
        ({"seconds_per_epoch": [1.0]}, ValueError, r"seconds_per_epoch must have shape \(2,\)"),
    ],
)
def test_result_bad_input(kwargs, error, match):
    arguments = {"param": "lr", "values": (0.1, 0.2), "runs": np.ones((2, 1, 30)), **kwargs}
    with pytest.raises(error, match=match):
        SweepResult(**arguments)


def test_divergence_warning_counts_seeds():
    with pytest.warns(DivergenceWarning, match=r"lr = 1000 diverged: in 2 of 2 seeds"):
        compare_configs(1, lr=[0.01, 1000], batch_size=128, seeds=2)


def test_budgets():
    result = SweepResult(
        "batch_size", (16, 64, 700), np.ones((3, 1, 3)), TrainingConfig(epochs=3), n_train=700
    )
    np.testing.assert_array_equal(result.budget("epoch"), [[1, 2, 3]] * 3)
    # ceil(700 / 16) = 44, ceil(700 / 64) = 11, one step per epoch for the full batch.
    np.testing.assert_array_equal(result.budget("step"), [[44, 88, 132], [11, 22, 33], [1, 2, 3]])
    np.testing.assert_array_equal(result.budget("sample"), [[700, 1400, 2100]] * 3)
    with pytest.raises(ValueError, match=r"x='time' needs measured times"):
        result.budget("time")
    with pytest.raises(ValueError, match=r"x must be one of 'epoch', 'step', 'sample', 'time'"):
        result.budget("hours")
    lr_sweep = SweepResult("lr", (0.1, 0.2), np.ones((2, 1, 1)), TrainingConfig(1, 100))
    np.testing.assert_array_equal(lr_sweep.budget("step"), [[7], [7]])


def test_measured_time():
    result = compare_configs(1, batch_size=[35, 350], measure_time=True)
    seconds = result.seconds_per_epoch
    # Only what holds on any machine under any load: times are positive and finite.
    assert seconds.shape == (2,) and (seconds > 0).all() and np.isfinite(seconds).all()
    np.testing.assert_array_equal(result.budget("time"), seconds[:, None])
    assert result.plot(x="time").get_xlabel() == "Wall-clock time (s)"


def test_result_shape_is_checked():
    with pytest.raises(ValueError, match=r"runs must have shape .* = \(2, 1, 3\), got \(2, 3\)"):
        SweepResult("lr", (0.1, 0.2), np.ones((2, 3)), TrainingConfig(epochs=3))


@pytest.mark.parametrize(
    ("seeds", "error", "match"),
    [
        (0, ValueError, r"seeds must be a positive integer, got 0"),
        (-2, ValueError, r"seeds must be a positive integer, got -2"),
        ([], ValueError, r"seeds must hold at least one seed, got \[\]"),
        ("3", TypeError, r"seeds must be .*, got '3'"),
        (2.5, TypeError, r"seeds must be .*, got 2\.5"),
        ([1, -1], ValueError, r"seeds\[1\] must be a non-negative integer, got -1"),
        ([1, 1], ValueError, r"seeds must not repeat a seed, got \[1, 1\]"),
    ],
)
def test_bad_seeds(seeds, error, match):
    with pytest.raises(error, match=match):
        compare_configs(1, lr=[0.1], seeds=seeds)


def test_bad_data_function_names_the_seed():
    def broken(seed):
        return exercise_data(seed=seed) if seed == 0 else "nothing"

    with pytest.raises(TypeError, match=r"data\(1\) returned bad data: data must be"):
        compare_configs(1, lr=[0.1], seeds=2, data=broken)


def test_bad_shuffle():
    with pytest.raises(TypeError, match=r"shuffle must be True or False, got 1"):
        compare_configs(1, lr=[0.1], shuffle=1)


def test_shared_configuration_is_timed_once():
    by_lr, by_beta1 = optimlab.compare_sweeps(
        [{"epochs": 1, "lr": [0.01, 0.1]}, {"epochs": 1, "beta1": [0.5, 0.9]}],
        measure_time=True,
    )
    # The defaults (lr 0.01, beta1 0.9) are one configuration: one measurement, shared.
    assert by_lr.seconds_per_epoch[0] == by_beta1.seconds_per_epoch[1]
