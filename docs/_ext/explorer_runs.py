"""The exercise in the browser: every curve of Question 1's settings, run once, drawn on demand.

:func:`explorer_runs` trains, with :func:`~optimlab.compare_sweeps` (the sweep engine,
bitwise equal to the plain loop), every setting of the exercise's five sweeps and their
neighbours *one at a time* around the defaults, and two full grids (learning rate x
batch size, learning rate x beta1) at the exercise's values, on the raw and on the
standardised inputs, under the seeds of the Question 1 pages. A configuration that
several of these comparisons share trains once.

:func:`explorer_record` gives those curves as plain JSON, at full precision (what a test
compares a page with); :func:`explorer_html` packs them, to four significant digits, into
one self-contained block of HTML: HTML form controls pick the settings, plotly.js
(loaded from the site, never a CDN) draws the median curve with its 10-90 % band over
the seeds, each seed's curve on demand, and the yardstick; pinned curves stay for
comparison and live in the page's address, so that a link shares a comparison. A
combination of settings that was not run is said to be so, never made up.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import torch

from optimlab import __version__, compare_sweeps, exercise_data
from optimlab._validation import brief, check_positive_int
from optimlab.config import DEFAULTS
from optimlab.data import standardized_exercise_data
from optimlab.metrics import baseline_rmse, median_finite, quantiles_finite

__all__ = [
    "EXPLORER_AXES",
    "EXPLORER_GRIDS",
    "ExplorerRuns",
    "explorer_html",
    "explorer_record",
    "explorer_runs",
    "packed_number",
    "reproduce_call",
    "settings_key",
]

#: The settings the explorer varies, in the order of the exercise, with their labels.
SETTINGS = ("lr", "batch_size", "weight_decay", "beta1", "beta2")
LABELS = {
    "lr": "Learning rate",
    "batch_size": "Batch size",
    "weight_decay": "Weight decay",
    "beta1": "beta1",
    "beta2": "beta2",
}
WORLDS = ("raw", "standardized")
WORLD_LABELS = {"raw": "raw (as in the exercise)", "standardized": "standardised"}

#: The values offered for each setting, each one run with the other settings at their
#: defaults: the exercise's five sweeps, the default, and the neighbour a student tries
#: next on each side: no decay, no momentum, a shorter memory of squared gradients
#: (beta2 0.9), a larger step, a smaller one (0.0001, as the input-scale page), a larger
#: batch. Every value costs seconds of each site build, so the list stays short; a batch
#: of 1 would cost more than all the others together.
EXPLORER_AXES: dict[str, tuple[float, ...]] = {
    "lr": (1.0, 0.3, 0.1, 0.01, 0.001, 0.0001),
    "batch_size": (2, 4, 8, 16, 32, 64, 128),
    "weight_decay": (0.0, 0.01, 0.03125, 0.0625, 0.125, 0.25, 0.5),
    "beta1": (0.0, 0.5, 0.85, 0.9, 0.95, 0.99, 0.999),
    "beta2": (0.9, 0.99, 0.999, 0.9999),
}
#: The two-setting grids, at the exercise's values on both axes: every cell is run.
EXPLORER_GRIDS: dict[tuple[str, str], tuple[tuple[float, ...], tuple[float, ...]]] = {
    ("lr", "batch_size"): ((1.0, 0.1, 0.01, 0.001), (2, 4, 8, 16, 32, 64)),
    ("lr", "beta1"): ((1.0, 0.1, 0.01, 0.001), (0.5, 0.85, 0.9, 0.95, 0.99, 0.999)),
}
#: The band drawn around the median: these quantiles over the seeds.
BAND = (0.1, 0.9)

Settings = tuple[float, ...]  # one value per name of SETTINGS


@dataclass(frozen=True)
class ExplorerRuns:
    """Every curve the explorer shows, as :func:`explorer_runs` computed it.

    Attributes
    ----------
    axes : dict of str to tuple
        The values offered for each setting (see :data:`EXPLORER_AXES`).
    grids : dict of (str, str) to (tuple, tuple)
        The two-setting grids and their values.
    curves : dict of str to dict
        For each world (``"raw"``, ``"standardized"``), each configuration run: its
        settings (one value per name of ``SETTINGS``) to its validation RMSE curves,
        shape ``(len(seeds), epochs)``.
    seeds : tuple of int
    epochs : int
    yardsticks : numpy.ndarray
        The RMSE of predicting the training mean, one per seed (the same in both worlds:
        the targets are not scaled).
    versions : dict of str to str
        The versions of optimlab and torch that made the curves.
    seconds : float
        Wall-clock seconds the training took.
    """

    axes: dict[str, tuple[float, ...]]
    grids: dict[tuple[str, str], tuple[tuple[float, ...], tuple[float, ...]]]
    curves: dict[str, dict[Settings, np.ndarray]]
    seeds: tuple[int, ...]
    epochs: int
    yardsticks: np.ndarray
    versions: dict[str, str]
    seconds: float

    @property
    def defaults(self) -> Settings:
        """The exercise's default settings, in the order of ``SETTINGS``."""
        return tuple(getattr(DEFAULTS, name) for name in SETTINGS)

    def __repr__(self) -> str:
        count = sum(len(runs) for runs in self.curves.values())
        return (
            f"<ExplorerRuns: {count} configurations x {len(self.seeds)} seeds x "
            f"{self.epochs} epochs, trained in {self.seconds:.1f} s>"
        )


