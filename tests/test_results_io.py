"""Results you keep: the tidy table, save/load round trips, and the provenance of a sweep."""

import dataclasses
import io
import json
import math
import platform
import sys
import zipfile
from concurrent.futures import Executor, Future

import numpy as np
import pytest
import torch

import optimlab
from optimlab import EngineFallbackWarning, SweepResult, TrainingConfig, compare_configs
from optimlab.engine import RunSpec, _schedule, training_path
from optimlab.provenance import Provenance

COLUMNS = [
    "param",
    "value",
    "epochs",
    "batch_size",
    "lr",
    "weight_decay",
    "beta1",
    "beta2",
    "eps",
    "optimizer",
    "lr_schedule",
    "optimizer_options",
    "seed",
    "epoch",
    "step",
    "samples",
    "seconds",
    "valid_rmse",
]


def odd_runs(shape):
    """Distinct values per run and epoch, with inf, -inf and NaN (two NaN payloads)."""
    runs = np.arange(math.prod(shape), dtype=float).reshape(shape) / 7 + 0.1
    runs[0, -1, -1] = np.inf
    runs[-1, 0, 0] = -np.inf
    runs.flat[1] = np.nan
    runs.flat[2] = np.frombuffer(np.uint64(0x7FF8_0000_0000_0ABC).tobytes(), dtype=float)[0]
    return runs


@pytest.fixture(scope="module")
def swept():
    """A real sweep: two batch sizes, three seeds, two epochs, times measured."""
    return compare_configs(
        epochs=2, batch_size=[128, 300], lr=0.05, seeds=3, measure_time=True, n_jobs=1
    )


def by_hand(**changes):
    fields = {
        "param": "batch_size",
        "values": (100, 700, 64),
        "runs": odd_runs((3, 2, 4)),
        "config": TrainingConfig(epochs=4, lr=0.05),
        "seeds": (3, 8),
        "n_train": 700,
        "seconds_per_epoch": np.array([0.5, 0.25, np.nan]),
    }
    return SweepResult(**{**fields, **changes})


# -- the tidy table -------------------------------------------------------------------------


def test_table_has_one_row_per_run_and_epoch_with_its_settings_and_budget():
    result = by_hand()
    table = result.table()
    assert list(table) == COLUMNS
    assert all(len(column) == result.runs.size for column in table.values())
    rows = list(zip(*table.values(), strict=True))
    i = 0
    for v, batch in enumerate((100, 700, 64)):
        for s, seed in enumerate((3, 8)):
            for e in range(4):
                row = dict(zip(COLUMNS, rows[i], strict=True))
                i += 1
                assert row["param"] == "batch_size"
                assert row["value"] == row["batch_size"] == batch
                assert (row["lr"], row["epochs"], row["weight_decay"]) == (0.05, 4, 0.01)
                assert (row["beta1"], row["beta2"], row["eps"]) == (0.9, 0.999, 1e-8)
                assert (row["optimizer"], row["optimizer_options"]) == ("adamw", "{}")
                assert (row["seed"], row["epoch"]) == (seed, e + 1)
                assert row["step"] == (e + 1) * math.ceil(700 / batch)
                assert row["samples"] == (e + 1) * 700
                seconds = (e + 1) * [0.5, 0.25, np.nan][v]
                assert row["seconds"] == seconds or (
                    math.isnan(seconds) and np.isnan(row["seconds"])
                )
                want = result.runs[v, s, e]
                assert row["valid_rmse"] == want or (
                    np.isnan(want) and np.isnan(row["valid_rmse"])
                )


def test_table_seconds_are_nan_without_measured_times():
    table = by_hand(seconds_per_epoch=None).table()
    assert np.isnan(table["seconds"]).all()
    assert table["seconds"].dtype == float


def test_to_frame_holds_the_table_and_the_runs(swept):
    frame = swept.to_frame()
    assert list(frame.columns) == COLUMNS
    assert len(frame) == swept.runs.size == 2 * 3 * 2
    for name, column in swept.table().items():
        assert frame[name].tolist() == column.tolist()
    # Each run's curve, found by its settings, is that run's row of `runs`.
    for v, batch in enumerate((128, 300)):
        for s, seed in enumerate(swept.seeds):
            rows = frame[(frame.batch_size == batch) & (frame.seed == seed)]
            assert rows.sort_values("epoch").valid_rmse.tolist() == swept.runs[v, s].tolist()
    assert frame.seconds.notna().all()
    assert (frame.groupby("batch_size").step.max().to_dict()) == {128: 12, 300: 6}


def test_to_frame_names_the_extra_when_pandas_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(
        ImportError, match=r"to_frame needs pandas: pip install 'optimlab\[pandas\]'"
    ):
        by_hand().to_frame()


