"""Shared fixtures: an isolated environment per test and a guard against real network use."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalog.api import Catalog

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: Any) -> Any:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and self.family in (socket.AF_INET, socket.AF_INET6):
        if host not in ("127.0.0.1", "::1", "localhost") and not host.startswith("127."):
            raise RuntimeError(f"test tried to reach {host!r}: tests never use the real network")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test gets its own database, HF home and no user overlay."""
    monkeypatch.setenv("MODELCAT_DB", str(tmp_path / "modelcat.db"))
    monkeypatch.delenv("MODELCAT_DATA", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)
    yield


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """The test's SQLite file (the one MODELCAT_DB points at)."""
    return Path(os.environ["MODELCAT_DB"])


@pytest.fixture
def cat(db_path: Path) -> Iterator[Catalog]:
    """A catalog built from the shipped data in a fresh SQLite file."""
    catalog = Catalog.open(db_path)
    yield catalog
    catalog.close()
