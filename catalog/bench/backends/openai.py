"""The OpenAI-compatible server client: measure llama-server, llama_cpp.server, vLLM or
Ollama's ``/v1`` through ``httpx`` (imported inside functions), with streaming.

Per request: time to first token from the first streamed token; decode speed from the token
stream (the server's usage count when it sends one, else the streamed chunks); prefill speed
only from the server's own timings (llama-server's ``timings``, Ollama's
``prompt_eval_count``/``prompt_eval_duration``), which are also preferred for decode when
present. With ``concurrency`` N every round sends N streams at once: throughput is all their
tokens over the round's wall time, latency (send to last token) is kept per request for
p50/p95.

Safety: prompts go only to this machine unless ``allow_remote``; the API key is read from
the named environment variable at run time, sent as a bearer token, never stored, printed or
put in an error message. The prompt is text (the client has no tokenizer): its length is
calibrated on the server's usage count when the server reports one.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import math
import os
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from catalog.bench.machine import collect_machine
from catalog.bench.params import BenchParams
from catalog.bench.progress import BenchmarkCancelled, ProgressCallback, Steps
from catalog.bench.result import BenchResult, ServerFigures, Stat
from catalog.errors import BenchmarkError, ExitCode, UsageError

CHARS_PER_TOKEN = 4.0
"""The first guess of the prompt's length in characters, before the server's count."""
CALIBRATION_ROUNDS = 3
_MAX_ERROR_BODY = 200


class ServerError(BenchmarkError):
    """The server failed during a run: an error status, a dropped stream, a timeout."""

    exit_code = ExitCode.FAILED


@dataclass(frozen=True)
class RequestTiming:
    """Clock readings and counts of one streamed completion."""

    sent: float
    first_token: float
    last_token: float
    done: float
    tokens: int
    """Generated tokens: the server's usage count, else the streamed token chunks."""
    prompt_tokens: int | None
    prefill_tps: float | None
    """From the server's own timings."""
    decode_tps: float | None
    """From the server's own timings."""
    timings_from: str | None

    @property
    def ttft_s(self) -> float:
        """Send to first token."""
        return self.first_token - self.sent

    @property
    def latency_s(self) -> float:
        """Send to the end of the stream."""
        return self.done - self.sent

    @property
    def stream_decode_tps(self) -> float:
        """Tokens after the first over the time between the first and the last."""
        span = self.last_token - self.first_token
        return (self.tokens - 1) / span if span > 0 and self.tokens > 1 else math.nan


def is_local_host(host: str) -> bool:
    """True when every address ``host`` resolves to is this machine (loopback or one of its
    interfaces)."""
    name = host.strip("[]").split("%")[0]
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        addresses = {str(info[4][0]).split("%")[0] for info in socket.getaddrinfo(name, None)}
    except (socket.gaierror, UnicodeError, OSError):
        return False
    if not addresses:
        return False
    own = _own_addresses()
    return all(ipaddress.ip_address(a).is_loopback or a in own for a in addresses)


def _own_addresses() -> set[str]:
    import psutil

    return {
        str(addr.address).split("%")[0]
        for addrs in psutil.net_if_addrs().values()
        for addr in addrs
        if addr.family in (socket.AF_INET, socket.AF_INET6)
    }


def check_endpoint(endpoint: str, *, allow_remote: bool) -> str:
    """The endpoint without a trailing slash, if it is an http(s) URL this run may use.

    Raises:
        UsageError: not an http(s) URL, or a host that is not this machine without
            ``allow_remote``.
    """
    parts = urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"--endpoint must be an http(s) URL such as http://127.0.0.1:8080/v1, not {endpoint!r}"
        )
    if parts.username or parts.password:
        raise UsageError(
            "--endpoint must not carry credentials; put the key in an environment variable (--api-key-env)"
        )
    if not allow_remote and not is_local_host(parts.hostname):
        raise UsageError(
            f"refusing to send benchmark prompts to {parts.hostname}: it is not this machine. "
            "Pass --allow-remote to benchmark a server elsewhere."
        )
    return endpoint.strip().rstrip("/")


def _headers(api_key_env: str | None) -> dict[str, str]:
    if api_key_env is None:
        return {}
    key = os.environ.get(api_key_env)
    if not key:
        raise UsageError(f"the environment variable {api_key_env} (--api-key-env) is not set")
    return {"Authorization": f"Bearer {key}"}