def _check_axes(axes: object) -> dict[str, tuple[float, ...]]:
    if not isinstance(axes, Mapping) or set(axes) != set(SETTINGS):
        raise ValueError(
            f"axes must map each of {', '.join(SETTINGS)} to its values, got {brief(axes)}"
        )
    checked = {}
    for name in SETTINGS:
        values = axes[name]
        if not isinstance(values, Sequence) or isinstance(values, str) or not values:
            raise ValueError(f"axes[{name!r}] must be a non-empty list, got {brief(values)}")
        if getattr(DEFAULTS, name) not in values:
            raise ValueError(
                f"axes[{name!r}] must hold the default {getattr(DEFAULTS, name)!r}: every "
                f"other value is run against it, got {brief(values)}"
            )
        if len(set(values)) != len(values):
            raise ValueError(f"axes[{name!r}] must not repeat a value, got {brief(values)}")
        checked[name] = tuple(values)
    return checked


def _check_grids(
    grids: object, axes: dict[str, tuple[float, ...]]
) -> dict[tuple[str, str], tuple[tuple[float, ...], tuple[float, ...]]]:
    if not isinstance(grids, Mapping):
        raise TypeError(
            f"grids must be a dict of (setting, setting) to values, got {brief(grids)}"
        )
    checked = {}
    for pair, values in grids.items():
        if (
            not isinstance(pair, tuple)
            or len(pair) != 2
            or pair[0] == pair[1]
            or not set(pair) <= set(SETTINGS)
        ):
            raise ValueError(f"grids: a key must be two different settings, got {brief(pair)}")
        if not isinstance(values, tuple | list) or len(values) != 2:
            raise ValueError(f"grids[{pair!r}] must be two lists of values, got {brief(values)}")
        for name, row in zip(pair, values, strict=True):
            missing = [v for v in row if v not in axes[name]]
            if not row or missing:
                raise ValueError(
                    f"grids[{pair!r}]: the values of {name} must be offered by axes[{name!r}] "
                    f"(a cell is picked there), got {brief(missing or row)}"
                )
        checked[pair] = (tuple(values[0]), tuple(values[1]))
    return checked


