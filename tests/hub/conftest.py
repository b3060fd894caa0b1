"""The Hub tests use the ``fake_hub`` fixture from tests/conftest.py."""
