"""placeholder"""

from __future__ import annotations

from tui.screens.base import ModelcatScreen


class SyncScreen(ModelcatScreen):
    """placeholder"""
