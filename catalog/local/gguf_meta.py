"""What a GGUF file says about its model, read from its header without loading or running it.

The format's vocabulary (value types, tensor types with their block sizes, file types) is the
`gguf` package's, imported when the first file is read. Its own ``GGUFReader`` is not used for
the scan: it builds a numpy view for every element of every array (a real vocabulary is
hundreds of thousands of strings: seconds per file) and trusts the header's counts (a few
bytes claiming a billion-element array keep it looping). This reader skips the arrays it does
not need, checks every length against the bytes that are left, and stops at the first
inconsistency with a ``GGUFError`` naming the file and what is wrong. The tests check that it
agrees with ``GGUFReader`` on every file the package's ``GGUFWriter`` writes.
"""

from __future__ import annotations

import mmap
import os
import re
import stat
import struct
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.errors import CatalogError

MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
MAX_KV_COUNT = 1 << 16
"""Real files carry a few dozen keys; a header claiming more is damaged."""
MAX_TENSOR_COUNT = 1 << 20
MAX_DIMS = 4
MAX_KEY_BYTES = 1 << 16
KEPT_STRING_BYTES = 1 << 16
"""Longer strings (chat templates, licences in full) are skipped, not kept."""
KEPT_ARRAY_ITEMS = 256
"""Longer arrays (the vocabulary, merges, scores) are counted and skipped."""

_SCALARS: dict[int, tuple[str, int]] = {
    0: ("B", 1),  # uint8
    1: ("b", 1),  # int8
    2: ("H", 2),  # uint16
    3: ("h", 2),  # int16
    4: ("I", 4),  # uint32
    5: ("i", 4),  # int32
    6: ("f", 4),  # float32
    7: ("?", 1),  # bool
    10: ("Q", 8),  # uint64
    11: ("q", 8),  # int64
    12: ("d", 8),  # float64
}
_STRING = 8
_ARRAY = 9
_SHARD_RE = re.compile(r"-(\d{5})-of-(\d{5})\.gguf$", re.IGNORECASE)
_HF_URL_RE = re.compile(r"^https?://(?:www\.)?huggingface\.co/([^/?#\s]+/[^/?#\s]+?)/?(?:[?#].*)?$")


class GGUFError(CatalogError):
    """A file is not a readable GGUF model (truncated, damaged, another format)."""


@dataclass(frozen=True)
class GGUFArray:
    """An array value: its length always, its items only when short enough to keep."""

    count: int
    items: tuple[Any, ...] | None


@dataclass(frozen=True)
class GGUFInfo:
    """The model a GGUF file (or a split model's parts) holds, as its header describes it."""

    path: Path
    """The file (the first part of a split model)."""
    parts: tuple[Path, ...]
    version: int
    file_size: int
    """Bytes on disk of all parts."""
    architecture: str | None
    """``general.architecture``: llama.cpp's name (``llama``, ``qwen2``, ``gemma3``...)."""
    name: str | None
    parameter_count: int
    """Elements of every tensor (tied embeddings are stored, and so counted, once)."""
    tensor_bytes: int
    """Bytes of the tensor data: the weights as stored, quantized."""
    quantization: str
    """``Q4_K_M``, ``Q8_0``, ``F16``...: the file type, else the most common weight type."""
    tensor_types: dict[str, int]
    """Bytes of tensor data per tensor type."""
    context_length: int | None
    block_count: int | None
    embedding_length: int | None
    head_count: int | None
    head_count_kv: tuple[int, ...] | None
    """Per layer when the file gives a list, else one value."""
    key_length: int | None
    value_length: int | None
    feed_forward_length: int | None
    vocab_size: int | None
    metadata: dict[str, Any] = field(default_factory=dict)
    """Every key with a kept value (short strings, numbers, short arrays as ``GGUFArray``)."""

    def text(self, key: str) -> str | None:
        """A string value, stripped, or None."""
        value = self.metadata.get(key)
        return value.strip() or None if isinstance(value, str) else None

    def number(self, key: str) -> int | None:
        """An integer value (booleans are not numbers), or None."""
        value = self.metadata.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def base_models(self) -> tuple[str, ...]:
        """``general.base_model.N``: each as a Hub id when its URL says so, else its name."""
        found: list[str] = []
        for i in range(min(self.number("general.base_model.count") or 0, 16)):
            prefix = f"general.base_model.{i}"
            hub = hub_id_from_url(self.text(f"{prefix}.repo_url"))
            org, name = self.text(f"{prefix}.organization"), self.text(f"{prefix}.name")
            label = hub or (f"{org}/{name}" if org and name else name)
            if label:
                found.append(label)
        return tuple(found)

    @property
    def source_hub_id(self) -> str | None:
        """The Hub repository the file was converted from, when the header names one."""
        for key in ("general.source.huggingface.repository", "general.source.hf_repo"):
            value = self.text(key)
            if value and value.count("/") == 1:
                return value
        for key in ("general.source.repo_url", "general.source.url", "general.repo_url"):
            hub = hub_id_from_url(self.text(key))
            if hub:
                return hub
        return None

    @property
    def kv_heads_total(self) -> int | None:
        """Key/value heads summed over the layers (what the KV cache is sized by)."""
        if self.head_count_kv is None or self.block_count is None:
            return None
        if len(self.head_count_kv) == 1:
            return self.head_count_kv[0] * self.block_count
        return sum(self.head_count_kv)


