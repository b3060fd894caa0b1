"""data/licenses.yaml itself: complete, valid, cited, and consistent with itself."""

from __future__ import annotations

import yaml

from catalog.licenses.identifiers import scancode_key
from catalog.schema import LICENSE_TERMS, TERM_VALUES, URL_RE, LicenseEntry
from tests.licenses.conftest import LICENSES_YAML

REQUIRED_IDS = {
    "llama-1", "llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4", "apache-2.0",
    "tii-falcon-llm-1.0", "falcon-180b-tii-1.0", "falcon-2-11b-tii", "tii-falcon-license-2.0",
    "mit", "openai-api", "mistral-mrl", "mistral-mnpl", "gemma", "tongyi-qianwen",
    "tongyi-qianwen-research", "qwen", "qwen-research", "bigscience-bloom-rail-1.0",
    "bigcode-openrail-m", "deepseek-license-1.0", "cc-by-nc-4.0",
    "cc-by-sa-3.0", "cc-by-nc-sa-4.0",
}  # fmt: skip


def test_every_required_license_is_present_once() -> None:
    raw = yaml.safe_load(LICENSES_YAML.read_text(encoding="utf-8"))
    ids = [item["id"] for item in raw["licenses"]]
    assert len(ids) == len(set(ids)), "duplicate license ids"
    assert REQUIRED_IDS <= set(ids)


def test_every_entry_validates_and_states_every_term(licenses: dict[str, LicenseEntry]) -> None:
    for entry in licenses.values():
        assert set(entry.terms) == set(LICENSE_TERMS), entry.id
        for name, term in entry.terms.items():
            assert term.value in TERM_VALUES, (entry.id, name)
            assert term.clause.strip(), (entry.id, name)
            assert term.source is not None and URL_RE.match(term.source), (entry.id, name)
        assert URL_RE.match(entry.source), entry.id
        assert entry.url is None or URL_RE.match(entry.url), entry.id


def test_unknown_terms_say_why(licenses: dict[str, LicenseEntry]) -> None:
    for entry in licenses.values():
        for name, term in entry.terms.items():
            if term.value == "unknown":
                assert "UNVERIFIED" in term.clause or "unclear" in term.clause, (entry.id, name)


def test_user_caps_match_the_mau_term(licenses: dict[str, LicenseEntry]) -> None:
    capped = {lid for lid, e in licenses.items() if e.term("mau_limit").value == "yes"}
    assert capped == {lid for lid, e in licenses.items() if e.mau_limit is not None}
    assert capped >= {"llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4", "qwen"}
    for lid in capped:
        entry = licenses[lid]
        cap = entry.mau_limit
        assert cap is not None
        clause = entry.term("mau_limit").clause
        assert f"{cap:,}" in clause or f"{cap // 1_000_000} million" in clause, lid
    assert licenses["llama2"].mau_limit == 700_000_000
    assert licenses["tongyi-qianwen"].mau_limit == 100_000_000


def test_hosting_is_forbidden_only_where_a_clause_says_so(
    licenses: dict[str, LicenseEntry],
) -> None:
    no_hosting = {lid for lid, e in licenses.items() if e.term("hosting").value == "no"}
    assert no_hosting == {"falcon-180b-tii-1.0", "openai-api", "anthropic-api", "google-gemini-api"}
    assert "Hosting Use" in licenses["falcon-180b-tii-1.0"].term("hosting").clause


def test_identifiers_are_unambiguous(licenses: dict[str, LicenseEntry]) -> None:
    for attribute in ("hub_id", "hub_license_name", "spdx", "scancode_key"):
        values = [
            getattr(e, attribute)
            for e in licenses.values()
            if getattr(e, attribute) not in (None, "other", "unknown")
        ]
        assert len(values) == len(set(values)), attribute


def test_scancode_keys_exist_in_the_bundled_index(licenses: dict[str, LicenseEntry]) -> None:
    for entry in licenses.values():
        if entry.scancode_key is None:
            continue
        known = scancode_key(entry.scancode_key) == entry.scancode_key
        # qwen-2024 is only in the newer LicenseDB; the entry says so.
        assert known or "not in license-expression" in (entry.notes or ""), entry.id
