"""How fast the TUI is on a store of 100,000 models, driven headless (``App.run_test``).

Prints medians of
- time to first paint of the browse screen: from building the app (opening the catalog) until
  the first frame that shows the table's first page of rows (target <= 1 s);
- time for one keystroke in the search box to update the table: from the key event until the
  first frame that shows the result for the new text (count, first page, status line)
  (target <= 100 ms). Every keystroke waits for its own frame, so coalescing of queued queries
  cannot hide any work.

Usage: python bench/tui_speed.py [--models 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from catalog_scale import ingest  # noqa: E402
from textual import events  # noqa: E402, TID251
from textual._compositor import CompositorUpdate  # noqa: E402, TID251

from catalog.api import Catalog  # noqa: E402
from tui.app import make_app  # noqa: E402
from tui.screens.browse import BrowseScreen  # noqa: E402

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


async def keystrokes(url: str) -> tuple[list[float], int]:
    app = make_app(db=url)
    clock = FrameClock(app)
    clock.arm(None)
    samples: list[float] = []

    async def key(name: str, char: str | None, want: str) -> None:
        driver = app._driver
        assert driver is not None
        clock.arm(want)
        start = time.perf_counter()
        driver.send_message(events.Key(name, char))
        await clock.wait()
        samples.append(time.perf_counter() - start)

    async with app.run_test(size=SIZE, message_hook=clock.hook) as pilot:
        await clock.wait()
        await app.workers.wait_for_complete()  # the hardware probe, so typing starts on a quiet app
        await pilot.press("slash")
        for query in QUERIES:
            for i, char in enumerate(query):
                await key(_key_name(char), char, query[: i + 1])
            for i in range(len(query), 0, -1):
                await key("backspace", None, query[: i - 1])
        total = app.browse.table.total
    app.catalog.close()
    return samples, total


def _key_name(char: str) -> str:
    return {"-": "minus", " ": "space"}.get(char, char)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    # The 100,000-model store is ~200 MB: removed when the run ends.
    with tempfile.TemporaryDirectory(prefix="modelcat-tui-bench-") as scratch:
        _measure(str(Path(scratch) / "scale.db"), args)


def _measure(url: str, args: argparse.Namespace) -> None:
    with Catalog.open(url) as cat:
        seconds = ingest(cat, args.models)
        total = cat.info().models
    print(
        f"store: {total:,} models ({args.models:,} synthetic Hub repos stored as a discovery "
        f"sync stores them, in {seconds:.1f} s)"
    )

    paints = [asyncio.run(first_paint(url)) for _ in range(args.repeat)]
    print(
        f"first paint of the browse screen: median {statistics.median(paints) * 1000:.0f} ms "
        f"(min {min(paints) * 1000:.0f}, max {max(paints) * 1000:.0f}, n={len(paints)}; target <= 1000)"
    )
    samples, shown = asyncio.run(keystrokes(url))
    ms = sorted(s * 1000 for s in samples)
    p90 = ms[int(0.9 * (len(ms) - 1))]
    print(
        f"search keystroke -> table updated: median {statistics.median(ms):.1f} ms "
        f"(p90 {p90:.1f}, max {ms[-1]:.1f}, n={len(ms)}; target <= 100); "
        f"back to all {shown:,} models at the end"
    )


if __name__ == "__main__":
    main()