def explorer_runs(
    *,
    seeds: int | Sequence[int] = 10,
    epochs: int = 30,
    axes: Mapping[str, Sequence[float]] = EXPLORER_AXES,
    grids: Mapping[tuple[str, str], tuple[Sequence[float], Sequence[float]]] = EXPLORER_GRIDS,
    n_jobs: int | None = None,
) -> ExplorerRuns:
    """Train every configuration the explorer offers, in both worlds of inputs.

    One :func:`~optimlab.compare_sweeps` call per world runs a sweep per setting (each
    of ``axes``' values, the others at their defaults) and, for each grid, a sweep of
    its first setting per value of its second; a configuration shared by several of
    them (the defaults, a grid's row through the defaults) trains once.

    Parameters
    ----------
    seeds : int or list of int, default=10
        As :func:`~optimlab.compare_configs`: ``10`` is the first ten seeds of the
        Question 1 pages, each with its own data split and initial weights.
    epochs : int, default=30
    axes : dict, default=EXPLORER_AXES
        Each of ``lr``, ``batch_size``, ``weight_decay``, ``beta1``, ``beta2`` to the
        values offered; each list holds the default.
    grids : dict, default=EXPLORER_GRIDS
        ``(setting, setting)`` to the two lists of values of a full grid, each value
        offered by ``axes``.
    n_jobs : int, optional
        Worker processes of the engine, as :func:`~optimlab.compare_configs`.

    Returns
    -------
    ExplorerRuns

    Raises
    ------
    ValueError, TypeError
        If ``axes`` or ``grids`` break the rules above, or as
        :func:`~optimlab.compare_sweeps` for the other arguments.

    Examples
    --------
    >>> from explorer_runs import explorer_runs
    >>> axes = {"lr": [0.01, 0.1], "batch_size": [16], "weight_decay": [0.01],
    ...         "beta1": [0.9], "beta2": [0.999]}
    >>> runs = explorer_runs(seeds=2, epochs=2, axes=axes, grids={})
    >>> sorted(runs.curves["raw"]), runs.curves["standardized"][(0.1, 16, 0.01, 0.9, 0.999)].shape
    ([(0.01, 16, 0.01, 0.9, 0.999), (0.1, 16, 0.01, 0.9, 0.999)], (2, 2))
    """
    epochs = check_positive_int("epochs", epochs)
    checked_axes = _check_axes(axes)
    checked_grids = _check_grids(grids, checked_axes)
    sweeps: list[dict[str, Any]] = [
        {"epochs": epochs, name: list(values)} for name, values in checked_axes.items()
    ]
    for (first, second), (rows, columns) in checked_grids.items():
        sweeps += [{"epochs": epochs, first: list(rows), second: column} for column in columns]

    start = time.perf_counter()
    curves: dict[str, dict[Settings, np.ndarray]] = {}
    used: tuple[int, ...] = ()
    for world, data in (("raw", None), ("standardized", standardized_exercise_data)):
        results = compare_sweeps(sweeps, seeds=seeds, data=data, n_jobs=n_jobs)
        found: dict[Settings, np.ndarray] = {}
        for result in results:
            for config, runs in zip(result.configs, result.runs, strict=True):
                found.setdefault(tuple(getattr(config, name) for name in SETTINGS), runs)
        curves[world] = found
        used = results[0].seeds
    seconds = time.perf_counter() - start
    yardsticks = np.array([baseline_rmse(exercise_data(seed)) for seed in used])
    versions = {"optimlab": __version__, "torch": torch.__version__}
    return ExplorerRuns(
        checked_axes, checked_grids, curves, used, epochs, yardsticks, versions, seconds
    )


def _text(value: float) -> str:
    """A setting as the page names it (and as its address holds it): ``0.01``, ``16``."""
    return f"{value:g}"


def settings_key(settings: Settings) -> str:
    """The text that names a configuration in the page's data and address: ``0.01_16_...``."""
    return "_".join(_text(value) for value in settings)


def reproduce_call(
    world: str, values: Mapping[str, str], seeds: Sequence[int], epochs: int
) -> str:
    """The ``compare_configs`` call that trains one configuration's curves, ready to copy.

    ``values`` holds each setting's value as Python source text.
    """
    seeds = tuple(seeds)
    seed_text = f"range({len(seeds)})" if seeds == tuple(range(len(seeds))) else repr(list(seeds))
    data = ""
    if world == "standardized":
        data = "    data=lambda seed: optimlab.exercise_data(seed, standardize=True),\n"
    return (
        "import optimlab\n\n"
        "result = optimlab.compare_configs(\n"
        f"    epochs={epochs}, lr=[{values['lr']}], batch_size={values['batch_size']},\n"
        f"    weight_decay={values['weight_decay']}, beta1={values['beta1']}, "
        f"beta2={values['beta2']},\n"
        f"    seeds={seed_text},\n"
        f"{data}"
        ")\n"
        "curves = result.runs[0]  # one validation RMSE curve per seed\n"
    )


