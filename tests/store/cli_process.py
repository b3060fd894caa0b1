"""Run one ``modelcat`` command in its own process once a start file appears (for race tests).

Usage: python -m tests.store.cli_process START_FILE READY_FILE ARG...

Touches READY_FILE, waits for START_FILE, then runs ``modelcat ARG...``: several such processes
started together hit the store at the same moment.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def main(start: Path, ready: Path, args: list[str]) -> None:
    from catalog.cli.main import app  # imported before the start signal: only the work races

    ready.touch()
    deadline = time.monotonic() + 60
    while not start.exists():
        if time.monotonic() > deadline:
            raise SystemExit("no start signal")
        time.sleep(0.005)
    app(args, prog_name="modelcat")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:])
