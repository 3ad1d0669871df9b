"""What the ``optimlab`` command's options hold, and their checks before any training.

The readers (``import_object``, ``function_of_seed``, ``optimizer_entry``,
``optimizer_option``) take one value of an option as argparse hands it over, and raise
:class:`argparse.ArgumentTypeError` with a one-line message for a bad one, which argparse
prints after the option's name. :func:`check_sweep` then checks the options together.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from torch.optim import Optimizer

from ._validation import check_positive_int, check_takes_seed
from .config import TrainingConfig
from .lr_schedules import LR_SCHEDULES
from .optimizers import OPTIMIZERS

__all__ = [
    "SWEPT_OPTIONS",
    "check_sweep",
    "function_of_seed",
    "import_object",
    "one_line",
    "optimizer_entry",
    "optimizer_option",
    "raised_in_your_code",
]

#: The optimizer arguments that the command's own options set, and which options do.
_OWN_OPTIONS = {
    "lr": "--lr sets it",
    "weight_decay": "--weight-decay sets it",
    "betas": "--beta1 and --beta2 set them",
    "beta": "--beta1 sets it",
    "beta1": "--beta1 sets it",
    "beta2": "--beta2 sets it",
}


def import_object(spec: str, example: str = "problem:model") -> Any:
    """The object that ``"module:name"`` names, importing the module.

    The module is looked for on ``sys.path``, which :func:`optimlab.cli.main` opens with
    the current folder. Raises :class:`argparse.ArgumentTypeError`, whose message argparse
    prints on one line after the option's name.
    """
    module_name, _, name = spec.partition(":")
    dotted = (module_name, name)
    if any(not part.isidentifier() for path in dotted for part in path.split(".")):
        raise argparse.ArgumentTypeError(
            f"expected MODULE:NAME, such as {example!r}, got {spec!r}"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise argparse.ArgumentTypeError(
            f"cannot import module {module_name!r}: {one_line(error)}"
        ) from None
    except SystemExit as error:
        raise argparse.ArgumentTypeError(
            f"importing module {module_name!r} called sys.exit({error.code!r})"
        ) from None
    except Exception as error:  # the user's module failed while it ran: say so, in one line
        raise argparse.ArgumentTypeError(
            f"importing module {module_name!r} raised {type(error).__name__}: {one_line(error)}"
        ) from None
    found: Any = module
    for part in name.split("."):
        if not hasattr(found, part):
            raise argparse.ArgumentTypeError(f"module {module_name!r} has no {name!r}")
        found = getattr(found, part)
    return found


def function_of_seed(spec: str) -> Callable[..., Any]:
    """A ``module:function`` option's function (``--model``, ``--data``), callable with a seed."""
    found = import_object(spec)
    if not callable(found):
        raise argparse.ArgumentTypeError(
            f"{spec!r} is an object of type {type(found).__name__}, not a function of the seed"
        )
    try:
        check_takes_seed(spec, found)
    except TypeError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return cast(Callable[..., Any], found)


def optimizer_entry(value: str) -> Any:
    """An ``--optimizer`` value: a known name or a ``module:Class`` optimizer class, and
    with options in parentheses, ``sgd(momentum=0.9)``, the pair ``("sgd", {"momentum": 0.9})``.
    """
    head, parenthesis, rest = value.partition("(")
    head = head.strip()
    optimizer: Any
    if ":" in head:
        optimizer = import_object(head, example="my_optimizers:Lion")
        if not (isinstance(optimizer, type) and issubclass(optimizer, Optimizer)):
            what = f"the class {optimizer.__name__}" if isinstance(optimizer, type) else (
                f"an object of type {type(optimizer).__name__}"
            )  # fmt: skip
            raise argparse.ArgumentTypeError(
                f"{head!r} is {what}, not a torch.optim.Optimizer subclass"
            )
    elif head in OPTIMIZERS:
        optimizer = head
    else:
        raise argparse.ArgumentTypeError(
            f"unknown optimizer {head!r}: choose from {', '.join(OPTIMIZERS)}, "
            "or name your own torch.optim.Optimizer subclass as MODULE:CLASS"
        )
    if not parenthesis:
        return optimizer
    options = _keywords(value, rest)
    return (optimizer, options) if options else optimizer


def _keywords(value: str, rest: str) -> dict[str, Any]:
    """The options of ``name(option=literal, ...)``, from the text after its ``(``."""
    rule = (
        f"expected NAME(OPTION=VALUE, ...), each value a Python literal, such as "
        f"'sgd(momentum=0.9, nesterov=True)', got {value!r}"
    )
    if not rest.rstrip().endswith(")"):
        raise argparse.ArgumentTypeError(rule)
    try:
        call = ast.parse(f"f({rest.rstrip()[:-1]})", mode="eval").body
        if not isinstance(call, ast.Call) or call.args:
            raise ValueError(rule)
        options = {}
        for keyword in call.keywords:
            if keyword.arg is None:  # f(**options)
                raise ValueError(rule)
            if keyword.arg in options:
                raise argparse.ArgumentTypeError(f"{value!r} sets {keyword.arg} twice")
            options[keyword.arg] = ast.literal_eval(keyword.value)
    except (ValueError, SyntaxError):
        raise argparse.ArgumentTypeError(rule) from None
    for name in options:
        _check_not_own_option(name)
    return options


def optimizer_option(text: str) -> tuple[str, Any]:
    """An ``--optimizer-option`` value: ``NAME=VALUE``, the value a Python literal."""
    name, sep, literal = (part.strip() for part in text.partition("="))
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(
            f"expected NAME=VALUE, such as 'momentum=0.9', got {text!r}"
        )
    _check_not_own_option(name)
    try:
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError):
        raise argparse.ArgumentTypeError(
            f"the value of {name} must be a Python literal, such as 0.9, True or "
            f"(0.9, 0.999), got {literal!r}"
        ) from None
    return name, value