# -- save and load --------------------------------------------------------------------------


def assert_same(a: SweepResult, b: SweepResult) -> None:
    """Every field equal; arrays bitwise, dtype and shape included; values of the same types."""
    for field in dataclasses.fields(SweepResult):
        x, y = getattr(a, field.name), getattr(b, field.name)
        if isinstance(x, np.ndarray):
            assert isinstance(y, np.ndarray), field.name
            assert (x.dtype, x.shape) == (y.dtype, y.shape), field.name
            assert x.tobytes() == y.tobytes(), field.name
            assert not y.flags.writeable
        else:
            assert x == y, field.name
            assert type(x) is type(y), field.name
    assert [type(v) for v in a.values] == [type(v) for v in b.values]


@pytest.mark.parametrize(
    "result",
    [
        by_hand(),
        by_hand(seconds_per_epoch=None, seeds=(0,), runs=odd_runs((3, 1, 4))),
        by_hand(param="lr", values=(0.1, 1, 1e-3), config=TrainingConfig(epochs=4, eps=1e-6)),
    ],
    ids=["batch_size", "no-times", "lr"],
)
def test_save_load_round_trips_exactly(tmp_path, result):
    path = tmp_path / "result.npz"
    result.save(path)
    assert_same(result, SweepResult.load(path))
    assert_same(result, SweepResult.load(str(path)))


def test_save_load_round_trips_a_sweep_with_its_provenance(tmp_path, swept):
    swept.save(tmp_path / "sweep.npz")
    again = SweepResult.load(tmp_path / "sweep.npz")
    assert_same(swept, again)
    assert again.provenance == swept.provenance is not None


def test_saved_file_is_an_npz_of_arrays_and_json_without_pickle(tmp_path, swept):
    path = tmp_path / "sweep.npz"
    swept.save(path)
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == ["metadata", "runs", "seconds_per_epoch", "yardsticks"]
        metadata = json.loads(str(archive["metadata"]))
    assert metadata["param"] == "batch_size"
    assert metadata["values"] == [128, 300]
    assert metadata["config"] == swept.config.as_dict()
    assert metadata["seeds"] == [0, 1, 2]
    assert metadata["provenance"]["trained_by"] == [["engine"] * 3] * 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep.npz"]  # no temporary left


def test_save_replaces_an_existing_file(tmp_path):
    path = tmp_path / "r.npz"
    by_hand().save(path)
    other = by_hand(values=(1, 2, 3))
    other.save(path)
    assert SweepResult.load(path).values == (1, 2, 3)


def test_numpy_scalar_values_are_saved_as_numbers(tmp_path):
    result = by_hand(values=tuple(np.array([100, 700, 64])))
    result.save(tmp_path / "r.npz")
    assert SweepResult.load(tmp_path / "r.npz").values == (100, 700, 64)


OWN_OPTIMIZER = """
import torch


class Outer:
    class Nested(torch.optim.SGD):
        def __init__(self, params, lr, weight_decay=0.0, scale=(1.0, 1.0)):
            super().__init__(params, lr=lr * scale[0] * scale[1], weight_decay=weight_decay)
"""


@pytest.fixture
def own_optimizer(tmp_path, monkeypatch):
    """``saved_own_opt.Outer.Nested``, an SGD subclass in a module of the test's own."""
    (tmp_path / "saved_own_opt.py").write_text(OWN_OPTIMIZER)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "saved_own_opt", raising=False)
    import saved_own_opt

    yield saved_own_opt.Outer.Nested
    sys.modules.pop("saved_own_opt", None)


def test_an_optimizer_sweep_round_trips_classes_and_entries_with_options(tmp_path, own_optimizer):
    values = (own_optimizer, ("sgd", {"momentum": 0.9, "nesterov": True}),
              (own_optimizer, {"scale": (0.5, 2.0)}))  # fmt: skip
    result = by_hand(
        param="optimizer", values=values, runs=odd_runs((3, 2, 4)), seconds_per_epoch=None,
        config=TrainingConfig(epochs=4, optimizer=own_optimizer,
                              optimizer_options={"scale": (0.5, 1.0)}),
    )  # fmt: skip
    path = tmp_path / "optimizers.npz"
    result.save(path)
    again = SweepResult.load(path)
    assert_same(result, again)
    assert again.values[0] is own_optimizer and again.config.optimizer is own_optimizer
    assert again.config.options == {"scale": (0.5, 1.0)}  # a tuple again, not JSON's list
    assert again.labels == [
        "optimizer = Nested", "optimizer = sgd (momentum=0.9, nesterov=True)",
        "optimizer = Nested (scale=(0.5, 2.0))",
    ]  # fmt: skip
    with np.load(path, allow_pickle=False) as archive:
        metadata = json.loads(str(archive["metadata"]))
    assert metadata["values"][0] == {"class": "saved_own_opt:Outer.Nested"}
    table = again.table()
    assert list(table["value"][::8]) == [label.split(" = ")[1] for label in again.labels]
    assert list(table["optimizer"][::8]) == ["Nested", "sgd", "Nested"]
    assert json.loads(table["optimizer_options"][8]) == {"momentum": 0.9, "nesterov": True}

    # Loading imports nothing: without the module imported, the class cannot be found.
    del sys.modules["saved_own_opt"]
    with pytest.raises(
        ValueError,
        match=r"cannot load .*optimizers\.npz.*: it was trained with the optimizer class "
        r"saved_own_opt:Outer\.Nested: import saved_own_opt before loading it",
    ):
        SweepResult.load(path)
    assert "saved_own_opt" not in sys.modules


