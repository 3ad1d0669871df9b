"""``optimlab-help``: the ``--help`` text of the optimlab command, generated at build time.

In a Markdown page::

    ```{optimlab-help}
    ```

    ```{optimlab-help} sweep
    ```

shows what ``optimlab --help`` (or ``optimlab sweep --help``) prints, as the parser in
:mod:`optimlab.cli` formats it when the site is built: the page cannot fall behind the
command.
"""

import argparse
import os

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from optimlab import cli

#: Characters per line of the help text: argparse wraps to the terminal's width, which a
#: build has none of, so it is fixed for the page to be the same on every machine.
WIDTH = 88


def _parser(command: str | None) -> argparse.ArgumentParser:
    parser = cli.build_parser()
    if command is None:
        return parser
    (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    if command not in commands.choices:
        raise ValueError(f"optimlab has no command {command!r}; it has {list(commands.choices)}")
    return commands.choices[command]


class OptimlabHelp(SphinxDirective):
    """Render ``optimlab [COMMAND] --help`` as a literal block."""

    optional_arguments = 1

    def run(self) -> list[nodes.Node]:
        self.env.note_dependency(cli.__file__)
        columns = os.environ.get("COLUMNS")
        os.environ["COLUMNS"] = str(WIDTH + 2)  # argparse subtracts 2
        try:
            text = _parser(self.arguments[0] if self.arguments else None).format_help()
        except ValueError as error:
            raise self.error(str(error)) from None
        finally:
            if columns is None:
                del os.environ["COLUMNS"]
            else:
                os.environ["COLUMNS"] = columns
        command = " ".join(["optimlab", *self.arguments, "--help"])
        block = nodes.literal_block(text, f"$ {command}\n{text}", language="text")
        return [block]


def setup(app):
    app.add_directive("optimlab-help", OptimlabHelp)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
