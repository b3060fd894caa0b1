"""Run ``modelcat`` in a child process under a memory and time guard, and measure it.

A hostile input must fail fast and small; if it does not, the guard stops it before it takes
the machine with it: the address space is capped (``RLIMIT_AS``) and the child is killed at the
timeout.

The child is started by a small launcher, which reports the child's own peak RSS and CPU time
(``RUSAGE_CHILDREN``). Measured from the test process instead, the peak would be at least that
process's own size: Linux carries the RSS of the forking process over into the child's
high-water mark, and a test session that has imported torch is several hundred MB.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

MODELCAT = str(Path(sys.executable).with_name("modelcat"))
ADDRESS_SPACE = 3 * 1024**3
"""Virtual memory a child may map (libraries and arenas included): a runaway dies here."""

_LAUNCHER = """
import json, resource, subprocess, sys
limit, report = int(sys.argv[1]), sys.argv[2]
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
code = subprocess.call(sys.argv[3:])
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(report, "w") as out:
    json.dump({"code": code, "cpu": usage.ru_utime + usage.ru_stime, "kib": usage.ru_maxrss}, out)
"""


@dataclass(frozen=True)
class Guarded:
    """How a guarded run ended."""

    code: int
    """Exit code; negative: killed by that signal (the timeout kills with SIGKILL)."""
    stdout: str
    stderr: str
    seconds: float
    cpu_seconds: float
    """User and system time of the child (0 when it was killed at the timeout)."""
    peak_mb: float
    """Peak resident memory of the child (0 when it was killed at the timeout)."""
    timed_out: bool


def run_guarded(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = 60.0,
    address_space: int = ADDRESS_SPACE,
    stdin: str | None = None,
) -> Guarded:
    """``modelcat ARGS`` in a child process with its address space capped and a timeout."""
    with tempfile.TemporaryDirectory(prefix="modelcat-guard-") as folder:
        report = Path(folder) / "usage.json"
        started = time.monotonic()
        launcher = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(address_space), str(report), MODELCAT, *args],
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})},
            start_new_session=True,  # the timeout kills the launcher and the child together
        )
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            os.killpg(launcher.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            out, err = launcher.communicate(stdin.encode() if stdin is not None else None)
        finally:
            timer.cancel()
        seconds = time.monotonic() - started
        usage = json.loads(report.read_text()) if report.exists() else None
    return Guarded(
        code=usage["code"] if usage else launcher.returncode,
        stdout=out.decode(errors="replace"),
        stderr=err.decode(errors="replace"),
        seconds=seconds,
        cpu_seconds=usage["cpu"] if usage else 0.0,
        peak_mb=usage["kib"] / 1024 if usage else 0.0,
        timed_out=killed.is_set(),
    )
