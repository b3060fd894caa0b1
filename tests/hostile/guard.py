"""Run ``modelcat`` in a child process under a memory and time guard, and measure it.

A hostile input must fail fast and small; if it does not, the guard stops it before it takes
the machine with it: the address space is capped (``RLIMIT_AS``) and the child is killed at the
timeout. The child's own peak RSS comes from ``wait4``, so other tests do not blur it.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

MODELCAT = str(Path(sys.executable).with_name("modelcat"))
ADDRESS_SPACE = 3 * 1024**3
"""Virtual memory a child may map (libraries and arenas included): a runaway dies here."""


@dataclass(frozen=True)
class Guarded:
    """How a guarded run ended."""

    code: int
    """Exit code; negative: killed by that signal (the timeout kills with SIGKILL)."""
    stdout: str
    stderr: str
    seconds: float
    cpu_seconds: float
    """User and system time of the child."""
    peak_mb: float
    """Peak resident memory of the child."""
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

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))

    started = time.monotonic()
    child = subprocess.Popen(
        [MODELCAT, *args],
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
        preexec_fn=limit,  # noqa: PLW1509  (no threads run in the child before exec)
    )
    out: list[bytes] = []
    err: list[bytes] = []
    readers = [
        threading.Thread(target=lambda: out.append(child.stdout.read())),  # type: ignore[union-attr]
        threading.Thread(target=lambda: err.append(child.stderr.read())),  # type: ignore[union-attr]
    ]
    for reader in readers:
        reader.start()
    if stdin is not None:
        assert child.stdin is not None
        child.stdin.write(stdin.encode())
        child.stdin.close()
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        child.kill()

    timer = threading.Timer(timeout, kill)
    timer.start()
    try:
        _, status, usage = os.wait4(child.pid, 0)
    finally:
        timer.cancel()
    child.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    for pipe in (child.stdout, child.stderr):
        if pipe is not None:
            pipe.close()
    return Guarded(
        code=child.returncode,
        stdout=b"".join(out).decode(errors="replace"),
        stderr=b"".join(err).decode(errors="replace"),
        seconds=time.monotonic() - started,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_mb=usage.ru_maxrss / 1024,
        timed_out=killed.is_set(),
    )
