"""Fixtures for the TUI tests: the app over a real SQLite catalog, a fixed simulated machine,
no cursor blink, no network, and helpers that wait for workers instead of sleeping."""

# Tests of the TUI drive textual directly (the TID251 ban keeps textual out of catalog/).

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from catalog.api import Catalog
from catalog.testing.fake_hub import FakeHub
from tui.app import ModelcatApp, make_app

SIZE = (120, 40)
"""The terminal size of the Pilot tests (snapshots use their own fixed sizes)."""


@pytest.fixture(autouse=True)
def no_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor would make screenshots depend on timing."""
    from textual.widgets import Input

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """The TUI must work without a network."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture
def machine() -> Any:
    """A fixed machine (16 GB RAM, no GPU) so fit verdicts do not depend on the test host."""
    from catalog.fit.hardware import detect_hardware

    return detect_hardware(memory="16GB", gpu_memory=0)


@pytest.fixture
def app_factory(cat: Catalog, machine: Any, tmp_path: Path) -> Iterator[Callable[..., ModelcatApp]]:
    """Build apps over the test catalog (the same factory the CLI uses)."""

    def build(**kwargs: Any) -> ModelcatApp:
        kwargs.setdefault("hardware", machine)
        kwargs.setdefault("export_dir", tmp_path / "exports")
        # Count at once rather than when typing pauses, so waiting for workers sees the count
        # (test_browse.py tests the pause with a delay of its own).
        kwargs.setdefault("count_delay", 0)
        return make_app(catalog=cat, **kwargs)

    yield build


@pytest.fixture
def app(app_factory: Callable[..., ModelcatApp]) -> ModelcatApp:
    """The app over the test catalog."""
    return app_factory()


@pytest.fixture
def online(fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    """The fake Hub, and huggingface_hub's import-time offline flag cleared.

    Other TUI tests run offline (``HF_HUB_OFFLINE=1``); if one of them imported huggingface_hub
    first, its constant stayed True and every request would be refused.
    """
    import huggingface_hub.constants as hub_constants

    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", False)
    return fake_hub
