"""The ``optimlab`` command: run a sweep from a shell and keep its figure, table and result.

``optimlab sweep --lr 0.1 0.2 --weight-decay 0.02 --seeds 10 --plot lr.png --csv runs.csv``
is :func:`~optimlab.compare_configs` with ``lr=[0.1, 0.2], weight_decay=0.02, seeds=10``,
its figure saved by :meth:`~optimlab.SweepResult.plot` and its tidy table written as CSV;
``python -m optimlab`` is the same. Every argument is checked before any training: a bad
one ends the command with exit status 2 and a one-line message, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import functools
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ._cli_values import (
    SWEPT_OPTIONS,
    check_sweep,
    function_of_seed,
    one_line,
    optimizer_option,
    raised_in_your_code,
)
from ._progress import PROG, progress
from ._version import __version__
from .config import DEFAULTS
from .data import standardized_exercise_data
from .plotting import figure_formats, save_sweep_figure
from .results import BUDGETS, SweepResult
from .sweep import compare_configs

__all__ = ["build_parser", "main", "write_csv"]

_METRIC_NAMES = {"valid_rmse": "valid RMSE", "valid_log_loss": "valid log loss"}


class _Parser(argparse.ArgumentParser):
    """argparse, with a one-line error message (no usage block) and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{PROG}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of the ``optimlab`` command, its ``--help`` text included.

    Returns
    -------
    argparse.ArgumentParser

    Examples
    --------
    >>> from optimlab.cli import build_parser
    >>> args = build_parser().parse_args(["sweep", "--lr", "0.1", "0.2", "--seeds", "3"])
    >>> args.lr, args.seeds, args.batch_size
    ([0.1, 0.2], 3, None)
    """
    parser = _Parser(
        prog=PROG,
        description="Learn how optimizer settings shape neural-network training, by running them.",
        epilog=f"'{PROG} COMMAND --help' describes a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sweep = commands.add_parser(
        "sweep",
        help="train the exercise's network once per value of one setting",
        description="Train the exercise's MLP (Friedman #3 data) with AdamW, or your own "
        "model, data and optimizer, once per value of one setting, as "
        "optimlab.compare_configs does: give several values to exactly one of "
        f"{', '.join(SWEPT_OPTIONS)}; the others keep one value. Prints each value's "
        "final validation RMSE (log loss, with --loss cross_entropy); --plot, --csv and "
        "--save keep the figure, the table and the result.",
        epilog=f"example: {PROG} sweep --lr 0.1 0.2 --weight-decay 0.02 --seeds 10 "
        "--plot lr.png --csv runs.csv",
    )
    sweep.set_defaults(run=functools.partial(_sweep, sweep=sweep))
    # fmt: off
    add = sweep.add_argument_group("training settings (one value each, except one)").add_argument
    add("--epochs", type=int, default=DEFAULTS.epochs, metavar="N",
        help="passes over the training set (default: %(default)s)")
    for option, (name, kind, text) in SWEPT_OPTIONS.items():
        add(option, type=kind, nargs="+", metavar=option.lstrip("-").upper(),
            help=f"{text} (default: {getattr(DEFAULTS, name)})")
    add("--optimizer-option", type=optimizer_option, action="append", default=[],
        metavar="NAME=VALUE",
        help="another setting of the optimizer, a Python literal, such as momentum=0.9 or "
        "nesterov=True for sgd, alpha=0.9 for rmsprop; repeat it for each "
        "(optimizer_options of compare_configs)")
    add = sweep.add_argument_group(
        "your own problem (MODULE:FUNCTION, imported from the current folder or PYTHONPATH)"
    ).add_argument
    add("--model", type=function_of_seed, metavar="MODULE:FUNCTION",
        help="a function seed -> torch.nn.Module, returning a fresh network "
        "(default: the exercise's MLP)")
    add("--data", type=function_of_seed, metavar="MODULE:FUNCTION",
        help="a function seed -> ((X_train, Y_train), (X_valid, Y_valid)) "
        "(default: the exercise's Friedman #3 data)")
    add("--loss", choices=("mse", "cross_entropy"), default="mse",
        help="the training loss; cross_entropy tracks the validation log loss and "
        "accuracy (default: %(default)s)")
    add = sweep.add_argument_group("runs").add_argument
    add("--seeds", type=int, default=1, metavar="N",
        help="repeat every value under seeds 0..N-1 (data, initial weights and, with "
        "--shuffle, batch order); the figure shows the median and a band "
        "(default: %(default)s, the exercise's single run)")
    add("--standardize", action="store_true",
        help="standardise the exercise's inputs with the training rows' mean and standard "
        "deviation (default: the exercise's raw inputs; not with --data)")
    add("--shuffle", action="store_true",
        help="visit the training rows in a new seeded order every epoch "
        "(default: the exercise's fixed order)")
    add("--measure-time", action="store_true",
        help="also time one epoch of each value, for the table's 'seconds' column and --x time")
    add("--n-jobs", type=int, metavar="N", help="worker processes (default: the machine's cores)")
    add = sweep.add_argument_group("outputs").add_argument
    add("--plot", type=Path, metavar="FILE",
        help="save the figure; the suffix picks the format (.png, .pdf, .svg, ...)")
    add("--x", choices=tuple(BUDGETS), default="epoch",
        help="the figure's x axis: epochs, optimizer steps, training samples seen, or "
        "seconds (implies --measure-time) (default: %(default)s)")
    add("--csv", type=Path, metavar="FILE",
        help="write the tidy table: one row per value, seed and epoch "
        "(columns as SweepResult.to_frame)")
    add("--save", type=Path, metavar="FILE",
        help="save the whole result, to read back with optimlab.SweepResult.load (an .npz file)")
    # fmt: on
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``optimlab`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments, without the program name; default: ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status: 0 on success, 2 for bad arguments (argparse's convention), 1
        when an output file cannot be written after all.
    """
    folder = os.getcwd()
    opened = "" not in sys.path and folder not in sys.path
    if opened:  # find --model's and --data's modules here, as `python -m optimlab` would
        sys.path.insert(0, folder)
    try:
        args = build_parser().parse_args(argv)
        status = int(args.run(args))
        sys.stdout.flush()  # here, where a closed pipe can still be caught
        return status
    except BrokenPipeError:
        # stdout's reader left early (`optimlab sweep ... | head`): end quietly, as cat does.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    finally:
        if opened and folder in sys.path:
            sys.path.remove(folder)


