"""The ``optimlab`` command's progress line: what it is doing, and for how long."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator

__all__ = ["PROG", "PROGRESS_DELAY", "Status", "is_terminal"]

#: The command's name, which starts each line it writes on stderr.
PROG = "optimlab"

#: Seconds of work before the progress line appears: shorter commands stay silent.
PROGRESS_DELAY = 2.0


def is_terminal(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return False


class Status:
    """One line on stderr saying what the command is doing and for how long.

    The sweep engine trains every run in one call and reports no progress from inside
    it, so a bar with a fraction done would be made up: this line shows the phase and
    its elapsed time instead, refreshed a few times a second, and only when stderr is a
    terminal and the phase has lasted :data:`PROGRESS_DELAY` seconds. It writes with
    ``os.write`` from a helper thread, which takes no Python lock that a worker process
    forked meanwhile could inherit held.
    """

    def __init__(self, enabled: bool, write: Callable[[str], object] | None = None) -> None:
        self.enabled = enabled
        self.write = write or (lambda text: os.write(sys.stderr.fileno(), text.encode()))

    @contextlib.contextmanager
    def phase(self, text: str) -> Iterator[None]:
        if not self.enabled:
            yield
            return
        start = time.monotonic()
        stop = threading.Event()
        shown = threading.Event()

        def tick() -> None:
            if stop.wait(PROGRESS_DELAY):
                return
            shown.set()
            for frame in spinner():
                self.write(f"\r\x1b[K{PROG}: {text} {frame} {time.monotonic() - start:.0f} s")
                if stop.wait(0.25):
                    return

        thread = threading.Thread(target=tick, daemon=True)
        sys.stderr.flush()
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
            if shown.is_set():
                elapsed = time.monotonic() - start
                self.write(f"\r\x1b[K{PROG}: {text}: done in {elapsed:.1f} s\n")


def spinner() -> Iterator[str]:
    while True:
        yield from "|/-\\"
