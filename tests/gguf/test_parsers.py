"""Property tests for the other parsers of this issue: the server-sent event stream and Ollama
manifests. Any input gives a result or the module's own error, never another exception."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.bench.backends.openai import ServerError, _events, _has_text, _server_timings
from catalog.local.ollama import scan_ollama

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
LINE = st.one_of(
    st.text(max_size=60),
    st.builds(lambda v: "data: " + json.dumps(v), JSON),
    st.just("data: [DONE]"),
    st.builds(lambda v: "data: " + json.dumps({"choices": [{"text": v}]}), st.text(max_size=5)),
)


@settings(max_examples=400, deadline=None)
@given(lines=st.lists(LINE, max_size=20))
def test_any_event_stream_gives_events_or_a_server_error(lines: list[str]) -> None:
    try:
        for event in _events(iter(lines)):
            if event is not None:
                assert isinstance(event, dict)
                _has_text(event)
                timings = _server_timings(event)
                assert timings is None or all(
                    v is None or 0 < v < float("inf") for v in timings[:2]
                )
    except ServerError as exc:
        assert "\n" not in str(exc) and "\x1b" not in str(exc)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    content=st.one_of(st.binary(max_size=300), st.builds(lambda v: json.dumps(v).encode(), JSON))
)
def test_any_manifest_gives_a_model_or_a_warning(tmp_path: Path, content: bytes) -> None:
    root = tmp_path / "ollama"
    manifest = root / "manifests" / "registry.ollama.ai" / "library" / "m" / "latest"
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_bytes(content)
    models, warnings = scan_ollama(root)
    assert not models  # no blob exists: nothing can be a model
    assert len(warnings) == 1
