"""One interactive figure: pick an optimizer, move the learning rate and momentum, see the path.

Drawn with plotly (the optional ``interactive`` extra), imported only when called. Every
path is computed beforehand by :func:`optimlab.race.path_grid`; the page only looks them
up, so what it shows is exactly what the optimizer gives. The paths travel as base64
float32 arrays (bit for bit the library's values, and small); a few lines of JavaScript
swap the drawn path when a control moves.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass

import numpy as np

from .._validation import brief
from ..landscape import MINIMUM, rosenbrock
from ..race import PathGrid

__all__ = ["InteractiveFigure", "interactive_paths"]

#: The JavaScript that wires the controls to the stored paths. ``{plot_id}`` is plotly's.
_SCRIPT = """
var gd = document.getElementById('{plot_id}');
var D = %(data)s;
function decode(text) {
  var bytes = Uint8Array.from(atob(text), function (c) { return c.charCodeAt(0); });
  return new Float32Array(bytes.buffer);
}
var X = decode(D.x), Y = decode(D.y), F = decode(D.f);
var n = D.steps + 1, state = D.initial.slice();
gd.optimlabPaths = {x: X, y: Y, f: F, shape: D.shape};
function show() {
  var o = state[0], l = state[1], m = state[2];
  var k = (o * D.shape[1] + l) * D.shape[2] + m, f = F[k];
  var text = isFinite(f) ? f.toPrecision(3) : 'diverged';
  Plotly.restyle(gd, {x: [X.subarray(k * n, k * n + n)], y: [Y.subarray(k * n, k * n + n)]},
                 [D.trace]);
  Plotly.relayout(gd, {'title.text': D.optimizers[o] + ', lr ' + D.lrs[l] + ', ' +
                       D.momentumNames[o] + ' ' + D.momenta[m] + '<br>f = ' + text +
                       ' after ' + D.steps + ' steps'});
  gd.setAttribute('data-selection', JSON.stringify(state));
}
gd.on('plotly_sliderchange', function (e) {
  state[e.slider.name === 'lr' ? 1 : 2] = Number(e.step.value); show();
});
gd.on('plotly_buttonclicked', function (e) { state[0] = e.active; show(); });
show();
"""

_MOMENTUM_NAMES = {"sgd": "momentum", "rmsprop": "momentum", "adam": "beta1",
                   "adamw": "beta1", "momentum": "beta"}  # fmt: skip


@dataclass(frozen=True)
class InteractiveFigure:
    """A self-contained HTML figure; notebooks and sphinx-gallery show it via ``_repr_html_``.

    Attributes
    ----------
    html : str
        A ``<div>`` with the figure and its scripts (not a full page).
    """

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"<InteractiveFigure: {len(self.html) / 1e3:.0f} kB of HTML>"


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f4").tobytes()).decode()


def interactive_paths(
    grid: PathGrid,
    *,
    initial: tuple[int, int, int] = (0, 0, 0),
    plotlyjs: bool | str = True,
    height: int = 600,
) -> InteractiveFigure:
    """Draw a :class:`~optimlab.race.PathGrid` with a dropdown and two sliders.

    The dropdown picks the optimizer, the sliders the learning rate and the momentum
    (what momentum means for each: :data:`optimlab.race.MOMENTUM_SETTING`); the path is
    drawn over log-scaled Rosenbrock contours and the title gives :math:`f` at its end.

    Parameters
    ----------
    grid : PathGrid
        From :func:`optimlab.race.path_grid`.
    initial : (int, int, int), default=(0, 0, 0)
        Indices of the optimizer, learning rate and momentum shown first.
    plotlyjs : bool or str, default=True
        plotly's ``include_plotlyjs``: ``True`` inlines plotly.js (about 5 MB, works
        anywhere offline); a path ending in ``.js`` loads that local copy instead.
    height : int, default=600
        Pixels; the width follows the page.

    Returns
    -------
    InteractiveFigure

    Examples
    --------
    >>> from optimlab.plotting import interactive_paths
    >>> from optimlab.race import path_grid
    >>> grid = path_grid(["sgd", "adam"], [0.01, 0.1], [0.0, 0.9], steps=20)
    >>> figure = interactive_paths(grid, plotlyjs="plotly.min.js")
    >>> 'src="plotly.min.js"' in figure.html, "cdn.plot.ly" in figure.html
    (True, False)
    """
    import plotly.graph_objects as go

    if not isinstance(grid, PathGrid):
        raise TypeError(f"grid must be a PathGrid, got {type(grid).__name__}")
    shape = grid.xy.shape[:3]
    if (
        not isinstance(initial, tuple)
        or len(initial) != 3
        or not all(isinstance(i, int) and 0 <= i < s for i, s in zip(initial, shape, strict=False))
    ):
        raise ValueError(f"initial must be three indices within {shape}, got {brief(initial)}")
    if not isinstance(plotlyjs, bool | str):
        raise TypeError(f"plotlyjs must be True, False or a path, got {brief(plotlyjs)}")

    xs = np.linspace(-2, 2, 81)
    ys = np.linspace(-1, 3, 81)
    surface = np.log10(rosenbrock(*np.meshgrid(xs, ys)) + 1e-3).astype(np.float32)
    with np.errstate(all="ignore"):
        final = rosenbrock(grid.xy[..., -1, 0], grid.xy[..., -1, 1]).astype(np.float32)
    figure = go.Figure(
        [
            go.Contour(x=xs, y=ys, z=surface, colorscale="Viridis", showscale=False,
                       ncontours=18, hoverinfo="skip", name="log10 f"),
            go.Scatter(x=[], y=[], mode="lines+markers", line={"color": "red", "width": 2},
                       marker={"size": 3}, name="path"),
            go.Scatter(x=[grid.start[0], MINIMUM[0]], y=[grid.start[1], MINIMUM[1]],
                       mode="markers", marker={"symbol": ["circle", "star"], "size": 12,
                       "color": ["white", "gold"]}, hoverinfo="skip", name="start, minimum"),
        ]
    )  # fmt: skip

    def slider(name: str, values: tuple[float, ...], active: int, y: float) -> dict:
        prefix = "momentum (Adam: beta1): " if name == "momentum" else f"{name}: "
        steps = [{"label": f"{v:g}", "value": str(i), "method": "skip", "args": []}
                 for i, v in enumerate(values)]  # fmt: skip
        return {"name": name, "active": active, "steps": steps, "y": y, "yanchor": "top",
                "currentvalue": {"prefix": prefix}, "pad": {"t": 0, "b": 0},
                "len": 1.0, "x": 0.0}  # fmt: skip

    buttons = [{"label": name, "method": "skip", "args": []} for name in grid.optimizers]
    figure.update_layout(
        height=height,
        margin={"l": 40, "r": 10, "t": 125, "b": 10},
        title={"text": "", "font": {"size": 13}, "y": 0.98, "yanchor": "top"},
        showlegend=False,
        dragmode=False,
        xaxis={"range": [-2, 2], "fixedrange": True, "title": "x", "domain": [0, 1]},
        yaxis={"range": [-1, 3], "fixedrange": True, "title": "y", "domain": [0.45, 1]},
        updatemenus=[{"buttons": buttons, "active": initial[0], "x": 0.0, "y": 1.03,
                      "xanchor": "left", "yanchor": "bottom", "direction": "down"}],
        sliders=[slider("lr", grid.lrs, initial[1], 0.33),
                 slider("momentum", grid.momenta, initial[2], 0.14)],
    )  # fmt: skip
    data = {
        "x": _b64(grid.xy[..., 0]),
        "y": _b64(grid.xy[..., 1]),
        "f": _b64(final),
        "shape": list(shape),
        "steps": grid.steps,
        "trace": 1,
        "initial": list(initial),
        "optimizers": list(grid.optimizers),
        "momentumNames": [_MOMENTUM_NAMES[name] for name in grid.optimizers],
        "lrs": [f"{v:g}" for v in grid.lrs],
        "momenta": [f"{v:g}" for v in grid.momenta],
    }
    script = _SCRIPT % {"data": json.dumps(data)}
    html = figure.to_html(
        div_id="optimlab-paths-" + hashlib.sha1(script.encode()).hexdigest()[:12],  # reproducible
        full_html=False,
        include_plotlyjs=plotlyjs,
        include_mathjax=False,
        default_width="100%",
        default_height=f"{height}px",
        config={"displayModeBar": False, "responsive": True},
        post_script=script,
    )
    return InteractiveFigure(html)
