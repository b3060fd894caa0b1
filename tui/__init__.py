"""modelcat terminal UI."""
