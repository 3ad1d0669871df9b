"""The lesson first: an answer box at the top of a gallery page, and folds for the details.

A gallery page opens with its answer, but sphinx-gallery renders a page top to bottom
as its script runs, so the runs that decide the answer come *below* it. The box is
therefore rendered from what the build recorded, never typed: every example runs before
Sphinx reads any page (sphinx-gallery executes the gallery when the builder starts), so
the page's own claims (:class:`optimlab.Claims`, written to ``OPTIMLAB_CLAIMS_DIR``) and
figures exist when its docstring is parsed. The convention, in a page's docstring::

    .. lesson::
       :figure: 2

       **Question.** Which learning rate ...?

       **Answer.** ``lr = 1`` ends above the yardstick
       :verdict:`learning_rate:raw: lr = 1 ends above its seed's yardstick`; ...

- the words and counts come from the verdict roles of ``verdicts.py`` (``{verdict}``,
  ``{verdict-data}``): the word the page claims ("in most seeds") and its count, checked
  by the build with margins. Where the gallery did not run they say so.
- ``:figure: N`` shows the page's N-th figure (sphinx-gallery's
  ``images/sphx_glr_<page>_00N.png``) again inside the box, with the alternative text the
  scraper wrote for it further down the page; where the gallery did not run, a note.

Folds (``<details>``, closed until opened; the summary is the fold's accessible name)
keep the secondary details of a page out of the way without hiding any of them:

- ``.. fold:: Summary text`` with indented content: prose, a ``verdicts`` table, a list.
- ``.. fold-output:: Summary text`` (no content) in a text cell folds the printed output
  of the *next* code cell, and only its output: the code stays in sight, so that code a
  reader copies is never folded away. The predict-then-run exercises at the end of the
  Question 1 pages use it: the question and the code in sight, the answer (printed and
  claimed by the run) folded.
- ``.. fold-start:: Summary text`` in one text cell and ``.. fold-end::`` in a later one
  fold everything between, code cells included: for the cells that check a page's claims
  (``claims.check``, ``claims.seeds``) and for secondary investigations (their prose,
  code, output and figures), never for the code that runs the page's experiment. The
  summary says what it holds ("(code, output)"); opened, its code shows with its copy
  button as anywhere else.

An optimizer's first mention on a page links to its algorithm in PyTorch's documentation
with ``:torch-optim:`AdamW``` (or ``:torch-optim:`plain SGD <SGD>```): a plain link to
``https://docs.pytorch.org/docs/stable/generated/torch.optim.<Name>.html``; the build
fetches nothing.

A page's "You will learn" lists results, not topics, and a Question 1 page ends with
"Predict, then run": a setting the page does not show, a question, the small run (ten
seeds, about a second) and its answer in a ``fold-output``, checked by a claim with a
margin (``claims.check`` on medians: ten seeds are too few for most words).

Folds never contain a section title. ``tests_site/test_lessons.py`` checks at 390 px
that the box ends within the first screen after the title, that a page with its folds
closed is at most about eight screens long, and that no output block is wider than its
box.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)


class fold(nodes.General, nodes.Element):  # docutils names nodes in lower case
    """A ``<details>`` block; its first child is the summary text."""


def visit_fold_html(self, node: fold) -> None:
    summary = html.escape(node["summary"])
    self.body.append(f'<details class="optimlab-fold"><summary>{summary}</summary>\n')


def depart_fold_html(self, node: fold) -> None:
    self.body.append("</details>\n")


def visit_fold_other(self, node: fold) -> None:  # other builders: the content, unfolded
    pass


def depart_fold_other(self, node: fold) -> None:
    pass


class FoldDirective(SphinxDirective):
    """``.. fold:: Summary``: the indented content, folded under its summary."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = True

    def run(self) -> list[nodes.Node]:
        node = fold(summary=self.arguments[0].strip())
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


def _details_open(summary: str) -> str:
    return f'<details class="optimlab-fold"><summary>{html.escape(summary)}</summary>'


class FoldStartDirective(SphinxDirective):
    """``.. fold-start:: Summary``: opens a fold that a later ``.. fold-end::`` closes."""

    required_arguments = 1
    final_argument_whitespace = True

    def run(self) -> list[nodes.Node]:
        return [nodes.raw("", _details_open(self.arguments[0].strip()), format="html")]


class FoldEndDirective(SphinxDirective):
    """``.. fold-end::``: closes the fold that ``.. fold-start::`` opened."""

    def run(self) -> list[nodes.Node]:
        return [nodes.raw("", "</details>", format="html")]


