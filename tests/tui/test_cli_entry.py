"""``modelcat tui`` exists and ``modelcat`` alone opens the TUI only on a terminal."""

from __future__ import annotations

from typer.testing import CliRunner

from catalog.cli.main import app


def test_tui_command_is_listed_and_documented() -> None:
    result = CliRunner().invoke(app, ["tui", "--help"])
    assert result.exit_code == 0
    assert "terminal UI" in result.output and "--theme" in result.output


def test_modelcat_alone_without_a_terminal_lists_models() -> None:
    # CliRunner's stdin/stdout are not terminals: scripts piping `modelcat` keep the listing.
    result = CliRunner().invoke(app, [])
    assert result.exit_code == 0
    assert "pythia-1b" in result.output
