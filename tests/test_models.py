"""Any model, any data: plain MLPs of other shapes train bitwise in the engine; bad input is
refused before any training."""

import itertools
import time

import numpy as np
import pytest
import torch
from torch import nn

import optimlab
import optimlab.sweep
from optimlab import TrainingConfig, compare_configs, exercise_data, train_valid
from optimlab.engine import RunSpec, train_runs, training_path


def plain_mlp(widths):
    """A model function for a Linear/ReLU stack of these widths, in plain torch."""

    def build(seed):
        torch.manual_seed(seed)
        layers = []
        for fan_in, fan_out in itertools.pairwise(widths):
            layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
        return nn.Sequential(*layers[:-1])

    return build


def three_outputs(seed=0):
    """Standardised exercise inputs, three targets per row (y, y^2, -y)."""
    (X_train, Y_train), (X_valid, Y_valid) = exercise_data(seed, standardize=True)
    (X_train, Y_train), (X_valid, Y_valid) = (
        (X_train[:200], Y_train[:200]),
        (X_valid[:100], Y_valid[:100]),
    )
    stack = lambda Y: torch.cat([Y, Y**2, -Y], dim=1)  # noqa: E731
    return (X_train, stack(Y_train)), (X_valid, stack(Y_valid))


@pytest.mark.parametrize(
    ("widths", "outputs"),
    [((4, 8, 1), 1), ((4, 20, 20, 20, 3), 3), ((4, 8, 3), 3), ((4, 20, 8, 1), 1)],
    ids=["depth1-w8", "depth3-w20-3out", "depth1-w8-3out", "depth2-20-8"],
)
def test_plain_mlps_train_bitwise_in_the_engine(widths, outputs):
    data = three_outputs() if outputs == 3 else exercise_data(standardize=True)
    model = plain_mlp(widths)
    result = compare_configs(
        epochs=3, batch_size=32, lr=[0.003, 0.03], model=model, data=data, seeds=2, n_jobs=1
    )
    assert result.provenance.trained_by == (("engine", "engine"), ("engine", "engine"))
    for i, lr in enumerate((0.003, 0.03)):
        for j, seed in enumerate(result.seeds):
            config = TrainingConfig(epochs=3, batch_size=32, lr=lr)
            want = train_valid(model(123 + seed), data, config)
            np.testing.assert_array_equal(result.runs[i, j], want)


def slow_seeded_model(seed):
    """Seed torch's global generator, pause, then draw: any Python code in that pause lets
    other threads run, so without a lock around model building a race is sure. Defined at
    module level: the engine sends only picklable model functions to an executor."""
    torch.manual_seed(seed)
    time.sleep(0.005)
    return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))


def test_model_functions_that_seed_torch_themselves_are_safe_in_a_thread_pool():
    # A model function that seeds torch's global generator, then draws: a thread pool
    # running several sweeps must not let two such builds interleave.
    from concurrent.futures import ThreadPoolExecutor

    model, data = slow_seeded_model, exercise_data(standardize=True)
    sweeps = [{"epochs": 1, "lr": [0.01 * k, 0.02 * k]} for k in range(1, 5)]
    with ThreadPoolExecutor(4) as pool:
        results = optimlab.compare_sweeps(sweeps, model=model, data=data, seeds=3, executor=pool)
    for sweep, result in zip(sweeps, results, strict=True):
        for i, lr in enumerate(sweep["lr"]):
            for j, seed in enumerate(result.seeds):
                want = train_valid(model(123 + seed), data, epochs=1, lr=lr)
                np.testing.assert_array_equal(result.runs[i, j], want)


def test_engine_loads_the_initial_weights_of_the_model_function():
    # Two functions with the same structure, different weights: different curves, each
    # the reference loop's.
    data = exercise_data(standardize=True)
    first, second = plain_mlp((4, 8, 1)), plain_mlp((4, 8, 1))
    shifted = lambda seed: first(seed + 1000)  # noqa: E731
    specs = [
        RunSpec(TrainingConfig(epochs=2), data=data, model=first),
        RunSpec(TrainingConfig(epochs=2), data=data, model=shifted),
        RunSpec(TrainingConfig(epochs=2), data=data, model=second),
    ]
    got = train_runs(specs, n_jobs=1)
    assert not np.array_equal(got[0], got[1])
    np.testing.assert_array_equal(got[1], train_valid(first(1123), data, epochs=2))
    np.testing.assert_array_equal(got[0], got[2])


