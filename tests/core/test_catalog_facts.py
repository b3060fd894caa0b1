"""Facts in data/models.yaml and data/licenses.yaml that follow the files' own rules.

The header of models.yaml sets the rules: a tuning route is listed only where a job can still be
started (the catalog's "today" is 2026-11-22), a citation says what it cites, ``params`` is an
exact count where weights are public, and what used to be true is told in notes.
"""

from __future__ import annotations

import datetime as dt

import pytest

from catalog.curated import load_curated
from catalog.paths import shipped_data_dir
from catalog.schema import LicenseEntry, ModelEntry

TODAY = dt.date(2026, 11, 22)
"""The day the vendor pages behind the lifecycle and route claims were read."""

DATA = load_curated(shipped_data_dir())
MODELS: dict[str, ModelEntry] = dict(DATA.models)
LICENSES: dict[str, LicenseEntry] = dict(DATA.licenses)


def test_a_model_the_vendor_has_shut_down_is_not_tunable() -> None:
    for entry in MODELS.values():
        if entry.lifecycle and entry.lifecycle.shutdown and entry.lifecycle.shutdown <= TODAY:
            assert entry.tunability.methods == [], entry.id
            assert entry.tunability.routes == [], entry.id
            assert entry.tunability.notes, f"{entry.id}: say what was possible before"


@pytest.mark.parametrize("model_id", ["gpt-3.5-turbo", "gpt-4o", "gpt-4o-mini", "gpt-4.1"])
def test_azure_openai_routes_end_with_the_base_model(model_id: str) -> None:
    entry = MODELS[model_id]
    assert "azure-openai" not in entry.tunability.routes
    notes = entry.tunability.notes or ""
    assert "Azure" in notes and "retire" in notes, "the notes say what Azure allowed before"
    assert any(
        "azure-ai-docs" in url or "learn.microsoft.com" in url for url in entry.sources.values()
    )


def test_no_api_model_keeps_a_route_whose_vendor_retired_it() -> None:
    tunable = {i for i, e in MODELS.items() if "azure-openai" in e.tunability.routes}
    assert tunable == set()


@pytest.mark.parametrize(
    ("license_id", "quoted"),
    [
        ("tii-falcon-llm-1.0", "machine learning models trained using outputs"),
        ("mistral-mrl", "Any Outputs shall be subject to the restrictions"),
    ],
)
def test_a_departure_from_the_cited_reading_is_stated(license_id: str, quoted: str) -> None:
    term = LICENSES[license_id].term("output_training_restriction")
    assert term.value == "conditional"
    assert quoted in term.clause
    assert "[facts: yes]" in term.clause and "Departs" in term.clause


@pytest.mark.parametrize("model_id", ["gpt-4o", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano"])
def test_prices_cite_the_page_that_was_read(model_id: str) -> None:
    entry = MODELS[model_id]
    assert entry.api is not None and entry.api.pricing is not None
    source = entry.api.pricing.source
    assert not source.startswith("https://developers.openai.com/api/docs/models/")
    assert any("not read" in line for line in entry.unverified)


def test_babbage_002_has_a_price_or_says_why_not() -> None:
    entry = MODELS["babbage-002"]
    assert entry.api is not None and entry.api.pricing is not None
    assert entry.api.pricing.input_per_mtok == 0.4
    assert any("third-party" in line for line in entry.unverified)


def test_vendor_claims_cite_the_vendor() -> None:
    falcon = LICENSES["falcon-180b-tii-1.0"]
    assert falcon.source.startswith("https://huggingface.co/spaces/tiiuae/")
    assert all("sinotec2" not in (t.source or "") for t in falcon.terms.values())
    assert (
        MODELS["mistral-7b"].sources["access"] == "https://huggingface.co/mistralai/Mistral-7B-v0.1"
    )
    assert MODELS["gpt-4"].sources["fine_tuning"].startswith("https://platform.openai.com/")
    assert not any("scribd" in url for m in MODELS.values() for url in m.sources.values())


def test_open_weight_counts_are_exact_not_rounded() -> None:
    for entry in MODELS.values():
        if entry.access == "api" or entry.config is None or entry.params is None:
            continue
        assert entry.params % 1_000_000 != 0, f"{entry.id}: {entry.params:,} looks rounded"


def test_the_llama_v1_notes_tell_the_leak() -> None:
    for model_id in ("llama-7b", "llama-13b", "llama-33b", "llama-65b"):
        entry = MODELS[model_id]
        assert "leak" in (entry.notes or "") and "license" in (entry.notes or ""), model_id
        assert "leak" in entry.sources
        assert entry.access == "request"
