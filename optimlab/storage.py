"""A sweep's result kept: its tidy table, and the file that ``save`` writes and ``load`` reads.

The file is a NumPy ``.npz`` archive: the arrays stored bit for bit, and a JSON text of
everything else. No pickle: loading a file runs no code.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._validation import brief
from .config import TrainingConfig
from .optimizers import optimizer_name
from .provenance import Provenance

if TYPE_CHECKING:
    from .results import SweepResult

__all__ = ["load_fields", "save_result", "table_of"]


def table_of(result: SweepResult) -> dict[str, np.ndarray]:
    """The tidy columns of :meth:`optimlab.SweepResult.table`."""
    n_values, n_seeds, n_epochs = result.runs.shape
    value, seed, epoch = (
        index.ravel()
        for index in np.meshgrid(
            np.arange(n_values), np.arange(n_seeds), np.arange(n_epochs), indexing="ij"
        )
    )
    settings = [_flat(config) for config in result.configs]
    columns: dict[str, np.ndarray] = {
        "param": np.full(len(value), result.param, dtype=object),
        "value": np.array([s[result.param] for s in settings])[value],
    }
    for name in settings[0]:
        columns[name] = np.array([s[name] for s in settings])[value]
    n_epoch = epoch + 1
    steps_per_epoch = -(-result.n_train // result.batch_sizes)  # ceil, in integers
    seconds = (
        np.full(n_values, np.nan)
        if result.seconds_per_epoch is None
        else np.asarray(result.seconds_per_epoch, dtype=float)
    )
    columns |= {
        "seed": np.array(result.seeds, dtype=np.int64)[seed],
        "epoch": n_epoch,
        "step": n_epoch * steps_per_epoch[value],
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
    arrays: dict[str, Any] = {"runs": result.runs}
    if result.seconds_per_epoch is not None:
        arrays["seconds_per_epoch"] = result.seconds_per_epoch
    if result.accuracy is not None:
        arrays["accuracy"] = result.accuracy
    metadata = {
        "format": _FORMAT,
        "version": _VERSION,
        "param": result.param,
        "values": [_plain(value) for value in result.values],
        "config": result.config.as_dict(),
        "seeds": list(result.seeds),
        "n_train": result.n_train,
        "metric": result.metric,
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
        provenance = metadata["provenance"]
        return dict(
            param=metadata["param"],
            values=tuple(metadata["values"]),
            runs=stored["runs"],
            config=TrainingConfig(**metadata["config"]),
            seeds=tuple(metadata["seeds"]),
            n_train=metadata["n_train"],
            seconds_per_epoch=stored.get("seconds_per_epoch"),
            provenance=None if provenance is None else Provenance.from_dict(provenance),
            # Files saved before results named their metric hold RMSEs.
            metric=metadata.get("metric", "valid_rmse"),
            accuracy=stored.get("accuracy"),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{where}: {type(error).__name__}: {error}") from None


#: The ``format`` and ``version`` in the metadata of a saved result.
_FORMAT = "optimlab.SweepResult"
_VERSION = 1


def _check_path(path: object) -> Path:
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be a string or a path, got {brief(path)}")
    return Path(path)


def _plain(value: Any) -> Any:
    """A swept value as JSON keeps it: NumPy scalars become Python ones."""
    return value.item() if isinstance(value, np.generic) else value


def _flat(config: TrainingConfig) -> dict[str, Any]:
    """``config``'s settings as a table holds them: the optimizer by name, its options as JSON."""
    settings = config.as_dict()
    settings["optimizer"] = optimizer_name(settings["optimizer"])
    settings["optimizer_options"] = json.dumps(settings["optimizer_options"], sort_keys=True)
    return settings
