"""A real HTTP server on 127.0.0.1 that answers like an OpenAI-compatible completion server,
streaming one token per server-sent event, with injectable faults.

Faults (``FakeOpenAI.fault``): ``drop`` closes the connection after 3 tokens; ``status500``
answers 500; ``slow_first`` waits ``delay`` seconds before the first token; ``error_event``
sends an error object mid-stream. Flavours: ``usage`` adds OpenAI's final usage chunk,
``llama_server`` its ``timings`` object, ``ollama`` Ollama's nanosecond counters.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "fake-model"


@dataclass
class FakeOpenAI:
    """The server's state: settings the test changes and what it received."""

    url: str = ""
    fault: str | None = None
    flavour: str | None = None
    delay: float = 0.0
    token_delay: float = 0.001
    requests: list[dict[str, Any]] = field(default_factory=list)
    authorizations: list[str | None] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0
    max_in_flight: int = 0


def _handler(state: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def _json(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                self._json(200, {"object": "list", "data": [{"id": MODEL, "object": "model"}]})
            else:
                self._json(404, {"error": "not found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            state.authorizations.append(self.headers.get("Authorization"))
            state.requests.append(body)
            if state.fault == "status500":
                self._json(500, {"error": {"message": "model crashed\x1b[31m"}})
                return
            prompt_tokens = max(1, len(body.get("prompt", "")) // 4)
            if not body.get("stream"):
                self._json(200, {
                    "choices": [{"text": "x", "index": 0, "finish_reason": "length"}],
                    "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": 1},
                })  # fmt: skip
                return
            with state.lock:
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
            try:
                self._stream(body, prompt_tokens)
            finally:
                with state.lock:
                    state.in_flight -= 1

        def _event(self, body: Any) -> None:
            data = f"data: {body if isinstance(body, str) else json.dumps(body)}\n\n".encode()
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        def _stream(self, body: dict[str, Any], prompt_tokens: int) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            n = int(body.get("max_tokens", 16))
            if state.fault == "slow_first":
                time.sleep(state.delay)
            for i in range(n):
                if state.fault == "drop" and i == 3:
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    self.close_connection = True
                    return
                if state.fault == "error_event" and i == 2:
                    self._event({"error": {"message": "out of memory"}})
                time.sleep(state.token_delay)
                self._event({"choices": [{"text": f" t{i}", "index": 0, "finish_reason": None}]})
            final: dict[str, Any] = {
                "choices": [{"text": "", "index": 0, "finish_reason": "length"}]
            }
            if state.flavour in ("usage", "llama_server"):
                final["usage"] = {"prompt_tokens": prompt_tokens, "completion_tokens": n}
            if state.flavour == "llama_server":
                final["timings"] = {"prompt_n": prompt_tokens, "prompt_ms": 50.0,
                                    "predicted_n": n, "predicted_ms": 100.0}  # fmt: skip
            if state.flavour == "ollama":
                final.update(prompt_eval_count=prompt_tokens, prompt_eval_duration=25_000_000,
                             eval_count=n, eval_duration=200_000_000)  # fmt: skip
            self._event(final)
            self._event("[DONE]")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-stream (as the benchmark does on an error) is expected."""


@contextmanager
def fake_openai() -> Iterator[FakeOpenAI]:
    """Start the server on a free port of 127.0.0.1; ``state.url`` is its ``/v1`` base."""
    state = FakeOpenAI()
    server = _QuietServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
