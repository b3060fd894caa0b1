"""The first rebuild of a store from a big curated overlay: wall time, CPU time, peak memory.

Writes an overlay of ``--entries`` models (194,000 by default, about 50 MB), then builds a
fresh SQLite store from it ``--repeat`` times, each in its own ``modelcat db info`` process
(the first open of a store builds it), and prints each run and the medians against the
targets: under 60 s and under 2 GB. The machine's load average is printed too: on a shared
machine the wall time follows the load, the CPU time does not.

Usage: python bench/big_overlay.py [--entries 194000] [--repeat 3] [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from catalog.testing.big_overlay import write_overlay
from catalog.testing.guard import run_guarded

TARGET_SECONDS = 60.0
TARGET_MB = 2048.0
NO_CAP = 64 * 1024**3
"""The child's address space is not capped here: the point is to measure it."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=194_000, help="models in the overlay")
    parser.add_argument("--repeat", type=int, default=3, help="rebuilds, each on a new store")
    parser.add_argument("--keep", action="store_true", help="keep the overlay and the stores")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="modelcat-big-overlay-"))
    try:
        started = time.perf_counter()
        overlay = write_overlay(scratch / "overlay", args.entries)
        size_mb = (overlay / "models.yaml").stat().st_size / 1e6
        print(
            f"overlay: {args.entries:,} entries, {size_mb:.1f} MB "
            f"(written in {time.perf_counter() - started:.1f} s)"
        )
        walls, cpus, peaks = [], [], []
        for run_number in range(1, args.repeat + 1):
            store = scratch / f"store-{run_number}.db"
            load = os.getloadavg()[0]
            run = run_guarded(
                ["--db", str(store), "--data", str(overlay), "db", "info"],
                timeout=3600,
                address_space=NO_CAP,
            )
            if run.code != 0:
                sys.exit(f"run {run_number} failed (exit {run.code}): {run.stderr.strip()}")
            walls.append(run.seconds)
            cpus.append(run.cpu_seconds)
            peaks.append(run.peak_mb)
            print(
                f"run {run_number}: {run.seconds:.1f} s wall, {run.cpu_seconds:.1f} s CPU, "
                f"peak {run.peak_mb:.0f} MB (load average {load:.1f} on {os.cpu_count()} CPUs)"
            )
        wall, cpu, peak = (statistics.median(v) for v in (walls, cpus, peaks))
        print(
            f"median: {wall:.1f} s wall ({wall / TARGET_SECONDS:.2f} of the 60 s target), "
            f"{cpu:.1f} s CPU ({cpu / TARGET_SECONDS:.2f}), "
            f"peak {peak:.0f} MB ({peak / TARGET_MB:.2f} of the 2 GB target); "
            f"{args.entries / cpu:,.0f} entries per CPU second"
        )
    finally:
        if args.keep:
            print(f"kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
