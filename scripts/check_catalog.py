"""Check the shipped catalog and report, per entry, which claims carry a source and which are unverified.

Run from the repository root::

    .venv/bin/python scripts/check_catalog.py            # problems, then the summary
    .venv/bin/python scripts/check_catalog.py --entries  # plus one line per entry
    .venv/bin/python scripts/check_catalog.py --format json

A claim is one kind of fact an entry states (license, access, parameter count, config, prices,
lifecycle, tuning routes, context length, release date). It is *sourced* when a URL in the entry
backs it, and *unverified* when a line of the entry's ``unverified`` list is about it (a line about
nothing listed counts as an ``other`` claim; the "never disclosed" line the schema asks of a null
parameter count is not a doubt). The unverified share is unverified claims over all claims.

Exit code 1 when a problem is found: a duplicate id, an unknown license, an unsourced license or
access claim, a license no model uses, an inconsistent API or open-weight entry.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from catalog.schema import LicenseEntry, ModelEntry  # noqa: E402

UNUSED_ALLOWED = {
    "unknown": "what a Hub model whose license modelcat does not know is judged under",
    "tii-falcon-llm-1.0": "the license of Hub fine-tunes tagged tii-falcon-llm (the Falcon models"
    " first released under it are Apache 2.0 now)",
}
"""Licenses kept without a curated model, and why (the Hub sync judges Hub-tier models by them)."""

# (claim, words that put an unverified line on it), first match wins
_TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("config", ("config",)),
    ("pricing", ("price", "pricing")),
    ("lifecycle", ("shutdown", "retire", "current status", "deprecat")),
    ("tunability", ("fine-tun", "fine_tun", "tunab", "tuning")),
    ("license", ("license", "licence", "relicens")),
    ("access", ("gated", "access", "request")),
    ("params", ("parameter", "params")),
    ("context_length", ("context",)),
    ("release_date", ("release", "upload date", "announced")),
)
_ROUTE_SOURCES = ("fine_tuning", "training_price", "azure", "bedrock", "vertex", "routes")


@dataclass
class EntryReport:
    """The claims of one entry, by provenance."""

    id: str
    sourced: list[str] = field(default_factory=list)
    unsourced: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)


def topic_of(line: str) -> str:
    """The claim an ``unverified`` line is about (``other`` when none matches)."""
    lowered = line.lower()
    for topic, words in _TOPICS:
        if any(word in lowered for word in words):
            return topic
    return "other"


def _claims(entry: ModelEntry) -> dict[str, bool]:
    """Each claim the entry makes, and whether a source URL backs it."""
    keys = set(entry.sources)
    claims = {
        "license": "license" in keys,
        "access": "access" in keys,
        "release_date": bool(keys & {"release", "paper", "announcement"}),
        "tunability": any(k.startswith(_ROUTE_SOURCES) for k in keys) or entry.config is not None,
    }
    if entry.params is not None:
        claims["params"] = any(k.startswith("params") for k in keys)
    if entry.context_length is not None:
        claims["context_length"] = "config" in keys or "context" in keys
    if entry.config is not None:
        claims["config"] = "config" in keys
    if entry.api is not None and entry.api.pricing is not None:
        claims["pricing"] = True  # the schema requires pricing.source
    if entry.lifecycle is not None:
        claims["lifecycle"] = True  # the schema requires lifecycle.source
    return claims


def _states_a_null_count(entry: ModelEntry, line: str) -> bool:
    # the schema asks a null params to say why in `unverified`: that is no claim, so no doubt
    return entry.params is None and topic_of(line) == "params" and "disclosed" in line.lower()


def report_entry(entry: ModelEntry) -> EntryReport:
    """Which of the entry's claims are sourced, unsourced and unverified."""
    claims = _claims(entry)
    lines = [line for line in entry.unverified if not _states_a_null_count(entry, line)]
    # a line about a claim the entry does not make still counts, as "other"
    flagged = {t if t in claims else "other" for t in map(topic_of, lines)}
    if "other" in flagged:
        claims["other"] = False
    return EntryReport(
        id=entry.id,
        sourced=sorted(c for c, ok in claims.items() if ok),
        unsourced=sorted(c for c, ok in claims.items() if not ok),
        unverified=sorted(flagged),
    )