def _sweep(args: argparse.Namespace, *, sweep: argparse.ArgumentParser) -> int:
    settings, seeds = check_sweep(args, sweep, figure_formats())
    options = dict(args.optimizer_option)
    if isinstance(settings.get("optimizer"), list):
        # An entry's own options add to --optimizer-option's (compare_configs's pair
        # would replace them), and win where both set one.
        settings["optimizer"] = [
            (entry[0], {**options, **entry[1]}) if isinstance(entry, tuple) else entry
            for entry in settings["optimizer"]
        ]
    n_runs = seeds * next(len(value) for value in settings.values() if isinstance(value, list))
    with (
        warnings.catch_warnings(record=True) as caught,
        progress(f"training {n_runs} run{'s' * (n_runs > 1)}"),
    ):
        warnings.simplefilter("always")
        try:
            result = compare_configs(
                **settings,
                optimizer_options=options,
                model=args.model,
                data=standardized_exercise_data if args.standardize else args.data,
                loss=args.loss,
                seeds=seeds,
                shuffle=args.shuffle,
                measure_time=args.measure_time or args.x == "time",
                n_jobs=args.n_jobs,
            )
        except (TypeError, ValueError) as error:
            if raised_in_your_code(error, args):
                raise  # a bug in your own model, data or optimizer: its traceback helps
            sweep.error(one_line(error))  # a rule compare_configs checks
    for warning in caught:
        print(f"{PROG}: warning: {warning.message}", file=sys.stderr)
    _report(result)
    for path, doing, write in (
        (args.plot, "drawing", functools.partial(save_sweep_figure, result, x=args.x)),
        (args.csv, "writing", functools.partial(write_csv, result)),
        (args.save, "saving", result.save),
    ):
        if path is None:
            continue
        try:
            with progress(f"{doing} {path}"):
                write(path)
        except OSError as error:  # checked before training, but the disk can still fail
            print(f"{PROG}: error: cannot write {str(path)!r}: {error}", file=sys.stderr)
            return 1
        print(f"wrote {path}")
    return 0


def _report(result: SweepResult) -> None:
    """One line per value: its final validation metric (median over the seeds)."""
    seeds = len(result.seeds)
    how = "" if seeds == 1 else f" (median of {seeds} seeds)"
    width = max(map(len, result.labels))
    metric = _METRIC_NAMES[result.metric]
    accuracy = (
        [None] * len(result.labels)
        if result.accuracy is None
        else result.curves_of("valid_accuracy")[:, -1]
    )
    rows = zip(result.labels, result.curves[:, -1], accuracy, result.final, strict=True)
    for label, final, correct, runs in rows:
        bad = int((~np.isfinite(runs)).sum())
        diverged = f", {bad} of {seeds} diverged" if seeds > 1 else " (diverged)"
        also = "" if correct is None else f", accuracy {correct:.3f}"
        print(f"{label:<{width}}  final {metric} {final:.4f}{also}{how}{diverged * (bad > 0)}")
    if result.yardsticks is not None:
        inputs = "" if result.inputs is None else f" ({result.inputs} inputs)"
        print(
            f"{'yardstick':<{width}}  predicting the training mean: {metric} "
            f"{float(np.median(result.yardsticks)):.4f}{how}; a model that learned from the "
            f"inputs{inputs} ends below it"
        )


def write_csv(result: SweepResult, path: str | os.PathLike[str]) -> None:
    """Write ``result``'s tidy table (:meth:`~optimlab.SweepResult.table`) as CSV, without pandas.

    Floats are written with Python's ``repr`` (they read back exactly), inf as ``inf``
    and NaN as ``nan``, which ``pandas.read_csv`` also reads as numbers.

    Parameters
    ----------
    result : SweepResult
    path : str or path-like
    """
    columns = result.table()
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(columns)
        for row in zip(*columns.values(), strict=True):
            writer.writerow([_cell(value) for value in row])


def _cell(value: object) -> str:
    if isinstance(value, float | np.floating):
        return repr(float(value))
    return str(value.item() if isinstance(value, np.generic) else value)
