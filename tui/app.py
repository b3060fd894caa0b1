"""The modelcat terminal UI: the App, its keys and screens, and the one worker-error router.

``make_app`` builds it for the CLI (``modelcat``, ``modelcat tui``) and for the tests alike.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from catalog.errors import CatalogError, UsageError
from tui.browse_query import COUNT_DELAY
from tui.commands import ModelJump
from tui.long_tasks import LongTasks
from tui.remembered import Remembered, load_remembered, save_remembered
from tui.state import Shortlist

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.export import ExportFormat
    from catalog.fit.hardware import Hardware
    from catalog.search import Sort
    from tui.modals.export import ExportRequest
    from tui.screens.browse import BrowseScreen

COMPARE_MIN, COMPARE_MAX = 2, 4
KEPT = frozenset({"sync", "advisor", "local"})
"""Screens installed once and kept, so leaving and coming back finds them as they were."""
QUIT_GRACE = 0.5
"""Seconds a cancelled task gets to stop after quitting before the process leaves without it."""


class ModelcatApp(App[None]):
    """Browse, filter, compare, check licenses, estimate, sync and benchmark."""

    TITLE = "modelcat"
    CSS_PATH = "styles/app.tcss"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {ModelJump}

    BINDINGS: ClassVar[list[BindingType]] = [
        # ctrl+c quits like ctrl+q (Textual's default only says how to quit), even in a text box.
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("q", "quit_key", "Quit", show=False),
        Binding("question_mark", "open('help')", "Help", key_display="?"),
        Binding("c", "compare", "Compare"),
        Binding("e", "export", "Export"),
        # Shown on the help screen and in the palette; the footer keeps to the browse essentials.
        Binding("l", "open('licenses')", "Licenses", show=False),
        Binding("a", "open('advisor')", "Advisor", show=False),
        Binding("s", "open('sync')", "Sync", show=False),
        Binding("i", "open('local')", "Installed", show=False),
    ]

    def __init__(
        self,
        catalog: Catalog,
        *,
        owns_catalog: bool = False,
        export_dir: Path | None = None,
        theme: str | None = None,
        hardware: Hardware | None = None,
        count_delay: float = COUNT_DELAY,
    ) -> None:
        super().__init__()
        self.catalog = catalog
        self.owns_catalog = owns_catalog
        self.export_dir = export_dir or Path.cwd()
        remembered = load_remembered(catalog)
        self.filters = remembered.filters
        """The browse filters; kept here so they survive switching screens (and, in the store,
        restarts)."""
        self.sort: Sort | None = remembered.sort
        self.shortlist = Shortlist.load(catalog)
        self.last_export: Path | None = None
        """The file the shortlist was last exported to (shown in the notification)."""
        self.export_format: ExportFormat = remembered.export_format
        """The format of the last export, offered first next time."""
        self.hardware = hardware
        """This machine; probed in a worker when not given."""
        self.count_delay = count_delay
        """Seconds without a newer query before the browse screen counts every match."""
        self.tasks = LongTasks()
        """The running sync and benchmark, cancelled when the app quits."""
        self.quit_at: float | None = None
        """When quitting began (``time.monotonic``), for the grace period of cancelled tasks."""
        if theme:
            if theme not in self.available_themes:
                known = ", ".join(sorted(self.available_themes))
                raise UsageError(f"unknown theme {theme!r} (choose from {known})")
            self.theme = theme

    # -- screens ---------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[None]:
        from tui.screens.browse import BrowseScreen

        return BrowseScreen()

    def on_mount(self) -> None:
        if self.hardware is None:
            self._detect_hardware()
        if self.catalog.recovered_from:
            self.notify(
                f"The database was corrupt: it was moved to {self.catalog.recovered_from} "
                "and rebuilt from the curated files.",
                title="Database rebuilt",
                severity="warning",
                timeout=10,
            )

    @work(thread=True, group="hardware", exit_on_error=False, description="Detecting this machine")
    def _detect_hardware(self) -> Hardware:
        from catalog.fit.hardware import detect_hardware

        return detect_hardware()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The app's own workers: errors to the router, the probed machine to the browse table."""
        if event.state == WorkerState.ERROR:
            self.route_worker_error(event.worker)
        elif event.state == WorkerState.SUCCESS and event.worker.group == "hardware":
            self.hardware = cast("Hardware", event.worker.result)
            self.browse.refresh_results()

    def on_unmount(self) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            save_remembered(self.catalog, Remembered(self.filters, self.sort, self.export_format))
        except (SQLAlchemyError, ValueError):
            pass  # a read-only or unreachable store: the settings are simply not kept
        if self.owns_catalog:
            self.catalog.close()

    @property
    def browse(self) -> BrowseScreen:
        """The browse screen (always the bottom of the stack)."""
        from tui.screens.browse import BrowseScreen

        screen = self.screen_stack[0]
        assert isinstance(screen, BrowseScreen)
        return screen

    def action_open(self, name: str) -> None:
        """Open a top-level screen by name (``screen_kinds``) unless it is showing."""
        kind = screen_kinds()[name]
        if isinstance(self.screen, kind):
            return
        if name in KEPT:
            # Kept for the app's lifetime: a running sync goes on, the advisor keeps its answers.
            if not self.is_screen_installed(name):
                self.install_screen(kind(), name)
            self.push_screen(name)
            return
        self.push_screen(kind())

    def open_detail(self, model_id: str) -> None:
        """Show everything known about a model."""
        from tui.screens.detail import DetailScreen

        self.push_screen(DetailScreen(model_id))

    def open_model(self, model_id: str) -> None:
        """Show a model's details straight over the browse screen (the palette's jump)."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.open_detail(model_id)

    def open_bench(self, model_id: str | None, *, path: str | None = None) -> None:
        """The benchmark screen, aimed at ``model_id`` (its local copy, or the folder ``path``);
        kept alive like the sync screen."""
        from tui.screens.bench import BenchScreen

        if not self.is_screen_installed("bench"):
            self.install_screen(BenchScreen(), "bench")
        screen = self.get_screen("bench", BenchScreen)
        screen.target = model_id
        screen.target_path = path
        if self.screen is not screen:
            self.push_screen(screen)

    def action_compare(self) -> None:
        """Compare the marked models side by side."""
        from tui.screens.compare import CompareScreen

        marked = list(self.shortlist.ids)
        if not COMPARE_MIN <= len(marked) <= COMPARE_MAX:
            self.notify(
                f"Mark {COMPARE_MIN} to {COMPARE_MAX} models with space to compare them "
                f"({len(marked)} marked).",
                title="Compare",
                severity="warning",
            )
            return
        self.push_screen(CompareScreen(marked))

    def action_export(self) -> None:
        """Write the shortlist to a file (json, csv or md): asks where, and before overwriting."""
        from tui.modals.export import ExportModal

        if not len(self.shortlist):
            self.notify("Mark models with space first.", title="Export", severity="warning")
            return

        def chosen(request: ExportRequest | None) -> None:
            if request is None:
                return
            self.export_format = request.fmt
            if not request.path.expanduser().exists():
                self._write_export(request)
                return
            from tui.modals.confirm import ConfirmModal

            def answered(yes: bool | None) -> None:
                if yes:
                    self._write_export(request)

            question = f"{request.path} exists. Replace it?"
            self.push_screen(
                ConfirmModal("Overwrite?", question, yes="Replace", no="Keep it"), answered
            )

        default = self.export_dir / f"modelcat-shortlist.{self.export_format}"
        self.push_screen(ExportModal(default, len(self.shortlist), self.export_format), chosen)

    def _write_export(self, request: ExportRequest) -> None:
        from catalog.export import export_models

        try:
            models = [self.catalog.get(i) for i in self.shortlist.ids]
            path = export_models(models, fmt=request.fmt, path=request.path)
        except CatalogError as exc:
            self.notify(str(exc), title="Export failed", severity="error")
            return
        self.last_export = path
        self.notify(f"{len(models)} models written to {path}", title="Exported", timeout=10)

    # -- keys ------------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        """While a text field or dropdown has focus, a typed character is text, never a command.

        Bindings are looked up after the focused widget saw the key; a field that does not take
        the character (a dropdown, a number field given a letter) would let ``e`` export or
        ``a`` open the advisor. Blank keys still reach the field's own bindings (space opens a
        dropdown); ctrl keys are not printable and keep working.
        """
        char = event.character
        if event.is_printable and char and not char.isspace() and typing_into(self.focused):
            event.prevent_default()

    # -- quitting --------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit; while a sync or benchmark runs, ask once (a second quit key quits anyway)."""
        from tui.modals.confirm import QuitModal

        running = self.tasks.running()
        if not running or isinstance(self.screen, QuitModal):
            self.quit_now()
            return
        what = " and ".join(task.label for task in running)
        self._ask_quit(f"{what[:1].upper()}{what[1:]} is running. Quit and cancel it?")

    async def action_quit_key(self) -> None:
        """``q``: quits from the browse table; anywhere else it asks first."""
        from tui.modals.confirm import QuitModal
        from tui.screens.browse import BrowseScreen
        from tui.widgets.model_table import ModelTable

        on_table = isinstance(self.screen, BrowseScreen) and isinstance(self.focused, ModelTable)
        if on_table or self.tasks.running() or isinstance(self.screen, QuitModal):
            await self.action_quit()
        else:
            self._ask_quit("Leave modelcat?")

    def _ask_quit(self, question: str) -> None:
        from tui.modals.confirm import QuitModal

        def answered(yes: bool | None) -> None:
            if yes:
                self.quit_now()

        self.push_screen(QuitModal(question), answered)

    def quit_now(self) -> None:
        """Cancel the running tasks and exit (``run`` waits for them a short while)."""
        self.tasks.cancel_all()
        self.quit_at = time.monotonic()
        self.exit()

    # -- errors ----------------------------------------------------------------------------

    def route_worker_error(self, worker: Worker[object]) -> None:
        """The one place worker errors go: a notification for ours, a modal for the unexpected."""
        error = worker.error
        if error is None:
            return
        what = worker.description or worker.name or "background task"
        if isinstance(error, CatalogError):
            self.notify(str(error), title=f"{what} failed", severity="error", timeout=10)
            return
        from tui.modals.error import ErrorModal

        details = "".join(traceback.format_exception(error))
        self.push_screen(ErrorModal(f"{what} failed: {error}", details))

    # -- command palette -------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Browse models", "Back to the model table", self._browse)
        yield SystemCommand("Search models", "Focus the search box", self._focus_search)
        yield SystemCommand("Compare marked models", "Side by side (2-4)", self.action_compare)
        yield SystemCommand("Export shortlist", "Write it as json, csv or md", self.action_export)
        yield SystemCommand("Clear shortlist", "Unmark every model", self._clear_shortlist)
        yield SystemCommand("Licenses", "License terms and their models", self._open("licenses"))
        yield SystemCommand("Advisor", "Which model for my use case?", self._open("advisor"))
        yield SystemCommand("Sync with the Hub", "Enrich from Hugging Face", self._open("sync"))
        yield SystemCommand(
            "Local models", "Installed models and their benchmarks (i)", self._open("local")
        )
        yield SystemCommand("Benchmark", "Benchmark the highlighted model", self._bench)
        yield SystemCommand("Help", "Every key", self._open("help"))
        yield SystemCommand(
            "Reset filters", "Every filter back to any (the search text stays)", self._reset
        )
        yield from self._sort_commands()

    def _sort_commands(self) -> Iterable[SystemCommand]:
        from catalog.api import SHORTLIST_SORT
        from catalog.search import SORT_KEYS, Sort

        yield SystemCommand("Sort by rank", "Best first (the default)", _Sort(self, SHORTLIST_SORT))
        for key in SORT_KEYS:
            if key == SHORTLIST_SORT.key:
                continue
            name = key.replace("_", " ")
            for descending, way in ((False, "ascending ↑"), (True, "descending ↓")):
                yield SystemCommand(
                    f"Sort by {name} {way}", "The browse table", _Sort(self, Sort(key, descending))
                )

    def sort_by(self, sort: Sort) -> None:
        """Sort the browse table by ``sort`` and show it."""
        self._browse()
        self.sort = sort
        self.browse.refresh_results()

    def _reset(self) -> None:
        from textual.widgets import Button

        self._browse()
        self.browse.query_one("#reset", Button).press()

    def _open(self, name: str) -> _Call:
        return _Call(self, name)

    def _browse(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def _focus_search(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.browse.action_focus_search()

    def _clear_shortlist(self) -> None:
        self.shortlist.clear()
        self.browse.shortlist_changed()

    def _bench(self) -> None:
        self.open_bench(self.browse.highlighted)


def screen_kinds() -> dict[str, type[Screen[None]]]:
    """The top-level screens by name (imported when first opened, not at start)."""
    from tui.screens.advisor import AdvisorScreen
    from tui.screens.help import HelpScreen
    from tui.screens.licenses import LicensesScreen
    from tui.screens.local import LocalScreen
    from tui.screens.sync import SyncScreen

    return {
        "help": HelpScreen,
        "licenses": LicensesScreen,
        "advisor": AdvisorScreen,
        "sync": SyncScreen,
        "local": LocalScreen,
    }


def typing_into(widget: Widget | None) -> bool:
    """True when ``widget`` takes typed text: a text field, or a dropdown (open or closed)."""
    from textual.widgets import Input, Select, TextArea

    if widget is None:
        return False
    # A dropdown's open list is a child of the ``Select``.
    return isinstance(widget, (Input, TextArea, Select)) or isinstance(widget.parent, Select)


class _Sort:
    """A palette callback that sorts the browse table."""

    def __init__(self, app: ModelcatApp, sort: Sort) -> None:
        self.app, self.sort = app, sort

    def __call__(self) -> None:
        self.app.sort_by(self.sort)


class _Call:
    """A palette callback that opens a named screen."""

    def __init__(self, app: ModelcatApp, name: str) -> None:
        self.app, self.name = app, name

    def __call__(self) -> None:
        self.app.action_open(self.name)


def make_app(
    catalog: Catalog | None = None,
    *,
    db: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    export_dir: Path | None = None,
    theme: str | None = None,
    hardware: Hardware | None = None,
    count_delay: float = COUNT_DELAY,
) -> ModelcatApp:
    """Build the app over ``catalog``, or over a catalog opened from ``db``/``data_dir``.

    Args:
        catalog: an open catalog (the app does not close it).
        db: a SQLite path or SQLAlchemy URL when no catalog is given (``$MODELCAT_DB`` default).
        data_dir: a folder of curated files merged over the shipped ones.
        export_dir: where exports go by default (the working folder).
        theme: a Textual theme name (``ansi-dark`` uses the terminal's own colours).
        hardware: the machine to judge fit against (``catalog.fit.hardware.Hardware``); probed in
            the background when not given.
        count_delay: seconds without a newer query (typing paused) before the browse screen
            counts every match of a result whose first page is full (0: at once).

    Raises:
        CatalogError: the database cannot be opened or the curated files are invalid;
            ``UsageError`` for an unknown theme.
    """
    owns = catalog is None
    if catalog is None:
        from catalog.api import Catalog

        catalog = Catalog.open(db, data_dir=data_dir)
    return ModelcatApp(
        catalog,
        owns_catalog=owns,
        export_dir=export_dir,
        theme=theme,
        hardware=hardware,
        count_delay=count_delay,
    )


def run(app: ModelcatApp) -> None:
    """Run ``app`` until it quits, then leave within ``QUIT_GRACE`` seconds of the quit.

    ``App.run`` would wait, at the end of its event loop and again at interpreter exit, for
    every worker thread, so a benchmark or a sync stuck on the network would keep the process
    alive long after the screen went blank. The loop here is closed without waiting; a task
    that does not stop within the grace period is abandoned with the process (its writes are
    transactions: what it had not committed is not stored). SIGINT quits like ctrl+c.
    """
    loop = asyncio.new_event_loop()
    loop.add_signal_handler(signal.SIGINT, app.quit_now)
    try:
        app.run(loop=loop)
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        loop.close()  # shuts the worker threads' executor down without waiting for them
    left = QUIT_GRACE - (time.monotonic() - app.quit_at) if app.quit_at else 0.0
    if not app.tasks.wait(max(0.0, left)):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(app.return_code or 0)
