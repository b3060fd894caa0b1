"""Fixtures of the estimator tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.estimate.reference import reference_config


@pytest.fixture
def llama_7b() -> dict[str, Any]:
    """meta-llama/Llama-2-7b-hf's config."""
    return reference_config("meta-llama/Llama-2-7b-hf")


@pytest.fixture
def llama_70b() -> dict[str, Any]:
    """meta-llama/Llama-2-70b-hf's config (grouped-query attention, 8 KV heads)."""
    return reference_config("meta-llama/Llama-2-70b-hf")
