"""The explorer page's data: the curves are compare_configs', packed to four digits, small."""

from __future__ import annotations

import itertools
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

import optimlab

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "_ext"))
from explorer_runs import (  # the site's extension (docs/_ext), not the package
    EXPLORER_AXES,
    EXPLORER_GRIDS,
    SETTINGS,
    ExplorerRuns,
    explorer_html,
    explorer_record,
    explorer_runs,
    packed_number,
    settings_key,
)

AXES = {"lr": [0.01, 0.1], "batch_size": [16, 32], "weight_decay": [0.01],
        "beta1": [0.9, 0.5], "beta2": [0.999]}  # fmt: skip
GRIDS = {("lr", "batch_size"): ((0.01, 0.1), (16, 32))}
SEEDS, EPOCHS = 2, 3


@pytest.fixture(scope="module")
def runs() -> ExplorerRuns:
    return explorer_runs(seeds=SEEDS, epochs=EPOCHS, axes=AXES, grids=GRIDS)


def test_every_configuration_offered_is_run(runs):
    one_at_a_time = {
        tuple(value if name == swept else AXES[name][0] for name in SETTINGS)
        for swept in SETTINGS
        for value in AXES[swept]
    }
    grid = {
        (lr, batch, 0.01, 0.9, 0.999)
        for lr, batch in itertools.product(*GRIDS["lr", "batch_size"])
    }
    for world in ("raw", "standardized"):
        assert set(runs.curves[world]) == one_at_a_time | grid
        for curves in runs.curves[world].values():
            assert curves.shape == (SEEDS, EPOCHS)
    assert runs.seeds == (0, 1)
    assert runs.yardsticks.tolist() == [
        optimlab.baseline_rmse(optimlab.exercise_data(s)) for s in (0, 1)
    ]


def test_curves_are_compare_configs_bit_for_bit(runs):
    # A grid cell off the defaults in two settings, and a one-at-a-time value, per world.
    standardized = lambda seed: optimlab.exercise_data(seed, standardize=True)  # noqa: E731
    for world, data in (("raw", None), ("standardized", standardized)):
        direct = optimlab.compare_configs(
            epochs=EPOCHS, lr=[0.1], batch_size=32, seeds=SEEDS, data=data
        )
        assert np.array_equal(runs.curves[world][0.1, 32, 0.01, 0.9, 0.999], direct.runs[0])
        direct = optimlab.compare_configs(epochs=EPOCHS, beta1=[0.5], seeds=SEEDS, data=data)
        assert np.array_equal(runs.curves[world][0.01, 16, 0.01, 0.5, 0.999], direct.runs[0])


def test_the_call_shown_reproduces_the_curves(runs):
    record = explorer_record(runs)
    for world in ("raw", "standardized"):
        entry = record["worlds"][world][settings_key((0.1, 32, 0.01, 0.9, 0.999))]
        namespace: dict = {}
        exec(entry["code"], namespace)  # the text the page shows, ready to copy
        assert np.array_equal(namespace["curves"], runs.curves[world][0.1, 32, 0.01, 0.9, 0.999])
        assert entry["seeds"] == namespace["curves"].tolist()


def test_summaries(runs):
    record = explorer_record(runs)
    curves = runs.curves["raw"][0.01, 16, 0.01, 0.9, 0.999]
    entry = record["worlds"]["raw"]["0.01_16_0.01_0.9_0.999"]
    assert entry["median"] == np.median(curves, axis=0).tolist()
    assert entry["low"] == np.quantile(curves, 0.1, axis=0).tolist()
    assert entry["high"] == np.quantile(curves, 0.9, axis=0).tolist()
    assert entry["final"] == np.median(curves[:, -1])
    assert entry["best"] == np.median(curves.min(axis=1))
    assert json.loads(json.dumps(record, allow_nan=False)) == record


def _page_data(html: str) -> dict:
    (text,) = re.findall(
        r'<script type="application/json" id="ox-data">(.*?)</script>', html, re.S
    )
    return json.loads(text)


