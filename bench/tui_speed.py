"""How fast the TUI is on stores of 10,000 to 1,000,000 models, driven headless (``App.run_test``).

For each store size (``--models``, repeatable; 100,000 if none), prints medians of
- time to first paint of the browse screen: from building the app (opening the catalog) until
  the first frame that shows the table's first page of rows (target <= 1 s);
- time for one keystroke in the search box to update the table: from the key event until the
  first frame that shows the result for the new text (first page, status line)
  (target <= 60 ms at 100,000 models). Every keystroke waits for its own frame, so coalescing
  of queued queries cannot hide any work. A full first page says "100+ models": the screen
  counts the matches once typing pauses (``tui.browse_query.COUNT_DELAY``), which keystrokes
  typed without a pause never wait for;
- the baseline, measured right after each keystroke: one bare ``SELECT`` (sqlite3, no
  SQLAlchemy) of the same page (100 rows, best score first) with the same filters (the search
  text as ``LIKE '%text%'``, retired models left out) on the same file;
- the load average of the machine before and after (2 cores: 2.0 is fully busy).

``--stores DIR`` keeps the stores there (``scale-N.db``) and reuses them (``bench/catalog_scale.py``
shares them).

Usage: python bench/tui_speed.py [--models 100000 ...] [--repeat 5] [--stores DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import math
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from catalog_scale import ingest, load, sqlite_store  # noqa: E402
from textual import events  # noqa: E402, TID251
from textual._compositor import CompositorUpdate  # noqa: E402, TID251

from catalog.api import Catalog  # noqa: E402
from tui.app import make_app  # noqa: E402
from tui.screens.browse import PAGE_SIZE, BrowseScreen  # noqa: E402

SIZE = (120, 40)
QUERIES = ("qwen", "instruct", "llama-3", "mistral-7b")


class FrameClock:
    """Times the first frame the app produces after the table showed a given search's result.

    ``App.run_test`` is headless, so Textual skips turning a frame into terminal output; the
    clock does that step itself (``render_segments``) so its cost is measured too. Pilot's
    ``press`` is not used: it waits until the whole process is idle, which is not what a user
    waits for.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.want: str | None = None
        self.shown = False
        self.painted = asyncio.Event()
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is not None and self.shown and not self.painted.is_set():
                if isinstance(renderable, CompositorUpdate):
                    renderable.render_segments(app.console)
                self.painted.set()

        app._display = display

    def hook(self, message: Any) -> None:
        if isinstance(message, BrowseScreen.ResultsShown):
            if self.want is None or message.state.search == self.want:
                self.shown = True

    def arm(self, want: str | None) -> None:
        self.want, self.shown = want, False
        self.painted.clear()

    async def wait(self) -> None:
        await asyncio.wait_for(self.painted.wait(), timeout=30)


async def first_paint(url: str) -> float:
    start = time.perf_counter()
    app = make_app(db=url)
    clock = FrameClock(app)
    clock.arm(None)
    async with app.run_test(size=SIZE, message_hook=clock.hook):
        await clock.wait()
        elapsed = time.perf_counter() - start
        assert app.browse.table.total > 0
    app.catalog.close()
    return elapsed


async def keystrokes(
    url: str, baseline: Callable[[str], float]
) -> tuple[list[float], list[float], int]:
    """Type and erase each of ``QUERIES``: the time of every keystroke, and of ``baseline`` for
    the text it typed, right after it."""
    app = make_app(db=url)
    clock = FrameClock(app)
    clock.arm(None)
    samples: list[float] = []
    bare: list[float] = []

    async def key(name: str, char: str | None, want: str) -> None:
        driver = app._driver
        assert driver is not None
        clock.arm(want)
        start = time.perf_counter()
        driver.send_message(events.Key(name, char))
        await clock.wait()
        samples.append(time.perf_counter() - start)
        bare.append(baseline(want))

    async with app.run_test(size=SIZE, message_hook=clock.hook) as pilot:
        await clock.wait()
        await _quiet(app)
        await pilot.press("slash")
        for query in QUERIES:
            for i, char in enumerate(query):
                await key(_key_name(char), char, query[: i + 1])
            for i in range(len(query), 0, -1):
                await key("backspace", None, query[: i - 1])
        total = await _counted(app)
    app.catalog.close()
    return samples, bare, total


