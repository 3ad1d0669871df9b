"""The sweep engine against its oracle, the plain loop train_valid: bitwise, run for run.

The oracle runs with one torch thread, as the engine does. train_valid's own curves can
change in the last bits with the thread count: for some batch sizes (7 and 10, say) MKL
splits the ``[B, 50] x [50, 50]`` products differently on two threads. For the five seed
sweeps they do not, and ``nox -s bench`` checks the engine against the plain loop run
with torch's default threads.

Cost. The plain loop needs about a minute for all 30 epochs of the five seed sweeps, too
long for a unit test, so the engine's full 30-epoch curves are compared with the plain
loop's first ``EPOCHS`` epochs for every configuration (training is causal: the first
epochs of a run do not depend on how many follow), and over all 30 epochs for the
configurations trained together in the largest group. ``nox -s bench`` compares every
configuration over all 30 epochs on each run. The reference curves are computed once per
test session and shared by the tests below.
"""

import warnings

import numpy as np
import pytest
import torch

import optimlab
import optimlab.engine._schedule as schedule
from optimlab import DivergenceWarning, EngineFallbackWarning, TrainingConfig, compare_configs
from optimlab.engine import RunSpec, train_runs


def run(**fields) -> RunSpec:
    """A RunSpec from keywords: training settings go to its TrainingConfig, the rest to it."""
    settings = {k: fields.pop(k) for k in list(fields) if k in TrainingConfig.__dataclass_fields__}
    return RunSpec(TrainingConfig(**settings), **fields)


#: The five comparisons the exercise runs, all other arguments default.
SEED_SWEEPS = {
    "lr": [1, 0.1, 0.01, 0.001],
    "batch_size": [2, 4, 8, 16, 32, 64],
    "weight_decay": [0.5, 0.25, 0.125, 0.0625, 0.03125],
    "beta1": [0.5, 0.85, 0.9, 0.95, 0.99, 0.999],
    "beta2": [0.99, 0.999, 0.9999],
}
SEED_SPECS = [run(**{param: v}) for param, values in SEED_SWEEPS.items() for v in values]
#: Epochs of the plain loop compared for every configuration.
EPOCHS = 5
#: Configurations compared over all 30 epochs: batch size 16, one per AdamW coefficient.
FULL_LENGTH = [run(lr=1), run(weight_decay=0.5), run(beta1=0.999), run(beta2=0.99)]


def reference(spec: RunSpec, epochs: int | None = None) -> np.ndarray:
    """The plain loop's curve for ``spec`` on one thread, optionally its first ``epochs``."""
    data = optimlab.exercise_data(seed=spec.data_seed) if spec.data is None else spec.data
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        config = spec.config if epochs is None else spec.config.replace(epochs=epochs)
        return optimlab.train_valid(
            optimlab.make_mlp(seed=spec.seed, n_hidden=spec.n_hidden),
            data,
            config,
            shuffle_seed=spec.shuffle_seed,
        )
    finally:
        torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def seed_sweeps():
    """Engine curves (30 epochs) and plain-loop curves (EPOCHS, or 30 for FULL_LENGTH)."""
    curves = train_runs(SEED_SPECS)
    references = {}
    for spec in SEED_SPECS:
        if spec not in references:
            references[spec] = reference(spec, None if spec in FULL_LENGTH else EPOCHS)
    return curves, references


