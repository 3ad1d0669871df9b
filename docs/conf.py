"""Sphinx configuration of the optimlab site: Markdown pages, the executed gallery, the API.

Everything the site needs ships with it: MathJax is bundled under ``_static/mathjax``,
there is no intersphinx, no analytics and no remote font, and every link is relative.
"""

import os
import re
import shutil
import sys
from pathlib import Path

from sphinx.util import logging

import optimlab

logger = logging.getLogger(__name__)
DOCS = Path(__file__).parent
# gallery_reset and accessibility (named as strings below), verdicts, lesson
sys.path.insert(0, str(DOCS / "_ext"))

project = "optimlab"
author = "optimlab developers"
copyright = "optimlab developers"
release = version = optimlab.__version__

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx_copybutton",
    "sphinx_design",
    "sphinx_gallery.gen_gallery",
    "sphinxcontrib.bibtex",
    "cli_help",
    "verdicts",  # the gallery's recorded claims on other pages: docs/_ext/verdicts.py
    "lesson",  # a gallery page's answer box and its folds: docs/_ext/lesson.py
    "accessibility",  # names, alternative text, code colours: docs/_ext/accessibility.py
    "explorer",  # the explorer page's runs, trained at build time: docs/_ext/explorer.py
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "_ext", "Thumbs.db", ".DS_Store"]
nitpicky = True
# No intersphinx (its inventories live on other hosts), so names from other projects
# cannot be linked; they are shown as plain text instead of failing the build.
nitpick_ignore_regex = [
    (r"py:.*", r"(torch|numpy|np|matplotlib)(\..*)?"),
    (r"py:.*", r"(optional|default.*|callable|iterable|dict|float|int|str|bool|tuple|list)"),
]

# -- Markdown -----------------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_heading_anchors = 3

# -- Bibliography -------------------------------------------------------------------------
# One global list on references.md; pages cite with {cite:p}`key` or {cite:t}`key`.
bibtex_bibfiles = ["references.bib"]
bibtex_reference_style = "author_year"
bibtex_default_style = "plain"  # numbered list; the text cites by author and year

# -- API reference ------------------------------------------------------------------------
autodoc_typehints = "none"  # the numpydoc docstrings carry the types
numpydoc_show_class_members = False
numpydoc_xref_param_type = False


# -- Math, offline --------------------------------------------------------------------------
mathjax_path = "mathjax/tex-svg.js"  # relative to _static: the bundled copy

# -- Gallery ----------------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../gallery",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",  # execute every plot_*.py
    # The sections, in the order of the exercise's questions, then the pages by number.
    "subsection_order": [
        "../gallery/q1_one_setting",
        "../gallery/q2_momentum",
        "../gallery/q3_weight_decay",
        "../gallery/real_data",
        "../gallery/deeper",
    ],
    "within_subsection_order": "FileNameSortKey",  # plot_01, plot_02, ...
    # Seed every generator and reset matplotlib before each example. Strings, so the
    # configuration pickles.
    "reset_modules": ("matplotlib", "gallery_reset.reset_seeds"),
    # A failing example fails the build (after the others ran, so all failures show).
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "download_all_examples": True,  # the zips of all .py and all .ipynb
    "min_reported_time": 0,  # report every example's time
    "write_computation_times": True,  # even where SOURCE_DATE_EPOCH is set
    "doc_module": ("optimlab",),
    "backreferences_dir": "generated/backreferences",
    "image_srcset": ["2x"],
    # Animations embed as JavaScript and inline frames: no video file, nothing remote.
    "matplotlib_animations": (True, "jshtml"),
    "remove_config_comments": True,
    # matplotlib's scraper, with alternative text that says what each figure plots (its
    # kind, axes, titles and legend) instead of only its titles, or else its file name.
    "image_scrapers": ("accessibility.matplotlib_scraper",),
    # Two examples at a time (joblib): an example's runs wait on one core of the two
    # for much of their time (the engine's longest runs are sequential).
    "parallel": 2,
}

