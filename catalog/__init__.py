"""modelcat catalog."""
