"""SARIF 2.1.0 output of compliance verdicts, for code-scanning dashboards in CI.

One result per ``forbidden`` (level ``error``) or ``unknown`` (level ``warning``) verdict; the
rule is the license term that decided it (``license/mau_limit``, ``license/policy``, ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from catalog.licenses.compliance import IntendedUse, Verdict
from catalog.licenses.terms import EXTRA_REASON_TERMS, TERM_DESCRIPTIONS, TERM_LABELS
from catalog.schema import LICENSE_TERMS

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
RULE_TERMS: tuple[str, ...] = (*LICENSE_TERMS, *EXTRA_REASON_TERMS)
_LEVELS = {"forbidden": "error", "unknown": "warning"}
_INFO_URI = "https://github.com/modelcat/modelcat"


def rule_id(term: str) -> str:
    """The SARIF rule id of a term (``license/mau_limit``)."""
    return f"license/{term}"


def sarif_report(
    verdicts: Sequence[Verdict],
    *,
    use: IntendedUse | None = None,
    artifact: str | None = None,
    tool_version: str | None = None,
) -> dict[str, Any]:
    """A SARIF 2.1.0 log of the verdicts that fail or cannot be decided.

    Args:
        verdicts: the output of ``check_compliance``.
        use: the intended use, recorded in the run's properties.
        artifact: the file the results point at (the policy file in CI), if any.
        tool_version: the modelcat version; read from the installed package when omitted.

    Returns:
        A JSON-ready SARIF document with one run.
    """
    rules = [_rule(term) for term in RULE_TERMS]
    index = {term: position for position, term in enumerate(RULE_TERMS)}
    results = [_result(v, index, artifact) for v in verdicts if v.verdict in _LEVELS]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "modelcat",
                "informationUri": _INFO_URI,
                "version": tool_version or _version(),
                "rules": rules,
            }
        },
        "results": results,
    }
    if use is not None:
        run["properties"] = {"query": use.to_json()}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def _rule(term: str) -> dict[str, Any]:
    return {
        "id": rule_id(term),
        "name": "".join(part.capitalize() for part in term.split("_")),
        "shortDescription": {"text": TERM_LABELS[term]},
        "fullDescription": {"text": TERM_DESCRIPTIONS[term]},
        "defaultConfiguration": {"level": "error"},
    }


def _result(verdict: Verdict, index: dict[str, int], artifact: str | None) -> dict[str, Any]:
    decisive = verdict.decisive
    term = decisive[0].term if decisive else "policy"
    details = "; ".join(r.detail for r in decisive) or "no deciding term recorded"
    if verdict.verdict == "forbidden":
        text = f"{verdict.model} ({verdict.license}): the intended use is forbidden. {details}"
    else:
        text = (
            f"{verdict.model} ({verdict.license}): a term this use needs is unverified. {details}"
        )
    location: dict[str, Any] = {
        "logicalLocations": [{"name": verdict.model, "kind": "module"}],
    }
    if artifact is not None:
        location["physicalLocation"] = {"artifactLocation": {"uri": artifact}}
    result: dict[str, Any] = {
        "ruleId": rule_id(term),
        "level": _LEVELS[verdict.verdict],
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {"modelcatVerdict/v1": f"{verdict.model}:{verdict.license}:{term}"},
        "properties": verdict.to_json(),
    }
    if term in index:
        result["ruleIndex"] = index[term]
    sources = [r.source for r in decisive if r.source and r.source.startswith("http")]
    if sources:
        result["relatedLocations"] = [
            {"id": n, "physicalLocation": {"artifactLocation": {"uri": uri}}}
            for n, uri in enumerate(dict.fromkeys(sources))
        ]
    return result


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("modelcat")
    except PackageNotFoundError:
        return "0.0.0"