def assert_bitwise(actual, expected):
    """Equal bit for bit, inf and nan in the same places (no tolerance: none is needed)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape
    same = (actual == expected) | (np.isnan(actual) & np.isnan(expected))
    if not same.all():
        worst = np.nanmax(np.abs(actual - expected))
        raise AssertionError(f"{(~same).sum()} values differ, up to {worst:g}")


@pytest.mark.parametrize("index", range(len(SEED_SPECS)), ids=lambda i: repr(SEED_SPECS[i]))
def test_seed_sweeps_equal_the_plain_loop(seed_sweeps, index):
    curves, references = seed_sweeps
    spec = SEED_SPECS[index]
    expected = references[spec]
    assert curves[index].shape == (30,)
    assert_bitwise(curves[index][: len(expected)], expected)


def test_diverging_runs_match_and_leave_their_neighbours_alone():
    # lr = 1000 and 100 blow up within a few epochs; they share a group with finite runs.
    specs = [run(epochs=4, lr=lr, batch_size=64) for lr in (0.01, 1000.0, 100.0, 0.1)]
    curves = train_runs(specs, n_jobs=1)
    assert not np.isfinite(curves[1]).all()
    for spec, curve in zip(specs, curves, strict=True):
        assert_bitwise(curve, reference(spec))
    (alone,) = train_runs([specs[0]], n_jobs=1)
    assert_bitwise(curves[0], alone)


def test_a_diverging_run_alone_matches():
    # One run: the AdamW step takes its scalar path.
    spec = run(epochs=3, lr=1e4, batch_size=32)
    (curve,) = train_runs([spec], n_jobs=1)
    assert not np.isfinite(curve).all()
    assert_bitwise(curve, reference(spec))


def test_seeds_shuffling_widths_and_own_data_match():
    (X_train, Y_train), (X_valid, Y_valid) = optimlab.exercise_data(seed=3)
    # 100 rows in batches of 7: a last batch of 2, where batched products are inexact.
    small = ((X_train[:100], Y_train[:100]), (X_valid[:50], Y_valid[:50]))
    specs = [
        run(epochs=3, batch_size=7, data=small),
        run(epochs=3, batch_size=7, data=small, lr=0.05, seed=1, shuffle_seed=4),
        run(epochs=3, batch_size=7, data=small, beta1=0.5, shuffle_seed=4, n_hidden=50),
        run(epochs=3, batch_size=32, data_seed=1, seed=9),
        run(epochs=3, batch_size=32, data_seed=2, shuffle_seed=0, beta2=0.9),
        run(epochs=3, batch_size=32, n_hidden=20, weight_decay=0.0),
    ]
    for spec, curve in zip(specs, train_runs(specs, n_jobs=1), strict=True):
        assert_bitwise(curve, reference(spec))


def test_identical_runs_are_trained_once(monkeypatch):
    trained = []
    group = schedule.Group

    def spy(specs, *args):
        trained.extend(specs)
        return group(specs, *args)

    monkeypatch.setattr(schedule, "Group", spy)
    a, b = run(epochs=2, batch_size=64), run(epochs=2, batch_size=64, lr=0.1)
    curves = train_runs([a, b, a, run(epochs=2, batch_size=64)], n_jobs=1)
    assert trained == [a, b]
    assert_bitwise(curves[0], curves[2])
    assert_bitwise(curves[0], curves[3])
    curves[0][0] = -1.0  # every curve is its own array
    assert curves[2][0] != -1.0


def test_own_data_is_deduplicated_by_identity(monkeypatch):
    trained = []
    group = schedule.Group
    monkeypatch.setattr(schedule, "Group", lambda s, *args: trained.extend(s) or group(s, *args))
    data, copy = optimlab.exercise_data(), optimlab.exercise_data()
    specs = [run(epochs=1, batch_size=128, data=d) for d in (data, data, copy)]
    curves = train_runs(specs, n_jobs=1)
    assert len(trained) == 2  # equal tensors, but not the same objects: two runs
    assert_bitwise(curves[0], curves[2])


def test_fallback_to_the_reference_loop_is_visible_and_exact(monkeypatch):
    monkeypatch.setattr(schedule, "_trusted", lambda: "a reason given by the test")
    specs = [run(epochs=2, batch_size=64, lr=lr) for lr in (0.01, 0.1)]
    with pytest.warns(EngineFallbackWarning, match="a reason given by the test") as record:
        curves = train_runs(specs, n_jobs=1)
    assert len(record) == 2
    for spec, curve in zip(specs, curves, strict=True):
        assert_bitwise(curve, reference(spec))


def test_the_self_check_passes_on_this_build():
    assert schedule._self_check() is None


def test_an_unverified_torch_release_is_checked_first(monkeypatch):
    monkeypatch.setattr(schedule, "VERIFIED_TORCH", ())
    monkeypatch.setattr(schedule, "_self_check", lambda: "differs")
    assert schedule._trusted.__wrapped__() == "differs"  # the uncached function


def test_one_job_and_two_jobs_give_the_same_curves():
    specs = [run(epochs=3, batch_size=bs, lr=lr) for bs in (32, 64, 128) for lr in (0.01, 0.3)]
    threads = torch.get_num_threads()
    one = train_runs(specs, n_jobs=1)
    assert torch.get_num_threads() == threads
    two = train_runs(specs, n_jobs=2)
    assert torch.get_num_threads() == threads
    for a, b in zip(one, two, strict=True):
        assert_bitwise(a, b)


def test_compare_sweeps_equals_compare_configs_one_by_one():
    sweeps = [
        {"epochs": 2, "lr": [0.1, 0.01]},
        {"epochs": 2, "batch_size": [16, 64]},
        {"epochs": 3, "beta2": [0.99, 0.999]},
    ]
    together = optimlab.compare_sweeps(sweeps, n_jobs=1)
    for sweep, result in zip(sweeps, together, strict=True):
        alone = compare_configs(**sweep, n_jobs=1)
        assert (result.param, result.values, result.epochs) == (
            alone.param,
            alone.values,
            alone.epochs,
        )
        assert result.fixed == alone.fixed
        assert_bitwise(result.valid_rmse, alone.valid_rmse)
    # The default configuration appears in the first two sweeps: the same curve.
    assert_bitwise(together[0].valid_rmse[1], together[1].valid_rmse[0])


def test_compare_sweeps_warns_for_each_diverged_configuration():
    sweeps = [{"epochs": 2, "lr": [0.01, 1000]}, {"epochs": 2, "lr": [1000], "beta1": 0.5}]
    with pytest.warns(DivergenceWarning) as record:
        optimlab.compare_sweeps(sweeps, n_jobs=1)
    messages = [str(w.message) for w in record]
    assert len(messages) == 2
    assert all("configuration lr = 1000 diverged" in m for m in messages)


def test_no_warning_without_divergence():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        train_runs([run(epochs=1, batch_size=128)], n_jobs=1)


BAD_SPECS = [
    ({"config": {"lr": 0.1}}, TypeError, r"config must be a TrainingConfig, got \{'lr': 0\.1\}"),
    ({"seed": -1}, ValueError, r"seed must be a non-negative integer, got -1"),
    ({"data_seed": 1.5}, TypeError, r"data_seed must be a non-negative integer, got 1\.5"),
    ({"shuffle_seed": "1"}, TypeError, r"shuffle_seed must be a non-negative integer, got '1'"),
    ({"n_hidden": 0}, ValueError, r"n_hidden must be a positive integer, got 0"),
]


@pytest.mark.parametrize(("kwargs", "error", "match"), BAD_SPECS)
def test_bad_run_spec(kwargs, error, match):
    with pytest.raises(error, match=match):
        RunSpec(**kwargs)


def test_bad_train_runs_arguments():
    with pytest.raises(TypeError, match=r"specs\[1\] must be a RunSpec, got dict"):
        train_runs([RunSpec(), {"lr": 0.1}])
    with pytest.raises(ValueError, match=r"n_jobs must be a positive integer, got 0"):
        train_runs([RunSpec()], n_jobs=0)
    assert train_runs([]) == []


BAD_SWEEPS = [
    ({"lr": [0.1]}, TypeError, r"sweeps must be a list of dicts .*, got \{'lr': \[0\.1\]\}"),
    ([["lr", 0.1]], TypeError, r"sweeps\[0\] must be a dict of training settings, got \['lr'"),
    (
        [{"lr": [0.1], "momentum": 0.9}],
        TypeError,
        r"sweeps\[0\] has unknown training settings \['momentum'\]",
    ),
    ([{"lr": [0.1]}, {"lr": [0.1, -2]}], ValueError, r"sweeps\[1\]: lr\[1\] must be a positive"),
    ([{"lr": [0.1]}, {}], ValueError, r"sweeps\[1\]: exactly one of batch_size"),
]


@pytest.mark.parametrize(("sweeps", "error", "match"), BAD_SWEEPS)
def test_bad_sweeps(sweeps, error, match):
    with pytest.raises(error, match=match):
        optimlab.compare_sweeps(sweeps)


def test_compare_configs_checks_n_jobs():
    with pytest.raises(ValueError, match=r"n_jobs must be a positive integer, got -1"):
        compare_configs(1, lr=[0.1], n_jobs=-1)