def run(
    *,
    endpoint: str,
    server_model: str | None,
    api_key_env: str | None,
    concurrency: int,
    timeout: float,
    allow_remote: bool,
    prompt_tokens: int,
    gen_tokens: int,
    repeat: int,
    warmup: int,
    text: str,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
) -> BenchResult:
    """Benchmark the server at ``endpoint``; see the module docstring.

    Raises:
        UsageError: a bad endpoint, a remote one without ``allow_remote``, a missing key
            variable, or out-of-range settings.
        ServerError: the server answered with an error, dropped a stream or timed out.
        BenchmarkError: httpx is missing.
        BenchmarkCancelled: ``cancel`` was set.
    """
    if concurrency < 1:
        raise UsageError(f"concurrency must be at least 1, not {concurrency}")
    if not timeout > 0:
        raise UsageError(f"timeout must be positive, not {timeout}")
    base = check_endpoint(endpoint, allow_remote=allow_remote)
    headers = _headers(api_key_env)
    try:
        import httpx
    except ImportError as exc:  # pragma: no cover - httpx comes with huggingface_hub
        raise BenchmarkError(f"the openai backend needs httpx: pip install httpx ({exc})") from exc
    steps = Steps(total=2 + warmup + repeat, progress=progress, cancel=cancel)
    started_at = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    limits = httpx.Limits(max_connections=concurrency + 1)
    client_timeout = httpx.Timeout(timeout, connect=min(timeout, 10.0))
    with httpx.Client(
        base_url=base, headers=headers, timeout=client_timeout, limits=limits
    ) as client:
        steps.start("load")
        model = server_model or _first_model(client, base)
        server_header = None
        prompt, reported = _calibrate(
            client, model=model, text=text, target=prompt_tokens, cancel=cancel
        )
        requests: list[RequestTiming] = []
        throughput: list[float] = []
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            for round_ in range(1, warmup + repeat + 1):
                measured = round_ > warmup
                steps.start(
                    "decode" if measured else "warmup",
                    repeat=round_ - warmup if measured else round_,
                )
                began = time.perf_counter()
                futures = [
                    pool.submit(
                        _stream,
                        client,
                        model=model,
                        prompt=prompt,
                        gen_tokens=gen_tokens,
                        cancel=cancel,
                    )
                    for _ in range(concurrency)
                ]
                done = [f.result() for f in futures]
                if measured:
                    requests += done
                    span = max(r.done for r in done) - began
                    throughput.append(sum(r.tokens for r in done) / span)
        steps.finish()
    if cancel is not None and cancel.is_set():
        raise BenchmarkCancelled()
    local_file = _local_gguf(model)
    quantization = None
    if local_file is not None:
        from catalog.local.gguf_meta import GGUFError, read_gguf

        try:
            quantization = read_gguf(local_file).quantization
        except GGUFError:
            quantization = None
    timed = [r for r in requests if r.decode_tps is not None]
    decode = (
        [r.decode_tps for r in timed]
        if timed and len(timed) == len(requests)
        else [r.stream_decode_tps for r in requests]
    )
    prefill = [r.prefill_tps for r in requests if r.prefill_tps is not None]
    short = [r.tokens for r in requests if r.tokens < 2]
    if short:
        raise ServerError(
            f"a stream ended after {short[0]} token(s) of {gen_tokens}: decode speed needs two. "
            "The server stopped it early (an end-of-sequence it does not ignore, or another "
            "request interrupting it: start llama_cpp.server with --interrupt_requests false)"
        )
    sources = {r.timings_from for r in requests if r.timings_from}
    return BenchResult(
        model=model,
        path=str(local_file) if local_file else base,
        hub_id=None,
        revision=None,
        device="server",
        dtype=quantization or "unknown",
        weights_format="gguf" if local_file else "server",
        load_s=None,
        prefill_tps=Stat.of(prefill) if len(prefill) == len(requests) else None,
        decode_tps=Stat.of([float(v) for v in decode if v is not None]),
        ttft_s=Stat.of([r.ttft_s for r in requests]),
        generate_s=Stat.of([r.latency_s for r in requests]),
        memory=None,
        perplexity=math.nan,
        perplexity_tokens=0,
        params=BenchParams(
            prompt_tokens=prompt_tokens,
            gen_tokens=gen_tokens,
            repeat=repeat,
            warmup=warmup,
            threads=0,
        ),
        machine=collect_machine(),
        started_at=started_at,
        duration_s=time.perf_counter() - clock,
        backend="openai",
        quantization=quantization,
        runtime=server_header,
        server=ServerFigures(
            endpoint=base,
            server_model=model,
            concurrency=concurrency,
            throughput_tps=Stat.of(throughput),
            latency_s=Stat.of([r.latency_s for r in requests]),
            prompt_tokens_reported=reported,
            timings_from=sources.pop() if len(sources) == 1 else None,
        ),
    )


