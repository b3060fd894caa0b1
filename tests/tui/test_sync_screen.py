"""The sync screen against the local fake Hub, and what the detail and compare screens show of
the synced data afterwards: Hub facts, drift, estimates from the stored config.json, lineage."""

# Tests of the TUI drive textual directly (the TID251 ban keeps textual out of catalog/).

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button, Input, ProgressBar, Select

from catalog.api import Catalog
from catalog.fit.verdict import estimate_for
from catalog.hub import HubClient
from catalog.sync import discover
from catalog.testing.fake_hub import FakeHub
from catalog.units import format_bytes
from tests.tui.conftest import SIZE
from tests.tui.helpers import settle, table_rows, texts
from tui.app import ModelcatApp
from tui.screens.browse import BrowseScreen
from tui.screens.compare import compare_rows
from tui.screens.detail import DetailScreen
from tui.screens.sync import SyncScreen
from tui.widgets.task_panel import TaskPanel

PYTHIA = "EleutherAI/pythia-1b"
SYNCED = "the config.json stored by the last Hub sync"
LLAMA2 = "meta-llama/Llama-2-7b-hf"
REUPLOAD = "someone/Llama-2-7b-reupload"


def pythia_on_the_hub(hub: FakeHub, cat: Catalog) -> Any:
    """pythia-1b on the fake Hub, tagged MIT (curated: Apache 2.0), with a longer context."""
    curated = cat.get("pythia-1b").config or {}
    config = {**curated, "max_position_embeddings": 4096}
    return hub.add_model(
        PYTHIA, config=config, license="mit", downloads=123_456, safetensors_total=1_011_781_632
    )


async def test_sync_then_the_detail_shows_hub_facts_drift_and_the_synced_config(
    app: ModelcatApp, cat: Catalog, online: FakeHub, machine: Any
) -> None:
    repo = pythia_on_the_hub(online, cat)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_detail("pythia-1b")
        await settle(pilot)
        before = app.screen
        assert isinstance(before, DetailScreen) and before.data is not None
        assert "Not synced yet" in texts(before) and not before.data.drift
        assert "architecture numbers: the curated config" in texts(before)
        await pilot.press("escape", "s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        await pilot.click("#start")
        await settle(pilot)
        panel = screen.query_one(TaskPanel)
        assert "Failed" not in panel.log_text
        assert screen.query_one(ProgressBar).percentage == 1.0
        report = screen.report
        assert report is not None and not report.cancelled
        assert "pythia-1b" in report.synced
        assert str(report) in panel.log_text
        for failure in report.failed:  # curated repos the fake Hub lacks: logged, not fatal
            assert f"failed {failure.model}: {failure.error}" in panel.log_text
        assert "drift pythia-1b: license curated 'apache-2.0', Hub 'mit'" in panel.log_text
        assert not any(n.severity == "error" for n in app._notifications)
        await pilot.press("escape")
        assert isinstance(app.screen, BrowseScreen)
        app.open_detail("pythia-1b")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, DetailScreen) and detail.data is not None
        rows = table_rows(detail)
        assert ("sha", repo.sha) in rows
        assert ("downloads", "123,456") in rows
        assert ("license", "apache-2.0", "mit", "the Hub's license tag is 'mit'") in rows
        assert "Not synced yet" not in texts(detail)
        # Estimates come from the stored config.json: its 4096-token context, not the curated 2048.
        bf16 = detail.data.estimates[0]
        assert f"architecture numbers: {SYNCED}" in bf16.assumptions
        assert bf16.inference.context == 4096
        assert f"architecture numbers: {SYNCED}" in texts(detail)
    # The compare screen estimates from the same config.
    compared = dict(compare_rows(cat, ["pythia-1b", "pythia-6.9b"], use=None, hardware=machine))
    pythia = cat.get("pythia-1b")
    synced = estimate_for(pythia, cat=cat, dtype="bf16").inference.total_bytes
    assert synced > estimate_for(pythia, dtype="bf16").inference.total_bytes  # a larger KV cache
    assert compared["inference bf16"][0] == format_bytes(synced)


async def test_the_detail_of_a_discovered_derivative_shows_its_lineage(
    app: ModelcatApp, cat: Catalog, online: FakeHub
) -> None:
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama"}
    online.add_model(REUPLOAD, config=config, license="apache-2.0", base_model=LLAMA2)
    discover(cat, client=HubClient(token=False, backoff=0.0), author="someone")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_detail(cat.get(REUPLOAD).id)
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, DetailScreen) and detail.data is not None
        assert detail.data.lineage is not None
        shown = texts(detail)
        assert "Lineage: bound by apache-2.0, llama2" in shown
        assert "Contradiction" in shown
        assert (LLAMA2, "finetune", "llama2", "llama-2-7b", "") in table_rows(detail)
        # The verdict is judged under the base model's license too, as `license check` does.
        verdict = detail.data.verdict
        assert verdict is not None and verdict.license == "llama2"
        assert any(r.term == "lineage" for r in verdict.reasons)


async def open_sync(app: ModelcatApp, pilot: Pilot[None]) -> SyncScreen:
    await settle(pilot)
    await pilot.press("s")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, SyncScreen)
    return screen


async def test_enter_starts_focus_moves_to_cancel_and_ctrl_x_cancels(
    app: ModelcatApp, online: FakeHub
) -> None:
    # Every model answer is slow, so the sync is still running when the keys arrive.
    online.inject("info", "timeout", times=None, delay=0.5)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sync(app, pilot)
        assert app.focused is screen.query_one("#start", Button)  # the screen opens on Start
        await pilot.press("enter")
        await pilot.pause()
        assert screen.running
        assert app.focused is screen.query_one("#cancel", Button)
        assert "ctrl+x" in {key for key, b in screen.active_bindings.items() if b.enabled}
        await pilot.press("ctrl+x")
        await settle(pilot)
        assert screen.report is not None and screen.report.cancelled
        assert "Sync cancelled" in screen.query_one(TaskPanel).log_text
        assert not screen.running
        assert app.focused is screen.query_one("#start", Button)


async def test_discovery_with_author_min_downloads_and_limit(
    app: ModelcatApp, cat: Catalog, online: FakeHub
) -> None:
    online.add_model("someorg/big", downloads=5_000, config={"model_type": "llama"})
    online.add_model("someorg/small", downloads=10, config={"model_type": "llama"})
    online.add_model("otherorg/big", downloads=9_000, config={"model_type": "llama"})
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sync(app, pilot)
        screen.query_one("#mode", Select).value = "discover"
        await pilot.pause()
        limit = screen.query_one("#limit", Input)
        limit.value = "0"
        await pilot.click("#start")
        await pilot.pause()
        assert not screen.running  # the field says what is wrong instead
        assert "limit: 1 or more" in texts(screen)
        screen.query_one("#author", Input).value = "someorg"
        screen.query_one("#min_downloads", Input).value = "100"
        limit.value = "10"
        await pilot.click("#start")
        await settle(pilot)
        report = screen.report
        assert report is not None and report.ok, report
        assert set(report.synced) == {"someorg--big"}
        assert cat.exists("someorg/big") and not cat.exists("someorg/small")
        assert not cat.exists("otherorg/big")


async def test_leaving_the_sync_screen_keeps_it(app: ModelcatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        first = app.screen
        await pilot.press("escape", "s")
        assert app.screen is first
