"""One interactive figure: pick an optimizer, move the learning rate and momentum, see the path.

Drawn with plotly (the optional ``interactive`` extra). Every path comes from
:func:`optimlab.path_grid` and travels as base64 float32, bit for bit; a few lines of
JavaScript swap the drawn path when an HTML form control moves.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from html import escape

import numpy as np

from .._validation import brief
from ..landscape import MINIMUM, rosenbrock
from ..rosenbrock_runs import MOMENTUM_SETTING, PathGrid

__all__ = ["InteractiveFigure", "interactive_paths"]

#: The JavaScript that wires the controls to the stored paths. ``{plot_id}`` is plotly's.
_SCRIPT = """
var gd = document.getElementById('{plot_id}');
var form = document.getElementById('{plot_id}-controls');
var status = document.getElementById('{plot_id}-status');
var D = %(data)s;
function decode(text) {
  var bytes = Uint8Array.from(atob(text), function (c) { return c.charCodeAt(0); });
  return new Float32Array(bytes.buffer);
}
var X = decode(D.x), Y = decode(D.y), F = decode(D.f);
var n = D.steps + 1, state = D.initial.slice();
gd.optimlabPaths = {x: X, y: Y, f: F, shape: D.shape};
function show(announce) {
  var o = state[0], l = state[1], m = state[2];
  var k = (o * D.shape[1] + l) * D.shape[2] + m, f = F[k];
  var text = isFinite(f) ? f.toPrecision(3) : 'diverged';
  var setting = D.optimizers[o] + ', lr ' + D.lrs[l] + ', ' + D.momentumNames[o] + ' ' +
                D.momenta[m];
  Plotly.restyle(gd, {x: [X.subarray(k * n, k * n + n)], y: [Y.subarray(k * n, k * n + n)]},
                 [D.trace]);
  Plotly.relayout(gd, {'title.text': setting + '<br>f = ' + text + ' after ' + D.steps +
                       ' steps'});
  form.elements.lr.setAttribute('aria-valuetext', D.lrs[l]);
  form.elements.momentum.setAttribute('aria-valuetext', D.momentumNames[o] + ' ' + D.momenta[m]);
  form.elements['lr-value'].value = D.lrs[l];
  form.elements['momentum-value'].value = D.momentumNames[o] + ' ' + D.momenta[m];
  var words = 'Path of ' + setting + ' from (' + D.start.join(', ') + '), over contours of ' +
              'log10 f; f = ' + text + ' after ' + D.steps + ' steps.';
  gd.setAttribute('aria-label', words);
  if (announce) status.textContent = words;
  gd.setAttribute('data-selection', JSON.stringify(state));
}
form.elements.optimizer.value = String(state[0]);
form.elements.lr.value = String(state[1]);
form.elements.momentum.value = String(state[2]);
form.addEventListener('input', function () {
  state = [Number(form.elements.optimizer.value), Number(form.elements.lr.value),
           Number(form.elements.momentum.value)];
  show(true);
});
form.addEventListener('submit', function (event) { event.preventDefault(); });
show(false);
"""

#: The HTML form controls above the figure: keyboard and screen readers can use them,
#: where plotly's own sliders and menus (drawn in SVG) take a mouse. Inline styles, so
#: the figure needs no stylesheet (a notebook shows it as a page does).
_CONTROLS = """<form class="optimlab-controls" id="{id}-controls" \
style="display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; margin: 0 0 0.5rem;">
<div style="display: flex; flex-direction: column;"><label for="{id}-optimizer">Optimizer</label>
<select id="{id}-optimizer" name="optimizer" style="font: inherit; padding: 0.15rem 0.3rem;">\
{options}</select></div>
<div style="display: flex; flex-direction: column; flex: 1 1 11rem;">\
<label for="{id}-lr">Learning rate: <output name="lr-value" for="{id}-lr"></output></label>
<input type="range" id="{id}-lr" name="lr" min="0" max="{lr_max}" step="1"></div>
<div style="display: flex; flex-direction: column; flex: 1 1 11rem;">\
<label for="{id}-momentum">Momentum: <output name="momentum-value" for="{id}-momentum">\
</output></label>
<input type="range" id="{id}-momentum" name="momentum" min="0" max="{momentum_max}" step="1">\
</div>
</form>
"""
#: Read out after each change of the controls (seen only by screen readers).
_STATUS = (
    '<p id="{id}-status" class="optimlab-status" aria-live="polite" style="position: absolute; '
    'width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap;">'
    "</p>"
)

#: What each optimizer's momentum is called (optimlab.Momentum's: ``beta``).
_MOMENTUM_NAMES = {**MOMENTUM_SETTING, "momentum": "beta"}


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
    height: int = 480,
) -> InteractiveFigure:
    """Draw a ``PathGrid`` with a menu and two sliders.

    The menu picks the optimizer, the sliders the learning rate and the momentum; the
    path is drawn over log-scaled Rosenbrock contours, titled with :math:`f` at its end.
    The controls are HTML form controls, which the keyboard and screen readers can use
    (plotly's own are SVG and take a mouse); each change is read out.

    Parameters
    ----------
    grid : PathGrid
        From :func:`optimlab.path_grid`.
    initial : (int, int, int), default=(0, 0, 0)
        Indices of the optimizer, learning rate and momentum shown first.
    plotlyjs : bool or str, default=True
        plotly's ``include_plotlyjs``: ``True`` inlines plotly.js (about 5 MB, works
        anywhere offline); a path ending in ``.js`` loads that local copy instead.
    height : int, default=480
        Pixels of the plot, without the controls; the width follows the page.

    Returns
    -------
    InteractiveFigure

    Examples
    --------
    >>> from optimlab.plotting import interactive_paths
    >>> from optimlab import path_grid
    >>> grid = path_grid(["sgd", "adam"], [0.01, 0.1], [0.0, 0.9], steps=20)
    >>> figure = interactive_paths(grid, plotlyjs="plotly.min.js")
    >>> 'src="plotly.min.js"' in figure.html, "cdn.plot.ly" in figure.html
    (True, False)
    """
    import plotly.graph_objects as go

    if not isinstance(grid, PathGrid):
        raise TypeError(f"grid must be a PathGrid, got {type(grid).__name__}")
    shape = grid.xy.shape[:3]
    ok = isinstance(initial, tuple) and len(initial) == 3
    ok = ok and all(isinstance(i, int) and 0 <= i < n for i, n in zip(initial, shape, strict=True))
    if not ok:
        raise ValueError(f"initial must be three indices within {shape}, got {brief(initial)}")
    if not isinstance(plotlyjs, bool | str):
        raise TypeError(f"plotlyjs must be True, False or a path, got {brief(plotlyjs)}")

    xs, ys = np.linspace(-2, 2, 81), np.linspace(-1, 3, 81)
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

    figure.update_layout(
        height=height, margin={"l": 40, "r": 10, "t": 60, "b": 40}, showlegend=False,
        title={"text": "", "font": {"size": 13}, "y": 0.98, "yanchor": "top"}, dragmode=False,
        xaxis={"range": [-2, 2], "fixedrange": True, "title": "x"},
        yaxis={"range": [-1, 3], "fixedrange": True, "title": "y"},
    )  # fmt: skip
    data = {
        "x": _b64(grid.xy[..., 0]), "y": _b64(grid.xy[..., 1]), "f": _b64(final),
        "shape": list(shape), "steps": grid.steps, "trace": 1, "initial": list(initial),
        "start": [f"{v:g}" for v in grid.start], "optimizers": list(grid.optimizers),
        "momentumNames": [_MOMENTUM_NAMES[name] for name in grid.optimizers],
        "lrs": [f"{v:g}" for v in grid.lrs], "momenta": [f"{v:g}" for v in grid.momenta],
    }  # fmt: skip
    script = _SCRIPT % {"data": json.dumps(data)}
    div_id = "optimlab-paths-" + hashlib.sha1(script.encode()).hexdigest()[:12]  # reproducible
    plot = figure.to_html(
        div_id=div_id, full_html=False, include_plotlyjs=plotlyjs, include_mathjax=False,
        default_width="100%", default_height=f"{height}px", post_script=script,
        config={"displayModeBar": False, "responsive": True},
    )  # fmt: skip
    # To a screen reader the plot is an image, named after the path it shows (the script
    # keeps the name up to date).
    plot = plot.replace(f'<div id="{div_id}" ', f'<div id="{div_id}" role="img" ', 1)
    options = "".join(
        f'<option value="{i}">{escape(name)}</option>' for i, name in enumerate(grid.optimizers)
    )
    controls = _CONTROLS.format(id=div_id, options=options, lr_max=len(grid.lrs) - 1,
                                momentum_max=len(grid.momenta) - 1)  # fmt: skip
    explorer = '<div class="optimlab-explorer" style="position: relative;">'
    return InteractiveFigure(f"{explorer}\n{controls}{_STATUS.format(id=div_id)}\n{plot}\n</div>")
