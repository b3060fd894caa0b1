"""Modal dialogs of the modelcat TUI."""
