"""Tiny GGUF models written by the tests, once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.testing.tiny_gguf import write_tiny_llama


@pytest.fixture(scope="session")
def gguf_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the tiny Llama in three quantizations (Q8_0, Q4_0, F16)."""
    pytest.importorskip("gguf")
    folder = tmp_path_factory.mktemp("gguf")
    for quant in ("Q8_0", "Q4_0", "F16"):
        write_tiny_llama(folder / f"tiny-llama-{quant}.gguf", quant=quant)
    return folder


@pytest.fixture(scope="session")
def tiny_gguf(gguf_dir: Path) -> Path:
    """The tiny Llama, Q8_0."""
    return gguf_dir / "tiny-llama-Q8_0.gguf"
