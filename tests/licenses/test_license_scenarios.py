"""Scenario tests built from the license texts, judged on the real data/licenses.yaml."""

from __future__ import annotations

import pytest

from catalog.domain import Model
from catalog.errors import UnknownLicenseError, UsageError
from catalog.licenses import IntendedUse, Verdict, check_compliance, judge, judge_many
from catalog.schema import LicenseEntry
from tests.licenses.conftest import as_json, make_model

BIG_PRODUCT = IntendedUse(use="commercial", mau=900_000_000, modify=True, distribute="derivatives")
STARTUP_DISTILLING = IntendedUse(use="commercial", mau=5_000, train_on_outputs=True)


def verdicts_for(
    models: dict[str, Model], licenses: dict[str, LicenseEntry], use: IntendedUse, *ids: str
) -> dict[str, Verdict]:
    return {v.model: v for v in check_compliance([models[i] for i in ids], licenses, use)}


def decisive_terms(verdict: Verdict) -> set[str]:
    return {r.term for r in verdict.decisive}


class TestBigCommercialProduct:
    """900M MAU, fine-tuned, derivatives redistributed (the issue's headline query)."""

    def test_llama_and_qwen_fall_to_their_user_caps(self, models, licenses) -> None:
        out = verdicts_for(
            models, licenses, BIG_PRODUCT,
            "llama-2-7b", "llama-3-8b", "llama-3.1-8b", "llama-3.3-70b", "qwen-7b", "qwen2.5-72b",
        )  # fmt: skip
        for verdict in out.values():
            assert verdict.verdict == "forbidden", verdict.model
            assert decisive_terms(verdict) == {"mau_limit"}, verdict.model
        llama = out["llama-2-7b"].decisive[0]
        assert "900,000,000" in llama.detail and "700,000,000" in llama.detail
        assert llama.source is not None and "llama2/LICENSE" in llama.source
        assert "100,000,000" in out["qwen-7b"].decisive[0].detail

    def test_non_commercial_licenses_are_forbidden(self, models, licenses) -> None:
        out = verdicts_for(
            models, licenses, BIG_PRODUCT, "llama-7b", "command-r", "mistral-large-2407"
        )
        for verdict in out.values():
            assert verdict.verdict == "forbidden", verdict.model
            assert "commercial_use" in decisive_terms(verdict), verdict.model
        assert "non-commercial" in out["llama-7b"].decisive[0].detail

    def test_permissive_licenses_are_allowed_with_notices(self, models, licenses) -> None:
        out = verdicts_for(models, licenses, BIG_PRODUCT, "mistral-7b", "gpt-neo-2.7b")
        for verdict in out.values():
            assert verdict.verdict == "allowed", verdict.model
            assert any("notices" in o for o in verdict.obligations), verdict.obligations

    def test_gemma_and_rail_licenses_are_conditional(self, models, licenses) -> None:
        out = verdicts_for(models, licenses, BIG_PRODUCT, "gemma-7b", "bloom", "starcoder")
        for verdict in out.values():
            assert verdict.verdict == "conditional", verdict.model
            assert {"use_restrictions", "copyleft"} <= decisive_terms(verdict), verdict.model
            assert any(
                o.startswith("Comply with the use restrictions") for o in verdict.obligations
            )
            assert any(o.startswith("Pass the license terms") for o in verdict.obligations)

    def test_share_alike_is_conditional(self, models, licenses) -> None:
        verdict = verdicts_for(models, licenses, BIG_PRODUCT, "mpt-7b-instruct")["mpt-7b-instruct"]
        assert verdict.verdict == "conditional"
        assert "copyleft" in decisive_terms(verdict)
        assert any("ShareAlike" in o for o in verdict.obligations)

    def test_api_model_derivatives_cannot_leave_the_vendor(self, models, licenses) -> None:
        verdict = verdicts_for(models, licenses, BIG_PRODUCT, "gpt-4")["gpt-4"]
        assert verdict.verdict == "forbidden"
        assert {"access", "derivatives_redistribution", "modification"} <= decisive_terms(verdict)

    def test_every_reason_cites_a_clause_and_a_source(self, models, licenses) -> None:
        for verdict in check_compliance(models.values(), licenses, BIG_PRODUCT):
            assert verdict.reasons, verdict.model
            for reason in verdict.reasons:
                if reason.term == "access":
                    continue
                assert ": " in reason.detail, reason
                assert reason.source is not None and reason.source.startswith("https://"), reason


