"""modelcat CLI."""