def _summary(runs: np.ndarray) -> dict[str, Any]:
    """The median and band per epoch, the median final and best RMSE, of ``(seeds, epochs)``."""
    low, high = quantiles_finite(runs, BAND)
    median = median_finite(runs[None])[0]
    lowest = np.array([row[np.isfinite(row)].min() for row in runs if np.isfinite(row).any()])
    return {
        "median": median,
        "low": low,
        "high": high,
        "final": median[-1],  # the median over seeds of the last epoch's RMSE
        "best": np.median(lowest) if lowest.size else np.nan,
    }


def explorer_record(runs: ExplorerRuns) -> dict[str, Any]:
    """Every number the explorer shows, at full precision, as JSON-ready Python values.

    Keys: ``versions``, ``seeds``, ``epochs``, ``yardsticks``, ``axes`` (each setting's
    values as the page names them), ``grids`` and ``worlds``: for each world, each
    configuration's key (:func:`settings_key`) to its ``settings``, ``seeds`` (one curve
    per seed), ``median``, ``low`` and ``high`` (the 10 and 90 % quantiles), ``final``
    and ``best`` (the median over seeds of the last and of the lowest RMSE) and ``code``,
    the call that reproduces it. A number that is not finite is ``None``.

    Parameters
    ----------
    runs : ExplorerRuns

    Returns
    -------
    dict
    """
    if not isinstance(runs, ExplorerRuns):
        raise TypeError(f"runs must be an ExplorerRuns, got {type(runs).__name__}")

    def plain(array: Any) -> Any:
        values = np.asarray(array, dtype=float)
        if values.ndim == 0:
            return float(values) if np.isfinite(values) else None
        return [plain(row) for row in values]

    worlds: dict[str, dict[str, Any]] = {}
    for world, configs in runs.curves.items():
        worlds[world] = {}
        for settings, curves in configs.items():
            texts = {name: repr(value) for name, value in zip(SETTINGS, settings, strict=True)}
            entry = {
                "settings": dict(zip(SETTINGS, settings, strict=True)),
                "seeds": plain(curves),
            }
            entry |= {name: plain(value) for name, value in _summary(curves).items()}
            entry["code"] = reproduce_call(world, texts, runs.seeds, runs.epochs)
            worlds[world][settings_key(settings)] = entry
    return {
        "versions": dict(runs.versions),
        "seeds": list(runs.seeds),
        "epochs": runs.epochs,
        "seconds": runs.seconds,
        "yardsticks": plain(runs.yardsticks),
        "defaults": dict(zip(SETTINGS, runs.defaults, strict=True)),
        "axes": {name: [_text(v) for v in values] for name, values in runs.axes.items()},
        "grids": [
            {"settings": list(pair), "values": [[_text(v) for v in row] for row in values]}
            for pair, values in runs.grids.items()
        ],
        "worlds": worlds,
    }


def packed_number(value: float | None, digits: int = 4) -> float | None:
    """``value`` as the page holds it: ``digits`` significant digits (``None`` stays)."""
    return None if value is None else float(f"{value:.{digits}g}")


def _pack(value: Any, digits: int) -> str:
    """JSON text of ``value``, every float to ``digits`` significant digits."""
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ",".join(_pack(item, digits) for item in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ",".join(f"{json.dumps(k)}:{_pack(v, digits)}" for k, v in value.items()) + "}"
        )
    return json.dumps(value)


#: The form above the curves. ``{options}`` holds one menu per setting.
_CONTROLS = """<form class="optimlab-controls" id="ox-form">
<fieldset><legend>Inputs</legend>{worlds}</fieldset>
{menus}
<div class="ox-field ox-check"><input type="checkbox" id="ox-each" name="each">\
<label for="ox-each">Show each seed's curve</label></div>
<div class="ox-field ox-check"><input type="checkbox" id="ox-log" name="log">\
<label for="ox-log">Logarithmic RMSE axis</label></div>
<div class="ox-buttons"><button type="button" id="ox-pin">Pin this curve</button>
<button type="button" id="ox-defaults">Back to the defaults</button>
<button type="button" id="ox-clear">Remove every pin</button></div>
</form>
<p id="ox-status" class="ox-status" aria-live="polite"></p>
<div id="ox-curves" class="ox-plot" role="img" aria-label="Validation RMSE curves"></div>
<div id="ox-pinned-box"><p id="ox-pinned-title">Pinned curves (kept in this page's address: \
copy it to share the comparison):</p><ul id="ox-pinned" aria-labelledby="ox-pinned-title">\
</ul></div>
<p>The call that reproduces the curves shown, ready to copy into Python:</p>
<div class="highlight-python notranslate optimlab-explorer-code">\
<div class="highlight"><pre><code id="ox-code"></code></pre></div></div>
<p class="ox-provenance">{provenance}</p>
"""

