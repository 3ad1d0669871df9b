"""The torch.func fast path: close to the reference loop, to a measured and stated tolerance.

Measured on this machine (torch 2.13.0, CPU, one torch thread): the largest absolute
difference between the fast path's curves and train_valid's was

* tanh MLP 4-32-32-1 on the standardised exercise data, 30 epochs, batch 16, AdamW,
  two seeds: 4.2e-7 in validation RMSE (curves about 0.12) at lr 0.001, 0.003 and 0.01;
  at lr 0.03, 1.9e-7 over the first 10 epochs, then growing to 0.017 by epoch 30: that
  training is noisy, and it amplifies the last-bit differences as it would any
  perturbation (the two seeds' final RMSEs differ by 0.02);
* a 1-D CNN (Conv1d over the four inputs), 5 epochs: 3.0e-8;
* cross-entropy, a tanh classifier on three classes, 10 epochs: 1.2e-7 in log loss and
  identical accuracies.

The fast path is not bitwise: vmap's batched kernels add up products in another order.
The tests hold it to TOLERANCE, 1e-5, where training is not chaotic.
"""

import numpy as np
import pytest
import torch
from torch import nn

from optimlab import (
    EngineFallbackWarning,
    TrainingConfig,
    compare_configs,
    exercise_data,
    train_valid,
)
from optimlab.engine import RunSpec, train_runs, training_path
from optimlab.training import learning_curves

#: The largest absolute difference the tests allow between the fast path and the reference.
TOLERANCE = 1e-5


def tanh_mlp(seed):
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(4, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1)
    )


def small_cnn(seed):
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Unflatten(1, (1, 4)),  # the four inputs as a 1-channel sequence
        nn.Conv1d(1, 8, kernel_size=2),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(24, 1),
    )


def test_tanh_mlp_sweep_is_close_to_the_reference_loop():
    data = exercise_data(standardize=True)
    lrs = [0.001, 0.003, 0.01]
    result = compare_configs(lr=lrs, model=tanh_mlp, data=data, seeds=2, n_jobs=2)
    assert set(np.ravel(result.provenance.trained_by)) == {"func"}
    worst = 0.0
    for i, lr in enumerate(lrs):
        for j, seed in enumerate(result.seeds):
            want = train_valid(tanh_mlp(123 + seed), data, lr=lr)
            worst = max(worst, float(np.abs(result.runs[i, j] - want).max()))
    assert 0 <= worst < TOLERANCE


def test_noisy_training_agrees_before_it_amplifies_rounding():
    data = exercise_data(standardize=True)
    (curve,) = train_runs([RunSpec(TrainingConfig(epochs=10, lr=0.03), data=data, model=tanh_mlp)])
    want = train_valid(tanh_mlp(123), data, epochs=10, lr=0.03)
    np.testing.assert_allclose(curve, want, atol=TOLERANCE, rtol=0)


def test_cnn_is_close_to_the_reference_loop():
    data = exercise_data(standardize=True)
    specs = [
        RunSpec(TrainingConfig(epochs=5, lr=lr), data=data, model=small_cnn)
        for lr in (0.003, 0.03)
    ]
    assert training_path(specs[0]) == "func"
    got = train_runs(specs, n_jobs=1)
    for spec, curve in zip(specs, got, strict=True):
        want = train_valid(small_cnn(spec.seed), data, spec.config)
        np.testing.assert_allclose(curve, want, rtol=0, atol=TOLERANCE)


def three_classes():
    (X_train, Y_train), (X_valid, Y_valid) = exercise_data(standardize=True)
    edges = torch.quantile(Y_train[:, 0], torch.tensor([1 / 3, 2 / 3]))
    label = lambda Y: torch.bucketize(Y[:, 0], edges)  # noqa: E731
    return (X_train, label(Y_train)), (X_valid, label(Y_valid))


def tanh_classifier(seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3))


def test_cross_entropy_is_close_to_the_reference_loop():
    data = three_classes()
    result = compare_configs(
        epochs=10,
        lr=[0.003, 0.03],
        model=tanh_classifier,
        data=data,
        loss="cross_entropy",
        n_jobs=1,
    )
    assert result.metric == "valid_log_loss"
    for i, lr in enumerate((0.003, 0.03)):
        want = learning_curves(tanh_classifier(123), data, epochs=10, lr=lr, loss="cross_entropy")
        np.testing.assert_allclose(
            result.runs[i, 0], want["valid_log_loss"], atol=TOLERANCE, rtol=0
        )
        # An accuracy is a count of rows over 300: equal unless a score is a near tie.
        np.testing.assert_allclose(result.accuracy[i, 0], want["valid_accuracy"], atol=1 / 300)


@pytest.mark.parametrize(
    "settings",
    [
        {"optimizer": "sgd", "optimizer_options": {"momentum": 0.9}},
        {"optimizer": "adam"},
        {"optimizer": "rmsprop"},
    ],
    ids=["sgd-momentum", "adam", "rmsprop"],
)
def test_other_optimizers_take_the_same_step(settings):
    data = exercise_data(standardize=True)
    config = TrainingConfig(epochs=3, lr=0.003, **settings)
    (curve,) = train_runs([RunSpec(config, data=data, model=tanh_mlp)], n_jobs=1)
    want = train_valid(tanh_mlp(123), data, config)
    np.testing.assert_allclose(curve, want, atol=TOLERANCE, rtol=0)


def test_an_optimizer_sweep_shares_one_loop():
    data = exercise_data(standardize=True)
    optimizers = ["adamw", ("sgd", {"momentum": 0.9}), "rmsprop", "adam"]
    result = compare_configs(
        epochs=3, lr=0.003, optimizer=optimizers, model=tanh_mlp, data=data, n_jobs=1
    )
    assert {t for row in result.provenance.trained_by for t in row} == {"func"}
    for config, runs in zip(result.configs, result.runs, strict=True):
        want = train_valid(tanh_mlp(123), data, config)
        np.testing.assert_allclose(runs[0], want, atol=TOLERANCE, rtol=0)


def test_shuffled_runs_follow_the_reference_order():
    data = exercise_data(standardize=True)
    spec = RunSpec(TrainingConfig(epochs=3), data=data, model=tanh_mlp, shuffle_seed=5)
    (curve,) = train_runs([spec], n_jobs=1)
    want = train_valid(tanh_mlp(123), data, epochs=3, shuffle_seed=5)
    np.testing.assert_allclose(curve, want, atol=TOLERANCE, rtol=0)


@pytest.mark.parametrize(
    "layer", [lambda: nn.BatchNorm1d(8), lambda: nn.Dropout(0.2)], ids=["batchnorm", "dropout"]
)
def test_models_vmap_cannot_run_fall_back_to_the_reference_loop(layer):
    def model(seed):
        torch.manual_seed(seed)
        return nn.Sequential(nn.Linear(4, 8), layer(), nn.Tanh(), nn.Linear(8, 1))

    data = exercise_data(standardize=True)
    spec = RunSpec(TrainingConfig(epochs=2), data=data, model=model)
    with pytest.warns(EngineFallbackWarning, match="reference loop"):
        (curve,) = train_runs([spec], n_jobs=1)
    np.testing.assert_array_equal(curve, train_valid(model(123), data, epochs=2))
