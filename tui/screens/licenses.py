"""placeholder"""

from __future__ import annotations

from tui.screens.base import ModelcatScreen


class LicensesScreen(ModelcatScreen):
    """placeholder"""
