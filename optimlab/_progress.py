"""The ``optimlab`` command's progress line: what it is doing, and for how long."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator
from typing import TextIO

from tqdm import tqdm

__all__ = ["PROG", "PROGRESS_DELAY", "progress"]

#: The command's name, which starts each line it writes on stderr.
PROG = "optimlab"

#: Seconds of work before the progress line appears: shorter commands stay silent.
PROGRESS_DELAY = 2.0


@contextlib.contextmanager
def progress(text: str, file: TextIO | None = None) -> Iterator[None]:
    """Say on ``file`` (stderr), if it is a terminal, what the command does and for how long.

    The engine reports no progress from inside a sweep, so a fraction done would be made
    up: the line shows the phase and its elapsed time from :data:`PROGRESS_DELAY` seconds
    on, and how long it took once done.

    Parameters
    ----------
    text : str
        The phase, such as ``"training 20 runs"``.
    file : file object, optional
        Where the line goes, if a terminal; default: ``sys.stderr``.
    """
    with tqdm(
        desc=f"{PROG}: {text}",
        bar_format="{desc} {elapsed}",
        file=file or sys.stderr,
        delay=PROGRESS_DELAY,
        disable=None,  # on anything but a terminal
    ) as line:
        if line.disable:
            yield
            return
        stop = threading.Event()  # tqdm redraws only when told: tell it a few times a second

        def tick() -> None:
            while not stop.wait(0.25):
                line.update(0)  # draws once the delay is over

        thread = threading.Thread(target=tick, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
            line.bar_format = "{desc}: done in {elapsed_s:.1f} s"  # drawn at close, if shown
