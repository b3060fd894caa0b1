"""Messages that cross from worker threads to screens (``post_message`` is thread-safe)."""

from __future__ import annotations

from textual.message import Message


class TaskProgressed(Message):
    """A long task moved on; a newer report replaces one still queued (no flooding)."""

    def __init__(self, task: str, fraction: float | None, text: str) -> None:
        super().__init__()
        self.task = task
        self.fraction = fraction
        """Share done, 0 to 1 (None: unknown)."""
        self.text = text

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TaskProgressed) and message.task == self.task


class TaskLogged(Message):
    """A line for a long task's log (never replaced: every line is kept)."""

    def __init__(self, task: str, line: str) -> None:
        super().__init__()
        self.task = task
        self.line = line
