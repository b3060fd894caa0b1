"""The long tasks of the app (a Hub sync, a benchmark), so that quitting can cancel them and the
process can leave within a bounded time.

A task's worker runs ``catalog`` code that takes the task's ``cancel`` event and sets ``done``
when it returns, whatever the outcome. Thread workers cannot be interrupted, and Python joins
busy threads at exit, so ``tui.app.run`` gives cancelled tasks a short grace period and then
ends the process without waiting: every catalog write is one transaction, so what a task had
not committed is simply not there.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass
class LongTask:
    """One run of a long task."""

    name: str
    """``sync`` or ``bench``."""
    label: str
    """What it is doing, for the quit question (``a sync with the Hub``)."""
    cancel: threading.Event = field(default_factory=threading.Event)
    """Set to ask the catalog function to stop at its next step."""
    done: threading.Event = field(default_factory=threading.Event)
    """Set by the worker when the function returned or raised."""

    @property
    def running(self) -> bool:
        """True until the worker is done."""
        return not self.done.is_set()


class LongTasks:
    """The app's long tasks, the latest run of each by name."""

    def __init__(self) -> None:
        self._tasks: dict[str, LongTask] = {}

    def start(self, name: str, label: str) -> LongTask:
        """A new run of ``name`` (the screen hands its events to the worker)."""
        task = LongTask(name, label)
        self._tasks[name] = task
        return task

    def get(self, name: str) -> LongTask | None:
        """The latest run of ``name``."""
        return self._tasks.get(name)

    def running(self) -> list[LongTask]:
        """The tasks still running."""
        return [task for task in self._tasks.values() if task.running]

    def cancel_all(self) -> None:
        """Ask every running task to stop."""
        for task in self.running():
            task.cancel.set()

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for every task to finish; True when they all did."""
        deadline = time.monotonic() + timeout
        for task in self.running():
            if not task.done.wait(max(0.0, deadline - time.monotonic())):
                return False
        return True
