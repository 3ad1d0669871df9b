"""How a result was made: the software, the machine, the seeds, and what trained each run."""

from __future__ import annotations

import dataclasses
import datetime
import platform
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ._validation import brief
from ._version import __version__

__all__ = ["Provenance"]

#: What can train a run (``train_runs(..., with_trainers=True)``).
TRAINERS = ("engine", "func", "reference")


@dataclass(frozen=True)
class Provenance:
    """How a :class:`~optimlab.SweepResult` was made, as :func:`~optimlab.compare_configs` saw it.

    Enough to tell, months later, whether a rerun should give the same curves: they are
    bitwise reproducible for the same software versions and seeds.

    Attributes
    ----------
    optimlab, torch, numpy, python : str
        The versions that made the result.
    platform : str
        The operating system and processor, as ``platform.platform()`` names them.
    torch_threads : int
        ``torch.get_num_threads()`` of the process that made the result. Every run
        trains on one thread; measured times (``measure_time=True``) used this many.
    init_seeds : tuple of int
        Each sweep seed's initial-weight seed, ``123 + seed``, in the order of ``seeds``.
    shuffle_seeds : tuple of int or None
        The seed of each sweep seed's batch order, ``None`` for the stored order.
    trained_by : tuple of tuple of str
        Shape ``(len(values), len(seeds))``, like the result's ``final``, as each worker
        reports it: ``"engine"`` where the sweep engine's exact kernel trained the run
        (bitwise the reference loop's curve); ``"func"`` where its ``torch.func`` path
        did (a model that is not a plain MLP, or the cross-entropy loss: equal up to
        float32 rounding); ``"reference"`` where the reference loop did (an optimizer
        the engine does not have; a model ``torch.vmap`` cannot run, with an
        :class:`~optimlab.EngineFallbackWarning`; or a worker whose torch build failed
        the engine's self-check).
    created : str
        When the result was made: UTC, ISO 8601.

    Examples
    --------
    >>> from optimlab import compare_configs
    >>> result = compare_configs(epochs=1, lr=[0.1, 0.2], seeds=2, n_jobs=1)
    >>> result.provenance.trained_by
    (('engine', 'engine'), ('engine', 'engine'))
    >>> result.provenance.init_seeds
    (123, 124)
    """

    optimlab: str
    torch: str
    numpy: str
    python: str
    platform: str
    torch_threads: int
    init_seeds: tuple[int, ...]
    shuffle_seeds: tuple[int | None, ...]
    trained_by: tuple[tuple[str, ...], ...]
    created: str

    @classmethod
    def capture(
        cls,
        trained_by: Sequence[Sequence[str]],
        init_seeds: Sequence[int],
        shuffle_seeds: Sequence[int | None],
    ) -> Provenance:
        """Record this process's software and machine, and the seeds and trainer of each run.

        Parameters
        ----------
        trained_by : sequence of sequence of str
            What trained each run, shape ``(len(values), len(seeds))``, as
            ``train_runs(..., with_trainers=True)`` reports it.
        init_seeds, shuffle_seeds : sequence
            Each seed's initial-weight seed and row-order seed (``None``: stored order).

        Returns
        -------
        Provenance

        Raises
        ------
        ValueError
            If ``trained_by`` is not a non-empty rectangle with one column per seed, or
            names another trainer.
        """
        trained = tuple(tuple(row) for row in trained_by)
        n_seeds = len(init_seeds)
        if (
            not trained
            or n_seeds == 0
            or len(shuffle_seeds) != n_seeds
            or any(len(row) != n_seeds for row in trained)
            or not all(how in TRAINERS for row in trained for how in row)
        ):
            raise ValueError(
                f"trained_by must name one of {', '.join(TRAINERS)} for each run, one row "
                f"per value and one column per seed ({n_seeds}), got {brief(trained_by)}"
            )
        return cls(
            optimlab=__version__,
            torch=torch.__version__,
            numpy=np.__version__,
            python=platform.python_version(),
            platform=platform.platform(),
            torch_threads=torch.get_num_threads(),
            init_seeds=tuple(init_seeds),
            shuffle_seeds=tuple(shuffle_seeds),
            trained_by=trained,
            created=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        )

    def as_dict(self) -> dict[str, Any]:
        """Every field by name, tuples as lists: ready for ``json.dumps``."""
        return {
            field.name: _listed(getattr(self, field.name)) for field in dataclasses.fields(self)
        }

    @classmethod
    def from_dict(cls, fields: Mapping[str, Any]) -> Provenance:
        """The inverse of :meth:`as_dict`.

        Raises
        ------
        ValueError
            If a field is missing or unknown.
        """
        names = [field.name for field in dataclasses.fields(cls)]
        if not isinstance(fields, Mapping) or sorted(fields) != sorted(names):
            raise ValueError(
                f"provenance must have exactly the fields {', '.join(names)}, got {brief(fields)}"
            )
        return cls(**{name: _tupled(fields[name]) for name in names})


def _listed(value: Any) -> Any:
    return [_listed(v) for v in value] if isinstance(value, tuple) else value


def _tupled(value: Any) -> Any:
    return tuple(_tupled(v) for v in value) if isinstance(value, list) else value