async def _counted(app: Any) -> int:
    """Wait for the count that follows the pause after the last keystroke; returns it."""
    for _ in range(1200):
        result = app.browse.result
        if result is not None and not result.at_least:
            return int(result.total)
        await asyncio.sleep(0.05)
    raise TimeoutError("the browse screen never counted its matches")


async def _quiet(app: Any) -> None:
    """Wait until the app's workers are done (the hardware probe, the first exact count), so
    typing starts on a quiet app; a worker cancelled by a newer one is done too."""
    from textual.worker import WorkerCancelled

    while True:
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            continue
        return


def bare_select(path: Path) -> Callable[[str], float]:
    """The baseline: one page of the browse screen's default answer for a search text, as one
    hand-written query through ``sqlite3``; returns its wall time in seconds."""
    conn = sqlite3.connect(path)
    today = dt.date.today().isoformat()

    def run(needle: str) -> float:
        sql = "SELECT data FROM model WHERE (shutdown_date IS NULL OR shutdown_date > ?)"
        values: list[object] = [today]
        if needle:
            sql += " AND search_text LIKE ? ESCAPE '\\'"
            escaped = needle.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            values.append(f"%{escaped}%")
        sql += f" ORDER BY score DESC, id DESC LIMIT {PAGE_SIZE}"
        start = time.perf_counter()
        conn.execute(sql, values).fetchall()
        return time.perf_counter() - start

    return run


def _key_name(char: str) -> str:
    return {"-": "minus", " ": "space"}.get(char, char)


def _ms(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p90 = ms[math.ceil(0.9 * len(ms)) - 1]
    return f"median {statistics.median(ms):.1f} ms (p90 {p90:.1f}, max {ms[-1]:.1f}, n={len(ms)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models", type=int, action="append", help="store size (repeatable; 100000 if none)"
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--stores", type=Path, help="keep the stores here and reuse them (scale-N.db)"
    )
    args = parser.parse_args()
    summary: list[str] = []
    for n in args.models or [100_000]:
        url, built, scratch = sqlite_store(n, args.stores)
        try:
            summary.append(_measure(url, n, built, args))
        finally:
            if scratch is not None:  # ~260 MB at 100,000 models
                shutil.rmtree(scratch, ignore_errors=True)
    print(
        "\n| models | keystroke median (ms) | bare SELECT median (ms) | first paint median (ms) | load |"
    )
    print("|---|---|---|---|---|")
    print("\n".join(summary))


def _measure(url: str, n: int, built: bool, args: argparse.Namespace) -> str:
    with Catalog.open(url) as cat:
        seconds = None if built else ingest(cat, n)
        total = cat.info().models
    how = (
        "kept by an earlier run"
        if seconds is None
        else f"stored as a discovery sync stores them, in {seconds:.1f} s"
    )
    print(f"\nstore: {total:,} models ({n:,} synthetic Hub repos, {how})")
    before = load()
    paints = [asyncio.run(first_paint(url)) for _ in range(args.repeat)]
    print(f"first paint of the browse screen: {_ms(paints)}; target <= 1000")
    samples, bare, shown = asyncio.run(
        keystrokes(url, bare_select(Path(url.removeprefix("sqlite:///"))))
    )
    after = load()
    print(
        f"search keystroke -> table updated: {_ms(samples)}; target <= 60; back to all {shown:,} models at the end"
    )
    print(f"baseline, bare SELECT of the same page after each keystroke: {_ms(bare)}")
    print(f"load average (1/5/15 min): {before} -> {after}")
    median = statistics.median
    return (
        f"| {total:,} | {median(samples) * 1000:.1f} | {median(bare) * 1000:.1f} "
        f"| {median(paints) * 1000:.0f} | {before} -> {after} |"
    )


if __name__ == "__main__":
    main()
