"""Benchmark a model on this machine in a cancellable worker, with a progress bar, a log and a
chart of every run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Input, Label
from textual.worker import Worker, WorkerState

from tui.messages import TaskLogged, TaskProgressed
from tui.screens.base import TaskScreen
from tui.widgets.bench_chart import BenchChart
from tui.widgets.task_panel import TaskPanel

if TYPE_CHECKING:
    from catalog.bench.records import StoredRun
    from tui.long_tasks import LongTask

TASK = "bench"
HISTORY = 12
"""Runs the chart shows (the newest)."""
SETTINGS = (
    ("prompt", "prompt tokens", 512),
    ("gen", "generated tokens", 128),
    ("repeat", "repeats", 5),
)


class BenchScreen(TaskScreen):
    """Pick the model folder (its local copy is found for you), start, watch, cancel."""

    TASK: ClassVar[str] = TASK

    def __init__(self) -> None:
        super().__init__()
        self.target: str | None = None
        """The catalog id to benchmark (set by the app before the screen shows)."""
        self.target_path: str | None = None
        """A folder chosen on the local models screen (else the target's copy is looked up)."""
        self._copy_path: str | None = None
        self.results: list[StoredRun] = []
        """Runs shown in the chart, oldest first (stored ones, then this session's)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="bench"):
            yield Label("Benchmark", id="bench-title", classes="title")
            with Horizontal(id="bench-path"):
                yield Label("model folder or cached Hub id", classes="caption")
                yield Input(id="path", placeholder="path/to/model or org/name", compact=True)
            with Horizontal(id="bench-settings"):
                for key, label, default in SETTINGS:
                    yield Label(label, classes="caption")
                    yield Input(str(default), id=key, type="integer", compact=True)
            yield TaskPanel("Run benchmark", id="bench-task")
            yield BenchChart(id="chart")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._history()
        self._aim()
        self.query_one("#start", Button).focus()

    @work(thread=True, group="bench-history", exit_on_error=False, description="Past benchmarks")
    def _history(self) -> list[StoredRun]:
        from catalog.bench.store import load_results

        return list(reversed(load_results(self.mc.catalog, limit=HISTORY)))

    def on_screen_resume(self) -> None:
        self._aim()
        if not self.running:
            self.query_one("#start", Button).focus()

    def _aim(self) -> None:
        """Point the form at ``target``: its local copy, when there is one."""
        title = self.query_one("#bench-title", Label)
        shown = self.target or (Path(self.target_path).name if self.target_path else None)
        title.update(f"Benchmark {shown}" if shown else "Benchmark")
        if self.running:
            return
        if self.target_path is not None:
            self._copy_path = self.target_path
            self.query_one("#path", Input).value = self.target_path
            self.query_one(TaskPanel).status("Ready.")
        elif self.target is not None:
            self._find_copy(self.target)

    @work(thread=True, exclusive=True, group="bench-find", exit_on_error=False)
    def _find_copy(self, model_id: str) -> tuple[str | None, str | None]:
        """(the local copy's path, or None and why not): the rule ``modelcat bench`` uses."""
        from catalog.errors import CatalogError
        from catalog.local.model_folder import copy_to_benchmark

        cat = self.mc.catalog
        try:
            return str(copy_to_benchmark(cat, cat.get(model_id)).path), None
        except CatalogError as exc:
            return None, str(exc)

    @on(Button.Pressed, "#start")
    def start(self) -> None:
        """Start a run with the form's settings."""
        path = self.query_one("#path", Input).value.strip()
        if not path:
            self.notify("Give a model folder or a cached Hub id.", severity="warning")
            return
        try:
            settings = {key: int(self.query_one(f"#{key}", Input).value) for key, _, _ in SETTINGS}
        except ValueError:
            self.notify("Settings must be whole numbers.", severity="warning")
            return
        name = self.target if path == self._copy_path and self.target else Path(path).name
        task = self.begin(f"a benchmark of {name}", f"Benchmarking {path}")
        self._run(task, path, settings)

    @work(thread=True, exclusive=True, group=TASK, exit_on_error=False, description="Benchmark")
    def _run(self, task: LongTask, path: str, settings: dict[str, int]) -> StoredRun | None:
        try:
            return self._measure(task, path, settings)
        finally:
            task.done.set()

    def _measure(self, task: LongTask, path: str, settings: dict[str, int]) -> StoredRun | None:
        # Without torch/transformers (an optional extra) run_benchmark raises a BenchmarkError
        # that says how to install them; worker_changed shows it in the log.
        from catalog.bench import BenchmarkCancelled, BenchProgress, run_benchmark
        from catalog.bench.store import save_result

        last_phase: list[str] = []

        def progress(report: BenchProgress) -> None:
            label = report.phase + (f" {report.repeat}" if report.repeat else "")
            self.post_message(TaskProgressed(TASK, report.fraction, label))
            if report.phase not in last_phase:
                last_phase.append(report.phase)
                self.post_message(TaskLogged(TASK, f"{report.phase}…"))

        try:
            result = run_benchmark(
                path_or_model=path,
                prompt_tokens=settings["prompt"],
                gen_tokens=settings["gen"],
                repeat=settings["repeat"],
                progress=progress,
                cancel=task.cancel,
            )
        except BenchmarkCancelled:
            return None
        if task.cancel.is_set():
            return None  # cancelled after the last step: quitting must not store it
        # Stored against the catalog entry only when the folder is that entry's local copy.
        entry = self.target if path == self._copy_path else None
        return save_result(self.mc.catalog, result, catalog_id=entry)

    def worker_changed(self, worker: Worker[object], state: WorkerState) -> None:
        if worker.group == "bench-find" and state == WorkerState.SUCCESS:
            path, why_not = cast("tuple[str | None, str | None]", worker.result)
            self._copy_path = path
            self.query_one("#path", Input).value = path or ""
            self.query_one(TaskPanel).status(why_not or "Ready.")
            return
        if worker.group == "bench-history" and state == WorkerState.SUCCESS:
            self.results = [*cast("list[StoredRun]", worker.result), *self.results]
            self.query_one(BenchChart).show(self.results[-HISTORY:])
            return
        if worker.group != TASK or state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        if state == WorkerState.ERROR:
            self.ended(f"Failed: {worker.error}", done=False)
        elif worker.result is None:
            self.ended("Cancelled: nothing was recorded.", done=False)
        else:
            result = cast("StoredRun", worker.result)
            self.results.append(result)
            self.query_one(BenchChart).show(self.results[-HISTORY:])
            # The screen runs in-process backends, which always measure prefill and memory.
            prefill = result.prefill_tps.mean if result.prefill_tps else float("nan")
            peak = (result.peak_memory_bytes or 0) / 1e6
            text = (
                f"{result.model} ({result.result.label}): decode {result.decode_tps.mean:.1f} "
                f"tok/s, prefill {prefill:.1f} tok/s, peak {peak:.0f} MB"
            )
            self.ended(text, done=True)
            self.notify(text, title="Benchmark done")
