"""Progress and Ctrl-C for ``modelcat bench``.

On a terminal a rich progress bar runs on stderr; piped, each new phase is one line on stderr
(so CI logs show where a run is); under ``--format json`` nothing is printed. The first Ctrl-C
sets the run's cancel event, so it stops at the next step or generated token and stores
nothing; a second one interrupts at once.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from catalog.bench.progress import BenchProgress
from catalog.cli.common import err

ProgressStyle = Literal["bar", "lines", "quiet"]

_PHASE_TEXT = {
    "load": "loading the model",
    "warmup": "warming up",
    "prefill": "measuring prefill",
    "decode": "measuring decode",
    "perplexity": "measuring perplexity",
    "done": "done",
}


def progress_style(*, quiet: bool) -> ProgressStyle:
    """``quiet`` (JSON output), a ``bar`` on a terminal, else one ``lines`` per phase."""
    if quiet:
        return "quiet"
    return "bar" if sys.stderr.isatty() else "lines"


@contextmanager
def bench_progress(style: ProgressStyle, *, label: str) -> Iterator[Any]:
    """A progress callback for ``run_benchmark`` (None when quiet)."""
    if style == "quiet":
        yield None
        return
    if style == "lines":
        seen: set[str] = set()

        def log(report: BenchProgress) -> None:
            if report.phase not in seen and report.phase != "done":
                seen.add(report.phase)
                err(f"modelcat: bench {label}: {_PHASE_TEXT[report.phase]}")

        yield log
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=1.0)

        def update(report: BenchProgress) -> None:
            step = _PHASE_TEXT[report.phase] + (f" {report.repeat}" if report.repeat else "")
            bar.update(task, completed=report.fraction, description=f"{label}: {step}")

        yield update