def problems_of(raw_ids: list[str], models: dict[str, ModelEntry], licenses: set[str]) -> list[str]:
    """Everything in the catalog that breaks one of the data's rules."""
    problems = [f"duplicate id {i}" for i, n in collections.Counter(raw_ids).items() if n > 1]
    for e in models.values():
        if e.license not in licenses:
            problems.append(f"{e.id}: unknown license {e.license}")
        if e.access == "api" and (e.architecture or e.hub_id):
            problems.append(f"{e.id}: API model with architecture or hub_id")
        if e.access == "api" and e.params is not None and "params" not in e.sources:
            problems.append(f"{e.id}: API model params without a source")
        if e.access != "api" and e.params is None:
            problems.append(f"{e.id}: open-weight model without params")
        if e.active_params is not None and e.params is None:
            problems.append(f"{e.id}: active_params without params")
        for claim in ("license", "access"):
            if claim not in e.sources:
                problems.append(f"{e.id}: {claim} claim without a source")
    used = {e.license for e in models.values()}
    problems += [
        f"license {lid} is used by no model"
        for lid in sorted(licenses - used - set(UNUSED_ALLOWED))
    ]
    return problems


def main(argv: list[str] | None = None) -> int:
    """Check the shipped catalog, print the report, return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--entries", action="store_true", help="one line per entry (text)")
    parser.add_argument(
        "--data", type=Path, default=ROOT / "data", help="folder with models.yaml, licenses.yaml"
    )
    args = parser.parse_args(argv)

    raw = yaml.safe_load((args.data / "models.yaml").read_text(encoding="utf-8"))
    raw_licenses = yaml.safe_load((args.data / "licenses.yaml").read_text(encoding="utf-8"))
    raw_ids = [str(item.get("id")) for item in raw["models"]]
    invalid: list[str] = []
    models: dict[str, ModelEntry] = {}
    for item in raw["models"]:
        try:
            entry = ModelEntry.model_validate(item)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            invalid.append(f"{item.get('id')}: invalid {where}: {first['msg']}")
            continue
        models[entry.id] = entry
    licenses = {lic.id for lic in map(LicenseEntry.model_validate, raw_licenses["licenses"])}
    problems = invalid + problems_of(raw_ids, models, licenses)
    reports = [report_entry(models[i]) for i in sorted(models)]
    claims = sum(len(r.sourced) + len(r.unsourced) for r in reports)
    unverified = sum(len(r.unverified) for r in reports)
    unsourced_la = sum(1 for r in reports for c in r.unsourced if c in ("license", "access"))
    summary = {
        "entries": len(reports),
        "claims": claims,
        "sourced_claims": sum(len(r.sourced) for r in reports),
        "unverified_claims": unverified,
        "unverified_share": round(unverified / claims, 4) if claims else 0.0,
        "unsourced_license_or_access_claims": unsourced_la,
        "licenses": len(licenses),
        "problems": problems,
    }
    if args.format == "json":
        print(json.dumps({"summary": summary, "entries": [asdict(r) for r in reports]}, indent=2))
    else:
        if args.entries:
            for r in reports:
                print(
                    f"{r.id}: sourced {', '.join(r.sourced) or '-'}; "
                    f"unsourced {', '.join(r.unsourced) or '-'}; "
                    f"unverified {', '.join(r.unverified) or '-'}"
                )
        for p in problems:
            print(f"problem: {p}")
        print(
            f"{summary['entries']} entries, {claims} claims, {summary['sourced_claims']} sourced, "
            f"{unverified} unverified ({100 * unverified / max(claims, 1):.1f}%), "
            f"{unsourced_la} unsourced license or access claims, {len(problems)} problems"
        )
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
