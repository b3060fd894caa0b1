"""Snapshots of every screen in a meaningful state, at 80x24 and at 160x48 (one class per screen).

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

Snap = Callable[..., bool]
SIZES = {"80x24": (80, 24), "160x48": (160, 48)}


@pytest.fixture(params=list(SIZES.values()), ids=list(SIZES))
def size(request: pytest.FixtureRequest) -> tuple[int, int]:
    """Every snapshot at the smallest supported terminal and at a large one."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def snap_app(
    app_factory: Callable[..., ModelcatApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> ModelcatApp:
    """An app whose export path and local models do not depend on the machine or the test."""
    cache = tmp_path / "empty-hf-cache"
    cache.mkdir()  # present and empty: no warning naming the temporary folder
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("MODELCAT_CONFIG", raising=False)
    # absolute: the dialog shows the folder resolved, so "exports" showed the worktree it ran in
    return app_factory(export_dir=Path("/exports"))


async def search(pilot: Pilot[Any], text: str) -> None:
    await settle(pilot)
    await pilot.press("slash", *text, "enter")
    await settle(pilot)


def keys(*pressed: str) -> Callable[[Pilot[Any]], Any]:
    """A ``run_before`` that presses ``pressed`` and waits for the workers they start."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press(*pressed)
        await settle(pilot)

    return run_before


async def pythia_marked(pilot: Pilot[Any]) -> None:
    await search(pilot, "pythia")
    await pilot.press("space")
    await settle(pilot)


class TestBrowse:
    def test_search_with_a_mark(self, snap_compare: Snap, snap_app: ModelcatApp, size: Any) -> None:
        """Search 'pythia', first row marked (the cursor moved down); the filter panel shows
        when there is room for it."""
        assert snap_compare(snap_app, terminal_size=size, run_before=pythia_marked)

    def test_sorted_by_parameters(
        self, snap_compare: Snap, snap_app: ModelcatApp, size: Any
    ) -> None:
        """o twice: sorted by the second column, the arrow in its header."""

        async def run_before(pilot: Pilot[Any]) -> None:
            await search(pilot, "pythia")
            await pilot.press("o", "o")
            await settle(pilot)

        assert snap_compare(snap_app, terminal_size=size, run_before=run_before)

    def test_combined_filters(self, snap_compare: Snap, snap_app: ModelcatApp, size: Any) -> None:
        """Open weights, full fine-tuning, commercial use, at most 2B parameters."""

        async def run_before(pilot: Pilot[Any]) -> None:
            await settle(pilot)
            panel = pilot.app.screen.query_one(FilterPanel)
            panel.query_one("#access", Select).value = "open"
            panel.query_one("#tunable", Select).value = "full"
            panel.query_one("#commercial", Checkbox).value = True
            panel.query_one("#max_params", Input).value = "2B"
            await settle(pilot)

        assert snap_compare(snap_app, terminal_size=size, run_before=run_before)

    def test_empty_result_explains(
        self, snap_compare: Snap, snap_app: ModelcatApp, size: Any
    ) -> None:
        """A search that matches nothing plus a filter: the status line names the culprit."""

        async def run_before(pilot: Pilot[Any]) -> None:
            await search(pilot, "pythia")
            pilot.app.screen.query_one(FilterPanel).query_one("#access", Select).value = "gated"
            await settle(pilot)

        assert snap_compare(snap_app, terminal_size=size, run_before=run_before)


class TestDetail:
    def test_small_open_model(self, snap_compare: Snap, snap_app: ModelcatApp, size: Any) -> None:
        """pythia-1b: the top of its page, focus on the content."""

        async def run_before(pilot: Pilot[Any]) -> None:
            await search(pilot, "pythia-1b")
            await pilot.press("enter")
            await settle(pilot)

        assert snap_compare(snap_app, terminal_size=size, run_before=run_before)

    def test_the_end_of_the_page(
        self, snap_compare: Snap, snap_app: ModelcatApp, size: Any
    ) -> None:
        """The end of pythia-1b's page: estimates, Hub data, local copies, benchmarks."""

        async def run_before(pilot: Pilot[Any]) -> None:
            await search(pilot, "pythia-1b")
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("end")
            await settle(pilot)

        assert snap_compare(snap_app, terminal_size=size, run_before=run_before)


class TestCompare:
    def test_two_models(self, snap_compare: Snap, snap_app: ModelcatApp, size: Any) -> None:
        """Two marked Pythia models side by side, differing rows highlighted."""

        async def run_before(pilot: Pilot[Any]) -> None:
            await search(pilot, "pythia")
            await pilot.press("space", "space", "c")
            await settle(pilot)

        assert snap_compare(snap_app, terminal_size=size, run_before=run_before)


class TestLicenses:
    def test_terms_and_models(self, snap_compare: Snap, snap_app: ModelcatApp, size: Any) -> None:
        """The license table with the first license's models listed below."""
        assert snap_compare(snap_app, terminal_size=size, run_before=keys("l"))


class TestHelp:
    def test_keys(self, snap_compare: Snap, snap_app: ModelcatApp, size: Any) -> None:
        """Every key, by where it works."""
        assert snap_compare(snap_app, terminal_size=size, run_before=keys("question_mark"))


class TestExport:
    def test_dialog(self, snap_compare: Snap, snap_app: ModelcatApp, size: Any) -> None:
        """The export dialog over the browse screen: format, file and where it will write."""

        async def run_before(pilot: Pilot[Any]) -> None:
            await pythia_marked(pilot)
            await pilot.press("e")
            await settle(pilot)

        assert snap_compare(snap_app, terminal_size=size, run_before=run_before)


class TestQuit:
    def test_the_question(self, snap_compare: Snap, snap_app: ModelcatApp, size: Any) -> None:
        """q away from the table asks before leaving."""
        assert snap_compare(snap_app, terminal_size=size, run_before=keys("l", "q"))


class TestSync:
    def test_ready(self, snap_compare: Snap, snap_app: ModelcatApp, size: Any) -> None:
        """The sync screen, ready to start: mode, discovery options, Start focused, the log."""
        assert snap_compare(snap_app, terminal_size=size, run_before=keys("s"))

    def test_a_bad_limit_is_marked_on_its_field(
        self, snap_compare: Snap, snap_app: ModelcatApp, size: Any
    ) -> None:
        """Discovery with limit 0: the field itself says what is wrong."""

        async def run_before(pilot: Pilot[Any]) -> None:
            await settle(pilot)
            await pilot.press("s")
            screen = pilot.app.screen
            screen.query_one("#mode", Select).value = "discover"
            await pilot.pause()
            screen.query_one("#limit", Input).value = "0"
            await pilot.click("#start")
            await settle(pilot)

        assert snap_compare(snap_app, terminal_size=size, run_before=run_before)


class TestBench:
    def test_without_a_local_copy(
        self, snap_compare: Snap, snap_app: ModelcatApp, size: Any
    ) -> None:
        """b on a model with no local copy: the screen says how to get one; Run focused."""

        async def run_before(pilot: Pilot[Any]) -> None:
            await search(pilot, "pythia-1b")
            await pilot.press("b")
            await settle(pilot)

        assert snap_compare(snap_app, terminal_size=size, run_before=run_before)


class TestAdvisor:
    def test_form(self, snap_compare: Snap, snap_app: ModelcatApp, size: Any) -> None:
        """The advisor form, its first field focused."""
        assert snap_compare(snap_app, terminal_size=size, run_before=keys("a"))


class TestLocal:
    def test_nothing_installed(self, snap_compare: Snap, snap_app: ModelcatApp, size: Any) -> None:
        """The local models screen on a machine with nothing installed says where to add some."""
        assert snap_compare(snap_app, terminal_size=size, run_before=keys("i"))
