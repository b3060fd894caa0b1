"""Benchmark results as bar charts: decode tokens/s and peak memory, one bar per run."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

if TYPE_CHECKING:
    from catalog.bench.records import StoredRun


class BenchChart(Horizontal):
    """Two plots side by side (textual-plotext), fed stored runs (``StoredRun``)."""

    DEFAULT_CSS = """
    BenchChart {
        height: 14;
        & PlotextPlot { width: 1fr; }
        & #no-runs { color: $text-muted; padding: 1 2; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.results: list[StoredRun] = []

    def compose(self) -> ComposeResult:
        from textual_plotext import PlotextPlot

        yield Static("No runs yet: results appear here as bars per run.", id="no-runs")
        yield PlotextPlot(id="speed")
        yield PlotextPlot(id="memory")

    def on_mount(self) -> None:
        self.show(self.results)

    def show(self, results: Sequence[StoredRun]) -> None:
        """Draw ``results``, oldest first."""
        from textual_plotext import PlotextPlot

        self.results = list(results)
        self.query_one("#no-runs").display = not self.results
        labels = [f"{i + 1}:{r.model.split('/')[-1][:12]}" for i, r in enumerate(self.results)]
        speed = self.query_one("#speed", PlotextPlot)
        memory = self.query_one("#memory", PlotextPlot)
        for plot in (speed, memory):
            plot.display = bool(self.results)
            plot.plt.clear_data()
        if not self.results:
            return
        speed.plt.title("decode tokens/s (mean)")
        speed.plt.bar(labels, [r.decode_tps.mean for r in self.results])
        memory.plt.title("peak memory (MB)")
        memory.plt.bar(labels, [r.peak_memory_bytes / 1e6 for r in self.results])
        speed.refresh()
        memory.refresh()