class TestTrainingOnOutputs:
    """A small startup (5,000 MAU) distilling another model from a Llama's outputs."""

    def test_llama_2_forbids_it(self, models, licenses) -> None:
        verdict = judge(models["llama-2-7b"], licenses["llama2"], STARTUP_DISTILLING)
        assert verdict.verdict == "forbidden"
        assert decisive_terms(verdict) == {"output_training_restriction"}
        assert "§1b.v" in verdict.decisive[0].detail

    def test_llama_3_still_forbids_it(self, models, licenses) -> None:
        verdict = judge(models["llama-3-8b"], licenses["llama3"], STARTUP_DISTILLING)
        assert verdict.verdict == "forbidden"

    def test_llama_3_1_allows_it_with_naming_and_attribution(self, models, licenses) -> None:
        verdict = judge(models["llama-3.1-8b"], licenses["llama3.1"], STARTUP_DISTILLING)
        assert verdict.verdict == "conditional"
        naming = [o for o in verdict.obligations if o.startswith("Name derived models")]
        notices = [o for o in verdict.obligations if o.startswith("Keep the required notices")]
        assert naming and "“Llama” at the beginning" in naming[0]
        assert naming[0].endswith("(Llama 3.1 Community License Agreement)")
        assert notices and "Built with Llama" in notices[0]
        mau = next(r for r in verdict.reasons if r.term == "mau_limit")
        assert mau.effect == "allowed" and "5,000" in mau.detail

    def test_openai_outputs_may_not_build_competitors(self, models, licenses) -> None:
        verdict = judge(models["gpt-4"], licenses["openai-api"], STARTUP_DISTILLING)
        assert verdict.verdict == "forbidden"
        assert "compete with OpenAI" in verdict.decisive[0].detail


class TestHosting:
    def test_falcon_180b_as_a_hosted_api_is_forbidden(self, models, licenses) -> None:
        use = IntendedUse(use="commercial", mau=50_000, host_api=True)
        verdict = judge(models["falcon-180b"], licenses["falcon-180b-tii-1.0"], use)
        assert verdict.verdict == "forbidden"
        assert decisive_terms(verdict) == {"hosting"}
        assert "Hosting Use" in verdict.decisive[0].detail

    def test_falcon_180b_embedded_in_an_app_is_conditional(self, models, licenses) -> None:
        use = IntendedUse(use="commercial", mau=50_000)
        verdict = judge(models["falcon-180b"], licenses["falcon-180b-tii-1.0"], use)
        assert verdict.verdict == "conditional"
        assert any(o.startswith("Do not offer the model") for o in verdict.obligations)

    def test_rail_models_may_be_hosted(self, models, licenses) -> None:
        use = IntendedUse(host_api=True)
        verdict = judge(models["bloom"], licenses["bigscience-bloom-rail-1.0"], use)
        assert verdict.verdict == "conditional"
        assert next(r for r in verdict.reasons if r.term == "hosting").effect == "allowed"


class TestApiOnlyModels:
    def test_distributing_gpt_4_weights_is_forbidden(self, models, licenses) -> None:
        use = IntendedUse(use="research", distribute="weights")
        verdict = judge(models["gpt-4"], licenses["openai-api"], use)
        assert verdict.verdict == "forbidden"
        assert {"access", "redistribution"} <= decisive_terms(verdict)

    def test_fine_tuning_goes_through_the_vendor_api(self, models, licenses) -> None:
        use = IntendedUse(modify=True)
        tunable = judge(models["gpt-4o"], licenses["openai-api"], use)
        assert tunable.verdict == "conditional"
        assert any("OpenAI's fine-tuning API" in o for o in tunable.obligations)
        untunable = judge(models["gpt-4"], licenses["openai-api"], use)
        assert untunable.verdict == "forbidden"
        assert decisive_terms(untunable) == {"modification"}

    def test_plain_api_use_costs_fees(self, models, licenses) -> None:
        verdict = judge(models["gpt-4"], licenses["openai-api"], IntendedUse())
        assert verdict.verdict == "conditional"
        assert any(o.startswith("Pay the royalties or fees") for o in verdict.obligations)


class TestNonCommercialUse:
    def test_research_on_llama_1_is_conditional(self, models, licenses) -> None:
        use = IntendedUse(use="research", modify=True, distribute="derivatives")
        verdict = judge(models["llama-7b"], licenses["llama-1"], use)
        assert verdict.verdict == "conditional"
        assert "commercial_use" not in decisive_terms(verdict)

    def test_personal_use_of_cc_by_nc_without_sharing_is_conditional(
        self, models, licenses
    ) -> None:
        verdict = judge(models["command-r"], licenses["cc-by-nc-4.0"], IntendedUse(use="personal"))
        assert verdict.verdict == "conditional"
        assert any("non-commercial" in o for o in verdict.obligations)

    def test_personal_use_of_mit_is_allowed_without_obligations(self, models, licenses) -> None:
        verdict = judge(models["gpt-neo-2.7b"], licenses["mit"], IntendedUse(use="personal"))
        assert verdict.verdict == "allowed"
        assert verdict.obligations == []


