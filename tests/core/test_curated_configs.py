"""The curated config blocks in data/models.yaml agree with the entries' parameter counts.

Each open-weight entry carries its config.json architecture numbers so estimates work offline, and
its ``params`` is the exact count transformers instantiates from them (for a multimodal model, the
text model of ``text_config``; the vision tower is stated apart in the notes). The fast analytic
formulas must reproduce that count exactly. For an architecture the formulas do not know yet
(named in the estimator's error), the count is checked against the model transformers builds on
the meta device instead, until a formula lands. A wrong head count, FFN width, vocabulary or tied
embedding moves the count, so each of these would fail. BERT and T5 entries (``kind`` encoder and
encoder-decoder) are counted with the masked-LM and sequence-to-sequence classes instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
import yaml

from catalog.curated import load_curated
from catalog.errors import EstimateError
from catalog.estimate import read_architecture, resolve
from catalog.estimate.families import layout_for
from catalog.estimate.meta import exact_count, transformers_available
from catalog.paths import shipped_data_dir
from catalog.schema import ModelEntry
from catalog.testing.fake_hub import REFERENCE_CONFIGS as FIXTURE

TOLERANCE = 0.01
"""For active parameters only: how a router or shared expert counts as active is a convention."""

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


def _text(config: Mapping[str, Any]) -> Mapping[str, Any]:
    """The language model's config: ``text_config`` for a multimodal checkpoint."""
    text = config.get("text_config")
    return text if isinstance(text, Mapping) else config


def _has_formula(config: Mapping[str, Any]) -> bool:
    try:
        layout_for(read_architecture(_text(config)))
    except EstimateError:
        return False
    return True


SHIPPED = _shipped()
VERIFIED = _fixture()
WITH_CONFIG = sorted(i for i, m in SHIPPED.items() if m.config is not None)
DECODERS = [i for i in WITH_CONFIG if SHIPPED[i].kind == "decoder"]
BY_FORMULA = [i for i in DECODERS if _has_formula(SHIPPED[i].config or {})]
BY_META = [i for i in DECODERS if i not in BY_FORMULA]
NOT_DECODERS = [i for i in WITH_CONFIG if i not in DECODERS]
AUTO_CLASS = {"encoder": "AutoModelForMaskedLM", "encoder-decoder": "AutoModelForSeq2SeqLM"}
"""The transformers class a BERT or T5 checkpoint is counted with (estimates are for decoders)."""
needs_transformers = pytest.mark.skipif(
    not transformers_available(), reason="needs torch and transformers (the bench extra)"
)


def _fixture_repo(entry: ModelEntry) -> str | None:
    repo = FIXTURE_REPO_OF.get(entry.id, entry.hub_id)
    return repo if repo in VERIFIED else None


REMOTE_CODE_ONLY = {"qwen"}
"""Architectures transformers has no class for (the repository ships its own modelling code)."""


def test_open_weight_entries_have_configs() -> None:
    assert len(WITH_CONFIG) >= 100
    assert all(SHIPPED[i].access != "api" for i in WITH_CONFIG)
    weights = {
        i
        for i, m in SHIPPED.items()
        if m.hub_id is not None and m.architecture not in REMOTE_CODE_ONLY
    }
    assert weights <= set(WITH_CONFIG), weights - set(WITH_CONFIG)


@pytest.mark.parametrize("model_id", CORE_IDS)
def test_core_models_have_a_cited_config(model_id: str) -> None:
    entry = SHIPPED[model_id]
    assert entry.access != "api"
    assert entry.config is not None, f"{model_id} has no config block"
    assert entry.sources["config"] == f"https://huggingface.co/{entry.hub_id}/blob/main/config.json"


@pytest.mark.parametrize("model_id", BY_FORMULA)
def test_formula_reproduces_params_exactly(model_id: str) -> None:
    entry = SHIPPED[model_id]
    assert entry.config is not None and entry.params is not None
    count = resolve(config=_text(entry.config), exact=False).count
    assert count.method == "formula"
    assert count.total == entry.params, (
        f"{model_id}: config gives {count.total:,}, params says {entry.params:,}"
    )
    repo = _fixture_repo(entry)
    if repo is not None:
        assert entry.params == VERIFIED[repo]["hf_num_parameters"]


@needs_transformers
@pytest.mark.parametrize("model_id", BY_META)
def test_meta_device_count_is_params_until_a_formula_lands(model_id: str) -> None:
    entry = SHIPPED[model_id]
    assert entry.config is not None and entry.params is not None
    assert exact_count(_text(entry.config)) == entry.params


@pytest.mark.parametrize("model_id", DECODERS)
def test_moe_active_params_match_the_config(model_id: str) -> None:
    entry = SHIPPED[model_id]
    assert entry.config is not None
    if model_id in BY_META and not transformers_available():
        pytest.skip("needs torch and transformers (the bench extra)")
    resolved = resolve(config=_text(entry.config), exact=model_id in BY_META)
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
    assert isinstance(_text(entry.config).get("tie_word_embeddings"), bool)
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
    assert set(VERIFIED) == matched


def test_a_wrong_config_is_caught() -> None:
    entry = SHIPPED["llama-2-70b"]
    assert entry.config is not None
    wrong = {**entry.config, "num_key_value_heads": entry.config["num_attention_heads"]}
    count = resolve(config=wrong, exact=False).count
    assert count.total != entry.params


def test_multimodal_entries_count_the_text_model_and_state_the_tower() -> None:
    multimodal = [i for i in WITH_CONFIG if "text_config" in (SHIPPED[i].config or {})]
    assert {"llama-4-scout", "llama-4-maverick", "gemma-3-27b"} <= set(multimodal)
    for model_id in multimodal:
        notes = SHIPPED[model_id].notes or ""
        assert "vision" in notes and "full checkpoint" in notes, model_id


def _meta_count(config: Mapping[str, Any], auto_class: str) -> int:
    import torch
    import transformers

    values = {k: v for k, v in config.items() if k not in ("model_type", "architectures")}
    hf_config = transformers.AutoConfig.for_model(config["model_type"], **values)
    with torch.device("meta"):
        model = getattr(transformers, auto_class).from_config(hf_config)
    return sum(p.numel() for p in model.parameters())  # a tied matrix is one parameter


@needs_transformers
@pytest.mark.parametrize("model_id", NOT_DECODERS)
def test_encoder_and_encoder_decoder_counts_are_their_transformers_models(model_id: str) -> None:
    entry = SHIPPED[model_id]
    assert entry.config is not None and entry.params is not None
    assert entry.active_params is None
    assert _meta_count(entry.config, AUTO_CLASS[entry.kind]) == entry.params


def test_bert_and_t5_are_catalogued_as_what_they_are() -> None:
    assert {"bert-base-uncased", "bert-large-uncased", "t5-small", "t5-11b"} <= set(NOT_DECODERS)
    assert {SHIPPED[i].kind for i in NOT_DECODERS} == {"encoder", "encoder-decoder"}
    assert all(SHIPPED[i].kind == "decoder" for i in SHIPPED if SHIPPED[i].access == "api")
