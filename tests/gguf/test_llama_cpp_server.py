"""The openai backend against a real ``llama_cpp.server`` on 127.0.0.1, started by the test."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog.cli.main import app

pytest.importorskip("llama_cpp.server.app")
pytestmark = pytest.mark.gguf

START_TIMEOUT_S = 120


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def llama_server(gguf_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``python -m llama_cpp.server`` serving the tiny Q8_0 model; yields its ``/v1`` URL."""
    import httpx

    model = gguf_dir / "tiny-llama-Q8_0.gguf"
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model),
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "512",
             "--n_threads", "1", "--verbose", "false",
             # Concurrent streams queue instead of cutting each other short.
             "--interrupt_requests", "false"],
            stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"llama_cpp.server exited: {log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama_cpp.server did not answer within two minutes")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_benchmarks_a_real_llama_cpp_server(llama_server: str, gguf_dir: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(
        app,
        ["bench", "--endpoint", llama_server, "--concurrency", "2",
         "-p", "32", "-n", "8", "-r", "2", "--format", "json"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    document = json.loads(out.output)
    assert document["backend"] == "openai"
    # llama_cpp.server names its model by the file's path: the quantization is read from it.
    assert Path(document["server"]["server_model"]) == gguf_dir / "tiny-llama-Q8_0.gguf"
    assert document["quantization"] == "Q8_0"
    assert document["server"]["concurrency"] == 2
    assert len(document["server"]["latency_s"]["samples"]) == 4
    assert document["decode_tps"]["mean"] > 0 and document["ttft_s"]["mean"] > 0
    assert document["id"]
