"""``catalog.advisor.advise``: cases that must come out differently, and the guarantees of every plan."""

from __future__ import annotations

import json
from typing import Any

import pytest

from catalog.advisor import APPROACHES, Advice, advise
from catalog.api import Catalog
from catalog.errors import UsageError
from catalog.licenses import IntendedUse, judge

GB = 1000**3


def plan(cat: Catalog, **answers: Any) -> Advice:
    answers.setdefault("memory", "16GB")
    answers.setdefault("gpu_memory", "0")
    return advise(catalog=cat, **answers)


def licenses(cat: Catalog) -> dict[str, Any]:
    return {entry.id: entry for entry in cat.licenses()}


def test_no_labelled_data_and_documents_means_retrieval(ccat: Catalog) -> None:
    advice = plan(ccat, task="domain-qa", examples=0, documents=True)
    assert advice.approach == "rag" and advice.rule == "R1"
    assert advice.shortlist, "retrieval needs a model to generate with"
    assert all(c.cost.trainable_params in (0, None) for c in advice.shortlist)


def test_many_examples_on_premises_with_a_24gb_gpu_means_peft_on_an_open_model(
    ccat: Catalog,
) -> None:
    advice = plan(
        ccat, task="classification", examples=50_000, on_prem=True, gpu_memory="24GB", top=10
    )
    assert advice.approach in ("lora", "qlora")
    assert advice.shortlist
    table = licenses(ccat)
    for candidate in advice.shortlist:
        model, fit = candidate.model, candidate.cost.fit
        assert model.access != "api"
        assert advice.approach in model.tunability
        assert fit.level in ("fits", "tight") and fit.device == "gpu:0"
        assert candidate.cost.memory_bytes is not None and candidate.cost.memory_bytes <= 24 * GB
        verdict = judge(model, table[model.license], IntendedUse(modify=True))
        assert verdict.verdict != "forbidden"
        assert candidate.verdict.verdict == verdict.verdict
    configured = [c for c in advice.shortlist if c.model.config]
    assert configured, "the reference models with configs fit a 24 GB GPU"
    assert all(c.cost.trainable_params and not c.cost.approximate for c in configured)


def test_twenty_examples_mean_few_shot_prompt_engineering(ccat: Catalog) -> None:
    advice = plan(ccat, task="classification", examples=20)
    assert advice.approach == "few-shot" and advice.rule == "R3"
    assert advice.to_json()["kind"] == "prompt-engineering"


def test_no_examples_and_no_documents_mean_zero_shot_prompting(ccat: Catalog) -> None:
    assert plan(ccat, task="summarization", examples=0).approach == "prompt-engineering"


def test_no_training_budget_keeps_many_examples_in_the_prompt(ccat: Catalog) -> None:
    advice = plan(ccat, task="extraction", examples=50_000, budget="none", gpu_memory="24GB")
    assert (advice.approach, advice.rule) == ("few-shot", "R4")


def test_a_few_hundred_examples_wait_for_the_baseline_unless_requests_must_be_cheap(
    ccat: Catalog,
) -> None:
    base = plan(ccat, task="classification", examples=500, gpu_memory="24GB")
    assert (base.approach, base.rule) == ("few-shot", "R5")
    cheap = plan(ccat, task="classification", examples=500, gpu_memory="24GB", latency="high")
    assert cheap.approach in ("lora", "qlora")


def test_many_tasks_on_a_low_budget_mean_prompt_tuning(ccat: Catalog) -> None:
    advice = plan(
        ccat, task="classification", examples=5_000, tasks=5, budget="low", gpu_memory="24GB"
    )
    assert advice.approach == "prompt-tuning" and advice.rule == "R6"
    assert all("prompt-tuning" in c.model.tunability for c in advice.shortlist)


def test_lots_of_data_a_high_budget_and_a_big_gpu_mean_full_fine_tuning(ccat: Catalog) -> None:
    advice = plan(ccat, task="classification", examples=500_000, budget="high", gpu_memory="200GB")
    assert advice.approach == "full-finetune"
    best = advice.shortlist[0]
    assert best.cost.trainable_params == best.model.params


def test_no_gpu_and_data_that_may_leave_mean_vendor_fine_tuning(ccat: Catalog) -> None:
    advice = plan(ccat, task="summarization", examples=5_000)
    assert advice.approach == "vendor-finetune"
    assert advice.shortlist
    for candidate in advice.shortlist:
        assert "api-finetune" in candidate.model.tunability
        assert candidate.cost.fit.level == "n/a"
        vendor = candidate.cost.vendor or {}
        assert vendor["vendor"] and "training_cost_assumption" in vendor
        price = vendor["training_per_mtok"]
        if price is not None:
            assert vendor["training_cost_usd"] == round(5_000 * 500 * 3 / 1e6 * price, 2)


