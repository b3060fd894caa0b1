"""Progress reports and cancellation for a benchmark run."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from catalog.errors import BenchmarkError

Phase = Literal["load", "warmup", "prefill", "decode", "perplexity", "done"]


@dataclass(frozen=True)
class BenchProgress:
    """One progress report: the phase that starts now and the share of the run already done."""

    phase: Phase
    fraction: float
    """0.0 at the start, 1.0 with ``phase == "done"``."""
    repeat: int | None = None
    """1-based repetition for ``prefill`` and ``decode`` (and ``warmup``), else None."""


ProgressCallback = Callable[[BenchProgress], None]


class BenchmarkCancelled(BenchmarkError):
    """The run was cancelled through its ``cancel`` event; no result exists."""

    def __init__(self) -> None:
        super().__init__("benchmark cancelled; nothing was recorded")


class Steps:
    """Counts the steps of a run, reports each one and stops the run when cancel is set."""

    def __init__(
        self,
        *,
        total: int,
        progress: ProgressCallback | None,
        cancel: threading.Event | None,
    ) -> None:
        self._total = total
        self._done = 0
        self._progress = progress
        self._cancel = cancel

    def check(self) -> None:
        """Raise ``BenchmarkCancelled`` when the cancel event is set."""
        if self._cancel is not None and self._cancel.is_set():
            raise BenchmarkCancelled()

    def start(self, phase: Phase, *, repeat: int | None = None) -> None:
        """A step begins: check for cancellation, then report it."""
        self.check()
        if self._progress is not None:
            self._progress(
                BenchProgress(phase=phase, fraction=self._done / self._total, repeat=repeat)
            )
        self._done += 1

    def finish(self) -> None:
        """The run is complete (a last cancellation check, then ``done`` at 1.0)."""
        self.check()
        if self._progress is not None:
            self._progress(BenchProgress(phase="done", fraction=1.0))
