"""The curated config blocks in data/models.yaml agree with the entries' parameter counts.

Each open-weight entry carries its config.json architecture numbers so estimates work offline.
The fast analytic estimator must reproduce the entry's ``params`` (and ``active_params`` for a
mixture of experts) from that block: within 1% in general, exactly for the models whose count
tests/fixtures/model-configs.yaml verifies. A wrong head count, FFN width, vocabulary or tied
embedding moves the count far more than that.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from catalog.curated import load_curated
from catalog.estimate import resolve
from catalog.paths import shipped_data_dir
from catalog.schema import ModelEntry

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "model-configs.yaml"
TOLERANCE = 0.01

CORE_IDS = (
    "llama-2-7b",
    "llama-2-70b",
    "mistral-7b",
    "mixtral-8x7b",
    "falcon-7b",
    "falcon-40b",
    "gpt-j-6b",
    "gpt-neo-125m",
    "gpt-neox-20b",
    "llama-3.1-8b",
    "qwen2.5-7b",
    "gemma-7b",
    "phi-2",
)
"""Open-weight transformer models every estimate path is expected to cover from its config."""

# Entries whose count the fixture verifies although they have no hub_id of their own.
FIXTURE_REPO_OF = {"llama-7b": "huggyllama/llama-7b"}


def _shipped() -> dict[str, ModelEntry]:
    # the shipped file only: a user's MODELCAT_DATA overlay must not change what is tested
    return dict(load_curated(shipped_data_dir()).models)


def _fixture() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    return {m["repo_id"]: m for m in data["models"]}


SHIPPED = _shipped()
VERIFIED = _fixture()
WITH_CONFIG = sorted(i for i, m in SHIPPED.items() if m.config is not None)


def _fixture_repo(entry: ModelEntry) -> str | None:
    repo = FIXTURE_REPO_OF.get(entry.id, entry.hub_id)
    return repo if repo in VERIFIED else None


def test_open_weight_entries_have_configs() -> None:
    assert len(WITH_CONFIG) >= 50
    assert all(SHIPPED[i].access != "api" for i in WITH_CONFIG)


@pytest.mark.parametrize("model_id", CORE_IDS)
def test_core_models_have_a_cited_config(model_id: str) -> None:
    entry = SHIPPED[model_id]
    assert entry.access != "api"
    assert entry.config is not None, f"{model_id} has no config block"
    assert entry.sources["config"] == f"https://huggingface.co/{entry.hub_id}/blob/main/config.json"


@pytest.mark.parametrize("model_id", WITH_CONFIG)
def test_config_reproduces_params(model_id: str) -> None:
    entry = SHIPPED[model_id]
    assert entry.config is not None and entry.params is not None
    count = resolve(config=entry.config, exact=False).count
    assert count.method == "formula"
    repo = _fixture_repo(entry)
    if repo is not None:
        assert entry.params == VERIFIED[repo]["hf_num_parameters"]
        assert count.total == entry.params
    else:
        assert abs(count.total - entry.params) <= TOLERANCE * entry.params, (
            f"{model_id}: config gives {count.total:,}, params says {entry.params:,}"
        )


@pytest.mark.parametrize("model_id", WITH_CONFIG)
def test_moe_active_params_match_the_config(model_id: str) -> None:
    entry = SHIPPED[model_id]
    assert entry.config is not None
    resolved = resolve(config=entry.config, exact=False)
    assert resolved.arch is not None
    if not resolved.arch.is_moe:
        assert entry.active_params is None, f"{model_id} is dense but has active_params"
        return
    assert entry.active_params is not None, f"{model_id} is a mixture of experts"
    active = resolved.count.active
    assert active < resolved.count.total
    assert abs(active - entry.active_params) <= TOLERANCE * entry.active_params


@pytest.mark.parametrize("model_id", WITH_CONFIG)
def test_config_agrees_with_the_entry(model_id: str) -> None:
    entry = SHIPPED[model_id]
    assert entry.config is not None
    assert entry.config["model_type"] == entry.architecture
    assert isinstance(entry.config.get("tie_word_embeddings"), bool)
    if entry.hub_id is not None:
        assert entry.sources["config"] == (
            f"https://huggingface.co/{entry.hub_id}/blob/main/config.json"
        )


@pytest.mark.parametrize(
    "model_id", [i for i in WITH_CONFIG if _fixture_repo(SHIPPED[i]) is not None]
)
def test_verified_values_are_copied_exactly(model_id: str) -> None:
    entry = SHIPPED[model_id]
    assert entry.config is not None
    reference = VERIFIED[_fixture_repo(entry) or ""]
    assert entry.config["model_type"] == reference["model_type"]
    assert entry.config["architectures"] == reference["architectures"]
    shared = set(reference["config"]) & set(entry.config)
    assert len(shared) >= 5
    for key in shared:
        assert entry.config[key] == reference["config"][key], f"{model_id}: {key}"


def test_fixture_models_are_all_matched() -> None:
    matched = {_fixture_repo(SHIPPED[i]) for i in WITH_CONFIG} - {None}
    # gpt2 is the only fixture model without a curated entry
    assert set(VERIFIED) - matched == {"openai-community/gpt2"}


def test_a_wrong_config_is_caught() -> None:
    entry = SHIPPED["llama-2-70b"]
    assert entry.config is not None
    wrong = {**entry.config, "num_key_value_heads": entry.config["num_attention_heads"]}
    count = resolve(config=wrong, exact=False).count
    assert abs(count.total - (entry.params or 0)) > TOLERANCE * (entry.params or 0)
