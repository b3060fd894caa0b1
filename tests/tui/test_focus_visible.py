"""Focus you can see: on every screen, in both ansi themes (which draw on the terminal's own
background, where tints vanish), each focusable widget looks different focused and unfocused."""

# Tests of the TUI drive textual directly (the TID251 ban keeps textual out of catalog/).

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widget import Widget

from tests.tui.conftest import SIZE
from tests.tui.helpers import settle
from tui.app import ModelcatApp

SCREENS = ["", "s", "b", "a", "l", "i", "question_mark", "enter", "space space c", "e"]
"""Keys from the browse screen to each screen (empty: the browse screen itself)."""


async def invisible_focus(app: ModelcatApp, pilot: Pilot[None]) -> list[str]:
    """The focusable widgets of the current screen whose focus changes nothing on screen."""
    screen = app.screen
    unseen = []
    widgets: list[Widget] = [w for w in screen.focus_chain if w.focusable]
    for widget in widgets:
        screen.set_focus(None)
        await pilot.pause()
        blurred = app.export_screenshot()
        widget.focus()
        await pilot.pause()
        if app.export_screenshot() == blurred:
            unseen.append(f"{type(screen).__name__}: {type(widget).__name__}#{widget.id}")
    return unseen


@pytest.mark.parametrize("theme", ["ansi-dark", "ansi-light"])
async def test_every_focusable_widget_shows_its_focus(
    app_factory: Callable[..., ModelcatApp], theme: str
) -> None:
    app = app_factory(theme=theme)
    unseen: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        for keys in SCREENS:
            await settle(pilot)
            if keys:
                await pilot.press(*keys.split())
                await settle(pilot)
            unseen += await invisible_focus(app, pilot)
            while len(app.screen_stack) > 1:
                app.pop_screen()
    assert unseen == [], "\n".join(unseen)
