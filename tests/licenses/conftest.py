"""Fixtures for the license tests: the real shipped license table and representative models."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml

from catalog.domain import Model
from catalog.paths import shipped_data_dir
from catalog.schema import ApiInfo, LicenseEntry

LICENSES_YAML = shipped_data_dir() / "licenses.yaml"


def load_shipped_licenses() -> dict[str, LicenseEntry]:
    """Every entry of the real data/licenses.yaml, validated."""
    raw = yaml.safe_load(LICENSES_YAML.read_text(encoding="utf-8"))
    entries = [LicenseEntry.model_validate(item) for item in raw["licenses"]]
    return {entry.id: entry for entry in entries}


@pytest.fixture(scope="session")
def licenses() -> dict[str, LicenseEntry]:
    return load_shipped_licenses()


def make_model(
    model_id: str,
    license: str,
    *,
    access: str = "open",
    tunability: tuple[str, ...] = ("full", "lora", "qlora"),
    api: ApiInfo | None = None,
    name: str | None = None,
    publisher: str = "test",
) -> Model:
    """A catalog model with only what license judgements read filled in."""
    return Model(
        id=model_id,
        name=name or model_id,
        family=model_id.split("-")[0],
        publisher=publisher,
        release_date=dt.date(2024, 1, 1),
        variant="base",
        params=None,
        active_params=None,
        context_length=None,
        architecture=None,
        hub_id=None,
        license=license,
        access=access,  # type: ignore[arg-type]
        tunability=tunability,
        tuning_routes=(),
        sources={"license": "https://example.org/license", "access": "https://example.org/access"},
        api=api,
    )


OPENAI = ApiInfo(vendor="OpenAI", model_name="gpt-4")

MODELS: dict[str, Model] = {
    m.id: m
    for m in [
        make_model("llama-7b", "llama-1", access="request", name="LLaMA 7B"),
        make_model("llama-2-7b", "llama2", access="gated", name="Llama 2 7B"),
        make_model("llama-3-8b", "llama3", access="gated", name="Meta Llama 3 8B"),
        make_model("llama-3.1-8b", "llama3.1", access="gated", name="Llama 3.1 8B"),
        make_model("llama-3.3-70b", "llama3.3", access="gated", name="Llama 3.3 70B Instruct"),
        make_model("qwen-7b", "tongyi-qianwen", name="Qwen-7B"),
        make_model("qwen2.5-72b", "qwen", name="Qwen2.5-72B"),
        make_model("mistral-7b", "apache-2.0", name="Mistral 7B"),
        make_model("gpt-neo-2.7b", "mit", name="GPT-Neo 2.7B"),
        make_model("gemma-7b", "gemma", access="gated", name="Gemma 7B"),
        make_model("bloom", "bigscience-bloom-rail-1.0", name="BLOOM"),
        make_model("starcoder", "bigcode-openrail-m", access="gated", name="StarCoder"),
        make_model("falcon-180b", "falcon-180b-tii-1.0", access="gated", name="Falcon-180B"),
        make_model("command-r", "cc-by-nc-4.0", name="Command R"),
        make_model("mistral-large-2407", "mistral-mrl", name="Mistral Large 2407"),
        make_model("mpt-7b-instruct", "cc-by-sa-3.0", name="MPT-7B-Instruct"),
        make_model(
            "gpt-4",
            "openai-api",
            access="api",
            tunability=(),
            api=OPENAI,
            name="GPT-4",
            publisher="OpenAI",
        ),
        make_model(
            "gpt-4o",
            "openai-api",
            access="api",
            tunability=("api-finetune",),
            api=ApiInfo(vendor="OpenAI", model_name="gpt-4o-2024-08-06"),
            name="GPT-4o",
            publisher="OpenAI",
        ),
    ]
}


@pytest.fixture
def models() -> dict[str, Model]:
    return MODELS


def as_json(value: Any) -> Any:
    """Round-trip through JSON to prove a structure serialises as it is."""
    import json

    return json.loads(json.dumps(value))
