"""What the ``optimlab`` command's options hold, and their checks before any training.

The readers take one value of an option as argparse hands it over and raise
:class:`argparse.ArgumentTypeError`, whose one-line message argparse prints after the
option's name; :func:`check_sweep` then checks the options together.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

from torch.optim import Optimizer

from ._validation import check_positive_int, check_takes_seed
from .config import TrainingConfig
from .lr_schedules import LR_SCHEDULES
from .optimizers import OPTIMIZERS

#: The optimizer options that the command does not take, and why.
_NOT_OPTIONS = {
    "lr": "--lr sets it",
    "weight_decay": "--weight-decay sets it",
    "betas": "--beta1 and --beta2 set them",
    "beta": "--beta1 sets it",
    "beta1": "--beta1 sets it",
    "beta2": "--beta2 sets it",
    "eps": "a sweep keeps each optimizer's own default (TrainingConfig.eps)",
}


def import_object(spec: str, example: str = "problem:model") -> Any:
    """The object that ``"module:name"`` names, its module imported from ``sys.path``."""
    module_name, _, name = spec.partition(":")
    if not all(part.isidentifier() for path in (module_name, name) for part in path.split(".")):
        raise argparse.ArgumentTypeError(
            f"expected MODULE:NAME, such as {example!r}, got {spec!r}"
        )
    try:
        found = importlib.import_module(module_name)
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
    return found


def optimizer_entry(value: str) -> Any:
    """An ``--optimizer`` value: a known name or a ``module:Class`` optimizer class, and
    with options in parentheses, ``sgd(momentum=0.9)``, the pair ``("sgd", {"momentum": 0.9})``.
    """
    head, parenthesis, rest = value.partition("(")
    head = head.strip()
    optimizer: Any = head
    if ":" in head:
        optimizer = import_object(head, example="my_optimizers:Lion")
        if not (isinstance(optimizer, type) and issubclass(optimizer, Optimizer)):
            what = f"the class {optimizer.__name__}" if isinstance(optimizer, type) else (
                f"an object of type {type(optimizer).__name__}"
            )  # fmt: skip
            raise argparse.ArgumentTypeError(
                f"{head!r} is {what}, not a torch.optim.Optimizer subclass"
            )
    elif head not in OPTIMIZERS:
        raise argparse.ArgumentTypeError(
            f"unknown optimizer {head!r}: choose from {', '.join(OPTIMIZERS)}, "
            "or name your own torch.optim.Optimizer subclass as MODULE:CLASS"
        )
    if not parenthesis:
        return optimizer
    rule = (
        "expected NAME(OPTION=VALUE, ...), each value a Python literal, such as "
        f"'sgd(momentum=0.9, nesterov=True)', got {value!r}"
    )
    options: dict[str, Any] = {}
    try:
        if not rest.rstrip().endswith(")"):
            raise ValueError(rule)
        call = ast.parse(f"f({rest.rstrip()[:-1]})", mode="eval").body
        if not isinstance(call, ast.Call) or call.args:
            raise ValueError(rule)
        for keyword in call.keywords:
            if keyword.arg is None:  # f(**options)
                raise ValueError(rule)
            if keyword.arg in options:
                raise argparse.ArgumentTypeError(f"{value!r} sets {keyword.arg} twice")
            _check_option(keyword.arg)
            options[keyword.arg] = ast.literal_eval(keyword.value)
    except (ValueError, SyntaxError):
        raise argparse.ArgumentTypeError(rule) from None
    return (optimizer, options) if options else optimizer


def optimizer_option(text: str) -> tuple[str, Any]:
    """An ``--optimizer-option`` value: ``NAME=VALUE``, the value a Python literal."""
    name, sep, literal = (part.strip() for part in text.partition("="))
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(
            f"expected NAME=VALUE, such as 'momentum=0.9', got {text!r}"
        )
    _check_option(name)
    try:
        return name, ast.literal_eval(literal)
    except (ValueError, SyntaxError):
        raise argparse.ArgumentTypeError(
            f"the value of {name} must be a Python literal, such as 0.9, True or "
            f"(0.9, 0.999), got {literal!r}"
        ) from None


def _check_option(name: str) -> None:
    if name in _NOT_OPTIONS:
        raise argparse.ArgumentTypeError(f"{name} is not an option here: {_NOT_OPTIONS[name]}")


def one_line(error: BaseException) -> str:
    """``error``'s message on one line, as the command prints every error."""
    return " ".join(str(error).split())


