"""The license filters judge a Hub derivative under its base models' licenses, as ``license
check`` does: a Llama 2 re-upload tagged apache-2.0 is not "commercial at 800M users"."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from catalog.api import Catalog
from catalog.cli.main import app
from catalog.licenses import IntendedUse
from catalog.search import SHORTLIST_SORT, make_filters
from catalog.sync import check_with_lineage
from tests.search.conftest import MISTRAL_FT, ORPHAN, QUANT, REUPLOAD
from tui.state import FilterState, UseState

BIG = IntendedUse(mau=800_000_000)  # above Llama 2's 700 million monthly-active-user cap


def _ids(cat: Catalog, **filters: Any) -> list[str]:
    return [m.id for m in cat.query(make_filters(**filters))]


def test_shortlist_leaves_out_what_license_check_forbids(derived: Catalog) -> None:
    reupload, quant = derived.get(REUPLOAD), derived.get(QUANT)
    assert reupload.license == quant.license == "apache-2.0"
    licenses = {lic.id: lic for lic in derived.licenses()}
    verdicts = check_with_lineage(derived, [reupload, quant], licenses, BIG)
    assert [v.verdict for v in verdicts] == ["forbidden", "forbidden"]
    kept = [m.id for m in derived.shortlist(use=BIG)]
    assert reupload.id not in kept and quant.id not in kept
    # An apache-tagged fine-tune of an apache model stays.
    assert derived.get(MISTRAL_FT).id in kept
    # Within the cap the re-upload is allowed again (its lineage made it conditional).
    small = [m.id for m in derived.shortlist(use=IntendedUse(mau=1000))]
    assert reupload.id in small


def test_commercial_at_a_mau_counts_the_base_models_license(derived: Catalog) -> None:
    kept = set(_ids(derived, commercial=True, mau="800M"))
    assert derived.get(REUPLOAD).id not in kept and derived.get(QUANT).id not in kept
    assert derived.get(MISTRAL_FT).id in kept
    assert derived.get(REUPLOAD).id in set(_ids(derived, commercial=True, mau="1000"))
    # An unknown base binds its derivative with the unknown license: not a commercial grant.
    assert derived.get(ORPHAN).id not in set(_ids(derived, commercial=True))


def test_cli_shortlist_and_license_check_agree(derived: Catalog) -> None:
    runner = CliRunner()
    listed = runner.invoke(
        app, ["shortlist", "--use", "commercial", "--mau", "800M", "--format", "json"]
    )
    assert listed.exit_code == 0, listed.output
    ids = [m["id"] for m in json.loads(listed.stdout)]
    checked = runner.invoke(
        app, ["license", "check", "--mau", "800M", "--tier", "hub", "--format", "json"]
    )
    forbidden = {
        r["model"] for r in json.loads(checked.stdout)["results"] if r["verdict"] == "forbidden"
    }
    assert derived.get(REUPLOAD).id in forbidden
    assert not forbidden & set(ids)


def test_tui_intended_use_filter_agrees(derived: Catalog) -> None:
    state = FilterState(use=UseState(mau="800M"), include_retired=True)
    filters, problems = state.to_filters()
    assert not problems
    kept = {m.id for m in derived.query(filters)}
    assert derived.get(REUPLOAD).id not in kept
    assert kept == {m.id for m in derived.shortlist(use=BIG, hide_retired=False)}


def test_search_ranks_the_exact_curated_match_first(derived: Catalog) -> None:
    """Exact id first, then ids starting with the text, then the rest; curated before Hub-tier."""
    ranked = [m.id for m in derived.shortlist(search="llama-2-7b", top=5)]
    assert ranked[0] == "llama-2-7b"
    assert ranked[1].startswith("llama-2-7b")
    assert derived.get(REUPLOAD).id in ranked
    by_hub_id = [m.id for m in derived.shortlist(search=REUPLOAD.lower(), top=1)]
    assert by_hub_id == [derived.get(REUPLOAD).id]
    second = derived.search.hits(make_filters(search="llama"), sort=SHORTLIST_SORT, top=3, offset=2)
    first = derived.search.hits(make_filters(search="llama"), sort=SHORTLIST_SORT, top=5)
    assert [h.model.id for h in second] == [h.model.id for h in first][2:5]


def test_a_ranked_search_keeps_models_without_a_hub_id(derived: Catalog) -> None:
    """LLaMA v1 and the API models have no Hub id: an unknown ``hub_key`` must not drop them
    from the prefix and substring parts of the ranking."""
    ranked = [m.id for m in derived.shortlist(search="llama", hide_retired=False)]
    listed = [m.id for m in derived.list(search="llama")]
    assert sorted(ranked) == sorted(listed)
    assert {"llama-7b", "llama-65b"} <= set(ranked)
    assert "gpt-4o" in [m.id for m in derived.shortlist(search="t-4o")]


def test_pages_of_a_ranked_search_join_into_the_whole_answer(derived: Catalog) -> None:
    """Models of equal score (llama-3.2-1b and -3b) fall in the same order in every page."""
    filters = make_filters(search="llama")
    whole = [h.model.id for h in derived.search.hits(filters, sort=SHORTLIST_SORT)]
    paged = [
        h.model.id
        for offset in range(len(whole))
        for h in derived.search.hits(filters, sort=SHORTLIST_SORT, top=1, offset=offset)
    ]
    assert paged == whole


def test_a_short_text_matches_at_the_start_of_an_id_hub_id_family_or_name(
    derived: Catalog,
) -> None:
    """One or two characters would match most of any catalog and no trigram index finds them:
    they match at the start of an id, a Hub id (its author), a family or a curated name."""
    ranked = [m.id for m in derived.shortlist(search="Qw", hide_retired=False)]
    assert ranked and all(
        m.id.startswith("qw") or m.family.lower().startswith("qw")
        for m in (derived.get(i) for i in ranked)
    )
    assert sorted(ranked) == [m.id for m in derived.list(search="qw")]
    # Discovered repos by their author; "someone--..." ids start with "so".
    by_author = {m.id for m in derived.list(search="so", tier="hub")}
    assert derived.get(REUPLOAD).id in by_author
    # Inside a word is not a start: "pt" is in every "gpt" id but starts none of them.
    assert not [m.id for m in derived.list(search="pt")]
    assert "gpt-4o" in [m.id for m in derived.list(search="gpt")]
