"""``modelcat sync``: enrich the catalog from the Hugging Face Hub, or discover Hub models.

Exit 0 when every model synced (or was unchanged), 1 when some failed or the sync was
cancelled (the others are stored), or offline mode is on; 2 on bad usage. The token
(``HF_TOKEN``) is used for requests only: never printed, logged or stored.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from catalog.cli.common import err, open_catalog
from catalog.cli.interrupt import cancel_on_sigint
from catalog.errors import ExitCode, UsageError
from catalog.render import Column, Format, emit
from catalog.units import plural

if TYPE_CHECKING:
    from catalog.sync import SyncProgress, SyncReport


class SyncFormat(StrEnum):
    """Output formats of ``sync``."""

    table = "table"
    json = "json"


FAILED_COLUMNS = [Column("failed", lambda f: f.model), Column("reason", lambda f: f.error)]
DRIFT_COLUMNS = [
    Column("model", lambda d: d.model),
    Column("field", lambda d: d.field),
    Column("curated", lambda d: d.curated),
    Column("hub", lambda d: d.hub),
    Column("detail", lambda d: d.detail),
]


def sync_command(
    ctx: typer.Context,
    models: Annotated[
        list[str] | None,
        typer.Argument(help="Models to sync (catalog or Hub ids); none = every curated model."),
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Fetch every model again, even when unchanged.")
    ] = False,
    discover: Annotated[
        bool,
        typer.Option("--discover", help="List Hub models and store the uncurated ones (tier hub)."),
    ] = False,
    author: Annotated[
        str | None, typer.Option("--author", help="Discovery: only this user or organisation.")
    ] = None,
    search: Annotated[
        str | None, typer.Option("--search", help="Discovery: repo ids containing this text.")
    ] = None,
    pipeline_tag: Annotated[
        str | None,
        typer.Option("--pipeline-tag", help="Discovery: only this task (text-generation)."),
    ] = None,
    min_downloads: Annotated[
        int | None,
        typer.Option("--min-downloads", min=0, help="Discovery: at least this many downloads."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Discovery: at most this many models.")
    ] = None,
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, max=32, help="Hub requests in flight at once.")
    ] = 8,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds to wait for each Hub answer.")
    ] = 10.0,
    retries: Annotated[
        int,
        typer.Option("--retries", min=0, max=10, help="Retries of rate limits and Hub errors."),
    ] = 3,
    fmt: Annotated[
        SyncFormat, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
    ] = SyncFormat.table,
) -> None:
    """Bring in Hub facts (sha, gated, license tag, downloads, config.json) and show drift.

    Curated judgments are never overwritten: where the Hub disagrees it is reported as drift.
    With --discover, uncurated Hub models are stored as the `hub` tier (list --tier hub).
    """
    from catalog.hub import HubClient
    from catalog.sync import discover as run_discovery
    from catalog.sync import sync_catalog

    picked: dict[str, object] = {
        "--author": author, "--search": search, "--pipeline-tag": pipeline_tag,
        "--min-downloads": min_downloads, "--limit": limit,
    }  # fmt: skip
    if not discover and any(v is not None for v in picked.values()):
        used = ", ".join(k for k, v in picked.items() if v is not None)
        raise UsageError(f"{used} only apply with --discover")
    if discover and (models or full):
        raise UsageError("--discover lists the Hub; it takes no MODEL arguments and no --full")
    cat = open_catalog(ctx)
    client = HubClient(timeout=timeout, max_retries=retries)
    cancel = threading.Event()
    quiet = fmt is SyncFormat.json or not sys.stderr.isatty()
    stopping = "cancelling after the requests in flight"
    with cancel_on_sigint(cancel, stopping=stopping), _progress_bar(quiet=quiet) as progress:
        if discover:
            report = run_discovery(
                cat, client=client, author=author, search=search, pipeline_tag=pipeline_tag,
                min_downloads=min_downloads, limit=limit, progress=progress, cancel=cancel,
            )  # fmt: skip
        else:
            report = sync_catalog(
                cat, client=client, full=full, models=models, concurrency=concurrency,
                progress=progress, cancel=cancel,
            )  # fmt: skip
    _print(report, fmt)
    if not report.ok:
        raise typer.Exit(int(ExitCode.FAILED))


def _print(report: SyncReport, fmt: SyncFormat) -> None:
    if fmt is SyncFormat.json:
        emit([], [], Format.json, json_payload=report.to_json())
        return
    if report.failed:
        emit(report.failed, FAILED_COLUMNS, Format.table)
    if report.drift:
        emit(report.drift, DRIFT_COLUMNS, Format.table, title="drift (curated values kept)")
    grouped: dict[str, list[str]] = {}
    for warning in report.warnings:  # one line per distinct warning, not one per model
        grouped.setdefault(warning["warning"], []).append(warning["model"])
    for text, models in grouped.items():  # diagnostics: stderr, as everywhere
        err(f"{plural(len(models), 'model')}: {text} ({', '.join(models)})")
    typer.echo(str(report))
    if report.cancelled:
        err("Run `modelcat sync` again to finish: finished models are kept.")


@contextmanager
def _progress_bar(*, quiet: bool) -> Iterator[Callable[[SyncProgress], None] | None]:
    """A rich progress bar on stderr (None when quiet: JSON output or no terminal)."""
    if quiet:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("[bold]sync"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)

        def update(report: SyncProgress) -> None:
            bar.update(task, completed=report.done, total=report.total, description=report.message)

        yield update