def hub_id_from_url(url: str | None) -> str | None:
    """``owner/name`` from a ``https://huggingface.co/owner/name`` URL, else None."""
    if not url:
        return None
    match = _HF_URL_RE.match(url.strip())
    return match.group(1) if match else None


def shard_parts(path: Path) -> list[Path]:
    """All parts of a split model (``x-00001-of-00003.gguf``), or just ``path``."""
    match = _SHARD_RE.search(path.name)
    if not match:
        return [path]
    total = int(match.group(2))
    stem = path.name[: match.start()]
    return [path.with_name(f"{stem}-{i:05d}-of-{total:05d}.gguf") for i in range(1, total + 1)]


def read_gguf(path: str | os.PathLike[str], *, parts: Sequence[Path] | None = None) -> GGUFInfo:
    """Read the header of a GGUF file (and of the other parts of a split model).

    Args:
        path: the file, or the first part of a split model.
        parts: every part, first included; found from the file name when omitted.

    Raises:
        GGUFError: a part is missing, unreadable, not GGUF, truncated or inconsistent.
    """
    first = Path(path)
    files = list(parts) if parts is not None else shard_parts(first)
    headers = [_read_one(p) for p in files]
    head = headers[0]
    meta = head.metadata
    arch = meta.get("general.architecture")
    arch = arch if isinstance(arch, str) and arch else None
    by_type: Counter[str] = Counter()
    weights: Counter[str] = Counter()
    params = 0
    for header in headers:
        for tensor in header.tensors:
            by_type[tensor.type_name] += tensor.n_bytes
            params += tensor.n_elements
            if tensor.n_dims >= 2:
                weights[tensor.type_name] += tensor.n_bytes

    def arch_int(suffix: str) -> int | None:
        value = meta.get(f"{arch}.{suffix}") if arch else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    kv = meta.get(f"{arch}.attention.head_count_kv") if arch else None
    if isinstance(kv, GGUFArray) and kv.items is not None:
        kv_heads: tuple[int, ...] | None = tuple(int(v) for v in kv.items)
    elif isinstance(kv, int) and not isinstance(kv, bool):
        kv_heads = (kv,)
    else:
        kv_heads = (h,) if (h := arch_int("attention.head_count")) is not None else None
    tokens = meta.get("tokenizer.ggml.tokens")
    vocab = arch_int("vocab_size") or (tokens.count if isinstance(tokens, GGUFArray) else None)
    name = meta.get("general.name")
    return GGUFInfo(
        path=first,
        parts=tuple(files),
        version=head.version,
        file_size=sum(h.file_size for h in headers),
        architecture=arch,
        name=name.strip() or None if isinstance(name, str) else None,
        parameter_count=params,
        tensor_bytes=sum(by_type.values()),
        quantization=_quantization(meta.get("general.file_type"), weights or by_type),
        tensor_types=dict(by_type.most_common()),
        context_length=arch_int("context_length"),
        block_count=arch_int("block_count"),
        embedding_length=arch_int("embedding_length"),
        head_count=arch_int("attention.head_count"),
        head_count_kv=kv_heads,
        key_length=arch_int("attention.key_length"),
        value_length=arch_int("attention.value_length"),
        feed_forward_length=arch_int("feed_forward_length"),
        vocab_size=vocab,
        metadata=meta,
    )