# -- HTML ---------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = "optimlab"
html_static_path = ["_static"]
# Phone-width layout (tables, output blocks, images) and click-to-enlarge gallery figures.
html_css_files = ["optimlab.css"]
html_js_files = ["optimlab.js"]
html_favicon = "_static/favicon.png"  # else browsers ask the server root for favicon.ico
html_last_updated_fmt = None
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc", "sg_download_links"],
    "navbar_end": ["theme-switcher", "navbar-icon-links"],
    "footer_start": ["copyright"],
    "footer_end": [],
    # Code colours with WCAG AA contrast on the theme's code background (the defaults,
    # named here because the axe pass of the browser test relies on them).
    "pygments_light_style": "a11y-high-contrast-light",
    "pygments_dark_style": "a11y-high-contrast-dark",
}
# The published site links to its repository. The Pages workflow builds it on GitHub,
# which names the repository in GITHUB_REPOSITORY; a local build has no such link (a
# link is not a request: the site still loads nothing from another host).
if os.environ.get("GITHUB_REPOSITORY"):
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
    html_theme_options["github_url"] = f"{server}/{os.environ['GITHUB_REPOSITORY']}"
# The theme reads the colour mode from here; left empty, it logs a console error.
html_context = {"default_mode": "auto"}
html_sidebars = {
    "index": [],
    "differences": [],
    "exercise": [],
    "explorer": [],
    "theory": [],
    "references": [],
}


def check_api_page(app) -> None:
    """Warn (so fail the build) where api.rst and ``optimlab.__all__`` differ.

    The API page documents exactly the package's public names: each name of
    ``optimlab.__all__``, and nothing else.
    """
    text = (DOCS / "api.rst").read_text()
    listed = set(re.findall(r"^\.\. auto(?:function|class|exception|data):: (\w+)$", text, re.M))
    for name in sorted(set(optimlab.__all__) - listed):
        logger.warning("optimlab.%s is public but not listed in docs/api.rst", name)
    for name in sorted(listed - set(optimlab.__all__)):
        logger.warning("docs/api.rst lists %s, which is not in optimlab.__all__", name)


# Generated pages that would load from other hosts: matplotlib's JavaScript animations
# link Font Awesome on a CDN (the theme bundles it, and it draws their buttons), and
# sphinx-gallery's execution-time tables load jQuery and DataTables (without them, the
# table is a plain sorted table).
REMOTE_RESOURCE = re.compile(
    r'<link\b[^>]*href="https?://[^>]*>|<script\b[^>]*src="https?://[^>]*>\s*</script>'
)
DATATABLE_SCRIPT = re.compile(r'<script type="text/javascript" class="init">.*?</script>', re.S)


def drop_remote_resources(app, docname, source) -> None:
    """Remove the tags that load a stylesheet or a script from another host."""
    source[0] = DATATABLE_SCRIPT.sub("", REMOTE_RESOURCE.sub("", source[0]))


# Every claim a gallery page checks is also written, as JSON, to this folder
# (optimlab.Claims reads the variable); the site's summaries are rendered from it.
CLAIMS = DOCS / "_build" / "claims"
os.environ["OPTIMLAB_CLAIMS_DIR"] = str(CLAIMS)


def clear_claims(app) -> None:
    """Start from no recorded claim, before the gallery runs: no record outlives its page."""
    shutil.rmtree(CLAIMS, ignore_errors=True)


# The interactive figure of the Rosenbrock page loads plotly.js from the site itself
# (``_static/plotly.min.js``, copied from the installed plotly package), never from a CDN.
def copy_plotly(app, exception) -> None:
    """Put the installed plotly's JavaScript bundle in the built site's ``_static``."""
    if exception is not None or app.builder.format != "html":
        return
    import plotly

    bundle = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    shutil.copyfile(bundle, Path(app.outdir) / "_static" / "plotly.min.js")


def setup(app) -> None:
    app.connect("builder-inited", clear_claims, priority=100)  # before sphinx-gallery's 500
    app.connect("builder-inited", check_api_page)
    app.connect("source-read", drop_remote_resources)
    app.connect("build-finished", copy_plotly, priority=100)  # before the gallery may raise
