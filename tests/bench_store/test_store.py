"""``catalog.bench.store``: runs and machines in a real database, written idempotently."""

from __future__ import annotations

import datetime as dt
import math
import uuid

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from catalog.bench.store import (
    best_results,
    ensure_tables,
    list_machines,
    load_results,
    name_machine,
    save_result,
)
from catalog.errors import UsageError
from catalog.store.bench_tables import BENCH_MACHINE, BENCH_RUN
from tests.bench_store.results import machine, result

DAY = dt.timedelta(days=1)
T0 = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)


def _count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_a_saved_run_reads_back_whole(engine: Engine) -> None:
    original = result(started_at=T0)

    stored = save_result(engine, original, catalog_id="llama-2-7b", machine_name="lab-1")

    uuid.UUID(stored.id)  # a real UUID
    assert stored.result == original
    assert (stored.catalog_id, stored.machine_name) == ("llama-2-7b", "lab-1")
    assert stored.recorded_at.tzinfo is not None
    [loaded] = load_results(engine)
    assert loaded == stored
    doc = loaded.to_json()
    assert doc["id"] == stored.id and doc["machine"]["hash"] == original.machine.fingerprint
    assert doc["decode_tps"] == {
        "mean": 105.0,
        "std": pytest.approx(7.0710678),
        "samples": [100.0, 110.0],
    }
    with engine.connect() as conn:
        row = conn.execute(select(BENCH_RUN)).mappings().one()
    assert row["machine_fingerprint"] == original.machine.fingerprint
    assert row["decode_tps_mean"] == 105.0 and row["prefill_tps_mean"] == 2050.0
    assert row["peak_memory_bytes"] == 2 * 10**8 and row["perplexity"] == 42.5
    assert (row["prompt_tokens"], row["gen_tokens"], row["repeat"]) == (16, 6, 2)


def test_saving_again_with_the_same_run_id_adds_nothing(engine: Engine) -> None:
    run_id = str(uuid.uuid4())
    first = save_result(engine, result(), run_id=run_id)
    again = save_result(engine, result(), run_id=run_id)

    assert again.id == first.id == run_id
    assert _count(engine, BENCH_RUN) == 1
    assert _count(engine, BENCH_MACHINE) == 1


def test_a_run_id_cannot_be_reused_for_another_result(engine: Engine) -> None:
    run_id = str(uuid.uuid4())
    save_result(engine, result(decode=(1.0, 2.0)), run_id=run_id)

    with pytest.raises(UsageError, match="already stored for another result"):
        save_result(engine, result(decode=(3.0, 4.0)), run_id=run_id)
    [kept] = load_results(engine)
    assert kept.decode_tps.samples == (1.0, 2.0)


def test_bad_run_id_and_machine_name_are_refused_before_writing(engine: Engine) -> None:
    with pytest.raises(UsageError, match="UUID"):
        save_result(engine, result(), run_id="../../etc")
    with pytest.raises(UsageError, match="machine name"):
        save_result(engine, result(), machine_name="  ")
    assert load_results(engine) == []


def test_non_finite_perplexity_is_stored_as_null(engine: Engine) -> None:
    save_result(engine, result(perplexity=math.inf))

    [run] = load_results(engine)
    assert run.to_json()["perplexity"] is None and math.isnan(run.perplexity)
    with engine.connect() as conn:
        assert conn.execute(select(BENCH_RUN.c.perplexity)).scalar_one() is None


def test_filters_by_model_key_and_machine_newest_first(engine: Engine) -> None:
    home, lab = machine(cpu="Home CPU"), machine(cpu="Lab CPU")
    a1 = save_result(engine, result(on=home, started_at=T0), catalog_id="llama-2-7b")
    a2 = save_result(engine, result(on=lab, started_at=T0 + DAY), catalog_id="llama-2-7b",
                     machine_name="lab")  # fmt: skip
    other = save_result(
        engine,
        result(model="/models/x", hub_id=None, on=home, started_at=T0 + 2 * DAY),
    )

    assert [r.id for r in load_results(engine)] == [other.id, a2.id, a1.id]
    assert [r.id for r in load_results(engine, model="llama-2-7b")] == [a2.id, a1.id]
    assert [r.id for r in load_results(engine, model="TINY-ORG/Tiny-Llama")] == [a2.id, a1.id]
    assert [r.id for r in load_results(engine, model="/models/x")] == [other.id]
    assert [r.id for r in load_results(engine, model=["nope", "/models/x"])] == [other.id]
    assert load_results(engine, model="nope") == []
    assert [r.id for r in load_results(engine, machine="LAB")] == [a2.id]
    prefix = home.fingerprint[:6]
    assert [r.id for r in load_results(engine, machine=prefix)] == [other.id, a1.id]
    assert load_results(engine, machine=home.fingerprint[:2]) == []  # too short for a prefix
    assert [r.id for r in load_results(engine, limit=1)] == [other.id]
    assert [r.machine_label for r in load_results(engine, model="llama-2-7b")] == [
        "lab",
        home.fingerprint,
    ]


