"""Choosing the optimizer: the settings it gets, sweeps over it, and clear errors for bad input.

Every bad input is refused by a ``TypeError`` or ``ValueError`` that names the
optimizer or option, before any training starts (the engine is replaced by a function
that fails if called).
"""

import re

import numpy as np
import pytest
import torch
from torch import nn

import optimlab
import optimlab.sweep
from optimlab import Momentum, TrainingConfig, compare_configs, compare_sweeps, exercise_data
from optimlab.optimizers import OPTIMIZERS, make_optimizer

STANDARDIZED = exercise_data(0, standardize=True)


@pytest.fixture
def no_training(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("training started before the input was checked")

    monkeypatch.setattr(optimlab.sweep, "train_runs", refuse)


@pytest.mark.parametrize(
    ("name", "cls", "expected"),
    [
        ("adamw", torch.optim.AdamW, {"lr": 0.01, "weight_decay": 0.01, "betas": (0.9, 0.999)}),
        ("adam", torch.optim.Adam, {"lr": 0.01, "weight_decay": 0.01, "betas": (0.9, 0.999)}),
        ("sgd", torch.optim.SGD, {"lr": 0.01, "weight_decay": 0.01, "momentum": 0}),
        ("rmsprop", torch.optim.RMSprop, {"lr": 0.01, "weight_decay": 0.01, "eps": 1e-8}),
        ("adagrad", torch.optim.Adagrad, {"lr": 0.01, "weight_decay": 0.01, "eps": 1e-10}),
        ("momentum", Momentum, {"lr": 0.01, "weight_decay": 0.01, "beta": 0.9}),
    ],
)
def test_each_name_makes_its_optimizer_with_the_config_settings(name, cls, expected):
    assert OPTIMIZERS[name] is cls
    optimizer = make_optimizer(
        TrainingConfig(optimizer=name), [torch.zeros(2, requires_grad=True)]
    )
    assert type(optimizer) is cls
    for key, value in expected.items():
        assert optimizer.defaults[key] == value, key


def test_betas_go_to_adam_and_beta1_to_momentum():
    w = [torch.zeros(1, requires_grad=True)]
    adam = make_optimizer(TrainingConfig(optimizer="adam", beta1=0.5, beta2=0.9), w)
    assert adam.defaults["betas"] == (0.5, 0.9)
    momentum = make_optimizer(TrainingConfig(optimizer="momentum", beta1=0.5), w)
    assert momentum.defaults["beta"] == 0.5


def test_options_reach_the_optimizer_and_stay_hashable():
    config = TrainingConfig(optimizer="sgd", optimizer_options={"nesterov": True, "momentum": 0.9})
    assert config.optimizer_options == (("momentum", 0.9), ("nesterov", True))
    assert config.options == {"momentum": 0.9, "nesterov": True}
    assert hash(config) == hash(TrainingConfig(optimizer="sgd", optimizer_options=config.options))
    sgd = make_optimizer(config, [torch.zeros(1, requires_grad=True)])
    assert sgd.defaults["momentum"] == 0.9 and sgd.defaults["nesterov"] is True


def test_a_known_class_is_its_name_and_a_pair_sets_the_options():
    assert TrainingConfig(optimizer=torch.optim.SGD).optimizer == "sgd"
    config = TrainingConfig(optimizer=("rmsprop", {"alpha": 0.9}))
    assert (config.optimizer, config.options) == ("rmsprop", {"alpha": 0.9})


def test_train_valid_with_sgd_is_a_hand_written_sgd_loop():
    """The reference loop with optimizer="sgd" against torch.optim.SGD driven by hand."""
    config = TrainingConfig(epochs=2, batch_size=100, lr=0.05, weight_decay=0.1,
                            optimizer="sgd", optimizer_options={"momentum": 0.9})  # fmt: skip
    got = optimlab.train_valid(optimlab.make_mlp(), STANDARDIZED, config)

    (X, Y), (X_valid, Y_valid) = STANDARDIZED
    model = optimlab.make_mlp()
    sgd = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=0.1)
    expected = []
    for _ in range(2):
        for start in range(0, len(X), 100):
            sgd.zero_grad()
            nn.functional.mse_loss(
                model(X[start : start + 100]), Y[start : start + 100]
            ).backward()
            sgd.step()
        with torch.no_grad():
            expected.append(nn.functional.mse_loss(model(X_valid), Y_valid).sqrt().item())
    np.testing.assert_array_equal(got, expected)


