"""The optimlab command: a sweep's files, its help, its one-line errors, its progress line."""

import csv
import io
import os
import re
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

import optimlab
from optimlab import (
    DivergenceWarning,
    SweepResult,
    TrainingConfig,
    _progress,
    cli,
    compare_configs,
)

ROOT = Path(__file__).resolve().parents[1]
FAST = ["--epochs", "2", "--batch-size", "128", "--n-jobs", "1"]
OPTIONS = [
    "--epochs",
    "--batch-size",
    "--lr",
    "--weight-decay",
    "--beta1",
    "--beta2",
    "--seeds",
    "--standardize",
    "--shuffle",
    "--measure-time",
    "--n-jobs",
    "--optimizer",
    "--optimizer-option",
    "--model",
    "--data",
    "--loss",
    "--plot",
    "--x",
    "--csv",
    "--save",
]


def optimlab_command(*args, cwd):
    """``python -m optimlab ARGS`` in ``cwd``, importing this checkout's optimlab."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "error"}
    return subprocess.run(
        [sys.executable, "-m", "optimlab", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_sweep_writes_the_figure_the_table_and_the_result(tmp_path):
    done = optimlab_command(
        "sweep", "--lr", "0.1", "0.2", "--weight-decay", "0.02", "--seeds", "2",
        "--standardize", "--shuffle", *FAST,
        "--plot", "lr.png", "--csv", "runs.csv", "--save", "lr.npz",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no progress line: stderr is not a terminal
    want = compare_configs(
        epochs=2, batch_size=128, lr=[0.1, 0.2], weight_decay=0.02, seeds=2, shuffle=True,
        data=lambda seed: optimlab.exercise_data(seed, standardize=True), n_jobs=1,
    )  # fmt: skip

    assert (tmp_path / "lr.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    saved = SweepResult.load(tmp_path / "lr.npz")
    assert saved.runs.tobytes() == want.runs.tobytes()
    assert (saved.param, saved.values, saved.seeds) == ("lr", (0.1, 0.2), (0, 1))
    assert saved.config == want.config
    assert saved.provenance.shuffle_seeds == (0, 1)
    assert saved.inputs == "standardized"

    with open(tmp_path / "runs.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == want.runs.size == 2 * 2 * 2
    i = 0
    for v, lr in enumerate((0.1, 0.2)):
        for s in range(2):
            for e in range(2):
                row = rows[i]
                i += 1
                assert (row["param"], float(row["lr"]), float(row["weight_decay"])) == (
                    "lr", lr, 0.02,
                )  # fmt: skip
                assert (int(row["seed"]), int(row["epoch"]), int(row["batch_size"])) == (
                    s, e + 1, 128,
                )  # fmt: skip
                assert int(row["step"]) == 6 * (e + 1)  # ceil(700 / 128) steps an epoch
                assert row["seconds"] == "nan"
                assert float(row["valid_rmse"]) == want.runs[v, s, e]  # exact: repr

    report = done.stdout.splitlines()
    for label, final in zip(want.labels, want.valid_rmse[:, -1], strict=True):
        assert f"{label}  final valid RMSE {final:.4f} (median of 2 seeds)" in report
    by_hand = np.median([optimlab.baseline_rmse(optimlab.exercise_data(s)) for s in (0, 1)])
    assert any(
        line.startswith("yardstick")
        and f"valid RMSE {by_hand:.4f} (median of 2 seeds)" in line
        and line.endswith("(standardized inputs) ends below it")
        for line in report
    )
    assert report[-3:] == ["wrote lr.png", "wrote runs.csv", "wrote lr.npz"]


def test_an_optimizer_sweep_with_options_is_compare_configs(tmp_path, capsys):
    path = tmp_path / "o.npz"
    # An entry's own options add to --optimizer-option's, and win where both set one.
    args = ["sweep", "--optimizer", "sgd", "sgd(nesterov=True)", " sgd( momentum = 0.5 ) ",
            "--optimizer-option", "momentum=0.9", "--lr", "0.02", "--standardize",
            *FAST, "--save", str(path)]  # fmt: skip
    assert cli.main(args) == 0
    want = compare_configs(
        epochs=2, batch_size=128, lr=0.02, n_jobs=1,
        optimizer=["sgd", ("sgd", {"momentum": 0.9, "nesterov": True}),
                   ("sgd", {"momentum": 0.5})],
        optimizer_options={"momentum": 0.9},
        data=lambda seed: optimlab.exercise_data(seed, standardize=True),
    )  # fmt: skip
    saved = SweepResult.load(path)
    assert saved.runs.tobytes() == want.runs.tobytes()
    assert saved.labels == want.labels == [
        "optimizer = sgd", "optimizer = sgd (momentum=0.9, nesterov=True)",
        "optimizer = sgd (momentum=0.5)",
    ]  # fmt: skip
    assert saved.runs[0].tobytes() != saved.runs[2].tobytes()  # momentum 0.9 against 0.5
    report = capsys.readouterr().out.splitlines()
    for label, final in zip(want.labels, want.valid_rmse[:, -1], strict=True):
        assert any(line.startswith(label) and f"final valid RMSE {final:.4f}" in line
                   for line in report), (label, report)  # fmt: skip


def test_a_schedule_sweep_is_compare_configs(tmp_path):
    path = tmp_path / "s.npz"
    args = ["sweep", "--lr-schedule", "constant", "onecycle", "--lr", "0.05", *FAST,
            "--save", str(path)]  # fmt: skip
    assert cli.main(args) == 0
    want = compare_configs(
        epochs=2, batch_size=128, lr=0.05, lr_schedule=["constant", "onecycle"], n_jobs=1
    )
    saved = SweepResult.load(path)
    assert saved.runs.tobytes() == want.runs.tobytes()
    assert saved.labels == ["lr_schedule = constant", "lr_schedule = onecycle"]
    assert saved.runs[0].tobytes() != saved.runs[1].tobytes()


def test_an_optimizer_without_weight_decay_takes_weight_decay_0(tmp_path, capsys):
    path = tmp_path / "rprop.npz"
    args = ["sweep", "--optimizer", "torch.optim:Rprop", "torch.optim:ASGD", "--weight-decay",
            "0", "--standardize", *FAST, "--save", str(path)]  # fmt: skip
    assert cli.main(args) == 0
    want = compare_configs(
        epochs=2, batch_size=128, weight_decay=0.0, n_jobs=1,
        optimizer=[torch.optim.Rprop, torch.optim.ASGD],
        data=lambda seed: optimlab.exercise_data(seed, standardize=True),
    )  # fmt: skip
    assert SweepResult.load(path).runs.tobytes() == want.runs.tobytes()


PROBLEM = """
    import torch

    def data(seed):
        generator = torch.Generator().manual_seed(seed)
        X = torch.randn(120, 3, generator=generator)
        y = (X[:, 0] + X[:, 1] > 0).long() + (X[:, 2] > 1).long()
        return (X[:80], y[:80]), (X[80:], y[80:])

    def model(seed):
        torch.manual_seed(seed)
        return torch.nn.Sequential(
            torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)
        )

    def no_seed():
        return data(0)

    def broken_model(seed):
        raise ValueError("a bug in my model")

    NOT_A_FUNCTION = 3
