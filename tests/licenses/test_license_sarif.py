"""SARIF 2.1.0 output: one result per forbidden or unknown verdict, a rule per term."""

from __future__ import annotations

from catalog.licenses import IntendedUse, check_compliance, sarif_report
from catalog.licenses.policy import Policy
from catalog.licenses.sarif import RULE_TERMS
from tests.licenses.conftest import as_json, make_model

USE = IntendedUse(mau=900_000_000, modify=True, distribute="derivatives")


def test_only_failing_verdicts_become_results(licenses, models) -> None:
    picked = [models[i] for i in ("llama-2-7b", "mistral-7b", "gemma-7b", "command-r")]
    unverified = make_model("falcon3-7b", "tii-falcon-license-2.0")
    verdicts = check_compliance([*picked, unverified], licenses, USE)
    log = as_json(sarif_report(verdicts, use=USE, artifact="policy.yaml", tool_version="9.9"))
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    assert run["tool"]["driver"]["name"] == "modelcat" and run["tool"]["driver"]["version"] == "9.9"
    assert run["properties"]["query"]["mau"] == 900_000_000
    by_model = {r["locations"][0]["logicalLocations"][0]["name"]: r for r in run["results"]}
    assert set(by_model) == {"llama-2-7b", "command-r", "falcon3-7b"}
    llama = by_model["llama-2-7b"]
    assert llama["level"] == "error" and llama["ruleId"] == "license/mau_limit"
    assert "700,000,000" in llama["message"]["text"]
    rules = run["tool"]["driver"]["rules"]
    assert rules[llama["ruleIndex"]]["id"] == "license/mau_limit"
    assert llama["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "policy.yaml"
    assert llama["properties"]["verdict"] == "forbidden"
    assert llama["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(
        "https://"
    )
    assert by_model["command-r"]["ruleId"] == "license/commercial_use"
    assert by_model["falcon3-7b"]["level"] == "warning"


def test_every_term_has_a_rule_with_text(licenses, models) -> None:
    log = sarif_report([], tool_version="1")
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [f"license/{t}" for t in RULE_TERMS]
    assert all(r["shortDescription"]["text"] and r["fullDescription"]["text"] for r in rules)
    assert log["runs"][0]["results"] == []
    assert "properties" not in log["runs"][0]


def test_policy_denials_use_the_policy_rule(licenses, models) -> None:
    policy = Policy(use=USE, deny_licenses=frozenset({"apache-2.0"}), path="policy.yaml")
    verdicts = check_compliance([models["mistral-7b"]], licenses, USE, policy=policy)
    (result,) = sarif_report(verdicts, tool_version="1")["runs"][0]["results"]
    assert result["ruleId"] == "license/policy"
    assert "physicalLocation" not in result["locations"][0]
