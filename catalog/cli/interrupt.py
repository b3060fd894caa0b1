"""Ctrl-C during a long command (``bench``, ``sync``): the first asks it to stop, the second stops."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from catalog.cli.common import err


@contextmanager
def cancel_on_sigint(cancel: threading.Event, *, stopping: str) -> Iterator[None]:
    """While inside, Ctrl-C sets ``cancel`` and prints ``modelcat: {stopping} (Ctrl-C again to
    stop at once)``; a second Ctrl-C raises KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def handler(_signum: int, _frame: FrameType | None) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()
        err(f"modelcat: {stopping} (Ctrl-C again to stop at once)")

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
