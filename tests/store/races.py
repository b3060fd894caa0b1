"""Start several ``modelcat`` processes at the same moment and collect what they did."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Outcome:
    """One process's exit code and output."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """stdout parsed as JSON."""
        return json.loads(self.stdout)


def race(
    commands: Sequence[Sequence[str]],
    *,
    folder: Path,
    module: str = "tests.store.cli_process",
    timeout: float = 300,
) -> list[Outcome]:
    """Run each argument list in its own process, released together.

    ``module`` takes ``START_FILE READY_FILE ARG...`` (default: a ``modelcat`` command). The
    environment (``MODELCAT_DB``, ``HF_ENDPOINT``, ...) is the test's.
    """
    start = folder / "start"
    start.unlink(missing_ok=True)
    procs = []
    for i, args in enumerate(commands):
        ready = folder / f"ready-{i}"
        ready.unlink(missing_ok=True)
        procs.append(
            (
                ready,
                subprocess.Popen(
                    [sys.executable, "-m", module, str(start), str(ready), *args],
                    cwd=ROOT,
                    env=dict(os.environ),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
        )
    deadline = time.monotonic() + 60
    while not all(ready.exists() for ready, _ in procs):
        if time.monotonic() > deadline or any(p.poll() is not None for _, p in procs):
            break
        time.sleep(0.01)
    start.touch()
    outcomes = []
    for _, proc in procs:
        out, err = proc.communicate(timeout=timeout)
        outcomes.append(Outcome(proc.returncode, out, err))
    return outcomes
