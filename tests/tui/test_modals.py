"""Modals in a bare host app: what they return for enter, escape and bad input."""

# Tests of the TUI drive textual directly (the TID251 ban keeps textual out of catalog/).

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.widgets import Input, RadioButton

from tui.modals.error import ErrorModal
from tui.modals.export import ExportModal, ExportRequest


class _Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.results: list[object] = []


async def test_export_enter_returns_the_default_json_path(tmp_path: Path) -> None:
    host = _Host()
    async with host.run_test() as pilot:
        host.push_screen(ExportModal(tmp_path / "list.json", 3), host.results.append)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    assert host.results == [ExportRequest("json", tmp_path / "list.json")]


async def test_export_md_changes_the_suffix(tmp_path: Path) -> None:
    host = _Host()
    async with host.run_test() as pilot:
        host.push_screen(ExportModal(tmp_path / "list.json", 3), host.results.append)
        await pilot.pause()
        host.screen.query_one("#fmt-md", RadioButton).value = True
        await pilot.pause()
        await pilot.click("#ok")
        await pilot.pause()
    assert host.results == [ExportRequest("md", tmp_path / "list.md")]


async def test_export_escape_returns_none(tmp_path: Path) -> None:
    host = _Host()
    async with host.run_test() as pilot:
        host.push_screen(ExportModal(tmp_path / "list.json", 1), host.results.append)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert host.results == [None]


async def test_export_refuses_an_empty_path(tmp_path: Path) -> None:
    host = _Host()
    async with host.run_test() as pilot:
        host.push_screen(ExportModal(tmp_path / "list.json", 1), host.results.append)
        await pilot.pause()
        host.screen.query_one("#path", Input).value = ""
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(host.screen, ExportModal)
    assert host.results == []


async def test_error_modal_closes_with_ok() -> None:
    host = _Host()
    async with host.run_test() as pilot:
        host.push_screen(ErrorModal("Sync failed: boom", "Traceback ..."), host.results.append)
        await pilot.pause()
        await pilot.click("#ok")
        await pilot.pause()
    assert host.results == [None]
