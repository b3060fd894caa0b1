"""The OpenAI-compatible client against a real HTTP server on 127.0.0.1 (tests/gguf/fake_openai)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog.bench import run_benchmark
from catalog.bench.backends.openai import ServerError, check_endpoint, is_local_host
from catalog.cli.main import app
from catalog.errors import UsageError
from tests.gguf.fake_openai import MODEL, FakeOpenAI, fake_openai

SMALL = {"prompt_tokens": 32, "gen_tokens": 8, "repeat": 2, "warmup": 1}


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with fake_openai() as state:
        yield state


def _bench(server: FakeOpenAI, **extra: object) -> object:
    return run_benchmark(endpoint=server.url, **{**SMALL, **extra})  # type: ignore[arg-type]


def test_measures_ttft_and_decode_from_the_stream(server: FakeOpenAI) -> None:
    result = run_benchmark(endpoint=server.url, **SMALL)  # type: ignore[arg-type]
    assert result.backend == "openai"
    assert result.model == MODEL  # the server's first model
    assert result.device == "server"
    assert len(result.decode_tps.samples) == 2
    assert len(result.ttft_s.samples) == 2
    assert all(v > 0 for v in result.decode_tps.samples + result.ttft_s.samples)
    # No server timings: no prefill speed, and nothing this process cannot know.
    assert result.prefill_tps is None
    assert result.memory is None and result.load_s is None
    assert result.server is not None and result.server.timings_from is None
    streamed = [r for r in server.requests if r.get("stream")]
    assert len(streamed) == 3  # warm-up + 2 rounds
    assert all(r["max_tokens"] == 8 and r["temperature"] == 0 for r in streamed)
    document = result.to_json()
    assert document["backend"] == "openai" and document["peak_memory_bytes"] is None


def test_concurrency_sends_parallel_streams_with_latency_percentiles(server: FakeOpenAI) -> None:
    server.token_delay = 0.02
    result = run_benchmark(endpoint=server.url, concurrency=3, **SMALL)  # type: ignore[arg-type]
    assert server.max_in_flight == 3
    assert result.server is not None
    assert result.server.concurrency == 3
    assert len(result.server.latency_s.samples) == 6
    assert len(result.server.throughput_tps.samples) == 2
    payload = result.server.to_json()["latency_s"]
    assert payload["p50"] <= payload["p95"]
    # Three streams at once: the round's throughput beats one stream's decode speed.
    assert result.server.throughput_tps.mean > result.decode_tps.mean


@pytest.mark.parametrize(
    ("flavour", "source", "prefill", "decode"),
    [
        # timings: prompt_n tokens in 50 ms, 8 tokens in 100 ms
        ("llama_server", "llama-server", None, 80.0),
        # Ollama: prompt tokens in 25 ms, 8 tokens in 200 ms
        ("ollama", "ollama", None, 40.0),
    ],
)
def test_server_timing_fields_are_used(
    server: FakeOpenAI, flavour: str, source: str, prefill: float | None, decode: float
) -> None:
    server.flavour = flavour
    result = run_benchmark(endpoint=server.url, **SMALL)  # type: ignore[arg-type]
    assert result.server is not None and result.server.timings_from == source
    assert result.decode_tps.mean == pytest.approx(decode)
    assert result.prefill_tps is not None
    reported = result.server.prompt_tokens_reported
    assert reported is not None
    per_second = reported / 0.05 if flavour == "llama_server" else reported / 0.025
    assert result.prefill_tps.mean == pytest.approx(per_second)


def test_the_prompt_is_calibrated_on_the_servers_count(server: FakeOpenAI) -> None:
    server.flavour = "usage"
    result = run_benchmark(endpoint=server.url, **{**SMALL, "prompt_tokens": 100})  # type: ignore[arg-type]
    assert result.server is not None
    assert result.server.prompt_tokens_reported == 100


def test_the_api_key_is_sent_but_never_kept(
    server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = "sk-test-5ecret-value"
    monkeypatch.setenv("MY_SERVER_KEY", secret)
    runner = CliRunner()
    out = runner.invoke(
        app,
        ["bench", "--endpoint", server.url, "--api-key-env", "MY_SERVER_KEY",
         "-p", "16", "-n", "4", "-r", "1", "--format", "json"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert set(server.authorizations) == {f"Bearer {secret}"}
    assert secret not in out.output
    history = runner.invoke(app, ["bench", "--history", "--format", "json"])
    assert secret not in history.output
    assert json.loads(history.output)[0]["backend"] == "openai"
    db = Path(str(tmp_path / "modelcat.db"))
    assert secret.encode() not in db.read_bytes()


def test_a_missing_key_variable_is_a_usage_error(server: FakeOpenAI) -> None:
    with pytest.raises(UsageError, match="NO_SUCH_KEY_VAR"):
        run_benchmark(endpoint=server.url, api_key_env="NO_SUCH_KEY_VAR", **SMALL)  # type: ignore[arg-type]
    assert server.requests == []


def test_a_remote_endpoint_is_refused_before_any_connection() -> None:
    assert is_local_host("127.0.0.1") and is_local_host("localhost") and is_local_host("::1")
    assert not is_local_host("203.0.113.7")
    with pytest.raises(UsageError, match="--allow-remote"):
        run_benchmark(endpoint="http://203.0.113.7:8080/v1", **SMALL)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="credentials"):
        check_endpoint("http://user:pw@127.0.0.1:1/v1", allow_remote=False)
    with pytest.raises(UsageError, match="http"):
        check_endpoint("ftp://127.0.0.1/v1", allow_remote=False)
    # Allowed, the refusal is gone (and the connection fails: this test has no network).
    assert check_endpoint("http://203.0.113.7:8080/v1/", allow_remote=True).endswith("/v1")


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("drop", "after 3 tokens"),
        ("status500", "answered 500"),
        ("error_event", "error mid-stream"),
    ],
)
def test_server_faults_are_one_clear_line_and_store_nothing(
    server: FakeOpenAI, fault: str, message: str
) -> None:
    server.fault = fault
    runner = CliRunner()
    out = runner.invoke(
        app, ["bench", "--endpoint", server.url, "-p", "16", "-n", "6", "-r", "1", "--timeout", "5"]
    )
    assert out.exit_code == 1, out.output
    assert message in out.output
    assert "Traceback" not in out.output and "\x1b[31m" not in out.output
    history = runner.invoke(app, ["bench", "--history", "--format", "json"])
    assert json.loads(history.output) == []


def test_a_slow_first_token_past_the_timeout_fails(server: FakeOpenAI) -> None:
    server.fault = "slow_first"
    server.delay = 1.5
    with pytest.raises(ServerError, match="before the first token"):
        run_benchmark(endpoint=server.url, timeout=0.3, **SMALL)  # type: ignore[arg-type]


def test_cancel_stops_a_server_run(server: FakeOpenAI) -> None:
    from catalog.bench import BenchmarkCancelled

    cancel = threading.Event()
    cancel.set()
    with pytest.raises(BenchmarkCancelled):
        run_benchmark(endpoint=server.url, cancel=cancel, **SMALL)  # type: ignore[arg-type]


def test_a_catalog_id_files_the_server_run_under_it(server: FakeOpenAI) -> None:
    runner = CliRunner()
    out = runner.invoke(
        app,
        ["bench", "llama-3.2-1b", "--endpoint", server.url, "--model", MODEL,
         "-p", "16", "-n", "4", "-r", "1", "--format", "json"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["catalog_id"] == "llama-3.2-1b"
    shown = runner.invoke(app, ["bench", "--history", "llama-3.2-1b"])
    assert "openai" in shown.output
