"""Listings that say what they mean: every status shown, empty results explained with the flags
the user gave, loose family names answered with the close ones, license terms in words."""

from __future__ import annotations

import json
import re

import pytest

from catalog.licenses.terms import PERMISSION_TERMS, term_meaning
from catalog.schema import LICENSE_TERMS
from tests.cli.conftest import cli


def rows(stdout: str) -> dict[str, str]:
    return {line.split()[0]: line for line in stdout.splitlines()[2:] if line.strip()}


@pytest.mark.usefixtures("fixed_today")
def test_the_status_column_shows_active_too() -> None:
    table = rows(cli("list", "--access", "api", columns="200").stdout)
    assert table["gpt-4o"].split()[-1] == "deprecated"
    assert table["gpt-4"].split()[-1] == "retired"
    assert all(line.split()[-1] in ("active", "deprecated", "retired") for line in table.values())
    assert (
        cli("list", "--search", "pythia-1b", columns="200")
        .stdout.splitlines()[2]
        .endswith("active")
    )


@pytest.mark.usefixtures("fixed_today")
def test_an_empty_shortlist_names_only_flags_the_user_gave() -> None:
    result = cli("shortlist", "--family", "GPT-4")
    assert result.exit_code == 0
    assert "2 matching models were left out as retired" in result.stderr
    assert "--include-retired shows them" in result.stderr
    suggested = re.search(r"give results: (.*)\.", result.stderr)
    assert suggested is None or "--include-retired" not in suggested.group(1)


@pytest.mark.parametrize(
    "args",
    [
        ["shortlist", "--family", "GPT-4", "--access", "api"],
        ["shortlist", "--family", "Falcon", "--max-params", "1B"],
        ["list", "--license", "mit", "--access", "api"],
        ["shortlist", "--search", "no-such-thing"],
    ],
)
def test_every_suggested_flag_was_given(args: list[str]) -> None:
    result = cli(*args)
    assert result.exit_code == 0 and "No models match" in result.stderr
    suggested = re.search(r"give results: (.*)\.", result.stderr)
    for flag in suggested.group(1).split(", ") if suggested else []:
        assert flag in args, f"{flag} suggested but not given: {result.stderr}"


def test_the_hub_tier_when_empty_says_how_to_fill_it() -> None:
    result = cli("list", "--tier", "hub")
    assert result.exit_code == 0
    assert "modelcat sync --discover" in result.stderr
    assert "Dropping" not in result.stderr  # not "drop --tier": the tier is simply empty


def test_family_is_case_insensitive_and_names_close_families() -> None:
    loose = cli("list", "--family", "llama", "--format", "json")
    assert loose.exit_code == 0
    assert {m["family"] for m in json.loads(loose.stdout)} == {"LLaMA"}
    assert "did you mean" in loose.stderr
    for close in ("Llama 2", "Llama 3", "Code Llama"):
        assert close in loose.stderr
    assert json.loads(cli("list", "--family", "LLAMA 2", "-f", "json").stdout)
    exact = cli("list", "--family", "Llama 2", "--format", "json")
    assert exact.exit_code == 0 and exact.stderr == ""
    wrong = cli("list", "--family", "lama 3")
    assert wrong.exit_code == 2 and "Llama 3" in wrong.stderr


@pytest.mark.parametrize("term", LICENSE_TERMS)
def test_every_term_value_has_a_meaning_that_says_which_way_it_cuts(term: str) -> None:
    allowed, withheld = term_meaning(term, "yes"), term_meaning(term, "no")
    if term in PERMISSION_TERMS:
        assert (allowed, withheld) == ("allowed", "not allowed")
    else:
        assert withheld == "none" and allowed in ("restricted", "required", "capped")
    assert term_meaning(term, "conditional") == "conditional"
    assert term_meaning(term, "unknown") == "unknown"


def test_license_show_says_what_each_value_means_with_a_legend() -> None:
    out = cli("license", "show", "apache-2.0").stdout
    table = {line.split()[0]: line.split()[1] for line in out.splitlines() if "_" in line[:30]}
    assert table["commercial_use"] == "allowed"
    assert table["output_training_restriction"] == "none"  # was "no" beside commercial "yes"
    assert "allowed / not allowed:" in out and "restricted / none:" in out
    csv_out = cli("license", "show", "apache-2.0", "-f", "csv").stdout
    assert csv_out.splitlines()[0] == "term,value,meaning,clause,source"


def test_license_list_says_what_each_value_means() -> None:
    result = cli("license", "list", "--format", "md")
    lines = [line.strip("|").split(" | ") for line in result.stdout.splitlines() if "|" in line]
    header = [h.strip() for h in lines[0]]
    apache = dict(
        zip(
            header, (c.strip() for c in next(r for r in lines if "apache-2.0" in r[0])), strict=True
        )
    )
    assert apache["commercial"] == "allowed" and apache["outputs→train"] == "none"
    terms = header[header.index("commercial") :]
    assert not {apache[t] for t in terms} & {"yes", "no"}
    assert "restricted / none" in result.stdout
    exported = cli("license", "list", "--format", "csv").stdout.splitlines()[0]
    assert "terms.commercial_use.value" in exported  # CSV: the JSON keys, lossless


def test_saved_shortlists_are_listed_shown_and_deleted() -> None:
    assert cli("shortlist", "--family", "Llama 2", "--top", "2", "--save", "picks").exit_code == 0
    listed = cli("shortlist", "list")
    assert listed.stdout.splitlines()[0] == "1 saved shortlist"
    assert "picks" in listed.stdout and "family=" in listed.stdout
    saved = json.loads(cli("shortlist", "list", "-f", "json").stdout)
    assert [s["name"] for s in saved] == ["picks"] and len(saved[0]["model_ids"]) == 2
    shown = json.loads(cli("shortlist", "show", "picks", "-f", "json").stdout)
    assert [m["id"] for m in shown] == saved[0]["model_ids"]

    deleted = cli("shortlist", "delete", "picks")
    assert deleted.exit_code == 0 and "deleted shortlist 'picks'" in deleted.stderr
    again = cli("shortlist", "delete", "picks")
    assert again.exit_code == 2 and "no saved shortlist named 'picks'" in again.stderr
    assert cli("shortlist", "list").stdout.splitlines()[0] == "0 saved shortlists"
    assert cli("shortlist", "--top", "1", "-f", "json").exit_code == 0  # still a shortlist


def test_advise_says_its_context_default_and_flags_a_short_window() -> None:
    assert "8192 for RAG" in " ".join(cli("advise", "--help").stdout.split())
    base = ["advise", "--task", "domain-qa", "--documents", "--examples", "0",
            "--memory", "32GB", "--max-params", "8B", "--top", "60"]  # fmt: skip
    plan = json.loads(cli(*base, "--format", "json").stdout)
    ranked = {c["model"]: (i, c) for i, c in enumerate(plan["shortlist"])}
    position, falcon = ranked["falcon-7b-instruct"]
    assert falcon["context_window_short"] == {"window": 2048, "needed": 8192}
    assert "context window 2K is smaller than the 8K tokens rag needs" in falcon["why"]
    roomy = [i for i, c in ranked.values() if c["context_window_short"] is None]
    assert position > max(roomy[:5])  # below the first models whose window is big enough
    card = cli(*base)
    assert "context 8192 tokens per request (rag default)" in card.stdout

    short_ok = json.loads(cli(*base, "--context", "2048", "--format", "json").stdout)
    flagged = {c["model"] for c in short_ok["shortlist"] if c["context_window_short"]}
    assert "falcon-7b-instruct" not in flagged  # its 2K window takes 2048 tokens
