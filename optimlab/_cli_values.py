"""What the ``optimlab`` command's options hold: ``module:name`` imports, optimizers, options.

Each function reads one value of an option as argparse hands it over, and raises
:class:`argparse.ArgumentTypeError` with a one-line message for a bad one, which argparse
prints after the option's name.
"""

from __future__ import annotations

import argparse
import ast
import importlib
from collections.abc import Callable
from typing import Any, cast

from torch.optim import Optimizer

from .config import DEFAULTS
from .optimizers import OPTIMIZERS
from .problem import check_takes_seed

__all__ = ["function_of_seed", "import_object", "optimizer_entry", "optimizer_option"]

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
            f"cannot import module {module_name!r}: {_one_line(error)}"
        ) from None
    except SystemExit as error:
        raise argparse.ArgumentTypeError(
            f"importing module {module_name!r} called sys.exit({error.code!r})"
        ) from None
    except Exception as error:  # the user's module failed while it ran: say so, in one line
        raise argparse.ArgumentTypeError(
            f"importing module {module_name!r} raised {type(error).__name__}: {_one_line(error)}"
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
            "eps is not an option: a sweep keeps it at its default, "
            f"{DEFAULTS.eps} (TrainingConfig.eps)"
        )


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())
