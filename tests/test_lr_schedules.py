"""Learning-rate schedules: torch's schedulers, the engine bitwise under them, bad input.

The oracle is a plain loop written here with ``torch.optim`` and
``torch.optim.lr_scheduler`` directly (not optimlab's own loop), stepping the
scheduler after every optimizer step.
"""

import math

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler
from torch.utils.data import DataLoader, TensorDataset

from optimlab import Momentum, TrainingConfig, compare_configs, exercise_data, make_mlp
from optimlab.engine import RunSpec, train_runs
from optimlab.lr_schedules import LR_SCHEDULES, lr_values

DATA = exercise_data(0, standardize=True)
BASE = TrainingConfig(epochs=3, batch_size=64)

#: Schedule -> how the test builds it by hand for a run of ``T`` steps.
BY_HAND = {
    "constant": lambda opt, T: None,
    "step": lambda opt, T: lr_scheduler.StepLR(opt, step_size=math.ceil(T / 3), gamma=0.1),
    "cosine": lambda opt, T: lr_scheduler.CosineAnnealingLR(opt, T_max=T),
    "warmup": lambda opt, T: lr_scheduler.LinearLR(opt, start_factor=0.01, total_iters=T // 10),
    "onecycle": lambda opt, T: lr_scheduler.OneCycleLR(
        opt, max_lr=opt.param_groups[0]["lr"], total_steps=T, cycle_momentum=False
    ),
}

#: Optimizer -> (torch class, its arguments from a config).
OPTIMIZERS = {
    "adamw": lambda c: (torch.optim.AdamW, {"betas": c.betas, "weight_decay": c.weight_decay}),
    "adam": lambda c: (torch.optim.Adam, {"betas": c.betas, "weight_decay": c.weight_decay}),
    "sgd": lambda c: (torch.optim.SGD, {"momentum": 0.9, "weight_decay": c.weight_decay}),
    "rmsprop": lambda c: (torch.optim.RMSprop, {"weight_decay": c.weight_decay}),
    "adagrad": lambda c: (torch.optim.Adagrad, {"weight_decay": c.weight_decay}),
    "momentum": lambda c: (Momentum, {"beta": c.beta1, "weight_decay": c.weight_decay}),
}


def plain_loop(config: TrainingConfig, seed: int, schedule: str) -> np.ndarray:
    """Validation RMSE per epoch: the exercise's loop with a scheduler, written out."""
    (X, Y), (X_valid, Y_valid) = DATA
    net = make_mlp(seed=seed)
    cls, kwargs = OPTIMIZERS[config.optimizer](config)
    optimizer = cls(net.parameters(), lr=config.lr, **kwargs)
    loader = DataLoader(TensorDataset(X, Y), batch_size=config.batch_size)
    scheduler = BY_HAND[schedule](optimizer, config.epochs * len(loader))
    rmse = []
    for _ in range(config.epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            torch.nn.functional.mse_loss(net(xb), yb).backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
        with torch.no_grad():
            rmse.append(torch.nn.functional.mse_loss(net(X_valid), Y_valid).sqrt().item())
    return np.array(rmse)


def config_for(optimizer: str, schedule: str, **settings) -> TrainingConfig:
    options = {"momentum": 0.9} if optimizer == "sgd" else {}
    lr = 0.05 if optimizer in ("sgd", "momentum") else 0.02
    return BASE.replace(
        optimizer=optimizer, optimizer_options=options, lr=lr, lr_schedule=schedule, **settings
    )


@pytest.fixture(scope="module")
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_engine_follows_each_schedule_bit_for_bit(optimizer, one_thread):
    # Every schedule in one group, with two seeds and another weight decay: the
    # engine's per-step, per-run coefficients, against the loop written by hand.
    configs = [config_for(optimizer, name) for name in LR_SCHEDULES]
    configs.append(config_for(optimizer, "onecycle", weight_decay=0.2))
    specs = [RunSpec(c, seed=123 + s, data=DATA) for c in configs for s in (0, 1)]
    curves = train_runs(specs, n_jobs=1)
    for spec, curve in zip(specs, curves, strict=True):
        want = plain_loop(spec.config, spec.seed, spec.config.lr_schedule)
        np.testing.assert_array_equal(curve, want, err_msg=str(spec.config))


def test_schedules_change_the_curves():
    # Not a schedule that does nothing: each gives its own curve.
    specs = [RunSpec(config_for("adamw", name), data=DATA) for name in LR_SCHEDULES]
    finals = [curve[-1] for curve in train_runs(specs, n_jobs=1)]
    assert len(set(finals)) == len(LR_SCHEDULES)


def test_lr_values_follow_the_stated_formulas():
    T = 100
    config = TrainingConfig(lr=0.1)
    assert lr_values(config, T) == (0.1,) * T
    assert config.replace(lr_schedule="cosine").lr_values(T) == lr_values(
        config.replace(lr_schedule="cosine"), T
    )
    with pytest.raises(ValueError, match="steps must be"):
        config.lr_values(0)
    step = lr_values(config.replace(lr_schedule="step"), T)
    np.testing.assert_allclose(step[:34], 0.1)
    np.testing.assert_allclose(step[34:68], 0.01)
    np.testing.assert_allclose(step[68:], 0.001)
    cosine = lr_values(config.replace(lr_schedule="cosine"), T)
    t = np.arange(T)
    np.testing.assert_allclose(cosine, 0.05 * (1 + np.cos(np.pi * t / T)), rtol=1e-9, atol=1e-15)
    warmup = lr_values(config.replace(lr_schedule="warmup"), T)
    np.testing.assert_allclose(warmup[:11], 0.1 * (0.01 + 0.99 * np.arange(11) / 10))
    np.testing.assert_allclose(warmup[10:], 0.1)
    cycle = np.array(lr_values(config.replace(lr_schedule="onecycle"), T))
    assert cycle[0] == pytest.approx(0.1 / 25)
    assert cycle.max() == pytest.approx(0.1) and int(cycle.argmax()) == 29  # 30 % of 100
    assert cycle[-1] == pytest.approx(0.1 / 25 / 1e4)


def test_onecycle_leaves_beta1_alone():
    # OneCycleLR would cycle Adam's beta1 unless told not to: optimlab tells it not to.
    net = make_mlp()
    config = TrainingConfig(lr_schedule="onecycle", beta1=0.7)
    from optimlab.lr_schedules import make_scheduler
    from optimlab.optimizers import make_optimizer

    optimizer = make_optimizer(config, net.parameters())
    scheduler = make_scheduler(config, optimizer, 10)
    for _ in range(5):
        optimizer.step()
        scheduler.step()
    assert optimizer.param_groups[0]["betas"] == (0.7, 0.999)


def test_a_sweep_compares_schedules(one_thread):
    names = ["constant", "cosine", "onecycle"]
    result = compare_configs(epochs=2, lr_schedule=names, lr=0.05, data=DATA, seeds=2)
    assert result.labels == [f"lr_schedule = {name}" for name in names]
    for i, name in enumerate(names):
        for s in (0, 1):
            want = plain_loop(TrainingConfig(epochs=2, lr=0.05), 123 + s, name)
            np.testing.assert_array_equal(result.runs[i, s], want)


@pytest.mark.parametrize(
    ("value", "error", "words"),
    [
        ("cosin", ValueError, "lr_schedule must be one of 'constant', 'step'"),
        (None, TypeError, "lr_schedule must be one of"),
        (3, TypeError, "got 3"),
    ],
)
def test_bad_schedules_are_named(value, error, words):
    with pytest.raises(error, match=words):
        TrainingConfig(lr_schedule=value)
    with pytest.raises(error, match=words):
        compare_configs(epochs=1, lr=[0.1, 0.2], lr_schedule=value)
