"""A discovery written in bulk (indexes, text index and derived columns built once at the end)
stores exactly what the same listing written page by page stores, on every backend; a bulk
that does not finish leaves the store as it was, indexes included."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from catalog.api import Catalog, make_filters
from catalog.hub import HubModel
from catalog.licenses import IntendedUse
from catalog.store.bulk import bulk_write
from catalog.store.engine import STORE_ERRORS
from catalog.store.hub_store import base_families
from catalog.sync.drift import LicenseTable
from catalog.sync.storage import ListingWriter, write_listing_page
from tests.fixtures.postgres import create_database, drop_database, server_url

ENDPOINT = "https://huggingface.co"
PAGE = 40
LICENSES = ("apache-2.0", "mit", "llama2", None, "other", "gemma")
NEEDLES = ("llama", "acme", "qw", "base-1", "gpt-4o", "wonder-7", "zzz-nothing")
SNAPSHOT_TIMES = ("synced_at", "checked_at")
"""Snapshot columns that hold when the page was written (they differ between two writes)."""


def _listing() -> list[HubModel]:
    """Repos whose bases are curated, Hub repos listed earlier and Hub repos listed later (a
    chain across pages), a repo listed twice (its second listing wins), a curated repo (left
    out), and unknown licenses that only a base resolves."""
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    out: list[HubModel] = []
    for i in range(200):
        repo = f"acme{i % 3}/Wonder-{i % 9}B-v{i}" if i % 5 else f"base-org/base-{i}"
        bases: tuple[str, ...] = ()
        if i % 4 == 1:
            bases = ("meta-llama/Llama-2-7b-hf",)
        elif i % 4 == 2:
            bases = (f"base-org/base-{(i + 60) // 5 * 5}",)  # a repo on a later page
        elif i % 4 == 3 and i > 10:
            bases = (f"base-org/base-{(i - 10) // 5 * 5}", "Qwen/Qwen2.5-7B")
        out.append(_model(repo, i, start, bases))
    out.insert(77, _model("meta-llama/Llama-2-7b-hf", 999, start, ()))  # curated: left out
    out.append(_model("acme1/Wonder-1B-v1", 1000, start, ("base-org/base-5",)))  # listed again
    return out


def _model(repo: str, i: int, start: dt.datetime, bases: tuple[str, ...]) -> HubModel:
    license = LICENSES[i % len(LICENSES)] if not bases or i % 3 else None
    return HubModel(
        repo_id=repo,
        sha=f"{i:040x}",
        last_modified=start + dt.timedelta(days=i),
        created_at=start,
        gated="manual" if i % 11 == 0 else False,
        private=False,
        disabled=False,
        downloads=i * 37,
        likes=i % 13,
        license=license,
        tags=("transformers", "text-generation", *(f"base_model:finetune:{b}" for b in bases)),
        pipeline_tag="text-generation",
        library_name="transformers",
        base_models=bases,
        safetensors_total=(i % 9 + 1) * 1_000_000_000,
        safetensors_parameters={"BF16": (i % 9 + 1) * 1_000_000_000},
        quantized=i % 7 == 0,
        config_subset={"model_type": "llama", "architectures": ["LlamaForCausalLM"]},
    )


@pytest.fixture
def second_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second empty store on the backend of ``db_url``."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'second.db'}"
        return
    base = server_url()
    assert base is not None
    url = create_database(base)
    try:
        yield url
    finally:
        drop_database(url)


def _pages(listing: list[HubModel]) -> Iterator[list[HubModel]]:
    for start in range(0, len(listing), PAGE):
        yield listing[start : start + PAGE]


def _setup(cat: Catalog) -> tuple[LicenseTable, dict[str, str]]:
    licenses = LicenseTable.of({lic.id: lic for lic in cat.licenses()})
    with cat.connect() as conn:
        return licenses, base_families(conn)


def _page_by_page(cat: Catalog, pages: list[list[HubModel]] | None = None) -> None:
    licenses, families = _setup(cat)
    for page in pages if pages is not None else _pages(_listing()):
        with cat.engine.begin() as conn:
            written = write_listing_page(
                conn, page, endpoint=ENDPOINT, licenses=licenses, families=families
            )
        for model in written.models:
            if model.hub_id:
                families.setdefault(model.hub_id.lower(), model.family)


def _in_bulk(cat: Catalog, **options: Any) -> ListingWriter:
    licenses, families = _setup(cat)
    writer = ListingWriter(
        cat.engine, endpoint=ENDPOINT, licenses=licenses, families=families, **options
    )
    for page in _pages(_listing()):
        writer.write(page)
    writer.finish()
    return writer


def _rows(engine: Engine, table: str, order: str, leave_out: tuple[str, ...] = ()) -> list[Any]:
    with engine.connect() as conn:
        result = conn.execute(text(f"SELECT * FROM {table} ORDER BY {order}")).mappings()
        return [
            {k: _plain(v) for k, v in row.items() if k not in leave_out} for row in result.all()
        ]


def _plain(value: Any) -> Any:
    """JSON documents compared as data (PostgreSQL hands them back parsed, SQLite as text)."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _answers(cat: Catalog) -> dict[str, Any]:
    use = IntendedUse.from_options(use="commercial", mau="900M")
    out: dict[str, Any] = {
        "tiers": {t: cat.count(make_filters(tier=[t])) for t in ("hub", "curated")},
        "commercial": cat.count(make_filters(use=use)),
        "licensed": [m.id for m in cat.shortlist(use=use, top=400)],
        "top": [m.id for m in cat.shortlist(top=400)],
    }
    for needle in NEEDLES:
        out[f"search {needle}"] = [m.id for m in cat.shortlist(search=needle, top=400)]
        out[f"count {needle}"] = cat.count(make_filters(search=needle))
    return out


