"""Starting the TUI and opening its screens must not load torch, transformers or huggingface_hub
(ruff's TID253 is off under tui/, so this is the guard): they load only when a benchmark or a
sync actually runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HEAVY = ("torch", "transformers", "huggingface_hub")

PROBE = """
import asyncio
import sys

from catalog.fit.hardware import detect_hardware
from tui.app import make_app


async def main(db):
    # A fixed machine: probing a real GPU imports torch on purpose (catalog.fit.hardware).
    app = make_app(db=db, hardware=detect_hardware(memory="16GB", gpu_memory=0))
    async with app.run_test(size=(120, 40)) as pilot:
        async def settle():
            for _ in range(3):
                await app.workers.wait_for_complete()
                await pilot.pause()

        await settle()
        assert app.browse.table.total > 0
        print("START:" + ",".join(m for m in {heavy!r} if m in sys.modules))
        app.open_detail("pythia-1b")
        await settle()
        assert app.screen.data is not None
        await pilot.press("escape")
        app.shortlist.toggle("pythia-1b")
        app.shortlist.toggle("falcon-7b")
        app.action_compare()
        await settle()
        assert app.screen.rows
        await pilot.press("escape")
        for key in ("l", "escape", "a", "escape", "s", "escape"):
            await pilot.press(key)
            await settle()
        app.open_bench("pythia-1b")
        await settle()
        assert app.screen.target == "pythia-1b"
    app.catalog.close()


asyncio.run(main(sys.argv[1]))
print("HEAVY:" + ",".join(m for m in {heavy!r} if m in sys.modules))
"""


def _heavy_lines(tmp_path: Path, *, before: str = "") -> dict[str, list[str]]:
    """The heavy modules loaded once the browse table showed (``START``) and at the end
    (``HEAVY``), in a fresh interpreter; ``before`` is imported first."""
    code = PROBE.format(heavy=HEAVY).replace("import asyncio\n", f"import asyncio\n{before}", 1)
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "m.db")],
        capture_output=True,
        text=True,
        check=True,
        env={"HF_HUB_OFFLINE": "1", "HOME": str(tmp_path)},
        cwd=Path(__file__).resolve().parents[2],
    )
    found = {}
    for line in out.stdout.splitlines():
        key, _, names = line.partition(":")
        if key in ("START", "HEAVY"):
            found[key] = [m for m in names.split(",") if m]
    return found


def test_starting_the_tui_and_opening_every_screen_loads_no_heavy_module(
    tmp_path: Path,
) -> None:
    assert _heavy_lines(tmp_path) == {"START": [], "HEAVY": []}


def test_the_probe_sees_a_heavy_import(tmp_path: Path) -> None:
    # Guards the guard: if the probe were broken, the test above would pass vacuously.
    found = _heavy_lines(tmp_path, before="import huggingface_hub\n")
    assert found == {"START": ["huggingface_hub"], "HEAVY": ["huggingface_hub"]}
