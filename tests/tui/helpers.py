"""Helpers for the TUI tests: wait for workers (never sleep) and read what the screen shows."""

# Tests of the TUI drive textual directly (the TID251 ban keeps textual out of catalog/).

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Static
from textual.worker import WorkerFailed

from tui.app import ModelcatApp


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every worker finished and the screen caught up (twice: results start more)."""
    for _ in range(3):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerFailed:
            pass  # the app routes worker errors; tests assert on what it showed
        await pilot.pause()


def shown_ids(app: ModelcatApp) -> list[str]:
    """The model ids the browse table holds, in display order."""
    return [row.key for row in app.browse.table.loaded_rows()]


def status_text(app: ModelcatApp) -> str:
    """The browse screen's status line."""
    return str(app.browse.query_one("#status", Static).render())