class TestUnknown:
    def test_unverified_license_text_gives_unknown(self, licenses) -> None:
        falcon3 = make_model("falcon3-7b", "tii-falcon-license-2.0")
        verdict = judge(falcon3, licenses["tii-falcon-license-2.0"], IntendedUse())
        assert verdict.verdict == "unknown"
        assert all("UNVERIFIED" in r.detail for r in verdict.decisive)

    def test_a_forbidding_term_outweighs_unknown_ones(self, licenses) -> None:
        codestral = make_model("codestral-22b", "mistral-mnpl")
        verdict = judge(codestral, licenses["mistral-mnpl"], BIG_PRODUCT)
        assert verdict.verdict == "forbidden"
        assert any(r.effect == "unknown" for r in verdict.reasons)

    def test_without_a_user_count_the_cap_becomes_an_obligation(self, models, licenses) -> None:
        verdict = judge(models["llama-2-7b"], licenses["llama2"], IntendedUse())
        assert verdict.verdict == "conditional"
        assert any(o.startswith("Stay at or below 700,000,000") for o in verdict.obligations)


class TestLineage:
    """A Hub re-upload of Llama 2 that claims apache-2.0 is still bound by Llama 2's terms."""

    REUPLOAD = make_model("someone-llama-2-7b-apache", "apache-2.0")

    def test_the_base_license_decides_with_a_lineage_reason(self, licenses) -> None:
        verdict = judge_many(
            self.REUPLOAD, [licenses["apache-2.0"], licenses["llama2"]], BIG_PRODUCT,
            lineage_note="re-upload of meta-llama/Llama-2-7b-hf",
        )  # fmt: skip
        assert verdict.verdict == "forbidden"
        assert verdict.license == "llama2"
        assert verdict.licenses == ("apache-2.0", "llama2")
        assert verdict.reasons[0].term == "lineage"
        assert "meta-llama/Llama-2-7b-hf" in verdict.reasons[0].detail
        assert any(
            r.detail.startswith("[llama2]") and r.term == "mau_limit" for r in verdict.decisive
        )

    def test_obligations_of_both_licenses_are_united(self, licenses) -> None:
        small = IntendedUse(mau=5_000, modify=True, distribute="derivatives")
        own = judge(self.REUPLOAD, licenses["apache-2.0"], small)
        both = judge_many(self.REUPLOAD, [licenses["apache-2.0"], licenses["llama2"]], small)
        assert own.verdict == "allowed"
        assert both.verdict == "conditional"
        assert set(own.obligations) < set(both.obligations)
        assert any("Llama 2 Community License" in o for o in both.obligations)

    def test_one_license_without_a_note_is_a_plain_judgement(self, models, licenses) -> None:
        single = judge_many(models["mistral-7b"], [licenses["apache-2.0"]], BIG_PRODUCT)
        assert single == judge(models["mistral-7b"], licenses["apache-2.0"], BIG_PRODUCT)
        with pytest.raises(UsageError):
            judge_many(models["mistral-7b"], [], BIG_PRODUCT)


class TestContract:
    def test_json_shape(self, models, licenses) -> None:
        verdict = judge(models["llama-2-7b"], licenses["llama2"], BIG_PRODUCT)
        data = as_json(verdict.to_json())
        assert set(data) == {"model", "license", "verdict", "obligations", "reasons"}
        assert data["model"] == "llama-2-7b" and data["license"] == "llama2"
        assert all(set(r) == {"term", "detail", "source"} for r in data["reasons"])
        assert as_json(BIG_PRODUCT.to_json()) == {
            "use": "commercial", "mau": 900_000_000, "modify": True,
            "distribute": "derivatives", "train_on_outputs": False, "host_api": False,
        }  # fmt: skip

    def test_unknown_license_id_is_an_error(self, licenses) -> None:
        stray = make_model("stray", "llama-2")
        with pytest.raises(UnknownLicenseError) as caught:
            check_compliance([stray], licenses, IntendedUse())
        assert "llama2" in caught.value.suggestions

    def test_bad_use_values_are_usage_errors(self) -> None:
        with pytest.raises(UsageError, match="distribution"):
            IntendedUse.from_options(distribute="everything")
        with pytest.raises(UsageError, match="use"):
            IntendedUse.from_options(use="military")
        with pytest.raises(UsageError, match="mau"):
            IntendedUse.from_options(mau="lots")
        assert IntendedUse.from_options(mau="1.5B", use="Research").mau == 1_500_000_000
