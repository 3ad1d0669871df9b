"""What the ``optimlab`` command's options hold: ``module:name`` imports, optimizers, options.

Each function reads one value of an option as argparse hands it over, and raises
:class:`argparse.ArgumentTypeError` with a one-line message for a bad one, which argparse
prints after the option's name.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import os
import sys
from collections.abc import Callable
from typing import Any, cast

from .optimizers import OPTIMIZERS

__all__ = ["function_of_seed", "import_object", "optimizer_entry", "optimizer_option"]


def import_object(spec: str) -> Any:
    """The object that ``"module:name"`` names, importing the module (the current folder first).

    Raises :class:`argparse.ArgumentTypeError`, whose message argparse prints on one line
    after the option's name.
    """
    module_name, sep, name = spec.partition(":")
    if not sep or not module_name or not name:
        raise argparse.ArgumentTypeError(
            f"expected MODULE:NAME, such as 'problem:make_model', got {spec!r}"
        )
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # as `python -m` does; the console script does not
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise argparse.ArgumentTypeError(
            f"cannot import module {module_name!r}: {error}"
        ) from None
    except Exception as error:  # the user's module failed while it ran: say so, in one line
        raise argparse.ArgumentTypeError(
            f"importing module {module_name!r} raised {type(error).__name__}: {error}"
        ) from None
    found: Any = module
    for part in name.split("."):
        if not hasattr(found, part):
            raise argparse.ArgumentTypeError(f"module {module_name!r} has no {name!r}")
        found = getattr(found, part)
    return found


def function_of_seed(spec: str) -> Callable[..., Any]:
    """A ``module:function`` option's function (``--model``, ``--data``)."""
    found = import_object(spec)
    if not callable(found):
        raise argparse.ArgumentTypeError(
            f"{spec!r} is a {type(found).__name__}, not a function of the seed"
        )
    return cast(Callable[..., Any], found)


def optimizer_entry(value: str) -> Any:
    """An ``--optimizer`` value: a known name or a ``module:Class`` optimizer class, and
    with options in parentheses, ``sgd(momentum=0.9)``, the pair ``("sgd", {"momentum": 0.9})``.
    """
    head, parenthesis, rest = value.partition("(")
    head = head.strip()
    if ":" in head:
        optimizer = import_object(head)
    elif head in OPTIMIZERS:
        optimizer = head
    else:
        raise argparse.ArgumentTypeError(
            f"unknown optimizer {head!r}: choose from {', '.join(OPTIMIZERS)}, "
            "or name your own torch.optim.Optimizer subclass as MODULE:CLASS"
        )
    if not parenthesis:
        return optimizer
    return optimizer, _keywords(value, rest)


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
            options[keyword.arg] = ast.literal_eval(keyword.value)
        return options
    except (ValueError, SyntaxError):
        raise argparse.ArgumentTypeError(rule) from None


def optimizer_option(text: str) -> tuple[str, Any]:
    """An ``--optimizer-option`` value: ``NAME=VALUE``, the value a Python literal."""
    name, sep, literal = text.partition("=")
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(
            f"expected NAME=VALUE, such as 'momentum=0.9', got {text!r}"
        )
    try:
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError):
        raise argparse.ArgumentTypeError(
            f"the value of {name} must be a Python literal, such as 0.9, True or "
            f"(0.9, 0.999), got {literal!r}"
        ) from None
    return name, value
