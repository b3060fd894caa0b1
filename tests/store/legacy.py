"""Stores as a pre-Alembic modelcat left them: the captured DDL plus rows of every kind.

The DDL in ``tests/fixtures/pre_alembic/`` is what ``create_all`` emitted before migrations
existed; the rows are written with plain SQL, as the old code wrote them.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from catalog.curated import load_curated
from catalog.domain import Model
from catalog.store.convert import license_row, model_row

DDL_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "pre_alembic"
OLD_BUILT_AT = "2025-01-01T00:00:00+00:00"
HUB_MODEL_ID = "someone--tiny-finetune"
SAVED_IDS = ["llama-2-7b", "mistral-7b"]
FINGERPRINT = "0123456789abcdef"


def statements(dialect: str, *, only: tuple[str, ...] | None = None) -> list[str]:
    """The captured DDL statements of ``dialect``, optionally only those naming ``only`` tables."""
    raw = (DDL_DIR / f"{dialect}.sql").read_text(encoding="utf-8")
    body = "\n".join(line for line in raw.splitlines() if not line.startswith("--"))
    found = [s.strip() for s in body.split(";\n") if s.strip()]
    if only is None:
        return [s.rstrip(";") for s in found]
    return [s.rstrip(";") for s in found if any(_names(s, t) for t in only)]


def _names(statement: str, table: str) -> bool:
    return statement.startswith(f"CREATE TABLE {table} (") or f" ON {table} (" in statement


def build_legacy_store(
    engine: Engine, *, digest: str | None = None, tables: tuple[str, ...] | None = None
) -> None:
    """Create the pre-Alembic schema (or the ``tables`` of it) and fill it like the old code.

    Args:
        engine: an empty database.
        digest: the ``meta.data_digest`` to record (default: the shipped files', so it is fresh).
        tables: create only these tables (a store from before some tables existed).
    """
    curated = load_curated()
    with engine.begin() as conn:
        for statement in statements(engine.dialect.name, only=tables):
            conn.exec_driver_sql(statement)
        _meta(conn, digest or curated.digest)
        _curated(conn, curated)
        if tables is None or "saved_list" in tables:
            _insert(
                conn,
                "saved_list",
                {"name": "team-picks", "model_ids": json.dumps(SAVED_IDS), "updated_at": _at()},
            )
        if tables is None or "hub_snapshot" in tables:
            _hub(conn)
        if tables is None or "bench_run" in tables:
            _bench(conn)


def _at() -> dt.datetime:
    return dt.datetime(2025, 1, 2, 3, 4, 5)


def _meta(conn: Connection, digest: str) -> None:
    for key, value in (
        ("schema_version", "3"),
        ("data_digest", digest),
        ("built_at", OLD_BUILT_AT),
    ):
        _insert(conn, "meta", {"key": key, "value": value})


def _curated(conn: Connection, curated: Any) -> None:
    commercial = {lid: lic.term("commercial_use").value for lid, lic in curated.licenses.items()}
    for lic in curated.licenses.values():
        _insert(conn, "license", _jsonable(license_row(lic)))
    models = [Model.from_entry(e) for e in curated.models.values()]
    hub = Model.from_json(
        {
            **models[0].to_json(with_config=True),
            "id": HUB_MODEL_ID,
            "tier": "hub",
            "hub_id": "someone/tiny-finetune",
        }
    )
    for model in [*models, hub]:
        row = model_row(model, commercial_use=commercial[model.license])
        del row["shutdown_date"]  # added by migration 0004
        for later in ("hub_key", "bound_licenses") + tuple(k for k in row if k.startswith("fit_")):
            del row[later]  # added by migration 0005
        del row["listing"], row["listing_dated"]  # added by migration 0007
        _insert(conn, "model", _jsonable(row))


def _hub(conn: Connection) -> None:
    _insert(
        conn,
        "hub_snapshot",
        {
            "repo_id": "someone/tiny-finetune",
            "sha": "f" * 40,
            "quantized": False,
            "downloads": 3_000_000_000,
            "tags": json.dumps(["llama"]),
            "synced_at": _at(),
        },
    )
    _insert(
        conn,
        "hub_lineage",
        {
            "repo_id": "someone/tiny-finetune",
            "base_repo_id": "meta-llama/Llama-2-7b-hf",
            "relation": "finetune",
            "position": 0,
        },
    )
    _insert(
        conn,
        "hub_drift",
        {
            "model_id": "llama-2-7b",
            "field": "license",
            "curated": json.dumps("llama2"),
            "hub": json.dumps("other"),
            "detected_at": _at(),
        },
    )


def _bench(conn: Connection) -> None:
    from tests.bench_store.results import machine, result

    info = machine().to_json()
    _insert(
        conn,
        "bench_machine",
        {
            "fingerprint": FINGERPRINT,
            "name": "old-box",
            "info": json.dumps(info),
            "first_seen": _at(),
            "last_seen": _at(),
        },
    )
    doc = result().to_json()
    _insert(conn, "bench_run", {
        "id": "6f1c1b9e-0000-4000-8000-000000000001", "catalog_id": "llama-2-7b", "hub_id": None,
        "model": "tiny", "path": "/models/tiny", "revision": None, "machine_fingerprint": FINGERPRINT,
        "machine": json.dumps(info), "device": "cpu", "dtype": "fp32", "weights_format": "safetensors",
        "prompt_tokens": 16, "gen_tokens": 6, "repeat": 2, "warmup": 1, "threads": 1,
        "trust_remote_code": False, "allow_pickle": False, "load_s": 0.25,
        "prefill_tps_mean": 2050.0, "prefill_tps_std": 70.7, "decode_tps_mean": 105.0,
        "decode_tps_std": 7.07, "ttft_s_mean": 0.011, "ttft_s_std": 0.0014,
        "peak_memory_bytes": 2 * 10**8, "perplexity": 42.5, "result": json.dumps(doc),
        "started_at": _at(), "recorded_at": _at(),
    })  # fmt: skip


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in row.items()}


def _insert(conn: Connection, table: str, values: dict[str, Any]) -> None:
    columns = ", ".join(f'"{c}"' for c in values)
    params = ", ".join(f":{c}" for c in values)
    conn.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({params})"), values)