def _schema_objects(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.execute(text("SELECT type || ' ' || name FROM sqlite_master"))
        else:
            rows = conn.execute(
                text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
            )
        return {name for (name,) in rows}


def test_bulk_stores_what_page_by_page_stores(db_url: str, second_url: str) -> None:
    with Catalog.open(db_url) as paged, Catalog.open(second_url) as bulk:
        _page_by_page(paged)
        writer = _in_bulk(bulk, bulk_after=0, round_growth=None)
        assert writer.rounds == 1
        models = _rows(paged.engine, "model", "id")
        assert len(models) > 200
        assert models == _rows(bulk.engine, "model", "id")
        # Derived across pages: a base listed on a later page binds its derivative.
        bound = {m["id"]: m["bound_licenses"] for m in models}
        assert bound["acme2--wonder-2b-v2"] and "|" in bound["acme2--wonder-2b-v2"]
        assert _rows(paged.engine, "hub_lineage", "repo_id, base_repo_id") == _rows(
            bulk.engine, "hub_lineage", "repo_id, base_repo_id"
        )
        assert _rows(paged.engine, "hub_snapshot", "repo_id", SNAPSHOT_TIMES) == _rows(
            bulk.engine, "hub_snapshot", "repo_id", SNAPSHOT_TIMES
        )
        answers = _answers(paged)
        assert answers["count llama"] > 0 and answers["search acme"]
        assert answers["count zzz-nothing"] == 0
        assert _answers(bulk) == answers
        assert _schema_objects(bulk.engine) == _schema_objects(paged.engine)
        if bulk.engine.dialect.name == "sqlite":
            with bulk.engine.begin() as conn:  # raises when the text index is not the rows'
                conn.execute(
                    text("INSERT INTO model_search(model_search) VALUES ('integrity-check')")
                )


def test_rounds_and_a_store_that_already_holds_the_listing(
    db_url: str, second_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several rounds, then the listing written again over itself in bulk: the same as page by
    page twice (the second time, a derivative listed before its base finds the base's family)."""
    import catalog.sync.storage as storage

    monkeypatch.setattr(storage, "ROUND_MIN", 70)
    with Catalog.open(db_url) as paged, Catalog.open(second_url) as bulk:
        _page_by_page(paged)
        _page_by_page(paged)
        assert _in_bulk(bulk, bulk_after=PAGE, round_growth=0.1).rounds >= 2
        assert _in_bulk(bulk, bulk_after=0).rounds >= 1
        assert _rows(bulk.engine, "model", "id") == _rows(paged.engine, "model", "id")
        assert _answers(bulk) == _answers(paged)


def test_a_bulk_that_does_not_finish_leaves_the_store_as_it_was(db_url: str) -> None:
    with Catalog.open(db_url) as cat:
        _page_by_page(cat)
        objects = _schema_objects(cat.engine)
        models = _rows(cat.engine, "model", "id")
        answers = _answers(cat)
        with pytest.raises(RuntimeError, match="stopped"), bulk_write(cat.engine) as bulk:
            with bulk.conn.begin_nested():
                bulk.conn.execute(text("DELETE FROM model WHERE tier = 'hub'"))
            raise RuntimeError("stopped half-way")
        writer = ListingWriter(
            cat.engine, endpoint=ENDPOINT, licenses=_setup(cat)[0], families={}, bulk_after=0
        )
        writer.write(_listing()[:PAGE])
        writer.abort()  # a second Ctrl-C
        assert _schema_objects(cat.engine) == objects
        assert _rows(cat.engine, "model", "id") == models
        assert _answers(cat) == answers


def test_a_page_that_fails_inside_a_round_is_rolled_back_alone(
    db_url: str, second_url: str
) -> None:
    listing = _listing()
    first, broken, last = listing[:PAGE], listing[PAGE : 2 * PAGE], listing[2 * PAGE : 3 * PAGE]
    broken[-1] = dataclasses.replace(broken[-1], downloads=2**70)  # no column holds it
    with Catalog.open(db_url) as paged, Catalog.open(second_url) as bulk:
        _page_by_page(paged, [first, last])
        licenses, families = _setup(bulk)
        writer = ListingWriter(
            bulk.engine, endpoint=ENDPOINT, licenses=licenses, families=families, bulk_after=0
        )
        assert writer.write(first) == []  # held until the round commits
        with pytest.raises(STORE_ERRORS):
            writer.write(broken)
        writer.write(last)
        pages = writer.finish()
        assert [len(p.models) for p in pages] == [len(first), len(last)]
        assert _rows(bulk.engine, "model", "id") == _rows(paged.engine, "model", "id")
        assert _answers(bulk) == _answers(paged)