#: The settings a sweep can compare, by option: (setting, type of one value, help).
# fmt: off
SWEPT_OPTIONS: dict[str, tuple[str, Callable[[str], Any], str]] = {
    "--batch-size": ("batch_size", int, "rows per mini-batch"),
    "--lr": ("lr", float, "the optimizer's learning rate"),
    "--weight-decay": ("weight_decay", float, "the optimizer's weight_decay: decoupled for "
                       "AdamW and momentum, an L2 penalty for the others"),
    "--beta1": ("beta1", float, "Adam's and AdamW's decay of the gradients' running mean "
                "(momentum's beta), in [0, 1)"),
    "--beta2": ("beta2", float, "Adam's and AdamW's decay of the squared gradients' running "
                "mean, in [0, 1)"),
    "--optimizer": ("optimizer", optimizer_entry, f"{', '.join(OPTIMIZERS)}, or your own "
                    "torch.optim.Optimizer subclass as MODULE:CLASS; NAME(OPTION=VALUE, ...) "
                    "gives one entry its own options, such as 'sgd(momentum=0.9)'"),
    "--lr-schedule": ("lr_schedule", str, "how the learning rate changes along the run, --lr "
                      f"its peak: {', '.join(LR_SCHEDULES)}"),
}
# fmt: on


def check_sweep(
    args: argparse.Namespace, sweep: argparse.ArgumentParser, formats: list[str]
) -> tuple[dict[str, Any], int]:
    """compare_configs's settings and seeds from ``args``; ``sweep.error`` at the first bad one.

    ``formats`` are the figure files ``--plot`` can write.
    """

    def check(option: str, check: Callable[..., object], *args: Any, **kwargs: Any) -> None:
        try:
            check(*args, **kwargs)
        except (TypeError, ValueError) as error:
            sweep.error(f"argument {option}: {error}")

    for option, name in (("--epochs", "epochs"), ("--seeds", "seeds"), ("--n-jobs", "n_jobs")):
        if getattr(args, name) is not None:
            check(option, check_positive_int, name, getattr(args, name))
    settings: dict[str, Any] = {"epochs": args.epochs}
    several = []
    for option, (name, _, _) in SWEPT_OPTIONS.items():
        values = getattr(args, name)
        if values is None:
            continue
        if name != "optimizer":  # a name or class already; compare_configs checks the rest
            for value in values:
                check(option, TrainingConfig, **{name: value})
        settings[name] = values if len(values) > 1 else values[0]
        several += [option] * (len(values) > 1)
    if len(several) != 1:
        found = "none has" if not several else f"{' and '.join(several)} have"
        sweep.error(
            f"give several values to exactly one of {', '.join(SWEPT_OPTIONS)}, "
            f"the setting to compare; {found} several"
        )
    names = [name for name, _ in args.optimizer_option]
    repeated = sorted({name for name in names if names.count(name) > 1})
    for broken, message in (
        (args.standardize and args.data is not None, "--standardize: it standardises the "
         "exercise's data; with --data, your function returns the inputs as they should be "
         "trained"),
        (args.loss == "cross_entropy" and args.data is None, "--loss: cross_entropy needs "
         "class labels, and the exercise's data are a regression problem: give your own "
         "with --data MODULE:FUNCTION"),
        (args.loss == "cross_entropy" and args.model is None, "--loss: cross_entropy needs a "
         "model with one output per class, and the exercise's MLP has one output: give your "
         "own with --model MODULE:FUNCTION"),
        (repeated, f"--optimizer-option: {', '.join(repeated)} given more than once"),
    ):  # fmt: skip
        if broken:
            sweep.error(f"argument {message}")
    for option, path in (("--plot", args.plot), ("--csv", args.csv), ("--save", args.save)):
        if path is None:
            continue
        if path.is_dir():
            sweep.error(f"argument {option}: {str(path)!r} is a folder, not a file name")
        if not path.parent.is_dir():
            sweep.error(f"argument {option}: folder {str(path.parent)!r} does not exist")
        if not os.access(path.parent, os.W_OK):
            sweep.error(f"argument {option}: cannot write in folder {str(path.parent)!r}")
    if args.plot is not None and args.plot.suffix.lstrip(".").lower() not in formats:
        sweep.error(
            f"argument --plot: cannot tell the figure's format from {str(args.plot)!r}; "
            f"end the name with one of {', '.join('.' + f for f in sorted(formats))}"
        )
    return settings, args.seeds


def raised_in_your_code(error: BaseException, args: argparse.Namespace) -> bool:
    """Does ``error``'s traceback (a worker's included) pass through a module of the
    command's ``--model``, ``--data`` or ``--optimizer``?"""
    entries = [e[0] if isinstance(e, tuple) else e for e in args.optimizer or []]
    text = "".join(traceback.format_exception(error))
    for obj in [args.model, args.data, *entries]:
        name = getattr(obj, "__module__", None) or ""
        file = getattr(sys.modules.get(name), "__file__", None)
        ours = name.partition(".")[0] in ("builtins", "optimlab", "torch")
        if file and not ours and f'File "{file}"' in text:
            return True
    return False
