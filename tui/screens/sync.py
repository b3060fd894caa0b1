"""Enrich the catalog from the Hugging Face Hub in a cancellable worker, with progress and a log.

The screen lives as long as the app, so leaving it does not stop a running sync.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Footer, Label, Static
from textual.worker import Worker, WorkerState

from tui import features
from tui.messages import TaskLogged, TaskProgressed
from tui.screens.base import ModelcatScreen
from tui.widgets.task_panel import TaskPanel

TASK = "sync"


class SyncScreen(ModelcatScreen):
    """Start, watch and cancel a sync; the result summary and errors become notifications."""

    def __init__(self) -> None:
        super().__init__()
        self._cancel = threading.Event()
        self.summary: Any = None

    def compose(self) -> ComposeResult:
        with Vertical(id="sync"):
            yield Label("Sync with the Hugging Face Hub", classes="title")
            if not features.available("sync"):
                yield Static(features.missing_message("sync"), classes="unavailable")
            yield Static(
                "Fetches Hub facts for the curated models (sha, downloads, gated state, config "
                "numbers) and reports drift; curated judgments are never overwritten.",
                classes="hint",
            )
            yield TaskPanel("Start sync", id="sync-task")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if not features.available("sync"):
            self.query_one("#start", Button).disabled = True

    @property
    def running(self) -> bool:
        """True while a sync runs."""
        return any(w.group == TASK and w.is_running for w in self.workers)

    @on(Button.Pressed, "#start")
    def start(self) -> None:
        """Start syncing."""
        self._cancel = threading.Event()
        self.query_one(TaskPanel).started("Syncing…")
        self._run(self._cancel)

    @on(Button.Pressed, "#cancel")
    def cancel(self) -> None:
        """Ask the sync to stop after the model in flight."""
        self._cancel.set()
        self.query_one(TaskPanel).status("Cancelling…")

    @work(thread=True, exclusive=True, group=TASK, exit_on_error=False, description="Sync")
    def _run(self, cancel: threading.Event) -> Any:
        # Looked up at run time: the screen is ready before catalog.sync lands.
        sync = importlib.import_module("catalog.sync").sync

        def progress(*report: Any) -> None:
            fraction, text = _describe(report)
            self.post_message(TaskProgressed(TASK, fraction, text))
            self.post_message(TaskLogged(TASK, text))

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
        self.summary = worker.result
        text = str(self.summary) if self.summary is not None else "Sync finished."
        panel.finished(text, done=not self._cancel.is_set())
        self.notify(text, title="Sync")
        self.mc.browse.refresh_results()


def _describe(report: tuple[Any, ...]) -> tuple[float | None, str]:
    """A progress report as (share done, text), whatever shape ``catalog.sync`` reports in."""
    if len(report) == 1:
        item = report[0]
        fraction = getattr(item, "fraction", None)
        return (float(fraction) if fraction is not None else None), str(item)
    done, total, *rest = report
    text = " ".join(str(r) for r in rest) or f"{done}/{total}"
    return (done / total if total else None), text