def test_on_premises_leaves_out_api_models(ccat: Catalog) -> None:
    cloud = plan(ccat, task="chat", examples=20, top=80)
    local = plan(ccat, task="chat", examples=20, top=80, on_prem=True)
    assert any(c.model.access == "api" for c in cloud.shortlist)
    assert local.shortlist and all(c.model.access != "api" for c in local.shortlist)
    vendor = next(a for a in local.alternatives if a.approach == "vendor-finetune")
    assert not vendor.viable


def test_a_forbidden_license_never_appears(ccat: Catalog) -> None:
    table = licenses(ccat)
    for answers in (
        {"task": "chat", "examples": 20, "mau": "1B", "top": 80},
        {"task": "classification", "examples": 50_000, "gpu_memory": "80GB", "top": 80},
        {"task": "code", "examples": 5_000, "top": 80, "train_on_outputs": True},
    ):
        advice = plan(ccat, **answers)
        for candidate in advice.shortlist:
            verdict = judge(candidate.model, table[candidate.model.license], advice.use)
            assert verdict.verdict != "forbidden", (answers, candidate.model.id)
    over_cap = plan(ccat, task="chat", examples=20, mau="1B", top=80)
    assert not any(c.model.license == "llama2" for c in over_cap.shortlist)
    tuned = plan(ccat, task="classification", examples=50_000, gpu_memory="80GB", top=80)
    assert not any(c.model.id == "llama-7b" for c in tuned.shortlist)  # research-only license


def test_alternatives_cover_every_other_approach_viable_first(ccat: Catalog) -> None:
    advice = plan(ccat, task="classification", examples=50_000, on_prem=True, gpu_memory="24GB")
    names = [a.approach for a in advice.alternatives]
    assert sorted(names) == sorted(a for a in APPROACHES if a != advice.approach)
    viable = [a.viable for a in advice.alternatives]
    assert viable == sorted(viable, reverse=True)
    for alternative in advice.to_json()["alternatives"]:
        assert alternative["pros"] and alternative["cons"] and alternative["why_not"]
    full = next(a for a in advice.alternatives if a.approach == "full-finetune")
    assert not full.viable and "100,000" in full.why_not


def test_the_reasons_follow_the_checklist(ccat: Catalog) -> None:
    advice = plan(ccat, task="classification", examples=50_000, on_prem=True, gpu_memory="24GB")
    steps = [step for step, _ in advice.checklist]
    assert steps[:5] == [
        "use case",
        "cheaper alternatives first",
        "costs",
        "benefits",
        "decision",
    ]
    costs = dict(advice.checklist)["costs"]
    for word in ("tunability", "effort", "compute", "data"):
        assert word in costs
    benefits = dict(advice.checklist)["benefits"]
    for word in ("quality", "token cost", "reuse of the base model"):
        assert word in benefits


def test_the_json_shape_and_determinism(ccat: Catalog) -> None:
    first = plan(ccat, task="classification", examples=50_000, gpu_memory="24GB").to_json()
    second = plan(ccat, task="classification", examples=50_000, gpu_memory="24GB").to_json()
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert {"approach", "reasons", "alternatives", "shortlist"} <= first.keys()
    for alternative in first["alternatives"]:
        assert {"approach", "pros", "cons", "why_not"} <= alternative.keys()
    for entry in first["shortlist"]:
        keys = {
            "model",
            "score",
            "why",
            "trainable_params",
            "memory_bytes",
            "license_verdict",
            "fit",
        }
        assert keys <= entry.keys()
    scores = [entry["score"] for entry in first["shortlist"]]
    assert scores == sorted(scores, reverse=True)


def test_an_intended_use_object_and_free_text_tasks_are_accepted(ccat: Catalog) -> None:
    advice = advise(
        catalog=ccat,
        task="answer support tickets in German",
        use=IntendedUse(use="research", modify=True),
        memory="16GB",
        gpu_memory="0",
    )
    assert advice.answers.task == "domain-qa" and advice.approach == "prompt-engineering"
    assert advice.use.use == "research" and advice.use.modify


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"task": "chat", "examples": -1}, "examples"),
        ({"task": "chat", "examples": 5, "budget": "lots"}, "budget"),
        ({"task": "chat", "examples": 5, "latency": "extreme"}, "latency"),
        ({"task": "chat", "examples": 5, "use": "military"}, "use"),
        ({"task": "chat", "examples": 5, "gpu_memory": "huge"}, "gpu_memory"),
        ({"examples": 5}, "task"),
    ],
)
def test_bad_answers_name_the_field(ccat: Catalog, answers: dict[str, Any], field: str) -> None:
    with pytest.raises(UsageError, match=field):
        advise(catalog=ccat, answers=answers)


def test_on_premises_without_a_gpu_shows_what_qlora_would_need(ccat: Catalog) -> None:
    advice = plan(ccat, task="classification", examples=50_000, on_prem=True, gpu_memory="0")
    assert (advice.approach, advice.rule) == ("qlora", "R7e")
    assert not advice.fits_here and advice.shortlist
    needs = [c.cost.memory_bytes or 0 for c in advice.shortlist]
    assert needs == sorted(needs), "the smallest requirement first"
    assert all(c.cost.fit.level == "no" and c.model.access != "api" for c in advice.shortlist)
