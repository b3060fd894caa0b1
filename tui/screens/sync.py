"""Enrich the catalog from the Hugging Face Hub in a cancellable worker, with progress and a log.

The options are the CLI's: the curated models (changed ones, or all again with ``--full``), or
a discovery of Hub models by author, minimum downloads and a limit. The screen lives as long as
the app, so leaving it does not stop a running sync; quitting cancels it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.validation import Integer
from textual.widgets import Button, Footer, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from tui.messages import TaskLogged, TaskProgressed
from tui.screens.base import TaskScreen
from tui.widgets.labelled_input import LabelledInput
from tui.widgets.task_panel import TaskPanel

if TYPE_CHECKING:
    from catalog.sync import SyncProgress, SyncReport
    from tui.long_tasks import LongTask

TASK = "sync"
MODES: list[tuple[str, str]] = [
    ("Curated models: what changed on the Hub", "curated"),
    ("Curated models: fetch everything again (--full)", "full"),
    ("Discover Hub models (tier hub, --discover)", "discover"),
]


@dataclass(frozen=True)
class SyncOptions:
    """What the form asks for (the options of ``modelcat sync``)."""

    mode: str = "curated"
    author: str | None = None
    min_downloads: int | None = None
    limit: int | None = None

    def describe(self) -> str:
        """``Discovering Hub models (author mistralai, at least 1,000 downloads)…``."""
        if self.mode != "discover":
            again = ", fetching everything again" if self.mode == "full" else ""
            return f"Syncing the curated models with the Hub{again}…"
        parts = [f"author {self.author}"] if self.author else []
        if self.min_downloads is not None:
            parts.append(f"at least {self.min_downloads:,} downloads")
        if self.limit is not None:
            parts.append(f"at most {self.limit:,} models")
        return "Discovering Hub models" + (f" ({', '.join(parts)})" if parts else "") + "…"


class SyncScreen(TaskScreen):
    """Choose what to sync, start, watch and cancel; summary, failures and drift go to the log."""

    TASK: ClassVar[str] = TASK

    def __init__(self) -> None:
        super().__init__()
        self.report: SyncReport | None = None
        """The last sync's report."""

    def compose(self) -> ComposeResult:
        with Vertical(id="sync"):
            yield Label("Sync with the Hugging Face Hub", classes="title")
            yield Static(
                "Fetches Hub facts (sha, downloads, gated state, config numbers) and reports "
                "drift; curated judgments are never overwritten.",
                classes="hint",
            )
            yield Select(MODES, value="curated", allow_blank=False, id="mode", compact=True)
            with Horizontal(id="discover-options"):
                yield LabelledInput(
                    "author", Input(placeholder="user or organisation", id="author", compact=True)
                )
                yield _count("min downloads", "min_downloads", minimum=0, blank="any")
                yield _count("limit", "limit", minimum=1, blank="none")
            yield TaskPanel("Start sync", id="sync-task")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._mode_changed()
        self.query_one("#start", Button).focus()

    @on(Select.Changed, "#mode")
    def _mode_changed(self) -> None:
        discover = self.query_one("#mode", Select).value == "discover"
        for box in self.query_one("#discover-options").query(Input):
            box.disabled = not discover

    def options(self) -> SyncOptions | None:
        """The form's options, or None after marking the fields that are not valid."""
        mode = str(self.query_one("#mode", Select).value)
        if mode != "discover":
            return SyncOptions(mode=mode)
        numbers: dict[str, int | None] = {}
        valid = True
        for field in self.query(LabelledInput).results(LabelledInput):
            if field.input.type != "integer":
                continue
            number, problem = field.integer()
            valid = valid and problem is None
            numbers[field.input.id or ""] = number
        if not valid:
            return None
        author = self.query_one("#author", Input).value.strip() or None
        return SyncOptions(mode, author, numbers["min_downloads"], numbers["limit"])

    @on(Button.Pressed, "#start")
    def start(self) -> None:
        """Start syncing with the chosen options."""
        options = self.options()
        if options is None:
            self.query_one(TaskPanel).status("Fix the marked fields first.")
            return
        label = "a Hub discovery" if options.mode == "discover" else "a sync with the Hub"
        task = self.begin(label, options.describe())
        self._run(task, options)

    @work(thread=True, exclusive=True, group=TASK, exit_on_error=False, description="Sync")
    def _run(self, task: LongTask, options: SyncOptions) -> SyncReport:
        from catalog.sync import discover, sync

        def progress(report: SyncProgress) -> None:
            self.post_message(TaskProgressed(TASK, report.fraction, str(report)))
            if report.model is not None or report.phase == "done":
                self.post_message(TaskLogged(TASK, str(report)))

        try:
            if options.mode != "discover":
                return sync(
                    catalog=self.mc.catalog,
                    full=options.mode == "full",
                    progress=progress,
                    cancel=task.cancel,
                )
            from catalog.hub import HubClient

            return discover(
                self.mc.catalog,
                client=HubClient(),
                author=options.author,
                min_downloads=options.min_downloads,
                limit=options.limit,
                progress=progress,
                cancel=task.cancel,
            )
        finally:
            task.done.set()

    def worker_changed(self, worker: Worker[object], state: WorkerState) -> None:
        if worker.group != TASK or state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        panel = self.query_one(TaskPanel)
        if state == WorkerState.ERROR:
            self.ended(f"Failed: {worker.error}", done=False)
            return
        report = cast("SyncReport", worker.result)
        self.report = report
        for failure in report.failed:
            panel.log_line(f"failed {failure.model}: {failure.error}")
        for item in report.drift:
            panel.log_line(
                f"drift {item.model}: {item.field} curated {item.curated!r}, Hub {item.hub!r}"
            )
        self.ended(str(report), done=not report.cancelled)
        self.notify(
            str(report),
            title="Sync",
            severity="information" if report.ok else "warning",
            timeout=10,
        )
        self.mc.browse.refresh_results()


def _count(caption: str, key: str, *, minimum: int, blank: str) -> LabelledInput:
    """A whole-number field of at least ``minimum``; empty means ``blank``."""
    check = Integer(minimum=minimum, failure_description=f"{minimum} or more")
    field = Input(placeholder=blank, id=key, type="integer", validators=[check], compact=True)
    return LabelledInput(caption, field)