def _check_not_own_option(name: str) -> None:
    if name in _OWN_OPTIONS:
        raise argparse.ArgumentTypeError(f"{name} is not an option here: {_OWN_OPTIONS[name]}")
    if name == "eps":
        raise argparse.ArgumentTypeError(
            "eps is not an option: a sweep keeps each optimizer's own default (TrainingConfig.eps)"
        )


def one_line(error: BaseException) -> str:
    """``error``'s message on one line, as the command prints every error."""
    return " ".join(str(error).split())


#: The settings a sweep can compare, by option: (setting, type of one value, help).
SWEPT_OPTIONS: dict[str, tuple[str, Callable[[str], Any], str]] = {
    "--batch-size": ("batch_size", int, "rows per mini-batch"),
    "--lr": ("lr", float, "the optimizer's learning rate"),
    "--weight-decay": (
        "weight_decay",
        float,
        "the optimizer's weight_decay: decoupled for AdamW and momentum, an L2 penalty "
        "for the others",
    ),
    "--beta1": (
        "beta1",
        float,
        "Adam's and AdamW's decay of the gradients' running mean (momentum's beta), in [0, 1)",
    ),
    "--beta2": (
        "beta2",
        float,
        "Adam's and AdamW's decay of the squared gradients' running mean, in [0, 1)",
    ),
    "--optimizer": (
        "optimizer",
        optimizer_entry,
        f"{', '.join(OPTIMIZERS)}, or your own torch.optim.Optimizer subclass as "
        "MODULE:CLASS; NAME(OPTION=VALUE, ...) gives one entry its own options, such as "
        "'sgd(momentum=0.9)'",
    ),
    "--lr-schedule": (
        "lr_schedule",
        str,
        f"how the learning rate changes along the run, --lr its peak: {', '.join(LR_SCHEDULES)}",
    ),
}


def check_sweep(
    args: argparse.Namespace, sweep: argparse.ArgumentParser, formats: list[str]
) -> tuple[dict[str, Any], int]:
    """compare_configs's settings and seeds from ``args``; ``sweep.error`` at the first bad one.

    ``formats`` are the figure files ``--plot`` can write.
    """
    for option, name in (("--epochs", "epochs"), ("--seeds", "seeds"), ("--n-jobs", "n_jobs")):
        value = getattr(args, name)
        if value is not None:
            try:
                check_positive_int(name, value)
            except ValueError as error:
                sweep.error(f"argument {option}: {error}")
    settings: dict[str, Any] = {"epochs": args.epochs}
    several = []
    for option, (name, _, _) in SWEPT_OPTIONS.items():
        values = getattr(args, name)
        if values is None:
            continue
        for value in values:
            if name == "optimizer":  # a name or class already; compare_configs checks the rest
                continue
            try:
                TrainingConfig(**{name: value})
            except (TypeError, ValueError) as error:
                sweep.error(f"argument {option}: {error}")
        settings[name] = values if len(values) > 1 else values[0]
        if len(values) > 1:
            several.append(option)
    if len(several) != 1:
        found = "none has" if not several else f"{' and '.join(several)} have"
        sweep.error(
            f"give several values to exactly one of {', '.join(SWEPT_OPTIONS)}, "
            f"the setting to compare; {found} several"
        )
    if args.standardize and args.data is not None:
        sweep.error(
            "argument --standardize: it standardises the exercise's data; with --data, "
            "your function returns the inputs as they should be trained"
        )
    if args.loss == "cross_entropy" and args.data is None:
        sweep.error(
            "argument --loss: cross_entropy needs class labels, and the exercise's data are "
            "a regression problem: give your own with --data MODULE:FUNCTION"
        )
    if args.loss == "cross_entropy" and args.model is None:
        sweep.error(
            "argument --loss: cross_entropy needs a model with one output per class, and "
            "the exercise's MLP has one output: give your own with --model MODULE:FUNCTION"
        )
    names = [name for name, _ in args.optimizer_option]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        sweep.error(f"argument --optimizer-option: {', '.join(repeated)} given more than once")
    for option, path in (("--plot", args.plot), ("--csv", args.csv), ("--save", args.save)):
        if path is not None:
            check_output(sweep, option, path)
    if args.plot is not None:
        suffix = args.plot.suffix.lstrip(".").lower()
        if suffix not in formats:
            sweep.error(
                f"argument --plot: cannot tell the figure's format from {str(args.plot)!r}; "
                f"end the name with one of {', '.join('.' + f for f in sorted(formats))}"
            )
    return settings, args.seeds


def raised_in_your_code(error: BaseException, args: argparse.Namespace) -> bool:
    """Does ``error``'s traceback (a worker's included) pass through a module of the
    command's ``--model``, ``--data`` or ``--optimizer``?"""
    entries = args.optimizer or []
    objects = [args.model, args.data, *(e[0] if isinstance(e, tuple) else e for e in entries)]
    files = set()
    for obj in objects:
        name = getattr(obj, "__module__", None) or ""
        module = sys.modules.get(name)
        ours = name.partition(".")[0] in ("builtins", "optimlab", "torch")
        if module is not None and not ours and getattr(module, "__file__", None):
            files.add(f'File "{module.__file__}"')
    text = "".join(traceback.format_exception(error))
    return any(file in text for file in files)


def check_output(parser: argparse.ArgumentParser, option: str, path: Path) -> None:
    if path.is_dir():
        parser.error(f"argument {option}: {str(path)!r} is a folder, not a file name")
    folder = path.parent
    if not folder.is_dir():
        parser.error(f"argument {option}: folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK):
        parser.error(f"argument {option}: cannot write in folder {str(folder)!r}")