def test_compare_configs_sweeps_the_optimizer():
    result = compare_configs(
        epochs=2,
        batch_size=64,
        optimizer=["adamw", "sgd", ("sgd", {"momentum": 0.9, "nesterov": True})],
        data=STANDARDIZED,
    )
    assert result.param == "optimizer"
    assert result.labels == [
        "optimizer = adamw",
        "optimizer = sgd",
        "optimizer = sgd (momentum=0.9, nesterov=True)",
    ]
    assert result.optimizers == [
        ("adamw", {}),
        ("sgd", {}),
        ("sgd", {"momentum": 0.9, "nesterov": True}),
    ]
    for config, curve in zip(result.configs, result.valid_rmse, strict=True):
        np.testing.assert_array_equal(
            curve, optimlab.train_valid(optimlab.make_mlp(), STANDARDIZED, config)
        )


def test_fixed_options_apply_to_every_plain_entry_and_other_sweeps():
    by_optimizer, by_lr = compare_sweeps(
        [
            {
                "epochs": 1,
                "optimizer": ["sgd", ("sgd", {"momentum": 0.5})],
                "optimizer_options": {"momentum": 0.9},
            },
            {
                "epochs": 1,
                "lr": [0.01, 0.001],
                "optimizer": "rmsprop",
                "optimizer_options": {"alpha": 0.9},
            },
        ],
        data=STANDARDIZED,
    )
    assert by_optimizer.optimizers == [("sgd", {"momentum": 0.9}), ("sgd", {"momentum": 0.5})]
    assert by_lr.optimizers == [("rmsprop", {"alpha": 0.9})] * 2
    assert by_lr.labels == ["lr = 0.01", "lr = 0.001"]


def test_a_user_class_is_trained_and_labelled_by_its_name():
    class MySGD(torch.optim.SGD):
        pass

    result = compare_configs(epochs=1, optimizer=["sgd", MySGD], data=STANDARDIZED)
    assert result.labels == ["optimizer = sgd", "optimizer = MySGD"]
    # The same arithmetic, one by the engine, the other by the reference loop.
    np.testing.assert_array_equal(result.valid_rmse[0], result.valid_rmse[1])


class NoDecay(torch.optim.Optimizer):
    def __init__(self, params, lr=0.1):
        super().__init__(params, {"lr": lr})


class NoRate(torch.optim.Optimizer):
    def __init__(self, params, step=0.1):
        super().__init__(params, {"step": step})


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"optimizer": "adamax"}, ValueError, "optimizer must be one of 'adamw'.*got 'adamax'"),
        ({"optimizer": nn.Linear}, TypeError, "got the class Linear, not an optimizer"),
        ({"optimizer": 3}, TypeError, "got 3 of type int"),
        ({"optimizer": [["sgd"]]}, TypeError, r"optimizer\[0\] must be one of"),
        ({"optimizer": ["sgd", "foo"]}, ValueError, r"optimizer\[1\] must be one of.*'foo'"),
        ({"optimizer": "sgd", "beta1": 0.5}, ValueError, "optimizer 'sgd' has no beta1"),
        ({"optimizer": "rmsprop", "beta2": [0.9, 0.99]}, ValueError, "'rmsprop' has no beta2"),
        ({"optimizer": ["adam", "adagrad"], "beta1": 0.5}, ValueError, "'adagrad' has no beta1"),
        (
            {"optimizer": "sgd", "optimizer_options": {"alpha": 0.9}},
            TypeError,
            "optimizer 'sgd' has no option 'alpha'; its options are: momentum, dampening",
        ),
        (
            {"optimizer": ["sgd", "adam"], "optimizer_options": {"momentum": 0.9}},
            TypeError,
            "'adam' has no option 'momentum'",
        ),
        (
            {"optimizer": "sgd", "optimizer_options": {"lr": 0.1}},
            TypeError,
            "must not set 'lr'",
        ),
        (
            {"optimizer": ["sgd", "adam"], "optimizer_options": {"lr": 0.1}},
            TypeError,
            r"^optimizer_options must not set 'lr': for optimizer\[0\] 'sgd' it comes from",
        ),
        (
            {"optimizer": "adam", "optimizer_options": {"betas": (0.5, 0.9)}},
            TypeError,
            "must not set 'betas'",
        ),
        (
            {"optimizer": "sgd", "optimizer_options": {"momentum": -1}},
            ValueError,
            "optimizer 'sgd' refused its settings.*Invalid momentum value",
        ),
        (
            {"optimizer": "sgd", "optimizer_options": {"nesterov": True}},
            ValueError,
            "Nesterov momentum requires a momentum",
        ),
        ({"optimizer_options": "amsgrad"}, TypeError, "must be a dict"),
        ({"optimizer_options": {"amsgrad": [True]}}, TypeError, "must be hashable"),
        ({"optimizer": NoDecay}, ValueError, "'NoDecay' has no weight_decay"),
        ({"optimizer": NoRate}, TypeError, "'NoRate' must take a learning rate lr"),
    ],
)
def test_bad_optimizer_input_is_refused_before_training(no_training, kwargs, error, message):
    if not any(isinstance(value, list) for value in kwargs.values()):
        kwargs = {"lr": [0.1, 0.01], **kwargs}
    with pytest.raises(error, match=message):
        compare_configs(**kwargs)


