"""A benchmark writer on its own "machine", released by a start file (for race tests).

Usage: python -m tests.store.bench_writer START_FILE READY_FILE URL NAME RUNS

Saves RUNS runs of its own on the machine NAME, and after each one run ``i`` of a shared set
(fixed run ids that every writer saves: a retried write from another process).
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

SHARED_RUN = "00000000-0000-4000-8000-{:012d}"


def main(start: Path, ready: Path, url: str, name: str, runs: int) -> None:
    from catalog.bench.store import save_result
    from catalog.store.engine import make_engine
    from tests.bench_store.results import machine, result

    engine = make_engine(url)
    ready.touch()
    while not start.exists():
        time.sleep(0.005)
    base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    shared = result(model="shared", on=machine(cpu="shared-box"), started_at=base)
    for i in range(runs):
        at = base + dt.timedelta(seconds=i)
        save_result(engine, result(model=f"{name}/m{i}", on=machine(cpu=name), started_at=at),
                    machine_name=name)  # fmt: skip
        save_result(engine, shared, run_id=SHARED_RUN.format(i))
    engine.dispose()


if __name__ == "__main__":
    start, ready, url, name, runs = sys.argv[1:6]
    main(Path(start), Path(ready), url, name, int(runs))
