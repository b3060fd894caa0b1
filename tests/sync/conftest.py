"""Fixtures of the sync tests: the fake Hub with every curated repo, and a fast client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from catalog.hub import HubClient
from catalog.testing.fake_hub import FakeHub
from catalog.testing.hub_seed import seed_curated


@pytest.fixture
def hub(fake_hub: FakeHub) -> FakeHub:
    """The fake Hub holding every curated Hub id (with a clean request log)."""
    seed_curated(fake_hub)
    fake_hub.reset_log()
    return fake_hub


@pytest.fixture
def curated(hub: FakeHub) -> dict[str, Any]:
    """Hub id -> curated entry, for every curated model with a Hub id."""
    from catalog.testing.hub_seed import curated_hub_models

    return curated_hub_models()


@pytest.fixture
def make_client(hub: FakeHub) -> Callable[..., HubClient]:
    """Clients for the fake Hub: short timeout, no backoff sleep, no token unless given."""

    def build(**options: Any) -> HubClient:
        settings: dict[str, Any] = {
            "endpoint": hub.url,
            "token": False,
            "timeout": 2.0,
            "backoff": 0.0,
            "max_retries": 2,
        }
        settings.update(options)
        return HubClient(**settings)

    return build


@pytest.fixture
def client(make_client: Callable[..., HubClient]) -> HubClient:
    """A fast client without a token."""
    return make_client()
