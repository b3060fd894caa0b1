"""Enrich the catalog from the Hugging Face Hub in a cancellable worker, with progress and a log.

The screen lives as long as the app, so leaving it does not stop a running sync.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Footer, Label, Static
from textual.worker import Worker, WorkerState

from tui.messages import TaskLogged, TaskProgressed
from tui.screens.base import ModelcatScreen
from tui.widgets.task_panel import TaskPanel

if TYPE_CHECKING:
    from catalog.sync import SyncReport

TASK = "sync"


class SyncScreen(ModelcatScreen):
    """Start, watch and cancel a sync; the summary, failures and drift go to the log."""

    def __init__(self) -> None:
        super().__init__()
        self._cancel = threading.Event()
        self.report: SyncReport | None = None
        """The last sync's report."""

    def compose(self) -> ComposeResult:
        with Vertical(id="sync"):
            yield Label("Sync with the Hugging Face Hub", classes="title")
            yield Static(
                "Fetches Hub facts for the curated models (sha, downloads, gated state, config "
                "numbers) and reports drift; curated judgments are never overwritten.",
                classes="hint",
            )
            yield TaskPanel("Start sync", id="sync-task")
        yield Footer(compact=True)

    @property
    def running(self) -> bool:
        """True while a sync runs."""
        return any(w.group == TASK and w.is_running for w in self.workers)

    @on(Button.Pressed, "#start")
    def start(self) -> None:
        """Start syncing the curated models."""
        self._cancel = threading.Event()
        self.query_one(TaskPanel).started("Syncing the curated models with the Hub…")
        self._run(self._cancel)

    @on(Button.Pressed, "#cancel")
    def cancel(self) -> None:
        """Ask the sync to stop after the models in flight."""
        self._cancel.set()
        self.query_one(TaskPanel).status("Cancelling…")

    @work(thread=True, exclusive=True, group=TASK, exit_on_error=False, description="Sync")
    def _run(self, cancel: threading.Event) -> SyncReport:
        from catalog.sync import SyncProgress, sync

        def progress(report: SyncProgress) -> None:
            self.post_message(TaskProgressed(TASK, report.fraction, str(report)))
            if report.model is not None or report.phase == "done":
                self.post_message(TaskLogged(TASK, str(report)))

        return sync(catalog=self.mc.catalog, progress=progress, cancel=cancel)

    @on(TaskProgressed)
    def _progress(self, event: TaskProgressed) -> None:
        self.query_one(TaskPanel).progressed(event.fraction, event.text)

    @on(TaskLogged)
    def _logged(self, event: TaskLogged) -> None:
        self.query_one(TaskPanel).log_line(event.line)

    def worker_changed(self, worker: Worker[object], state: WorkerState) -> None:
        if worker.group != TASK or state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        panel = self.query_one(TaskPanel)
        if state == WorkerState.ERROR:
            panel.finished(f"Failed: {worker.error}", done=False)
            return
        report = cast("SyncReport", worker.result)
        self.report = report
        for failure in report.failed:
            panel.log_line(f"failed {failure.model}: {failure.error}")
        for item in report.drift:
            panel.log_line(
                f"drift {item.model}: {item.field} curated {item.curated!r}, Hub {item.hub!r}"
            )
        panel.finished(str(report), done=not report.cancelled)
        self.notify(
            str(report),
            title="Sync",
            severity="information" if report.ok else "warning",
            timeout=10,
        )
        self.mc.browse.refresh_results()
