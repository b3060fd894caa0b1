"""Widgets of the modelcat TUI."""
