"""Screens of the modelcat TUI."""
