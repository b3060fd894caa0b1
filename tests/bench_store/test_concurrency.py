"""Two processes writing benchmark results to one store at once: nothing lost, nothing doubled."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from catalog.bench.store import ensure_tables, list_machines, load_results
from catalog.store.bench_tables import BENCH_RUN

RUNS_EACH = 25
SHARED = 5


def test_two_processes_saving_at_once_both_land_once(
    engine: Engine, store_url: str, tmp_path: Path
) -> None:
    ensure_tables(engine)
    shared = [str(uuid.uuid4()) for _ in range(SHARED)]
    start = tmp_path / "start"
    root = Path(__file__).resolve().parents[2]
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.bench_store.concurrent_writer",
                store_url,
                name,
                str(RUNS_EACH),
                ",".join(shared),
                str(start),
            ],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for name in ("alpha", "beta")
    ]
    while not all((tmp_path / f"ready-{n}").exists() for n in ("alpha", "beta")):
        assert all(w.poll() is None for w in writers), [w.communicate() for w in writers]
        time.sleep(0.01)
    start.touch()  # both are connected and waiting: release them together
    outcomes = [w.communicate(timeout=300) for w in writers]

    assert [w.returncode for w in writers] == [0, 0], outcomes
    runs = load_results(engine)
    models = [r.model for r in runs]
    assert len(runs) == 2 * RUNS_EACH + SHARED
    assert sorted(m for m in models if m != "shared") == sorted(
        f"{name}/m{i}" for name in ("alpha", "beta") for i in range(RUNS_EACH)
    )
    assert sorted(r.id for r in runs if r.model == "shared") == sorted(shared)
    with engine.connect() as conn:
        distinct = conn.execute(select(func.count(func.distinct(BENCH_RUN.c.id)))).scalar_one()
    assert distinct == len(runs)
    [machine] = list_machines(engine)  # one machine row, however many writers met on it
    assert machine.runs == len(runs) and machine.name in {"alpha", "beta"}
