"""Ask where and how to export the shortlist; returns an ``ExportRequest`` or None."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet

from catalog.export import EXPORT_FORMATS, ExportFormat


@dataclass(frozen=True)
class ExportRequest:
    """The format and file the user chose."""

    fmt: ExportFormat
    path: Path


class ExportModal(ModalScreen[ExportRequest | None]):
    """Format (json, csv, md) and path; the file suffix follows the format."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, default_path: Path, count: int, fmt: ExportFormat = "json") -> None:
        super().__init__()
        self.default_path = default_path
        self.count = count
        self.initial_format = fmt

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            noun = "model" if self.count == 1 else "models"
            yield Label(f"Export {self.count} shortlisted {noun}", classes="title")
            with RadioSet(id="format"):
                for fmt in EXPORT_FORMATS:
                    yield RadioButton(fmt, value=fmt == self.initial_format, id=f"fmt-{fmt}")
            yield Label("File", classes="caption")
            yield Input(str(self.default_path), id="path")
            yield Label("", id="where", classes="hint", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Export", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()
        self._show_where()

    @on(Input.Changed, "#path")
    def _show_where(self) -> None:
        text = self.query_one("#path", Input).value.strip()
        where = f"Writes {Path(text).expanduser().absolute()}" if text else "Give a file path."
        if text and Path(text).expanduser().exists():
            where += " (exists: you will be asked before it is replaced)"
        self.query_one("#where", Label).update(where)

    @property
    def fmt(self) -> ExportFormat:
        """The chosen format."""
        pressed = self.query_one(RadioSet).pressed_button
        label = str(pressed.label) if pressed is not None else "json"
        return label if label in EXPORT_FORMATS else "json"  # type: ignore[return-value]

    @on(RadioSet.Changed)
    def _format_changed(self) -> None:
        box = self.query_one("#path", Input)
        path = Path(box.value.strip() or str(self.default_path))
        box.value = str(path.with_suffix(f".{self.fmt}"))

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        text = self.query_one("#path", Input).value.strip()
        if not text:
            self.notify("Give a file path.", severity="warning")
            return
        self.dismiss(ExportRequest(self.fmt, Path(text)))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without exporting."""
        self.dismiss(None)
