"""placeholder"""

from __future__ import annotations

from tui.screens.base import ModelcatScreen


class CompareScreen(ModelcatScreen):
    """placeholder"""

    def __init__(self, ids: list[str]) -> None:
        super().__init__()
        self.ids = ids
