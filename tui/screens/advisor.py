"""The selection assistant as a form: describe the use case, get a plan and a ranked shortlist
whose rows open the model details.

The form's fields are the advisor's answers (``catalog.advisor`` ``INPUT_FIELDS``); the intended
use (commercial or not, MAU, distribution) comes from the browse screen's filter panel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.widgets import Button, Checkbox, DataTable, Footer, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from catalog.units import format_bytes
from tui.screens.base import ModelcatScreen
from tui.state import UseState

if TYPE_CHECKING:
    from catalog.advisor import Advice

LEVELS = ("none", "low", "medium", "high")
SENSITIVITY = ("low", "medium", "high")


class AdvisorScreen(ModelcatScreen):
    """A use case in, an adaptation plan and models out."""

    advice: Advice | None = None
    """The last advice shown."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="advisor"):
            yield Label("Advisor: which model, and how to adapt it?", classes="title")
            with Grid(id="advisor-form"):
                yield Label("Task", classes="caption")
                yield Input(placeholder="e.g. classify support tickets", id="task", compact=True)
                yield Label("Labelled examples", classes="caption")
                yield Input("0", id="examples", type="integer", compact=True)
                yield Label("Training budget", classes="caption")
                yield _select("budget", LEVELS, "medium")
                yield Label("Latency matters", classes="caption")
                yield _select("latency", SENSITIVITY, "medium")
                yield Label("Cost per request matters", classes="caption")
                yield _select("cost_per_request", SENSITIVITY, "medium")
                yield Label("Max parameters", classes="caption")
                yield Input(placeholder="e.g. 8B (optional)", id="max_params", compact=True)
                yield Label("Models to suggest", classes="caption")
                yield Input("5", id="top", type="integer", compact=True)
            yield Checkbox(
                "Knowledge lives in documents / changes often", id="documents", compact=True
            )
            yield Checkbox("Data must stay on premises (no API models)", id="on_prem", compact=True)
            yield Static("", id="use-line", classes="hint")
            yield Button("Advise", variant="primary", id="advise")
            yield Static("", id="plan", classes="title")
            yield Static("", id="reasons", classes="hint")
            # Shown with the first advice: an empty table would be a tab stop showing nothing.
            advice = DataTable[str](id="advice", cursor_type="row")
            others = DataTable[str](id="alternatives", cursor_type="row", zebra_stripes=True)
            advice.display = others.display = False
            yield advice
            yield others
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.on_screen_resume()
        self.query_one("#task", Input).focus()

    def on_screen_resume(self) -> None:
        use = self.mc.filters.use or UseState()
        self.query_one("#use-line", Static).update(
            f"Intended use: {use.describe()} (set it under Intended use on the browse screen)."
        )

    def answers(self) -> dict[str, Any]:
        """The form as advisor answers (empty fields left out, so the advisor's defaults apply)."""
        use = self.mc.filters.use or UseState()
        values: dict[str, Any] = {
            "task": self.query_one("#task", Input).value.strip() or None,
            "examples": self.query_one("#examples", Input).value.strip() or None,
            "budget": self.query_one("#budget", Select).value,
            "latency": self.query_one("#latency", Select).value,
            "cost_per_request": self.query_one("#cost_per_request", Select).value,
            "max_params": self.query_one("#max_params", Input).value.strip() or None,
            "top": self.query_one("#top", Input).value.strip() or None,
            "documents": self.query_one("#documents", Checkbox).value,
            "on_prem": self.query_one("#on_prem", Checkbox).value,
            "use": use.use,
            "mau": use.mau.strip() or None,
            "distribute": use.distribute,
            "train_on_outputs": use.train_on_outputs,
            "host_api": use.host_api,
        }
        return {key: value for key, value in values.items() if value is not None}

    @on(Button.Pressed, "#advise")
    @on(Input.Submitted)
    def advise(self) -> None:
        """Ask the advisor (in a worker: it ranks the catalog and estimates memory)."""
        self._advise(self.answers())

    @work(thread=True, exclusive=True, group="advisor", exit_on_error=False, description="Advisor")
    def _advise(self, answers: dict[str, Any]) -> Advice:
        from catalog.advisor import advise

        return advise(answers=answers, catalog=self.mc.catalog, hardware=self.mc.hardware)

    def worker_changed(self, worker: Worker[object], state: WorkerState) -> None:
        if worker.group != "advisor" or state != WorkerState.SUCCESS:
            return
        advice = cast("Advice", worker.result)
        self.advice = advice
        self.query_one("#plan", Static).update(advice.plan())
        self.query_one("#reasons", Static).update("\n".join(f"• {r}" for r in advice.reasons))
        table = self.query_one("#advice", DataTable)
        table.display = True
        table.clear(columns=True)
        table.add_columns("model", "license", "fit here", "memory", "why")
        for candidate in advice.shortlist:
            doc = candidate.to_json()
            memory = doc["memory_bytes"]
            table.add_row(
                candidate.model.id,
                f"{doc['license']}: {doc['license_verdict']}",
                candidate.cost.fit.label(),
                (format_bytes(memory) + f" {doc['memory_what']}") if memory else "",
                doc["why"],
                key=candidate.model.id,
            )
        others = self.query_one("#alternatives", DataTable)
        others.display = True
        others.clear(columns=True)
        others.add_columns("alternative", "viable", "why not")
        for alt in advice.alternatives:
            doc = alt.to_json()
            others.add_row(doc["label"], "yes" if doc["viable"] else "no", doc["why_not"])
        table.focus()

    @on(DataTable.RowSelected, "#advice")
    def _open(self, event: DataTable.RowSelected) -> None:
        self.mc.open_detail(str(event.row_key.value))


def _select(key: str, options: tuple[str, ...], value: str) -> Select[str]:
    return Select([(o, o) for o in options], value=value, allow_blank=False, id=key, compact=True)
