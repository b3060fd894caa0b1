"""The most precise dtype that fits one device of a (simulated) machine."""

from __future__ import annotations

from typing import Any

import pytest

from catalog.errors import UsageError
from catalog.estimate import best_dtype_that_fits, inference_memory
from catalog.fit.hardware import detect_hardware


def test_bf16_fits_a_24gb_gpu(llama_7b: dict[str, Any]) -> None:
    choice = best_dtype_that_fits(
        config=llama_7b, hardware=detect_hardware(gpu_memory="24GB", memory="4GB"), exact=False
    )
    assert choice is not None
    assert (choice.dtype, choice.fit.level, choice.fit.device) == ("bf16", "fits", "gpu:0")
    assert choice.memory.total_bytes == choice.fit.required_bytes


def test_smaller_gpus_step_down_the_dtypes(llama_7b: dict[str, Any]) -> None:
    sixteen = best_dtype_that_fits(
        config=llama_7b, hardware=detect_hardware(gpu_memory="16GB", memory="4GB"), exact=False
    )
    assert sixteen is not None and sixteen.dtype == "int8"
    eight = best_dtype_that_fits(
        config=llama_7b,
        context=2048,
        hardware=detect_hardware(gpu_memory="8GB", memory="4GB"),
        exact=False,
    )
    assert eight is not None and (eight.dtype, eight.fit.level) == ("int4", "fits")


def test_a_tight_fit_is_returned_when_nothing_fits_comfortably(llama_7b: dict[str, Any]) -> None:
    needed = inference_memory(config=llama_7b, dtype="int4", context=2048, exact=False).total_bytes
    hardware = detect_hardware(gpu_memory=int(needed * 1.1), memory="1GB")
    choice = best_dtype_that_fits(config=llama_7b, context=2048, hardware=hardware, exact=False)
    assert choice is not None and (choice.dtype, choice.fit.level) == ("int4", "tight")


def test_nothing_fits_a_tiny_machine(llama_7b: dict[str, Any]) -> None:
    hardware = detect_hardware(gpu_memory="2GB", memory="2GB")
    assert best_dtype_that_fits(config=llama_7b, hardware=hardware, exact=False) is None


def test_gguf_types_can_be_tried(llama_7b: dict[str, Any]) -> None:
    hardware = detect_hardware(gpu_memory="10GB", memory="1GB")
    choice = best_dtype_that_fits(
        config=llama_7b, hardware=hardware, dtypes=("q8_0", "q4_k_m"), exact=False
    )
    assert choice is not None and choice.dtype == "q4_k_m"
    with pytest.raises(UsageError, match="unknown dtype 'q1'"):
        best_dtype_that_fits(config=llama_7b, hardware=hardware, dtypes=("q1",))