_GRID_CONTROLS = """<form class="optimlab-controls" id="ox-grid-form">
<div class="ox-field"><label for="ox-grid">Grid</label><select id="ox-grid" name="grid">\
{grids}</select></div>
<div class="ox-field"><label for="ox-stat">Colour</label><select id="ox-stat" name="stat">\
<option value="final">final RMSE (epoch {epochs})</option>\
<option value="best">best RMSE (lowest epoch)</option></select></div>
</form>
<div id="ox-heat" class="ox-plot" role="img" aria-label="Heat map"></div>
<p id="ox-heat-status" class="ox-status" aria-live="polite"></p>
"""

_STYLE = """<style>
.optimlab-controls { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; margin: 0 0 0.5rem;
  align-items: flex-end; }
.optimlab-controls fieldset { border: 1px solid var(--pst-color-border, #ccc);
  padding: 0.2rem 0.6rem 0.4rem; margin: 0; flex: 1 1 100%; }
.optimlab-controls .ox-choice { display: inline-block; margin-right: 1.2rem; }
.optimlab-controls .ox-field { display: flex; flex-direction: column; }
.optimlab-controls .ox-check { flex-direction: row; gap: 0.4rem; align-items: center; }
.optimlab-controls select, .optimlab-controls button, #ox-pinned button { font: inherit;
  padding: 0.15rem 0.4rem; }
.optimlab-controls .ox-buttons { display: flex; flex-wrap: wrap; gap: 0.5rem; }
.ox-status { font-weight: 600; min-height: 1.5em; }
.ox-plot { width: 100%; height: 420px; }
#ox-pinned { padding-left: 1.2rem; }
#ox-pinned li { margin: 0.2rem 0; }
.ox-swatch { display: inline-block; width: 1.5em; height: 0.35em; vertical-align: middle;
  margin-right: 0.4em; }
.optimlab-explorer-code pre { white-space: pre-wrap; overflow-wrap: anywhere; }
</style>
"""


def _script() -> str:
    """The page's logic (``explorer.js`` beside this module), to inline in the page."""
    return (Path(__file__).parent / "explorer.js").read_text(encoding="utf-8")


