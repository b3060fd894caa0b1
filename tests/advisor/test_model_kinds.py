"""The advisor recommends decoder LLMs only: BERT and T5 are in the catalog for reference."""

from __future__ import annotations

from typing import Any

import pytest

from catalog.advisor import advise
from catalog.advisor.approaches import INFO
from catalog.api import Catalog

SCENARIOS: list[dict[str, Any]] = [
    {
        "task": "classification",
        "examples": 5_000,
        "tasks": 5,
        "budget": "low",
        "gpu_memory": "24GB",
    },
    {"task": "classification", "examples": 50_000, "on_prem": True, "gpu_memory": "80GB"},
    {"task": "classification", "examples": 500_000, "budget": "high", "gpu_memory": "200GB"},
    {"task": "domain-qa", "examples": 0, "documents": True},
    {"task": "summarization", "examples": 5_000},
]


@pytest.mark.parametrize("answers", SCENARIOS)
def test_no_encoder_or_encoder_decoder_model_is_recommended(
    ccat: Catalog, answers: dict[str, Any]
) -> None:
    advice = advise(catalog=ccat, memory="16GB", top=500, **{"gpu_memory": "0", **answers})
    assert advice.shortlist
    assert all(c.model.kind == "decoder" for c in advice.shortlist)


def test_t5_small_would_qualify_for_prompt_tuning_but_is_left_out(ccat: Catalog) -> None:
    t5 = ccat.get("t5-small")
    assert t5.kind == "encoder-decoder" and "prompt-tuning" in t5.tunability
    assert t5.access == "open" and t5.license == "apache-2.0"
    advice = advise(catalog=ccat, memory="16GB", top=500, **SCENARIOS[0])
    assert advice.approach == "prompt-tuning"
    assert "t5-small" not in {c.model.id for c in advice.shortlist}


def test_prompt_tuning_cites_the_model_family_it_was_measured_on(ccat: Catalog) -> None:
    assert any("t5-11b" in con for con in INFO["prompt-tuning"].cons)
    t5 = ccat.get("t5-11b")
    assert t5.kind == "encoder-decoder" and t5.params is not None and t5.params > 11_000_000_000


def test_gpt_oss_is_an_open_candidate(ccat: Catalog) -> None:
    advice = advise(catalog=ccat, memory="16GB", top=500, **SCENARIOS[1])
    assert advice.approach in ("lora", "qlora")
    assert "gpt-oss-20b" in {c.model.id for c in advice.shortlist}


def test_kind_is_in_the_json_of_a_model(ccat: Catalog) -> None:
    assert ccat.get("bert-base-uncased").to_json()["kind"] == "encoder"
    assert ccat.get("gpt-oss-20b").to_json()["kind"] == "decoder"


@pytest.mark.parametrize("model_id", ["bert-base-uncased", "t5-11b"])
def test_an_estimate_of_bert_or_t5_uses_its_size_only(ccat: Catalog, model_id: str) -> None:
    from catalog.fit.verdict import estimate_for

    model = ccat.get(model_id)
    result = estimate_for(model, cat=ccat)
    assert any(f"an {model.kind} model" in note for note in result.assumptions)
