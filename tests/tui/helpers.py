"""Helpers for the TUI tests: wait for workers (never sleep) and read what the screen shows."""

# Tests of the TUI drive textual directly (the TID251 ban keeps textual out of catalog/).

from __future__ import annotations

from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Static
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


def table_rows(screen: Widget) -> list[tuple[str, ...]]:
    """Every row of every ``DataTable`` on ``screen``, as the texts of its cells."""
    return [
        tuple(str(cell) for cell in table.get_row_at(i))
        for table in screen.query(DataTable).results(DataTable)
        for i in range(table.row_count)
    ]


def texts(screen: Widget) -> str:
    """What the ``Static`` widgets (and labels) of ``screen`` show, a line each."""
    return "\n".join(str(w.render()) for w in screen.query(Static).results(Static))
