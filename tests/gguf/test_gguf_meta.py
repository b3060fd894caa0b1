"""The GGUF header reader: what it reads, agreement with the gguf package, damaged files."""

from __future__ import annotations

import os
import struct
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.local.gguf_meta import GGUFError, hub_id_from_url, read_gguf, shard_parts
from catalog.testing.tiny_gguf import TinyShape, parameter_count, vocabulary, write_tiny_llama


def test_reads_the_model_from_the_header(tiny_gguf: Path) -> None:
    info = read_gguf(tiny_gguf)
    shape = TinyShape()
    assert info.architecture == "llama"
    assert info.name == "Tiny Llama"
    assert info.quantization == "Q8_0"
    assert info.parameter_count == parameter_count()
    assert info.context_length == shape.n_ctx
    assert info.block_count == shape.n_layer
    assert info.embedding_length == shape.n_embd
    assert info.head_count == shape.n_head
    assert info.head_count_kv == (shape.n_head_kv,)
    assert info.kv_heads_total == shape.n_head_kv * shape.n_layer
    assert info.vocab_size == len(vocabulary()[0])
    assert info.file_size == tiny_gguf.stat().st_size
    # The vocabulary is counted, not kept.
    assert info.metadata["tokenizer.ggml.tokens"].items is None


@pytest.mark.parametrize("quant", ["Q8_0", "Q4_0", "F16"])
def test_quantization_and_sizes_agree_with_the_gguf_package(gguf_dir: Path, quant: str) -> None:
    from gguf import GGUFReader

    path = gguf_dir / f"tiny-llama-{quant}.gguf"
    info = read_gguf(path)
    reader = GGUFReader(path)
    assert info.quantization == quant
    assert info.parameter_count == sum(int(t.n_elements) for t in reader.tensors)
    assert info.tensor_bytes == sum(int(t.n_bytes) for t in reader.tensors)
    by_type: dict[str, int] = {}
    for tensor in reader.tensors:
        by_type[tensor.tensor_type.name] = by_type.get(tensor.tensor_type.name, 0) + int(
            tensor.n_bytes
        )
    assert info.tensor_types == by_type
    for key in ("general.name", "llama.context_length", "llama.block_count"):
        assert info.metadata[key] == reader.fields[key].contents()


def test_without_a_file_type_the_most_common_weight_type_decides(tmp_path: Path) -> None:
    from gguf import GGUFWriter

    path = write_tiny_llama(tmp_path / "m.gguf", quant="Q4_0")
    raw = path.read_bytes()
    key = b"general.file_type"
    # Rename the key in place (same length), so the file no longer states its type.
    path.write_bytes(raw.replace(key, b"general.file_typX", 1))
    assert read_gguf(path).quantization == "Q4_0"
    assert GGUFWriter  # the package wrote the file this test edits


def test_source_and_base_models_name_hub_repositories(tmp_path: Path) -> None:
    path = write_tiny_llama(
        tmp_path / "m.gguf",
        extra={
            "general.source.url": "https://huggingface.co/meta-llama/Llama-3.2-1B",
            "general.base_model.0.repo_url": "https://huggingface.co/meta-llama/Llama-3.2-1B/",
        },
    )
    info = read_gguf(path)
    assert info.source_hub_id == "meta-llama/Llama-3.2-1B"
    assert info.base_models == ()  # no general.base_model.count: not a list
    assert hub_id_from_url("https://huggingface.co/org/name?x=1") == "org/name"
    assert hub_id_from_url("https://example.org/org/name") is None


@pytest.mark.parametrize("keep", [0, 3, 10, 23, 200, 3000, -100, -1])
def test_a_truncated_file_is_one_clear_error(tiny_gguf: Path, tmp_path: Path, keep: int) -> None:
    raw = tiny_gguf.read_bytes()
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(raw[:keep] if keep >= 0 else raw[:keep])
    with pytest.raises(GGUFError) as caught:
        read_gguf(cut)
    message = str(caught.value)
    assert str(cut) in message
    assert "\n" not in message
    assert any(word in message for word in ("truncated", "too short"))


def test_another_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.gguf"
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(GGUFError, match="no GGUF magic"):
        read_gguf(path)


def test_a_huge_claimed_array_fails_at_once(tmp_path: Path) -> None:
    path = tmp_path / "bomb.gguf"
    key = b"tokenizer.ggml.tokens"
    header = b"GGUF" + struct.pack("<IQQ", 3, 0, 1)
    header += struct.pack("<Q", len(key)) + key + struct.pack("<IIQ", 9, 8, 10**12)
    path.write_bytes(header + bytes(64))
    started = time.perf_counter()
    with pytest.raises(GGUFError, match="truncated"):
        read_gguf(path)
    assert time.perf_counter() - started < 1.0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "model.gguf"
    os.mkfifo(fifo)
    with pytest.raises(GGUFError, match="not a regular file"):
        read_gguf(fifo)


def test_split_models_are_read_part_by_part(tmp_path: Path) -> None:
    first = write_tiny_llama(tmp_path / "m-00001-of-00002.gguf")
    second = write_tiny_llama(tmp_path / "m-00002-of-00002.gguf", seed=1)
    assert shard_parts(first) == [first, second]
    info = read_gguf(first)
    assert info.parts == (first, second)
    assert info.parameter_count == 2 * parameter_count()
    second.unlink()
    with pytest.raises(GGUFError, match="cannot read"):
        read_gguf(first)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=512))
def test_any_bytes_give_a_model_or_a_gguf_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "any.gguf"
    path.write_bytes(b"GGUF" + data)
    try:
        read_gguf(path)
    except GGUFError as exc:
        assert "\n" not in str(exc)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(position=st.integers(min_value=0), value=st.integers(min_value=0, max_value=255))
def test_a_damaged_byte_gives_a_model_or_a_gguf_error(
    tiny_gguf: Path, tmp_path: Path, position: int, value: int
) -> None:
    raw = bytearray(tiny_gguf.read_bytes())
    header_end = 12_000  # the header (keys, vocabulary, tensor list) lies within this
    raw[position % header_end] = value
    path = tmp_path / "damaged.gguf"
    path.write_bytes(bytes(raw))
    started = time.perf_counter()
    try:
        info = read_gguf(path)
    except GGUFError:
        pass
    else:
        assert info.parameter_count >= 0
    assert time.perf_counter() - started < 2.0