def explorer_html(
    runs: ExplorerRuns, *, plotlyjs: str = "_static/plotly.min.js", digits: int = 4
) -> tuple[str, str]:
    """The explorer's two blocks of HTML: the curves with their controls, and the heat maps.

    The numbers travel inside the page (``fetch()`` fails on a page opened from disk),
    each to ``digits`` significant digits; plotly.js comes from ``plotlyjs``, a relative
    path. The second block holds the data and the script: put it after the first.

    The page keeps its state in its address, so that a link shares a comparison and a
    page may link to one setting: ``#world=standardized&lr=0.1&batch_size=16&each=1&
    log=1&pin=raw:0.01_16_0.01_0.9_0.999``, where ``world`` is ``raw`` or
    ``standardized``, each setting is one of the values offered (omitted: its default),
    ``each=1`` draws every seed, ``log=1`` a logarithmic axis, and each ``pin`` names a
    pinned curve by its world and its five settings (learning rate, batch size, weight
    decay, beta1, beta2). A value that was not run is said so and left out.

    Parameters
    ----------
    runs : ExplorerRuns
        From :func:`explorer_runs`.
    plotlyjs : str, default="_static/plotly.min.js"
        Where the page finds plotly.js, relative to the page.
    digits : int, default=4
        Significant digits of every number the page holds.

    Returns
    -------
    (str, str)
        The curves' block and the heat maps' block.

    Examples
    --------
    >>> from explorer_runs import explorer_html, explorer_runs
    >>> axes = {"lr": [0.01, 0.1], "batch_size": [16], "weight_decay": [0.01],
    ...         "beta1": [0.9], "beta2": [0.999]}
    >>> runs = explorer_runs(seeds=2, epochs=2, axes=axes, grids={})
    >>> curves, grids = explorer_html(runs)
    >>> '<select id="ox-lr" name="lr">' in curves, 'src="_static/plotly.min.js"' in grids
    (True, True)
    """
    if not isinstance(runs, ExplorerRuns):
        raise TypeError(f"runs must be an ExplorerRuns, got {type(runs).__name__}")
    if not isinstance(plotlyjs, str) or not plotlyjs.endswith(".js"):
        raise ValueError(f"plotlyjs must be a relative path ending in .js, got {brief(plotlyjs)}")
    digits = check_positive_int("digits", digits)
    record = explorer_record(runs)
    defaults = [_text(v) for v in runs.defaults]
    sources = {name: [repr(v) for v in values] for name, values in runs.axes.items()}
    worlds = {
        world: {
            key: {
                name: entry[name] for name in ("seeds", "median", "low", "high", "final", "best")
            }
            for key, entry in configs.items()
        }
        for world, configs in record["worlds"].items()
    }
    placeholders = {name: "{" + name + "}" for name in SETTINGS}
    grid_words = " and ".join(
        " x ".join(LABELS[name].lower() if name != "beta1" else name for name in pair)
        for pair in runs.grids
    )
    data = {
        "names": list(SETTINGS),
        "labels": [LABELS[name] for name in SETTINGS],
        "words": [LABELS[name].lower() if name != "beta1" else name for name in SETTINGS],
        "defaults": defaults,
        "axes": [record["axes"][name] for name in SETTINGS],
        "source": [sources[name] for name in SETTINGS],
        "grids": record["grids"],
        "gridWords": grid_words or "(none)",
        "epochs": runs.epochs,
        "seeds": list(runs.seeds),
        "yardstickMedian": float(np.median(runs.yardsticks)),
        "code": {
            world: reproduce_call(world, placeholders, runs.seeds, runs.epochs)
            for world in runs.curves
        },
        "worlds": worlds,
    }
    packed = _pack(data, digits).replace("<", "\\u003c")

    radios = "".join(
        f'<span class="ox-choice"><input type="radio" id="ox-world-{world}" name="world" '
        f'value="{world}"> <label for="ox-world-{world}">{WORLD_LABELS[world]}</label></span>'
        for world in runs.curves
    )
    menus = []
    for name in SETTINGS:
        default = _text(getattr(DEFAULTS, name))
        options = "".join(
            f'<option value="{value}">{value}{" (default)" if value == default else ""}</option>'
            for value in record["axes"][name]
        )
        menus.append(
            f'<div class="ox-field"><label for="ox-{name}">{LABELS[name]}</label>'
            f'<select id="ox-{name}" name="{name}">{options}</select></div>'
        )
    seeds = list(runs.seeds)
    seed_words = (
        f"seeds {seeds[0]} to {seeds[-1]}"
        if seeds == list(range(seeds[0], seeds[0] + len(seeds)))
        else "seeds " + ", ".join(map(str, seeds))
    )
    provenance = (
        f"Every curve was trained when this site was built, by optimlab "
        f"{escape(runs.versions['optimlab'])} with torch {escape(runs.versions['torch'])}, "
        f"under {seed_words} ({len(seeds)} seeds: each its own data split and initial "
        f"weights, as on the Question 1 pages), {runs.epochs} epochs; the page holds each "
        f"number to {digits} significant digits."
    )
    curves = _STYLE + _CONTROLS.format(
        worlds=radios, menus="\n".join(menus), provenance=provenance
    )
    grid_options = "".join(
        f'<option value="{i}">{escape(" x ".join(LABELS[name] for name in pair))}</option>'
        for i, pair in enumerate(runs.grids)
    )
    grids = (
        _GRID_CONTROLS.format(grids=grid_options, epochs=runs.epochs)
        + f'<script type="application/json" id="ox-data">{packed}</script>\n'
        + f'<script src="{escape(plotlyjs)}"></script>\n'
        + f"<script>\n{_script()}</script>\n"
    )
    return curves, grids