def test_optimizer_list_is_the_one_swept_setting(no_training):
    with pytest.raises(ValueError, match=r"exactly one of .*optimizer.*2 are: lr, optimizer"):
        compare_configs(lr=[0.1, 0.01], optimizer=["sgd", "adam"])
    with pytest.raises(ValueError, match=re.escape("optimizer must hold at least one value")):
        compare_configs(optimizer=[])


def test_compare_sweeps_refuses_a_bad_optimizer_with_the_sweep_index(no_training):
    with pytest.raises(ValueError, match=r"sweeps\[1\]: optimizer\[0\] 'sgd' has no beta1"):
        compare_sweeps([{"lr": [0.1]}, {"optimizer": ["sgd"], "beta1": 0.5}])
    with pytest.raises(TypeError, match=r"sweeps\[0\]: optimizer_options must be a dict"):
        compare_sweeps([{"lr": [0.1], "optimizer_options": 3}])


def _adagrad_plain_loop(epochs: int) -> np.ndarray:
    """The exercise's loop, written out, with torch.optim.Adagrad made as torch documents it."""
    (X, Y), (X_valid, Y_valid) = exercise_data()
    net = optimlab.make_mlp(seed=123)
    optimizer = torch.optim.Adagrad(net.parameters(), lr=0.01, weight_decay=0.01)
    curve = []
    for _ in range(epochs):
        for start in range(0, len(X), 16):
            optimizer.zero_grad()
            batch = slice(start, start + 16)
            torch.nn.functional.mse_loss(net(X[batch]), Y[batch]).backward()
            optimizer.step()
        with torch.no_grad():
            curve.append(torch.nn.functional.mse_loss(net(X_valid), Y_valid).sqrt().item())
    return np.array(curve)


def test_eps_is_each_optimizers_own_torch_default():
    """Adagrad's eps is torch's 1e-10, not Adam's 1e-8: the curves are a plain loop's."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        expected = _adagrad_plain_loop(epochs=4)
    finally:
        torch.set_num_threads(threads)
    result = compare_configs(epochs=4, optimizer=["adagrad"], n_jobs=1)
    np.testing.assert_allclose(result.runs[0, 0], expected, rtol=0, atol=1e-7)
    adam_eps = TrainingConfig(epochs=4, optimizer="adagrad", eps=1e-8)
    other = optimlab.train_valid(optimlab.make_mlp(seed=123), exercise_data(), adam_eps)
    assert np.abs(other - expected).max() > 1e-6  # the test tells the two apart
    assert TrainingConfig(optimizer="adagrad").optimizer_kwargs()["eps"] == 1e-10
    assert TrainingConfig(optimizer="adam", eps=1e-6).optimizer_kwargs()["eps"] == 1e-6
    with pytest.raises(ValueError, match=r"'sgd' has no eps setting: eps must be None"):
        TrainingConfig(optimizer="sgd", eps=1e-6)
