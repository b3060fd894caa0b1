"""Shared fixtures: an isolated environment per test and a guard against real network use."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# huggingface_hub reads HF_HOME and its telemetry switch once, at import: point them at a
# throwaway folder before anything imports it, so no test can write to the real home.
_HF_IMPORT_HOME = tempfile.mkdtemp(prefix="modelcat-hf-home-")
atexit.register(shutil.rmtree, _HF_IMPORT_HOME, ignore_errors=True)
os.environ["HF_HOME"] = _HF_IMPORT_HOME
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HUB_DISABLE_XET"] = "1"

import pytest  # noqa: E402

from catalog.api import Catalog  # noqa: E402
from catalog.testing.fake_hub import FakeHub, running_fake_hub  # noqa: E402
from tests.fixtures.postgres import pg_url  # noqa: E402, F401  (a fresh PostgreSQL database)

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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The test's store URL, once per backend, and ``MODELCAT_DB`` pointing at it.

    ``sqlite``: the test's own file; ``postgresql``: a fresh database on the test server
    (skipped with a visible reason when ``MODELCAT_TEST_PG_URL`` is unset). Take it in a test,
    or ``pytestmark = pytest.mark.usefixtures("db_url")`` to run a whole module on both.
    """
    from catalog.paths import to_db_url

    if request.param == "sqlite":
        url = to_db_url(os.environ["MODELCAT_DB"])
    else:
        url = str(request.getfixturevalue("pg_url"))
    monkeypatch.setenv("MODELCAT_DB", url)
    return url


@pytest.fixture
def fake_hub(tmp_path: Path) -> Iterator[FakeHub]:
    """A running fake Hub (catalog.testing.fake_hub) seeded with the reference models;
    ``HF_HOME`` is a fresh tmp dir."""
    with running_fake_hub(tmp_path / "hf-home") as hub:
        yield hub