def _quantization(file_type: object, weights: Counter[str]) -> str:
    from gguf.constants import LlamaFileType

    if isinstance(file_type, int) and not isinstance(file_type, bool):
        try:
            kind = LlamaFileType(file_type)
        except ValueError:
            kind = None
        if kind is not None and kind is not LlamaFileType.GUESSED:
            return kind.name.removeprefix("MOSTLY_").removeprefix("ALL_")
    return weights.most_common(1)[0][0] if weights else "unknown"


@dataclass(frozen=True)
class _Tensor:
    name: str
    type_name: str
    n_dims: int
    n_elements: int
    n_bytes: int
    offset: int


@dataclass(frozen=True)
class _Header:
    version: int
    file_size: int
    metadata: dict[str, Any]
    tensors: tuple[_Tensor, ...]


def _read_one(path: Path) -> _Header:
    try:
        info = path.stat()
    except OSError as exc:
        raise GGUFError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise GGUFError(f"{path} is not a regular file")
    if info.st_size < 24:
        raise GGUFError(f"{path} is not a GGUF model: {info.st_size} bytes, too short for a header")
    try:
        with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            return _Parser(path, buf).header()
    except OSError as exc:
        raise GGUFError(f"cannot read {path}: {exc.strerror or exc}") from exc