"""


@pytest.fixture
def own_problem(tmp_path, monkeypatch):
    """A module ``cli_problem`` in the current folder, which is not on ``sys.path``
    (as for the ``optimlab`` script): the command must find it there itself."""
    (tmp_path / "cli_problem.py").write_text(textwrap.dedent(PROBLEM))
    (tmp_path / "cli_raises.py").write_text("raise RuntimeError('line one\\nline two')\n")
    (tmp_path / "cli_exits.py").write_text("import sys\nsys.exit(3)\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    modules = ("cli_problem", "cli_raises", "cli_exits")
    for module in modules:
        monkeypatch.delitem(sys.modules, module, raising=False)
    yield tmp_path
    for module in modules:
        sys.modules.pop(module, None)
    assert str(tmp_path) not in sys.path  # the command closed the folder it opened


def test_own_model_data_and_loss_from_a_module(own_problem, capsys):
    args = ["sweep", "--model", "cli_problem:model", "--data", "cli_problem:data",
            "--loss", "cross_entropy", "--lr", "0.01", "0.05", "--seeds", "2", "--epochs",
            "3", "--batch-size", "16", "--n-jobs", "1", "--save", "own.npz"]  # fmt: skip
    assert cli.main(args) == 0
    import cli_problem  # the command imported it from the current folder

    want = compare_configs(
        epochs=3, batch_size=16, lr=[0.01, 0.05], seeds=2, n_jobs=1,
        model=cli_problem.model, data=cli_problem.data, loss="cross_entropy",
    )  # fmt: skip
    saved = SweepResult.load(own_problem / "own.npz")
    assert saved.metric == "valid_log_loss"
    assert saved.runs.tobytes() == want.runs.tobytes()
    assert saved.accuracy.tobytes() == want.accuracy.tobytes()
    report = capsys.readouterr().out.splitlines()
    accuracy = want.curves_of("valid_accuracy")[:, -1]
    for label, final, correct in zip(want.labels, want.curves[:, -1], accuracy, strict=True):
        assert (f"{label}  final valid log loss {final:.4f}, accuracy {correct:.3f} "
                "(median of 2 seeds)") in report  # fmt: skip


@pytest.mark.parametrize(
    ("args", "parts"),
    [
        (["--model", "cli_problem"], ["--model", "expected MODULE:NAME", "'cli_problem'"]),
        (["--model", "no_such_module:f"], ["--model", "cannot import module 'no_such_module'"]),
        (["--model", "cli_problem:nope"], ["--model", "module 'cli_problem' has no 'nope'"]),
        (["--data", "cli_problem:NOT_A_FUNCTION"],
         ["--data", "'cli_problem:NOT_A_FUNCTION' is an object of type int, not a function"]),
        (["--data", "cli_problem:no_seed"],
         ["--data", "must be a function of the seed", "no_seed cannot take it"]),
        (["--data", "cli_problem:data", "--standardize"], ["--standardize", "with --data"]),
        (["--data", "cli_problem:data", "--loss", "cross_entropy"],
         ["--loss", "one output per class", "--model"]),
        (["--model", "cli_raises:f"],
         ["--model", "module 'cli_raises' raised RuntimeError: line one line two"]),
        (["--model", "cli_exits:f"], ["--model", "module 'cli_exits' called sys.exit(3)"]),
        (["--model", ".cli_problem:model"], ["--model", "expected MODULE:NAME"]),
        (["--optimizer", "cli_problem:model"],
         ["--optimizer", "'cli_problem:model' is an object of type function, not a "
          "torch.optim.Optimizer subclass"]),
        (["--optimizer", "torch.nn:Linear", "sgd"],
         ["--optimizer", "is the class Linear, not a torch.optim.Optimizer subclass"]),
    ],
)  # fmt: skip
def test_bad_own_problem_exits_2_with_one_line(own_problem, capsys, args, parts):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["sweep", "--lr", "0.1", "0.2", *args])
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert_one_line_error(err, *parts)
    written = {p.name for p in own_problem.iterdir()} - {"__pycache__"}
    assert written == {"cli_problem.py", "cli_raises.py", "cli_exits.py"}


def test_a_bug_in_your_own_model_keeps_its_traceback(own_problem):
    with pytest.raises(ValueError, match="a bug in my model"):
        cli.main(["sweep", "--lr", "0.1", "0.2", "--model", "cli_problem:broken_model",
                  "--n-jobs", "1"])  # fmt: skip


def test_the_csv_reads_back_as_to_frame(tmp_path):
    pd = pytest.importorskip("pandas")
    result = compare_configs(epochs=2, batch_size=[128, 700], seeds=2, n_jobs=1)
    result = SweepResult(
        result.param, result.values, np.where(result.runs > 1.2, np.inf, result.runs),
        result.config, result.seeds, result.n_train, np.array([0.5, 0.125]),
    )  # fmt: skip
    cli.write_csv(result, tmp_path / "t.csv")
    read = pd.read_csv(tmp_path / "t.csv")
    pd.testing.assert_frame_equal(read, result.to_frame(), check_dtype=False)


def test_sweep_needs_no_pandas(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "pandas", None)
    status = cli.main(["sweep", "--beta1", "0.5", "0.9", *FAST, "--csv", str(tmp_path / "b.csv")])
    assert status == 0
    with open(tmp_path / "b.csv", newline="") as file:
        assert len(list(csv.DictReader(file))) == 2 * 2
    assert "beta1 = 0.5  final valid RMSE" in capsys.readouterr().out


def test_x_time_measures_the_times(tmp_path):
    path = tmp_path / "t.csv"
    assert cli.main(["sweep", "--lr", "0.1", "0.2", *FAST, "--x", "time", "--csv", str(path)]) == 0
    with open(path, newline="") as file:
        rows = list(csv.DictReader(file))
    for value in ("0.1", "0.2"):
        seconds = [float(row["seconds"]) for row in rows if row["lr"] == value]
        assert len(seconds) == 2
        assert seconds[0] > 0
        assert seconds[1] == pytest.approx(2 * seconds[0])  # epoch 2: twice one epoch's time


def test_help_documents_every_option(tmp_path):
    done = optimlab_command("sweep", "--help", cwd=tmp_path)
    assert done.returncode == 0
    for option in OPTIONS:
        assert f"{option} " in done.stdout, option
    parser = cli.build_parser()
    (sweep,) = parser._subparsers._group_actions[0].choices.values()
    for action in sweep._actions:
        for option in action.option_strings:
            assert option in done.stdout
            assert action.help, option
    top = optimlab_command("--help", cwd=tmp_path)
    assert top.returncode == 0
    assert "sweep" in top.stdout and "--version" in top.stdout


def test_a_reader_that_leaves_early_gets_no_traceback(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = f"{sys.executable} -m optimlab sweep --lr 0.1 0.2 {' '.join(FAST)} | head -c 0"
    done = subprocess.run(
        ["bash", "-c", f"{command}; exit ${{PIPESTATUS[0]}}"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.stderr == ""
    assert done.returncode == 1


def test_version(tmp_path):
    done = optimlab_command("--version", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, f"optimlab {optimlab.__version__}\n")


def assert_one_line_error(stderr, *parts):
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("optimlab: error: "), stderr
    for part in parts:
        assert part in lines[0]


@pytest.mark.parametrize(
    ("args", "parts"),
    [
        (["sweep", "--lr", "-1"], ["--lr", "lr must be a positive finite number, got -1.0"]),
        (["sweep", "--lr", "0.1", "--bogus"], ["unrecognized arguments: --bogus"]),
    ],
)
def test_bad_arguments_exit_2_with_one_line_from_the_shell(tmp_path, args, parts):
    done = optimlab_command(*args, "--csv", "runs.csv", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert_one_line_error(done.stderr, *parts)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "parts"),
    [
        (["sweep", "--lr", "0.1", "0.2", "--batch-size", "8", "16"],
         ["exactly one of", "--batch-size and --lr have several"]),
        (["sweep", "--lr", "0.1", "--batch-size", "8"], ["none has several"]),
        (["sweep", "--lr", "0.1", "abc"], ["--lr: invalid float value: 'abc'"]),
        (["sweep", "--batch-size", "8", "16.5"], ["--batch-size: invalid int value: '16.5'"]),
        (["sweep", "--beta1", "0.5", "1"], ["--beta1", "in [0, 1), got 1.0"]),
        (["sweep", "--lr", "0.1", "nan"], ["--lr", "positive finite number, got nan"]),
        (["sweep", "--lr", "0.1", "0.2", "--epochs", "0"], ["--epochs", "got 0"]),
        (["sweep", "--lr", "0.1", "0.2", "--seeds", "-2"], ["--seeds", "got -2"]),
        (["sweep", "--lr", "0.1", "0.2", "--n-jobs", "0"], ["--n-jobs", "got 0"]),
        (["sweep", "--lr", "0.1", "0.2", "--x", "hours"], ["--x: invalid choice: 'hours'"]),
        (["sweep", "--lr", "0.1", "0.2", "--plot", "lr.nope"], ["--plot", "'lr.nope'", ".png"]),
        (["sweep", "--lr", "0.1", "0.2", "--csv", "no/such/t.csv"],
         ["--csv", "folder 'no/such' does not exist"]),
        (["sweep", "--lr", "0.1", "0.2", "--save", "."], ["--save", "'.' is a folder"]),
        (["sweep", "--lr-schedule", "constant", "cosin"],
         ["--lr-schedule", "lr_schedule must be one of 'constant'", "got 'cosin'"]),
        (["sweep", "--optimizer", "sgd", "adamx"],
         ["--optimizer", "unknown optimizer 'adamx'", "adamw, adam, sgd"]),
        (["sweep", "--optimizer", "sgd", "sgd(0.9)"], ["--optimizer", "NAME(OPTION=VALUE"]),
        (["sweep", "--optimizer", "sgd", "sgd(momentum=0.9"], ["--optimizer", "'sgd(momentum"]),
        (["sweep", "--optimizer", "sgd", "sgd(momentum=fast)"], ["NAME(OPTION=VALUE"]),
        (["sweep", "--optimizer", "sgd", "sgd(mom=0.9)"],
         ["optimizer[1] 'sgd' has no option 'mom'", "momentum, dampening"]),
        (["sweep", "--optimizer", "torch.optim:Rprop", "torch.optim:Rprop(etas=(2.0, 0.5))",
          "--weight-decay", "0"],
         ["optimizer[1] 'Rprop' refused its settings", "Invalid eta values"]),  # torch's own
        (["sweep", "--optimizer", "sgd", "sgd()"], ["optimizer[1] = sgd repeats optimizer[0]"]),
        (["sweep", "--lr", "0.1", "0.1"], ["lr must not repeat a value"]),
        (["sweep", "--optimizer", "sgd", "sgd(momentum=0.9, momentum=0.5)"],
         ["--optimizer", "sets momentum twice"]),
        (["sweep", "--optimizer", "sgd", "adam", "--optimizer-option", "lr=0.1"],
         ["--optimizer-option", "lr is not an option here: --lr sets it"]),
        (["sweep", "--optimizer", "sgd", "adam", "--optimizer-option", "betas=(0.9, 0.99)"],
         ["--optimizer-option", "--beta1 and --beta2 set them"]),
        (["sweep", "--optimizer", "sgd", "sgd(weight_decay=0.1)"],
         ["--optimizer", "--weight-decay sets it"]),
        (["sweep", "--optimizer", "sgd", "adam", "--optimizer-option", "eps=1e-6"],
         ["--optimizer-option", "eps is not an option", "own default"]),
        (["sweep", "--optimizer", "sgd", "adam", "--beta1", "0.5"],
         ["'sgd' has no beta1 setting"]),
        (["sweep", "--optimizer", "sgd", "adam", "--optimizer-option", "momentum=0.9"],
         ["'adam' has no option 'momentum'"]),
        (["sweep", "--lr", "0.1", "0.2", "--optimizer-option", "momentum"],
         ["--optimizer-option", "NAME=VALUE", "'momentum'"]),
        (["sweep", "--lr", "0.1", "0.2", "--optimizer-option", "alpha=high"],
         ["--optimizer-option", "alpha must be a Python literal", "'high'"]),
        (["sweep", "--lr", "0.1", "0.2", "--optimizer", "rmsprop",
          "--optimizer-option", "alpha=0.9", "--optimizer-option", "alpha=0.8"],
         ["--optimizer-option", "alpha given more than once"]),
        (["sweep", "--lr", "0.1", "0.2", "--loss", "hinge"], ["--loss: invalid choice"]),
        (["sweep", "--lr", "0.1", "0.2", "--loss", "cross_entropy"],
         ["--loss", "class labels", "give your own with --data"]),
        ([], ["the following arguments are required: COMMAND"]),
        (["train"], ["invalid choice: 'train'"]),
    ],
)  # fmt: skip
def test_bad_arguments_exit_2_with_one_line(tmp_path, monkeypatch, capsys, args, parts):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        cli.main(args)
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert_one_line_error(err, *parts)
    assert list(tmp_path.iterdir()) == []


def test_errors_of_compare_configs_become_one_line(monkeypatch, capsys):
    def refuse(**kwargs):
        raise ValueError("seeds must not repeat a seed")

    monkeypatch.setattr(cli, "compare_configs", refuse)
    with pytest.raises(SystemExit) as exit_:
        cli.main(["sweep", "--lr", "0.1", "0.2"])
    assert exit_.value.code == 2
    assert_one_line_error(capsys.readouterr().err, "seeds must not repeat a seed")


def test_an_output_that_fails_late_exits_1(tmp_path, monkeypatch, capsys):
    def full_disk(result, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli, "write_csv", full_disk)
    status = cli.main(["sweep", "--lr", "0.1", "0.2", *FAST, "--csv", str(tmp_path / "t.csv")])
    assert status == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert err[0].startswith("optimlab: error: cannot write ")
    assert err[0].endswith("No space left on device")


def test_warnings_become_one_line_each(monkeypatch, capsys):
    result = SweepResult("lr", (0.1, 10.0), np.array([[[1.0, 0.5]], [[2.0, np.nan]]]),
                         TrainingConfig(epochs=2))  # fmt: skip

    def diverge(**kwargs):
        warnings.warn("configuration lr = 10.0 diverged: ...", DivergenceWarning, stacklevel=1)
        return result

    monkeypatch.setattr(cli, "compare_configs", diverge)
    assert cli.main(["sweep", "--lr", "0.1", "10"]) == 0
    out, err = capsys.readouterr()
    assert err == "optimlab: warning: configuration lr = 10.0 diverged: ...\n"
    assert out.splitlines() == [
        "lr = 0.1   final valid RMSE 0.5000",
        "lr = 10.0  final valid RMSE nan (diverged)",
    ]


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_line_only_on_a_terminal_and_after_the_delay(monkeypatch):
    terminal = Terminal()
    with _progress.progress("quick", file=terminal):
        pass
    assert terminal.getvalue() == ""  # under PROGRESS_DELAY: silent
    monkeypatch.setattr(_progress, "PROGRESS_DELAY", 0.05)
    with _progress.progress("training 4 runs", file=terminal):
        time.sleep(0.6)
    shown = terminal.getvalue().split("\r")
    assert shown[0] == "" and shown[1].startswith("optimlab: training 4 runs 00:00")
    assert re.fullmatch(r"optimlab: training 4 runs: done in 0\.\d s\n", shown[-1])
    not_a_terminal = io.StringIO()
    with _progress.progress("silent", file=not_a_terminal):
        time.sleep(0.1)
    assert not_a_terminal.getvalue() == ""
