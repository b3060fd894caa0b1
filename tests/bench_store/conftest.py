"""Fixtures for benchmark storage, ``modelcat local`` and ``modelcat bench`` tests.

The store tests run on SQLite, and also on PostgreSQL when ``MODELCAT_TEST_PG_URL`` names a
server (skipped with a visible reason otherwise).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import Engine

from catalog.store.bench_tables import BENCH_MACHINE, BENCH_RUN
from catalog.testing.tiny_models import TinyModels, session_models

PG_ENV = "MODELCAT_TEST_PG_URL"


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> TinyModels:
    """The tiny model set, built once per session (needs torch and transformers)."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    return session_models(tmp_path_factory)


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Hub client offline, no connection off this machine, an empty config file."""
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
    empty = tmp_path / "empty-config.yaml"
    empty.write_text("", encoding="utf-8")
    monkeypatch.setenv("MODELCAT_CONFIG", str(empty))
    monkeypatch.delenv("MODELCAT_MACHINE_NAME", raising=False)
    real_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in (
            "127.0.0.1",
            "::1",
            "localhost",
        ):
            raise AssertionError(f"a test tried to reach the network: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    yield


@pytest.fixture
def user_config_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """``$MODELCAT_CONFIG`` unset and an empty user config folder (``XDG_CONFIG_HOME``)."""
    monkeypatch.delenv("MODELCAT_CONFIG", raising=False)
    folder = tmp_path / "xdg-config"
    folder.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    return folder


@pytest.fixture
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Hub cache folder that ``HF_HUB_CACHE`` points at for this test."""
    cache = tmp_path / "hf-cache"
    cache.mkdir()
    monkeypatch.delenv("HUGGINGFACE_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    return cache


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL with empty benchmark tables: a fresh SQLite file, or the test server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bench.db'}"
        return
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"PostgreSQL tests need {PG_ENV}=postgresql+psycopg://...")
    from catalog.bench.store import ensure_tables
    from catalog.store.engine import make_engine

    engine = make_engine(url)
    ensure_tables(engine)
    _empty(engine)
    yield url
    _empty(engine)
    engine.dispose()


def _empty(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(delete(BENCH_RUN))
        conn.execute(delete(BENCH_MACHINE))


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    """An engine on ``store_url``."""
    from catalog.store.engine import make_engine

    eng = make_engine(store_url)
    yield eng
    eng.dispose()