def test_the_page_holds_the_record_to_four_digits(runs):
    curves_html, grids_html = explorer_html(runs, plotlyjs="../_static/plotly.min.js")
    data = _page_data(grids_html)
    record = explorer_record(runs)
    for world, configs in record["worlds"].items():
        assert set(data["worlds"][world]) == set(configs)
        for key, entry in configs.items():
            packed = data["worlds"][world][key]
            for name in ("median", "low", "high"):
                assert packed[name] == [packed_number(v) for v in entry[name]]
            assert packed["seeds"] == [[packed_number(v) for v in row] for row in entry["seeds"]]
            assert packed["final"] == packed_number(entry["final"])
    assert data["seeds"] == [0, 1] and data["epochs"] == EPOCHS
    assert 'src="../_static/plotly.min.js"' in grids_html and "cdn" not in grids_html
    # Each setting is a labelled menu offering exactly the values run.
    for name in SETTINGS:
        assert f'<label for="ox-{name}">' in curves_html
        menu = re.search(rf'<select id="ox-{name}" name="{name}">(.*?)</select>', curves_html)
        assert re.findall(r'value="([^"]+)"', menu.group(1)) == [f"{v:g}" for v in AXES[name]]
    assert f"optimlab {optimlab.__version__}" in curves_html and "seeds 0 to 1" in curves_html


def test_full_page_is_small():
    # The real axes and grids, with made-up curves of the real shape: the page's size.
    settings = set()
    defaults = tuple(EXPLORER_AXES[name][EXPLORER_AXES[name].index(d)] for name, d in
                     zip(SETTINGS, (0.01, 16, 0.01, 0.9, 0.999), strict=True))  # fmt: skip
    for i, name in enumerate(SETTINGS):
        settings |= {(*defaults[:i], v, *defaults[i + 1 :]) for v in EXPLORER_AXES[name]}
    for (a, b), (rows, columns) in EXPLORER_GRIDS.items():
        for va, vb in itertools.product(rows, columns):
            cell = dict(zip(SETTINGS, defaults, strict=True)) | {a: va, b: vb}
            settings.add(tuple(cell[name] for name in SETTINGS))
    rng = np.random.default_rng(0)
    curves = {
        w: {s: rng.uniform(0.05, 3, (10, 30)) for s in settings} for w in ("raw", "standardized")
    }
    versions = {"optimlab": "x", "torch": "y"}
    fake = ExplorerRuns(EXPLORER_AXES, EXPLORER_GRIDS, curves, tuple(range(10)), 30,
                        rng.uniform(0.3, 0.4, 10), versions, 0.0)  # fmt: skip
    size = sum(len(block.encode()) for block in explorer_html(fake))
    assert size < 2_000_000, size


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"axes": {**AXES, "lr": [0.1]}}, ValueError, r"axes\['lr'\] must hold the default 0.01"),
        ({"axes": {"lr": [0.01]}}, ValueError, "axes must map each of lr, batch_size"),
        ({"axes": {**AXES, "beta2": []}}, ValueError, r"axes\['beta2'\] must be a non-empty list"),
        (
            {"grids": {("lr", "batch_size"): ((0.01,), (64,))}},
            ValueError,
            r"the values of batch_size must be offered by axes\['batch_size'\] "
            r"\(a cell is picked there\), got \[64\]",
        ),
        ({"grids": {("lr", "lr"): ((0.01,), (0.01,))}}, ValueError, "two different settings"),
        ({"grids": [("lr", "batch_size")]}, TypeError, "grids must be a dict"),
        ({"epochs": 0}, ValueError, "epochs"),
    ],
)
def test_bad_input_is_named(kwargs, error, message):
    arguments = {"axes": AXES, "grids": {}, "seeds": 1, "epochs": 1} | kwargs
    with pytest.raises(error, match=message):
        explorer_runs(**arguments)


def test_bad_runs_are_refused():
    with pytest.raises(TypeError, match="runs must be an ExplorerRuns, got dict"):
        explorer_html({})
    with pytest.raises(TypeError, match="runs must be an ExplorerRuns"):
        explorer_record([])
