"""A sweep's result kept: its tidy table, and the file that ``save`` writes and ``load`` reads.

The file is a NumPy ``.npz`` archive: the arrays stored bit for bit, and a JSON text of
everything else. No pickle: loading a file runs no code. An optimizer class of your own is
stored by its import path (``{"class": "module:QualName"}``), and found again on loading
only in a module already imported: loading imports nothing.
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._validation import brief
from .config import TrainingConfig
from .optimizers import is_entry_with_options, optimizer_label, optimizer_name
from .provenance import Provenance

if TYPE_CHECKING:
    from .results import SweepResult

__all__ = ["load_fields", "save_result", "table_of"]

#: The ``format`` and ``version`` in the metadata of a saved result.
_FORMAT, _VERSION = "optimlab.SweepResult", 1
#: The arrays a result may hold, stored as they are; ``runs`` always.
_ARRAYS = ("runs", "seconds_per_epoch", "accuracy", "yardsticks")


def table_of(result: SweepResult) -> dict[str, np.ndarray]:
    """The tidy columns of :meth:`optimlab.SweepResult.table`."""
    value, seed, epoch = np.indices(result.runs.shape).reshape(3, -1)
    settings = [_flat(config) for config in result.configs]
    columns = {"param": np.full(len(value), result.param, dtype=object)}
    if result.param == "optimizer":
        columns["value"] = np.array([optimizer_label(v) for v in result.values])[value]
    else:
        columns["value"] = np.array([s[result.param] for s in settings])[value]
    for name in settings[0]:
        columns[name] = np.array([s[name] for s in settings])[value]
    n_epoch = epoch + 1
    seconds = np.full(len(result.values), np.nan)
    if result.seconds_per_epoch is not None:
        seconds = np.asarray(result.seconds_per_epoch, dtype=float)
    columns |= {
        "seed": np.array(result.seeds, dtype=np.int64)[seed],
        "epoch": n_epoch,
        "step": n_epoch * (-(-result.n_train // result.batch_sizes))[value],  # ceil
        "samples": n_epoch * result.n_train,
        "seconds": n_epoch * seconds[value],
        result.metric: result.runs.ravel().copy(),
    }
    if result.accuracy is not None:
        columns["valid_accuracy"] = result.accuracy.ravel().copy()
    return columns


def save_result(result: SweepResult, path: str | os.PathLike[str]) -> None:
    """Write ``result`` as :meth:`optimlab.SweepResult.save` describes."""
    path = _check_path(path)
    if path.is_dir():
        raise IsADirectoryError(f"cannot save a SweepResult to {str(path)!r}: it is a folder")
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"cannot save a SweepResult to {str(path)!r}: "
            f"folder {str(path.parent)!r} does not exist"
        )
    arrays = {name: getattr(result, name) for name in _ARRAYS if getattr(result, name) is not None}
    config = result.config.as_dict()
    metadata = {
        "format": _FORMAT,
        "version": _VERSION,
        "param": result.param,
        "values": [_encode(value) for value in result.values],
        "config": config | {"optimizer": _encode(config["optimizer"])},
        "seeds": list(result.seeds),
        "n_train": result.n_train,
        "metric": result.metric,
        "inputs": result.inputs,
        "provenance": None if result.provenance is None else result.provenance.as_dict(),
    }
    # Write beside the target, then rename: a failed save leaves no half file.
    with tempfile.NamedTemporaryFile(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    ) as file:
        try:
            np.savez(file, metadata=np.array(json.dumps(metadata)), **arrays)
        except BaseException:
            file.close()
            os.unlink(file.name)
            raise
    os.replace(file.name, path)


def load_fields(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The constructor arguments of a result saved by :func:`save_result`."""
    path = _check_path(path)
    if not path.exists():
        raise FileNotFoundError(f"no saved SweepResult at {str(path)!r}: no such file")
    if path.is_dir():
        raise IsADirectoryError(f"cannot load a SweepResult from {str(path)!r}: a folder")
    where = f"{str(path)!r} is not a SweepResult saved by SweepResult.save"
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{where}: not an .npz archive")
    try:
        with np.load(path, allow_pickle=False) as archive:
            stored = {name: archive[name] for name in archive.files}
        metadata = json.loads(str(stored.pop("metadata")[()]))
    except (KeyError, ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
        raise ValueError(f"{where}: {type(error).__name__}: {error}") from None
    if not isinstance(metadata, dict) or metadata.get("format") != _FORMAT:
        raise ValueError(f"{where}: its metadata does not name the format {_FORMAT!r}")
    if metadata.get("version") != _VERSION:
        raise ValueError(
            f"{where} in a version this optimlab reads: format version "
            f"{metadata.get('version')!r}, expected {_VERSION}"
        )
    try:
        provenance, config = metadata["provenance"], metadata["config"]
        config["optimizer"] = _decode(config.get("optimizer", "adamw"))
        config["optimizer_options"] = _tuples(config.get("optimizer_options", {}))
        return {name: stored.get(name) for name in _ARRAYS} | dict(
            runs=stored["runs"],
            param=metadata["param"],
            values=tuple(map(_decode, metadata["values"])),
            config=TrainingConfig(**config),
            seeds=tuple(metadata["seeds"]),
            n_train=metadata["n_train"],
            provenance=None if provenance is None else Provenance.from_dict(provenance),
            # Files saved before results named their metric hold RMSEs.
            metric=metadata.get("metric", "valid_rmse"),
            inputs=metadata.get("inputs"),
        )
    except _ClassNotFound as error:
        raise ValueError(f"cannot load {str(path)!r}: {error}") from None
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{where}: {type(error).__name__}: {error}") from None


class _ClassNotFound(ValueError):
    """A saved result's optimizer class is not in the modules imported now."""


def _check_path(path: object) -> Path:
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be a string or a path, got {brief(path)}")
    return Path(path)


def _encode(value: Any) -> Any:
    """A swept value as JSON keeps it: NumPy scalars become Python ones, an optimizer class
    its import path, an ``(optimizer, options)`` entry a mapping."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, type):
        if "<locals>" in value.__qualname__:
            raise ValueError(
                f"cannot save a result trained with the optimizer class {value.__qualname__}: "
                "it is defined inside a function, where load could not find it; define it "
                "at the top level of a module"
            )
        return {"class": f"{value.__module__}:{value.__qualname__}"}
    if is_entry_with_options(value):
        return {"optimizer": _encode(value[0]), "options": dict(value[1])}
    return value


def _decode(value: Any) -> Any:
    """A swept value (or the config's optimizer) as :func:`_encode` wrote it."""
    if isinstance(value, dict) and set(value) == {"class"}:
        return _imported_class(value["class"])
    if isinstance(value, dict) and set(value) == {"optimizer", "options"}:
        return _decode(value["optimizer"]), _tuples(value["options"])
    if isinstance(value, list) and len(value) == 2 and isinstance(value[1], dict):
        return value[0], _tuples(value[1])  # an entry with options, as the first files wrote it
    return value


def _tuples(value: Any) -> Any:
    """Optimizer options as JSON reads them back, their tuples (JSON's lists) tuples again:
    an option's value is hashable, so never a list."""
    if isinstance(value, dict):
        return {name: _tuples(option) for name, option in value.items()}
    return tuple(map(_tuples, value)) if isinstance(value, list) else value


def _imported_class(path: str) -> type:
    """The class at ``"module:QualName"``, found by name in a module already imported, as
    pickle finds classes (a script finds its own ``__main__`` class of that name)."""
    module_name, _, qualname = path.partition(":")
    module = sys.modules.get(module_name)
    found: Any = module
    for part in qualname.split("."):
        found = getattr(found, part, None)
    if isinstance(found, type):
        return found
    if module_name == "__main__":
        why = (
            f"{qualname}, defined in the script that saved it (module __main__): load it in "
            "that script, or define the class in a module and import that module before loading"
        )
    elif module is None:
        why = (
            f"{path}: import {module_name} before loading it (loading imports no module, so "
            "that it runs no code)"
        )
    else:
        why = f"{path}, which module {module_name} does not have"
    raise _ClassNotFound(f"it was trained with the optimizer class {why}")


def _flat(config: TrainingConfig) -> dict[str, Any]:
    """``config``'s settings as a table holds them: the optimizer by name, its options as
    JSON, ``eps`` as the optimizer was made with it (NaN for an optimizer without one)."""
    settings = config.as_dict()
    settings["eps"] = config.optimizer_kwargs().get("eps", math.nan)
    settings["optimizer"] = optimizer_name(settings["optimizer"])
    settings["optimizer_options"] = json.dumps(settings["optimizer_options"], sort_keys=True)
    return settings
