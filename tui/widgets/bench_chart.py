"""Benchmark results as bar charts: decode tokens/s and peak memory, one numbered bar per run,
and a legend that gives each number its model and settings, so unlike runs are never compared
unlabelled."""

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
        & #legend { width: 1fr; height: 1fr; color: $text-muted; padding: 0 1; }
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
        yield Static("", id="legend", markup=False)

    def on_mount(self) -> None:
        self.show(self.results)

    def show(self, results: Sequence[StoredRun]) -> None:
        """Draw ``results``, oldest first."""
        from textual_plotext import PlotextPlot

        self.results = list(results)
        self.query_one("#no-runs").display = not self.results
        labels = [str(i + 1) for i in range(len(self.results))]
        legend = self.query_one("#legend", Static)
        legend.display = bool(self.results)
        lines = [f"{n} {run_settings(run)}" for n, run in enumerate(self.results, start=1)]
        legend.update("\n".join(lines))
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
        # A server run has no peak memory of this process: its bar stays at zero.
        memory.plt.bar(labels, [(r.peak_memory_bytes or 0) / 1e6 for r in self.results])
        speed.refresh()
        memory.refresh()


def run_settings(run: StoredRun) -> str:
    """``pythia-1b p512 g128 transformers bf16 cpu 8t``: what the run measured and how; the
    backend and quantization (``llama-cpp Q4_K_M``) tell runs of one model apart."""
    params = run.result.params
    name = run.model.split("/")[-1]
    return (
        f"{name} p{params.prompt_tokens} g{params.gen_tokens} {run.result.label} {run.device} "
        f"{params.threads}t"
    )
