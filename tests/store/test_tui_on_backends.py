"""The terminal UI over each backend: the ranked page, and marks stored in the shared store."""

from __future__ import annotations

from pathlib import Path

from catalog.api import SHORTLIST_SORT, Catalog, make_filters
from catalog.fit.hardware import detect_hardware
from tests.tui.helpers import settle, shown_ids
from tui.app import make_app
from tui.state import SHORTLIST_NAME

SIZE = (120, 40)


async def test_browse_and_marks_on_each_backend(db_url: str, tmp_path: Path) -> None:
    cat = Catalog.open(db_url)
    try:
        ranked = [m.id for m in cat.query(make_filters(), sort=SHORTLIST_SORT)]
        app = make_app(
            catalog=cat,
            hardware=detect_hardware(memory="16GB", gpu_memory=0),
            export_dir=tmp_path / "exports",
        )
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert shown_ids(app)[:10] == ranked[:10]
            await pilot.press("space", "space")
            await settle(pilot)
    finally:
        cat.close()
    with Catalog.open(db_url) as again:  # another process would see the same
        assert again.saved_list(SHORTLIST_NAME) == ranked[:2]