def test_numpy_data_train_like_the_reference_loop_on_them():
    (X_train, Y_train), (X_valid, Y_valid) = exercise_data(1)
    arrays = ((X_train.numpy(), Y_train.numpy()[:, 0]), (X_valid.numpy(), Y_valid.numpy()))
    result = compare_configs(epochs=2, lr=[0.01, 0.1], data=arrays, n_jobs=1)
    assert result.metric == "valid_rmse"
    want = train_valid(optimlab.make_mlp(), arrays, epochs=2, lr=0.1)
    np.testing.assert_array_equal(result.runs[1, 0], want)


def test_the_default_mlp_takes_the_data_width():
    (X_train, Y_train), (X_valid, Y_valid) = exercise_data(standardize=True)
    wide = (torch.cat([X_train, X_train], 1), Y_train), (torch.cat([X_valid, X_valid], 1), Y_valid)
    result = compare_configs(epochs=2, lr=[0.01, 0.02], data=wide, n_jobs=1)
    want = train_valid(optimlab.make_mlp(n_features=8), wide, epochs=2, lr=0.02)
    np.testing.assert_array_equal(result.runs[1, 0], want)


# Bad input: a clear error before any training.


@pytest.fixture
def no_training(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("training started despite bad input")

    monkeypatch.setattr(optimlab.sweep, "train_runs", refuse)


def small(n=20, features=4, outputs=1):
    g = torch.Generator().manual_seed(0)
    X, Y = torch.randn(n, features, generator=g), torch.randn(n, outputs, generator=g)
    return (X, Y), (X[:10].clone(), Y[:10].clone())


def labels(n=20, features=4, classes=3):
    g = torch.Generator().manual_seed(0)
    X = torch.randn(n, features, generator=g)
    y = torch.randint(0, classes, (n,), generator=g)
    return (X, y), (X[:10].clone(), y[:10].clone())


def linear(features, outputs):
    def build(seed):
        torch.manual_seed(seed)
        return nn.Linear(features, outputs)

    return build


def test_model_function_must_return_a_module(no_training):
    with pytest.raises(TypeError, match=r"model\(123\) must return a torch.nn.Module"):
        compare_configs(lr=[0.1, 0.2], model=lambda seed: "not a net", data=small())


def test_model_must_be_a_function_not_a_module(no_training):
    with pytest.raises(TypeError, match=r"model must be a function seed -> torch\.nn\.Module"):
        compare_configs(lr=[0.1, 0.2], model=nn.Linear(4, 1), data=small())
    with pytest.raises(TypeError, match="model must be a function"):
        compare_configs(lr=[0.1, 0.2], model=3, data=small())


def test_model_and_data_functions_must_take_the_seed(no_training):
    def two_seeds(seed, other):
        return linear(4, 1)(seed)

    model_rule = r"model must be a function of the seed, model\(seed\); .*two_seeds cannot"
    with pytest.raises(TypeError, match=model_rule + " take it: missing a required argument"):
        compare_configs(lr=[0.1, 0.2], model=two_seeds, data=small())
    data_rule = r"data must be a function of the seed, data\(seed\); .*<lambda> cannot take it"
    with pytest.raises(TypeError, match=data_rule + ": too many positional arguments"):
        compare_configs(lr=[0.1, 0.2], model=linear(4, 1), data=lambda: small())


def test_an_error_inside_a_data_function_is_its_own(no_training):
    def data(seed):
        raise ValueError("my data are missing")

    with pytest.raises(ValueError, match=r"^my data are missing$"):  # not "returned bad data"
        compare_configs(lr=[0.1, 0.2], model=linear(4, 1), data=data)


def test_rows_of_x_and_y_must_agree(no_training):
    (X, Y), valid = small()
    with pytest.raises(ValueError, match="Y_train has 19 rows but X_train has 20"):
        compare_configs(lr=[0.1, 0.2], model=linear(4, 1), data=((X, Y[:-1]), valid))


def test_train_and_valid_features_must_agree(no_training):
    (X, Y), (Xv, Yv) = small()
    with pytest.raises(ValueError, match=r"X_train's rows have shape \(4,\) but X_valid's \(3,\)"):
        compare_configs(lr=[0.1, 0.2], model=linear(4, 1), data=((X, Y), (Xv[:, :3], Yv)))


def test_model_output_must_fit_the_targets(no_training):
    with pytest.raises(ValueError, match=r"outputs shape \(2, 2\) for 2 rows.*expected \(2, 1\)"):
        compare_configs(lr=[0.1, 0.2], model=linear(4, 2), data=small())
    with pytest.raises(ValueError, match=r"model\(123\) fails on two rows of X_train"):
        compare_configs(lr=[0.1, 0.2], model=linear(5, 1), data=small())


@pytest.mark.parametrize("where", ["X", "Y"])
def test_nan_in_the_data_is_refused(no_training, where):
    (X, Y), valid = small()
    (X if where == "X" else Y)[3, 0] = float("nan")
    with pytest.raises(ValueError, match=f"{where}_train holds NaN or infinite values"):
        compare_configs(lr=[0.1, 0.2], model=linear(4, 1), data=((X, Y), valid))


def test_class_labels_must_be_in_range(no_training):
    (X, y), (Xv, yv) = labels(classes=3)
    yv = yv.clone()
    yv[0] = 3
    with pytest.raises(ValueError, match=r"class label 3 is out of range.*3 class scores.*0\.\.2"):
        compare_configs(
            lr=[0.1, 0.2], model=linear(4, 3), data=((X, y), (Xv, yv)), loss="cross_entropy"
        )
    y = y.clone()
    y[0] = -1
    with pytest.raises(ValueError, match="class labels must be 0 or more"):
        compare_configs(
            lr=[0.1, 0.2], model=linear(4, 3), data=((X, y), (Xv, yv)), loss="cross_entropy"
        )


def test_labels_must_be_integers_with_cross_entropy(no_training):
    (X, y), (Xv, yv) = labels()
    with pytest.raises(TypeError, match=r"must hold integer class labels.*float32"):
        compare_configs(
            lr=[0.1, 0.2],
            model=linear(4, 3),
            data=((X, y.float()), (Xv, yv)),
            loss="cross_entropy",
        )
    with pytest.raises(TypeError, match=r"must hold integer class labels.*float64"):
        compare_configs(
            lr=[0.1, 0.2],
            model=linear(4, 3),
            data=((X.numpy(), y.numpy() + 0.5), (Xv.numpy(), yv.numpy())),
            loss="cross_entropy",
        )


def test_classifier_must_output_class_scores(no_training):
    with pytest.raises(ValueError, match=r"one score per class, shape \(rows, n_classes\)"):
        compare_configs(
            lr=[0.1, 0.2],
            model=lambda seed: nn.Sequential(nn.Linear(4, 3), nn.Flatten(0)),
            data=labels(),
            loss="cross_entropy",
        )


def test_unknown_loss_and_cross_entropy_without_data(no_training):
    with pytest.raises(ValueError, match="loss must be one of 'mse', 'cross_entropy'"):
        compare_configs(lr=[0.1, 0.2], loss="hinge")
    with pytest.raises(ValueError, match="needs your own data"):
        compare_configs(lr=[0.1, 0.2], loss="cross_entropy")


def test_bad_data_from_a_data_function_names_the_seed(no_training):
    (X, Y), valid = small()
    bad = ((X, Y[:-1]), valid)
    with pytest.raises(ValueError, match=r"data\(1\) returned bad data"):
        compare_configs(
            lr=[0.1, 0.2], model=linear(4, 1), data=lambda s: small() if s == 0 else bad, seeds=2
        )


def test_train_valid_checks_the_output_shape_too():
    with pytest.raises(ValueError, match=r"model outputs shape \(2, 2\)"):
        train_valid(nn.Linear(4, 2), small())
    with pytest.raises(TypeError, match="integer class labels"):
        train_valid(nn.Linear(4, 3), small(), loss="cross_entropy")


def test_trainer_names_the_exact_kernel_for_plain_mlps_only():
    data = exercise_data(standardize=True)
    assert training_path(RunSpec(data=data, model=plain_mlp((4, 8, 1)))) == "engine"
    tanh = lambda seed: nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))  # noqa: E731
    assert training_path(RunSpec(data=data, model=tanh)) == "func"
    assert (
        training_path(RunSpec(TrainingConfig(optimizer=torch.optim.Adamax), data=data))
        == "reference"
    )


def test_compare_sweeps_takes_the_same_problem():
    data = exercise_data(standardize=True)
    model = plain_mlp((4, 8, 1))
    by_lr, by_batch = optimlab.compare_sweeps(
        [{"epochs": 2, "lr": [0.01, 0.03]}, {"epochs": 2, "batch_size": [32, 64]}],
        model=model,
        data=data,
        n_jobs=1,
    )
    np.testing.assert_array_equal(
        by_lr.runs[1, 0], train_valid(model(123), data, epochs=2, lr=0.03)
    )
    want = train_valid(model(123), data, epochs=2, batch_size=64)
    np.testing.assert_array_equal(by_batch.runs[1, 0], want)


def test_measured_time_uses_the_model_function():
    built = []

    def model(seed):
        built.append(seed)
        return plain_mlp((4, 8, 1))(seed)

    result = compare_configs(
        epochs=1, lr=[0.01, 0.03], model=model, data=small(), measure_time=True, n_jobs=1
    )
    assert result.seconds_per_epoch.shape == (2,) and (result.seconds_per_epoch > 0).all()
    assert built and set(built) == {123}
