"""placeholder"""

from __future__ import annotations

from tui.screens.base import ModelcatScreen


class BenchScreen(ModelcatScreen):
    """placeholder"""

    target: str | None = None