def _local_gguf(model: str) -> Path | None:
    """The GGUF file a server model is named after (llama_cpp.server names it by its path)."""
    if not model.lower().endswith(".gguf"):
        return None
    path = Path(model).expanduser()
    try:
        return path.absolute() if path.is_file() else None
    except OSError:
        return None


def _first_model(client: Any, base: str) -> str:
    data = _json(_request(client, "GET", "/models"), "/models")
    models = data.get("data") if isinstance(data, dict) else None
    if not isinstance(models, list) or not models or not isinstance(models[0], dict):
        raise ServerError(f"{base}/models lists no model; name one with --model")
    name = models[0].get("id")
    if not isinstance(name, str) or not name:
        raise ServerError(f"{base}/models lists a model without an id; name one with --model")
    return name


def _calibrate(
    client: Any, *, model: str, text: str, target: int, cancel: threading.Event | None
) -> tuple[str, int | None]:
    """A prompt of about ``target`` tokens, and the server's count of it (None when the
    server reports no usage)."""
    chars = max(1, round(target * CHARS_PER_TOKEN))
    reported: int | None = None
    for _ in range(CALIBRATION_ROUNDS):
        if cancel is not None and cancel.is_set():
            raise BenchmarkCancelled()
        prompt = _prompt(text, chars)
        body = {"model": model, "prompt": prompt, "max_tokens": 1, "temperature": 0}
        data = _json(_request(client, "POST", "/completions", json=body), "/completions")
        usage = data.get("usage") if isinstance(data, dict) else None
        count = usage.get("prompt_tokens") if isinstance(usage, dict) else None
        if not isinstance(count, int) or count <= 0:
            return prompt, None
        reported = count
        if abs(count - target) <= max(1, target // 50):
            return prompt, reported
        chars = max(1, round(chars * target / count))
    return _prompt(text, chars), reported


def _prompt(text: str, chars: int) -> str:
    return (text * math.ceil(chars / max(len(text), 1)))[:chars]


def _request(client: Any, method: str, path: str, **kwargs: Any) -> Any:
    import httpx

    try:
        response = client.request(method, path, **kwargs)
    except httpx.TimeoutException as exc:
        raise ServerError(
            f"{method} {path}: no answer within the timeout ({type(exc).__name__})"
        ) from exc
    except httpx.HTTPError as exc:
        raise ServerError(f"{method} {path} failed: {_clean(str(exc))}") from exc
    _check_status(response, f"{method} {path}")
    return response


def _check_status(response: Any, what: str) -> None:
    if response.status_code >= 400:
        try:
            body = response.read().decode("utf-8", errors="replace")
        except Exception:  # the body is only a hint; its failure must not hide the status
            body = ""
        hint = f": {_clean(body)[:_MAX_ERROR_BODY]}" if body.strip() else ""
        raise ServerError(f"{what}: the server answered {response.status_code}{hint}")


def _json(response: Any, what: str) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise ServerError(f"{what}: the server's answer is not JSON") from exc


def _clean(text: str) -> str:
    """One line of printable text (server messages can carry anything)."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _stream(
    client: Any, *, model: str, prompt: str, gen_tokens: int, cancel: threading.Event | None
) -> RequestTiming:
    import httpx

    body = {
        "model": model,
        "prompt": prompt,
        "max_tokens": gen_tokens,
        # Exactly gen_tokens where the server allows it: llama_cpp.server's min_tokens,
        # vLLM's and llama-server's ignore_eos.
        "min_tokens": gen_tokens,
        "ignore_eos": True,
        "temperature": 0,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    sent = time.perf_counter()
    times: list[float] = []
    usage_tokens: int | None = None
    prompt_count: int | None = None
    timing: tuple[float | None, float | None, str | None] = (None, None, None)
    finished = False
    try:
        with client.stream("POST", "/completions", json=body) as response:
            _check_status(response, "POST /completions")
            for event in _events(response.iter_lines()):
                if cancel is not None and cancel.is_set():
                    raise BenchmarkCancelled()
                if event is None:
                    finished = True
                    break
                if _has_text(event):
                    times.append(time.perf_counter())
                usage = event.get("usage")
                if isinstance(usage, dict):
                    completion = usage.get("completion_tokens")
                    usage_tokens = completion if isinstance(completion, int) else usage_tokens
                    counted = usage.get("prompt_tokens")
                    prompt_count = counted if isinstance(counted, int) else prompt_count
                timing = _server_timings(event) or timing
    except httpx.TimeoutException as exc:
        got = f"after {len(times)} tokens" if times else "before the first token"
        raise ServerError(f"the stream stalled {got}: nothing within the timeout") from exc
    except httpx.HTTPError as exc:
        raise ServerError(
            f"the server dropped the stream after {len(times)} tokens: {_clean(str(exc))}"
        ) from exc
    done = time.perf_counter()
    if not finished:
        raise ServerError(f"the server closed the stream after {len(times)} tokens, before [DONE]")
    if not times:
        raise ServerError("the server streamed no token")
    return RequestTiming(
        sent=sent,
        first_token=times[0],
        last_token=times[-1],
        done=done,
        tokens=usage_tokens if usage_tokens else len(times),
        prompt_tokens=prompt_count,
        prefill_tps=timing[0],
        decode_tps=timing[1],
        timings_from=timing[2],
    )


def _events(lines: Iterator[str]) -> Iterator[dict[str, Any] | None]:
    """Server-sent events as JSON objects; None for ``[DONE]``. Comments, blank lines and
    other fields are skipped; a data line that is not a JSON object is a protocol error."""
    for line in lines:
        if not line.startswith("data:"):
            continue
        payload = line[5:].strip()
        if payload == "[DONE]":
            yield None
            return
        try:
            event = json.loads(payload)
        except ValueError as exc:
            raise ServerError(
                f"the stream carried a line that is not JSON: {_clean(payload)[:80]!r}"
            ) from exc
        if not isinstance(event, dict):
            raise ServerError("the stream carried JSON that is not an object")
        if "error" in event:
            raise ServerError(
                f"the server reported an error mid-stream: {_clean(str(event['error']))[:_MAX_ERROR_BODY]}"
            )
        yield event


def _has_text(event: dict[str, Any]) -> bool:
    """Whether the event carries a generated token: a choice with text, or an empty text that
    is not the closing chunk (a server holds back the bytes of a character split across
    tokens, and still sends one chunk per token)."""
    choices = event.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return False
    choice = choices[0]
    delta = choice.get("delta")
    content = choice.get("text", delta.get("content") if isinstance(delta, dict) else None)
    if not isinstance(content, str):
        return False
    return content != "" or choice.get("finish_reason") is None


def _server_timings(event: dict[str, Any]) -> tuple[float | None, float | None, str | None] | None:
    """Prefill and decode tokens/s from llama-server's ``timings`` or Ollama's counters."""
    timings = event.get("timings")
    if isinstance(timings, dict):
        prefill = _rate(timings.get("prompt_n"), timings.get("prompt_ms"), 1e3)
        decode = _rate(timings.get("predicted_n"), timings.get("predicted_ms"), 1e3)
        if prefill is not None or decode is not None:
            return prefill, decode, "llama-server"
    prefill = _rate(event.get("prompt_eval_count"), event.get("prompt_eval_duration"), 1e9)
    decode = _rate(event.get("eval_count"), event.get("eval_duration"), 1e9)
    if prefill is not None or decode is not None:
        return prefill, decode, "ollama"
    return None


def _rate(count: object, duration: object, per_second: float) -> float | None:
    if isinstance(count, bool) or isinstance(duration, bool):
        return None
    if not isinstance(count, int | float) or not isinstance(duration, int | float):
        return None
    if count <= 0 or duration <= 0 or not math.isfinite(count) or not math.isfinite(duration):
        return None
    rate = float(count) * per_second / float(duration)
    return rate if math.isfinite(rate) else None