def test_save_refuses_an_optimizer_class_that_load_could_never_find(tmp_path):
    def make():
        class Local(torch.optim.SGD):
            pass

        return Local

    result = by_hand(param="optimizer", values=(make(), "sgd"), runs=odd_runs((2, 2, 4)),
                     seconds_per_epoch=None)  # fmt: skip
    with pytest.raises(ValueError, match=r"class .*<locals>\.Local: it is defined inside a func"):
        result.save(tmp_path / "local.npz")
    assert list(tmp_path.iterdir()) == []


def test_a_class_of_another_script_is_named_as_such(tmp_path):
    path = tmp_path / "script.npz"
    by_hand(param="optimizer", values=("sgd", "adam"), runs=odd_runs((2, 2, 4)),
            seconds_per_epoch=None).save(path)  # fmt: skip
    with zipfile.ZipFile(path) as archive:
        runs = archive.read("runs.npy")
        metadata = json.loads(np.load(path)["metadata"][()])
    metadata["values"][0] = {"class": "__main__:ScriptSGD"}
    np.savez(path, metadata=np.array(json.dumps(metadata)),
             runs=np.load(io.BytesIO(runs)))  # fmt: skip
    with pytest.raises(ValueError, match=r"class ScriptSGD, defined in the script that saved it"):
        SweepResult.load(path)


def test_save_errors(tmp_path):
    result = by_hand()
    with pytest.raises(TypeError, match="path must be a string or a path, got 3"):
        result.save(3)
    with pytest.raises(FileNotFoundError, match=r"folder .*missing.* does not exist"):
        result.save(tmp_path / "missing" / "r.npz")
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        result.save(tmp_path)


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no saved SweepResult at .*nothing.npz"):
        SweepResult.load(tmp_path / "nothing.npz")
    with pytest.raises(IsADirectoryError):
        SweepResult.load(tmp_path)
    text = tmp_path / "text.npz"
    text.write_text("param,value\n")
    with pytest.raises(
        ValueError, match=r"not a SweepResult saved by SweepResult\.save: not an \.npz"
    ):
        SweepResult.load(text)
    other = tmp_path / "other.npz"
    np.savez(other, runs=np.ones(3))
    with pytest.raises(ValueError, match=r"not a SweepResult saved .*KeyError"):
        SweepResult.load(other)


def test_load_refuses_a_damaged_file(tmp_path):
    path = tmp_path / "r.npz"
    by_hand().save(path)
    data = path.read_bytes()
    damaged = tmp_path / "damaged.npz"
    damaged.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a SweepResult saved"):
        SweepResult.load(damaged)


def rewrite_metadata(path, change):
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    metadata = json.loads(str(arrays.pop("metadata")))
    change(metadata)
    np.savez(path, metadata=np.array(json.dumps(metadata)), **arrays)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda m: m.update(format="something else"), "does not name the format"),
        (lambda m: m.update(version=2), "format version 2, expected 1"),
        (lambda m: m.update(param="momentum"), "ValueError: param must be one of"),
        (lambda m: m["config"].update(lr=-1), "lr must be a positive finite number"),
        (lambda m: m.update(seeds=[0]), "runs must have shape"),
        (lambda m: m.pop("n_train"), "KeyError"),
    ],
)
def test_load_refuses_inconsistent_metadata(tmp_path, change, match):
    path = tmp_path / "r.npz"
    by_hand().save(path)
    rewrite_metadata(path, change)
    with pytest.raises(ValueError, match=match):
        SweepResult.load(path)


