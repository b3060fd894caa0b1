"""A writer process for the concurrency test: waits for a start signal, then saves runs.

Usage: python -m tests.bench_store.concurrent_writer URL NAME COUNT SHARED_IDS START_FILE

Saves COUNT runs of its own (fresh run ids) and one run for each of the comma-separated
SHARED_IDS (the other writer saves the same ids: a retried insert from another process),
all on the same machine as the other writer, so the machine row is contended too.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

from catalog.bench.store import save_result
from catalog.store.engine import make_engine
from tests.bench_store.results import result


def main(url: str, name: str, count: int, shared: list[str], start_file: Path) -> None:
    engine = make_engine(url)
    (start_file.parent / f"ready-{name}").touch()
    while not start_file.exists():
        time.sleep(0.01)
    base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    for i in range(count):
        started = base + dt.timedelta(seconds=i)
        save_result(engine, result(model=f"{name}/m{i}", started_at=started), machine_name=name)
        if i < len(shared):
            save_result(engine, result(model="shared", started_at=base), run_id=shared[i])
    engine.dispose()


if __name__ == "__main__":
    url, name, count, shared, start = sys.argv[1:6]
    main(url, name, int(count), [s for s in shared.split(",") if s], Path(start))