class _Parser:
    """A bounds-checked walk over one file's header."""

    def __init__(self, path: Path, buf: mmap.mmap) -> None:
        self.path = path
        self.buf = buf
        self.size = len(buf)
        self.pos = 0
        self.order = "<"

    def fail(self, message: str) -> GGUFError:
        return GGUFError(f"{self.path} is not a readable GGUF model: {message}")

    def truncated(self, what: str) -> GGUFError:
        return self.fail(
            f"truncated at byte {self.size} while reading {what} (an interrupted download?)"
        )

    def need(self, count: int, what: str) -> None:
        if count < 0 or self.pos + count > self.size:
            raise self.truncated(what)

    def scalar(self, fmt: str, width: int, what: str) -> Any:
        self.need(width, what)
        (value,) = struct.unpack_from(self.order + fmt, self.buf, self.pos)
        self.pos += width
        return value

    def u32(self, what: str) -> int:
        return int(self.scalar("I", 4, what))

    def u64(self, what: str) -> int:
        return int(self.scalar("Q", 8, what))

    def string(self, what: str, *, limit: int = KEPT_STRING_BYTES) -> str | None:
        length = self.u64(what)
        self.need(length, what)
        start = self.pos
        self.pos += length
        if length > limit:
            return None
        return bytes(self.buf[start : self.pos]).decode("utf-8", errors="replace")

    def header(self) -> _Header:
        if self.buf[:4] != MAGIC:
            raise self.fail("no GGUF magic at the start (another format?)")
        self.pos = 4
        version = self.u32("the version")
        if version & 0xFFFF == 0:  # written on a machine of the other byte order
            self.order = ">"
            version = struct.unpack(">I", struct.pack("<I", version))[0]
        if version not in SUPPORTED_VERSIONS:
            raise self.fail(f"version {version}; this reader knows versions 2 and 3")
        tensor_count = self.u64("the tensor count")
        kv_count = self.u64("the metadata count")
        if tensor_count > MAX_TENSOR_COUNT or kv_count > MAX_KV_COUNT:
            raise self.fail(f"implausible counts ({tensor_count} tensors, {kv_count} keys)")
        metadata: dict[str, Any] = {}
        for _ in range(kv_count):
            key = self.string("a metadata key", limit=MAX_KEY_BYTES)
            if key is None:
                raise self.fail("a metadata key longer than 64 KiB")
            if key in metadata:
                raise self.fail(f"the key {key!r} appears twice")
            value_type = self.u32(f"the type of {key}")
            value = self.value(value_type, key)
            if value is not None:
                metadata[key] = value
        raw = [self.tensor_info(i) for i in range(tensor_count)]
        alignment = metadata.get("general.alignment", 32)
        if not isinstance(alignment, int) or alignment <= 0 or alignment & (alignment - 1):
            raise self.fail(f"general.alignment {alignment!r} is not a power of two")
        data_start = -(-self.pos // alignment) * alignment
        tensors = tuple(self.sized(*t) for t in raw)
        names = {t.name for t in tensors}
        if len(names) != len(tensors):
            raise self.fail("two tensors share a name")
        end = max((data_start + t.offset + t.n_bytes for t in tensors), default=data_start)
        if end > self.size:
            raise self.fail(
                f"truncated: the tensor data ends at byte {end} but the file has {self.size} "
                "bytes (an interrupted download?)"
            )
        return _Header(version=version, file_size=self.size, metadata=metadata, tensors=tensors)

    def value(self, value_type: int, key: str) -> Any:
        if value_type in _SCALARS:
            fmt, width = _SCALARS[value_type]
            return self.scalar(fmt, width, key)
        if value_type == _STRING:
            return self.string(key)
        if value_type != _ARRAY:
            raise self.fail(f"unknown value type {value_type} for {key!r}")
        item_type = self.u32(f"the item type of {key}")
        count = self.u64(f"the length of {key}")
        if item_type in _SCALARS:
            fmt, width = _SCALARS[item_type]
            self.need(count * width, key)
            start = self.pos
            self.pos += count * width
            if count > KEPT_ARRAY_ITEMS:
                return GGUFArray(count=count, items=None)
            items = struct.unpack_from(f"{self.order}{count}{fmt}", self.buf, start)
            return GGUFArray(count=count, items=tuple(items))
        if item_type == _STRING:
            self.need(count * 8, key)  # every string has at least its 8-byte length
            if count <= KEPT_ARRAY_ITEMS:
                kept = tuple(self.string(key) for _ in range(count))
                return GGUFArray(count=count, items=kept)
            self.skip_strings(count, key)
            return GGUFArray(count=count, items=None)
        if item_type == _ARRAY:
            self.need(count * 12, key)
            for _ in range(count):
                self.nested(key)
            return GGUFArray(count=count, items=None)
        raise self.fail(f"unknown item type {item_type} in {key!r}")

    def nested(self, key: str) -> None:
        """Skip one array inside an array (no key of interest has them)."""
        item_type = self.u32(key)
        count = self.u64(key)
        if item_type in _SCALARS:
            width = _SCALARS[item_type][1]
            self.need(count * width, key)
            self.pos += count * width
        elif item_type == _STRING:
            self.need(count * 8, key)
            self.skip_strings(count, key)
        else:
            raise self.fail(f"arrays nested deeper than two levels in {key!r}")

    def skip_strings(self, count: int, key: str) -> None:
        unpack = struct.Struct(self.order + "Q").unpack_from
        buf, pos, size = self.buf, self.pos, self.size
        try:
            for _ in range(count):
                (length,) = unpack(buf, pos)
                pos += 8 + length
                if pos > size:
                    break
        except struct.error:
            pos = size + 1
        if pos > size:
            raise self.truncated(key)
        self.pos = pos

    def tensor_info(self, index: int) -> tuple[str, list[int], int, int]:
        what = f"tensor {index}"
        name = self.string(what, limit=MAX_KEY_BYTES)
        if name is None:
            raise self.fail(f"{what} has a name longer than 64 KiB")
        n_dims = self.u32(what)
        if not 1 <= n_dims <= MAX_DIMS:
            raise self.fail(f"tensor {name!r} has {n_dims} dimensions")
        dims = [self.u64(what) for _ in range(n_dims)]
        type_id = self.u32(what)
        offset = self.u64(what)
        return name, dims, type_id, offset

    def sized(self, name: str, dims: list[int], type_id: int, offset: int) -> _Tensor:
        from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType

        try:
            kind = GGMLQuantizationType(type_id)
        except ValueError:
            raise self.fail(f"tensor {name!r} has an unknown type {type_id}") from None
        block, type_size = GGML_QUANT_SIZES[kind]
        elements = 1
        for dim in dims:
            elements *= dim
        if dims[0] % block:
            raise self.fail(f"tensor {name!r}: {dims[0]} is not a multiple of {kind.name} blocks")
        if elements > self.size * 64:  # no type packs more than 64 elements per byte
            raise self.fail(f"tensor {name!r} claims {elements} elements")
        return _Tensor(
            name=name,
            type_name=kind.name,
            n_dims=len(dims),
            n_elements=elements,
            n_bytes=elements * type_size // block,
            offset=offset,
        )