def test_best_result_per_model_is_the_fastest_decode(engine: Engine) -> None:
    home, lab = machine(cpu="Home CPU"), machine(cpu="Lab CPU")
    save_result(engine, result(decode=(50.0, 60.0), on=home), catalog_id="a")
    fast = save_result(engine, result(decode=(200.0, 210.0), on=lab), catalog_id="a",
                       machine_name="lab")  # fmt: skip
    only = save_result(engine, result(decode=(10.0, 11.0), on=home), catalog_id="b")
    save_result(engine, result(decode=(999.0, 999.0)), catalog_id="not-asked")

    best = best_results(engine, model_ids=["a", "b", "c"])

    assert {k: v.id for k, v in best.items()} == {"a": fast.id, "b": only.id}
    assert best["a"].decode_tps.mean == 205.0
    home_best = best_results(engine, model_ids=["a"], machine=home.fingerprint)
    assert home_best["a"].decode_tps.mean == 55.0
    assert best_results(engine, model_ids=[]) == {}


def test_machines_are_listed_with_run_counts_and_can_be_named(engine: Engine) -> None:
    home, lab = machine(cpu="Home CPU"), machine(cpu="Lab CPU")
    save_result(engine, result(on=home))
    save_result(engine, result(on=home))
    save_result(engine, result(on=lab), machine_name="lab")

    machines = {m.fingerprint: m for m in list_machines(engine)}
    assert {fp: (m.name, m.runs) for fp, m in machines.items()} == {
        home.fingerprint: (None, 2),
        lab.fingerprint: ("lab", 1),
    }
    assert machines[home.fingerprint].info == home

    renamed = name_machine(engine, machine=home.fingerprint[:5], name="home")
    assert (renamed.fingerprint, renamed.name) == (home.fingerprint, "home")
    assert {r.machine_name for r in load_results(engine, machine="home")} == {"home"}
    # A later run that names the machine again replaces the name; one without keeps it.
    save_result(engine, result(on=lab), machine_name="lab-2")
    save_result(engine, result(on=lab))
    assert {m.fingerprint: m.name for m in list_machines(engine)}[lab.fingerprint] == "lab-2"


def test_naming_an_unknown_or_ambiguous_machine_is_refused(engine: Engine) -> None:
    save_result(engine, result(on=machine(cpu="A")), machine_name="same")
    save_result(engine, result(on=machine(cpu="B")), machine_name="same")

    with pytest.raises(UsageError, match="no recorded machine"):
        name_machine(engine, machine="ffffffffff", name="x")
    with pytest.raises(UsageError, match="several machines"):
        name_machine(engine, machine="same", name="x")


def test_an_older_store_without_the_tables_reads_empty_and_gets_them_on_first_save(
    tmp_path: object,
) -> None:
    from catalog.store.engine import make_engine

    engine = make_engine(f"sqlite:///{tmp_path}/old.db")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE model (id TEXT PRIMARY KEY)"))
    assert load_results(engine) == [] and list_machines(engine) == []
    assert best_results(engine, model_ids=["x"]) == {}

    save_result(engine, result())

    assert len(load_results(engine)) == 1
    ensure_tables(engine)  # already there: nothing happens
    engine.dispose()


def test_the_catalog_store_has_the_tables_and_a_catalog_is_a_source(cat: object) -> None:
    stored = save_result(cat, result(), catalog_id="llama-2-7b")  # type: ignore[arg-type]

    assert load_results(cat, model="llama-2-7b") == [stored]  # type: ignore[arg-type]
