"""placeholder"""

from __future__ import annotations

from tui.screens.base import ModelcatScreen


class DetailScreen(ModelcatScreen):
    """placeholder"""

    def __init__(self, model_id: str) -> None:
        super().__init__()
        self.model_id = model_id
