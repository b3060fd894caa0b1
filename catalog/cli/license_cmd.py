"""``modelcat license check``, ``license list`` and ``license show``.

``check`` gates CI pipelines: exit 1 when a named model is forbidden for the intended use,
0 otherwise, 2 on bad flags, an unknown model or a bad policy file.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from catalog.cli.common import (
    AccessOpt,
    DistributeOpt,
    FamilyOpt,
    HostApiOpt,
    LicenseOpt,
    MauOpt,
    MaxParamsOpt,
    MinParamsOpt,
    ModifyOpt,
    SearchOpt,
    TierOpt,
    TrainOnOutputsOpt,
    TunableOpt,
    UseOpt,
    intended_use,
    open_catalog,
)
from catalog.cli.policy_cmd import policy_app
from catalog.errors import ExitCode, UsageError
from catalog.render import Column, Format, emit, to_json_text
from catalog.units import plural

if TYPE_CHECKING:
    from catalog.api import Catalog
    from catalog.domain import Model
    from catalog.licenses import IntendedUse, Verdict
    from catalog.licenses.policy import Policy
    from catalog.schema import LicenseEntry

license_app = typer.Typer(
    help="License terms and compliance verdicts: may we use this model, and on which terms?",
    no_args_is_help=True,
)
license_app.add_typer(policy_app, name="policy")


class CheckFormat(StrEnum):
    """Output formats of ``license check`` (the listing formats plus SARIF for code scanning)."""

    table = "table"
    json = "json"
    csv = "csv"
    md = "md"
    sarif = "sarif"


CHECK_COLUMNS = [
    Column("model", lambda v: v.model),
    Column("license", lambda v: v.license),
    Column("verdict", lambda v: v.verdict),
    Column("decided by", lambda v: _decided_by(v)),
    Column("obligations", lambda v: len(v.obligations), "right"),
]
CHECK_CSV_COLUMNS = [
    *CHECK_COLUMNS[:4],
    Column("obligations", lambda v: "; ".join(v.obligations)),
    Column("reasons", lambda v: "; ".join(f"{r.term}: {r.detail}" for r in v.decisive)),
]

_TERM_ABBREVIATIONS = {
    "commercial_use": "commercial",
    "mau_limit": "MAU cap",
    "modification": "modify",
    "redistribution": "redistribute",
    "derivatives_redistribution": "derivatives",
    "attribution": "attribution",
    "naming_requirement": "naming",
    "output_training_restriction": "outputs→train",
    "use_restrictions": "use restr.",
    "copyleft": "copyleft",
    "hosting": "hosting",
    "patent_grant": "patent",
    "royalties": "royalties",
}


_KEY_TERMS = frozenset(
    {"commercial_use", "modification", "derivatives_redistribution", "output_training_restriction",
     "use_restrictions"}
)  # fmt: skip
"""Terms a narrow table keeps; the others are left out first (``license show`` has them all)."""


def _term_column(term: str, label: str) -> Column:
    from catalog.licenses.terms import term_meaning

    return Column(
        label,
        lambda entry: term_meaning(term, entry.term(term).value),
        optional=term not in _KEY_TERMS,
    )


LICENSE_COLUMNS = [
    Column("id", lambda e: e.id),
    Column("name", lambda e: e.name, optional=True),
    Column("spdx / hub", lambda e: e.spdx or e.hub_id or "", optional=True),
    Column("osi", lambda e: e.osi_approved, optional=True),
    Column("mau cap", lambda e: _count(e.mau_limit), "right"),
    *[_term_column(t, label) for t, label in _TERM_ABBREVIATIONS.items() if t != "mau_limit"],
]


@license_app.command("check")
def check(
    ctx: typer.Context,
    models: Annotated[
        list[str] | None,
        typer.Argument(help="Models to judge (catalog or Hub ids); none = the whole catalog."),
    ] = None,
    use: UseOpt = None,
    mau: MauOpt = None,
    modify: ModifyOpt = False,
    distribute: DistributeOpt = None,
    train_on_outputs: TrainOnOutputsOpt = None,
    host_api: HostApiOpt = None,
    policy_file: Annotated[
        str | None,
        typer.Option(
            "--policy",
            help="A team policy (intended use, allow/deny license lists) instead of the flags: "
            "a YAML file, or the name of a policy saved with `license policy save`.",
        ),
    ] = None,
    family: FamilyOpt = None,
    license: LicenseOpt = None,
    access: AccessOpt = None,
    tunable: TunableOpt = None,
    min_params: MinParamsOpt = None,
    max_params: MaxParamsOpt = None,
    search: SearchOpt = None,
    tier: TierOpt = None,
    fmt: Annotated[
        CheckFormat,
        typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
    ] = CheckFormat.table,
) -> None:
    """Judge models for an intended use: allowed, conditional, forbidden or unknown, with cited clauses.

    Exit code 1 when a named model is forbidden (a CI gate), 0 otherwise.
    """
    from catalog.licenses import IntendedUse, sarif_report
    from catalog.saved_policies import load_policy_named

    intended = intended_use(
        use=use, mau=mau, modify=modify, distribute=distribute,
        train_on_outputs=train_on_outputs, host_api=host_api,
    )  # fmt: skip
    if policy_file is not None and intended != IntendedUse():
        raise UsageError("--policy sets the intended use; drop --use/--mau/--modify/... flags")
    cat = open_catalog(ctx)
    policy = load_policy_named(cat, policy_file) if policy_file is not None else None
    if policy is not None:
        intended = policy.use
    picked = _models(
        cat, models or [],
        family=family, license=license, access=access, tunable=tunable,
        min_params=min_params, max_params=max_params, search=search, tier=tier,
    )  # fmt: skip
    verdicts = cat.judge(picked, intended, policy=policy)
    if fmt is CheckFormat.sarif:
        report = sarif_report(verdicts, use=intended, artifact=policy_file)
        typer.echo(to_json_text(report))
    elif fmt is CheckFormat.json:
        emit([], [], Format.json, json_payload=_check_json(intended, verdicts, policy))
    else:
        _print_check(verdicts, Format(fmt.value), intended, details=bool(models))
    if models and any(v.verdict == "forbidden" for v in verdicts):
        raise typer.Exit(int(ExitCode.FAILED))


@license_app.command("list")
def list_licenses(
    ctx: typer.Context,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
    ] = Format.table,
) -> None:
    """Every license and what each term means (allowed / not allowed, restricted / none)."""
    from catalog.licenses.terms import MEANING_LEGEND
    from catalog.render import paragraph

    cat = open_catalog(ctx)
    entries = cat.licenses()
    emit(
        entries,
        LICENSE_COLUMNS,
        fmt,
        json_payload=[e.model_dump(mode="json") for e in entries],
        csv_from_json=True,
        title=plural(len(entries), "license"),
    )
    if fmt in (Format.table, Format.md):
        typer.echo("\n" + paragraph(MEANING_LEGEND))


@license_app.command("show")
def show_license(
    ctx: typer.Context,
    license_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="License id, Hub tag, SPDX id or ScanCode key (llama2, Apache-2.0, gemma-tou-2024-04-01).",
        ),
    ],
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
    ] = Format.table,
) -> None:
    """One license: identifiers, and what each term means, with its clause and source."""
    from catalog.licenses.terms import MEANING_LEGEND, term_meaning
    from catalog.render import paragraph

    cat = open_catalog(ctx)
    entry = cat.license(license_id)
    if fmt is Format.json:
        emit([], [], fmt, json_payload=entry.model_dump(mode="json"))
        return
    rows = [
        (name, term.value, term_meaning(name, term.value), term.clause, term.source or entry.source)
        for name, term in entry.terms.items()
    ]
    title = f"{entry.id}: {entry.name}"
    if fmt is not Format.table:
        emit(rows, [
            Column("term", lambda r: r[0]), Column("value", lambda r: r[1]),
            Column("meaning", lambda r: r[2]), Column("clause", lambda r: r[3]),
            Column("source", lambda r: r[4]),
        ], fmt, title=title)  # fmt: skip
        if fmt is Format.md:
            typer.echo("\n" + paragraph(MEANING_LEGEND))
        return
    # URLs are never cut across lines: each source is listed once, on a line of its own, and
    # a clause from another source than the license's text points to it with [n].
    sources = list(dict.fromkeys(r[4] for r in rows if r[4] and r[4] != entry.source))
    marked = [
        (r[0], r[2], r[3] + (f" [{sources.index(r[4]) + 1}]" if r[4] in sources else ""))
        for r in rows
    ]
    typer.echo(_identity(entry))
    emit(marked, [
        Column("term", lambda r: r[0]), Column("meaning", lambda r: r[1]),
        Column("clause", lambda r: r[2]),
    ], fmt)  # fmt: skip
    typer.echo("\n" + paragraph(MEANING_LEGEND))
    if entry.source or sources:
        typer.echo("\nsources of the clauses:")
        if entry.source == entry.url:
            typer.echo("  unmarked: the license text above")
        elif entry.source:
            typer.echo(f"  unmarked:\n    {entry.source}")
        for number, url in enumerate(sources, 1):
            typer.echo(f"  [{number}] {url}")


def _models(
    cat: Catalog,
    names: list[str],
    *,
    family: list[str] | None,
    license: list[str] | None,
    access: list[str] | None,
    tunable: list[str] | None,
    min_params: str | None,
    max_params: str | None,
    search: str | None,
    tier: list[str] | None,
) -> list[Model]:
    if names:
        return [cat.get(name) for name in names]
    from catalog.search import make_filters

    # --mau describes the use here (judged per model), not a filter.
    filters = make_filters(
        family=family or (), license=license or (), access=access or (), tunable=tunable or (),
        min_params=min_params, max_params=max_params, search=search, tier=tier or (),
    )  # fmt: skip
    return cat.query(filters)


def _check_json(use: IntendedUse, verdicts: list[Verdict], policy: Policy | None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "query": use.to_json(),
        "results": [v.to_json() for v in verdicts],
    }
    if policy is not None:
        payload["policy"] = {
            "path": policy.path,
            "allow_licenses": sorted(policy.allow_licenses) if policy.allow_licenses else None,
            "deny_licenses": sorted(policy.deny_licenses),
        }
    return payload


def _print_check(verdicts: list[Verdict], fmt: Format, use: IntendedUse, *, details: bool) -> None:
    columns = CHECK_COLUMNS if fmt is Format.table else CHECK_CSV_COLUMNS
    emit(verdicts, columns, fmt, title=f"license check: {_describe(use)}")
    if fmt is not Format.table or not details:
        return
    for verdict in verdicts:
        lines = [f"\n{verdict.model} — {verdict.verdict} under {verdict.license}"]
        lines += [f"  must: {o}" for o in verdict.obligations]
        lines += [
            f"  why ({r.term}, {r.effect}): {r.detail}" + (f" <{r.source}>" if r.source else "")
            for r in verdict.reasons
            if r.effect != "allowed" or verdict.verdict == "allowed" or r.term == "lineage"
        ]
        typer.echo("\n".join(lines))


def _describe(use: IntendedUse) -> str:
    parts: list[str] = [use.use]
    if use.mau is not None:
        parts.append(f"{use.mau:,} MAU")
    if use.modify:
        parts.append("modify")
    if use.distribute != "none":
        parts.append(f"distribute {use.distribute}")
    if use.train_on_outputs:
        parts.append("train on outputs")
    if use.host_api:
        parts.append("host as API")
    return ", ".join(parts)


def _decided_by(verdict: Verdict) -> str:
    if verdict.verdict == "allowed":
        return ""
    return ", ".join(
        dict.fromkeys(_TERM_ABBREVIATIONS.get(r.term, r.term) for r in verdict.decisive)
    )


def _count(value: int | None) -> str:
    from catalog.units import format_count

    return format_count(value) if value else ""


def _identity(entry: LicenseEntry) -> str:
    ids = [
        f"hub: {entry.hub_id}" + (f" ({entry.hub_license_name})" if entry.hub_license_name else "")
        if entry.hub_id
        else None,
        f"spdx: {entry.spdx}" if entry.spdx else None,
        f"scancode: {entry.scancode_key}" if entry.scancode_key else None,
        f"osi approved: {'yes' if entry.osi_approved else 'no'}",
        f"mau cap: {entry.mau_limit:,}" if entry.mau_limit else None,
        f"text: {entry.url}" if entry.url else None,
    ]
    return f"{entry.id}: {entry.name}\n" + "\n".join(f"  {line}" for line in ids if line)
