"""A long task's controls: start and cancel buttons, a progress bar, a status line and a log."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Log, ProgressBar


class TaskPanel(Vertical):
    """Attributes down: the screen calls ``started``, ``progressed``, ``log`` and ``finished``."""

    DEFAULT_CSS = """
    TaskPanel {
        height: 1fr;
        & .controls { height: auto; margin-bottom: 1; }
        & .controls Button { margin-right: 1; }
        & ProgressBar { width: 1fr; margin-left: 2; }
        & #task-status { color: $text-muted; margin-bottom: 1; }
        & Log { height: 1fr; min-height: 5; border: round $border-blurred; }
    }
    """

    def __init__(self, start_label: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.start_label = start_label

    def compose(self) -> ComposeResult:
        with Horizontal(classes="controls"):
            yield Button(self.start_label, variant="primary", id="start")
            yield Button("Cancel", variant="error", id="cancel", disabled=True)
            yield ProgressBar(total=1.0, show_eta=False, id="progress")
        yield Label("Idle.", id="task-status")
        yield Log(id="log", max_lines=2000)

    def started(self, text: str) -> None:
        """The task is running: the start button waits, cancel is offered (and focused)."""
        self.query_one("#start", Button).disabled = True
        cancel = self.query_one("#cancel", Button)
        cancel.disabled = False
        cancel.focus()
        self.query_one(ProgressBar).update(progress=0.0)
        self.status(text)
        self.log_line(text)

    def progressed(self, fraction: float | None, text: str) -> None:
        """Move the bar (``None``: indeterminate) and replace the status line."""
        bar = self.query_one(ProgressBar)
        if fraction is None:
            bar.update(total=None)
        else:
            bar.update(total=1.0, progress=max(0.0, min(1.0, fraction)))
        self.status(text)

    def finished(self, text: str, *, done: bool) -> None:
        """The task ended (``done``: completed; else failed or cancelled)."""
        start = self.query_one("#start", Button)
        start.disabled = False
        refocus = self.screen.focused is None or self.screen.focused.id == "cancel"
        self.query_one("#cancel", Button).disabled = True
        if refocus:
            start.focus()
        if done:
            self.query_one(ProgressBar).update(total=1.0, progress=1.0)
        self.status(text)
        self.log_line(text)

    def status(self, text: str) -> None:
        """Replace the status line."""
        self.query_one("#task-status", Label).update(text)

    def log_line(self, line: str) -> None:
        """Append a line to the log."""
        self.query_one(Log).write_line(line)

    @property
    def log_text(self) -> str:
        """Everything logged (tests read it)."""
        return "\n".join(self.query_one(Log).lines)
