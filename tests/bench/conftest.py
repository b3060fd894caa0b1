"""Fixtures for the local-scan and benchmark tests: tiny real models, and no network at all."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalog.testing.tiny_models import TinyModels, session_models


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> TinyModels:
    """The tiny model set, built once per session (needs torch and transformers)."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    return session_models(tmp_path_factory)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Offline mode for the Hub client, and any connection off this machine fails loudly."""
    try:
        # Imported before the variable is set: huggingface_hub reads HF_HUB_OFFLINE once, at
        # import, and a first import here would leave it offline for every later test.
        import huggingface_hub.constants as hub_constants
    except ImportError:
        pass
    else:
        monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    real_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in (
            "127.0.0.1",
            "::1",
            "localhost",
        ):
            raise AssertionError(f"a bench test tried to reach the network: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    yield


@pytest.fixture
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Hub cache folder that ``HF_HUB_CACHE`` points at for this test."""
    cache = tmp_path / "hf-cache"
    cache.mkdir()
    monkeypatch.delenv("HUGGINGFACE_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    return cache