def test_load_refuses_pickled_arrays(tmp_path):
    path = tmp_path / "r.npz"
    by_hand().save(path)
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays["runs"] = np.array([object()], dtype=object)
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=r"not a SweepResult saved .*pickle"):
        SweepResult.load(path)
    assert zipfile.is_zipfile(path)


# -- provenance -----------------------------------------------------------------------------


def test_a_sweep_records_how_it_was_made(swept):
    made = swept.provenance
    assert made.optimlab == optimlab.__version__
    assert made.torch == torch.__version__
    assert made.numpy == np.__version__
    assert made.python == platform.python_version()
    assert made.platform == platform.platform()
    assert made.torch_threads == torch.get_num_threads() == 1  # tests/conftest.py
    assert made.init_seeds == (123, 124, 125)
    assert made.shuffle_seeds == (None, None, None)
    assert made.trained_by == (("engine",) * 3,) * 2
    assert made.created.endswith("+00:00")


def test_shuffle_seeds_are_recorded():
    result = compare_configs(epochs=1, batch_size=350, lr=[0.1, 0.2], seeds=[4, 2],
                             shuffle=True, n_jobs=1)  # fmt: skip
    assert result.provenance.shuffle_seeds == (4, 2)
    assert result.provenance.init_seeds == (127, 125)


def test_trained_by_says_reference_where_the_engine_fell_back(monkeypatch, swept):
    # An engine that does not trust itself (as after a failed self-check) trains every
    # run with the reference loop and warns once per run it trained.
    monkeypatch.setattr(_schedule, "_trusted", lambda: "a test says so")
    with pytest.warns(EngineFallbackWarning, match="a test says so") as caught:
        fallen = compare_configs(
            epochs=2, batch_size=[128, 300], lr=0.05, seeds=3, measure_time=True, n_jobs=1
        )
    assert len(caught) == 6
    assert fallen.provenance.trained_by == (("reference",) * 3,) * 2
    assert np.array_equal(fallen.runs, swept.runs)  # the curves do not depend on who trained


class AnotherTorchBuild(Executor):
    """Runs each chunk here, as a worker would whose torch build the engine does not trust."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def submit(self, fn, /, *args, **kwargs):
        future = Future()
        with self.monkeypatch.context() as worker:
            worker.setattr(_schedule, "_trusted", lambda: "another torch build")
            future.set_result(fn(*args, **kwargs))
        return future


def test_trained_by_says_what_the_worker_did_not_what_the_caller_planned(monkeypatch, swept):
    # The caller trusts its engine and plans engine groups; the worker falls back to the
    # reference loop on its own (as on a cluster node with another torch build).
    elsewhere = compare_configs(
        epochs=2, batch_size=[128, 300], lr=0.05, seeds=3, executor=AnotherTorchBuild(monkeypatch)
    )
    assert {training_path(RunSpec(config)) for config in swept.configs} == {"engine"}
    assert elsewhere.provenance.trained_by == (("reference",) * 3,) * 2
    assert np.array_equal(elsewhere.runs, swept.runs)


def test_each_result_of_compare_sweeps_has_its_own_runs():
    by_lr, by_batch = optimlab.compare_sweeps(
        [{"epochs": 1, "lr": [0.1, 0.2, 0.3]}, {"epochs": 1, "batch_size": [350, 700]}],
        seeds=2,
        n_jobs=1,
    )
    assert np.array(by_lr.provenance.trained_by).shape == (3, 2)
    assert np.array(by_batch.provenance.trained_by).shape == (2, 2)


def test_provenance_dict_round_trip_and_checks(swept):
    made = swept.provenance
    assert Provenance.from_dict(json.loads(json.dumps(made.as_dict()))) == made
    with pytest.raises(ValueError, match="exactly the fields"):
        Provenance.from_dict({**made.as_dict(), "extra": 1})
    rule = r"trained_by must name one of engine, func, reference for each run"
    with pytest.raises(ValueError, match=rule):
        Provenance.capture([], [123], [None])
    with pytest.raises(ValueError, match=r"one column per seed \(1\)"):
        Provenance.capture([["engine", "engine"]], [123], [None])
    with pytest.raises(ValueError, match=rule):
        Provenance.capture([["gpu"]], [123], [None])
    with pytest.raises(ValueError, match=rule):
        Provenance.capture([["engine"]], [123], [])
    made = Provenance.capture([["engine", "reference"]], [123, 124], [0, 1])
    assert (made.trained_by, made.init_seeds, made.shuffle_seeds) == (
        (("engine", "reference"),), (123, 124), (0, 1),
    )  # fmt: skip


def test_a_result_checks_its_provenance():
    with pytest.raises(TypeError, match="provenance must be a Provenance or None"):
        by_hand(provenance={"torch": "2"})
    assert by_hand().provenance is None
