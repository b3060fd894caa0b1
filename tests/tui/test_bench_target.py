"""The bench screen finds a model's copy by the rule ``modelcat bench`` uses: the Hugging Face
cache, else the config file's folders (the screen once looked in the cache only)."""

# Tests of the TUI drive textual directly (the TID251 ban keeps textual out of catalog/).

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Input, Label
from typer.testing import CliRunner

from catalog.api import Catalog
from catalog.cli.main import app as cli
from tests.tui.conftest import SIZE
from tests.tui.helpers import settle
from tui.app import ModelcatApp
from tui.screens.bench import BenchScreen


@pytest.fixture
def folder_copy(cat: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of pythia-1b (its config.json, a weights file) in a folder the config file names;
    an empty Hugging Face cache."""
    pythia = cat.get("pythia-1b")
    copy = tmp_path / "models" / "my-pythia"
    copy.mkdir(parents=True)
    (copy / "config.json").write_text(json.dumps(pythia.config), encoding="utf-8")
    (copy / "model.safetensors").write_bytes(b"")
    config = tmp_path / "config.yaml"
    config.write_text(f"paths:\n  - {copy.parent}\n", encoding="utf-8")
    monkeypatch.setenv("MODELCAT_CONFIG", str(config))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    return copy


async def test_the_bench_screen_finds_a_copy_in_the_config_files_folders(
    app: ModelcatApp, folder_copy: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"pythia-1b", "enter", "b")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BenchScreen)
        assert Path(screen.query_one("#path", Input).value) == folder_copy


async def test_the_screen_and_the_cli_say_the_same_when_there_is_no_copy(
    app: ModelcatApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    empty = tmp_path / "config.yaml"
    empty.write_text("", encoding="utf-8")
    monkeypatch.setenv("MODELCAT_CONFIG", str(empty))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"pythia-1b", "enter", "b")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BenchScreen)
        status = str(screen.query_one("#task-status", Label).render())
    said = CliRunner().invoke(cli, ["bench", "pythia-1b"]).stderr
    assert "no local copy of pythia-1b" in status
    assert " ".join(status.split()) in " ".join(said.split())
