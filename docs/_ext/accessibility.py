"""What the site does for readers of screen readers and keyboards, beyond the theme.

* Gallery figures get alternative text that says what is plotted: the kind of plot, what
  is plotted against what, the titles and the legend, read from the matplotlib figure
  itself (:func:`describe_figure`). sphinx-gallery alone uses the titles, and the file
  name where there is none. Named as ``"accessibility.matplotlib_scraper"`` in
  ``sphinx_gallery_conf["image_scrapers"]``.
* JavaScript animations get the same text on their image, and a name on their frame
  slider.
* Each gallery figure's type sizes are recorded (:func:`text_sizes`) in
  ``docs/_build/figure_text/<image>.json``: the browser test checks, at a phone's width,
  that the figure's text scaled to the screen is about the size of the body text.
* The sidebar's fold-out toggles (``<summary>`` elements with an icon only) are named
  after the section they fold.
* Citations are list items of the bibliography's list (docutils' ``doc-biblioentry``
  role is deprecated, and screen readers do not take it for a list item).
* Code colours come from the theme's accessible Pygments styles, even when a failing
  example stops the build before the theme writes them.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from sphinx.writers.html5 import HTML5Translator

# -- Figures ---------------------------------------------------------------------------------

_MAX_LEGEND = 8  # legend entries read out; past that, how many more


def _plain(text: str) -> str:
    """Text of a matplotlib label as read aloud: one line, no mathtext markup."""
    text = re.sub(r"\\(?:mathdefault|mathrm|mathit|mathbf|text)\{([^}]*)\}", r"\1", text)
    text = re.sub(r"\\([A-Za-z]+)", r"\1", text).replace("$", "")
    text = text.replace("{", "").replace("}", "")
    return " ".join(text.split())


def _join(items: list[str], separator: str = ", ") -> str:
    if len(items) > _MAX_LEGEND:
        items = [*items[:_MAX_LEGEND], f"and {len(items) - _MAX_LEGEND} more"]
    return separator.join(items)


def _kinds(ax: Any) -> list[str]:
    """What an axes draws: line plot, dot plot, scatter plot, contour plot, heat map..."""
    from matplotlib.collections import PathCollection, PolyCollection, QuadMesh
    from matplotlib.container import BarContainer, ErrorbarContainer
    from matplotlib.contour import ContourSet

    kinds = []
    lines = [line for line in ax.get_lines() if line.get_visible()]
    drawn = [line for line in lines if line.get_linestyle() not in ("None", "", " ")]
    if any(len(line.get_xdata()) > 2 for line in drawn):
        kinds.append("line plot")
    dotted = [line for line in lines if line not in drawn]
    if any(line.get_marker() not in ("None", "", " ", None) for line in dotted):
        kinds.append("dot plot")
    if any(isinstance(c, ErrorbarContainer) for c in ax.containers):
        kinds.append("error bars")
    if any(isinstance(c, BarContainer) for c in ax.containers):
        kinds.append("bar chart")
    collections = [c for c in ax.collections if c.get_visible()]
    if any(isinstance(c, ContourSet) for c in collections):
        kinds.append("contour plot")
    if ax.get_images() or any(isinstance(c, QuadMesh) for c in collections):
        kinds.append("heat map")
    if any(isinstance(c, PathCollection) and len(c.get_offsets()) > 0 for c in collections):
        kinds.append("scatter plot")
    if any(isinstance(c, PolyCollection) and not isinstance(c, ContourSet) for c in collections):
        kinds.append("shaded bands")
    if not kinds and lines:
        kinds.append("markers and lines")
    return kinds


def _axis(ax: Any, which: str) -> str:
    label = _plain(getattr(ax, f"get_{which}label")())
    scale = getattr(ax, f"get_{which}scale")()
    if label and scale != "linear":
        label += f" ({scale} scale)"
    return label


def _categories(ax: Any, which: str) -> list[str]:
    """Tick labels that are words, not numbers: the categories along an axis."""
    labels = [_plain(t.get_text()) for t in getattr(ax, f"get_{which}ticklabels")()]
    labels = [t for t in labels if t]
    if not labels or any(re.fullmatch(r"[\u2212\-+0-9.,eE\u00d7^ %]+", t) for t in labels):
        return []
    return labels


def _legend(legend: Any) -> list[str]:
    if legend is None or not legend.get_visible():
        return []
    return [_plain(t.get_text()) for t in legend.get_texts() if t.get_text().strip()]


def describe_axes(ax: Any) -> str:
    """One axes in words: '“title”: line plot of loss against epoch; legend: a, b'."""
    titles = [_plain(ax.get_title(loc=loc)) for loc in ("left", "center", "right")]
    titles = [t for t in titles if t]
    kinds = _kinds(ax) or ["empty axes"]
    what = " with ".join([" and ".join(kinds[:2]), *kinds[2:]])
    x, y = _axis(ax, "x"), _axis(ax, "y")
    if ax.name == "3d":
        what = "3D " + what
    if y and x:
        what += f" of {y} against {x}"
    elif y or x:
        what += f" of {y or x}"
    for which in ("x", "y"):
        if categories := _categories(ax, which):
            what += f"; {which} categories: {_join(categories)}"
    if entries := _legend(ax.get_legend()):
        what += f"; legend: {_join(entries, '; ')}"
    if titles:
        return f"“{'; '.join(titles)}”: {what}"
    return what


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def describe_figure(fig: Any) -> str:
    """A matplotlib figure in words, for an image's alternative text.

    The suptitle, then each panel (axes) in order: its title, the kind of plot, what is
    plotted against what (with log scales named), the categories along an axis and the
    legend; colour bars by their label.
    """
    parts = []
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text().strip():
        parts.append(_plain(suptitle.get_text()) + ".")
    axes = [ax for ax in fig.axes if ax.get_visible()]
    colorbars = [ax for ax in axes if getattr(ax, "_colorbar", None) is not None]
    panels = [ax for ax in axes if ax not in colorbars]
    if len(panels) == 1:
        parts.append(_sentence(describe_axes(panels[0])))
    elif len(panels) > 1:
        positions = _positions(panels)
        parts.append(f"{len(panels)} panels.")
        for position, ax in zip(positions, panels, strict=True):
            parts.append(f"{position}: {describe_axes(ax)}.")
    for ax in colorbars:
        label = _plain(ax.get_ylabel() or ax.get_xlabel())
        parts.append(f"Colour bar: {label}." if label else "A colour bar.")
    if entries := [e for legend in fig.legends for e in _legend(legend)]:
        parts.append(f"Legend: {_join(entries, '; ')}.")
    return " ".join(parts) if parts else "An empty figure."


def _positions(panels: list[Any]) -> list[str]:
    """'Left', 'Right' for a row of two; 'Top', 'Bottom' for a column; else 'Panel n'."""
    boxes = [ax.get_position() for ax in panels]
    if len(panels) == 2:
        (a, b) = boxes
        if abs(a.y0 - b.y0) < 0.05 and a.x0 < b.x0:
            return ["Left", "Right"]
        if abs(a.x0 - b.x0) < 0.05 and a.y0 > b.y0:
            return ["Top", "Bottom"]
    return [f"Panel {i}" for i in range(1, len(panels) + 1)]


#: Where each gallery figure's type sizes are written, one JSON file per image (read by
#: tests_site/test_phone.py). The build's folder unless OPTIMLAB_FIGURE_TEXT_DIR says.
FIGURE_TEXT = Path(__file__).resolve().parents[1] / "_build" / "figure_text"


def text_sizes(fig: Any) -> dict[str, float]:
    """The figure's type, in points, and what a point is in its saved image.

    ``smallest`` is the smallest visible text (often a legend or a colour bar's ticks),
    ``base`` the size of most of its text (the median over the texts: tick labels, axis
    labels), ``width`` the figure's width in inches and ``dpi`` its saving resolution. In
    the image, a point is ``dpi / 72`` pixels wide; a browser that shows the image at
    ``shown`` pixels of its ``natural`` width draws ``size * dpi / 72 * shown / natural``.
    Read after the figure was saved: saving lays out its tick labels (a second layout
    just to measure cost the build a full draw of every figure).
    """
    import numpy as np
    from matplotlib import rcParams
    from matplotlib.text import Text

    sizes = [
        text.get_fontsize()
        for text in fig.findobj(Text)
        if text.get_visible() and text.get_text().strip()
    ]
    dpi = rcParams["savefig.dpi"]
    return {
        "smallest": float(min(sizes)) if sizes else 0.0,
        "base": float(np.median(sizes)) if sizes else 0.0,
        "width": float(fig.get_figwidth()),
        "dpi": float(fig.dpi if dpi == "figure" else dpi),
    }


def wrap_titles(fig: Any) -> None:
    """Let every title wrap at the figure's edges: a phone's figure is narrow (4.5 inches,
    docs/_ext/gallery_reset.py) and its type large, so a long title would be cut off."""
    for ax in fig.axes:
        for title in (ax.title, ax._left_title, ax._right_title):
            title.set_wrap(True)
    if getattr(fig, "_suptitle", None) is not None:
        fig._suptitle.set_wrap(True)


def _record_text_sizes(images: list[str], sizes: list[dict[str, float]]) -> None:
    folder = Path(os.environ.get("OPTIMLAB_FIGURE_TEXT_DIR", FIGURE_TEXT))
    folder.mkdir(parents=True, exist_ok=True)
    for image, size in zip(images, sizes, strict=False):
        (folder / f"{Path(image).name}.json").write_text(json.dumps(size))


def _rst_option(text: str) -> str:
    """Text safe as the value of an image directive's ``:alt:`` option: one line."""
    return " ".join(text.split())


def _html_attribute(text: str) -> str:
    return " ".join(text.split()).replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


_ALT_OPTION = re.compile(r"^(?P<indent>[ \t]*):alt: .*$", re.MULTILINE)
_ANIMATION_IMAGE = re.compile(r'<img id="(_anim_img\w+)">')
_ANIMATION_SLIDER = re.compile(r'(<input id="_anim_slider\w+" type="range")')


def matplotlib_scraper(block: Any, block_vars: dict, gallery_conf: dict, **kwargs: Any) -> str:
    """sphinx-gallery's matplotlib scraper, with alternative text from :func:`describe_figure`.

    The figures are described before sphinx-gallery saves (and closes) them; their
    ``:alt:`` options, in the order sphinx-gallery writes the figures, then take these
    descriptions. A JavaScript animation's image gets its figure's description, its frame
    slider a name.
    """
    import matplotlib.pyplot as plt
    from matplotlib.animation import Animation
    from sphinx_gallery.scrapers import matplotlib_scraper as scrape

    animated = {
        value._fig
        for value in block_vars["example_globals"].values()
        if isinstance(value, Animation)
    }
    if not gallery_conf["matplotlib_animations"][0]:
        animated = set()
    stills, animations, saved = [], [], []
    for number in plt.get_fignums():
        figure = plt.figure(number)
        if figure in animated:
            animations.append(f"Animation. {describe_figure(figure)}")
        else:
            stills.append(describe_figure(figure))
            wrap_titles(figure)
            saved.append(figure)
    rst = scrape(block, block_vars, gallery_conf, **kwargs)  # saves, then closes, them
    sizes = [text_sizes(figure) for figure in saved]
    _record_text_sizes(re.findall(r"image-sg:: (\S+)", rst), sizes)

    descriptions = iter(stills)
    rst = _ALT_OPTION.sub(
        lambda m: f"{m['indent']}:alt: {_rst_option(next(descriptions, 'A figure'))}", rst
    )
    frames = iter(animations)
    rst = _ANIMATION_IMAGE.sub(
        lambda m: f'<img id="{m[1]}" alt="{_html_attribute(next(frames, "An animation"))}">',
        rst,
    )
    return _ANIMATION_SLIDER.sub(r'\1 aria-label="Frame of the animation"', rst)


# -- Sidebar toggles -------------------------------------------------------------------------

_UNNAMED_SUMMARY = re.compile(
    r"(<a\b[^>]*>(?P<name>(?:(?!</a>).)*)</a>\s*<details[^>]*>\s*)"
    r"<summary>(?=\s*<span class=\"toctree-toggle\")",
    re.DOTALL,
)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def name_summaries(html: str) -> str:
    """Name each icon-only ``<summary>`` of the sidebar after the link beside it."""

    def named(match: re.Match) -> str:
        label = _html_attribute(f"Pages under {_text(match['name'])}")
        return f'{match[1]}<summary aria-label="{label}">'

    return _UNNAMED_SUMMARY.sub(named, html)


def label_sidebar_toggles(app: Any, pagename: str, templatename: str, context: dict, doctree):
    """Wrap the theme's sidebar generator so that its ``<summary>`` toggles have names."""
    generate = context.get("generate_toctree_html")
    if generate is None or getattr(generate, "names_summaries", False):
        return

    def generate_named(kind: str, *args: Any, **kwargs: Any):
        html = generate(kind, *args, **kwargs)  # a soup, or a str when the theme cached it
        return name_summaries(str(html)) if kind == "sidebar" else html

    generate_named.names_summaries = True  # type: ignore[attr-defined]
    context["generate_toctree_html"] = generate_named


# -- Citations -------------------------------------------------------------------------------


class Translator(HTML5Translator):
    """Sphinx's HTML writer, with citations as list items (the theme adds its own on top)."""

    def visit_citation(self, node) -> None:
        if not isinstance(node.previous_sibling(), type(node)):
            self.body.append('<div role="list" class="citation-list">\n')
        self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


# -- Code colours ----------------------------------------------------------------------------


def write_pygments_css(app: Any, exception: Exception | None) -> None:
    """Write the theme's light and dark code colours now, before a handler may raise.

    pydata-sphinx-theme writes them when the build finishes, after sphinx-gallery's
    summary of failing examples, which raises: a build with a failing example kept
    Sphinx's own colours, too faint on the theme's code background.
    """
    if exception is not None or app.builder.format != "html":
        return
    from pydata_sphinx_theme.pygments import overwrite_pygments_css

    overwrite_pygments_css(app, exception)


def setup(app: Any) -> dict:
    app.set_translator("html", Translator)
    app.connect("html-page-context", label_sidebar_toggles, priority=900)  # after the theme
    app.connect("build-finished", write_pygments_css, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
