"""Issue 13, point 2: no control character from data reaches a terminal.

Overlays refuse them (exit 2, located); Hub data loses them at ingest; and every renderer (the
CLI's table, md and JSON, the TUI) shows what an older store still holds escaped."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import select, update
from typer.testing import CliRunner

from catalog.api import Catalog
from catalog.cli.main import app
from catalog.hub import HubClient
from catalog.store.tables import MODEL
from catalog.sync import discover
from catalog.sync.hub_model import hub_model_id
from catalog.testing.fake_hub import FakeHub
from tests.hostile.conftest import GOOD_ENTRY

RETITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
CSI_C1 = "\x9b31m"
HOSTILE = f"{RETITLE}{CLEAR}{CSI_C1}"
RAW = ("\x1b", "\x07", "\x9b")


def assert_no_controls(text: str) -> None:
    for char in RAW:
        assert char not in text, f"{char!r} reached the output"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", '"My\\e]0;pwned\\a Model"'),
        ("family", '"Mine\\e[2J"'),
        ("publisher", '"Me\\x9b31m"'),
        ("notes", '"a note \\e[2J with a newline\\n is fine"'),
    ],
)
def test_an_overlay_with_a_control_character_is_a_located_error(
    overlay: Any, field: str, value: str
) -> None:
    text = f"models:\n{GOOD_ENTRY}"
    if field == "notes":
        text += f"    notes: {value}\n"
    else:
        text = text.replace(f"    {field}: ", f"    {field}: {value} #", 1)
    result = CliRunner().invoke(app, ["--data", str(overlay(text)), "list"])
    assert result.exit_code == 2, result.output
    assert "models.yaml:" in result.stderr and f"field '{field}'" in result.stderr
    assert "control character" in result.stderr
    assert_no_controls(result.stderr)


def test_newlines_and_tabs_are_allowed_where_a_field_is_prose(overlay: Any) -> None:
    text = f'models:\n{GOOD_ENTRY}    notes: "two\\tcolumns\\nand two lines"\n'
    result = CliRunner().invoke(app, ["--data", str(overlay(text)), "show", "my-model"])
    assert result.exit_code == 0, result.output


def test_hub_data_loses_its_controls_at_ingest(
    cat: Catalog, fake_hub: FakeHub, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_hub.add_model(
        "acme/evil-7b",
        license="other",
        license_name=f"evil{HOSTILE}license",
        license_link=f"https://example.org/{CLEAR}",
        base_model=f"meta-llama/Llama-2-7b-hf{RETITLE}",
        card_data={"description": f"fine {HOSTILE} weights", "model_name": f"x{CSI_C1}"},
        config={"architectures": ["LlamaForCausalLM"], "model_type": f"llama{CLEAR}"},
        tags=[f"tag{RETITLE}", "text-generation"],
        safetensors_total=7_000_000_000,
    )
    client = HubClient(endpoint=fake_hub.url, token=False, backoff=0.0)
    report = discover(cat, client=client, author="acme")
    model_id = hub_model_id("acme/evil-7b")
    assert model_id in report.synced
    monkeypatch.setenv("MODELCAT_DB", str(db_path))
    for fmt in ("table", "json", "md"):
        result = CliRunner().invoke(app, ["show", model_id, "--format", fmt])
        assert result.exit_code == 0, result.output
        assert_no_controls(result.stdout)
    shown = json.loads(CliRunner().invoke(app, ["show", model_id, "-f", "json"]).stdout)
    assert shown["hub"]["license_name"] == "evil]0;pwned[2J31mlicense"
    assert shown["architecture"] == "llama[2J"


def plant(cat: Catalog, model_id: str, **fields: Any) -> None:
    """Write raw values into a stored model, as a store written before this check could hold."""
    with cat.engine.begin() as conn:
        data = conn.execute(select(MODEL.c.data).where(MODEL.c.id == model_id)).scalar_one()
        data = {**data, **fields}
        columns = {k: v for k, v in fields.items() if k in MODEL.c}
        conn.execute(update(MODEL).where(MODEL.c.id == model_id).values(data=data, **columns))


def test_every_cli_renderer_escapes_what_an_old_store_holds(cat: Catalog, db_path: Path) -> None:
    plant(cat, "pythia-1b", name=f"Pythia{HOSTILE}", family=f"Pythia{CLEAR}")
    plant(cat, "pythia-1b", notes="[link=https://evil.example]click[/link]")
    for args in (
        ["show", "pythia-1b"],
        ["show", "pythia-1b", "-f", "md"],
        ["show", "pythia-1b", "-f", "json"],
        ["show", "pythia-1b", "-f", "csv"],
        ["list", "--search", "pythia"],
        ["list", "--search", "pythia", "-f", "md"],
    ):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        assert_no_controls(result.stdout)
    table = CliRunner().invoke(app, ["show", "pythia-1b"]).stdout
    assert "Pythia\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m" in table
    assert "[link=https://evil.example]click[/link]" in table  # text, not Rich markup


async def test_the_tui_detail_screen_escapes_what_an_old_store_holds(cat: Catalog) -> None:
    from tui.app import make_app
    from tui.screens.detail import DetailScreen

    plant(cat, "pythia-1b", name=f"Pythia{HOSTILE}", notes=f"note {HOSTILE}")
    tui = make_app(catalog=cat)
    async with tui.run_test(size=(160, 200)) as pilot:
        await tui.workers.wait_for_complete()
        await tui.push_screen(DetailScreen("pythia-1b"))
        for _ in range(3):
            await tui.workers.wait_for_complete()
            await pilot.pause()
        update_ = tui.screen._compositor.render_update(full=True)
        console = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor")
        written = "".join(update_.render_segments(console))
    assert "pwned" in written  # the screen does show the name...
    for raw in (RETITLE, CLEAR, "\x9b", "\x07"):
        assert raw not in written  # ...but not as sequences the terminal would obey
    assert "\\x1b]0;pwned" in written
