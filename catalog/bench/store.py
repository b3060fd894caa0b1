"""Benchmark results in the store: save a run, list past runs, best run per model, machines.

Every write is one transaction and is idempotent (``catalog.store.bench_store``): a run
carries a UUID chosen before the insert, so concurrent writers from several processes or
machines never lose a row, and a retried write (after a lock timeout) never adds a second one.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from catalog.bench.records import MachineRecord, StoredRun, machine_record, run_row, stored_run
from catalog.bench.result import BenchResult
from catalog.errors import StorageError, UsageError
from catalog.store import bench_store
from catalog.store.bench_store import MIN_FINGERPRINT_PREFIX

WRITE_ATTEMPTS = 4
"""A write that meets a lock timeout is tried again; the run id makes that safe."""

MAX_MACHINE_NAME = 200


class HasEngine(Protocol):
    """Anything with an ``engine`` (``catalog.api.Catalog``)."""

    @property
    def engine(self) -> Engine: ...


Source = Engine | HasEngine


def save_result(
    source: Source,
    result: BenchResult,
    *,
    catalog_id: str | None = None,
    machine_name: str | None = None,
    run_id: str | None = None,
) -> StoredRun:
    """Store a complete run and its machine in one transaction.

    Args:
        source: a ``Catalog`` or an engine.
        result: the run (a cancelled run has no result, so nothing partial can be stored).
        catalog_id: the catalog entry the run measured, when known.
        machine_name: a name for this machine; replaces an earlier name of the same fingerprint.
        run_id: the run's UUID; a new one when omitted. Saving again with the same id and the
            same result returns the stored run without writing anything.

    Raises:
        UsageError: ``run_id`` is not a UUID, or already names a different result;
            ``machine_name`` is empty or too long.
        StorageError: the database cannot be written.
    """
    engine = engine_of(source)
    key = _valid_run_id(run_id) if run_id is not None else str(uuid.uuid4())
    name = valid_machine_name(machine_name) if machine_name is not None else None
    ensure_tables(engine)
    now = dt.datetime.now(dt.UTC)
    row = run_row(result, run_id=key, catalog_id=catalog_id, recorded_at=now)
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            with engine.begin() as conn:
                if not bench_store.write_run(conn, row, machine_name=name, at=now):
                    if bench_store.stored_document(conn, key) != row["result"]:
                        raise UsageError(f"run id {key} is already stored for another result")
            break
        except OperationalError as exc:
            if attempt == WRITE_ATTEMPTS or not _is_transient(exc):
                raise StorageError(f"cannot store the benchmark result: {exc.orig}") from exc
            time.sleep(0.2 * attempt)
        except DBAPIError as exc:
            raise StorageError(f"cannot store the benchmark result: {exc.orig}") from exc
    [run] = load_results(engine, run_id=key)
    return run


def benchmark_and_store(
    source: Source,
    *,
    catalog_id: str | None = None,
    machine_name: str | None = None,
    cancel: threading.Event | None = None,
    **options: Any,
) -> StoredRun:
    """Run ``run_benchmark(cancel=cancel, **options)`` and store the complete result.

    A run that is cancelled, fails, or is cancelled after its last step stores nothing.

    Raises:
        BenchmarkCancelled: ``cancel`` was set (also when it was set after the last step).
        UsageError, UnsafeModelError, BenchmarkError: as ``run_benchmark``.
    """
    from catalog.bench.progress import BenchmarkCancelled
    from catalog.bench.runner import run_benchmark

    name = valid_machine_name(machine_name) if machine_name is not None else None
    result = run_benchmark(cancel=cancel, **options)
    if cancel is not None and cancel.is_set():
        raise BenchmarkCancelled()
    return save_result(source, result, catalog_id=catalog_id, machine_name=name)


def load_results(
    source: Source,
    *,
    model: str | Sequence[str] | None = None,
    machine: str | None = None,
    limit: int | None = None,
    run_id: str | None = None,
) -> list[StoredRun]:
    """Stored runs, newest first.

    Args:
        source: a ``Catalog`` or an engine.
        model: keep runs of this model: a catalog id, a Hub id (case-insensitive), the
            model label of the result or its absolute folder path; several keys match any.
        machine: keep runs of this machine: its name (case-insensitive) or fingerprint
            (or a prefix of at least 4 hex digits).
        limit: at most this many runs.
        run_id: only the run with this id.
    """
    records = bench_store.load_runs(
        engine_of(source),
        model_keys=[model] if isinstance(model, str) else model,
        machine=machine,
        limit=limit,
        run_id=run_id,
    )
    return [stored_run(record) for record in records]


def best_results(
    source: Source, *, model_ids: Iterable[str], machine: str | None = None
) -> dict[str, StoredRun]:
    """The fastest stored run (highest mean decode tokens/s) of each catalog model that has one.

    Args:
        source: a ``Catalog`` or an engine.
        model_ids: catalog ids (a page of the browse table).
        machine: only runs of this machine (name or fingerprint), as in ``load_results``.

    Returns:
        catalog id -> its best run; models without a run are left out.
    """
    engine = engine_of(source)
    best = bench_store.best_run_ids(engine, catalog_ids=list(model_ids), machine=machine)
    runs = {cid: load_results(engine, run_id=rid) for cid, rid in best.items()}
    return {cid: found[0] for cid, found in runs.items() if found}


def list_machines(source: Source) -> list[MachineRecord]:
    """Every machine with stored results, most recently seen first."""
    return [machine_record(m) for m in bench_store.load_machines(engine_of(source))]


def name_machine(source: Source, *, machine: str, name: str) -> MachineRecord:
    """Give a recorded machine a name (``--history --machine NAME`` then finds its runs).

    Args:
        source: a ``Catalog`` or an engine.
        machine: its fingerprint, a prefix of at least 4 hex digits, or its current name.
        name: the new name.

    Raises:
        UsageError: no machine or several machines match, or the name is empty or too long.
    """
    engine = engine_of(source)
    new_name = valid_machine_name(name)
    matches = [
        m
        for m in list_machines(engine)
        if m.fingerprint.startswith(machine.lower())
        and len(machine) >= MIN_FINGERPRINT_PREFIX
        or (m.name or "").casefold() == machine.casefold()
    ]
    if not matches:
        raise UsageError(
            f"no recorded machine matches {machine!r} (see `modelcat bench --machines`)"
        )
    if len({m.fingerprint for m in matches}) > 1:
        found = ", ".join(m.fingerprint for m in matches)
        raise UsageError(f"{machine!r} matches several machines ({found}); give a fingerprint")
    fingerprint = matches[0].fingerprint
    bench_store.rename_machine(engine, fingerprint=fingerprint, name=new_name)
    return next(m for m in list_machines(engine) if m.fingerprint == fingerprint)


def valid_machine_name(name: str) -> str:
    """``name`` stripped, if it is a usable machine name.

    Raises:
        UsageError: empty, too long or containing control characters.
    """
    text = name.strip()
    if not text or len(text) > MAX_MACHINE_NAME or not text.isprintable():
        raise UsageError(
            f"a machine name must be 1-{MAX_MACHINE_NAME} printable characters, not {name!r}"
        )
    return text


def engine_of(source: Source) -> Engine:
    """The engine of a ``Catalog`` (or the engine itself)."""
    return source if isinstance(source, Engine) else source.engine


def ensure_tables(engine: Engine) -> None:
    """Create the benchmark tables in a store made before they existed.

    Raises:
        StorageError: they are missing and cannot be created.
    """
    try:
        bench_store.ensure_tables(engine)
    except bench_store.TablesMissing as exc:
        raise StorageError(f"cannot create the benchmark tables: {exc}") from exc


def _valid_run_id(run_id: str) -> str:
    try:
        return str(uuid.UUID(run_id))
    except ValueError as exc:
        raise UsageError(f"a run id must be a UUID, not {run_id!r}") from exc


def _is_transient(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text
