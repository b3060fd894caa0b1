"""The selection assistant as a form: describe the use case, get a plan and a ranked shortlist
whose rows open the model details."""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Button, DataTable, Footer, Input, Label, Static
from textual.worker import Worker, WorkerState

from tui import features
from tui.screens.base import ModelcatScreen


class AdvisorScreen(ModelcatScreen):
    """A use case in, an adaptation plan and models out (``catalog.advisor.advise``)."""

    def compose(self) -> ComposeResult:
        available = features.available("advisor")
        with VerticalScroll(id="advisor"):
            yield Label("Advisor: which model, and how to adapt it?", classes="title")
            if not available:
                yield Static(features.missing_message("advisor"), classes="unavailable")
            yield Label("Task (what the model must do)", classes="caption")
            yield Input(placeholder="e.g. answer support tickets in German", id="task")
            yield Label("Max parameters (optional)", classes="caption")
            yield Input(placeholder="e.g. 8B", id="max_params")
            yield Static(
                "The intended use from the browse filters (commercial use, MAU, fine-tuning) "
                "applies here too.",
                classes="hint",
            )
            yield Button("Advise", variant="primary", id="advise", disabled=not available)
            yield Static("", id="plan")
            yield DataTable(id="advice", cursor_type="row")
        yield Footer(compact=True)

    @on(Button.Pressed, "#advise")
    @on(Input.Submitted)
    def advise(self) -> None:
        """Ask the advisor."""
        if not features.available("advisor"):
            return
        task = self.query_one("#task", Input).value.strip()
        max_params = self.query_one("#max_params", Input).value.strip() or None
        self._advise(task, max_params)

    @work(thread=True, exclusive=True, group="advisor", exit_on_error=False, description="Advisor")
    def _advise(self, task: str, max_params: str | None) -> Any:
        from catalog import advisor

        use = self.mc.filters.use
        return advisor.advise(
            catalog=self.mc.catalog,
            task=task,
            max_params=max_params,
            use=use.intended_use() if use else None,
        )

    def worker_changed(self, worker: Worker[object], state: WorkerState) -> None:
        if worker.group != "advisor" or state != WorkerState.SUCCESS:
            return
        advice = worker.result
        doc = advice.to_json() if hasattr(advice, "to_json") else dict(advice or {})  # type: ignore[call-overload]
        self.query_one("#plan", Static).update(str(doc.get("plan", "")))
        table = self.query_one("#advice", DataTable)
        table.clear(columns=True)
        table.add_columns("model", "why")
        for item in doc.get("models", []):
            table.add_row(item["id"], str(item.get("reason", "")), key=item["id"])
        table.focus()

    @on(DataTable.RowSelected, "#advice")
    def _open(self, event: DataTable.RowSelected) -> None:
        self.mc.open_detail(str(event.row_key.value))
