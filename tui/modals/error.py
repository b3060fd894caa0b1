"""An unexpected error, shown instead of crashing: a summary, the details, and a way back."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class ErrorModal(ModalScreen[None]):
    """Shows what failed; escape or OK closes it and the app carries on."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]

    def __init__(self, summary: str, details: str) -> None:
        super().__init__()
        self.summary = summary
        self.details = details

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="error"):
            yield Label("Something went wrong", classes="title")
            yield Label(self.summary, id="summary")
            with VerticalScroll(id="details"):
                yield Static(self.details, markup=False)
            yield Button("OK", variant="primary", id="ok")

    @on(Button.Pressed, "#ok")
    def action_close(self) -> None:
        """Back to the app."""
        self.dismiss(None)
