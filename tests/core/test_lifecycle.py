"""Models a vendor switches off: status from the lifecycle dates, left out of shortlists."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog.api import Catalog
from catalog.cli.main import app
from catalog.curated import load_curated
from catalog.errors import DataFileError
from catalog.schema import Lifecycle

runner = CliRunner()
SOURCE = "https://example.org/deprecations"

API_MODEL = """\
  - id: {id}
    name: Vendor model
    family: Vendor
    publisher: Vendor Inc
    release_date: 2024-01-01
    variant: chat
    license: openai-api
    access: api
    api:
      vendor: Vendor Inc
      model_name: {id}
    lifecycle:
{lifecycle}
    sources:
      license: https://example.org/terms
      access: https://example.org/models
"""


def _overlay(tmp_path: Path, models: dict[str, str]) -> Path:
    folder = tmp_path / "overlay"
    folder.mkdir(exist_ok=True)
    text = "models:\n" + "".join(
        API_MODEL.format(id=mid, lifecycle=textwrap.indent(block, " " * 6))
        for mid, block in models.items()
    )
    (folder / "models.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("deprecated", "shutdown", "today", "status"),
    [
        (None, dt.date(2027, 1, 14), dt.date(2026, 12, 3), "deprecated"),
        (None, dt.date(2027, 1, 14), dt.date(2027, 1, 14), "retired"),
        (dt.date(2026, 1, 1), None, dt.date(2025, 12, 31), "active"),
        (dt.date(2026, 1, 1), None, dt.date(2026, 1, 1), "deprecated"),
        (dt.date(2023, 7, 6), dt.date(2024, 1, 4), dt.date(2026, 12, 3), "retired"),
    ],
)
def test_status_follows_the_dates_on_the_day_asked(
    deprecated: dt.date | None, shutdown: dt.date | None, today: dt.date, status: str
) -> None:
    life = Lifecycle(deprecated=deprecated, shutdown=shutdown, source=SOURCE)
    assert life.status(today) == status


def test_a_shutdown_before_the_deprecation_is_a_located_error(tmp_path: Path) -> None:
    folder = _overlay(
        tmp_path, {"vendor-x": f"deprecated: 2026-05-01\nshutdown: 2026-01-01\nsource: {SOURCE}\n"}
    )
    with pytest.raises(DataFileError) as info:
        load_curated(folder)
    (problem,) = info.value.problems
    assert problem.entry == "vendor-x"
    assert problem.field == "lifecycle"
    assert "'shutdown' is earlier than 'deprecated'" in problem.message
    assert problem.line == 13  # the `lifecycle:` key of the entry


def test_a_lifecycle_needs_a_source_and_a_date(tmp_path: Path) -> None:
    folder = _overlay(tmp_path, {"vendor-y": "replacement: vendor-z\n"})
    with pytest.raises(DataFileError) as info:
        load_curated(folder)
    assert [(p.field, p.message) for p in info.value.problems] == [
        ("lifecycle.source", "missing required field")
    ]
    folder = _overlay(tmp_path, {"vendor-y": f"replacement: vendor-z\nsource: {SOURCE}\n"})
    with pytest.raises(DataFileError) as info:
        load_curated(folder)
    (problem,) = info.value.problems
    assert "needs a 'deprecated' or a 'shutdown' date" in problem.message


def test_shipped_openai_models_carry_their_shutdown_dates(cat: Catalog) -> None:
    gpt4 = cat.get("gpt-4")
    assert gpt4.lifecycle is not None
    assert gpt4.shutdown == dt.date(2026, 10, 23)
    assert gpt4.lifecycle.replacement == "gpt-5.6-sol"
    assert gpt4.status(dt.date(2026, 12, 3)) == "retired"
    assert cat.get("gpt-4o").status(dt.date(2026, 12, 3)) == "deprecated"
    assert cat.get("llama-2-7b").status() == "active"
    assert cat.get("llama-2-7b").to_json()["lifecycle"] is None


def test_list_keeps_every_model_and_says_its_status(tmp_path: Path) -> None:
    today = dt.date.today()
    past, future = today - dt.timedelta(days=30), today + dt.timedelta(days=30)
    folder = _overlay(
        tmp_path,
        {
            "vendor-gone": f"shutdown: {past}\nreplacement: vendor-new\nsource: {SOURCE}\n",
            "vendor-going": f"shutdown: {future}\nsource: {SOURCE}\n",
        },
    )
    result = runner.invoke(
        app, ["--data", str(folder), "list", "--family", "Vendor", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    status = {m["id"]: (m["status"], m["lifecycle"]) for m in json.loads(result.stdout)}
    assert status["vendor-gone"][0] == "retired"
    assert status["vendor-gone"][1]["replacement"] == "vendor-new"
    assert status["vendor-going"][0] == "deprecated"

    result = runner.invoke(app, ["--data", str(folder), "list", "--family", "Vendor"])
    assert "retired" in result.stdout and "deprecated" in result.stdout


def test_shortlist_leaves_out_retired_models_unless_asked(tmp_path: Path) -> None:
    today = dt.date.today()
    folder = _overlay(
        tmp_path,
        {
            "vendor-gone": f"shutdown: {today}\nsource: {SOURCE}\n",
            "vendor-going": f"shutdown: {today + dt.timedelta(days=1)}\nsource: {SOURCE}\n",
        },
    )
    base = ["--data", str(folder), "shortlist", "--family", "Vendor", "--format", "json"]
    kept = [m["id"] for m in json.loads(runner.invoke(app, base).stdout)]
    assert kept == ["vendor-going"]
    result = runner.invoke(app, [*base, "--include-retired"])
    assert sorted(m["id"] for m in json.loads(result.stdout)) == ["vendor-going", "vendor-gone"]


def test_an_empty_shortlist_names_include_retired(tmp_path: Path) -> None:
    folder = _overlay(tmp_path, {"vendor-gone": f"shutdown: 2020-01-01\nsource: {SOURCE}\n"})
    result = runner.invoke(app, ["--data", str(folder), "shortlist", "--family", "Vendor"])
    assert result.exit_code == 0
    assert "--include-retired" in result.stderr


def test_python_shortlist_and_advisor_skip_retired_models(cat: Catalog) -> None:
    from catalog.advisor import advise

    shortlisted = {m.id for m in cat.shortlist(access=["api"])}
    assert "gpt-4" not in shortlisted and "gpt-3.5-turbo" not in shortlisted
    assert "gpt-4" in {m.id for m in cat.shortlist(access=["api"], hide_retired=False)}
    assert "gpt-4" in {m.id for m in cat.list(access=["api"])}

    plan = advise(task="chat", examples=0, top=100, catalog=cat)
    recommended = {c.model.id for c in plan.shortlist}
    retired = {m.id for m in cat.list(access=["api"]) if m.status() == "retired"}
    assert "gpt-4o" in recommended  # API models are candidates: only the retired ones are not
    assert retired and not recommended & retired
