"""What every modelcat screen shares: the typed app, and worker errors sent to the app's router."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from tui.app import ModelcatApp


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
