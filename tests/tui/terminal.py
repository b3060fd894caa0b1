"""The real ``modelcat`` process in a pseudo-terminal: keys in, screen bytes out, exit timed.

Pilot runs the app inside the test's own event loop, so it cannot show what the process does
when it quits (threads it waits for, a traceback on the terminal, an exit code).
"""

from __future__ import annotations

import fcntl
import os
import re
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Mapping
from pathlib import Path

KEYS = {
    "enter": b"\r",
    "tab": b"\t",
    "shift+tab": b"\x1b[Z",
    "ctrl+c": b"\x03",
    "ctrl+x": b"\x18",
}
_ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


class Terminal:
    """``modelcat ARGS`` running in a pty of ``size`` (columns, rows)."""

    def __init__(
        self,
        args: list[str],
        *,
        cwd: Path,
        env: Mapping[str, str],
        size: tuple[int, int] = (120, 40),
    ) -> None:
        main, child = os.openpty()
        columns, rows = size
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self._main = main
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from catalog.cli.main import run; run()", *args],
            stdin=child,
            stdout=child,
            stderr=child,
            cwd=cwd,
            env={**env, "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(rows)},
            start_new_session=True,
        )
        os.close(child)
        self._output = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self._main, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self._output += chunk

    @property
    def text(self) -> str:
        """Everything written so far, escape sequences removed."""
        with self._lock:
            raw = bytes(self._output)
        return _ESCAPES.sub(b"", raw).decode("utf-8", "replace")

    def press(self, *keys: str) -> None:
        """Send keys: names from ``KEYS`` or literal text."""
        for key in keys:
            os.write(self._main, KEYS.get(key, key.encode()))
            time.sleep(0.15)

    def wait_for(self, text: str, timeout: float = 30.0) -> None:
        """Wait until ``text`` was drawn (AssertionError with the screen's text otherwise)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.text:
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the terminal showed:\n{self.text[-3000:]}")

    def wait_exit(self, timeout: float) -> int:
        """The exit code, once the process has gone (TimeoutExpired if it is still there)."""
        return self.process.wait(timeout=timeout)

    def close(self) -> None:
        """Kill the process if it is still running, and close the terminal."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        os.close(self._main)
        self._reader.join(timeout=2)
