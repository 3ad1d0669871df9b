"""train_valid against a plain loop, its callback and bad inputs; the training config."""

import numpy as np
import pytest
import torch
from conftest import reference_mlp
from torch import nn

from optimlab import TrainingConfig, exercise_data, make_mlp, train_valid
from optimlab.config import DEFAULTS
from optimlab.model import init_seed


def test_shuffled_reference_loop_follows_randperm():
    data = exercise_data()
    (X_train, Y_train), (X_valid, Y_valid) = data
    model = reference_mlp()
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
    curve = train_valid(make_mlp(), data, epochs=2, batch_size=100, shuffle_seed=7)
    np.testing.assert_array_equal(curve, expected)


def test_train_valid_callback_sees_every_epoch_after_validation():
    data = exercise_data()
    seen = []

    def record(epoch, model):
        with torch.no_grad():
            rmse = nn.functional.mse_loss(model(data[1][0]), data[1][1]).sqrt().item()
        seen.append((epoch, rmse))

    curve = train_valid(make_mlp(), data, TrainingConfig(epochs=3, batch_size=64), callback=record)
    assert [epoch for epoch, _ in seen] == [1, 2, 3]
    np.testing.assert_array_equal([rmse for _, rmse in seen], curve)


def test_config_and_keyword_settings_are_the_same_run():
    data = exercise_data()
    config = TrainingConfig(epochs=2, batch_size=128, lr=0.05, beta2=0.99)
    by_config = train_valid(make_mlp(), data, config)
    by_keywords = train_valid(make_mlp(), data, epochs=2, batch_size=128, lr=0.05, beta2=0.99)
    np.testing.assert_array_equal(by_config, by_keywords)


def test_defaults_are_the_exercise_settings():
    # Written out here on purpose: the independent statement of what the library must hold.
    assert DEFAULTS.as_dict() == {
        "epochs": 30,
        "batch_size": 16,
        "lr": 0.01,
        "weight_decay": 0.01,
        "beta1": 0.9,
        "beta2": 0.999,
        "eps": None,  # each optimizer's own default
        "optimizer": "adamw",
        "lr_schedule": "constant",  # no scheduler
        "optimizer_options": {},
    }
    assert DEFAULTS.optimizer_kwargs()["eps"] == 1e-8  # torch.optim.AdamW's
    assert init_seed(0) == 123 and init_seed(9) == 132


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"betas": (0.9,)}, TypeError, r"unknown training settings \['betas'\]; allowed: epochs"),
        ({"epochs": 2.0}, TypeError, r"epochs must be a positive integer, got 2\.0 of type float"),
        ({"lr": -1}, ValueError, r"lr must be a positive finite number, got -1"),
        ({"beta1": 1.0}, ValueError, r"beta1 must be a number in \[0, 1\), got 1\.0"),
        ({"eps": 0}, ValueError, r"eps must be a positive finite number, got 0"),
        ({"weight_decay": "0"}, TypeError, r"weight_decay must be a non-negative finite number"),
        ({"shuffle_seed": -1}, ValueError, r"shuffle_seed must be a non-negative integer, got -1"),
        ({"callback": 3}, TypeError, r"callback must be callable, got 3"),
        (
            {"config": {"lr": 0.1}},
            TypeError,
            r"config must be a TrainingConfig, got \{'lr': 0\.1\}",
        ),
        ({"model": "mlp"}, TypeError, r"model must be a torch\.nn\.Module, got 'mlp'"),
        ({"data": "data"}, TypeError, r"data must be \(\(X_train, Y_train\)"),
    ],
)
def test_bad_input_fails_before_training(kwargs, error, match, monkeypatch):
    def no_training(*args, **kwargs):
        raise AssertionError("training started before the input was checked")

    monkeypatch.setattr(torch.optim, "AdamW", no_training)
    arguments = {"model": make_mlp(), "data": exercise_data(), **kwargs}
    with pytest.raises(error, match=match):
        train_valid(**arguments)


def test_epoch_seconds_fits_the_default_mlp_to_the_data():
    from optimlab.training import epoch_seconds

    X, y = torch.randn(20, 7), torch.randn(20)
    assert epoch_seconds(DEFAULTS, ((X, y), (X, y)), repeats=1) > 0


def test_config_is_frozen_and_checked():
    config = TrainingConfig()
    with pytest.raises(AttributeError):
        config.lr = 1.0
    assert config.replace(lr=1).lr == 1.0 and isinstance(config.replace(lr=1).lr, float)
    with pytest.raises(TypeError, match=r"batch_size must be a positive integer, got 16\.0"):
        TrainingConfig(batch_size=16.0)
    with pytest.raises(TypeError, match=r"unknown training settings \['momentum'\]"):
        config.replace(momentum=0.9)
