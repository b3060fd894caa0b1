"""Every key, by where it works (``?``)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Static

from tui.screens.base import ModelcatScreen

KEYS: list[tuple[str, str, str]] = [
    ("everywhere", "?", "this help"),
    ("everywhere", "q", "quit (from the table; elsewhere it asks first)"),
    (
        "everywhere",
        "ctrl+c, ctrl+q",
        "quit (while a sync or benchmark runs: asks once, then cancels it)",
    ),
    ("everywhere", "escape", "back to the previous screen"),
    ("everywhere", "ctrl+p", "command palette (every action by name)"),
    ("everywhere", "l", "licenses: terms, and the models under each"),
    ("everywhere", "a", "advisor: which model for a use case"),
    ("everywhere", "s", "sync with the Hugging Face Hub"),
    ("everywhere", "i", "installed (local) models, their catalog entry and last benchmark"),
    ("everywhere", "c", "compare the marked models (2 to 4)"),
    ("everywhere", "e", "export the marked models (json, csv, md)"),
    ("browse", "/", "search (id, name, family, publisher)"),
    ("browse", "f", "show or hide the filter panel"),
    ("browse", "↑ ↓ pgup pgdn home end", "move in the table"),
    ("browse", "enter / click twice", "details of the highlighted model"),
    ("browse", "space", "mark or unmark for the shortlist (kept across restarts)"),
    ("browse", "b", "benchmark the highlighted model (when it is on this machine)"),
    ("browse", "o / O", "sort by the next column / reverse it (the header shows ↑ ↓)"),
    ("browse", "click a header", "sort by that column (again: reverse)"),
    (
        "everywhere",
        "ctrl+p",
        "also: jump to a model by id, reset filters, every sort, every screen",
    ),
    (
        "browse",
        "tunable F L Q P A",
        "full fine-tuning, LoRA, QLoRA, prompt tuning, vendor API fine-tuning",
    ),
    ("browse", "fit", "most precise dtype that fits one device here (bf16, int8, int4; no; n/a)"),
    ("browse", "fit ~", "judged from the parameter count alone (no config: KV cache unknown)"),
    ("browse", "escape", "from the search box or filters back to the table"),
    ("detail", "space", "mark or unmark this model"),
    ("detail", "b", "benchmark this model (not offered for an API-only model: its prices show)"),
    ("detail", "o / y", "open in the browser / copy the source URL of the highlighted row"),
    ("local models", "b, enter, r", "benchmark the copy, open its catalog entry, rescan"),
    ("licenses", "↑ ↓, enter", "models under the highlighted license; enter moves to them"),
    (
        "sync, bench",
        "enter",
        "start (the screen opens on the Start/Run button; focus then moves to Cancel)",
    ),
    ("sync, bench", "ctrl+x", "cancel the running sync or benchmark"),
    ("sync", "mode", "curated models (changed, or all again) or discover Hub models by author"),
    (
        "text fields",
        "letters",
        "are text: single-letter keys act only outside text fields and dropdowns",
    ),
]


class HelpScreen(ModelcatScreen):
    """A table of every key."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static("[b]modelcat keys[/b]", classes="title")
            yield DataTable(id="keys", cursor_type="row", zebra_stripes=True)
            yield Static(
                "Filters and marks stay as you move between screens; marks are saved.",
                classes="hint",
            )
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("where", "key", "what it does")
        for row in KEYS:
            table.add_row(*row)
        table.focus()
