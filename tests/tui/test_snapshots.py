"""Snapshots of each screen in a meaningful state, at fixed sizes (one class per screen).

States use narrow searches so that curated-data additions rarely change them; when they do,
read the report (``snapshot_report.html``) before ``--snapshot-update``.
"""

# Tests of the TUI drive textual directly (the TID251 ban keeps textual out of catalog/).

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Select

from tests.tui.helpers import settle
from tui.app import ModelcatApp
from tui.widgets.filter_panel import FilterPanel

WIDE = (120, 36)
SMALL = (80, 24)
Snap = Callable[..., bool]


@pytest.fixture
def snap_app(app_factory: Callable[..., ModelcatApp]) -> ModelcatApp:
    """An app whose default export path does not depend on the test's temporary folder."""
    return app_factory(export_dir=Path("exports"))


async def search(pilot: Pilot[Any], text: str) -> None:
    await settle(pilot)
    await pilot.press("slash", *text, "enter")
    await settle(pilot)


class TestBrowse:
    async def _pythia_marked(self, pilot: Pilot[Any]) -> None:
        await search(pilot, "pythia")
        await pilot.press("space")
        await settle(pilot)

    def test_search_with_a_mark(self, snap_compare: Snap, snap_app: ModelcatApp) -> None:
        """Search 'pythia', first row marked, filter panel open: rows, marks and status."""
        assert snap_compare(snap_app, terminal_size=WIDE, run_before=self._pythia_marked)

    def test_small_terminal(self, snap_compare: Snap, snap_app: ModelcatApp) -> None:
        """80x24: the filter panel starts hidden and low-priority columns give way."""
        assert snap_compare(snap_app, terminal_size=SMALL, run_before=self._pythia_marked)

    def test_combined_filters(self, snap_compare: Snap, snap_app: ModelcatApp) -> None:
        """Open weights, full fine-tuning, commercial use, at most 2B parameters."""

        async def run_before(pilot: Pilot[Any]) -> None:
            await settle(pilot)
            panel = pilot.app.screen.query_one(FilterPanel)
            panel.query_one("#access", Select).value = "open"
            panel.query_one("#tunable", Select).value = "full"
            panel.query_one("#commercial", Checkbox).value = True
            panel.query_one("#max_params", Input).value = "2B"
            await settle(pilot)

        assert snap_compare(snap_app, terminal_size=WIDE, run_before=run_before)

    def test_empty_result_explains(self, snap_compare: Snap, snap_app: ModelcatApp) -> None:
        """A search that matches nothing plus a filter: the status line names the culprit."""

        async def run_before(pilot: Pilot[Any]) -> None:
            await search(pilot, "pythia")
            pilot.app.screen.query_one(FilterPanel).query_one("#access", Select).value = "gated"
            await settle(pilot)

        assert snap_compare(snap_app, terminal_size=WIDE, run_before=run_before)


class TestDetail:
    def test_small_open_model(self, snap_compare: Snap, snap_app: ModelcatApp) -> None:
        """pythia-1b: facts, license verdict for the default use, terms, tuning, estimates."""

        async def run_before(pilot: Pilot[Any]) -> None:
            await search(pilot, "pythia-1b")
            await pilot.press("enter")
            await settle(pilot)

        assert snap_compare(snap_app, terminal_size=(120, 60), run_before=run_before)

    def test_estimates_and_machine(self, snap_compare: Snap, snap_app: ModelcatApp) -> None:
        """The end of pythia-1b's page: estimate card, Hub data, local copies, benchmarks."""

        async def run_before(pilot: Pilot[Any]) -> None:
            await search(pilot, "pythia-1b")
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("end")
            await settle(pilot)

        assert snap_compare(snap_app, terminal_size=(120, 50), run_before=run_before)


class TestCompare:
    def test_two_models(self, snap_compare: Snap, snap_app: ModelcatApp) -> None:
        """Two marked Pythia models side by side, differing rows highlighted."""

        async def run_before(pilot: Pilot[Any]) -> None:
            await search(pilot, "pythia")
            await pilot.press("space", "space", "c")
            await settle(pilot)

        assert snap_compare(snap_app, terminal_size=WIDE, run_before=run_before)


class TestLicenses:
    def test_terms_and_models(self, snap_compare: Snap, snap_app: ModelcatApp) -> None:
        """The license table with the first license's models listed below."""
        assert snap_compare(snap_app, press=["l", "_"], terminal_size=WIDE)


class TestHelp:
    def test_keys(self, snap_compare: Snap, snap_app: ModelcatApp) -> None:
        """Every key, by where it works."""
        assert snap_compare(snap_app, press=["question_mark"], terminal_size=(100, 40))


class TestExport:
    def test_dialog(self, snap_compare: Snap, snap_app: ModelcatApp) -> None:
        """The export dialog over the browse screen after marking a model."""

        async def run_before(pilot: Pilot[Any]) -> None:
            await search(pilot, "pythia")
            await pilot.press("space", "e")
            await settle(pilot)

        assert snap_compare(snap_app, terminal_size=WIDE, run_before=run_before)


class TestSync:
    def test_ready(self, snap_compare: Snap, snap_app: ModelcatApp) -> None:
        """The sync screen, ready to start (progress, log, start/cancel)."""
        assert snap_compare(snap_app, press=["s", "_"], terminal_size=WIDE)


class TestBench:
    def test_without_a_local_copy(self, snap_compare: Snap, snap_app: ModelcatApp) -> None:
        """b on a model with no local copy: the screen says how to get one."""

        async def run_before(pilot: Pilot[Any]) -> None:
            await search(pilot, "pythia-1b")
            await pilot.press("b")
            await settle(pilot)

        assert snap_compare(snap_app, terminal_size=WIDE, run_before=run_before)


class TestAdvisor:
    def test_form(self, snap_compare: Snap, snap_app: ModelcatApp) -> None:
        """The advisor form."""
        assert snap_compare(snap_app, press=["a", "_"], terminal_size=WIDE)
