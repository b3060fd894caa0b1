"""A text field with its caption above and, when its value is not valid, the reason below it.

The field itself carries the problem (a red border and a line under it), not only a status line
at the other end of the screen.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label


class LabelledInput(Vertical):
    """Caption, ``Input``, and an error line shown only while the value is not valid."""

    DEFAULT_CSS = """
    LabelledInput {
        height: auto;
        width: 1fr;
        margin-right: 1;
        & > .caption { color: $text-muted; }
        & > .field-error { color: $text-error; display: none; }
        &.-invalid > .field-error { display: block; }
        &.-invalid > Input { border: tall $error; }
        &.-invalid > Input.-textual-compact { background: $error 20%; }
    }
    """

    def __init__(self, caption: str, field: Input) -> None:
        super().__init__()
        self.caption = caption
        self.input = field

    def compose(self) -> ComposeResult:
        yield Label(self.caption, classes="caption")
        yield self.input
        yield Label("", classes="field-error")

    def show_error(self, problem: str | None) -> None:
        """Mark the field with ``problem`` (None clears it)."""
        self.set_class(problem is not None, "-invalid")
        self.query_one(".field-error", Label).update(problem or "")

    def integer(self) -> tuple[int | None, str | None]:
        """(the whole number typed, or None when empty; the problem shown, or None)."""
        text = self.input.value.strip()
        if not text:
            self.show_error(None)
            return None, None
        result = self.input.validate(text)
        if result is not None and not result.is_valid:
            problem = f"{self.caption}: {'; '.join(result.failure_descriptions)}"
            self.show_error(problem)
            return None, problem
        self.show_error(None)
        return int(text), None

    @on(Input.Changed)
    def _changed(self) -> None:
        # Typing clears the mark; the owner checks again when the value is used.
        self.show_error(None)
