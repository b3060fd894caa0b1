"""No connection to the endpoint at all is one HubUnreachableError at once, never retried: it is
not about the model asked for, so a caller can stop instead of asking about the next one."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from catalog.errors import HubError, HubUnreachableError
from catalog.hub import HubClient


@pytest.fixture
def closed_port() -> Iterator[str]:
    """An endpoint on 127.0.0.1 where nothing listens (the port was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    yield f"http://127.0.0.1:{port}"


def test_a_refused_connection_is_unreachable_at_once(closed_port: str) -> None:
    hub = HubClient(endpoint=closed_port, token=False, timeout=2.0, max_retries=4, backoff=1.0)
    started = time.monotonic()
    with pytest.raises(HubUnreachableError) as caught:
        hub.model_info("meta-llama/Llama-2-7b-hf")
    assert time.monotonic() - started < 1.0  # no back-off: four retries would take 15 s
    assert caught.value.endpoint == closed_port
    assert str(caught.value).startswith(
        f"cannot reach the Hub at {closed_port}: connection refused."
    )
    assert "HF_HUB_OFFLINE=1" in str(caught.value)
    assert isinstance(caught.value, HubError)  # exit 1, as every Hub failure


def test_a_name_that_does_not_resolve_is_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(*_args: object, **_kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    # The resolver, not the Hub client, is replaced: the client's own handling is what is tested.
    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    hub = HubClient(endpoint="http://hub.example.invalid", token=False, timeout=2.0)
    with pytest.raises(HubUnreachableError, match=r"hub\.example\.invalid: .*DNS"):
        hub.model_info("meta-llama/Llama-2-7b-hf")
