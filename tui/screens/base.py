"""What every modelcat screen shares: the typed app, worker errors sent to the app's router, and
the controls of a long task."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Button
from textual.worker import Worker, WorkerState

from tui.messages import TaskLogged, TaskProgressed
from tui.widgets.task_panel import TaskPanel

if TYPE_CHECKING:
    from tui.app import ModelcatApp
    from tui.long_tasks import LongTask


class ModelcatScreen(Screen[None]):
    """A screen of the modelcat app; escape goes back (except on the first screen)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back")]

    @property
    def mc(self) -> ModelcatApp:
        """The app, typed."""
        return cast("ModelcatApp", self.app)

    def action_back(self) -> None:
        """Return to the previous screen."""
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Worker state changes stop at the screen that started the worker: route errors."""
        if event.state == WorkerState.ERROR:
            self.mc.route_worker_error(event.worker)
        self.worker_changed(event.worker, event.state)

    def worker_changed(self, worker: Worker[object], state: WorkerState) -> None:
        """Hook for screens that react to their own workers (results, progress end)."""


class TaskScreen(ModelcatScreen):
    """A screen that runs one long task (``TASK``) with a ``TaskPanel``; ctrl+x cancels it.

    The task's run is registered with the app (``ModelcatApp.tasks``) so that quitting can
    cancel it; leaving the screen does not.
    """

    TASK: ClassVar[str] = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: a focused text box would otherwise take ctrl+x as "cut".
        Binding("ctrl+x", "cancel_task", "Cancel", priority=True),
    ]

    @property
    def long_task(self) -> LongTask | None:
        """The latest run of this screen's task."""
        return self.mc.tasks.get(self.TASK)

    @property
    def running(self) -> bool:
        """True while the task runs."""
        task = self.long_task
        return task is not None and task.running

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_task":
            return True if self.running else None  # None: shown greyed out in the footer
        return True

    def begin(self, label: str, status: str) -> LongTask:
        """Register a new run (``label`` names it in the quit question) and show it started."""
        task = self.mc.tasks.start(self.TASK, label)
        self.query_one(TaskPanel).started(status)
        self.refresh_bindings()
        return task

    @on(Button.Pressed, "#cancel")
    def action_cancel_task(self) -> None:
        """Ask the running task to stop at its next step."""
        task = self.long_task
        if task is not None and task.running:
            task.cancel.set()
            self.query_one(TaskPanel).status("Cancelling…")

    def ended(self, text: str, *, done: bool) -> None:
        """The task's worker finished: show ``text`` and offer to start again."""
        self.query_one(TaskPanel).finished(text, done=done)
        self.refresh_bindings()

    @on(TaskProgressed)
    def _progress(self, event: TaskProgressed) -> None:
        self.query_one(TaskPanel).progressed(event.fraction, event.text)

    @on(TaskLogged)
    def _logged(self, event: TaskLogged) -> None:
        self.query_one(TaskPanel).log_line(event.line)