class LessonDirective(SphinxDirective):
    """``.. lesson::``: the page's question, its answer and its key figure, in a box."""

    has_content = True
    option_spec: ClassVar = {"figure": directives.positive_int}

    def run(self) -> list[nodes.Node]:
        box = nodes.admonition(classes=["optimlab-lesson"])
        box += nodes.title("", "The lesson first")
        self.state.nested_parse(self.content, self.content_offset, box)
        if "figure" in self.options:
            box += self._figure(self.options["figure"])
        return [box]

    def _figure(self, number: int) -> list[nodes.Node]:
        """The page's figure ``number``, as sphinx-gallery's own image block further down."""
        source = Path(self.state.document.current_source or "")
        name = f"sphx_glr_{source.stem}_{number:03d}.png"
        text = source.read_text(encoding="utf-8") if source.is_file() else ""
        block = _image_block(text, name)
        if block is None:
            note = f"The key figure (figure {number} of this page): not computed in this build."
            return [nodes.paragraph(text=note, classes=["verdicts-missing"])]
        container = nodes.container(classes=["optimlab-lesson-figure"])
        self.state.nested_parse(StringList(block, str(source)), self.content_offset, container)
        return [container]


def _image_block(text: str, name: str) -> list[str] | None:
    """The lines of sphinx-gallery's ``image-sg`` directive that shows ``name``, or None.

    A cell with several figures lists them indented (``sphx-glr-horizontal``); the block
    comes back unindented, with the class of a single figure.
    """
    lines = text.splitlines()
    for i, line in enumerate(lines):
        directive = line.lstrip()
        if directive.startswith(".. image-sg::") and directive.rstrip().endswith("/" + name):
            indent = len(line) - len(directive)
            block = [directive]
            for option in lines[i + 1 :]:
                if not option[indent:].startswith("   :"):
                    break
                block.append(option[indent:].replace("sphx-glr-multi-img", "sphx-glr-single-img"))
            return block
    return None


_FOLD_OUTPUT = re.compile(r"^\.\. fold-output:: (?P<summary>.+)$", re.M)


def fold_outputs(app, docname: str, source: list[str]) -> None:
    """Wrap the output block after each ``.. fold-output::`` line in ``<details>``.

    sphinx-gallery writes a code cell's output as ``.. rst-class:: sphx-glr-script-out``
    followed by an indented ``code-block``; the fold opens before it and closes after it.
    A ``fold-output`` with no output after it (the gallery did not run) is dropped.
    """
    text = source[0]
    if ".. fold-output::" not in text:
        return
    out: list[str] = []
    lines = text.split("\n")
    pending: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        match = _FOLD_OUTPUT.match(line)
        if match:
            pending = match["summary"].strip()
            i += 1
            continue
        if pending is not None and line.startswith(".. rst-class:: sphx-glr-script-out"):
            out += [".. raw:: html", "", "   " + _details_open(pending), ""]
            out.append(line)
            i += 1
            # the block: its indented code-block of output, up to the next unindented line
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith(" ")):
                out.append(lines[i])
                i += 1
            out += ["", ".. raw:: html", "", "   </details>", ""]
            pending = None
            continue
        out.append(line)
        i += 1
    source[0] = "\n".join(out)


#: Where PyTorch documents each optimizer's algorithm.
TORCH_OPTIM = "https://docs.pytorch.org/docs/stable/generated/torch.optim.{}.html"
_TITLED = re.compile(r"^(?P<text>.+?)\s*<(?P<name>[\w.]+)>$", re.S)


def torch_optim_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``:torch-optim:`AdamW``` or ``:torch-optim:`text <AdamW>```: a link to PyTorch's page.

    A scheduler is named with its module: ``:torch-optim:`lr_scheduler.StepLR```.
    """
    match = _TITLED.match(text.strip())
    label, optimizer = (match["text"], match["name"]) if match else (text, text.strip())
    if not re.fullmatch(r"(lr_scheduler\.)?[A-Z]\w*", optimizer):
        message = inliner.reporter.error(f"torch-optim: {optimizer!r} is not an optimizer name")
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    node = nodes.reference(rawtext, label, refuri=TORCH_OPTIM.format(optimizer))
    return [node], []


def setup(app) -> dict[str, Any]:
    app.add_role("torch-optim", torch_optim_role)
    app.add_node(
        fold,
        html=(visit_fold_html, depart_fold_html),
        latex=(visit_fold_other, depart_fold_other),
        text=(visit_fold_other, depart_fold_other),
    )
    app.add_directive("fold", FoldDirective)
    app.add_directive("fold-start", FoldStartDirective)
    app.add_directive("fold-end", FoldEndDirective)
    app.add_directive("lesson", LessonDirective)
    app.connect("source-read", fold_outputs)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
